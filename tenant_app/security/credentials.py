"""Insurer credentials sealed at rest with AES-256-GCM.

The keys come from the environment (`CREDENTIALS_KEYS`: "id:base64key" pairs, comma
separated, the first one sealing; the others still open what they sealed, until
`tenant-app credentials rotate` has sealed everything anew with the first). Each sealed value
is bound to its tenant and plug-in (the associated data), so a value copied to another row
does not open. In development and tests, without keys, one is derived from SECRET_KEY.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,20}")
NONCE_BYTES = 12


class CredentialKeysMissing(Exception):
    """No key to seal with (production without CREDENTIALS_KEYS)."""


class CredentialsUnreadable(Exception):
    """A sealed value that no configured key opens (unknown key id, or tampered)."""


@dataclass(frozen=True, slots=True)
class CredentialKeys:
    keys: tuple[tuple[str, bytes], ...]  # the first one seals

    @property
    def current(self) -> str:
        if not self.keys:
            raise CredentialKeysMissing("CREDENTIALS_KEYS is not set")
        return self.keys[0][0]

    def key(self, key_id: str) -> bytes | None:
        return next((key for kid, key in self.keys if kid == key_id), None)


def parse_keys(text: str) -> CredentialKeys:
    """ "id:base64key,…" → keys (ValueError with a message naming what is wrong)."""
    keys: list[tuple[str, bytes]] = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        key_id, _sep, encoded = part.partition(":")
        if not _KEY_ID.fullmatch(key_id):
            raise ValueError("CREDENTIALS_KEYS: each entry is id:base64key (id: letters, digits)")
        try:
            key = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"CREDENTIALS_KEYS: key {key_id!r} is not base64") from None
        if len(key) != 32:
            raise ValueError(f"CREDENTIALS_KEYS: key {key_id!r} must be 32 bytes (AES-256)")
        if any(kid == key_id for kid, _key in keys):
            raise ValueError(f"CREDENTIALS_KEYS: key id {key_id!r} appears twice")
        keys.append((key_id, key))
    return CredentialKeys(tuple(keys))


def development_keys(secret_key: str) -> CredentialKeys:
    """Development and tests only: a key derived from SECRET_KEY, so the demo runs without
    setting one."""
    derived = hashlib.sha256(b"tenant-app credentials\x00" + secret_key.encode()).digest()
    return CredentialKeys((("dev", derived),))


def new_key() -> str:
    """A fresh key, base64, for CREDENTIALS_KEYS."""
    return base64.b64encode(os.urandom(32)).decode()


def _bound_to(tenant_id: int, plugin: str) -> bytes:
    return f"tenant:{tenant_id}:plugin:{plugin}".encode()


def seal(keys: CredentialKeys, tenant_id: int, plugin: str, values: Mapping[str, str]) -> str:
    key_id = keys.current
    key = keys.key(key_id)
    assert key is not None
    nonce = os.urandom(NONCE_BYTES)
    plain = json.dumps(dict(values), sort_keys=True).encode()
    sealed = AESGCM(key).encrypt(nonce, plain, _bound_to(tenant_id, plugin))
    return f"{key_id}:{base64.b64encode(nonce + sealed).decode()}"


def unseal(keys: CredentialKeys, tenant_id: int, plugin: str, sealed: str) -> dict[str, str]:
    key_id, _sep, encoded = sealed.partition(":")
    key = keys.key(key_id)
    if key is None:
        raise CredentialsUnreadable(f"no key {key_id!r} in CREDENTIALS_KEYS")
    try:
        raw = base64.b64decode(encoded, validate=True)
        plain = AESGCM(key).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], _bound_to(tenant_id, plugin)
        )
    except (binascii.Error, ValueError, InvalidTag):
        raise CredentialsUnreadable("the sealed credentials do not open") from None
    values = json.loads(plain)
    return {str(name): str(value) for name, value in values.items()}


def sealed_with(sealed: str) -> str:
    """The id of the key a value was sealed with."""
    return sealed.partition(":")[0]
