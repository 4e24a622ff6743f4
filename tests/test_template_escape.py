"""Templates print through `templating._escape`: markupsafe's escaping, the same result for
every kind of value a template prints, and in the app's own templates too."""

from __future__ import annotations

from decimal import Decimal
from enum import IntEnum
from typing import Any

import markupsafe
import pytest
from markupsafe import Markup

from tenant_app.templating import _escape, templates


class Html:
    def __html__(self) -> str:
        return "<b>trusted</b>"

    def __repr__(self) -> str:  # a test id, the same in every process
        return "Html()"


class Text(str):
    pass


class Level(IntEnum):
    HIGH = 3


VALUES: list[Any] = [
    "",
    "plain",
    "<script>alert('x')</script> & \"quoted\"",
    "Müller & Söhne <GmbH>",
    Markup("<em>kept</em>"),
    Markup("a &amp; b"),
    Text("<i>a str subclass</i>"),
    Html(),
    0,
    -42,
    10**30,
    True,
    None,
    1.5,
    Decimal("12.50"),
    Level.HIGH,
    ["<li>"],
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_the_same_as_markupsafe(value: Any) -> None:
    ours = _escape(value)
    assert type(ours) is Markup
    assert ours == markupsafe.escape(value)
    assert str(ours) == str(markupsafe.escape(value))


def test_the_apps_templates_escape_through_it() -> None:
    template = templates.from_string("<p>{{ text }}</p><p>{{ number }}</p><p>{{ safe }}</p>")
    html = template.render(text="<img src=x onerror=alert(1)>", number=7, safe=Markup("<br>"))
    assert html == "<p>&lt;img src=x onerror=alert(1)&gt;</p><p>7</p><p><br></p>"
    assert template.root_render_func.__globals__["escape"] is _escape


def test_escaped_text_is_not_escaped_again() -> None:
    template = templates.from_string("{% macro m(x) %}<b>{{ x }}</b>{% endmacro %}{{ m(text) }}")
    assert template.render(text="a < b") == "<b>a &lt; b</b>"
