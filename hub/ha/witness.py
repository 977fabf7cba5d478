"""The witness (见证): a tiny TCP server on a third PC that grants the hall's lease (hub/ha/lease.py).

Wire: TCP, one JSON object a line each way (UTF-8, at most :data:`MAX_LINE` bytes), any number
of requests on one connection, each answered in order with its ``id`` echoed (docs/protocol.md,
"见证"). Every line after the witness's greeting carries an HMAC under the witness key and a
per-connection nonce and counter (hub/ha/auth.py, :class:`Session`): a line with no MAC, a bad MAC
or an old counter gets ``code: "unauthenticated" | "bad_mac" | "replayed"``, a log line, and changes
nothing. A request is ``{"id", "op", "node", "epoch", "ttl_ms", "standby"}``; the answer
``{"id", "ok": true, "epoch", "holder", "ttl_ms", "in_sync"}`` or ``{"id", "ok": false, "code",
"message", "epoch", "holder"}``. Bad input (not JSON, too long, a wrong field) gets
``code: "bad_request"`` with what and where, changes nothing and never stops the server.

**The state file** holds the epoch, the last holder and the in-sync set, written atomically
(temp file, fsync, rename) *before* the answer to any request that changed them: a restarted
witness never hands out an epoch twice and never forgets that a standby is stale. A renewal
changes only the expiry, which is not written. After a restart the witness treats the last
holder as holding for one more ``ttl`` (the longest it ever granted, kept in the file), because
that holder may still believe it holds the lease; it renews as before, and nobody else can take the lease in that time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from hub.ha import auth
from hub.ha.lease import ALL_OTHERS, Lease, Op, Outcome, Refused, Request, decide

log = logging.getLogger("hallq.witness")

MAX_LINE = 4096
MAX_NODES = 16  # names remembered for readmit "*" (two hub PCs; more is noise)
TTL_MS = (200, 60_000)  # a lease's life: bounds a request may ask for
STATE_VERSION = 1


class StateFileError(Exception):
    """The state file cannot be read: the witness refuses to start rather than reuse an epoch."""


def load_state(path: Path) -> tuple[Lease, float]:
    """The persisted table (no expiry) and the longest lease granted (seconds), or an empty one if
    the file does not exist."""
    if not path.exists():
        return Lease(), 0.0
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("v") != STATE_VERSION:
            raise ValueError(f"expected an object with v={STATE_VERSION}")
        epoch, holder, in_sync, ttl = data["epoch"], data["holder"], data["in_sync"], data.get("ttl_s", 0.0)
        if not (isinstance(epoch, int) and epoch >= 0 and isinstance(holder, str) and isinstance(in_sync, list)
                and all(isinstance(n, str) for n in in_sync) and isinstance(ttl, (int, float))):
            raise ValueError("epoch (int ≥ 0), holder (text), in_sync (list of text), ttl_s (number) expected")
    except (OSError, ValueError, KeyError) as exc:
        raise StateFileError(f"见证状态文件 {path} 无法读取（{exc}）；为免重复使用代数，见证不启动。"
                             f"请从备份恢复该文件，或确认后删除它 (witness state file unreadable)") from exc
    return Lease(epoch=epoch, holder=holder, in_sync=frozenset(in_sync)), float(ttl)


def save_state(path: Path, lease: Lease, ttl: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    data = {"v": STATE_VERSION, "epoch": lease.epoch, "holder": lease.holder, "in_sync": sorted(lease.in_sync),
            "ttl_s": ttl}
    with tmp.open("w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    with contextlib.suppress(OSError):  # the rename itself durable (Linux; not possible on Windows)
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class BadRequest(ValueError):
    pass


def parse_request(line: bytes) -> tuple[Any, Request | str | None, float]:
    """(id, request — or for ``status`` the asking node's name or None —, ttl seconds); :class:`BadRequest`
    says what is wrong."""
    try:
        data = json.loads(line)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(f"不是 JSON (not JSON): {exc}") from None
    if not isinstance(data, dict):
        raise BadRequest("应为 JSON 对象 (expected a JSON object)")
    rid = data.get("id")
    if rid is not None and not isinstance(rid, (str, int)):
        raise BadRequest("id: 应为文本或整数 (text or integer)")
    op = data.get("op")
    if op == "status":  # with "node": also "I am here" (a standby that does not ask for the lease yet)
        node = data.get("node")
        return rid, (node if isinstance(node, str) and 0 < len(node) <= 64 else None), 0.0
    try:
        kind = Op(str(op))
    except ValueError:
        raise BadRequest(f"op: 未知操作 {op!r} (expected one of: status, {', '.join(o.value for o in Op)})") from None
    node, epoch, standby, ttl_ms = data.get("node"), data.get("epoch", 0), data.get("standby", ""), data.get("ttl_ms")
    if not isinstance(node, str) or not 0 < len(node) <= 64:
        raise BadRequest("node: 应为 1-64 个字符的文本 (text, 1-64 characters)")
    if not isinstance(epoch, int) or isinstance(epoch, bool) or not 0 <= epoch < 2**62:
        raise BadRequest("epoch: 应为非负整数 (a non-negative integer)")
    if not isinstance(standby, str) or len(standby) > 64:
        raise BadRequest("standby: 应为文本 (text, at most 64 characters)")
    if kind in (Op.DROP, Op.READMIT) and (not standby or standby == node):  # "*": every other hub
        raise BadRequest(f"standby: {kind.value} 须指明另一台中心 (must name another hub)")
    if kind in (Op.ACQUIRE, Op.RENEW) and (
            not isinstance(ttl_ms, int) or isinstance(ttl_ms, bool) or not TTL_MS[0] <= ttl_ms <= TTL_MS[1]):
        raise BadRequest(f"ttl_ms: 应为 {TTL_MS[0]}-{TTL_MS[1]} 之间的整数 (milliseconds)")
    return rid, Request(kind, node, epoch, standby), (ttl_ms or 0) / 1000


class Witness:
    """The table, its file and the answers: no sockets here (:func:`serve` adds them), so the
    answers are tested directly. ``clock`` is monotonic seconds."""

    def __init__(self, state_file: Path, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.path = state_file
        self.clock = clock
        lease, self.ttl = load_state(state_file)
        if lease.holder:  # it may still believe it holds the lease: nobody else for one more ttl
            lease = replace(lease, expires=clock() + self.ttl)
        self.lease = lease
        self.seen: dict[str, float] = {}  # hub -> when it last asked (readmit "*": the hubs asking lately)

    def recent_others(self, node: str) -> list[str]:
        """The other hubs that asked within three leases (15 s at least): a standby says ``status`` with its
        name every renewal while it does not ask for the lease (hub/ha/lease_client.py)."""
        horizon = self.clock() - max(3 * self.ttl, 15.0)
        return sorted(n for n, at in self.seen.items() if n != node and at >= horizon)

    def _saw(self, node: str) -> None:
        self.seen[node] = self.clock()
        if len(self.seen) > MAX_NODES:  # a hall has two hubs: forget the longest silent names of a flood
            del self.seen[min(self.seen, key=self.seen.__getitem__)]

    def answer(self, line: bytes) -> dict[str, Any]:
        rid: Any = None
        try:
            rid, req, ttl = parse_request(line)
        except BadRequest as exc:
            return {"id": rid, "ok": False, "code": "bad_request", "message": str(exc)}
        if req is None or isinstance(req, str):
            if req:
                self._saw(req)
            return self._ok(rid, 0.0)
        self._saw(req.node)
        before = self.lease
        wanted = [req]
        if req.op is Op.READMIT and req.standby == ALL_OTHERS:  # the standby, by the PC it asks from
            wanted = [replace(req, standby=n) for n in self.recent_others(req.node)]
            if not wanted:
                return {"id": rid, "ok": False, "code": "no_standby", "epoch": before.epoch, "holder": before.holder,
                        "message": "最近没有备用中心联系见证，无法确认其已同步 (no standby asked lately)"}
        try:
            after, outcome = before, Outcome.MARK
            for one in wanted:
                after, outcome = decide(after, one, self.clock(), ttl)
        except Refused as exc:
            return {"id": rid, "ok": False, "code": exc.code, "message": exc.message, "epoch": before.epoch,
                    "holder": before.holder}
        longest = max(self.ttl, ttl)
        if (after.epoch, after.holder, after.in_sync, longest) != (before.epoch, before.holder, before.in_sync,
                                                                   self.ttl):
            try:
                save_state(self.path, after, longest)
            except OSError as exc:  # not durable: not granted
                log.error("见证状态文件无法写入：%s", exc, extra={"code": "witness_state_failed"})
                return {"id": rid, "ok": False, "code": "state_failed", "epoch": before.epoch, "holder": before.holder,
                        "message": f"见证无法保存状态（{exc}），本次未生效"}
        self.lease, self.ttl = after, longest
        if outcome in (Outcome.GRANT, Outcome.FREE, Outcome.MARK):
            log.info("witness %s by %s: epoch %d, holder %s, in sync %s", req.op.value, req.node, after.epoch,
                     after.holder, sorted(after.in_sync), extra={"code": f"witness_{outcome.value}"})
        return self._ok(rid, ttl)

    def _ok(self, rid: Any, ttl: float) -> dict[str, Any]:
        lease = self.lease
        held = lease.state(self.clock()).value
        return {"id": rid, "ok": True, "epoch": lease.epoch, "holder": lease.holder, "state": held,
                "ttl_ms": round(ttl * 1000), "in_sync": sorted(lease.in_sync)}


AUTH_REFUSALS = {
    "unauthenticated": "见证拒绝：请求没有校验码（需要见证密钥，见 docs/deploy.md）(no MAC)",
    "bad_mac": "见证拒绝：请求校验失败（两端见证密钥不一致，或请求被篡改）(bad MAC: wrong key?)",
    "replayed": "见证拒绝：请求序号不对（重放的旧请求）(replayed or out-of-order request)",
}


class Session:
    """One connection's authentication (hub/ha/auth.py): the witness's nonce ``sn`` (sent in the
    greeting), the client's nonce ``cn`` (from its first good request) and the last ``seq`` taken."""

    def __init__(self, witness: Witness, key: bytes, peer: str = "?") -> None:
        self.witness, self.key, self.peer = witness, key, peer
        self.sn = auth.nonce()
        self.cn = ""
        self.seq = 0

    def greeting(self) -> bytes:
        return json.dumps({"witness": "hallq", "v": 2, "nonce": self.sn}).encode() + b"\n"

    def handle(self, line: bytes) -> bytes:
        """The sealed answer to one sealed request line."""
        if auth.split(line) is None:
            return self._refuse("unauthenticated", None)
        body = auth.verify(self.key, auth.REQ, (self.sn,), line)
        if body is None:
            return self._refuse("bad_mac", None)
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, ValueError) as exc:
            return self._seal({"id": None, "ok": False, "code": "bad_request",
                               "message": f"不是 JSON (not JSON): {exc}"})
        if not isinstance(data, dict):
            return self._seal({"id": None, "ok": False, "code": "bad_request",
                               "message": "应为 JSON 对象 (expected a JSON object)"})
        seq, cn, rid = data.get("seq"), data.get("cn"), data.get("id")
        if not isinstance(cn, str) or not 16 <= len(cn) <= 64 or (self.cn and cn != self.cn):
            return self._seal({"id": rid if isinstance(rid, (str, int)) else None, "ok": False,
                               "code": "bad_request", "message": "cn: 应为本连接固定的客户端随机数 (the client nonce)"})
        if not isinstance(seq, int) or isinstance(seq, bool) or seq <= self.seq:
            return self._refuse("replayed", rid if isinstance(rid, (str, int)) else None, cn)
        self.cn, self.seq = cn, seq
        return self._seal({**self.witness.answer(body), "seq": seq})

    def _refuse(self, code: str, rid: object, cn: str = "") -> bytes:
        log.warning("witness refused a request from %s: %s", self.peer, code, extra={"code": f"witness_{code}"})
        return auth.seal(self.key, auth.ANS, (self.sn, cn), _line(
            {"id": rid, "ok": False, "code": code, "message": AUTH_REFUSALS[code]}).rstrip(b"\n"))

    def _seal(self, answer: dict[str, Any]) -> bytes:
        return auth.seal(self.key, auth.ANS, (self.sn, self.cn), _line(answer).rstrip(b"\n"))


