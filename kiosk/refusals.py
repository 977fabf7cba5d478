"""What the kiosk says when the hub refuses a request or a device fails: title and advice per code.

A citizen reads only the kiosk's own words, chosen by the refusal's stable code (``hub.core``
/ ``hallq.protocol``, see docs/protocol.md); any code without its own words gets
:data:`DEFAULT_REFUSAL`. The hub's message is shown under the title only for the codes in
:data:`HUB_DETAILS`, whose messages carry a detail worth reading (the number already taken),
and only when it is plain Chinese: never a state name, an operation or an error code
("当前状态为 waiting，不能执行 retake" never reaches a citizen). A 过号取号 refused because of
the ticket's state says in words what that state is (:func:`retake_refusal`).
"""

from __future__ import annotations

import re

from hallq.i18n import add_english, language, tr
from hallq.idcard import InvalidIdNumber

# code -> (title, advice)
REFUSALS: dict[str, tuple[str, str]] = {
    "duplicate_ticket": ("您今天已取过该事项的号", "一人一事一天一个号。请留意叫号屏，如需帮助请咨询引导台。"),
    "quota_reached": ("今日号源已取完", "该业务今日号源已发完，请预约其他日期或咨询引导台。"),
    "hall_closed": ("当前不在取号时间", "请在大厅办公时间内取号。"),
    "no_ticket_needed": ("该事项无需取号", "请按屏幕提示网上办理或到咨询区咨询。"),
    "retake_limit": ("过号取号次数已用完", "请到引导台咨询。"),
    "unknown_ticket": ("没有找到该票号", "请核对小票上的票号（如 A012）后重新输入。"),
    "illegal_state": ("该票号不能过号取号", "只有已过号的当天票号可以重新取号，请咨询引导台。"),
    "unknown_matter": ("该事项暂不能取号", "事项目录刚刚更新，请返回首页重新选择，或咨询引导台。"),
    "unknown_situation": ("该事项暂不能取号", "事项目录刚刚更新，请返回首页重新选择，或咨询引导台。"),
    "day_not_started": ("系统正在准备今天的号源", "请稍候一分钟再取号，或咨询引导台。"),
    "rate_limited": ("本机正忙", "请稍候片刻再试。"),
    "bad_channel": ("本机不能办理此项操作", "请咨询引导台。"),
    "unknown_device": ("本机尚未登记", "请联系工作人员。"),
    "internal": ("系统暂时出错", "本次没有取号，请稍后重试或咨询引导台。"),
    "unknown_appointment": ("没有找到预约记录", "请核对预约码或身份证号码，或咨询引导台。"),
    "appointment_used": ("该预约已签到", "请留意叫号屏等候叫号。"),
    "appointment_wrong_day": ("预约日期不是今天", "请在预约当天签到，或咨询引导台。"),
    "appointment_early": ("还没到签到时间", "请在预约时段开始前不久再来签到；签到后到预约时段优先叫号。"),
    "invalid_id_number": ("身份证号码无效", "请核对后重新输入或刷身份证。"),
    "unknown_priority_group": ("优先群体类别无效", "请咨询引导台。"),
    "forbidden": ("本机不能办理此项操作", "请咨询引导台。"),
    "print_failed": ("小票打印失败", "本次取号已作废，请到引导台取号。"),
    "printer_blocked": ("打印机故障，暂停取号", "请咨询引导台。"),
}
DEFAULT_REFUSAL = ("暂时无法办理", "请咨询引导台。")


# The codes whose hub message is worth showing under the title (when it is plain Chinese).
HUB_DETAILS = frozenset({"duplicate_ticket", "quota_reached", "hall_closed", "retake_limit", "appointment_early"})

