"""The WebAuthn ceremonies (security/webauthn_ceremony.py) against a software authenticator:
what the options ask for, and every way a response is refused."""

from __future__ import annotations

from typing import Any

import pytest

from tenant_app.security.webauthn_ceremony import (
    CeremonyFailed,
    Challenge,
    RelyingParty,
    StoredCredential,
    authentication_options,
    read_assertion,
    registration_options,
    user_handle,
    verify_authentication,
    verify_registration,
)
from tests.webauthn_authenticator import SoftAuthenticator

RP = RelyingParty(id="alpha.localhost", name="Alpha Makler", origin="http://alpha.localhost")
HANDLE = user_handle(1, 7)


def _registered(device: SoftAuthenticator) -> StoredCredential:
    options, challenge = registration_options(
        RP, handle=HANDLE, user_name="kai", display_name="Kai Kunde", existing=[]
    )
    new = verify_registration(RP, credential=device.create(options), challenge=challenge)
    return StoredCredential(new.credential_id, new.public_key, new.sign_count, new.transports)


def _login(
    device: SoftAuthenticator, stored: StoredCredential, *, uv: bool = True, **get: Any
) -> int:
    options, challenge = authentication_options(RP, allowed=[stored], require_user_verification=uv)
    credential = device.get(options, **get)
    return verify_authentication(
        RP, credential=credential, challenge=challenge, stored=stored, require_user_verification=uv
    )


def test_registration_asks_for_a_discoverable_verified_passkey_on_the_tenant_host() -> None:
    existing = StoredCredential("AAAA", "key", 0, "internal,usb")
    options, challenge = registration_options(
        RP, handle=HANDLE, user_name="kai", display_name="Kai Kunde", existing=[existing]
    )
    assert options["rp"] == {"id": "alpha.localhost", "name": "Alpha Makler"}
    assert options["user"]["name"] == "kai" and options["user"]["displayName"] == "Kai Kunde"
    assert options["challenge"] == challenge and len(challenge) >= 43  # 32+ random bytes
    selection = options["authenticatorSelection"]
    assert selection["residentKey"] == "required" and selection["userVerification"] == "required"
    assert options["excludeCredentials"] == [
        {"id": "AAAA", "type": "public-key", "transports": ["internal", "usb"]}
    ]
    assert options["attestation"] == "none"


def test_a_registration_is_verified_and_its_key_kept() -> None:
    device = SoftAuthenticator(RP.origin)
    stored = _registered(device)
    assert stored.credential_id in device.keys
    assert stored.sign_count == 0 and stored.transports == "internal"


@pytest.mark.parametrize(
    "change",
    [
        {"challenge": "another"},
        {"origin": "http://evil.localhost"},
        {"origin": "https://alpha.localhost"},
        {"rp_id": "beta.localhost"},
        {"user_verified": False},
    ],
)
def test_a_registration_for_anything_else_is_refused(change: dict[str, Any]) -> None:
    device = SoftAuthenticator(RP.origin)
    options, challenge = registration_options(
        RP, handle=HANDLE, user_name="kai", display_name="", existing=[]
    )
    options["rp"]["id"] = change.get("rp_id", RP.id)
    credential = device.create(
        options, user_verified=change.get("user_verified", True), origin=change.get("origin")
    )
    if "challenge" in change:  # the response of another ceremony
        challenge = registration_options(
            RP, handle=HANDLE, user_name="kai", display_name="", existing=[]
        )[1]
    with pytest.raises(CeremonyFailed):
        verify_registration(RP, credential=credential, challenge=challenge)


def test_an_assertion_is_refused_as_a_registration() -> None:
    device = SoftAuthenticator(RP.origin)
    stored = _registered(device)
    options, challenge = authentication_options(
        RP, allowed=[stored], require_user_verification=True
    )
    with pytest.raises(CeremonyFailed):
        verify_registration(RP, credential=device.get(options), challenge=challenge)


