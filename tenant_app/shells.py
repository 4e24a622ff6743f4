"""A logged-in page's layouts kept like a card (fragments.py); its own blocks rendered each time.

Pages of the portal and the staff area differ in their title and content. Around those, the
layouts (head, top bar, navigation, sidebar, footer: four templates, a dozen blocks) are the
same for every page of one kind, section, tenant, language and kind of viewer, yet cost a
quarter of a small page's CPU. So they are rendered once with holes where the page's title,
the viewer's name and the content go, kept under what they show, and filled per request; the
CSRF token and the page's address go in afterwards for the whole page, as for every page.

What the layouts show is named here (`_shell_key`), not discovered: the viewer's rights and
counts, the tenant (its cached, frozen record, so any change of it is a new key), the section
of the path (its all-digit parts are ids, which change no layout: every ticket's page shares
one shell). That the key holds all of it is checked like every kept card: with
FRAGMENT_CACHE_CHECK=1 each kept shell is rendered afresh as well and compared.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable, Generator, Hashable, Iterator
from typing import Any, cast

from jinja2 import Template
from jinja2.runtime import Context
from markupsafe import escape

from tenant_app.fragments import (
    StaleFragment,
    assembling,
    card_key,
    fragment_cache,
    put_together,
)
from tenant_app.vocabulary import RIGHT_FLAGS

# Random per process, like templating.CSRF_SLOT: no text a user writes can contain them.
_TOKEN = secrets.token_hex(16)
TITLE_HOLE = f"title-{_TOKEN}"
CONTENT_HOLE = f"content-{_TOKEN}"
NAME_HOLE = f"name-{_TOKEN}"
_TITLE, _NAME, _CONTENT = (hole.encode() for hole in (TITLE_HOLE, NAME_HOLE, CONTENT_HOLE))
# Splits a kept shell into its literal parts and, between them, the holes (in any order).
_SHELL_PARTS = re.compile(b"(" + b"|".join(re.escape(h) for h in (_TITLE, _NAME, _CONTENT)) + b")")
_PAGE_BLOCKS = ("title", "content")
_USER_FIELDS = ("kind", "role", *RIGHT_FLAGS, "must_change_password", "has_second_factor")

logger = logging.getLogger("tenant_app.request")
_without_shell: set[str | None] = set()  # templates seen outside the logged-in layout


def render_page(template: Template, context: dict[str, Any]) -> bytes:
    """The whole page as UTF-8, its layouts from the cache when a page of this kind was
    shown before, the kept cards in its blocks put in as bytes (fragments.py)."""
    if template.name in _without_shell:
        return _whole(template, context)
    ctx = template.new_context(context)
    _run_top_level(template, ctx)
    if not all(name in ctx.blocks for name in (*_PAGE_BLOCKS, "nav")):
        # outside the logged-in layout; one that chooses its parent per request and chose
        # another once is rendered whole from then on too: safe, and such pages are rare
        _without_shell.add(template.name)
        return _whole(template, context)
    key = _shell_key(template.name, ctx)
    if key is None:  # a view that shows one viewer's own things around the page
        return _whole(template, context)
    shell = fragment_cache.fetch_split(key, lambda: _render_shell(template, context), _SHELL_PARTS)
    with assembling() as pieces:
        fills = {
            _TITLE: _block(ctx, "title"),
            _NAME: str(escape(ctx.get("viewer_name"))),
            _CONTENT: _block(ctx, "content"),
        }
    out: list[bytes] = []
    used: set[int] = set()
    for index, part in enumerate(shell):
        if index % 2:
            put_together(fills[part], pieces, out, used)
        else:
            out.append(part)
    if used != set(range(len(pieces))):
        return _worked_on_as_text(template, context)
    return b"".join(out)


def _whole(template: Template, context: dict[str, Any]) -> bytes:
    return template.render(context).encode()


def _worked_on_as_text(template: Template, context: dict[str, Any]) -> bytes:
    """A kept card's mark did not come out once as it went in: a template captured the
    card and worked on it as text. Wrong by a template's fault, so the page is rendered
    whole instead; the tests, which check every kept card, fail on it."""
    message = f"{template.name}: a kept card was worked on as text; say as_text=True"
    if fragment_cache.check:
        raise StaleFragment(message)
    logger.warning(message)
    return _whole(template, context)


def _run_top_level(template: Template, ctx: Context) -> None:
    """What a full render does before its first output: every level's top-level `set`,
    import and macro, and the chain of blocks that `super()` walks. The first output is
    the outermost layout's first line; the rest of the render is dropped."""
    render = cast(Generator[str, None, None], template.root_render_func(ctx))
    try:
        next(render, None)
    finally:
        render.close()


def _block(ctx: Context, name: str) -> str:
    return "".join(ctx.blocks[name][0](ctx))


def _render_shell(template: Template, context: dict[str, Any]) -> str:
    """The layouts with holes for the page's own blocks and the viewer's name."""
    ctx = template.new_context(context | {"viewer_name": NAME_HOLE})
    ctx.blocks["title"] = [_hole(TITLE_HOLE)]
    ctx.blocks["content"] = [_hole(CONTENT_HOLE)]
    return "".join(template.root_render_func(ctx))


def _hole(marker: str) -> Callable[[Context], Iterator[str]]:
    """A block that renders its marker (a generator, as Jinja closes what blocks return)."""

    def block(_ctx: Context) -> Iterator[str]:
        yield marker

    return block


def _shell_key(name: str | None, ctx: Context) -> Hashable | None:
    """Everything the layouts show, or None when they show one viewer's own things: a staff
    member's view as a customer (the customer's name), the household switcher's list."""
    user = ctx.get("user")
    if user is None or ctx.get("viewing_as") or ctx.get("switcher") is not None:
        return None
    path = ctx.get("path") or ""
    permissions = ctx.get("permissions")
    section = "/".join("#" if part.isdigit() else part for part in path.split("/"))
    return card_key(
        ctx,
        "shell",
        name,
        ctx.blocks["nav"][0].__globals__.get("name"),  # the layout (a parent may vary)
        section,
        ctx.get("tenant"),
        ctx.get("locale"),
        ctx.get("brand_css"),
        ctx.get("home_url"),
        ctx.get("live_query"),
        ctx.get("staff_factor"),
        # what the portal's layout shows of a customer's rights (a staff page may name a
        # contact's rights `permissions` too: only this much of them splits its layouts)
        permissions is not None,
        getattr(permissions, "communication", None),
        ctx.get("visible_folders"),
        tuple(getattr(user, field, None) for field in _USER_FIELDS),
        getattr(user, "linked_contacts", 0) > 0,
        getattr(user, "unread_notifications", 0),
        getattr(user, "unchecked_activity", 0),
    )
