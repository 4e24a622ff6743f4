"""The product's fixed choices, defined once: models, rules, forms and templates read them here."""

from __future__ import annotations

import re

from tenant_app.text.legal_forms import with_legal_form

FOLDERS = ("insurance", "finance", "other", "emergency")  # the four folders, in their order
FOLDER_LEVELS = ("none", "read", "write")  # a staff member's access to one folder
STAFF_ROLES = ("admin", "mitarbeiter", "netzwerkpartner", "experte")
RIGHT_FLAGS = (  # a staff member's rights besides folders (the admin role has all of them)
    "sees_all_contacts",
    "handles_tickets",
    "handles_chat",
    "manages_contacts",
    "manages_users",
    "manages_settings",
)
# The customer's permission columns (CustomerAccess), in one place for the hand-written SQL.
ACCESS_FIELDS = tuple(
    f"{folder}_{flag}" for folder in FOLDERS for flag in ("unlock", "share", "readonly")
) + ("profile_visible", "profile_editable", "communication")
CONTRACT_STATUSES = ("active", "offer", "start", "prospect", "cancelled", "ended")
# Advice cases (Vorgänge): their statuses, the closed ones (changed only by reopening), the
# product lines a case and its risks are about (schemas/cases.py defines their attributes),
# the types a risk attribute can have, and what a jump-in link can lead to.
CASE_STATUSES = ("open", "in_progress", "offered", "completed", "cancelled")
CLOSED_CASE_STATUSES = ("completed", "cancelled")
# Logins: staff and customers of a broker; API tokens' technical accounts; and in the
# platform's own space, operators and backoffice people.
USER_KINDS = ("staff", "customer", "api", "operator", "backoffice")
# Tenders (Ausschreibungen): new (nobody at the backoffice has taken it), open (being worked
# on), question (the backoffice waits for the broker's answer), offered (offers released),
# chosen (the broker chose one), withdrawn (the broker called it off).
TENDER_STATUSES = ("new", "open", "question", "offered", "chosen", "withdrawn")
CLOSED_TENDER_STATUSES = ("chosen", "withdrawn")
# Offers of a case: where they come from, and where they stand (a tender's are drafts until
# the backoffice releases them; an expired one cannot be chosen).
OFFER_SOURCES = ("staff", "api", "interface", "tender")
OFFER_STATUSES = ("draft", "released", "chosen", "declined")
# Insurer interfaces: whether an insured object is insured or the customer declined
# (recorded as "Nicht versichert"); where an application through a plug-in stands.
INSURANCE_STATES = ("open", "insured", "declined")
APPLICATION_STATUSES = ("draft", "submitted", "signed", "finalized", "cancelled")
SIGNATURE_KINDS = ("upload", "click")
PRODUCT_LINES = (
    "kfz",
    "wohngebaeude",
    "hausrat",
    "privathaftpflicht",
    "berufsunfaehigkeit",
    "rechtsschutz",
    "unfall",
    "leben",
    "kranken",
    "gewerbe",
    "fahrrad",
    "sonstige",
)
RISK_ATTRIBUTE_TYPES = ("text", "int", "decimal", "date", "bool", "choice")
JUMP_TARGETS = ("case", "contact")
# What a webhook endpoint can subscribe to (services/webhooks.py maps event kinds to them).
WEBHOOK_EVENT_TYPES = (
    "contact.created",
    "contact.updated",
    "contact.deleted",
    "contract.created",
    "contract.updated",
    "contract.deleted",
    "document.created",
    "document.updated",
    "document.deleted",
    "ticket.message",
    "ticket.closed",
    "case.created",
    "case.updated",
    "claim.reported",
    "claim.updated",
    "offer.accepted",
    "offer.requested",
    "chat.message",
)
# Claims (Schäden): what happened, and the statuses the customer sees, in their order.
CLAIM_KINDS = (
    "vehicle",
    "household",
    "building",
    "liability",
    "legal",
    "health",
    "travel",
    "other",
)
CLAIM_STATUSES = ("reported", "in_progress", "at_insurer", "settled", "rejected", "closed")
OPEN_CLAIM_STATUSES = ("reported", "in_progress", "at_insurer")
# The portal's modules a tenant admin switches on or off (Tenant.modules).
MODULES = ("offers", "claims", "first_information", "push", "new_customers", "chat")
NEW_TENANT_MODULES = "offers,claims,first_information,push,chat"  # a new tenant's modules
# What the broker is under § 34d GewO, for the first information (Erstinformation).
BROKER_STATUSES = ("makler", "berater", "vertreter")
PAYMENT_FREQUENCIES = ("monthly", "quarterly", "half_yearly", "yearly", "single")
PAYMENT_METHODS = ("direct_debit", "transfer", "invoice", "other")
DOCUMENT_CATEGORIES = (
    "policy",
    "application",
    "invoice",
    "correspondence",
    "claim",
    "identity",
    "other",
)
# A contact's country (ISO 3166-1 alpha-2, DE first) and how many digits its postcodes have.
POSTCODE_DIGITS = {"DE": 5, "AT": 4, "CH": 4}
COUNTRIES = tuple(POSTCODE_DIGITS)
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # the A-Z jump of the insurer lists
EMAIL_RE = re.compile(r"^[^@\s<>\"',;]{1,64}@[a-z0-9.-]{1,189}\.[a-z]{2,}$", re.IGNORECASE)


def company_display(name: str, legal_form: str) -> str:
    """Company name with its legal form exactly once (never "GmbH GmbH"): text/legal_forms.py."""
    return with_legal_form(name, legal_form)


# What an API token may do: read or write per resource (write includes read). `jump_links`
# is a scope of its own: a jump-in link logs a staff member in (services/jump_links.py).
API_RESOURCES = (
    "contacts",
    "contracts",
    "documents",
    "tickets",
    "cases",
    "imports",
    "jump_links",
)
API_SCOPES = tuple(
    f"{resource}:{level}" for resource in API_RESOURCES for level in ("read", "write")
)

# Legal duties (models/legal.py). Retention classes: one per document category and record
# type; their legal minimum periods live in services/retention_rules.py with their sources.
RETENTION_CLASSES = (
    "document_policy",
    "document_application",
    "document_invoice",
    "document_correspondence",
    "document_claim",
    "document_identity",
    "document_other",
    "contract",
    "conversation",
    "advice_record",
)
LEGAL_FORMS = (  # the broker firm's legal form (Tenant.broker_legal_form), as printed
    "",  # Einzelunternehmen, not in the commercial register
    "e.K.",
    "GbR",
    "OHG",
    "KG",
    "GmbH & Co. KG",
    "GmbH",
    "UG (haftungsbeschränkt)",
    "AG",
    "PartG",
    "PartG mbB",
)
DATA_REQUEST_KINDS = ("export", "erasure")
DATA_REQUEST_STATUSES = ("open", "done", "refused")
CONSENT_KINDS = ("health_data",)  # Art. 9 GDPR: health data (life, disability, health)
SPECIAL_CATEGORY_LINES = ("leben", "berufsunfaehigkeit", "kranken")  # need CONSENT "health_data"
