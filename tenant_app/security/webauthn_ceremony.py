"""WebAuthn ceremonies (passkeys) around Duo's `webauthn` library: options out, responses in.

Pure: no database, no HTTP. The relying party is the tenant's host; the challenge travels in
a signed, tenant-bound cookie (`Challenge`) and is claimed once by the caller when it comes
back, so a replayed response is refused even while the cookie is still valid.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    options_to_json_dict,
    parse_authentication_credential_json,
)
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

TIMEOUT_MS = 120_000  # how long the browser lets the user choose (a hint)
CHALLENGE_SECONDS = 5 * 60  # a challenge older than this is refused
MAX_CREDENTIAL_CHARS = 64 * 1024  # a credential in JSON: a few KB with attestation
CREDENTIAL_ID_CHARS = 700  # base64url, the column's size (real ids: 16 to a few hundred bytes)


class CeremonyFailed(Exception):
    """The response proves nothing: malformed, wrong challenge, origin, host or signature, or
    a sign count that went backwards. The message is for the log, never for the user."""


@dataclass(frozen=True)
class RelyingParty:
    id: str  # the tenant's host name, without port
    name: str  # the firm's name, shown by some authenticators
    origin: str  # scheme://host[:port] exactly as the browser shows it


@dataclass(frozen=True)
class StoredCredential:
    """A registered passkey as the database keeps it (base64url strings)."""

    credential_id: str
    public_key: str
    sign_count: int
    transports: str = ""  # comma-separated, as the browser reported them


@dataclass(frozen=True)
class NewCredential:
    credential_id: str
    public_key: str
    sign_count: int
    transports: str


@dataclass(frozen=True)
class Challenge:
    """What the options promised, kept signed in the browser until the response returns:
    `kind` register | login | second; the user it is for (0: anyone, passwordless login);
    for a registration the name the user gave."""

    kind: str
    value: str  # base64url of the random challenge bytes
    user_id: int = 0
    name: str = ""

    def dumps(self) -> str:
        return json.dumps([self.kind, self.value, self.user_id, self.name], separators=(",", ":"))

    @classmethod
    def loads(cls, raw: str | None) -> Challenge | None:
        try:
            kind, value, user_id, name = json.loads(raw or "")
        except (ValueError, TypeError):
            return None
        if not (isinstance(kind, str) and isinstance(value, str) and isinstance(name, str)):
            return None
        if not isinstance(user_id, int):
            return None
        return cls(kind, value, user_id, name)


def user_handle(tenant_id: int, user_id: int) -> bytes:
    """The account as the authenticator stores it: stable (so a second registration on the
    same device replaces the first), opaque, no name or address in it (WebAuthn §14.6.1)."""
    return hashlib.sha256(f"tenant-app passkey user {tenant_id}:{user_id}".encode()).digest()


def _descriptors(credentials: list[StoredCredential]) -> list[PublicKeyCredentialDescriptor]:
    descriptors = []
    for stored in credentials:
        transports = [
            AuthenticatorTransport(t)
            for t in stored.transports.split(",")
            if t in AuthenticatorTransport._value2member_map_
        ]
        descriptors.append(
            PublicKeyCredentialDescriptor(
                id=base64url_to_bytes(stored.credential_id), transports=transports or None
            )
        )
    return descriptors


def registration_options(
    rp: RelyingParty,
    *,
    handle: bytes,
    user_name: str,
    display_name: str,
    existing: list[StoredCredential],
) -> tuple[dict[str, Any], str]:
    """Options for `navigator.credentials.create()` (JSON-ready) and the challenge in
    base64url. A discoverable credential is asked for, so it can also log in without a name;
    the user's own passkeys are excluded, so one authenticator is not registered twice."""
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_id=handle,
        user_name=user_name,
        user_display_name=display_name or user_name,
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=_descriptors(existing),
    )
    return options_to_json_dict(options), bytes_to_base64url(options.challenge)


def verify_registration(
    rp: RelyingParty, *, credential: dict[str, Any], challenge: str
) -> NewCredential:
    """The new passkey, or CeremonyFailed. User verification is required: a passkey may
    replace the password, so it must prove the person, not only a touch."""
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            require_user_verification=True,
        )
    except Exception as error:  # noqa: BLE001 - untrusted bytes: any failure is a refusal
        raise CeremonyFailed(f"registration: {error}") from error
    credential_id = bytes_to_base64url(verified.credential_id)
    if len(credential_id) > CREDENTIAL_ID_CHARS:
        raise CeremonyFailed("registration: credential id too long to keep")
    return NewCredential(
        credential_id=credential_id,
        public_key=bytes_to_base64url(verified.credential_public_key),
        sign_count=verified.sign_count,
        transports=_transports(credential),
    )


def _transports(credential: dict[str, Any]) -> str:
    response = credential.get("response")
    reported = response.get("transports") if isinstance(response, dict) else None
    if not isinstance(reported, list):
        return ""
    known = [t for t in reported if t in AuthenticatorTransport._value2member_map_]
    return ",".join(dict.fromkeys(known))[:100]


def authentication_options(
    rp: RelyingParty, *, allowed: list[StoredCredential], require_user_verification: bool
) -> tuple[dict[str, Any], str]:
    """Options for `navigator.credentials.get()` and the challenge in base64url. No allowed
    credentials: the browser offers the passkeys it holds for this host (passwordless)."""
    options = generate_authentication_options(
        rp_id=rp.id,
        timeout=TIMEOUT_MS,
        allow_credentials=_descriptors(allowed),
        user_verification=(
            UserVerificationRequirement.REQUIRED
            if require_user_verification
            else UserVerificationRequirement.PREFERRED
        ),
    )
    return options_to_json_dict(options), bytes_to_base64url(options.challenge)


@dataclass(frozen=True)
class Assertion:
    """Who a response claims to be, read before anything is verified (to find the key)."""

    credential_id: str
    handle: bytes | None


def read_assertion(credential: dict[str, Any]) -> Assertion:
    try:
        parsed = parse_authentication_credential_json(credential)
    except Exception as error:  # noqa: BLE001 - untrusted input
        raise CeremonyFailed(f"assertion: {error}") from error
    return Assertion(bytes_to_base64url(parsed.raw_id), parsed.response.user_handle)


def verify_authentication(
    rp: RelyingParty,
    *,
    credential: dict[str, Any],
    challenge: str,
    stored: StoredCredential,
    require_user_verification: bool,
) -> int:
    """The authenticator's new sign count, or CeremonyFailed. A count that did not grow is
    refused unless both are zero (authenticators without a counter): a cloned key shows."""
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=base64url_to_bytes(stored.public_key),
            credential_current_sign_count=stored.sign_count,
            require_user_verification=require_user_verification,
        )
    except Exception as error:  # noqa: BLE001 - untrusted bytes: any failure is a refusal
        raise CeremonyFailed(f"authentication: {error}") from error
    if bytes_to_base64url(verified.credential_id) != stored.credential_id:
        raise CeremonyFailed("authentication: another credential than the stored one")
    return verified.new_sign_count
