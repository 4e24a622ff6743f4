"""The Radschutz plug-in: its declarations (steps.py) and its four calls, each the insurer's
wire contract (reference_insurer/, issue 20's plan) for the answers the core hands over.

Answers come as JSON values (amounts as decimal strings, dates in ISO); where a step was not
answered yet (the tariff step asks for a quote before the customer's data), the insured
object's attributes and the contact's data stand in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote as quoted

from tenant_app.plugins import (
    Application,
    CallContext,
    DocumentRef,
    InsurerPlugin,
    InsurerRejected,
    Paper,
    PluginBroken,
    Policy,
    Quote,
    Submission,
)
from tenant_app.plugins.radschutz import steps as declared
from tenant_app.plugins.radschutz.client import (
    Wire,
    amount_of,
    date_of,
    euros,
    flag_of,
    frequency_of,
    mapping_of,
    say,
    text_of,
    texts_of,
)

OBJECT_FIELDS = ("object_type", "make", "model", "frame_number", "price", "purchase_date")
CUSTOMER_FIELDS = (
    "first_name",
    "last_name",
    "birth_date",
    "street",
    "postal_code",
    "city",
    "country",
    "email",
)
CENT = Decimal("0.01")


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _amount(value: Any) -> str:
    """A price as the insurer reads it ("2499.00"); what is no number goes as it is, for the
    insurer to refuse on its field."""
    try:
        return str(Decimal(_text(value)).quantize(CENT))
    except (InvalidOperation, ValueError):
        return _text(value)


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else _text(value)


def _flag(value: Any) -> bool:
    return value is True or _text(value).lower() in ("true", "on", "1", "yes")


def _pick(application: Application, key: str) -> Any:
    """The answer to a field, else what the insured object or the contact says of it."""
    for source in (application.answers, application.insured_object, application.contact):
        value = source.get(key)
        if value is not None and value != "":
            return value
    return None


def quote_body(application: Application) -> dict[str, Any]:
    return {
        "object_type": _text(_pick(application, "object_type")),
        "price": _amount(_pick(application, "price")),
        "purchase_date": _iso(_pick(application, "purchase_date")),
        # The premium does not depend on it; the customer's country is asked later.
        "country": _text(_pick(application, "country")) or "DE",
        "instant_cover": _flag(application.answers.get("instant_cover")),
    }


def application_body(application: Application) -> dict[str, Any]:
    answers = application.answers
    item = {key: _text(_pick(application, key)) for key in OBJECT_FIELDS}
    item["price"] = _amount(_pick(application, "price"))
    item["purchase_date"] = _iso(_pick(application, "purchase_date"))
    customer = {key: _text(_pick(application, key)) for key in CUSTOMER_FIELDS}
    customer["birth_date"] = _iso(_pick(application, "birth_date"))
    return {
        "object": item,
        "customer": customer,
        "approved_lock": _flag(answers.get("approved_lock")),
        "leased": _flag(answers.get("leased")),
        "instant_cover": _flag(answers.get("instant_cover")),
    }


def _filename(*parts: str) -> str:
    name = "-".join(re.sub(r"[^A-Za-z0-9_-]+", "-", part).strip("-") for part in parts)
    return f"{name}.pdf"


def _segment(value: str) -> str:
    return quoted(value, safe="")


class RadschutzPlugin(InsurerPlugin):
    """Bicycle, e-bike and battery insurance with Radschutz Versicherung AG."""

    key = "radschutz"
    insurer_name = "Radschutz Versicherung AG"
    reference = True  # the example insurer (reference_insurer/): not offered in production
    description = declared.DESCRIPTION
    countries = declared.COUNTRIES
    object_kinds = declared.OBJECT_KINDS
    credential_fields = declared.CREDENTIAL_FIELDS
    steps = declared.STEPS
    default_base_url = "http://127.0.0.1:8070"
    agent_number_pattern = declared.AGENT_NUMBER_PATTERN
    agent_number_help = declared.AGENT_NUMBER_HELP

    async def quote(self, ctx: CallContext, application: Application) -> Quote:
        wire = Wire(ctx)
        data = await wire.json("quote", "POST", "/v1/quotes", body=quote_body(application))
        tariff = mapping_of(data, "tariff")
        extra = amount_of(data, "instant_cover_premium")
        if not flag_of(data, "instant_cover_available"):
            notes = (say(ctx, "instant_cover_unavailable"),)
        elif _flag(application.answers.get("instant_cover")):
            notes = (say(ctx, "instant_cover_included"),)
        else:
            notes = (say(ctx, "instant_cover", amount=euros(extra, ctx.language)),)
        return Quote(
            tariff_name=text_of(tariff, "name"),
            premium=amount_of(tariff, "premium"),
            frequency=frequency_of(tariff),
            cover=texts_of(tariff, "cover"),
            notes=notes,
        )

    async def submit(self, ctx: CallContext, application: Application) -> Submission:
        """The application, made once per idempotency key (a retry after a lost answer gets
        the same one), and its filled PDF to sign."""
        if not application.idempotency_key:
            raise PluginBroken("submit: the application has no idempotency key")
        wire = Wire(ctx)
        data = await wire.json(
            "submit",
            "POST",
            "/v1/applications",
            body=application_body(application),
            headers={"Idempotency-Key": application.idempotency_key},
        )
        external_id = text_of(data, "application_id")
        pdf = await wire.pdf("submit", text_of(data, "pdf"), not_found="unknown_application")
        label = (
            _text(application.insured_object.get("label"))
            or " ".join(_text(_pick(application, key)) for key in ("make", "model")).strip()
        )
        title = f"Antrag Radschutz {external_id}" + (f" – {label}" if label else "")
        return Submission(
            external_id=external_id,
            premium=amount_of(data, "premium"),
            frequency=frequency_of(data),
            paper=Paper(
                title=title,
                filename=_filename("Antrag-Radschutz", external_id),
                data=pdf,
            ),
        )

    async def finalize(self, ctx: CallContext, application: Application) -> Policy:
        """The policy for the signed application (finalizing twice gives the same one)."""
        if not application.external_id:
            raise PluginBroken("finalize: the application was not submitted")
        if application.signed_at is None or application.signature not in ("upload", "click"):
            raise InsurerRejected(message=say(ctx, "unsigned"), detail="finalize: not signed")
        wire = Wire(ctx)
        data = await wire.json(
            "finalize",
            "POST",
            f"/v1/applications/{_segment(application.external_id)}/finalize",
            body={
                "signed_at": application.signed_at.isoformat(),
                "signature": application.signature,
            },
        )
        documents = data.get("documents")
        if not isinstance(documents, list) or not all(isinstance(d, dict) for d in documents):
            raise PluginBroken("finalize: the answer's documents are no list of objects")
        tariff = data.get("tariff")
        return Policy(
            policy_number=text_of(data, "policy_number"),
            start_date=date_of(data, "start_date"),
            premium=amount_of(data, "premium"),
            frequency=frequency_of(data),
            tariff_name=_text(tariff.get("name")) if isinstance(tariff, Mapping) else "",
            documents=tuple(
                DocumentRef(id=text_of(doc, "id"), title=text_of(doc, "title")) for doc in documents
            ),
        )

    async def fetch_document(
        self, ctx: CallContext, policy: Policy, document: DocumentRef
    ) -> Paper:
        path = f"/v1/policies/{_segment(policy.policy_number)}/documents/{_segment(document.id)}"
        data = await Wire(ctx).pdf("document", path, not_found="unknown_document")
        return Paper(
            title=document.title,
            filename=_filename(document.title or document.id, policy.policy_number),
            data=data,
        )
