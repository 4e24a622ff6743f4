"""The password rules on their own (schemas/passwords.py); the pages are in tests/web."""

from __future__ import annotations

from datetime import date

import pytest

from tenant_app.schemas.passwords import new_password_error

PERSON = {
    "birthdate": date(1982, 5, 9),
    "username": "kai.jaeger",
    "email": "k.jaeger@web.example",
    "first_name": "Kai",
    "last_name": "Jäger",
}


@pytest.mark.parametrize(
    "password",
    [
        "09051982ab",  # the PIN plus two letters
        "Wolke 09.05.1982",
        "Wolke 9.5.1982!",
        "Wolke-090582-x",
        "1982-05-09-Wolke",
        "Wolke19820509",
        "Wolke 05/09/1982",
    ],
)
def test_the_birthdate_in_any_usual_form_is_refused(password) -> None:
    assert new_password_error(password, **PERSON) == (
        "Das Passwort darf das Geburtsdatum nicht enthalten."
    )


@pytest.mark.parametrize(
    "password",
    [
        "Jaeger-Wolke-77",
        "JÄGER-wolke-77",
        "kai.jaeger-77",
        "Wolke Kai 2024!",
        "k.jaeger@web.example",
    ],
)
def test_name_username_and_mail_are_refused(password) -> None:
    error = new_password_error(password, **PERSON)
    assert error and "weder den Namen" in error


@pytest.mark.parametrize(
    "password",
    ["Kaiserschmarrn-77", "Webseite-Wolke-7", "Sommerwiese-2026", "Fahrrad rot Wolke 9"],
)
def test_reasonable_passwords_pass(password) -> None:
    # "Kai" only counts as a word of its own; the mail provider ("web") is no personal data
    assert new_password_error(password, **PERSON) is None


def test_length_bounds() -> None:
    assert "mindestens 10" in (new_password_error("Wolke-7!x", **PERSON) or "")
    assert "höchstens 128" in (new_password_error("Wolke-7!x" * 20, **PERSON) or "")
