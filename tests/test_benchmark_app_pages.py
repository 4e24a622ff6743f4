"""The benchmark's lean-render limit gives the app's own pages byte for byte.

benchmarks/capture.py renders a page with every escaped value between marks and cuts it into
literal markup and values; benchmarks/limits_app.py renders those pieces with one flat
template. For the customer folder and the staff's contact list of this app, as they are
now, both must give exactly the bytes the app answers.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup

from tests.conftest import ADMIN_PASSWORD, CUSTOMER_PASSWORD, make_customer
from tests.folder_helpers import add_contract, add_document

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import capture  # noqa: E402
import limits_app  # noqa: E402


@contextlib.contextmanager
def _no_cached_cards() -> Iterator[None]:
    """Empty the app's card cache, if it has one, before and after: a card rendered with the
    marks must not be served to another test."""
    try:
        cache: Any = importlib.import_module("tenant_app.fragments").fragment_cache
    except (ImportError, AttributeError):
        cache = None
    if cache is not None:
        cache.clear()
    try:
        yield
    finally:
        if cache is not None:
            cache.clear()


async def _pieces(client: Any, path: str) -> tuple[bytes, capture.Captured]:
    with _no_cached_cards():
        plain = await client.get(path)
    assert plain.status_code == 200
    with _no_cached_cards(), capture.marked_templates():
        marked = await client.get(path)
    segments, tail = capture.cut(marked.text)
    return plain.content, capture.Captured(marked.status_code, [], segments, tail)


async def _one_unread_each(tenant: Any) -> None:
    from tenant_app.models.accounts import User
    from tenant_app.models.scoping import tenant_scope
    from tenant_app.services import events

    with tenant_scope(tenant.tenant.id):
        readers = [user.id for user in await User.filter(username__in=("kai", "alpha-admin"))]
        await events.record(None, events.DOCUMENT_SHARED, contact_id=None, tell=readers)


@pytest.mark.parametrize("who", ["customer", "staff"])
async def test_the_lean_render_gives_the_apps_page(
    client_for: Any, tenant: Any, passwords: Any, settings: Any, who: str
) -> None:
    contact = await make_customer(tenant, passwords, insurance_unlock=True, insurance_share=True)
    broker = await add_contract(tenant, contact, number='VS-"1" & <2>')
    await add_contract(tenant, contact, by_customer=True, number="EIGEN-1")
    await add_document(tenant, settings, contact, contract=broker, title="Police & Co <2026>")
    await _one_unread_each(tenant)  # the bell in the header shows a count
    client = client_for(tenant.hostname)
    if who == "customer":
        await client.log_in("kai", CUSTOMER_PASSWORD)
        path = "/portal/folders/insurance"
    else:
        await client.log_in(f"{tenant.tenant.slug}-admin", ADMIN_PASSWORD)
        path = "/staff/contacts"
    page, captured = await _pieces(client, path)
    values = [value for _, value in captured.segments]
    assert ('VS-"1" & <2>' in values) == (who == "customer")
    assert "Kai" in " ".join(values)  # the customer's name is a value, not literal markup
    assert captured.body == page
    assert b'id="bell"' in page and b'<span class="badge">1<' in page
    parts = tuple((Markup(literal), value) for literal, value in captured.segments)  # noqa: S704
    tail = Markup(captured.tail)  # noqa: S704 - the app's own output
    assert limits_app.flat.render(parts=parts, tail=tail).encode() == page