async def _client(witness: Witness, key: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    peer = writer.get_extra_info("peername")
    session = Session(witness, key, f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else "?")
    try:
        writer.write(session.greeting())
        await writer.drain()
        while True:
            try:
                line = await reader.readuntil(b"\n")
            except asyncio.LimitOverrunError:
                writer.write(session._seal({"id": None, "ok": False, "code": "bad_request",
                                            "message": f"请求过长 (longer than {MAX_LINE} bytes)"}))
                log.warning("witness refused an oversized line from %s", session.peer,
                            extra={"code": "witness_bad_request"})
                await writer.drain()
                return  # the rest of that line cannot be told from the next request: close
            except asyncio.IncompleteReadError:
                return
            if line.strip():
                writer.write(session.handle(line))
                await writer.drain()
    except (ConnectionError, OSError):
        return
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


def _line(answer: dict[str, Any]) -> bytes:
    return json.dumps(answer, ensure_ascii=False).encode("utf-8") + b"\n"


async def serve(witness: Witness, host: str, port: int, started: Callable[[int], None] | None = None, *,
                key: bytes) -> None:
    """Serve until cancelled; ``started(port)`` once listening (port 0: any free one). ``key``: the
    witness key (hub/ha/auth.py): every request must carry its MAC."""
    server = await asyncio.start_server(lambda r, w: _client(witness, key, r, w), host, port, limit=MAX_LINE)
    bound = server.sockets[0].getsockname()[1]
    if started is not None:
        started(bound)
    async with server:
        await server.serve_forever()
