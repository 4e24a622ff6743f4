"""gettext through Babel: German first, English second; the locale lives in a context var."""

from __future__ import annotations

import io
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = ("de", "en")
DEFAULT_LOCALE = "de"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


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


def set_locale(locale: str) -> object:
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
