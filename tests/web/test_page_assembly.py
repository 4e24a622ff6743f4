"""A logged-in page is put together as bytes: its kept cards go in as the bytes they were
encoded to once; a template that works on a kept card as text says so, or is noticed."""

from __future__ import annotations

import logging
import re

import pytest
from jinja2 import Environment

from tenant_app import pages as pages_module
from tenant_app.fragments import assembling, cached, fragment_cache, put_together
from tenant_app.settings import PROJECT_ROOT
from tests.web.test_fragment_cache import empty_cache  # noqa: F401 - each test starts empty

TEMPLATES = PROJECT_ROOT / "templates"
plain = Environment(autoescape=True)
plain.globals["cached"] = cached


def _assembled(source: str, **context: object) -> tuple[bytes, int, set[int]]:
    with assembling() as pieces:
        text = plain.from_string(source).render(context)
    out: list[bytes] = []
    used: set[int] = set()
    put_together(text, pieces, out, used)
    return b"".join(out), len(pieces), used


def test_kept_cards_go_in_as_their_bytes() -> None:
    source = '<p>{% call cached("greeting", name) %}Grüße – {{ name }} €{% endcall %}</p>'
    first, count, used = _assembled(source, name="Jürgen <Ö>")
    assert first == "<p>Grüße – Jürgen &lt;Ö&gt; €</p>".encode() and count == 1 and used == {0}
    hits = fragment_cache.hits
    again, _, _ = _assembled(source, name="Jürgen <Ö>")
    assert again == first and fragment_cache.hits == hits + 1


def test_a_card_inside_a_card_is_part_of_its_text() -> None:
    source = (
        '{% call cached("outer", 1) %}<ul>{% call cached("inner", 2) %}<li>ä</li>{% endcall %}'
        "</ul>{% endcall %}"
    )
    body, count, used = _assembled(source)
    assert body == "<ul><li>ä</li></ul>".encode() and count == 1 and used == {0}


def test_a_card_worked_on_as_text_is_noticed_unless_it_says_so() -> None:
    worked_on = '{% set x %}{% call cached("t", 1) %}kept{% endcall %}{% endset %}{{ x|upper }}'
    body, count, used = _assembled(worked_on)
    assert count == 1 and used == set()  # its mark did not come out as it went in
    said = worked_on.replace('"t", 1)', '"t", 1, as_text=True)')
    body, count, used = _assembled(said)
    assert body == b"KEPT" and count == 0


PAGE = (
    '{% extends "staff/layout.html" %}{% block title %}Liste{% endblock %}{% block content %}'
    '{% set x %}{% call cached("as-text", 1ARGS) %}<p id="kept">kept</p>{% endcall %}{% endset %}'
    "{{ x|upper }}{% endblock %}"
)


@pytest.fixture
def contact_list_as(monkeypatch: pytest.MonkeyPatch):
    """The contact list's template swapped for one that works on a kept card as text."""
    real = pages_module.templates.get_template

    def use(args: str) -> None:
        template = pages_module.templates.from_string(PAGE.replace("ARGS", args))

        def get_template(name: str, *more: object, **named: object) -> object:
            return template if name == "staff/contacts/list.html" else real(name, *more, **named)

        monkeypatch.setattr(pages_module.templates, "get_template", get_template)

    return use


async def test_a_page_that_works_on_a_card_as_text_is_rendered_whole(
    client, contact_list_as, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await client.log_in("alpha-admin")
    contact_list_as("")
    with caplog.at_level(logging.ERROR, logger="tenant_app.request"):
        failed = await client.get("/staff/contacts")
    # the tests, which check every kept card, fail on it
    assert failed.status_code == 500 and "StaleFragment" in caplog.text
    caplog.clear()
    monkeypatch.setattr(fragment_cache, "check", False)  # as in production
    with caplog.at_level(logging.WARNING, logger="tenant_app.request"):
        page = (await client.get("/staff/contacts")).text
    assert '<P ID="KEPT">KEPT</P>' in page and 'id="sidebar"' in page
    assert "worked on as text" in caplog.text


async def test_a_card_that_says_it_is_worked_on_as_text_is_kept_as_text(
    client, contact_list_as, caplog: pytest.LogCaptureFixture
) -> None:
    await client.log_in("alpha-admin")
    contact_list_as(", as_text=True")
    with caplog.at_level(logging.WARNING, logger="tenant_app.request"):
        first = (await client.get("/staff/contacts")).text
        second = (await client.get("/staff/contacts")).text
    assert '<P ID="KEPT">KEPT</P>' in first and second == first
    assert "worked on as text" not in caplog.text


SET_BLOCK = re.compile(r"{%-?\s*set\s+\w+\s*-?%}(.*?){%-?\s*endset\s*-?%}", re.S)
CARD_CALL = re.compile(r"cached\((?:[^()]|\([^()]*\))*\)")


def test_every_card_a_template_captures_says_it_is_worked_on_as_text() -> None:
    """A card captured by `{% set %}` goes into the page through the captured text: as a mark
    it would pass through unchanged, whatever the template does to the text around it."""
    found = []
    for path in TEMPLATES.rglob("*.html"):
        for block in SET_BLOCK.findall(path.read_text()):
            found += [(path.name, call) for call in CARD_CALL.findall(block)]
    assert found, "the staff's chat list captures its rows"
    assert [(name, call) for name, call in found if "as_text=True" not in call] == []
