"""Signed cookie values: a value's signature is checked once and remembered, but its age,
its tenant and any change to it are judged at every use; the Cookie header is read as
browsers write it, once per request."""

from __future__ import annotations

from tenant_app.security import cookies
from tenant_app.settings import Settings

SETTINGS = Settings(secret_key="k" * 64)


def test_a_signed_value_reads_back_for_its_tenant_only() -> None:
    raw = cookies.sign(SETTINGS, "session", 7, "secret-7")
    assert cookies.unsign(SETTINGS, "session", 7, raw, max_age=60) == "secret-7"
    assert cookies.unsign(SETTINGS, "session", 7, raw, max_age=60) == "secret-7"
    assert cookies.unsign(SETTINGS, "session", 8, raw, max_age=60) is None  # another tenant
    assert cookies.unsign(SETTINGS, "csrf", 7, raw, max_age=60) is None  # another purpose


def test_the_age_is_judged_at_every_use() -> None:
    raw = cookies.sign(SETTINGS, "session", 7, "secret-7")
    assert cookies.unsign(SETTINGS, "session", 7, raw, max_age=60) == "secret-7"
    assert cookies.unsign(SETTINGS, "session", 7, raw, max_age=-1) is None


def test_a_changed_or_foreign_value_is_refused() -> None:
    raw = cookies.sign(SETTINGS, "session", 7, "secret-7")
    payload, _, signature = raw.rpartition(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]  # the first character
    assert cookies.unsign(SETTINGS, "session", 7, f"{payload}.{flipped}", max_age=60) is None
    other_key = Settings(secret_key="o" * 64)
    assert cookies.unsign(other_key, "session", 7, raw, max_age=60) is None
    assert cookies.unsign(SETTINGS, "session", 7, "not-signed-at-all", max_age=60) is None


def _scope(header: bytes) -> dict[str, object]:
    return {"type": "http", "headers": [(b"host", b"demo.localhost"), (b"cookie", header)]}


def test_the_cookie_header_is_read_as_browsers_write_it() -> None:
    scope = _scope(b'session=abc.def; lang="en"; ; broken; csrf=x=y')
    jar = cookies.read_cookies(scope)
    assert jar["session"] == "abc.def"
    assert jar["lang"] == "en"
    assert jar["csrf"] == "x=y"
    assert cookies.read_cookies(scope) is jar  # parsed once per request
    assert cookies.read_cookies({"type": "http", "headers": []}) == {}
