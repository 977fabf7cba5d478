"""English for the notifier's messages (Chinese is the source text; see :mod:`hallq.i18n`)."""

from __future__ import annotations

from hallq.i18n import add_english

ENGLISH = {
    "{number} 号：下一位就是您，请到叫号屏前留意叫号。": "Ticket {number}: you are next; please watch the call screen.",
    "{number} 号：还有 {n} 位轮到您，请回到大厅留意叫号。":
        "Ticket {number}: {n} more before you; please come back to the hall and watch the call screen.",
    "{number} 号：请到 {window} 窗口办理。": "Ticket {number}: please go to window {window}.",
    "您的办件需要补正材料（一次性告知：{reasons}），请携带补正材料到 {window} 窗口。":
        "Your application needs more documents ({reasons}); please bring them to window {window}.",
    "您的办件需要补正材料，请携带一次性告知书所列材料到 {window} 窗口。":
        "Your application needs more documents; please bring those listed in the notice to window {window}.",
    "办件已办结，请到{place}领取。": "Your application is complete; please collect the result at {place}.",
}
add_english(ENGLISH)
