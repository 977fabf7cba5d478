"""Who may publish and read which topic: one table per role, derived from the hall file.

Every device logs in to the broker as its own device id (``K1``, ``P-S01`` …), the hub as
``hub`` and ``hallq state`` as ``monitor``. The hub learns who sent a command from the topic
(``…/cmd/<device>``), so the ACL is what binds a topic to a login: a device may publish only
its own command, presence and status topics, and reads only what its screens need.

=========  =========================================================================
role       reads (besides ``catalog``, ``presence/hub`` and its own ``reply/<id>``)
=========  =========================================================================
kiosk      ``state/queues``, ``event/reprint``
pad        ``state/queues``, ``state/calls``, its own ``state/window/<w>``,
           ``event/call|evaluate|evaluated|summon|case``, ``presence/+``
guide      ``state/#``, ``event/#``, ``presence/+``, ``status/+`` (the whole hall)
admin      as guide
backoffice ``event/case``, ``event/summon`` (its department's cases and 呼叫后台)
web        nothing else: it asks ``progress.get`` / ``progress.rate`` for the ticket of a token
notify     ``state/queues``, ``state/calls``, ``event/call``, ``event/case`` (when to ask ``notify.watch``)
display    ``state/queues``, ``state/calls``, ``event/call``; a window screen also its
           ``state/window/<w>`` and ``event/evaluate|evaluated``; a hall screen every window
hub        reads ``cmd/+``; writes ``reply/+``, ``catalog``, ``state/#``, ``event/#``,
           ``presence/hub``; reads and writes ``repl/#`` (replication: hub/ha/repl.py)
standby    the standby hub on the primary's broker: reads and writes ``repl/#``, reads
           ``presence/hub`` (is the primary answering?), writes ``presence/standby``
monitor    reads ``catalog``, ``state/#``, ``presence/+``, ``status/+`` (writes nothing)
=========  =========================================================================

Everything else is refused: a kiosk cannot publish on a pad's command topic, no device can
write ``state/…`` or another device's ``presence/…`` (its last will included).
:func:`render` writes this as a Mosquitto ``acl_file``; :func:`parse` reads it back for the
embedded broker's plugin, and :func:`allowed` / :func:`may_subscribe` decide like Mosquitto.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hallq import protocol as p
from hub.hall import Device, Hall, Role

HUB_USER = "hub"
MONITOR_USER = "monitor"
STANDBY_USER = "standby"  # a standby hub on the primary's broker (its own login: the client id is the login)
RESERVED = (HUB_USER, MONITOR_USER, STANDBY_USER)


@dataclass
class Grant:
    """One user's topics: ``read`` and ``write`` lists of topic filters (MQTT wildcards allowed)."""

    user: str
    role: str
    read: list[str] = field(default_factory=list)
    write: list[str] = field(default_factory=list)


def device_grant(topics: p.Topics, device: Device) -> Grant:
    t, b = topics, topics.base
    g = Grant(device.id, device.role.value,
              read=[t.reply(device.id), t.catalog, t.presence(HUB_USER)],
              write=[t.cmd(device.id), t.presence(device.id), t.status(device.id)])
    match device.role:
        case Role.KIOSK:
            g.read += [t.queues, t.event("reprint")]
        case Role.PAD:
            g.read += [t.queues, t.calls, *([t.window(device.window)] if device.window else []),
                       *(t.event(k) for k in ("call", "evaluate", "evaluated", "summon", "case")), t.presences]
        case Role.BACKOFFICE:
            g.read += [t.event("case"), t.event("summon")]
        case Role.GUIDE | Role.ADMIN:
            g.read += [f"{b}/state/#", f"{b}/event/#", t.presences, t.statuses]
        case Role.DISPLAY:
            g.read += [t.queues, t.calls, t.event("call")]
            if device.window:
                g.read += [t.window(device.window), t.event("evaluate"), t.event("evaluated")]
            else:
                g.read.append(t.windows)
        case Role.WEB:
            pass  # the phone page reads nothing retained: it asks progress.get for the one ticket of a token
        case Role.NOTIFY:
            g.read += [t.queues, t.calls, t.event("call"), t.event("case")]
    return g


