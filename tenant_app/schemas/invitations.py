"""The invitation dialog's choices: what is shared, Sie or Du, e-mails filled in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tenant_app.schemas.rules import email_error
from tenant_app.text.i18n import gettext as _
from tenant_app.vocabulary import DOCUMENT_CATEGORIES

SHARE_MODES = ("all", "categories")
ADDRESS_FORMS = ("sie", "du")
EMAIL_FIELD = "email_"  # + the contact id: an e-mail filled in for a contact without one


@dataclass(frozen=True)
class InviteOptions:
    share: str = "categories"  # all | categories
    categories: tuple[str, ...] = ()
    address_form: str = "sie"
    emails: dict[int, str] = field(default_factory=dict)  # contact id -> filled-in address

    def stored(self) -> dict[str, Any]:
        """As kept on the batch (JSON)."""
        return {
            "share": self.share,
            "categories": list(self.categories),
            "address_form": self.address_form,
            "emails": {str(key): value for key, value in self.emails.items()},
        }

    @classmethod
    def from_stored(cls, values: dict[str, Any]) -> InviteOptions:
        emails = values.get("emails") or {}
        return cls(
            share=str(values.get("share", "categories")),
            categories=tuple(str(c) for c in values.get("categories") or ()),
            address_form=str(values.get("address_form", "sie")),
            emails={int(key): str(value) for key, value in emails.items()},
        )


def categories_of(text: str) -> tuple[str, ...]:
    """A comma-list of categories (Tenant.recommended_categories), known ones only."""
    return tuple(c for c in (p.strip() for p in text.split(",")) if c in DOCUMENT_CATEGORIES)


def read_options(
    values: dict[str, Any], *, without_email: list[int]
) -> tuple[InviteOptions, dict[str, str]]:
    """The dialog's choices and a message per failing field (`email_<id>` for each contact
    without an address: its field must hold a valid one)."""
    errors: dict[str, str] = {}
    share = str(values.get("share", ""))
    if share not in SHARE_MODES:
        errors["share"] = _("Please choose what to share.")
    chosen = values.get("categories") or []
    categories = tuple(c for c in DOCUMENT_CATEGORIES if c in chosen)
    if share == "categories" and not categories:
        errors["categories"] = _("Please choose at least one category.")
    address_form = str(values.get("address_form", ""))
    if address_form not in ADDRESS_FORMS:
        errors["address_form"] = _("Please choose Sie or Du.")
    emails: dict[int, str] = {}
    for contact_id in without_email:
        name = f"{EMAIL_FIELD}{contact_id}"
        typed = str(values.get(name, "")).strip().lower()
        if message := email_error(typed):
            errors[name] = message
        emails[contact_id] = typed
    seen: dict[str, int] = {}
    for contact_id, address in emails.items():
        if address and address in seen:
            errors[f"{EMAIL_FIELD}{contact_id}"] = _("This address is given twice.")
        seen.setdefault(address, contact_id)
    return InviteOptions(share, categories, address_form, emails), errors
