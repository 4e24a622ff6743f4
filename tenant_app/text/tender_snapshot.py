"""A tender's frozen risk as the backoffice reads it: the customer fields the broker shared,
the risks with their attributes, the answers to the product line's questions, the free texts
and the documents, each value in the reader's language and format.

The snapshot is JSON written once at the start (services of the broker's side); this only
reads it and copes with what an older snapshot may lack.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tenant_app.schemas.product_lines import line_label
from tenant_app.schemas.tender_questions import question_labels
from tenant_app.text.case_risks import shown_attributes, shown_value
from tenant_app.text.formatting import fmt_date
from tenant_app.text.i18n import gettext
from tenant_app.text.labels import COUNTRIES, N_

Pairs = list[tuple[str, str]]

CUSTOMER_LABELS = {
    "name": N_("Name"),
    "full_name": N_("Name"),
    "first_name": N_("First name"),
    "last_name": N_("Last name"),
    "company": N_("Company"),
    "company_name": N_("Company"),
    "legal_form": N_("Legal form"),
    "birthdate": N_("Date of birth"),
    "street": N_("Street"),
    "postal_code": N_("Postal code"),
    "city": N_("City"),
    "country": N_("Country"),
    "email": N_("E-mail"),
    "phone": N_("Phone"),
    "customer_number": N_("Customer number"),
}


@dataclass(frozen=True)
class RiskView:
    label: str
    line: str
    attributes: Pairs


@dataclass(frozen=True)
class DocumentRef:
    id: int
    name: str


@dataclass(frozen=True)
class SnapshotView:
    customer: Pairs
    risks: list[RiskView]
    answers: Pairs
    free_texts: Pairs
    documents: list[DocumentRef] = field(default_factory=list)


def _text(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{key}: {_text(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_text(item) for item in value)
    return "" if value is None else str(value)


def _customer_value(key: str, value: Any) -> str:
    """A date in the reader's format, a country by its name; anything else as stored."""
    if key == "birthdate":
        with contextlib.suppress(ValueError):
            return fmt_date(date.fromisoformat(str(value)))
    if key == "country" and value in COUNTRIES:
        return COUNTRIES[str(value)]
    return _text(value)


def _customer(raw: Any) -> Pairs:
    if not isinstance(raw, Mapping):
        return []
    return [
        (
            gettext(CUSTOMER_LABELS[key]) if key in CUSTOMER_LABELS else str(key),
            _customer_value(str(key), value),
        )
        for key, value in raw.items()
        if _text(value)
    ]


def _risks(raw: Any, product_line: str) -> list[RiskView]:
    risks = []
    for risk in raw if isinstance(raw, list) else []:
        if not isinstance(risk, Mapping):
            continue
        line = str(risk.get("product_line") or product_line)
        attributes = risk.get("attributes")
        risks.append(
            RiskView(
                label=_text(risk.get("label")),
                line=line_label(line),
                attributes=shown_attributes(line, attributes)
                if isinstance(attributes, Mapping)
                else [],
            )
        )
    return risks


def _answers(raw: Any, product_line: str) -> Pairs:
    if not isinstance(raw, Mapping):
        return []
    known = question_labels(product_line) if product_line else {}
    shown = []
    for key, value in raw.items():
        question = known.get(str(key))
        if question is not None:
            shown.append((gettext(question.label), shown_value(question, value)))
        elif _text(value):
            shown.append((str(key), _text(value)))
    return shown


def _free_texts(raw: Any) -> Pairs:
    if isinstance(raw, Mapping):
        return [(str(key), _text(value)) for key, value in raw.items() if _text(value)]
    text = _text(raw).strip()
    return [(gettext("Description"), text)] if text else []


def _documents(raw: Any) -> list[DocumentRef]:
    found = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, Mapping) and str(item.get("id", "")).isdigit():
            name = item.get("filename") or item.get("title") or item.get("name") or ""
            found.append(DocumentRef(id=int(item["id"]), name=str(name)))
    return found


def snapshot_view(snapshot: Mapping[str, Any], product_line: str) -> SnapshotView:
    line = str(snapshot.get("product_line") or product_line)
    return SnapshotView(
        customer=_customer(snapshot.get("customer")),
        risks=_risks(snapshot.get("risks"), line),
        answers=_answers(snapshot.get("answers"), line),
        free_texts=_free_texts(snapshot.get("free_text", snapshot.get("free_texts"))),
        documents=_documents(snapshot.get("documents")),
    )
