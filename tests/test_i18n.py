"""German first: every UI string has a German translation; English is the fallback."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tenant_app.text import i18n

ROOT = Path(__file__).resolve().parent.parent


def _catalog_tool():
    spec = importlib.util.spec_from_file_location(
        "update_catalogs", ROOT / "scripts" / "update_catalogs.py"
    )
    module = importlib.util.module_from_spec(spec)
    assert spec and spec.loader
    spec.loader.exec_module(module)
    return module


def test_every_ui_string_has_a_german_translation() -> None:
    template = _catalog_tool().extract()
    with (ROOT / "tenant_app/locale/de/LC_MESSAGES/messages.po").open("rb") as handle:
        german = read_po(handle, locale="de")
    missing = []
    for message in template:
        if not message.id:
            continue
        translated = german.get(message.id, context=message.context)
        strings = (
            translated.string
            if translated and isinstance(translated.string, tuple)
            else (translated.string if translated else "",)
        )
        if translated is None or not all(strings) or translated.fuzzy:
            missing.append((message.context, message.id))
    assert missing == [], "run scripts/update_catalogs.py and translate these"


def test_du_and_sie_differ_in_german() -> None:
    with i18n.using("de", "sie"):
        formal = i18n.addressed("Hello %(name)s,", name="Eva")
    with i18n.using("de", "du"):
        informal = i18n.addressed("Hello %(name)s,", name="Eva")
    with i18n.using("en", "du"):
        english = i18n.addressed("Hello %(name)s,", name="Eva")
    assert (formal, informal, english) == ("Guten Tag Eva,", "Hallo Eva,", "Hello Eva,")


@pytest.mark.parametrize(
    ("header", "preferred", "expected"),
    [
        (None, None, "de"),
        ("en-US,en;q=0.9", None, "en"),
        ("fr, en;q=0.5", None, "en"),
        ("en;q=0.4, de;q=0.8", None, "de"),
        ("fr", None, "de"),
        ("en", "de", "de"),
        ("de", "en", "en"),
        ("en;q=abc", None, "en"),
    ],
)
def test_language_negotiation(header, preferred, expected) -> None:
    assert i18n.negotiate(header, preferred) == expected
