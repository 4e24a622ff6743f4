"""Form models for the folders: contracts and document facts, one row per rule."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest

from tenant_app.schemas.base import checked
from tenant_app.schemas.folders import ContractInput, DocumentMetaInput
from tenant_app.text import i18n

REQUIRED = "This field is required."
TOO_LONG = "Please enter at most %s characters."
BAD_NUMBER = "Please use only letters, digits, spaces and - / . _"
BAD_DATE = "Please enter a valid date, e.g. 03.04.1985."
CONTRACT = {
    "product_line": " Hausrat ",
    "insurer": " Allianz ",
    "insurance_number": " AB-12/3._4 ",
    "status": "active",
}


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with i18n.using("en"):
        yield


def test_a_contract_is_typed_and_cleaned() -> None:
    contract, errors = checked(ContractInput, {**CONTRACT, "gross_premium": "1.234,5"})
    assert errors == {}
    assert contract is not None
    assert contract.model_dump() == {
        "product_line": "Hausrat",
        "insurer": "Allianz",
        "insurance_number": "AB-12/3._4",
        "status": "active",
        "payment_method": "",
        "payment_frequency": "",
        "gross_premium": Decimal("1234.50"),
        "note": "",
        "valid_until": None,
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("product_line", "  ", REQUIRED),
        ("product_line", None, REQUIRED),  # not sent at all
        ("product_line", "x" * 101, TOO_LONG % 100),
        ("product_line", " " * 101, TOO_LONG % 100),  # the length wins, as typed
        ("insurer", "", REQUIRED),
        ("insurance_number", " ", REQUIRED),
        ("insurance_number", "x" * 61, BAD_NUMBER),
        ("insurance_number", "AB#1", BAD_NUMBER),
        ("status", "", "Please choose a status."),
        ("status", " active", "Please choose a status."),
        ("payment_method", "cash", "Please choose a payment method."),
        ("payment_method", " ", "Please choose a payment method."),
        ("payment_frequency", "weekly", "Please choose a payment frequency."),
        ("gross_premium", "-1", "Please enter an amount in euros, e.g. 1.234,56."),
        ("gross_premium", "12,345", "Please enter an amount in euros, e.g. 1.234,56."),
        ("note", " " * 2001, TOO_LONG % 2000),
    ],
)
def test_a_contract_field_is_refused(field: str, value: str | None, message: str) -> None:
    values = (
        {**CONTRACT, field: value}
        if value is not None
        else {name: text for name, text in CONTRACT.items() if name != field}
    )
    contract, errors = checked(ContractInput, values)
    assert contract is None
    assert errors == {field: message}


@pytest.mark.parametrize(
    ("field", "value", "stored"),
    [
        ("insurance_number", " " + "x" * 60 + " ", "x" * 60),
        ("insurance_number", "Ä١２ 7", "Ä١２ 7"),
        ("payment_method", "", ""),
        ("payment_frequency", "monthly", "monthly"),
        ("gross_premium", " ", None),
        ("gross_premium", "89.90", Decimal("89.90")),
        ("note", " a " + "x" * 1997, "a " + "x" * 1997),
    ],
)
def test_a_contract_field_is_accepted(field: str, value: str, stored: object) -> None:
    contract, errors = checked(ContractInput, {**CONTRACT, field: value})
    assert errors == {}
    assert getattr(contract, field) == stored


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"title": " Police "}, ("Police", "other", None, "")),
        ({"title": "t" * 250}, ("t" * 200, "other", None, "")),  # cut, not refused
        (
            {"title": "P", "category": "claim", "document_date": "2100-01-01", "note": " n "},
            ("P", "claim", date(2100, 1, 1), "n"),
        ),
        ({"title": "P", "document_date": " 3.4.1985 "}, ("P", "other", date(1985, 4, 3), "")),
    ],
)
def test_document_facts_are_cleaned(values: dict[str, str], expected: tuple[object, ...]) -> None:
    meta, errors = checked(DocumentMetaInput, values)
    assert errors == {}
    assert meta is not None
    assert (meta.title, meta.category, meta.document_date, meta.note) == expected


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({}, {"title": REQUIRED}),
        ({"title": "P", "category": "Other"}, {"category": "Please choose a category."}),
        ({"title": "P", "document_date": "2100-01-02"}, {"document_date": BAD_DATE}),
        ({"title": "P", "document_date": "31.02.2000"}, {"document_date": BAD_DATE}),
        ({"title": " ", "note": "x" * 2001}, {"title": REQUIRED, "note": TOO_LONG % 2000}),
    ],
)
def test_document_facts_are_refused(values: dict[str, str], errors: dict[str, str]) -> None:
    assert checked(DocumentMetaInput, values) == (None, errors)
