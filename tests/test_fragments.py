"""The fragment cache's own rules: bounded by size, least recently used out."""

from __future__ import annotations

import importlib
import pkgutil
import types
import typing
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

import pytest
from markupsafe import Markup

from tenant_app import fragments, queries
from tenant_app.fragments import FragmentCache, StaleFragment, _frozen
from tenant_app.models.folders import Contract


def test_the_oldest_unused_card_goes_first_when_the_limit_is_reached() -> None:
    cache = FragmentCache(max_bytes=30)
    for key in ("a", "b", "c"):
        cache.fetch(key, lambda key=key: key * 10)
    cache.fetch("a", lambda: "never rendered")  # used again: now the newest
    cache.fetch("d", lambda: "d" * 10)  # over the limit: "b" is dropped
    assert cache.size == 30
    rendered: list[str] = []
    assert cache.fetch("b", lambda: rendered.append("b") or "B" * 10) == "B" * 10
    assert rendered == ["b"]
    assert cache.fetch("a", lambda: "fresh") == "a" * 10


def test_a_card_bigger_than_the_cache_is_shown_but_not_kept() -> None:
    cache = FragmentCache(max_bytes=5)
    assert cache.fetch("big", lambda: "x" * 50) == "x" * 50
    assert cache.size == 0
    assert cache.fetch("big", lambda: "again") == "again"


def test_nothing_is_kept_without_a_key_or_without_room() -> None:
    cache = FragmentCache(max_bytes=0)
    assert cache.fetch("card", lambda: "one") == "one"
    assert cache.fetch("card", lambda: "two") == "two"
    keeping = FragmentCache(max_bytes=100)
    assert keeping.fetch(None, lambda: "one") == "one"
    assert keeping.fetch(None, lambda: "two") == "two"


def test_the_check_renders_every_hit_afresh_and_refuses_a_kept_card_that_differs() -> None:
    cache = FragmentCache(max_bytes=100, check=True)
    assert cache.fetch("card", lambda: "one") == "one"
    assert cache.fetch("card", lambda: "one") == "one"  # the same again: served
    with pytest.raises(StaleFragment, match="kept:  one\nfresh: two"):
        cache.fetch("card", lambda: "two")
    assert cache.stale == ["'card'\nkept:  one\nfresh: two"]
    unchecked = FragmentCache(max_bytes=100)
    unchecked.fetch("card", lambda: "one")
    assert unchecked.fetch("card", lambda: "two") == "one"  # trusted: the key is the content


def test_the_check_finds_a_template_whose_key_misses_what_the_card_shows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tenant_app.templating import templates

    monkeypatch.setattr(fragments, "fragment_cache", FragmentCache(max_bytes=1000, check=True))
    card = templates.from_string('{% call cached("t", name) %}{{ name }} {{ city }}{% endcall %}')
    assert card.render(name="Eva", city="Köln") == "Eva Köln"
    assert card.render(name="Eva", city="Köln") == "Eva Köln"
    with pytest.raises(StaleFragment):  # the city is shown but not part of the key
        card.render(name="Eva", city="Bonn")


def test_a_model_cannot_be_part_of_a_key() -> None:
    """Models hash by their id alone, so an edited contract would find its old card."""
    with pytest.raises(TypeError):
        _frozen([Contract(id=1)])


class _Row(NamedTuple):
    id: int
    name: str


def test_rows_of_named_tuples_key_by_every_value() -> None:
    rows = [_Row(1, "Anna"), _Row(2, "Ben")]
    assert _frozen(rows) == _frozen([_Row(1, "Anna"), _Row(2, "Ben")])
    assert _frozen(rows) != _frozen([_Row(1, "Anna"), _Row(2, "Bea")])  # an edit: a new key
    assert _frozen(rows) != _frozen(rows[:1])
    hash(_frozen(rows))
    with pytest.raises(TypeError):  # a model slipped in after the rows is still refused
        _frozen([_Row(1, "Anna"), Contract(id=1)])


UNIONS = (typing.Union, types.UnionType)
HASHABLE_FIELD_TYPES = frozenset(
    {int, str, bool, float, Decimal, date, datetime, type(None), Markup, frozenset}
)


def _row_types() -> list[type]:
    """Every named tuple row of the app's reads (the kinds that are keys as they are)."""
    found = []
    for module_info in pkgutil.iter_modules(queries.__path__):
        module = importlib.import_module(f"{queries.__name__}.{module_info.name}")
        for value in vars(module).values():
            is_row = isinstance(value, type) and issubclass(value, tuple)
            if is_row and hasattr(value, "_fields") and value.__module__ == module.__name__:
                found.append(value)
    return found


def test_every_named_tuple_row_holds_only_hashable_values() -> None:
    """`_frozen` keys a named tuple row as it is, without looking into it: a field that may
    hold a list or a dict would make the key unhashable (a TypeError on the page). So the
    rows' declared field types are all plain, hashable ones."""
    rows = _row_types()
    assert {"ContractRow", "DocumentRow", "ContactRow", "EntryView", "Message"} <= {
        row.__name__ for row in rows
    }
    for row in rows:
        for name, hint in typing.get_type_hints(row).items():
            kinds = set(typing.get_args(hint)) if typing.get_origin(hint) in UNIONS else {hint}
            assert kinds <= HASHABLE_FIELD_TYPES, f"{row.__name__}.{name}: {hint}"
