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

A logged-in page is put together as bytes (shells.py): while its blocks render, a kept card
goes into the page as a mark, and its bytes, encoded once when it was kept, take the mark's
place at the end. Encoding a whole page cost as much as rendering its cards again (Python
encodes a text with a single "€" or "–" in it character by character). A card whose output
a template captures and works on as text says `as_text=True` and is rendered in as text.
"""

from __future__ import annotations

import os
import re
import secrets
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from tortoise.models import Model

from tenant_app.text import i18n

DEFAULT_MAX_BYTES = 16 * 1024 * 1024  # per process; ~8,000 contract cards
_T = TypeVar("_T")


def _as_is(data: bytes) -> bytes:
    return data


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
        # Kept cards once put into a page: their UTF-8 size and bytes (or parts of them).
        self._encoded: dict[Hashable, tuple[int, Any]] = {}

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

    def fetch_encoded(self, key: Hashable | None, render: Callable[[], str]) -> bytes:
        """`fetch`, as UTF-8: encoded once while the card is kept (checked like a hit)."""
        return self._prepared(key, render, _as_is)

    def fetch_split(
        self, key: Hashable | None, render: Callable[[], str], pattern: re.Pattern[bytes]
    ) -> list[bytes]:
        """`fetch_encoded`, split by `pattern` once while kept (a page shell at its holes)."""
        return self._prepared(key, render, pattern.split)

    def _prepared(
        self, key: Hashable | None, render: Callable[[], str], prepare: Callable[[bytes], _T]
    ) -> _T:
        found = None if self.check or key is None else self._encoded.get(key)
        if found is not None:
            self.hits += 1
            self._items.move_to_end(key)
            return found[1]  # type: ignore[no-any-return]
        data = self.fetch(key, render).encode()
        prepared = prepare(data)
        if key is not None and key in self._items and key not in self._encoded:
            self._encoded[key] = (len(data), prepared)
            self.size += len(data)
            self._trim()
        return prepared

    def _keep(self, key: Hashable, html: Markup) -> None:
        self._items[key] = html
        self.size += len(html)
        self._trim()

    def _trim(self) -> None:
        while self.size > self.max_bytes and self._items:
            key, dropped = self._items.popitem(last=False)
            self.size -= len(dropped) + self._encoded.pop(key, (0, None))[0]

    def keys(self) -> list[Hashable]:
        """What is kept, least recently used first (for tests and diagnosis)."""
        return list(self._items)

    def clear(self) -> None:
        self._items.clear()
        self._encoded.clear()
        self.size = 0


def _max_bytes() -> int:
    value = os.environ.get("FRAGMENT_CACHE_BYTES", "").strip()
    return int(value) if value.isdigit() else DEFAULT_MAX_BYTES


fragment_cache = FragmentCache(
    _max_bytes(), check=os.environ.get("FRAGMENT_CACHE_CHECK", "").strip() not in ("", "0")
)


# The kept cards' bytes of the page being put together (None: render cards in as text).
_assembly: ContextVar[list[bytes] | None] = ContextVar("fragment_assembly", default=None)
# Random per process, like templating.CSRF_SLOT: no text a user writes can contain it.
_MARK = f"card-{secrets.token_hex(16)}-"
_MARK_RE = re.compile(re.escape(_MARK.encode()) + rb"(\d+)-")


@pass_context
def cached(
    context: Context,
    name: str | None,
    *parts: Any,
    caller: Callable[[], str],
    as_text: bool = False,
) -> Markup:
    """The card rendered by the block, from the cache when the same card was shown before.
    `name` None renders without keeping (a card that shows a form's typed values)."""
    key = None if name is None else card_key(context, name, *parts)
    pieces = _assembly.get()
    if pieces is None:
        return fragment_cache.fetch(key, caller)

    def render() -> str:  # cards inside a card are part of its text
        token = _assembly.set(None)
        try:
            return caller()
        finally:
            _assembly.reset(token)

    if as_text:
        return fragment_cache.fetch(key, render)
    pieces.append(fragment_cache.fetch_encoded(key, render))
    return Markup(f"{_MARK}{len(pieces) - 1}-")  # noqa: S704 - a constant mark


@contextmanager
def assembling() -> Iterator[list[bytes]]:
    """While rendering a page's own blocks: kept cards go in as marks (see `put_together`)."""
    pieces: list[bytes] = []
    token = _assembly.set(pieces)
    try:
        yield pieces
    finally:
        _assembly.reset(token)


def put_together(text: str, pieces: list[bytes], out: list[bytes], used: set[int]) -> None:
    """Append `text` as UTF-8 to `out`, each mark replaced by its card's bytes (noted in
    `used`: a page whose marks do not come out one each was worked on as text)."""
    parts = _MARK_RE.split(text.encode())
    out.append(parts[0])
    for index in range(1, len(parts), 2):
        number = int(parts[index])
        used.add(number)
        out.append(pieces[number] if number < len(pieces) else b"")
        out.append(parts[index + 1])


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