# 过号取号 refused by the ticket's state: the state in words, found in the hub's message by its
# name (waiting …) or its Chinese words (等候 …), whichever the hub writes.
RETAKE_STATES: tuple[tuple[tuple[str, ...], tuple[str, str]], ...] = (
    (("waiting", "等候", "排队", "候号"),
     ("该票号还在排队等候", "还没有过号，不用重新取号。请留意叫号屏，叫到后到窗口办理。")),
    (("called", "已叫号", "叫号中", "办理中"), ("该票号正在叫号", "请尽快到叫号屏显示的窗口办理。")),
    (("accepted", "consulted", "rejected", "受理", "咨询", "办结", "已办"),
     ("该票号已办理完毕", "如需再次办理，请重新取号。")),
    (("cancelled", "expired", "作废", "取消", "过期"), ("该票号已失效", "请重新取号，或咨询引导台。")),
)


def refusal(code: str) -> tuple[str, str]:
    title, advice = REFUSALS.get(code, DEFAULT_REFUSAL)
    return tr(title), tr(advice)


def retake_refusal(message: str) -> tuple[str, str]:
    """Title and advice for 过号取号 refused with ``illegal_state``: the ticket's state in words."""
    lower = message.lower()
    for words, (title, advice) in RETAKE_STATES:
        if any(w in lower for w in words):
            return tr(title), tr(advice)
    return refusal("illegal_state")


_WORD = re.compile(r"[A-Za-z_]{3,}")  # an English word, a state name or a code (A012 is not one)


def plain_chinese(text: str) -> bool:
    """True when ``text`` is fit for a citizen: no English word, state name or code in it."""
    return not _WORD.search(text)


def citizen_refusal(code: str, message: str = "", *, retake: bool = False) -> tuple[str, str]:
    """(title, body) a citizen reads for a refusal: the kiosk's words for ``code``, with the hub's
    message when it adds a detail and is plain Chinese (in English the advice alone)."""
    title, advice = retake_refusal(message) if retake and code == "illegal_state" else refusal(code)
    if code in HUB_DETAILS and message and language() == "zh_CN" and plain_chinese(message) and advice not in message:
        return title, f"{message}\n{advice}"
    return title, advice


_ID_EN = {
    "id_length": "An ID number has 18 characters; this one has {n}",
    "id_chars": "The first 17 characters must be digits, the last a digit or X",
    "id_birth": "The date of birth in this ID number is not valid",
    "id_checksum": "The check character does not match: please check the number and enter it again",
}


def early_message(message: str) -> str:
    """The hub's "come back at" message for a too-early check-in, in the kiosk's language.

    The hub writes the times in the hall's zone: 您预约的时段是 16:00，请于 15:30 以后再来签到."""
    times = re.findall(r"\d{1,2}:\d{2}", message)
    if language() != "en" or len(times) != 2:
        return message
    return f"Your appointment is at {times[0]}. Please come back to check in from {times[1]}."


def id_message(exc: InvalidIdNumber) -> str:
    """The ID check's message (GB 11643), in the kiosk's language; never contains the number."""
    if language() != "en" or exc.code not in _ID_EN:
        return str(exc)
    found = re.search(r"现为(\d+)位", str(exc))
    return _ID_EN[exc.code].format(n=found.group(1) if found else "?")


