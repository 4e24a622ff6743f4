"""The templates' context calls functions and macros the short way, and gives exactly what
Jinja's own context gives, for every kind of callable a template meets."""

from __future__ import annotations

from functools import lru_cache

import pytest
from jinja2 import Environment, pass_context, pass_environment, pass_eval_context
from jinja2.runtime import Context

from tenant_app.templating import _Context, _Environment, _template_gettext, templates
from tenant_app.text import i18n


@pass_context
def seen(context: Context, name: str) -> str:
    return str(context.get(name))


@pass_eval_context
def escaping(eval_ctx: object, text: str) -> str:
    return f"{text}:{getattr(eval_ctx, 'autoescape', None)}"


@lru_cache(maxsize=8)
@pass_eval_context
def cached_escaping(eval_ctx: object, text: str) -> str:
    return f"{text}:{getattr(eval_ctx, 'autoescape', None)}"


@pass_environment
def environment_name(environment: Environment) -> str:
    return type(environment).__name__


def stops() -> str:
    raise StopIteration


class Greeter:
    def __call__(self, name: str) -> str:
        return f"Hallo {name}"


SOURCE = (
    "{% macro box(x) %}[{{ x }}{{ caller() if caller }}]{% endmacro %}"
    "{% set outer = 'o' %}"
    # a loop's variable is not the context's (Jinja's rule): None; a set one is
    "{% for item in ['a', 'b'] %}{{ seen('item') }}{{ seen('outer') }}{% endfor %}|"
    "{{ plain(1, 2) }}|{{ len('abc') }}|{{ escaping('<b>') }}|{{ cached_escaping('<i>') }}|"
    "{{ environment_name() }}|{{ greeter('Kai') }}|{{ box('m') }}|"
    "{% call box('c') %}inner{% endcall %}|{{ stops() }}|{{ {'k': 'v'}.get('k') }}"
)
GLOBALS = {
    "seen": seen,
    "plain": lambda a, b: a + b,
    "len": len,
    "escaping": escaping,
    "cached_escaping": cached_escaping,
    "environment_name": environment_name,
    "stops": stops,
    "greeter": Greeter(),
}


def _render(context_class: type[Context]) -> str:
    env = Environment(autoescape=True)
    env.context_class = context_class
    return env.from_string(SOURCE, globals=GLOBALS).render()


def test_every_kind_of_call_gives_what_jinjas_own_context_gives() -> None:
    ours, jinjas = _render(_Context), _render(Context)
    assert ours == jinjas
    assert ours == (
        "NoneoNoneo|3|3|&lt;b&gt;:True|&lt;i&gt;:True|Environment|Hallo Kai|[m]|[cinner]||v"
    )


def test_the_apps_templates_use_it() -> None:
    assert templates.context_class is _Context


def test_a_template_reads_the_environments_globals_as_they_are_now() -> None:
    """Templates share the environment's globals dict (no ChainMap copy per render): one
    added after the template was loaded is seen, and the app's templates render with it."""
    env = _Environment(autoescape=True)
    template = env.from_string("{{ later }}")
    env.globals["later"] = "<spät>"
    assert template.globals is env.globals
    assert template.render() == "&lt;spät&gt;"
    assert templates.get_template("_partials/empty.html").globals is templates.globals


def test_a_templates_own_globals_stay_its_own() -> None:
    env = _Environment(autoescape=True)
    env.globals["shared"] = "env"
    own = env.from_string("{{ shared }}/{{ mine }}", globals={"mine": "own"})
    plain = env.from_string("{{ shared }}/{{ mine }}")
    assert own.render() == "env/own"
    assert plain.render() == "env/"
    assert "mine" not in env.globals


GETTEXT_CASES = (
    '{{ _("Download") }}',  # a translated message without variables
    '{{ _("100%% sicher") }}',  # "%%" is one "%" once formatted, as Jinja's gettext gives
    "{{ _(\"%(count)s files, together %(size)s\", count='<3>', size='4 KB') }}",  # escaped
    '{{ _("a %s b") }}',  # printf-style without variables: formatted with {} as Jinja does
)


@pytest.mark.parametrize("source", GETTEXT_CASES)
@pytest.mark.parametrize("autoescape", [True, False])
def test_templates_gettext_gives_what_jinjas_newstyle_gettext_gives(source, autoescape) -> None:
    jinjas = Environment(autoescape=autoescape, extensions=["jinja2.ext.i18n"])  # noqa: S701
    with i18n.using("de"):
        jinjas.install_gettext_callables(  # type: ignore[attr-defined]
            i18n.translations("de").gettext, i18n.translations("de").ngettext, newstyle=True
        )
        ours = _Environment(autoescape=autoescape)
        ours.globals["_"] = _template_gettext()
        for _ in range(2):  # the first call fills the kept translation, the second reads it
            assert ours.from_string(source).render() == jinjas.from_string(source).render()
    with i18n.using("de"):
        assert ours.from_string('{{ _("Download") }}').render() == "Herunterladen"
    with i18n.using("en"):  # kept per language
        assert ours.from_string('{{ _("Download") }}').render() == "Download"


def test_a_message_with_placeholders_but_no_values_fails_as_in_jinja() -> None:
    ours = _Environment(autoescape=True)
    ours.globals["_"] = _template_gettext()
    with i18n.using("de"), pytest.raises(KeyError):
        ours.from_string('{{ _("%(count)s files") }}').render()
