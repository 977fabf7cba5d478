"""What a hall day looks like, as numbers: arrivals, matters, service times, devices. No I/O.

A day is a non-homogeneous Poisson process of citizens (人流): the rate changes by the
hour (``profile``: arrivals per hour for the hour starting at H), with a morning and an
afternoon peak by default, and only inside the hall's opening hours. Each citizen picks a
matter (事项) by frequency (popular matters four times as often), then one of its
situations (情形); online (全程网办) and consultation situations get no ticket, as at
the kiosk. Service times are log-normal around the reported hall averages (DOMAIN-NOTES:
service ~8-11 min), shorter for consultations.

:func:`sim_hall` turns a hall file into one the simulator can staff: one pad and one
evaluator per staffed window, kiosks, a guide, and a staff member per window (the hub
lets one staff member log in at one window only).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from hallq import idcard
from hub.hall import Device, Hall, Matter, Role, Situation, Staff, Window

# Arrivals per hour, for the hour starting at H (local time). Peaks at 10:00 and 15:00.
DEFAULT_PROFILE: dict[int, float] = {8: 60, 9: 150, 10: 170, 11: 120, 14: 100, 15: 150, 16: 130, 17: 60}
SIM_PIN = "1234"
REGIONS = ("110105", "140102", "141002", "141102", "371525", "410381")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
REJECT_REASONS = ("材料不全", "不符合受理条件", "非本中心受理事项")
BAD_REASONS = ("等候时间长", "态度不好", "一次性告知不清")


def parse_profile(text: str | None) -> dict[int, float]:
    """``"9:150,10:170,14:100"`` (hour:rate), or one number: the default shape scaled to that peak."""
    if not text or text == "default":
        return dict(DEFAULT_PROFILE)
    text = text.strip()
    if ":" not in text:
        peak = float(text)
        if peak < 0:
            raise ValueError("arrivals per hour must not be negative")
        top = max(DEFAULT_PROFILE.values())
        return {h: r * peak / top for h, r in DEFAULT_PROFILE.items()}
    out: dict[int, float] = {}
    for part in text.split(","):
        hour, _, rate = part.strip().partition(":")
        h, r = int(hour), float(rate)
        if not 0 <= h <= 23 or r < 0:
            raise ValueError(f"bad profile entry {part!r}: want HOUR:RATE with HOUR 0-23 and RATE >= 0")
        out[h] = r
    return out


def local_ts(day: dt.date, t: dt.time, tz: dt.tzinfo) -> float:
    return dt.datetime.combine(day, t, tz).timestamp()


def sessions(hall: Hall, day: dt.date, tz: dt.tzinfo) -> list[tuple[float, float]]:
    """The day's opening sessions (e.g. 08:30-12:00, 14:00-18:00) as UNIX seconds."""
    return [(local_ts(day, a, tz), local_ts(day, b, tz)) for a, b in hall.policy.opening_hours]


def arrivals(profile: dict[int, float], open_sessions: list[tuple[float, float]], day: dt.date, tz: dt.tzinfo,
             rng: random.Random) -> Iterator[float]:
    """Arrival times (UNIX seconds) of a day: Poisson by the hour, only while the hall is open."""
    for start, end in open_sessions:
        t = start
        while t < end:
            hour = dt.datetime.fromtimestamp(t, tz).hour
            hour_end = min(end, local_ts(day, dt.time(hour), tz) + 3600)
            rate = profile.get(hour, 0.0)
            if rate <= 0:
                t = hour_end
                continue
            nxt = t + rng.expovariate(rate / 3600)
            if nxt >= hour_end:  # memoryless: start again at the next hour with its own rate
                t = hour_end
                continue
            t = nxt
            yield t


@dataclass(frozen=True)
class Choice:
    matter: Matter
    situation: Situation

    @property
    def ticketed(self) -> bool:
        return not (self.situation.online or self.situation.consult_only) or self.situation.assist


class MatterPicker:
    """Picks (matter, situation) by frequency: popular matters ``popular_weight`` times as often."""

    def __init__(self, hall: Hall, rng: random.Random, popular_weight: float = 4.0) -> None:
        self.rng = rng
        self.choices: list[Choice] = []
        self.weights: list[float] = []
        for m in hall.matters.values():
            w = popular_weight if m.popular else 1.0
            for s in m.situations:
                self.choices.append(Choice(m, s))
                self.weights.append(w / len(m.situations))

    def pick(self) -> Choice:
        return self.rng.choices(self.choices, self.weights)[0]


