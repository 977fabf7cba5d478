"""Personal data the hub must keep for a while, sealed at rest: the postal address of a 邮寄 case, and
the phone number of a citizen who asked to be messaged (its own label, bound to the ticket).

The hall keeps no personal data in words (names and phones masked, ID numbers as keyed
hashes). A case sent by post is the one exception: the address is needed until the result is
posted. It is sealed with AES-256-GCM (``cryptography``, the Python Cryptographic Authority's
library) under a key derived from the hub's ID key (the key that lives outside the database,
next to it as ``<db>.key``): a copy of the SQLite file alone reveals nothing. The case core
keeps only an opaque reference (``addr:…``); ``hallq purge`` deletes the sealed rows with the
case's retention.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_LABEL = b"hallq case address v1"
NONCE = 12


def _key(id_key: bytes) -> bytes:
    return hmac.new(id_key, _LABEL, hashlib.sha256).digest()


def new_ref() -> str:
    """An opaque reference for a sealed address (no part of it comes from the address)."""
    return "addr:" + secrets.token_hex(12)


def _seal(key: bytes, bound: str, text: str) -> bytes:
    nonce = secrets.token_bytes(NONCE)
    return nonce + AESGCM(key).encrypt(nonce, text.encode("utf-8"), bound.encode())


def _unseal(key: bytes, bound: str, sealed: bytes, what: str) -> str:
    try:
        return AESGCM(key).decrypt(sealed[:NONCE], sealed[NONCE:], bound.encode()).decode("utf-8")
    except InvalidTag:
        raise ValueError(f"sealed {what} does not open with this key") from None


def seal(id_key: bytes, ref: str, text: str) -> bytes:
    """``text`` encrypted and bound to ``ref`` (a row moved to another reference does not open)."""
    return _seal(_key(id_key), ref, text)


def unseal(id_key: bytes, ref: str, sealed: bytes) -> str:
    """The address back; ValueError if the key or the reference is not the one it was sealed with."""
    return _unseal(_key(id_key), ref, sealed, "address")


# ---------------------------------------------------------------- a consenting citizen's phone (docs/notify.md)

_PHONE_LABEL = b"hallq notify phone v1"  # its own key: a phone row never opens as an address, nor the reverse


def _phone_key(id_key: bytes) -> bytes:
    return hmac.new(id_key, _PHONE_LABEL, hashlib.sha256).digest()


def seal_phone(id_key: bytes, ticket: str, phone: str) -> bytes:
    """The full phone number of a citizen who asked to be messaged, sealed and bound to its ticket."""
    return _seal(_phone_key(id_key), ticket, phone)


def unseal_phone(id_key: bytes, ticket: str, sealed: bytes) -> str:
    """The number back; ValueError if the key or the ticket is not the one it was sealed with."""
    return _unseal(_phone_key(id_key), ticket, sealed, "phone")
