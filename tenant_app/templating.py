"""The Jinja2 environment shared by pages and mails, and where templates and static files live."""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable, MutableMapping
from functools import _lru_cache_wrapper, cache, lru_cache
from types import BuiltinFunctionType, FunctionType
from typing import TYPE_CHECKING, Any

import markupsafe
from jinja2 import Environment, FileSystemLoader, Template, pass_eval_context, select_autoescape
from jinja2.runtime import Context, Macro
from jinja2.utils import _PassArg
from markupsafe import Markup

from tenant_app.fragments import cached
from tenant_app.role_presets import ROLE_PRESETS
from tenant_app.settings import PROJECT_ROOT
from tenant_app.text import (
    chat_messages,
    chat_rows,
    contract_cards,
    document_rows,
    folder_rights,
    formatting,
    i18n,
    labels,
    legal_rules,
)
from tenant_app.text.legal_forms import with_legal_form
from tenant_app.text.plain import plain_text_html
from tenant_app.vocabulary import DOCUMENT_CATEGORIES, LEGAL_FORMS

if TYPE_CHECKING:
    from jinja2.nodes import EvalContext

# Pages are rendered with this stand-in for the request's CSRF token, which pages.render puts
# in at the end: so macros imported without context, and cards kept by the fragment cache,
# need no per-request value. Random per process: no text a user writes can contain it.
CSRF_SLOT = f"csrf-{secrets.token_hex(16)}"
# The page's own address (path and query), put in per request like the token: kept pieces
# that link back to the page they are on (the language form) then serve every page.
RETURN_SLOT = f"return-{secrets.token_hex(16)}"
TEMPLATE_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = PROJECT_ROOT / "static"
THEMES_DIR = PROJECT_ROOT / "themes"


def _static_version() -> str:
    """Short hash of the static files, so their URLs change when they do."""
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


@cache
def htmx_script() -> str:
    # htmx itself (htmx-2.0.x.min.js), never an extension that might be named alike
    found = sorted(STATIC_DIR.glob("js/htmx-[0-9]*.min.js"))
    return f"js/{found[-1].name}" if found else "js/htmx.min.js"


def _template_reload() -> bool:
    default = "1" if os.environ.get("APP_ENV", "development") == "development" else "0"
    return os.environ.get("TEMPLATE_AUTO_RELOAD", default).strip().lower() in {
        "1",
        "true",
        "yes",
        "on",
    }


# What a template calls most: functions (also behind lru_cache), builtins, macros.
_PLAIN_CALLABLES = frozenset({FunctionType, BuiltinFunctionType, Macro, _lru_cache_wrapper})
_NO_ATTRIBUTES: dict[str, Any] = {}


class _Context(Context):
    """Jinja's context, with a shorter way to call a function or macro from a template.

    Every call in a template (`url()`, `_()`, `icon()`, a macro) goes through `Context.call`,
    which looks twice for a `jinja_pass_arg` marker (each a failed attribute lookup) before
    calling; a folder seen for the first time makes ~370 calls. A function keeps the marker in
    its `__dict__` (lru_cache copies it there), a builtin or a macro has none: read once, the
    call goes as Jinja's would go. Anything else (or a function that wants the context) takes
    Jinja's own way.
    """

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - as Jinja's
        if type(__obj) not in _PLAIN_CALLABLES:
            return super().call(__obj, *args, **kwargs)
        marker = getattr(__obj, "__dict__", _NO_ATTRIBUTES).get("jinja_pass_arg")
        if marker is _PassArg.eval_context:
            args = (__self.eval_ctx, *args)
        elif marker is not None:
            return super().call(__obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception"
            )


_as_markup = str.__new__  # a Markup of an escaped string, without Markup's Python constructor
_escape_text = markupsafe._escape_inner  # type: ignore[attr-defined]  # its own (C) escaping


def _escape(value: Any) -> Markup:
    """markupsafe.escape, the same result, cheaper for what templates print most.

    Every `{{ value }}` in an autoescaped template is escaped, and markupsafe wraps each result
    with Markup's constructor, written in Python (and copies a value that is Markup already):
    a fifth of a folder's cards' render. A str or an int is escaped as markupsafe does it and
    made Markup directly; Markup stays as it is; anything else takes markupsafe's way.
    """
    kind = type(value)
    if kind is str:
        return _as_markup(Markup, _escape_text(value))
    if kind is Markup:
        return value  # type: ignore[no-any-return]  # Any, as far as mypy knows
    if kind is int:
        return _as_markup(Markup, str(value))  # digits: nothing to escape
    return markupsafe.escape(value)


