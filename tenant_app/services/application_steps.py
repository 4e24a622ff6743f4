"""A plug-in's application steps as forms: its declared fields checked like a risk's typed
attributes (schemas/risk_values.py), in the reader's language; first values taken from the
insured object and the contact; the order of the steps and which one still lacks answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenant_app.models.contacts import Contact
from tenant_app.models.interfaces import InsuredObject
from tenant_app.plugins import Field, InsurerPlugin, Step, text_in
from tenant_app.schemas.base import FormInput, checked
from tenant_app.schemas.product_lines import RiskAttribute
from tenant_app.schemas.risk_values import model_of, shown_values, stored_values
from tenant_app.text.i18n import gettext as _


def attribute_of(field: Field, language: str) -> RiskAttribute:
    """The field as a typed attribute, its texts in `language`."""
    return RiskAttribute(
        field.key,
        field.type,
        text_in(field.label, language),
        field.required,
        choices=tuple((value, text_in(label, language)) for value, label in field.choices),
        minimum=field.minimum,
        maximum=field.maximum,
        max_length=field.max_length,
        pattern=field.pattern,
        pattern_message=text_in(field.pattern_message, language)
        or (_("Please check the format.") if field.pattern else ""),
    )


def _model(step: Step, language: str) -> type[FormInput]:
    attributes = tuple(attribute_of(field, language) for field in step.fields)
    return model_of(f"Step_{step.key}", attributes)


def check_step(
    step: Step, values: Mapping[str, Any], language: str
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The step's answers as stored (JSON values), or None and a message per field key."""
    found, errors = checked(_model(step, language), values)
    for field in step.fields:  # told with the other messages, not in a second round
        given = str(values.get(field.key) or "").strip().lower()
        if field.must_be_true and given not in ("on", "1", "true", "yes"):
            errors.setdefault(field.key, _("Please confirm this to continue."))
    if found is None or errors:
        return None, errors
    return stored_values(found.model_dump()), {}


def contact_values(contact: Contact) -> dict[str, Any]:
    """What a plug-in may read of the contact (prefills, and the calls' `contact`)."""
    return {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "company_name": contact.company_name,
        "birth_date": contact.birthdate.isoformat() if contact.birthdate else "",
        "street": contact.street,
        "postal_code": contact.postal_code,
        "city": contact.city,
        "country": contact.country,
        "email": contact.email,
        "phone": contact.phone,
    }


def object_values(insured: InsuredObject) -> dict[str, Any]:
    return {**insured.attributes, "label": insured.label, "product_line": insured.product_line}


def prefilled(plugin: InsurerPlugin, insured: InsuredObject, contact: Contact) -> dict[str, Any]:
    """First answers: each field's `prefill` source, where it has a value."""
    sources = {"object": object_values(insured), "contact": contact_values(contact)}
    answers: dict[str, Any] = {}
    for step in plugin.steps:
        for field in step.fields:
            source, _dot, name = field.prefill.partition(".")
            value = sources.get(source, {}).get(name) if field.prefill else None
            if value not in (None, ""):
                answers[field.key] = value
    return answers


def step_of(plugin: InsurerPlugin, key: str) -> Step | None:
    return next((step for step in plugin.steps if step.key == key), None)


def after(plugin: InsurerPlugin, key: str) -> Step | None:
    keys = [step.key for step in plugin.steps]
    index = keys.index(key) if key in keys else -1
    return plugin.steps[index + 1] if 0 <= index < len(keys) - 1 else None


def before(plugin: InsurerPlugin, key: str) -> Step | None:
    keys = [step.key for step in plugin.steps]
    index = keys.index(key) if key in keys else 0
    return plugin.steps[index - 1] if index > 0 else None


def first_unanswered(
    plugin: InsurerPlugin, answers: Mapping[str, Any], language: str
) -> tuple[Step | None, dict[str, str]]:
    """The first step whose stored answers do not pass its checks (with the messages), or
    None when all do: what submitting checks again, the steps could have been skipped."""
    for step in plugin.steps:
        wanted = {field.key: answers.get(field.key) for field in step.fields}
        _clean, errors = check_step(step, wanted, language)
        if errors:
            return step, errors
    return None, {}


def form_values(step: Step, answers: Mapping[str, Any]) -> dict[str, str]:
    """Stored answers as the step's form shows them again (decimal comma, a yes as "on")."""
    return shown_values(((field.key, field.type) for field in step.fields), answers)