def test_login_options_name_the_allowed_keys_or_none_for_passwordless() -> None:
    stored = StoredCredential("AAAA", "key", 3, "")
    options, _challenge = authentication_options(
        RP, allowed=[stored], require_user_verification=False
    )
    assert options["rpId"] == "alpha.localhost"
    assert options["allowCredentials"] == [{"id": "AAAA", "type": "public-key"}]
    assert options["userVerification"] == "preferred"
    options, _challenge = authentication_options(RP, allowed=[], require_user_verification=True)
    assert options["allowCredentials"] == [] and options["userVerification"] == "required"


def test_a_login_returns_the_new_sign_count() -> None:
    device = SoftAuthenticator(RP.origin)
    stored = _registered(device)
    assert _login(device, stored) == 1
    moved = StoredCredential(stored.credential_id, stored.public_key, 1, "")
    assert _login(device, moved) == 2


@pytest.mark.parametrize(
    ("stored_count", "sent", "ok"),
    [(5, 3, False), (5, 5, False), (5, 0, False), (5, 6, True), (0, 0, True), (0, 4, True)],
)
def test_a_sign_count_that_did_not_grow_is_refused(stored_count: int, sent: int, ok: bool) -> None:
    """A cloned key shows by its counter; authenticators without one always send 0."""
    device = SoftAuthenticator(RP.origin)
    registered = _registered(device)
    stored = StoredCredential(registered.credential_id, registered.public_key, stored_count, "")
    if ok:
        assert _login(device, stored, sign_count=sent) == sent
    else:
        with pytest.raises(CeremonyFailed, match="sign count"):
            _login(device, stored, sign_count=sent)


def test_user_verification_is_required_only_when_asked() -> None:
    device = SoftAuthenticator(RP.origin)
    stored = _registered(device)
    assert _login(device, stored, uv=False, user_verified=False) == 1
    with pytest.raises(CeremonyFailed):
        _login(device, stored, uv=True, user_verified=False)


def test_a_signature_of_another_key_or_origin_is_refused() -> None:
    device, other = SoftAuthenticator(RP.origin), SoftAuthenticator(RP.origin)
    stored, foreign = _registered(device), _registered(other)
    impostor = StoredCredential(stored.credential_id, foreign.public_key, 0, "")
    with pytest.raises(CeremonyFailed):
        _login(device, impostor)
    with pytest.raises(CeremonyFailed):
        _login(device, stored, origin="http://beta.localhost")
    options, challenge = authentication_options(RP, allowed=[], require_user_verification=True)
    credential = device.get(options)
    with pytest.raises(CeremonyFailed):  # signed for another challenge
        verify_authentication(
            RP,
            credential=credential,
            challenge=challenge[1:] + "A",
            stored=stored,
            require_user_verification=True,
        )


def test_an_assertion_names_its_key_and_user_before_it_is_checked() -> None:
    device = SoftAuthenticator(RP.origin)
    stored = _registered(device)
    options, _challenge = authentication_options(RP, allowed=[], require_user_verification=True)
    assertion = read_assertion(device.get(options))
    assert assertion.credential_id == stored.credential_id and assertion.handle == HANDLE
    for garbage in ({}, {"id": "x"}, {"id": "!", "rawId": "!", "response": {}, "type": "x"}):
        with pytest.raises(CeremonyFailed):
            read_assertion(garbage)


def test_challenges_travel_as_text_and_garbage_is_none() -> None:
    challenge = Challenge("register", "abc", 7, "Laptop „Büro“")
    assert Challenge.loads(challenge.dumps()) == challenge
    for raw in (None, "", "[]", "{}", '["a", "b", "7", "n"]', '["a", 1, 7, "n"]', "x"):
        assert Challenge.loads(raw) is None


def test_the_user_handle_is_stable_opaque_and_per_tenant() -> None:
    assert user_handle(1, 7) == HANDLE and len(HANDLE) == 32
    assert user_handle(2, 7) != HANDLE and user_handle(1, 8) != HANDLE


def test_a_credential_id_too_long_to_keep_is_refused() -> None:
    device = SoftAuthenticator(RP.origin)
    options, challenge = registration_options(
        RP, handle=HANDLE, user_name="kai", display_name="", existing=[]
    )
    credential = device.create(options, credential_id=bytes(600))  # 800 characters in base64url
    with pytest.raises(CeremonyFailed, match="too long"):
        verify_registration(RP, credential=credential, challenge=challenge)
