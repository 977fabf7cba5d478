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
    "{number} 号：您的申请不予受理，请到 {window} 窗口领取书面告知。":
        "Ticket {number}: your application was not accepted; please collect the written notice at window {window}.",
    "您的办件经审查不予许可（{reasons}），书面决定送到{place}后请凭身份证领取。":
        "Your application was refused ({reasons}); once the written decision is at {place}, please collect it "
        "with your ID card.",
    "您的办件经审查不予许可，书面决定送到{place}后请凭身份证领取。":
        "Your application was refused; once the written decision is at {place}, please collect it with your ID card.",
    "您的办件经审查不予许可（{reasons}），书面决定将按您选择的方式送达，届时另行通知。":
        "Your application was refused ({reasons}); the written decision will be delivered the way you chose, "
        "and you will be told when.",
    "见书面决定": "see the written decision",
    "不予许可的书面决定已送到{place}，请凭身份证领取。":
        "The written decision refusing your application is at {place}; please collect it with your ID card.",
    "办件已办结，结果已放入自助柜 {box} 号格口，请按柜机提示取件。":
        "Your application is complete; the result is in locker compartment {box}. Follow the locker's instructions.",
    "办件已办结，结果已放入自助柜，请按柜机提示取件。":
        "Your application is complete; the result is in the self-service locker. Follow the locker's instructions.",
    "办件已办结，结果已邮寄，快递单号 {tracking}，请留意查收。":
        "Your application is complete; the result has been posted, tracking number {tracking}.",
    "办件已办结，结果已邮寄，请留意查收。": "Your application is complete; the result has been posted.",
}
add_english(ENGLISH)
