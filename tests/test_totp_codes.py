"""RFC 6238 codes as the authenticator apps make them: the accepted window, the matched step
(which the login stores against replay), and the QR code drawn on the server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import pytest

from tenant_app.security import totp

NOW = datetime(2026, 6, 1, 9, 0, 10, tzinfo=UTC)
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _code(offset_steps: int) -> str:
    return pyotp.TOTP(SECRET).at(NOW + timedelta(seconds=30 * offset_steps))


def test_rfc_6238_reference_value() -> None:
    """The RFC's SHA-1 test vector (8 digits there; the app shows its last 6)."""
    rfc_secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of "12345678901234567890"
    step = totp.time_step(datetime.fromtimestamp(59, UTC))
    assert totp.code_at(rfc_secret, step) == "287082"  # RFC 6238: 94287082


@pytest.mark.parametrize(
    ("offset", "accepted"), [(-2, False), (-1, True), (0, True), (1, True), (2, False)]
)
def test_one_step_either_side_is_accepted(offset: int, accepted: bool) -> None:
    step = totp.matched_step(SECRET, _code(offset), now=NOW)
    assert (step == totp.time_step(NOW) + offset) if accepted else step is None


def test_codes_are_read_as_people_type_them() -> None:
    code = _code(0)
    assert totp.matched_step(SECRET, f" {code[:3]} {code[3:]} ", now=NOW) == totp.time_step(NOW)
    assert totp.matched_step(SECRET, f"{code[:3]}-{code[3:]}", now=NOW) == totp.time_step(NOW)
    for junk in ("", "12345", "1234567", "abcdef", "١٢٣٤٥٦", code + "0"):
        assert totp.matched_step(SECRET, junk, now=NOW) is None


def test_the_clock_is_injected_not_read() -> None:
    later = NOW + timedelta(minutes=10)
    assert totp.matched_step(SECRET, _code(0), now=later) is None
    assert totp.matched_step(SECRET, _code(20), now=later) == totp.time_step(later)


def test_a_new_secret_is_160_random_bits() -> None:
    secrets = {totp.new_secret() for _ in range(50)}
    assert len(secrets) == 50
    assert all(len(s) == 32 and set(s) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for s in secrets)
    assert totp.grouped("ABCDEFGH12") == "ABCD EFGH 12"


def test_the_provisioning_uri_names_the_broker_and_the_login() -> None:
    uri = totp.provisioning_uri(SECRET, account="kai@kunde.example", issuer="Muster & Partner")
    parts = urlsplit(uri)
    assert parts.scheme == "otpauth" and parts.netloc == "totp"
    assert unquote(parts.path) == "/Muster & Partner:kai@kunde.example"
    query = parse_qs(parts.query)
    assert query["secret"] == [SECRET] and query["issuer"] == ["Muster & Partner"]


def test_the_qr_code_is_plain_svg_the_csp_allows() -> None:
    svg = str(totp.qr_svg("otpauth://totp/x?secret=ABC", label='QR "<b>"'))
    assert svg.startswith('<div class="totp-qr" role="img" aria-label="QR &#34;&lt;b&gt;&#34;">')
    assert "<svg" in svg and "<path" in svg
    assert "style" not in svg and "script" not in svg and "href" not in svg
