"""A :class:`hallq.messages.ProgressView` as the page shows it: which notice, which rows, in which words.

Pure: the reply, the language and the time in, plain dicts out for the templates. The same
function feeds the whole page and the JSON poll's fragment, so both always agree.
"""

from __future__ import annotations

from typing import Any

from hallq import clock as hallclock
from hallq import messages as m
from hallq.waits import PAST_CLOSE
from web.texts import case_word, stage_word, t

FINISHED = ("accepted", "consulted", "rejected")


def _time(at: float | None, tz: str, fmt: str = "%H:%M") -> str:
    return hallclock.local(at, tz).strftime(fmt) if at is not None else ""


def notice(v: m.ProgressView, lang: str) -> dict[str, str]:
    """The big line at the top: what this ticket's holder should do now (``kind`` picks its colour)."""
    if v.case is not None:
        return case_notice(v.case, lang)
    if v.state == "waiting":
        return {"kind": "waiting", "text": t("请留意大厅屏幕和语音叫号", lang)}
    if v.state == "called":
        return {"kind": "called", "text": t("请到 {window} 窗口办理", lang, window=v.window),
                "sub": t("叫号时间 {time}", lang, time=_time(v.called_at, v.timezone))}
    if v.state == "passed":
        if v.retake_limit > v.retakes:
            sub = (t("过号后可凭小票到自助取号机“过号取号”，新号排在原位置后 {n} 位。", lang, n=v.retake_places_back)
                   + " " + t("每张小票可过号取号 {n} 次，您已取 {used} 次。", lang, n=v.retake_limit, used=v.retakes))
        else:
            sub = t("本大厅过号后需重新取号。", lang)
        return {"kind": "passed", "text": t("您的号已过号", lang), "sub": sub}
    if v.state in ("expired", "cancelled"):
        return {"kind": "expired", "text": t(v.state_label, lang),
                "sub": t("本号已作废（票号当天有效），如需办理请重新取号。", lang)}
    return {"kind": "done", "text": t(v.state_label, lang) if v.state in FINISHED else t("已办理完毕", lang)}


def case_notice(c: m.ProgressCase, lang: str) -> dict[str, str]:
    """After 受理 the case is what matters: 补正, 领取, or where it stands and by when."""
    if c.state == "awaiting_correction":
        return {"kind": "passed", "text": t("请补正材料", lang), "sub": _correction(c, lang)}
    if c.state == "ready":
        return {"kind": "called", "text": t("办件已办结，请领取", lang), "sub": _pickup(c, lang)}
    if c.state in ("collected", "in_locker", "posted"):
        return {"kind": "done", "text": _state(c, lang)}
    if c.state == "denied":
        return {"kind": "expired", "text": _state(c, lang)}
    return {"kind": "waiting", "text": t("办件{state}", lang, state=_state(c, lang)),
            "sub": t("承诺办结日期", lang) + " " + c.due}


def _state(c: m.ProgressCase, lang: str) -> str:
    return case_word("state", c.state, c.state_label, lang)


def _pickup(c: m.ProgressCase, lang: str) -> str:
    return {"pickup": t("请到 {windows} 出件窗口领取。", lang, windows="、".join(c.pickup_windows)) if c.pickup_windows
            else t("请到大厅出件窗口领取，领取时请带身份证件。", lang),
            "locker": t("结果将投入自助柜，格口号另行通知。", lang),
            "mail": t("结果将邮寄到您登记的地址。", lang)}.get(c.delivery, "")


def _correction(c: m.ProgressCase, lang: str) -> str:
    if not c.correction_deadline:
        return ""
    return t("请在 {date} 前把补正材料送到 {window} 窗口。", lang, date=c.correction_deadline,
             window=c.correction_window)


def rows(v: m.ProgressView, lang: str) -> list[tuple[str, str]]:
    out = [(t("票号", lang), v.number), (t("事项", lang), v.matter_name)]
    if v.situation_name:
        out.append((t("情形", lang), v.situation_name))
    out.append((t("办理窗口", lang), "、".join(v.windows) or "—"))
    out.append((t("状态", lang), t(v.state_label, lang)))
    if v.state == "waiting" and v.ahead is not None:
        out.append((t("前面还有", lang), t("{n} 人", lang, n=v.ahead)))
        if v.wait_lo_min is not None and v.wait_hi_min is not None and isinstance(v.wait_past_close, str) \
                and v.wait_past_close in PAST_CLOSE:
            out.append((t("预计等候", lang), t(PAST_CLOSE[v.wait_past_close], lang)))  # rather than promise a time
        elif v.wait_lo_min is not None and v.wait_hi_min is not None:
            out.append((t("预计等候", lang), t("约 {lo}-{hi} 分钟", lang, lo=v.wait_lo_min, hi=v.wait_hi_min)))
    return out


def case(c: m.ProgressCase | None, tz: str, lang: str) -> dict[str, Any] | None:
    if c is None:
        return None
    stages = [{"label": stage_word(s.key, s.label, lang), "done": s.at is not None,
               "date": _time(s.at, tz, "%Y-%m-%d %H:%M") if s.at else t("尚未到达", lang)} for s in c.stages]
    pickup, correction = _pickup(c, lang), _correction(c, lang)
    return {"number": c.number, "state": _state(c, lang), "kind": case_word("kind", c.kind, c.kind_label, lang),
            "due": c.due, "stages": stages,
            "reasons": c.reasons if c.state in ("awaiting_correction", "denied") else [], "correction": correction,
            "delivery": case_word("delivery", c.delivery, c.delivery_label, lang), "pickup": pickup}


def rating(r: m.ProgressRating | None, lang: str) -> dict[str, Any] | None:
    if r is None:
        return None
    return {"open": r.open, "closes": r.closes, "given": t(r.levels.get(str(r.given), ""), lang) if r.given else "",
            "levels": [(k, t(v, lang)) for k, v in r.levels.items()], "reasons": r.reasons,
            "intro": t("这次服务在窗口没有评价，您可以在这里评价，{date} 前有效。", lang, date=r.closes)}


def page(v: m.ProgressView, lang: str, now: float) -> dict[str, Any]:
    """Everything the templates show for one ticket."""
    updated = t("更新于 {time}", lang, time=_time(now, v.timezone, "%H:%M:%S"))
    return {"view": v, "notice": notice(v, lang), "rows": rows(v, lang), "case": case(v.case, v.timezone, lang),
            "rating": rating(v.rating, lang), "updated": updated,
            "live": v.state in ("waiting", "called") or (v.case is not None and v.case.state not in
                                                          ("collected", "in_locker", "posted"))}
