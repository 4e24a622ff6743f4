"""The settings and login form models: white label, insurer names, language, login."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tenant_app.schemas.auth import LoginInput
from tenant_app.schemas.base import checked
from tenant_app.schemas.settings import BrandingInput, InsurerInput, LanguageInput
from tenant_app.text import i18n

COLOUR = "Please enter a colour as #rrggbb, e.g. #0b5cab."


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The messages in their English source form, whatever the process default is."""
    with i18n.using("en"):
        yield


def test_branding_is_cleaned_to_its_columns() -> None:
    values = {
        "theme": "whatever",  # whether it exists is the service's question
        "primary_color": " 0B5CAB ",
        "secondary_color": "",
        "text_color": "#112233",
        "address_form": "du",
        "imprint_html": "<p>Impressum</p><script>x()</script>",
        "signature_html": "<p> </p>",
    }
    branding, errors = checked(BrandingInput, values)
    assert errors == {}
    assert branding is not None
    assert branding.model_dump() == {
        "theme": "whatever",
        "primary_color": "#0b5cab",
        "secondary_color": None,
        "text_color": "#112233",
        "address_form": "du",
        "imprint_html": "<p>Impressum</p>",
        "signature_html": "",
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("primary_color", "#0b5ca", COLOUR),
        ("text_color", "blue", COLOUR),
        ("address_form", "", "Please choose Sie or Du."),
        ("address_form", "Du", "Please choose Sie or Du."),
        (
            "imprint_html",
            "x" * 20_001,
            "This text is too long (at most 20000 characters of formatting and text).",
        ),
    ],
)
def test_branding_field_rules(field: str, value: str, message: str) -> None:
    branding, errors = checked(BrandingInput, {"address_form": "sie", field: value})
    assert branding is None
    assert errors == {field: message}


def test_a_missing_form_of_address_is_refused() -> None:
    _branding, errors = checked(BrandingInput, {})
    assert errors == {"address_form": "Please choose Sie or Du."}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("  Alte   Leipziger ", "Alte Leipziger"),
        ("x" * 200, "x" * 200),
        ("", None),
        ("x" * 201, None),
    ],
)
def test_insurer_names(name: str, expected: str | None) -> None:
    insurer, errors = checked(InsurerInput, {"name": name})
    if expected is None:
        assert errors == {"name": "Please enter a name (at most 200 characters)."}
    else:
        assert insurer is not None and insurer.name == expected


@pytest.mark.parametrize(
    ("language", "ok"), [("de", True), ("en", True), ("fr", False), ("", False)]
)
def test_languages(language: str, ok: bool) -> None:
    choice, errors = checked(LanguageInput, {"language": language})
    assert (choice is not None) is ok
    assert errors == ({} if ok else {"language": "Please choose a language."})


@pytest.mark.parametrize(
    ("identifier", "password", "errors"),
    [
        (" Chef@Alpha.Example ", " ", {}),  # a password is taken as typed
        (
            "  ",
            "",
            {
                "identifier": "Please enter your username or e-mail address.",
                "password": "Please enter your password.",
            },
        ),
    ],
)
def test_login(identifier: str, password: str, errors: dict[str, str]) -> None:
    login, found = checked(LoginInput, {"identifier": identifier, "password": password})
    assert found == errors
    if login is not None:
        assert login.identifier == "chef@alpha.example"
        assert "password" not in repr(login)  # never shown in a log or traceback
