"""The benchmark's lean-render limit renders a page's exact bytes (benchmarks/limits_app.py).

A page rendered with the capture's marks is cut into literal markup and values; the limits
server's flat template, given those pieces, must answer byte for byte what the page's own
template renders, and so must its zero-render route. No database and no wrk needed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from jinja2 import DictLoader, Environment
from markupsafe import Markup

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import capture  # noqa: E402
import checks  # noqa: E402
import limits_app  # noqa: E402
from plan import Ask, Page  # noqa: E402

TEMPLATES = {
    "base.html": (
        '<!doctype html><html lang="{{ lang }}"><title>{% block title %}{% endblock %}</title>'
        '<body data-csrf=\'{"X-CSRF-Token": "{{ token }}"}\'>{% block body %}{% endblock %}'
        "</body></html>\n"
    ),
    "page.html": (
        '{% extends "base.html" %}{% block title %}{{ customer }} – Ordner{% endblock %}'
        '{% macro row(c) %}<tr id="c-{{ c.id }}"><td>{{ c.line }}</td>'
        '<td class="num">{{ "%.2f"|format(c.premium) }} €</td><td>{{ c.note }}</td></tr>'
        "{% endmacro %}"
        "{% block body %}<h1>{{ customer }}</h1>{{ icon }}<table>"
        "{% for c in contracts %}{{ row(c) }}\n{% endfor %}</table>"
        "{% if not contracts %}<p>{{ _('Nothing here') }}</p>{% endif %}{{ count }}"
        "{% endblock %}"
    ),
}
CONTEXT = {
    "lang": "de",
    "token": "tok-123_ABC",
    "customer": 'Ö\'Brien & "Söhne" <GmbH>',
    "icon": Markup('<svg class="icon"><use href="#i-folder"></use></svg>'),
    "contracts": [
        {"id": n, "line": f"Hausrat {n} & Co", "premium": 10.5 + n, "note": "<b>fett</b>"}
        for n in range(5)
    ],
    "count": 5,
    "_": lambda text: Markup(text),  # noqa: S704 - a translation is trusted markup
}


def _render(finalize: Callable[[Any], Any] | None = None) -> str:
    env = Environment(loader=DictLoader(TEMPLATES), autoescape=True)
    if finalize is not None:
        env.finalize = finalize
    return env.get_template("page.html").render(CONTEXT)


def test_the_cut_page_renders_back_to_the_same_bytes() -> None:
    page = _render()
    segments, tail = capture.cut(_render(capture._mark))
    assert len(segments) >= 20  # every escaped value is a value, not literal markup
    assert segments[0] == ('<!doctype html><html lang="', "de")
    assert segments[1] == ('"><title>', CONTEXT["customer"])
    assert segments[2] == (' – Ordner</title><body data-csrf=\'{"X-CSRF-Token": "', "tok-123_ABC")
    parts = tuple((Markup(literal), value) for literal, value in segments)  # noqa: S704
    assert limits_app.flat.render(parts=parts, tail=Markup(tail)) == page  # noqa: S704
    assert capture.Captured(200, [], segments, tail).body == page.encode()


def test_values_that_do_not_escape_back_stay_literal() -> None:
    marked = f"<p>{capture.OPEN}a &amp; b{capture.CLOSE} {capture.OPEN}&nbsp;{capture.CLOSE}</p>"
    segments, tail = capture.cut(marked)
    assert segments == [("<p>", "a & b")]
    assert tail == " &nbsp;</p>"


def test_per_request_tokens_are_masked_and_nothing_else() -> None:
    token = b"Zq3_" + b"x9" * 20
    digitless = b"VietGNveliN-JbZz_iLcG_GJpwZPURlQSiIPpHiVFQs"  # once failed a benchmark run
    body = b'<input value="' + token + b'"> VS-00001234 Rechtsschutzversicherung ' + digitless
    body += b" Kfz-Haftpflichtversicherung htmx-indicator-page-loading"
    assert capture.masked(body) == (
        b'<input value="<per-request token>"> VS-00001234 Rechtsschutzversicherung '
        b"<per-request token> Kfz-Haftpflichtversicherung htmx-indicator-page-loading"
    )


@pytest.fixture
def limits_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, bytes, bytes]:
    segments, tail = capture.cut(_render(capture._mark))
    captured = capture.Captured(200, [("content-type", "text/html; charset=utf-8")], segments, tail)
    page = Page("folder", "big", "customer folder", "", "", Ask("/", "big.localhost"))
    download = tmp_path / "file.pdf"
    download.write_bytes(b"%PDF-1.4 " * 100)
    spec = checks.write_spec(
        tmp_path / "limits.pickle",
        [page],
        {("customer folder", "repeat"): [captured], ("customer folder", "rotating"): [captured]},
        [download],
    )
    monkeypatch.setenv("LIMITS_SPEC", str(spec))
    monkeypatch.delenv("DATABASE_URL", raising=False)  # no statements: no pool needed
    return spec, captured.body, download.read_bytes()


async def test_zero_and_lean_routes_answer_the_captured_bytes(
    limits_spec: tuple[Path, bytes, bytes],
) -> None:
    _, body, pdf = limits_spec
    app = limits_app.app
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://limits") as client:
            for kind in ("zero", "lean"):
                response = await client.get(f"/{kind}/folder-rotating/0")
                assert response.status_code == 200
                assert response.content == body
                assert response.headers["content-type"] == "text/html; charset=utf-8"
            assert (await client.get("/file/0")).content == pdf


def test_sample_spreads_over_the_list_and_starts_at_the_first() -> None:
    assert checks.sample(1000, 5) == [0, 250, 500, 749, 999]
    assert checks.sample(3, 5) == [0, 1, 2]