def hub_grant(topics: p.Topics) -> Grant:
    b = topics.base
    return Grant(HUB_USER, "hub", read=[topics.cmds, topics.reply(HUB_USER), f"{b}/repl/#"],
                 write=[f"{b}/reply/+", topics.catalog, f"{b}/state/#", f"{b}/event/#", topics.presence(HUB_USER),
                        f"{b}/repl/#"])


def monitor_grant(topics: p.Topics) -> Grant:
    b = topics.base
    return Grant(MONITOR_USER, "monitor", read=[topics.catalog, f"{b}/state/#", topics.presences, topics.statuses])


def standby_grant(topics: p.Topics) -> Grant:
    b = topics.base
    return Grant(STANDBY_USER, "standby", read=[f"{b}/repl/#", topics.presence(HUB_USER)],
                 write=[f"{b}/repl/#", topics.presence(STANDBY_USER)])


def grants(hall: Hall) -> list[Grant]:
    """Every login of the hall: the hub, the monitor, each device in hall-file order, then the standby hub."""
    clash = [d for d in hall.devices if d in RESERVED]
    if clash:
        raise ValueError(f"device id(s) {', '.join(clash)} are reserved for broker users; rename the device")
    topics = p.Topics(hall.id)
    return [hub_grant(topics), monitor_grant(topics), *(device_grant(topics, d) for d in hall.devices.values()),
            standby_grant(topics)]


# ---------------------------------------------------------------- Mosquitto's acl_file


def render(items: list[Grant]) -> str:
    """A Mosquitto ``acl_file``: no ``pattern`` lines, so nothing applies to a user by accident."""
    lines = ["# Generated by `hallq mosquitto-config` from the hall file: regenerate, do not edit.",
             "# Anything not listed is refused (Mosquitto denies by default once an acl_file is set).", ""]
    for g in items:
        lines.append(f"# {g.role}")
        lines.append(f"user {g.user}")
        both = [x for x in g.read if x in g.write]
        lines += [f"topic readwrite {x}" for x in both]
        lines += [f"topic read {x}" for x in g.read if x not in both]
        lines += [f"topic write {x}" for x in g.write if x not in both]
        lines.append("")
    return "\n".join(lines)


def parse(text: str) -> dict[str, Grant]:
    """Read back an ``acl_file`` written by :func:`render` (``user`` and ``topic`` lines)."""
    out: dict[str, Grant] = {}
    current: Grant | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        words = line.split(None, 2)
        if words[0] == "user" and len(words) == 2:
            current = out.setdefault(words[1], Grant(words[1], ""))
        elif words[0] == "topic" and current is not None:
            access, topic = (words[1], words[2]) if len(words) == 3 else ("readwrite", words[1])
            if access in ("read", "readwrite"):
                current.read.append(topic)
            if access in ("write", "readwrite"):
                current.write.append(topic)
        else:
            raise ValueError(f"acl_file: cannot read line {raw!r} (only user/topic lines are supported)")
    return out


# ---------------------------------------------------------------- decisions


def matches(topic_filter: str, topic: str) -> bool:
    """MQTT matching of a concrete ``topic`` against a filter with ``+`` / ``#``."""
    f, t = topic_filter.split("/"), topic.split("/")
    for i, level in enumerate(f):
        if level == "#":
            return True
        if i >= len(t) or (level != "+" and level != t[i]):
            return False
    return len(f) == len(t)


def overlaps(a: str, b: str) -> bool:
    """True if some concrete topic matches both filters (either may hold wildcards)."""
    x, y = a.split("/"), b.split("/")
    for i in range(max(len(x), len(y))):
        if (i < len(x) and x[i] == "#") or (i < len(y) and y[i] == "#"):
            return True
        if i >= len(x) or i >= len(y):
            return False
        if x[i] != y[i] and "+" not in (x[i], y[i]):
            return False
    return True


def allowed(grant: Grant | None, topic: str, access: str) -> bool:
    """May the user ``read`` / ``write`` this concrete topic?"""
    if grant is None:
        return False
    return any(matches(f, topic) for f in (grant.read if access == "read" else grant.write))


def may_subscribe(grant: Grant | None, topic_filter: str) -> bool:
    """Like Mosquitto 2.0: a subscription is accepted if it can match any readable topic; each
    message is then checked on delivery (:func:`allowed` with ``read``)."""
    return grant is not None and any(overlaps(topic_filter, f) for f in grant.read)
