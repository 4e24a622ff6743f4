"""Rendered cards kept by what they show, so a page re-renders only what changed.

A card is stored under its own data (the frozen rows it displays, the viewer's rights that
change it) plus the tenant, the language, the form of address and the static files' version.
The key *is* the content's cause: an edit, a permission change or a new translation makes a
new key, so nothing is ever invalidated, nothing goes stale, and every app process may keep
its own cache. The one per-request value inside a card, the CSRF token, is rendered as
templating.CSRF_SLOT and put in by pages.render for the whole page.

That a key holds everything its card shows is checked, not trusted: with
FRAGMENT_CACHE_CHECK=1 (the whole test suite runs so) every hit renders the card afresh as
well and fails the request when the two differ.

Templates use it as a call block:
    {% call cached("portal-contract", contract, docs, contract.id in editable) %}…{% endcall %}
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from tortoise.models import Model

from tenant_app.text import i18n

DEFAULT_MAX_BYTES = 16 * 1024 * 1024  # per process; ~8,000 contract cards


_PLAIN = frozenset({int, str, bool, type(None)})


def _frozen(part: Any) -> Hashable:
    if type(part) in _PLAIN:  # most parts: ids, flags, names
        return part  # type: ignore[no-any-return]
    if isinstance(part, Model):  # hashed by its id alone: an edit would not change the key
        raise TypeError("key a card by its frozen display row, not by a model")
    if isinstance(part, tuple) and hasattr(part, "_fields"):  # a named tuple row: as it is
        return part
    if isinstance(part, list | tuple):
        kind = type(part[0]) if part else None
        if hasattr(kind, "_fields") and all(type(item) is kind for item in part):
            return tuple(part)  # a page's rows: named tuples of one kind, as they are
        return tuple(_frozen(item) for item in part)
    if isinstance(part, set):
        return frozenset(part)
    if isinstance(part, dict):  # e.g. a folder's documents by contract
        return frozenset((key, _frozen(value)) for key, value in part.items())
    return part  # type: ignore[no-any-return]


class StaleFragment(AssertionError):
    """A kept card differs from the same card rendered now: its key misses something it shows."""


class FragmentCache:
    """Least recently used first out, bounded by the characters it holds."""

    def __init__(self, max_bytes: int, *, check: bool = False) -> None:
        self.max_bytes = max_bytes
        self.check = check
        self.stale: list[str] = []  # what the check found (also when a page swallowed the error)
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[Hashable, Markup] = OrderedDict()

    def fetch(self, key: Hashable | None, render: Callable[[], str]) -> Markup:
        """The stored card, or `render()`'s (kept unless `key` is None: not to be cached).
        Kept as Markup, so a hit hands out the same string, not a copy of it."""
        stored = None if key is None else self._items.get(key)
        if stored is None:
            self.misses += 1
            html = Markup(render())  # noqa: S704 - rendered by an autoescaping template
            if key is not None and self.max_bytes > 0:
                self._keep(key, html)
            return html
        self.hits += 1
        self._items.move_to_end(key)
        if self.check and (fresh := render()) != stored:
            self.stale.append(f"{key!r}\nkept:  {stored}\nfresh: {fresh}")
            raise StaleFragment(self.stale[-1])
        return stored

    def _keep(self, key: Hashable, html: Markup) -> None:
        self._items[key] = html
        self.size += len(html)
        while self.size > self.max_bytes and self._items:
            _, dropped = self._items.popitem(last=False)
            self.size -= len(dropped)

    def keys(self) -> list[Hashable]:
        """What is kept, least recently used first (for tests and diagnosis)."""
        return list(self._items)

    def clear(self) -> None:
        self._items.clear()
        self.size = 0


def _max_bytes() -> int:
    value = os.environ.get("FRAGMENT_CACHE_BYTES", "").strip()
    return int(value) if value.isdigit() else DEFAULT_MAX_BYTES


fragment_cache = FragmentCache(
    _max_bytes(), check=os.environ.get("FRAGMENT_CACHE_CHECK", "").strip() not in ("", "0")
)


@pass_context
def cached(context: Context, name: str | None, *parts: Any, caller: Callable[[], str]) -> Markup:
    """The card rendered by the block, from the cache when the same card was shown before.
    `name` None renders without keeping (a card that shows a form's typed values)."""
    if name is None:
        return fragment_cache.fetch(None, caller)
    return fragment_cache.fetch(card_key(context, name, *parts), caller)


def card_key(context: Context, name: str, *parts: Any) -> Hashable:
    """A kept piece's key: its name and parts, and what every piece depends on."""
    tenant = context.get("tenant")
    return (
        name,
        tenant.id if tenant is not None else None,  # ids are global; this makes it plain
        i18n.get_locale(),
        i18n.get_address_form(),
        context.get("static_version"),
        *(_frozen(part) for part in parts),
    )
