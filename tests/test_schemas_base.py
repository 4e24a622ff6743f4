"""Form models: a failing field gets the user's message in their language, the rest pass."""

from __future__ import annotations

from datetime import date

from tenant_app.schemas.base import checked
from tenant_app.schemas.people import ContactInput
from tenant_app.text import i18n

GOOD = {
    "first_name": " Dana ",
    "last_name": "Roth",
    "email": "Dana@Example.org ",
    "birthdate": "03.04.1985",
}


def test_valid_input_is_typed_and_cleaned() -> None:
    contact, errors = checked(ContactInput, GOOD)
    assert errors == {}
    assert contact is not None
    assert (contact.first_name, contact.email, contact.birthdate) == (
        "Dana",
        "dana@example.org",
        date(1985, 4, 3),
    )
    assert contact.company_name == ""


def test_each_failing_field_gets_its_message_in_the_users_language() -> None:
    bad = {**GOOD, "first_name": "  ", "email": "dana@", "birthdate": "31.02.1985"}
    with i18n.using("de"):
        contact, errors = checked(ContactInput, bad)
    assert contact is None
    assert errors == {
        "first_name": "Dieses Feld ist ein Pflichtfeld.",
        "email": i18n.translations("de").gettext("Please enter a valid e-mail address."),
        "birthdate": i18n.translations("de").gettext("Please enter a valid date, e.g. 03.04.1985."),
    }
    assert "Please" not in errors["email"]  # translated, not the English source


def test_a_missing_field_is_required() -> None:
    with i18n.using("en"):
        _contact, errors = checked(ContactInput, {"first_name": "Dana"})
    assert errors == dict.fromkeys(("last_name", "email", "birthdate"), "This field is required.")
