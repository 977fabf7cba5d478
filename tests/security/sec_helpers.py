"""Helpers for the security tests: a secured broker (Mosquitto or embedded) for a hall, a test CA.

Mosquitto started as root drops to user ``mosquitto`` before it reads the password and ACL
files, exactly as in a hall; so the files live in a world-traversable directory (pytest's
``tmp_path`` is 0700) and the generator chowns them as it does in production.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from hallq import idcard
from hub.broker import EmbeddedBroker, free_port
from hub.hall import Hall
from hub.security.mosquitto import Generated, TlsListener, chown_for_mosquitto, generate
from tests.hub.hub_helpers import MOSQUITTO


def open_dir(prefix: str) -> Path:
    """A directory the ``mosquitto`` user can traverse (removed by the caller)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


def wait_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port}")


def mosquitto_binary() -> str:
    binary = MOSQUITTO if os.path.exists(MOSQUITTO) else shutil.which("mosquitto")
    if not binary:
        pytest.skip("mosquitto not installed (apt install mosquitto)")
    return str(binary)


@contextmanager
def run_mosquitto(conf: Path, *ports: int) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen([mosquitto_binary(), "-c", str(conf)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        for port in ports:
            try:
                wait_port(port)
            except TimeoutError:
                proc.kill()
                err = proc.communicate(timeout=5)[1].decode(errors="replace")
                raise RuntimeError(f"mosquitto did not start: {err}") from None
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()


class SecureBroker:
    """A broker that enforces the generated logins and ACL; ``url(user)`` logs in as ``user``."""

    def __init__(self, kind: str, gen: Generated, port: int) -> None:
        self.kind, self.gen, self.port = kind, gen, port

    def url(self, user: str | None, password: str | None = None) -> str:
        if user is None:
            return f"mqtt://127.0.0.1:{self.port}"
        return f"mqtt://{user}:{password or self.gen.users[user]}@127.0.0.1:{self.port}"


@contextmanager
def secure_broker(kind: str, hall: Hall) -> Iterator[SecureBroker]:
    """Mosquitto with the generated files, or the embedded broker reading the same files."""
    out = open_dir("hallq-mq-")
    port = free_port()
    try:
        gen = generate(hall, out, listen=f"127.0.0.1:{port}")
        chown_for_mosquitto(gen)
        if kind == "mosquitto":
            with run_mosquitto(gen.conf, port):
                yield SecureBroker(kind, gen, port)
        else:
            broker = EmbeddedBroker("127.0.0.1", port, password_file=str(gen.password_file),
                                    acl_file=str(gen.acl_file)).start()
            try:
                yield SecureBroker(kind, gen, port)
            finally:
                broker.stop()
    finally:
        shutil.rmtree(out, ignore_errors=True)


def make_test_ca(directory: Path, hostnames: tuple[str, ...] = ("localhost",)) -> dict[str, Path]:
    """A hall CA and a broker certificate signed by it (openssl), as docs/deploy.md shows."""
    if not shutil.which("openssl"):
        pytest.skip("openssl not installed")
    d = directory
    san = ",".join([*(f"DNS:{h}" for h in hostnames), "IP:127.0.0.1"])

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=d)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=hallq test hall CA",
        "-keyout", "ca.key", "-out", "ca.crt")
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key",
        "-out", "server.csr")
    (d / "ext.cnf").write_text(f"subjectAltName={san}\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
        "-days", "2", "-extfile", "ext.cnf", "-out", "server.crt")
    return {"ca": d / "ca.crt", "cert": d / "server.crt", "key": d / "server.key", "ca_key": d / "ca.key"}


def tls_listener(files: dict[str, Path], port: int) -> TlsListener:
    return TlsListener(port, str(files["ca"]), str(files["cert"]), str(files["key"]), "127.0.0.1")


def chown_mosquitto(*paths: Path) -> None:
    import pwd

    if os.geteuid() == 0:
        entry = pwd.getpwnam("mosquitto")
        for path in paths:
            os.chown(path, entry.pw_uid, entry.pw_gid)


def valid_id(region: str = "110105", birth: str = "19800101", seq: int = 1) -> str:
    """A resident ID number that passes the GB 11643 check (sequence odd: male)."""
    first = f"{region}{birth}{seq % 1000:03d}"
    return first + idcard.check_char(first)


def any_of(haystack: bytes, needles: list[str]) -> list[str]:
    """Needles found in bytes, decoded as UTF-8 and as GB18030 (the printer's encoding)."""
    texts = [haystack.decode("utf-8", "ignore"), haystack.decode("gb18030", "ignore"), haystack.hex()]
    found = [n for n in needles if any(n in t for t in texts[:2]) or n.encode().hex() in texts[2]]
    return sorted(set(found))


def args_for(op: str, window: str, ticket: str = "2099-01-01-A001") -> dict[str, Any]:
    """Minimal well-formed arguments for ``op``: its required ones, and ``window`` where it takes one."""
    from hallq import protocol as p

    values: dict[str, Any] = {
        "matter": "ma", "situation": "s", "ticket": ticket, "window": window, "outcome": "accepted",
        "reason": "test", "staff": "s1", "pin": "1234", "queues": ["A"], "level": 5, "device": "K1",
        "result": "explained", "note": "test", "summon": "2099-01-01-H001",
        "case": "2099-01-01-A001-1", "reasons": ["test"], "tracking": "SF1", "delivery": "pickup",
        "token": "2099-01-01-A001.AAAAAAAAAAAAAAAAAAAAAA", "key": "2099-01-01-A001:near", "kind": "near",
    }
    spec = p.OPS[op].args
    return {name: values[name] for name, arg in spec.items() if arg.required or name == "window"}
