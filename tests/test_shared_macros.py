"""The shared macros are globals of every template, served as the production app serves them
(no auto-reload: the macros themselves) and as development does (each call reads the file)."""

from __future__ import annotations

import pytest
from jinja2.runtime import Macro

from tenant_app.templating import SHARED_MACROS, _share_macros, build_templates
from tenant_app.text import i18n


@pytest.mark.parametrize("auto_reload", [False, True])
def test_pages_call_the_shared_macros_without_importing_them(auto_reload: bool) -> None:
    env = build_templates()
    env.auto_reload = auto_reload
    _share_macros(env)
    assert isinstance(env.globals["flashes"], Macro) is not auto_reload
    assert env.globals["ATTACHMENT_TYPES"].startswith(".pdf")  # a constant stays a value
    page = env.from_string(
        '{{ flashes(flash, [("saved", "Gespeichert.")]) }}{{ empty_state("x", "folder", "Leer.") }}'
    )
    with i18n.using("de"):
        html = page.render(flash=frozenset({"saved"}))
    assert "Gespeichert." in html and "Leer." in html


def test_every_shared_template_exports_something() -> None:
    env = build_templates()
    for name in SHARED_MACROS:
        assert [key for key in vars(env.get_template(name).module) if not key.startswith("_")]
