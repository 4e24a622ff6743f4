"""The call log keeps no credentials, in whatever form a plug-in writes them: the HTTP client
masks a secret as typed, JSON-escaped, URL-encoded and in base64, before a long body is cut,
and keeps no headers at all. Spoken against the real reference insurer."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote, quote_plus

import pytest

from tenant_app.plugins import InsurerAuthFailed, InsurerHttp
from tests.insurer_service import AGENT, PASSWORD, USERNAME, InsurerService

SECRET = 'p"ss\\wört 1+2'  # quotes, a backslash, an umlaut, a space and a plus


def _forms() -> list[str]:
    return [
        SECRET,
        json.dumps(SECRET)[1:-1],
        json.dumps(SECRET, ensure_ascii=False)[1:-1],
        quote(SECRET, safe=""),
        quote_plus(SECRET),
        base64.b64encode(SECRET.encode()).decode().rstrip("="),
    ]


async def test_a_secret_is_masked_in_every_form_a_plugin_may_write_it(
    insurer: InsurerService,
) -> None:
    http = InsurerHttp(insurer.url, secrets=[SECRET], timeout=5)
    body = {"note": SECRET, "escaped": json.dumps(SECRET), "long": "x" * 30_000 + SECRET}
    await http.request(
        "quote",
        "POST",
        f"/v1/quotes?key={quote(SECRET, safe='')}&plus={quote_plus(SECRET)}",
        json_body=body | {"b64": base64.b64encode(SECRET.encode()).decode()},
        headers={"X-Agent-Number": AGENT},
        auth=(USERNAME, PASSWORD),
    )
    (exchange,) = http.exchanges
    recorded = exchange.url + exchange.request_body + exchange.response_body
    assert exchange.status_code == 422  # the insurer answered (the body is no quote)
    for written in _forms():
        assert written not in recorded, written
    assert "***" in exchange.url and "***" in exchange.request_body


async def test_refused_credentials_leave_nothing_of_them_in_the_log(
    insurer: InsurerService,
) -> None:
    http = InsurerHttp(insurer.url, secrets=[USERNAME, "wrong-password"], timeout=5)
    with pytest.raises(InsurerAuthFailed):
        await http.request(
            "quote", "POST", "/v1/quotes", json_body={}, auth=(USERNAME, "wrong-password")
        )
    kept = " ".join(f"{e.url} {e.request_body} {e.response_body} {e.error}" for e in http.exchanges)
    basic = base64.b64encode(f"{USERNAME}:wrong-password".encode()).decode()
    assert "wrong-password" not in kept and basic not in kept and USERNAME not in kept
    assert "authorization" not in kept.lower()
