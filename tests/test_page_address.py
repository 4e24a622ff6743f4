"""A page's own address, as templates and the return slot get it (tenant_app/pages.py), is what
Starlette's `request.url` gives, without building the URL."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.datastructures import URL

from tenant_app.pages import own_path, with_token
from tenant_app.templating import CSRF_SLOT, RETURN_SLOT


def _scope(path: str, query: bytes = b"") -> dict[str, Any]:
    return {
        "type": "http",
        "scheme": "http",
        "path": path,
        "query_string": query,
        "headers": [(b"host", b"alpha.localhost")],
        "server": ("127.0.0.1", 8000),
        "state": {"csrf_token": "tok-1"},
    }


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/portal/folders/insurance",
        "/staff/contacts/12/",
        "/suche/Müller & Söhne",
        "/a?b#c\\d",
        "/%2F/encoded%20space",
        "//double",
    ],
)
def test_own_path_is_what_starlettes_url_says(path: str) -> None:
    assert own_path(_scope(path)) == URL(scope=_scope(path)).path


def test_the_return_slot_gets_path_and_query_escaped() -> None:
    body = f'<a href="/login?next={RETURN_SLOT}">{CSRF_SLOT}</a>'.encode()
    filled = with_token(body, _scope("/staff/contacts", b"q=a&b=<c>"))
    assert filled == b'<a href="/login?next=/staff/contacts?q=a&amp;b=&lt;c&gt;">tok-1</a>'
    assert with_token(body, _scope("/staff")) == b'<a href="/login?next=/staff">tok-1</a>'
