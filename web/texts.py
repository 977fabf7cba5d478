"""Every word the phone page shows: Chinese first, English on the page's switch (``?lang=en``).

The page serves many people at once in both languages, so it does not use the process-wide
language of :mod:`hallq.i18n`; :func:`t` takes the request's language. Nor does it add to that
catalogue: one process may hold both. ``tests/web`` checks that every Chinese text the page shows
has its English here.

The case's own words (its state, kind, delivery, and the stages that are case steps or states: 受理,
办结/不予许可, 待领取, 已领取) are not here: :func:`case_word` takes them by their codes from the words
the hub and the pads share (:data:`hallq.i18n.CASE_WORDS_EN`), so a case reads the same in English on
the phone, the pad and in the hub's reports. 转递 and 审查 are the page's own stage names (no case word).
"""

from __future__ import annotations

from hallq.i18n import CASE_WORDS_EN

ENGLISH = {
    "办理进度": "Progress",
    "扫码查询办理进度": "Your ticket's progress",
    "未找到该号": "Ticket not found",
    "请核对小票上的二维码，或到大厅引导台咨询。": "Please check the QR code on your slip, or ask at the guide desk.",
    "操作过于频繁，请稍候再试": "Too many requests; please wait a moment and try again",
    "大厅服务器暂时没有答复，请稍后刷新": "The hall's server is not answering; please try again shortly",
    "请求内容不正确，未被接受": "The request was not accepted: it is malformed",
    "请求内容过长，未被接受": "The request was not accepted: it is too large",
    "页面已过期，请刷新后再提交": "This form has expired; reload the page and submit again",
    "票号": "Ticket",
    "事项": "Matter",
    "情形": "Situation",
    "办理窗口": "Windows",
    "状态": "Status",
    "前面还有": "People ahead",
    "{n} 人": "{n}",
    "预计等候": "Estimated wait",
    "约 {lo}-{hi} 分钟": "about {lo}-{hi} min",
    "本时段可能无法办理": "May not be served before this session ends",
    "今日可能无法办理": "May not be served today",
    "请留意大厅屏幕和语音叫号": "Watch the hall screens and listen for your number",
    "请到 {window} 窗口办理": "Please go to window {window}",
    "叫号时间 {time}": "Called at {time}",
    "您的号已过号": "Your number was passed",
    "过号后可凭小票到自助取号机“过号取号”，新号排在原位置后 {n} 位。": (
        "After a pass you can re-take a number at a kiosk (过号取号) with your slip; the new number goes {n} places "
        "back."),
    "每张小票可过号取号 {n} 次，您已取 {used} 次。": "Each slip may be re-taken {n} time(s); you have used {used}.",
    "本大厅过号后需重新取号。": "After a pass, please take a new number.",
    "本号已作废（票号当天有效），如需办理请重新取号。": (
        "This number is void (valid on its day only); please take a new one."),
    "已办理完毕": "Service finished",
    "办件进度": "Case progress",
    "办件编号": "Case number",
    "承诺办结日期": "Promised by",
    "尚未到达": "not yet",
    "一次性告知：需要补正的材料": "One-time notice: materials to add",
    "请在 {date} 前把补正材料送到 {window} 窗口。": "Please bring them to window {window} by {date}.",
    "领取方式：{how}": "How to collect: {how}",
    "请到 {windows} 出件窗口领取。": "Collect it at window {windows}.",
    "请到大厅出件窗口领取，领取时请带身份证件。": "Collect it at the hall's result window; bring your ID card.",
    "结果将投入自助柜，格口号另行通知。": (
        "The result goes into a self-service locker; you will be told the compartment."),
    "结果将邮寄到您登记的地址。": "The result will be posted to the address you registered.",
    "好差评": "Rate this service",
    "这次服务在窗口没有评价，您可以在这里评价，{date} 前有效。": (
        "This service was not rated at the window; you may rate it here until {date}."),
    "请选择不满意的原因": "Please choose a reason",
    "提交评价": "Submit",
    "感谢您的评价": "Thank you for your rating",
    "您的评价：{level}": "Your rating: {level}",
    "评价期限已过": "The rating period has ended",
    "页面每隔几秒自动更新": "This page updates itself every few seconds",
    "刷新": "Refresh",
    "更新于 {time}": "Updated {time}",
    "English": "English",
    "中文": "中文",
    "等候中": "Waiting",
    "已叫号": "Called",
    "已受理": "Accepted",  # the ticket's outcome (受理), as the queue's words have it
    "已咨询办结": "Consulted",
    "不予受理": "Not accepted",
    "已过号": "Passed",
    "已取消": "Cancelled",
    "已过期作废": "Expired",
    "转递": "Transferred", "审查": "In review",
    "非常满意": "Very satisfied", "满意": "Satisfied", "基本满意": "Fairly satisfied", "不满意": "Dissatisfied",
    "非常不满意": "Very dissatisfied",
    "请选择评价等级": "Please choose a level",
    "请补正材料": "Please bring the missing materials",
    "办件已办结，请领取": "Your case is done: please collect the result",
    "办件{state}": "Case: {state}",
    "差评需要从列表中选择原因": "A poor rating needs a reason from the list",
    "这次服务已经评价过，每次服务只能评价一次": "This service has already been rated (once per service)",
    "评价期限已过，不能再评价": "The rating period has ended",
    "这次服务无需在此评价": "This service has no rating to give here",
    "提交未成功：{why}": "Not submitted: {why}",
    "请扫描小票上的二维码查看办理进度。": "Scan the QR code on your slip to see your progress.",
}

# the case word each stage of the page is (kind, code); 转递 and 审查 are the page's own (in ENGLISH). A stage
# is where the case has got to, so in English it is the state's word ("Accepted", "Completed"), not the
# action's (the hub's Chinese label, 受理 / 办结, reads as both)
STAGE_WORDS = {"accepted": ("state", "accepted"), "decided": ("state", "approved"), "ready": ("state", "ready"),
               "collected": ("state", "collected")}
DENIED_STAGE = "不予许可"  # the hub's label of the decided stage when the decision was 不予许可


def t(zh: str, lang: str, **values: object) -> str:
    """``zh`` in the request's language (English when ``lang`` is ``en`` and there is an entry)."""
    text = ENGLISH.get(zh, zh) if lang == "en" else zh
    return text.format(**values) if values else text


def case_word(kind: str, code: str, label: str, lang: str) -> str:
    """A case word (``kind``: state, kind, delivery, action): the hub's Chinese ``label``, or in English the
    shared word for ``code`` (the label itself when the code is unknown), as :func:`hallq.i18n.case_word`."""
    return CASE_WORDS_EN.get(kind, {}).get(code, label) if lang == "en" else label


def stage_word(key: str, label: str, lang: str) -> str:
    """A case's stage on the page: the case word it is, else the page's own stage name."""
    if key not in STAGE_WORDS:
        return t(label, lang)
    kind, code = STAGE_WORDS[key]
    if key == "decided" and label == DENIED_STAGE:
        code = "denied"
    return case_word(kind, code, label, lang)
