"""Extract UI strings and merge them into the German and English catalogues.

Run after changing user-facing text:  python scripts/update_catalogs.py
German translations are written by hand into tenant_app/locale/de/LC_MESSAGES/messages.po;
this script lists the ones still missing and exits non-zero while any are.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "tenant_app" / "locale"
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
ADDRESSED_KEYWORDS = {"_a": None, "addressed": None}  # Sie by default, plus a "du" variant
METHODS = [
    ("tenant_app/**.py", "python"),
    ("templates/**.html", "jinja2"),
    ("templates/**.txt", "jinja2"),
]
OPTIONS = {
    "templates/**.html": {"extensions": "jinja2.ext.i18n"},
    "templates/**.txt": {"extensions": "jinja2.ext.i18n"},
}


def _messages(keywords: dict) -> list[tuple[str, int, str, list[str], str | None]]:
    found = extract_from_dir(
        str(ROOT),
        METHODS,
        options_map=OPTIONS,
        keywords=keywords,
        comment_tags=("Translators:",),
        # Babel skips folders starting with "_" by default: templates/_partials must be read too.
        directory_filter=lambda path: not os.path.basename(path).startswith((".", "__")),
    )
    return [item for item in found if not item[0].startswith(("scripts", "tests"))]


def extract() -> Catalog:
    template = Catalog(project="tenant-app")
    for filename, lineno, message, comments, context in _messages(KEYWORDS):
        template.add(
            message, locations=[(filename, lineno)], auto_comments=comments, context=context
        )
    for filename, lineno, message, comments, _context in _messages(ADDRESSED_KEYWORDS):
        for context in (None, "du"):
            template.add(
                message, locations=[(filename, lineno)], auto_comments=comments, context=context
            )
    return template


def merge(locale: str, template: Catalog) -> list[str]:
    path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
    else:
        catalog = Catalog(locale=locale, project="tenant-app")
    catalog.update(template, no_fuzzy_matching=True)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        if locale == "en" and not message.string:
            message.string = message.id
        if not message.string or (isinstance(message.string, tuple) and not all(message.string)):
            missing.append(str(message.id))
    catalog.obsolete.clear()
    with path.open("wb") as handle:
        write_po(handle, catalog, no_location=True, omit_header=False, sort_output=True, width=100)
    return missing


def main() -> int:
    template = extract()
    missing = merge("de", template)
    merge("en", template)
    for message in missing:
        print(f"missing German translation: {message!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