class _Template(Template):
    """Jinja's template, printing through `_escape`: a compiled template looks `escape` up
    in its own module namespace, which Jinja fills from jinja2.runtime."""

    @classmethod
    def _from_namespace(cls, environment: Environment, namespace: Any, globals: Any) -> Any:
        namespace["escape"] = _escape
        return super()._from_namespace(environment, namespace, globals)


class _Environment(Environment):
    """Jinja's environment, giving a template without globals of its own the environment's
    globals dict itself, not a ChainMap over it: every render, include and macro call copies
    the globals into a new context, and a ChainMap's Python iteration made that ~10 µs a time
    (about 100 globals) where a dict copies in C. Nothing here writes a template's globals:
    no template is loaded with globals of its own (those still get Jinja's ChainMap)."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return super().make_globals(d) if d else self.globals


def build_templates() -> Environment:
    env = _Environment(
        loader=FileSystemLoader([str(TEMPLATE_DIR)]),
        autoescape=select_autoescape(["html", "htm", "xml"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        # Checking every template file's mtime on each render is for editing, not for serving.
        auto_reload=_template_reload(),
        # A plain dict, not Jinja's LRU of 400: every include and import looks its template up
        # again, and the LRU pays a scan of its whole order (all 260 templates, compiled at
        # start-up) per lookup. The templates are a fixed set, so nothing needs evicting.
        cache_size=-1,
    )
    env.context_class = _Context
    env.template_class = _Template
    env.install_gettext_callables(  # type: ignore[attr-defined]  # added by jinja2.ext.i18n
        i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext
    )
    # Same result as the newstyle callables (translation trusted, variables escaped), minus two
    # wrapper calls and the catalogue lookup: pages call `_()` a hundred times and more.
    env.globals["_"] = env.globals["gettext"] = _template_gettext()
    env.globals["_a"] = i18n.addressed
    env.globals["cached"] = cached
    env.globals["csrf_token"] = CSRF_SLOT
    env.globals["return_slot"] = RETURN_SLOT
    env.globals["csrf_field"] = _csrf_field
    env.globals["url"] = _url  # the one way templates and shared macros build links
    env.globals["document_views"] = document_rows.document_views
    env.globals["row_labels"] = document_rows.row_labels
    env.globals["chat_rows"] = chat_rows.chat_rows
    env.globals["mark_active_chat"] = chat_rows.mark_active
    env.globals["contract_card"] = contract_cards.contract_card
    env.globals["chat_message_views"] = chat_messages.message_views
    env.globals["offer_state"] = contract_cards.offer_state
    env.globals["today"] = formatting.local_today  # in keys of what turns over at midnight
    env.globals["role_labels"] = labels.ROLES
    env.globals["folder_labels"] = labels.FOLDERS
    env.globals["access_labels"] = labels.ACCESS
    env.globals["right_labels"] = labels.RIGHTS
    env.globals["account_state_labels"] = labels.ACCOUNT_STATES
    env.globals["status_labels"] = labels.CONTRACT_STATUSES
    env.globals["case_status_labels"] = labels.CASE_STATUSES
    env.globals["frequency_labels"] = labels.PAYMENT_FREQUENCIES
    env.globals["method_labels"] = labels.PAYMENT_METHODS
    env.globals["category_labels"] = labels.DOCUMENT_CATEGORIES
    env.globals["folder_descriptions"] = labels.FOLDER_DESCRIPTIONS
    env.globals["country_labels"] = labels.COUNTRIES
    env.globals["document_categories"] = DOCUMENT_CATEGORIES
    env.globals["explain_folder"] = folder_rights.explain_folder
    env.globals["every_folder_explanation"] = folder_rights.every_explanation
    env.globals["role_presets"] = ROLE_PRESETS
    env.filters["date"] = formatting.fmt_date
    env.filters["datetime"] = formatting.fmt_datetime
    env.filters["money"] = formatting.fmt_money
    env.filters["filesize"] = formatting.fmt_filesize
    env.filters["plaintext"] = plain_text_html
    env.filters["with_legal_form"] = with_legal_form  # name|with_legal_form(form): once
    env.globals["legal_missing"] = legal_rules.missing  # the go-live check (layout_app.html)
    env.globals["legal_forms"] = LEGAL_FORMS
    static_version = _static_version()
    env.globals["static_version"] = static_version
    env.globals["htmx_script"] = htmx_script()
    env.globals["icon"] = _icon_builder(static_version)
    return env


_CSRF_INPUT = Markup('<input type="hidden" name="csrf_token" value="{}">').format(CSRF_SLOT)


def _csrf_field() -> Markup:
    return _CSRF_INPUT


_link_builder: list[Callable[..., str]] = []  # set by the app as it is built (app.py)


def use_links(build: Callable[..., str]) -> None:
    """Every app has the same routes: the one route index all templates build links with.
    Pages call it directly; the shared macros, whose module kept the globals of their import,
    through `_url`."""
    _link_builder[:] = [build]
    templates.globals["url"] = build


def _url(name: str, /, **params: object) -> str:
    return _link_builder[0](name, **params)


class _Translated:
    """A message's translation, as text and as Markup, and both already formatted without
    variables (`% {}` turns "%%" into "%"), as most messages are used: markupsafe's `%` is
    written in Python. `alone` is None for a message that needs its variables."""

    __slots__ = ("alone", "markup", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.markup = Markup(text)  # noqa: S704 - our catalogues
        try:
            self.alone: tuple[str, Markup] | None = (text % {}, self.markup % {})
        except (KeyError, TypeError, ValueError):  # placeholders: formatted per call, as before
            self.alone = None


def _template_gettext() -> Callable[..., str]:
    """Jinja's newstyle gettext, minus two wrapper calls and the catalogue lookup per string.

    As jinja's own: in autoescaped templates the translation is trusted (the catalogues are
    ours) and the variables are escaped; in plain-text templates (mails) nothing is escaped.
    """
    translated: dict[tuple[str, str], _Translated] = {}

    @pass_eval_context
    def gettext(eval_ctx: EvalContext, message: str, **variables: object) -> str:
        key = (i18n.get_locale(), message)
        found = translated.get(key)
        if found is None:
            if len(translated) > 20_000:  # messages are literals; this only guards misuse
                translated.clear()
            found = translated[key] = _Translated(i18n.translations(key[0]).gettext(message))
        if variables or found.alone is None:
            return (found.markup if eval_ctx.autoescape else found.text) % variables
        return found.alone[1] if eval_ctx.autoescape else found.alone[0]

    return gettext


def _icon_builder(version: str) -> Callable[[str], Markup]:
    """`icon(name)`: the same few dozen SVG references on every page, built once each."""

    @lru_cache(maxsize=128)
    def icon(name: str) -> Markup:
        return Markup(
            '<svg class="icon" aria-hidden="true" focusable="false">'
            '<use href="/static/img/icons.svg?v={}#i-{}"></use></svg>'
        ).format(version, name)

    return icon


# The shared macros, as globals of every template: an `{% from … import … %}` costs each
# render a module lookup and a comparison of all globals, on every page that imports it.
SHARED_MACROS = (
    "_partials/flash.html",
    "_partials/fields.html",
    "_partials/empty.html",
    "_partials/nav_link.html",
    "_partials/document_list.html",
    "_partials/upload_form.html",
    "_partials/thread.html",
    "_partials/file_attachments.html",
)


def _share_macros(env: Environment) -> None:
    for name in SHARED_MACROS:
        for key, value in vars(env.get_template(name).module).items():
            if not key.startswith("_"):
                reload = env.auto_reload and isinstance(value, Macro)
                env.globals[key] = _reloading(env, name, key) if reload else value


def _reloading(env: Environment, template: str, key: str) -> Callable[..., object]:
    """While editing (auto-reload), a macro as of its template's current file."""

    def call(*args: object, **kwargs: object) -> object:
        return getattr(env.get_template(template).module, key)(*args, **kwargs)

    return call


templates = build_templates()
_share_macros(templates)


def compile_all_templates() -> None:
    """Compile every template at start-up, so no request pays for compiling one (~3 s in all)."""
    for name in templates.list_templates():
        templates.get_template(name)
