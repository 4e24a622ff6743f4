"""A software passkey authenticator for tests: it answers `navigator.credentials.create()` and
`.get()` options (as JSON, the way static/js/passkeys.js sends them on) like a platform
authenticator would: ES256 keys, "none" attestation, discoverable credentials with the user
handle, a signature counter. So HTTP tests can run whole ceremonies without a browser."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, encode_cbor

UP, UV, AT = 0x01, 0x04, 0x40  # authenticator data flags: user present, verified, key attached


@dataclass
class Key:
    private: ec.EllipticCurvePrivateKey
    handle: bytes  # the user handle the relying party gave at registration
    sign_count: int = 0


@dataclass
class SoftAuthenticator:
    origin: str  # where the "browser" is, e.g. http://alpha.localhost
    keys: dict[str, Key] = field(default_factory=dict)  # by credential id (base64url)

    def create(
        self,
        options: dict[str, Any],
        *,
        user_verified: bool = True,
        origin: str | None = None,
        credential_id: bytes | None = None,
    ) -> dict[str, Any]:
        """A new credential for the options of a registration, as credential JSON (with the
        id of an existing one if given: a device ignoring the excluded credentials)."""
        private = ec.generate_private_key(ec.SECP256R1())
        credential_id = credential_id or secrets.token_bytes(32)
        numbers = private.public_key().public_numbers()
        cose_key = {
            1: 2,  # kty: EC2
            3: -7,  # alg: ES256
            -1: 1,  # crv: P-256
            -2: numbers.x.to_bytes(32, "big"),
            -3: numbers.y.to_bytes(32, "big"),
        }
        attested = bytes(16) + len(credential_id).to_bytes(2, "big") + credential_id
        flags = UP | AT | (UV if user_verified else 0)
        auth_data = _auth_data(options["rp"]["id"], flags, 0) + attested + encode_cbor(cose_key)
        client_data = _client_data("webauthn.create", options["challenge"], origin or self.origin)
        attestation = encode_cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        encoded_id = bytes_to_base64url(credential_id)
        self.keys[encoded_id] = Key(private, base64url_to_bytes(options["user"]["id"]))
        return {
            "id": encoded_id,
            "rawId": encoded_id,
            "type": "public-key",
            "response": {
                "clientDataJSON": bytes_to_base64url(client_data),
                "attestationObject": bytes_to_base64url(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
        }

    def get(
        self,
        options: dict[str, Any],
        *,
        credential_id: str | None = None,
        sign_count: int | None = None,
        user_verified: bool = True,
        origin: str | None = None,
    ) -> dict[str, Any]:
        """An assertion for the options of a login, with the one key allowed (or `credential_id`,
        or the only key held). The counter grows by one unless `sign_count` is given."""
        allowed = [item["id"] for item in options.get("allowCredentials") or []]
        if credential_id is None:
            candidates = [c for c in self.keys if not allowed or c in allowed]
            assert len(candidates) == 1, f"which key? {candidates}"
            credential_id = candidates[0]
        key = self.keys[credential_id]
        key.sign_count = key.sign_count + 1 if sign_count is None else sign_count
        flags = UP | (UV if user_verified else 0)
        auth_data = _auth_data(options["rpId"], flags, key.sign_count)
        client_data = _client_data("webauthn.get", options["challenge"], origin or self.origin)
        signed = auth_data + hashlib.sha256(client_data).digest()
        signature = key.private.sign(signed, ec.ECDSA(hashes.SHA256()))
        return {
            "id": credential_id,
            "rawId": credential_id,
            "type": "public-key",
            "response": {
                "clientDataJSON": bytes_to_base64url(client_data),
                "authenticatorData": bytes_to_base64url(auth_data),
                "signature": bytes_to_base64url(signature),
                "userHandle": bytes_to_base64url(key.handle),
            },
            "clientExtensionResults": {},
        }


def _auth_data(rp_id: str, flags: int, sign_count: int) -> bytes:
    rp_hash = hashlib.sha256(rp_id.encode()).digest()
    return rp_hash + bytes([flags]) + sign_count.to_bytes(4, "big")


def _client_data(kind: str, challenge: str, origin: str) -> bytes:
    data = {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}
    return json.dumps(data).encode()