def lognormal(rng: random.Random, mean: float, sigma: float = 0.5) -> float:
    """A log-normal draw with the given mean (service times: a long right tail)."""
    return rng.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma)


def fake_id_number(rng: random.Random) -> str:
    """A well-formed (GB 11643 check character) but made-up ID number; the hub masks and hashes it."""
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 55))
    first17 = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + idcard.check_char(first17)


def fake_phone(rng: random.Random) -> str:
    """A made-up mobile number (11 digits, 1 first); in the demo it only reaches the SMS gateway stand-in."""
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def fake_name(rng: random.Random) -> str:
    given = "明华丽强敏静伟芳军洋勇艳杰娟涛超"
    return rng.choice(SURNAMES) + "".join(rng.choice(given) for _ in range(rng.randint(1, 2)))


@dataclass(frozen=True)
class Behaviour:
    """How citizens and staff behave; the defaults follow DOMAIN-NOTES' hall averages."""

    accept_minutes_immediate: float = 6.0  # 即办件
    accept_minutes_promised: float = 10.0  # 承诺件 (收件, materials checked)
    consult_minutes: float = 3.0
    reject_minutes: float = 4.0
    service_scale: float = 1.0  # multiply every service time (scale benchmarks: a faster hall)
    consulted: float = 0.12
    rejected: float = 0.05
    no_show: float = 0.07  # not there when called: recalls, then 过号
    show_after_recall: float = 0.4
    transfer: float = 0.03
    retake: float = 0.5  # of passed citizens who come back and re-take at a kiosk (过号取号)
    rate: float = 0.85  # of served citizens who rate at the evaluator (好差评)
    priority: float = 0.03  # declare a priority group at the kiosk (绿色通道), verified by a guide
    assist: float = 0.02  # ask for help (帮办代办)
    id_number: float = 0.35  # swipe an ID card at the kiosk
    notify_consent: float = 0.0  # give a mobile number and consent to messages (the demo's notifier: docs/notify.md)
    think_s: tuple[float, float] = (8.0, 40.0)  # staff between an outcome and the next call
    recall_after_s: float = 30.0
    levels: tuple[int, ...] = (5, 4, 3, 2, 1)
    level_weights: tuple[float, ...] = (72, 18, 7, 2, 1)


def ticket_args(choice: Choice, assist: bool, rng: random.Random, b: Behaviour,
                priority_groups: Iterable[str]) -> dict[str, Any]:
    """What a kiosk sends (``ticket.issue``) for a citizen who chose ``choice``: a made-up name, an ID
    number from a swiped card (``b.id_number`` of them), a declared priority group (``b.priority``)."""
    args: dict[str, Any] = {"matter": choice.matter.id, "situation": choice.situation.id, "name": fake_name(rng)}
    if assist:
        args["assist"] = True
    if rng.random() < b.id_number:
        args["id_number"] = fake_id_number(rng)
    groups = sorted(priority_groups)
    if rng.random() < b.priority and groups:
        args["priority_group"] = rng.choice(groups)
    if b.notify_consent and rng.random() < b.notify_consent:  # no draw at 0: seeded days stay as they were
        args["phone"] = fake_phone(rng)
        args["notify_consent"] = True
    return args


def outcome_args(window: str, outcome: str, rng: random.Random) -> dict[str, Any]:
    """What a window pad sends (``ticket.outcome``); a rejection (不予受理) with its reason."""
    args: dict[str, Any] = {"window": window, "outcome": outcome}
    if outcome == "rejected":
        args["reason"] = rng.choice(REJECT_REASONS)
    return args


def rating_args(window: str, rng: random.Random, b: Behaviour, ticket: str = "") -> dict[str, Any]:
    """What a window's evaluator sends (``evaluation.submit``, 好差评); 差评 with a reason."""
    level = rng.choices(b.levels, b.level_weights)[0]
    args: dict[str, Any] = {"window": window, "level": level}
    if ticket:
        args["ticket"] = ticket
    if level <= 2:
        args["reason"] = rng.choice(BAD_REASONS)
    return args


@dataclass
class Staffing:
    """Which windows are staffed, and the device ids the simulator acts through."""

    windows: list[str]
    pads: dict[str, str] = field(default_factory=dict)  # window -> pad device
    evaluators: dict[str, str] = field(default_factory=dict)  # window -> display device
    staff: dict[str, str] = field(default_factory=dict)  # window -> staff id
    kiosks: list[str] = field(default_factory=list)
    guide: str = ""
    guide_staff: str = ""  # the staff id the guide signs in as (guide.login)
    transfer: str = ""  # the 转递人员's device (a guide-role console or handheld: 办件转递); the guide's if none
    screen: str = ""  # a hall display that hears every call


