"""The guide console's alert rules (提醒): what in the hall needs a guide now. No Qt.

Alert rules (:func:`alerts`) take the time from the caller, so tests pin it:

* a queue whose oldest ticket waited ``long_wait_s`` or more;
* a window paused for ``paused_s`` or more;
* a kiosk whose printer is out of paper (error) or near its end (warning), or reports a fault;
* a device offline (kiosks, displays; pads of open windows);
* a green-channel (绿色通道) ticket still waiting for verification;
* the hub reports a fault in its ``status/hub`` (a backup that failed, a standby not in sync, the witness
  lost), each alarm worded by its code in the console's language;
* a 呼叫后台 nobody answered within ``[policy] summon_escalate_min`` (the hub escalates it).

Errors come first, then warnings; within each, in the order above.
"""

from __future__ import annotations

from dataclasses import dataclass

from hallq.alarms import alarm_words
from hallq.i18n import tr
from hallq.messages import DeviceStatus, PrinterReport, SummonView, TicketView
from pad.presenter import minutes
from pad.state import HallState

PRINTER_FAULTS = {"offline": "打印机离线", "cover_open": "打印机盖未关", "device_missing": "打印机未连接",
                  "unreachable": "打印机无法连接", "status_timeout": "打印机无响应", "bad_reply": "打印机应答异常",
                  "write_failed": "打印数据发送失败", "printer_error": "打印机故障"}


def fault_words(code: str) -> str:
    return tr(PRINTER_FAULTS.get(code, "打印机故障"))


@dataclass(frozen=True)
class Thresholds:
    long_wait_s: float = 30 * 60
    paused_s: float = 15 * 60


@dataclass(frozen=True)
class Alert:
    level: str  # "error" | "warning"
    kind: str  # long_wait, paused, paper, printer, offline, hub, summon, priority
    subject: str  # queue, window, device or ticket id
    text: str


def paper_of(status: DeviceStatus | None) -> tuple[str, str]:
    """(paper, fault code) from a device's retained status (its typed ``printer`` report)."""
    printer = status.printer if status is not None else None
    if not isinstance(printer, PrinterReport):
        return "", ""
    paper, error = printer.paper, printer.error
    return (paper if isinstance(paper, str) else ""), (error if isinstance(error, str) else "")


def hub_alarm_words(status: DeviceStatus | None) -> str:
    """The hub's alarms from its ``status/hub`` in this console's language: each by its code
    (hallq/alarms.py), else the hub's Chinese ``error`` (a hub that sends no ``alarms``)."""
    if status is None:
        return ""
    if isinstance(status.alarms, list) and status.alarms:
        return tr("；").join(alarm_words(a) for a in status.alarms)
    return status.error if isinstance(status.error, str) else ""


def summons_of(state: HallState) -> list[SummonView]:
    """Today's summons of every window, from the windows' retained state."""
    return [sm for w in state.windows.values() for sm in w.summons if sm.id]


def alerts(state: HallState, now: float, pending_priority: dict[str, TicketView],
           th: Thresholds = Thresholds()) -> list[Alert]:
    out: list[Alert] = []
    for qid, q in state.queue_state.items():
        oldest = q.oldest_issued_at
        if q.waiting and oldest is not None and now - oldest >= th.long_wait_s:
            out.append(Alert("warning", "long_wait", qid, tr("{q} {name} 最长已等 {t}（{n} 人等候）", q=qid,
                                                              name=state.queue_name(qid), t=minutes(now - oldest),
                                                              n=q.waiting)))
    for wid, w in sorted(state.windows.items()):
        since = w.since or now
        if w.state == "paused" and now - since >= th.paused_s:
            out.append(Alert("warning", "paused", wid, tr("窗口 {w} 已暂停 {t}（{r}）", w=wid,
                                                          t=minutes(now - since), r=tr(w.reason))))
    devices = state.devices
    for dev, cfg in sorted(devices.items()):
        role = cfg.role
        pres = state.presence.get(dev)
        if role == "kiosk":
            paper, code = paper_of(state.status.get(dev))
            if paper == "out":
                out.append(Alert("error", "paper", dev, tr("自助机 {d} 打印机缺纸", d=dev)))
            elif paper == "near_end":
                out.append(Alert("warning", "paper", dev, tr("自助机 {d} 纸卷即将用完", d=dev)))
            elif code and code not in ("paper_out", "paper_near_end"):
                out.append(Alert("error", "printer", dev, tr("自助机 {d} 打印机故障：{c}", d=dev, c=fault_words(code))))
        pad_window = state.windows.get(cfg.window)
        watched = role in ("kiosk", "display") or (
            role == "pad" and pad_window is not None and pad_window.state in ("open", "paused"))
        if watched and pres is not None and not pres.online:
            out.append(Alert("warning", "offline", dev, tr("设备 {d} 离线", d=dev)))
    hub_words = hub_alarm_words(state.status.get("hub"))  # the hub's own health (docs/operations.md)
    if hub_words:
        out.append(Alert("error", "hub", "hub", tr("大厅服务器告警：{e}", e=hub_words)))
    for sm in sorted(summons_of(state), key=lambda x: x.at):
        if sm.state == "escalated":
            out.append(Alert("error", "summon", sm.id, tr(
                "呼叫后台超时未响应：{w} 呼叫{d}，已等 {t}", w=sm.window, d=sm.department,
                t=minutes(now - (sm.at or now)))))
    for t in sorted(pending_priority.values(), key=lambda t: t.issued_at):
        out.append(Alert("error", "priority", t.id, tr("绿色通道待核验：{n}（{g}）已等 {t}", n=t.number,
                                                       g=state.group_name(t.priority_group),
                                                       t=minutes(now - (t.issued_at or now)))))
    return sorted(out, key=lambda a: a.level != "error")
