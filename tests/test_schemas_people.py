"""The staff-user and profile form models: dense field rules as a table."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from tenant_app.schemas.base import checked
from tenant_app.schemas.people import ContactInput, ProfileInput, StaffUserInput
from tenant_app.text import i18n
from tenant_app.vocabulary import FOLDERS, RIGHT_FLAGS

STAFF = {
    "first_name": " Greta ",
    "last_name": "Gross",
    "email": "Greta@Alpha.Example",
    "birthdate": "1990-05-17",
    "role": "experte",
}


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The messages in their English source form, whatever the process default is."""
    with i18n.using("en"):
        yield


def test_the_staff_model_has_a_field_per_folder_and_right() -> None:
    rights = [f"access_{folder}" for folder in FOLDERS] + list(RIGHT_FLAGS)
    assert list(StaffUserInput.model_fields)[6:] == rights


def test_a_staff_user_is_cleaned_to_their_columns() -> None:
    rights = {"access_finance": "write", "access_other": "admin", "manages_users": True}
    staff, errors = checked(StaffUserInput, {**STAFF, **rights})
    assert errors == {}
    assert staff is not None
    assert staff.model_dump() == {
        "first_name": "Greta",
        "last_name": "Gross",
        "email": "greta@alpha.example",
        "birthdate": date(1990, 5, 17),
        "phone": "",
        "role": "experte",
        "access_insurance": "none",  # missing: no access
        "access_finance": "write",
        "access_other": "none",  # unknown level: no access, no message
        "access_emergency": "none",
        "sees_all_contacts": False,
        "handles_tickets": False,
        "handles_chat": False,
        "manages_contacts": False,
        "manages_users": True,
        "manages_settings": False,
    }


def test_a_missing_role_is_mitarbeiter() -> None:
    staff, _errors = checked(StaffUserInput, {k: v for k, v in STAFF.items() if k != "role"})
    assert staff is not None and staff.role == "mitarbeiter"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", "  ", "This field is required."),
        ("last_name", "", "This field is required."),
        ("email", "", "Please enter an e-mail address."),
        ("email", "greta@", "Please enter a valid e-mail address."),
        ("birthdate", "", "Please enter the date of birth."),
        ("birthdate", "31.02.1990", "Please enter a valid date, e.g. 03.04.1985."),
        ("birthdate", "01.01.1899", "Please check the year of birth."),
        ("role", "", "Please choose a role."),
        ("role", " admin", "Please choose a role."),  # a choice is taken as sent
        ("role", "kunde", "Please choose a role."),
    ],
)
def test_staff_field_rules(field: str, value: str, message: str) -> None:
    staff, errors = checked(StaffUserInput, {**STAFF, field: value})
    assert staff is None
    assert errors == {field: message}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({}, {"street": "", "country": "DE", "postal_code": "", "city": "", "phone": ""}),
        (
            {"street": " Weg 1 ", "postal_code": " 12345 ", "city": " Ulm", "phone": "+49 30/1-2"},
            {
                "street": "Weg 1",
                "country": "DE",
                "postal_code": "12345",
                "city": "Ulm",
                "phone": "+49 30/1-2",
            },
        ),
        (
            {"country": "AT", "postal_code": "1010", "city": "Wien"},
            {"street": "", "country": "AT", "postal_code": "1010", "city": "Wien", "phone": ""},
        ),
    ],
)
def test_a_profile_is_stripped(values: dict[str, str], expected: dict[str, str]) -> None:
    profile, errors = checked(ProfileInput, values)
    assert errors == {}
    assert profile is not None and profile.model_dump() == expected


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postal_code", "1234", "Postal code for Germany: 5 digits, please."),
        ("postal_code", "123456", "Postal code for Germany: 5 digits, please."),
        ("postal_code", "12a45", "Postal code for Germany: 5 digits, please."),
        ("postal_code", "１２３４５", "Postal code for Germany: 5 digits, please."),
        ("country", "FR", "Please choose a country."),
        ("country", " AT", "Please choose a country."),  # a choice is taken as sent
        ("phone", "030 123x", "Please enter a phone number using digits, spaces and + - / ( )."),
        ("phone", "030.123", "Please enter a phone number using digits, spaces and + - / ( )."),
    ],
)
def test_profile_field_rules(field: str, value: str, message: str) -> None:
    profile, errors = checked(ProfileInput, {field: value})
    assert profile is None
    assert errors == {field: message}


@pytest.mark.parametrize(
    ("country", "code", "message"),
    [
        ("DE", "50667", None),
        ("AT", "1010", None),
        ("CH", "8001", None),
        ("", "50667", None),  # no country: Germany, the column's default
        ("AT", "50667", "Postal code for Austria: 4 digits, please."),
        ("CH", "80010", "Postal code for Switzerland: 4 digits, please."),
        ("DE", "1010", "Postal code for Germany: 5 digits, please."),
    ],
)
def test_the_postal_code_follows_the_country(country: str, code: str, message: str | None) -> None:
    for model in (ProfileInput, ContactInput):
        values = {**STAFF, "country": country, "postal_code": code}
        _input, errors = checked(model, values)
        assert errors.get("postal_code") == message
