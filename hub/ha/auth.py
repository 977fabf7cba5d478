"""The witness's shared secret (见证密钥) and the MAC on every line of its wire (docs/protocol.md §13).

Anyone on the hall's LAN can open a TCP connection to the witness: without a secret, a stray
program could take the lease for a hub name, and a fake witness could grant one. So the witness
and both hub PCs share a key file (32 random bytes, hex, one line; :func:`make_key` writes it with
mode 0600 on the witness PC at install or first start; IT copies it to both hub PCs like the
hall's ``.key``), and every line carries an HMAC-SHA256 under that key:

- On connect the witness sends one greeting line ``{"witness": "hallq", "v": 2, "nonce": SN}``
  (SN: 16 random bytes, hex, new for every connection).
- A request is ``MAC SP JSON`` where JSON carries ``"cn"`` (the client's nonce, 16 random bytes hex,
  fixed for the connection) and ``"seq"`` (1, 2, 3… on that connection) and
  ``MAC = HMAC(key, "hallq-witness/req\\n" SN "\\n" JSON)`` in hex. The witness takes a request only
  with a good MAC and a ``seq`` above the last it took on that connection: a line captured on one
  connection does not verify on another (another SN), and on its own connection it is old.
- An answer is ``MAC SP JSON`` with the request's ``seq`` echoed and
  ``MAC = HMAC(key, "hallq-witness/ans\\n" SN "\\n" CN "\\n" JSON)``: bound to this client's nonce,
  so an answer recorded from the real witness does not verify for a hub that talks to a fake one.
  A hub treats an answer that does not verify as no answer (never as a grant, never as a refusal).

The MAC covers the exact bytes sent (no re-encoding on either side). Keys are compared with
:func:`hmac.compare_digest`.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_BYTES = 32
NONCE_BYTES = 16
MAC_HEX = 64  # hex digits of an HMAC-SHA256
REQ, ANS = b"hallq-witness/req\n", b"hallq-witness/ans\n"
KEY_NAME = "witness.key"  # beside the hall's database on a hub PC, beside the state file on the witness PC


class KeyFileError(ValueError):
    """The key file is missing or not a key: what and where, in Chinese first."""


def load_key(path: str | Path) -> bytes:
    path = Path(path)
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise KeyFileError(f"见证密钥文件 {path} 不存在：请从见证服务所在电脑复制 witness.key 到此处"
                           f"（docs/deploy.md）(witness key file missing: copy it from the witness PC)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"见证密钥文件 {path} 无法读取（{exc}）(witness key file unreadable)") from None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise KeyFileError(f"见证密钥文件 {path} 内容不对：应为 {KEY_BYTES * 2} 位十六进制数字一行"
                           f"（请重新从见证电脑复制）(witness key file: expected {KEY_BYTES * 2} hex digits)")
    return key


def make_key(path: str | Path) -> bool:
    """Write a new key at ``path`` (mode 0600) unless one is there; True if written."""
    path = Path(path)
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(secrets.token_hex(KEY_BYTES) + "\n")
    return True


def nonce() -> str:
    return secrets.token_hex(NONCE_BYTES)


def mac(key: bytes, label: bytes, *parts: str, body: bytes) -> str:
    h = hmac.new(key, label, hashlib.sha256)
    for part in parts:
        h.update(part.encode("ascii", "replace") + b"\n")
    h.update(body)
    return h.hexdigest()


def seal(key: bytes, label: bytes, parts: tuple[str, ...], body: bytes) -> bytes:
    """The line ``MAC SP body LF``."""
    return mac(key, label, *parts, body=body).encode("ascii") + b" " + body + b"\n"


def split(line: bytes) -> tuple[str, bytes] | None:
    """(mac, body) of a sealed line, or None if it carries no MAC."""
    line = line.strip()
    head, sep, body = line.partition(b" ")
    if not sep or len(head) != MAC_HEX or not all(c in b"0123456789abcdef" for c in head):
        return None
    return head.decode("ascii"), body


def verify(key: bytes, label: bytes, parts: tuple[str, ...], line: bytes) -> bytes | None:
    """The body of ``line`` if its MAC is right, else None."""
    got = split(line)
    if got is None:
        return None
    given, body = got
    return body if hmac.compare_digest(given, mac(key, label, *parts, body=body)) else None
