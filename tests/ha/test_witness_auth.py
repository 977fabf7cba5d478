"""The witness wire is authenticated (hub/ha/auth.py): a shared key, a MAC on every line, a nonce and a
counter per connection. Anyone on the LAN can still open the port; without the key nothing changes.

Real ``hallq witness`` processes (tests/ha/test_witness_faults.py ``WitnessProc``) and raw sockets that
build the lines by hand, so each refusal is seen as a LAN stranger would see it; the witness's
bookkeeping (:class:`hub.ha.witness.Session`) is also driven directly to see its log lines.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from pathlib import Path
from typing import Any

import pytest

from hub.ha import auth
from hub.ha.lease_client import LeaseGate, WitnessLink, WitnessUntrusted
from hub.ha.witness import Session, Witness

from .test_witness_faults import WitnessProc


class Raw:
    """A hand-made client on one connection: reads the greeting, seals lines with ``key``."""

    def __init__(self, port: int, key: bytes) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.file = self.sock.makefile("rb")
        self.hello = json.loads(self.file.readline())
        self.sn, self.cn, self.key, self.seq = self.hello["nonce"], auth.nonce(), key, 0

    def line(self, request: dict[str, Any] | bytes, *, seq: int | None = None) -> bytes:
        if isinstance(request, bytes):
            body = request
        else:
            self.seq = seq if seq is not None else self.seq + 1
            body = json.dumps({**request, "id": self.seq, "seq": self.seq, "cn": self.cn}).encode()
        return auth.seal(self.key, auth.REQ, (self.sn,), body)

    def send(self, raw: bytes) -> tuple[dict[str, Any], bool]:
        """(the answer, whether it verified for this client)."""
        self.sock.sendall(raw)
        got = self.file.readline()
        body = auth.verify(self.key, auth.ANS, (self.sn, self.cn), got)
        if body is not None:
            return json.loads(body), True
        split = auth.split(got)
        assert split is not None, got  # every answer carries a MAC
        return json.loads(split[1]), False

    def close(self) -> None:
        self.file.close()
        self.sock.close()


@pytest.fixture
def w(tmp_path: Path) -> Any:
    proc = WitnessProc(tmp_path / "witness.json").start()
    yield proc
    proc.kill()


def test_the_key_is_made_at_the_first_start_private_and_a_hub_with_it_is_answered(w: WitnessProc) -> None:
    assert w.key_path.exists()
    assert w.key_path.stat().st_mode & 0o077 == 0  # 0600: the key is a secret
    assert len(auth.load_key(w.key_path)) == auth.KEY_BYTES
    answer = w.ask({"op": "acquire", "node": "a", "epoch": 0, "ttl_ms": 5000})
    assert (answer["ok"], answer["epoch"], answer["holder"]) == (True, 1, "a")


def test_a_line_without_a_mac_or_with_a_wrong_key_changes_nothing(w: WitnessProc, tmp_path: Path) -> None:
    key = auth.load_key(w.key_path)
    stranger = Raw(w.port, key)
    try:
        bare, _ = stranger.send(json.dumps({"op": "acquire", "node": "x", "ttl_ms": 5000}).encode() + b"\n")
        assert bare["ok"] is False
        assert bare["code"] == "unauthenticated"
        assert "校验码" in bare["message"]
    finally:
        stranger.close()
    auth.make_key(tmp_path / "other.key")
    wrong = Raw(w.port, auth.load_key(tmp_path / "other.key"))
    try:
        refused, trusted = wrong.send(wrong.line({"op": "acquire", "node": "x", "epoch": 0, "ttl_ms": 5000}))
        assert refused["code"] == "bad_mac"
        assert "密钥" in refused["message"]
        assert not trusted  # and the stranger cannot read a grant into it either
    finally:
        wrong.close()
    status = w.ask({"op": "status"})
    assert (status["epoch"], status["holder"]) == (0, "")
    assert not (tmp_path / "witness.json").exists()


def test_a_captured_line_cannot_be_replayed_on_its_connection_or_another(w: WitnessProc) -> None:
    key = auth.load_key(w.key_path)
    hub = Raw(w.port, key)
    try:
        acquire = hub.line({"op": "acquire", "node": "a", "epoch": 0, "ttl_ms": 5000})
        granted, trusted = hub.send(acquire)
        assert trusted
        assert (granted["ok"], granted["epoch"]) == (True, 1)
        released, _ = hub.send(hub.line({"op": "release", "node": "a", "epoch": 1}))
        assert released["ok"] is True
        again, trusted = hub.send(acquire)  # the same bytes, same connection: an old counter
        assert trusted
        assert again["code"] == "replayed"
        assert "重放" in again["message"]
    finally:
        hub.close()
    other = Raw(w.port, key)
    try:
        replayed, _ = other.send(acquire)  # another connection: another nonce, the MAC does not hold
        assert replayed["code"] == "bad_mac"
    finally:
        other.close()
    status = w.ask({"op": "status"})
    assert (status["state"], status["epoch"]) == ("free", 1)  # released, never re-granted


def test_malformed_and_oversized_lines_get_a_clear_error_and_the_witness_goes_on(w: WitnessProc) -> None:
    key = auth.load_key(w.key_path)
    hub = Raw(w.port, key)
    try:
        for request, words in (({"op": "acquire"}, "node"), ({"op": "steal", "node": "a"}, "op"),
                               ({"op": "drop", "node": "a", "standby": "a"}, "standby"),
                               ({"op": "acquire", "node": "a", "ttl_ms": 10}, "ttl_ms")):
            answer, trusted = hub.send(hub.line(request))
            assert trusted
            assert (answer["ok"], answer["code"]) == (False, "bad_request"), answer
            assert words in answer["message"], answer
        for body in (b"not json", b"\xff\xfe", b"[1, 2]"):  # sealed, but not a request
            answer, _ = hub.send(hub.line(body))
            assert answer["code"] == "bad_request", answer
    finally:
        hub.close()
    with socket.create_connection(("127.0.0.1", w.port), timeout=3) as s:
        f = s.makefile("rb")
        f.readline()  # the greeting
        s.sendall(b"x" * 10_000 + b"\n")
        split = auth.split(f.readline())
        assert split is not None
        answer = json.loads(split[1])
        assert answer["code"] == "bad_request"
        assert "过长" in answer["message"]
    status = w.ask({"op": "status"})
    assert status["epoch"] == 0  # nothing changed, and it still answers


class FakeWitness:
    """A program on the LAN that answers like a witness: it replays a greeting and a grant recorded
    from the real one (it has no key)."""

    def __init__(self, greeting: bytes, answer: bytes) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.greeting, self.answer = greeting, answer
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with conn:
                conn.sendall(self.greeting)
                f = conn.makefile("rb")
                while f.readline():
                    conn.sendall(self.answer)

    def close(self) -> None:
        self.listener.close()


def test_a_fake_witness_replaying_a_real_grant_cannot_grant(w: WitnessProc) -> None:
    key = auth.load_key(w.key_path)
    with socket.create_connection(("127.0.0.1", w.port), timeout=3) as s:  # record a real session
        f = s.makefile("rb")
        greeting = f.readline()
        sn, cn = json.loads(greeting)["nonce"], auth.nonce()
        body = json.dumps({"op": "acquire", "node": "pc-b", "epoch": 0, "ttl_ms": 5000, "id": 1, "seq": 1,
                           "cn": cn}).encode()
        s.sendall(auth.seal(key, auth.REQ, (sn,), body))
        grant = f.readline()
    assert json.loads(grant.split(b" ", 1)[1])["ok"] is True
    fake = FakeWitness(greeting, grant)
    link = WitnessLink(("127.0.0.1", fake.port), key)
    gate = LeaseGate(f"127.0.0.1:{fake.port}", "pc-b", ttl=2.0, renew_s=0.25, key=key)
    try:
        with pytest.raises(WitnessUntrusted, match="校验"):
            link.ask({"op": "acquire", "node": "pc-b", "epoch": 0, "ttl_ms": 5000}, 2.0)
        gate.renew_once()
        gate.renew_once()
        assert not gate.may_answer()  # never a grant
        assert gate.witness_error is not None
        assert "校验" in gate.witness_error
    finally:
        link.close()
        gate.close()
        fake.close()


def test_the_session_logs_each_refusal_and_survives_garbage(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    key = bytes(range(32))
    witness = Witness(tmp_path / "w.json", clock=lambda: 100.0)
    session = Session(witness, key, "10.0.0.9:5000")
    caplog.set_level(logging.WARNING, logger="hallq.witness")
    for junk in (b"", b"\n", b"\x00" * 100, b"a" * 64 + b" {}", b"z" * 64 + b" x", "中文".encode() * 20,
                 b"0" * 64 + b" " + b"{" * 1000):
        answer = json.loads(auth.split(session.handle(junk))[1])  # type: ignore[index]
        assert answer["ok"] is False
        assert answer["code"] in ("unauthenticated", "bad_mac"), answer
    refusals = [r for r in caplog.records if getattr(r, "code", "").startswith("witness_")]
    assert len(refusals) == 7
    assert all("10.0.0.9:5000" in r.getMessage() for r in refusals)
    assert witness.lease.epoch == 0
    assert not (tmp_path / "w.json").exists()


def test_key_files_are_checked_with_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(auth.KeyFileError, match="不存在") as missing:
        auth.load_key(tmp_path / "witness.key")
    assert str(tmp_path / "witness.key") in str(missing.value)
    (tmp_path / "short.key").write_text("abcd\n")
    with pytest.raises(auth.KeyFileError, match="64 位十六进制"):
        auth.load_key(tmp_path / "short.key")
    assert auth.make_key(tmp_path / "k") is True
    before = (tmp_path / "k").read_text()
    assert auth.make_key(tmp_path / "k") is False  # never overwritten: the hubs have copies
    assert (tmp_path / "k").read_text() == before
