"""Mosquitto's password file, written and checked without ``mosquitto_passwd``.

Mosquitto 2.0 stores ``user:$7$<iterations>$<base64 salt>$<base64 hash>``: PBKDF2-HMAC-SHA512,
a 12-byte salt, a 64-byte key and 101 iterations by default (``mosquitto_passwd -b`` writes the
same; a test checks both ways). The embedded broker reads the same file, so one file serves both.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

ITERATIONS = 101  # mosquitto_passwd's default
_SALT_BYTES = 12


def hash_password(password: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    salt = salt if salt is not None else os.urandom(_SALT_BYTES)
    key = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations)
    return f"$7${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"


def check_password(password: str, stored: str) -> bool:
    """True if ``password`` matches a ``$7$`` entry; any other format is refused."""
    parts = stored.split("$")
    if len(parts) != 5 or parts[1] != "7" or not parts[2].isdigit():
        return False
    try:
        salt, want = base64.b64decode(parts[3], validate=True), base64.b64decode(parts[4], validate=True)
    except ValueError:
        return False
    got = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, int(parts[2]))
    return hmac.compare_digest(got, want)


def new_password() -> str:
    """24 URL-safe characters (~143 bits): typed once into a device's settings, never by heart."""
    return secrets.token_urlsafe(18)


def read_password_file(path: str | Path) -> dict[str, str]:
    """``user -> $7$…`` from a Mosquitto password file (comments and blank lines skipped)."""
    users: dict[str, str] = {}
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#") and ":" in line:
            user, _, stored = line.partition(":")
            users[user] = stored
    return users


def read_secrets(path: str | Path) -> dict[str, str]:
    """``user -> plain password`` from the secrets file ``hallq mosquitto-config`` writes."""
    found: dict[str, str] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 3 and not parts[0].startswith("#"):
            found[parts[0]] = parts[2]
    return found
