"""gettext through Babel: German first, English second; the locale lives in a context var."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from contextvars import ContextVar, Token
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = ("de", "en")
DEFAULT_LOCALE = "de"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

_current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)
_address_form: ContextVar[str] = ContextVar("address_form", default="sie")
ADDRESS_FORMS = ("sie", "du")


@cache
def translations(locale: str) -> Translations:
    """Catalogue compiled in memory from the committed .po file (no build step)."""
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return Translations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def set_locale(locale: str) -> Token[str]:
    return _current_locale.set(locale if locale in LOCALES else DEFAULT_LOCALE)


def get_locale() -> str:
    return _current_locale.get()


def gettext(message: str, **variables: object) -> str:
    text = translations(get_locale()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text: str = translations(get_locale()).ngettext(singular, plural, n)
    return text % {"num": n, **variables}


def pgettext(context: str, message: str, **variables: object) -> str:
    text = str(translations(get_locale()).pgettext(context, message))
    return text % variables if variables else text


def set_address_form(form: str) -> Token[str]:
    return _address_form.set(form if form in ADDRESS_FORMS else "sie")


def get_address_form() -> str:
    return _address_form.get()


def addressed(message: str, **variables: object) -> str:
    """A customer-facing text in the tenant's form of address (formal Sie or informal Du).

    The catalogue holds each such message twice: plain (Sie) and in context "du".
    """
    catalogue = translations(get_locale())
    text = str(catalogue.pgettext("du", message)) if _address_form.get() == "du" else message
    if text == message:
        text = str(catalogue.gettext(message))
    return text % variables if variables else text


@contextlib.contextmanager
def using(locale: str, address_form: str = "sie") -> Iterator[None]:
    """Render something (a mail, a job's output) in a given language and form of address."""
    locale_token = set_locale(locale)
    form_token = set_address_form(address_form)
    try:
        yield
    finally:
        _current_locale.reset(locale_token)
        _address_form.reset(form_token)


def negotiate(accept_language: str | None, preferred: str | None = None) -> str:
    """The user's own setting wins; else the best of Accept-Language; else German."""
    if preferred in LOCALES:
        return str(preferred)
    best: tuple[float, str] | None = None
    for part in (accept_language or "").split(",")[:20]:
        lang, _, params = part.strip().partition(";")
        code = lang.strip().lower()[:2]
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if code in LOCALES and (best is None or quality > best[0]):
            best = (quality, code)
    return best[1] if best else DEFAULT_LOCALE


_ = gettext
