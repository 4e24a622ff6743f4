"""What an event says, in the reader's language: one sentence per kind, for staff (the activity
feed, the bell) and for customers (the bell, the access trail), and an edit's changed fields.

The sentences name the actor (`%(actor)s`, as the page chooses to show them) and the object
(`%(title)s`); the mails of unread notifications use only `short()`, which names neither.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from tenant_app.text.i18n import addressed, gettext
from tenant_app.text.labels import N_, shown_value


def _a(message: str) -> str:
    """Mark a customer-facing sentence for both forms of address (read with `addressed`)."""
    return message


_FOR_STAFF = {
    "contract_added": N_("%(actor)s added the contract %(title)s"),
    "contract_edited": N_("%(actor)s changed the contract %(title)s"),
    "contract_deleted": N_("%(actor)s deleted the contract %(title)s"),
    "contract_restored": N_("%(actor)s restored the contract %(title)s"),
    "document_added": N_("%(actor)s uploaded the document %(title)s"),
    "document_shared": N_("%(actor)s shared the document %(title)s"),
    "document_opened": N_("%(actor)s opened the document %(title)s"),
    "document_deleted": N_("%(actor)s deleted the document %(title)s"),
    "document_edited": N_("%(actor)s changed the document %(title)s"),
    "profile_changed": N_("%(actor)s changed the personal data"),
    "contact_added": N_("%(actor)s created the contact"),
    "contact_deleted": N_("%(actor)s deleted the contact"),
    "ticket_opened": N_("%(actor)s opened the request %(title)s"),
    "ticket_reply": N_("%(actor)s replied to the request %(title)s"),
    "ticket_forwarded": N_("%(actor)s forwarded the request %(title)s"),
    "ticket_closed": N_("%(actor)s closed the request %(title)s"),
    "viewed_as_customer": N_("%(actor)s viewed the portal as the customer sees it"),
    "case_opened": N_("%(actor)s opened the advice case %(title)s"),
    "case_edited": N_("%(actor)s changed the advice case %(title)s"),
    "case_closed": N_("%(actor)s closed the advice case %(title)s"),
    "claim_reported": N_("%(actor)s reported the claim %(title)s"),
    "claim_updated": N_("%(actor)s changed the claim %(title)s"),
    "lead_confirmed": N_("New prospect: %(title)s would like to become a customer"),
    "offer_accepted": N_("%(actor)s accepted the offer %(title)s"),
    "offer_requested": N_("%(actor)s asked for an offer: %(title)s"),
    "chat_message": N_("%(actor)s wrote in the chat with %(title)s"),
    "chat_operator": N_("%(actor)s made you the chat operator for %(title)s"),
    "chat_archived": N_("%(actor)s archived the chat with %(title)s"),
    "offer_chosen": N_("%(actor)s chose the offer %(title)s"),
    "tender_started": N_("%(actor)s started the tender %(title)s"),
    "tender_message": N_("%(actor)s wrote about the tender %(title)s"),
    "tender_offer": N_("%(actor)s released an offer for the tender %(title)s"),
    "tender_withdrawn": N_("%(actor)s withdrew the tender %(title)s"),
    "object_added": N_("%(actor)s added the insured object %(title)s"),
    "object_edited": N_("%(actor)s changed the insured object %(title)s"),
    "object_declined": N_("%(actor)s recorded %(title)s as not insured"),
    "application_submitted": N_("%(actor)s sent the application %(title)s to the insurer"),
    "application_finalized": N_("%(actor)s finalized the application %(title)s"),
    "data_requested": N_("%(actor)s asked for %(title)s"),
    "data_request_handled": N_("%(actor)s handled the request %(title)s"),
    "consent_changed": N_("%(actor)s: %(title)s"),
    "advice_delivered": N_("%(actor)s delivered the advice documentation %(title)s"),
}
# A customer reads of what the broker's office did (`actor`: a name or "your broker's office").
_FOR_CUSTOMERS = {
    "contract_added": _a("%(actor)s added the contract %(title)s to your folder"),
    "contract_edited": _a("%(actor)s changed your contract %(title)s"),
    "contract_deleted": _a("%(actor)s removed the contract %(title)s"),
    "contract_restored": _a("%(actor)s restored your contract %(title)s"),
    "document_added": _a("%(actor)s provided the document %(title)s for you"),
    "document_shared": _a("%(actor)s shared the document %(title)s with you"),
    "document_opened": _a("%(actor)s opened your document %(title)s"),
    "document_deleted": _a("%(actor)s removed the document %(title)s"),
    "document_edited": _a("%(actor)s changed the details of your document %(title)s"),
    "profile_changed": _a("%(actor)s changed your personal data"),
    "contact_added": _a("%(actor)s created your customer record"),
    "contact_deleted": _a("%(actor)s deleted your customer record"),
    "ticket_opened": _a("%(actor)s started the request %(title)s with you"),
    "ticket_reply": _a("%(actor)s replied to your request %(title)s"),
    "ticket_forwarded": _a("%(actor)s passed your request %(title)s on to a colleague"),
    "ticket_closed": _a("%(actor)s closed your request %(title)s"),
    "viewed_as_customer": _a("%(actor)s viewed your portal as you see it"),
    "claim_reported": _a("%(actor)s reported the claim %(title)s"),
    "claim_updated": _a("%(actor)s updated your claim %(title)s"),
    "offer_accepted": _a("%(actor)s accepted the offer %(title)s"),
    "offer_requested": _a("%(actor)s asked for an offer: %(title)s"),
    "chat_message": _a("%(actor)s wrote to you in the chat"),
    "data_requested": _a("%(actor)s asked for %(title)s"),
    "data_request_handled": _a("%(actor)s handled your request %(title)s"),
    "consent_changed": _a("%(actor)s: %(title)s"),
    "advice_delivered": _a("%(actor)s provided the advice documentation %(title)s for you"),
}
# What happened, naming nobody and nothing: a mail of unread notifications lists these.
_SHORT = {
    "contract_added": N_("A contract was added"),
    "contract_edited": N_("A contract was changed"),
    "contract_deleted": N_("A contract was deleted"),
    "contract_restored": N_("A contract was restored"),
    "document_added": N_("A new document"),
    "document_shared": N_("A document was shared"),
    "document_opened": N_("A document was opened"),
    "document_deleted": N_("A document was deleted"),
    "document_edited": N_("A document was changed"),
    "profile_changed": N_("Personal data were changed"),
    "contact_added": N_("A contact was created"),
    "contact_deleted": N_("A contact was deleted"),
    "ticket_opened": N_("A new request"),
    "ticket_reply": N_("A new reply to a request"),
    "ticket_forwarded": N_("A request was forwarded"),
    "ticket_closed": N_("A request was closed"),
    "viewed_as_customer": N_("The portal was viewed as the customer sees it"),
    "case_opened": N_("An advice case was opened"),
    "case_edited": N_("An advice case was changed"),
    "case_closed": N_("An advice case was closed"),
    "claim_reported": N_("A new claim was reported"),
    "claim_updated": N_("A claim was updated"),
    "lead_confirmed": N_("A new prospect"),
    "offer_accepted": N_("An offer was accepted"),
    "offer_requested": N_("An offer was requested"),
    "chat_message": N_("A new chat message"),
    "chat_operator": N_("You became the operator of a chat"),
    "chat_archived": N_("A chat was archived"),
    "offer_chosen": N_("An offer of an advice case was chosen"),
    "tender_started": N_("A tender was started"),
    "tender_message": N_("A new message about a tender"),
    "tender_offer": N_("A new offer from a tender"),
    "tender_withdrawn": N_("A tender was withdrawn"),
    "object_added": N_("An insured object was added"),
    "object_edited": N_("An insured object was changed"),
    "object_declined": N_("An object was recorded as not insured"),
    "application_submitted": N_("An application was sent to an insurer"),
    "application_finalized": N_("An application became a policy"),
    "data_requested": N_("A data-protection request"),
    "data_request_handled": N_("A data-protection request was handled"),
    "consent_changed": N_("A consent was given or withdrawn"),
    "advice_delivered": N_("Advice documentation was provided"),
}
MONEY_COLUMNS = frozenset({"gross_premium"})
DATE_COLUMNS = frozenset({"birthdate", "document_date", "valid_until"})


def sentence(kind: str, *, actor: str, title: str, for_customer: bool) -> str:
    """The event as one line for its reader. Customer lines follow the form of address."""
    if for_customer:
        return addressed(_FOR_CUSTOMERS.get(kind, kind), actor=actor, title=title)
    return gettext(_FOR_STAFF.get(kind, kind), actor=actor, title=title)


def short(kind: str) -> str:
    return gettext(_SHORT.get(kind, kind))


def changed_fields(
    changes: Mapping[str, list[Any]] | None, labels: Mapping[str, str]
) -> list[tuple[str, str, str]]:
    """An edit's `(field label, old, new)`, values shown as the forms show them. `labels`
    names the columns (a contract's depend on its folder)."""
    return [
        (labels.get(column, column), _shown(column, old), _shown(column, new))
        for column, (old, new) in (changes or {}).items()
    ]


def _shown(column: str, value: Any) -> str:
    if value not in (None, "") and column in MONEY_COLUMNS:
        try:
            value = Decimal(str(value))
        except InvalidOperation:
            pass
    elif value not in (None, "") and column in DATE_COLUMNS:
        try:
            value = date.fromisoformat(str(value))
        except ValueError:
            pass
    return shown_value(column, value)