add_english({
    "您今天已取过该事项的号": "You already have a ticket for this matter today",
    "一人一事一天一个号。请留意叫号屏，如需帮助请咨询引导台。":
        "One ticket per person per matter per day. Watch the call screen; ask at the guide desk if you need help.",
    "今日号源已取完": "Today's tickets for this service are all taken",
    "该业务今日号源已发完，请预约其他日期或咨询引导台。":
        "No tickets are left today. Book another day or ask at the guide desk.",
    "当前不在取号时间": "Tickets are not issued at this time",
    "请在大厅办公时间内取号。": "Please take a ticket during opening hours.",
    "该事项无需取号": "No ticket is needed for this",
    "请按屏幕提示网上办理或到咨询区咨询。": "Do it online as shown, or go to the consultation area.",
    "过号取号次数已用完": "This ticket cannot be re-queued again",
    "请到引导台咨询。": "Please ask at the guide desk.",
    "没有找到该票号": "Ticket number not found",
    "请核对小票上的票号（如 A012）后重新输入。": "Check the number on your slip (e.g. A012) and enter it again.",
    "该票号不能过号取号": "This ticket cannot be re-queued",
    "只有已过号的当天票号可以重新取号，请咨询引导台。":
        "Only today's passed tickets can be re-queued. Please ask at the guide desk.",
    "没有找到预约记录": "Appointment not found",
    "请核对预约码或身份证号码，或咨询引导台。": "Check the code or ID number, or ask at the guide desk.",
    "该预约已签到": "This appointment is already checked in",
    "请留意叫号屏等候叫号。": "Please wait for your call on the screen.",
    "预约日期不是今天": "The appointment is not for today",
    "请在预约当天签到，或咨询引导台。": "Check in on the day of the appointment, or ask at the guide desk.",
    "还没到签到时间": "Too early to check in",
    "请在预约时段开始前不久再来签到；签到后到预约时段优先叫号。":
        "Check in shortly before your slot; from the slot on you are called first.",
    "您的预约时段 {t} 已过签到时间，已为您取普通号，按到达顺序叫号。":
        "Your appointment at {t} is past its check-in time: this is an ordinary ticket, called in order of arrival.",
    "距您的预约时段 {t} 还早，已为您取普通号，按到达顺序叫号。":
        "You are early for your appointment at {t}: this is an ordinary ticket, called in order of arrival.",
    "预约签到成功。{t} 起优先叫号，请在大厅等候。":
        "Checked in. From {t} you are called first; please wait in the hall.",
    "预约签到成功，优先叫号。": "Checked in: you are called first.",
    "身份证号码无效": "Invalid ID number",
    "请核对后重新输入或刷身份证。": "Check it and enter it again, or place the ID card on the reader.",
    "优先群体类别无效": "Unknown priority group",
    "请咨询引导台。": "Please ask at the guide desk.",
    "本机不能办理此项操作": "This kiosk cannot do that",
    "小票打印失败": "The slip could not be printed",
    "本次取号已作废，请到引导台取号。": "This ticket has been voided. Please get a ticket at the guide desk.",
    "打印机故障，暂停取号": "Printer fault: tickets paused",
    "暂时无法办理": "This cannot be done right now",
    "该事项暂不能取号": "No ticket can be taken for this right now",
    "事项目录刚刚更新，请返回首页重新选择，或咨询引导台。":
        "The list of services has just changed: start again, or ask at the guide desk.",
    "系统正在准备今天的号源": "The hall is preparing today's tickets",
    "请稍候一分钟再取号，或咨询引导台。": "Please try again in a minute, or ask at the guide desk.",
    "本机正忙": "This kiosk is busy",
    "请稍候片刻再试。": "Please try again in a moment.",
    "本机尚未登记": "This kiosk is not registered",
    "请联系工作人员。": "Please contact the staff.",
    "系统暂时出错": "Something went wrong",
    "本次没有取号，请稍后重试或咨询引导台。": "No ticket was taken. Try again later or ask at the guide desk.",
    "该票号还在排队等候": "This ticket is still waiting",
    "还没有过号，不用重新取号。请留意叫号屏，叫到后到窗口办理。":
        "It has not been passed: no need to re-take. Watch the call screen and go to the window when called.",
    "该票号正在叫号": "This ticket is being called",
    "请尽快到叫号屏显示的窗口办理。": "Please go to the window shown on the call screen now.",
    "该票号已办理完毕": "This ticket has been served",
    "如需再次办理，请重新取号。": "To be served again, please take a new ticket.",
    "该票号已失效": "This ticket is no longer valid",
    "请重新取号，或咨询引导台。": "Please take a new ticket, or ask at the guide desk.",
})
