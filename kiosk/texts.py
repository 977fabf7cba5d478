"""English for the kiosk's screens (Chinese is the source text; see :mod:`hallq.i18n`)."""

from __future__ import annotations

from hallq.i18n import add_english

ENGLISH = {
    "1. 用微信或支付宝扫描右侧二维码": "1. Scan the QR code with WeChat or Alipay",
    "2. 登录后按页面提示填写信息、上传材料": "2. Log in, fill in the form and upload the materials",
    "3. 提交后可在“办件查询”中查看进度": "3. Follow the progress under \"My applications\"",
    "{n} 秒无操作将返回首页": "Back to start in {n} s without a touch",
    "小票暂时无法打印，正在等待打印机恢复，请稍候；若未恢复，本次取号将作废，请到引导台取号。":
        "The slip cannot be printed right now. Waiting for the printer to recover; if it does not, "
        "this ticket will be voided: please get one at the guide desk.",
    "全部事项": "All services",
    "前面还有 {n} 人": "{n} people ahead of you",
    "办理业务": "Service",
    "办理情形：{name}": "Your situation: {name}",
    "办理窗口": "Windows",
    "办理：{matter} · {situation}": "For: {matter} · {situation}",
    "取号": "Take a ticket",
    "取号成功，请取走小票": "Here is your ticket: please take the slip",
    "取帮办代办号": "Take a ticket for assisted service",
    "大厅公告": "Hall notices",
    "完成": "Done",
    "已读取身份证：{name}": "ID card read: {name}",
    "常办事项": "Frequent services",
    "您好！请选择要办理的事项": "Welcome! What would you like to do?",
    "您申报了绿色通道（{group}），请到引导台出示证件核验，核验后优先叫号。":
        "You declared priority service ({group}). Show your documents at the guide desk; "
        "once verified you will be called first.",
    "您的号码": "Your number",
    "我需要帮助（取帮办代办号）": "I need help (assisted-service ticket)",
    "我需要帮助（帮办网办）": "I need help doing it online",
    "手机号码应为以1开头的11位数字；也可以不填":
        "A mobile number has 11 digits starting with 1; you may leave it empty",
    "手机号码（选填，用于接收办理通知）": "Mobile number (optional, for progress messages)",
    "打印机故障": "Printer fault",
    "本机缺少中文字库，无法打印小票": "This kiosk has no Chinese font to print slips with",
    "打印机故障，本机暂停取号，请咨询引导台。":
        "Printer fault: this kiosk cannot issue tickets now. Please ask at the guide desk.",
    "扫码办理": "Scan to apply",
    "找到 {n} 项": "{n} found",
    "承诺办结时限：{n} 个工作日": "Completed within {n} working days",
    "按办事区域查找": "Browse by area",
    "搜索事项": "Search",
    "无需到窗口排队，用手机即可办理：": "No need to queue: do it on your phone:",
    "暂停取号，请咨询引导台": "Tickets paused: please ask at the guide desk",
    "本机打印机暂停服务，工作人员已收到提醒。请到引导台取号，或先查看办事指南。":
        "This kiosk's printer is out of service and staff have been alerted. Please get a ticket at the guide desk, "
        "or browse the service guides.",
    "本机暂时无法连接大厅系统，正在自动恢复，请稍候。":
        "This kiosk cannot reach the hall system right now. It will recover by itself shortly.",
    "查看办事指南（不取号）": "Browse service guides (no ticket)",
    "正在为您取号，请稍候…": "Getting your ticket…",
    "网络正在恢复，恢复后将自动为您取号，请不要离开。":
        "The network is coming back: your ticket will be issued as soon as it does. Please stay here.",
    "正在为您打印小票，请稍候…": "Printing your slip…",
    "没有找到相关事项。可换个说法，或到引导台咨询。": "Nothing found. Try other words, or ask at the guide desk.",
    "清空": "Clear",
    "确定取号": "Get my ticket",
    "票号": "Ticket number",
    "票号当天有效。过号后可在本机【过号取号】重新排队。":
        "Valid today only. If you miss your call, use [Re-take after pass] at this kiosk.",
    "第 {n} 步": "Step {n}",
    "等待人数": "Waiting",
    "签到取号": "Check in",
    "绿色通道：{group}（需到引导台核验）": "Priority: {group} (to be verified at the guide desk)",
    "老年人/特殊群体 绿色通道": "Seniors and special groups: priority service",
    "老年人/特殊群体": "Seniors / special groups",
    "证件号码": "ID number",
    "该情形材料较复杂或需填写表单，建议由帮办代办人员协助办理。":
        "This case needs several documents or forms: an assistant will help you prepare them.",
    "请到{zone}咨询，无需取号。": "Ask at {zone}; no ticket is needed.",
    "请刷身份证或输入身份证号码": "Place your ID card on the reader or enter the number",
    "请前往": "Please go to",
    "请备齐以下材料": "Bring these documents",
    "请留意叫号屏": "Watch the call screen",
    "请自查是否符合以下条件": "Check that these conditions apply to you",
    "请输入小票上的票号（如 A012），重新排队；每张票可过号取号 {n} 次。":
        "Enter the number on your slip (e.g. A012) to queue again; a ticket can be re-queued {n} time(s).",
    "请输入小票上的票号，例如 A012": "Enter the number printed on your slip, e.g. A012",
    "请输入预约码": "Enter your appointment code",
    "请输入预约码，或刷身份证 / 输入身份证号码签到。": "Enter your appointment code, or use your ID card or ID number.",
    "请选择您所属的群体。取号后请到引导台出示相关证件核验，核验后优先办理。":
        "Choose your group. After taking a ticket, show your documents at the guide desk to be served first.",
    "请选择要办理的事项": "Choose a service",
    "身份证号码": "ID number",
    "输入关键词或拼音首字母，如 sfz = 身份证": "Type a keyword or pinyin initials, e.g. sfz = ID card",
    "过号取号": "Re-take after pass",
    "返回上一步": "Back",
    "返回首页": "Start over",
    "重新取号": "Queue again",
    "长者模式": "Senior mode",
    "长者模式：开": "Senior mode: on",
    "预约码": "Appointment code",
    "预约签到": "Appointment check-in",
    "（帮办代办）": " (assisted)",
    "窗口办理": "At a window",
    "建议帮办代办": "Assistance advised",
    "可全程网办": "Fully online",
    "咨询事项，无需取号": "Consultation: no ticket",
    "打印机缺纸，请更换纸卷": "the printer is out of paper",
    "纸卷即将用完，请尽快更换": "the paper roll is nearly used up",
    "打印机离线，请检查电源和连接": "the printer is offline",
    "打印机纸仓盖打开，请合上纸仓盖": "the printer cover is open",
    "搜索：{q}": "Search: {q}",
    "为保护隐私，号码输完后出生日期以 * 显示": "For your privacy the birth date shows as * once complete",
    # 同意接收办理通知 (kiosk/consent.py, docs/notify.md)
    "手机号码（选填，同意后用于接收短信通知）": "Mobile number (optional, for text messages if you agree)",
    "✔ 已同意接收短信通知（点此取消）": "✔ I agree to receive text messages (tap to cancel)",
    "☐ 同意接收短信通知（点此同意）": "☐ Send me text messages (tap to agree)",
    "✔ 已同意短信通知": "✔ Text messages: yes",
    "☐ 同意接收短信通知": "☐ Send me text messages",
    "手机号码（选填）": "Mobile number (optional)",
    "同意后，我们会用短信通知您：还有几位轮到您、请到哪个窗口办理、办件办结后到哪里领取。"
    "手机号码加密保存，只用于这些通知，办件结束后保存 {days} 天即删除。不同意也可以正常取号。":
        "If you agree, we text you when a few people are left before you, which window to go to, and where to "
        "collect your result. The number is stored encrypted, used only for these messages, and deleted {days} days "
        "after your case ends. You can take a ticket without agreeing.",
    "短信通知叫号和领取；号码加密，{days}天后删除；可不同意":
        "Texts: your call and pickup; number encrypted, deleted after {days} days; optional",
    "您已同意接收办理通知，请填写手机号码；不需要通知请取消勾选":
        "You agreed to receive messages: please enter your mobile number, or cancel the agreement",
}

add_english(ENGLISH)


def register() -> None:
    """Importing this module registers the entries; kept for explicit callers."""
    add_english(ENGLISH)