def _cover_first(hall: Hall, wins: list[Window]) -> list[Window]:
    """Windows ordered so the first ones together serve every queue (a small --windows still works)."""
    seen: set[str] = set()
    first: list[Window] = []
    rest: list[Window] = []
    for w in wins:
        (first if set(w.queues) - seen else rest).append(w)
        seen |= set(w.queues)
    return first + rest


def sim_hall(hall: Hall, windows: int | None = None, kiosks: int = 5, pin_hash: str = "") -> tuple[Hall, Staffing]:
    """A hall with a pad, an evaluator and a staff member for each staffed window.

    ``windows`` above the hall's count adds comprehensive windows ``W001…`` that copy
    the queue set-up of the existing ones in turn (a larger hall of the same shape).
    """
    from hub.config import hash_pin

    pin_hash = pin_hash or hash_pin(SIM_PIN, salt=b"hallqsim")
    base = _cover_first(hall, [w for w in hall.windows.values() if not w.tidal] or list(hall.windows.values()))
    all_windows = dict(hall.windows)
    n = len(base) if windows is None else windows
    extra = 0
    while len(base) < n:
        src = base[extra % len(base)]
        extra += 1
        wid = f"W{extra:03d}"
        clone = dataclasses.replace(src, id=wid, name=f"综合窗口{wid}", tidal=False)
        all_windows[wid] = clone
        base.append(clone)
    staffed = [w.id for w in base[:n]]
    devices = dict(hall.devices)
    staff = dict(hall.staff)
    st = Staffing(windows=staffed)
    for i, wid in enumerate(staffed, 1):
        pad = next((d.id for d in devices.values() if d.role is Role.PAD and d.window == wid), f"P-{wid}")
        devices.setdefault(pad, Device(pad, Role.PAD, wid))
        ev = f"E-{wid}"
        devices.setdefault(ev, Device(ev, Role.DISPLAY, wid))
        sid = f"sim{i:03d}"
        staff[sid] = Staff(sid, f"模拟{i:03d}", pin_hash)
        st.pads[wid], st.evaluators[wid], st.staff[wid] = pad, ev, sid
    for i in range(1, kiosks + 1):
        devices.setdefault(f"K{i}", Device(f"K{i}", Role.KIOSK))
    st.kiosks = [d.id for d in devices.values() if d.role is Role.KIOSK][:max(kiosks, 1)]
    st.guide = next((d.id for d in devices.values() if d.role is Role.GUIDE), "G-SIM")
    devices.setdefault(st.guide, Device(st.guide, Role.GUIDE))
    st.transfer = st.guide
    st.guide_staff = "simguide"
    staff[st.guide_staff] = Staff(st.guide_staff, "模拟引导员", pin_hash, (Role.GUIDE,))
    st.screen = next((d.id for d in devices.values() if d.role is Role.DISPLAY and not d.window), "D-SIM")
    devices.setdefault(st.screen, Device(st.screen, Role.DISPLAY))
    return dataclasses.replace(hall, windows=all_windows, devices=devices, staff=staff), st


def staffing_from_config(hall: Hall, windows: int | None = None) -> Staffing:
    """For a hub run by someone else (``--mqtt``): only the devices and staff its hall file has."""
    pads = [d for d in hall.devices.values() if d.role is Role.PAD]
    staff_ids = [s.id for s in hall.staff.values() if Role.PAD in s.roles]
    st = Staffing(windows=[])
    for d in pads[: min(len(pads), len(staff_ids), windows or len(pads))]:
        if d.window in st.pads:
            continue
        st.windows.append(d.window)
        st.pads[d.window] = d.id
        st.staff[d.window] = staff_ids[len(st.windows) - 1]
        ev = next((e.id for e in hall.devices.values() if e.role is Role.DISPLAY and e.window == d.window), "")
        if ev:
            st.evaluators[d.window] = ev
    st.kiosks = [d.id for d in hall.devices.values() if d.role is Role.KIOSK]
    guides = [d.id for d in hall.devices.values() if d.role is Role.GUIDE]
    st.guide = guides[0] if guides else ""
    st.transfer = guides[-1] if guides else ""  # a second guide device is the 转递人员's (the sample hall's G2)
    st.guide_staff = next((s.id for s in hall.staff.values() if Role.GUIDE in s.roles), "")
    st.screen = next((d.id for d in hall.devices.values() if d.role is Role.DISPLAY and not d.window), "")
    return st
