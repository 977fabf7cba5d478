"""What the kiosk says when the hub refuses a request or a device fails: title and advice per code.

The hub's own message (Chinese, with details such as the existing ticket number) is shown
under the title in Chinese; in English the advice stands in for it. Codes are the stable
ones from ``hub.core`` / ``hallq.protocol`` (see docs/protocol.md).
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


def refusal(code: str) -> tuple[str, str]:
    title, advice = REFUSALS.get(code, DEFAULT_REFUSAL)
    return tr(title), tr(advice)


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
})
