"""Kunde werden: a prospect's request from the public page, its opt-in mail and confirmation.

Spam is kept out without third-party services: a signed time stamp in the form (a bot
that posts within seconds, or replays an old form, is refused quietly: it is told of
success and nothing is stored), a honeypot field, and rate limits per client and tenant.
Only the confirmation (a POST from the page the mail links to: mail scanners follow links
but do not press buttons) makes a prospect staff see.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from itsdangerous import BadSignature
from tortoise.transactions import in_transaction

from tenant_app.errors import ValidationFailed
from tenant_app.logs import log
from tenant_app.mail.notify import notify
from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact
from tenant_app.models.leads import Lead
from tenant_app.models.scoping import current_tenant_id
from tenant_app.permissions import can_manage_contacts, can_see_all_contacts
from tenant_app.schemas.base import checked
from tenant_app.schemas.leads import LeadInput
from tenant_app.security import cookies, ratelimit
from tenant_app.security.cookies import token_digest
from tenant_app.services import events
from tenant_app.settings import Settings

logger = logging.getLogger("tenant_app.leads")

MIN_SECONDS = 3  # a person needs longer than this to fill the form
MAX_FORM_AGE = 4 * 3600  # seconds: an older form was kept (or replayed) too long
LINK_DAYS = 7  # the opt-in link works this long
RESEND_MINUTES = 10  # the same address while pending: one mail at most this often
KEEP_PENDING = timedelta(days=30)  # unconfirmed requests are deleted after this
REFERRAL_MAX_AGE = 5 * 365 * 24 * 3600  # seconds: a shared link stays good for years
PER_CLIENT = ratelimit.Limit("lead-client", 5, 3600)
PER_TENANT = ratelimit.Limit("lead-tenant", 100, 3600)
CONFIRM_PATH = "/kunde-werden/bestaetigen/"


class TooManyRequests(Exception):
    pass


class LinkProblem(Exception):
    """The opt-in link cannot be used: `reason` is invalid or expired."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Referrer:
    contact_id: int
    shown_name: str  # "Vorname N.": no more of a customer leaves the portal


def form_stamp(settings: Settings) -> str:
    """The signed moment the form was shown (the time trap), bound to the tenant."""
    return str(cookies.signer(settings, "lead-form").dumps({"t": current_tenant_id()}))


def stamp_passes(settings: Settings, raw: str, *, now: datetime | None = None) -> bool:
    try:
        payload: Any
        payload, signed_at = cookies.signer(settings, "lead-form").loads(raw, return_timestamp=True)
    except BadSignature:
        return False
    if not isinstance(payload, dict) or payload.get("t") != current_tenant_id():
        return False
    age: float = ((now or datetime.now(UTC)) - signed_at).total_seconds()
    return MIN_SECONDS <= age <= MAX_FORM_AGE


def referral_token(settings: Settings, contact_id: int) -> str:
    return cookies.sign(settings, "referral", current_tenant_id(), str(contact_id))


async def referrer_of(settings: Settings, raw: str) -> Referrer | None:
    """Who recommended the page (`?von=`), or None for a forged, foreign or stale token."""
    if not raw or len(raw) > 300:
        return None
    value = cookies.unsign(settings, "referral", current_tenant_id(), raw, REFERRAL_MAX_AGE)
    if value is None or not value.isdigit():
        return None
    contact = await Contact.get_or_none(id=int(value), restricted_at=None)  # erased: no one
    if contact is None:
        return None
    initial = contact.last_name.strip()[:1]
    return Referrer(
        contact.id, f"{contact.first_name} {initial}." if initial else contact.first_name
    )


@dataclass(frozen=True)
class Submission:
    values: dict[str, str]
    consent: bool
    consent_text: str
    stamp: str
    honeypot: str
    referral: str
    client: str
    language: str


async def submit_lead(settings: Settings, submission: Submission) -> None:
    """Store the request and mail the opt-in link; a trapped bot is told the same success.
    Raises ValidationFailed (nothing stored) or TooManyRequests."""
    if submission.honeypot or not stamp_passes(settings, submission.stamp):
        log(logger, logging.INFO, "lead refused quietly", honeypot=bool(submission.honeypot))
        return
    lead_input, errors = checked(LeadInput, {**submission.values, "consent": submission.consent})
    if lead_input is None:
        raise ValidationFailed(errors)
    tenant_id = current_tenant_id()
    limits = ((PER_CLIENT, f"{tenant_id}:{submission.client}"), (PER_TENANT, str(tenant_id)))
    if not await ratelimit.all_allowed(*limits):
        log(logger, logging.WARNING, "lead requests throttled")
        raise TooManyRequests
    referrer = await referrer_of(settings, submission.referral)
    fields = lead_input.model_dump(exclude={"consent"})
    fields |= {"consent_text": submission.consent_text[:2000], "client": submission.client[:64]}
    fields["referred_by_id"] = referrer.contact_id if referrer else None
    await _store_and_mail(settings, fields, submission.language)


async def _store_and_mail(settings: Settings, fields: dict[str, Any], language: str) -> None:
    """A new pending request, or the pending one of the same address renewed (its mail sent
    again at most every RESEND_MINUTES: the link of the first mail then stops working)."""
    secret = secrets.token_urlsafe(32)
    async with in_transaction():
        pending = await Lead.filter(email=fields["email"], status="pending").first()
        if pending is None:
            lead = await Lead.create(**fields, token_hash=token_digest(secret))
        elif pending.updated_at > datetime.now(UTC) - timedelta(minutes=RESEND_MINUTES):
            log(logger, logging.INFO, "lead mail not sent again yet", lead_id=pending.id)
            return
        else:
            await Lead.filter(id=pending.id).update(
                **fields, token_hash=token_digest(secret), updated_at=datetime.now(UTC)
            )
            lead = pending
        await notify(
            settings,
            to=fields["email"],
            language=language,
            template="lead_confirm",
            context={"name": fields["first_name"], "days": LINK_DAYS},
            links={"confirm_url": f"{CONFIRM_PATH}{secret}"},
        )
    log(logger, logging.INFO, "lead opt-in mail queued", lead_id=lead.id)


async def lead_to_confirm(secret: str) -> Lead:
    """The request behind an opt-in link (confirmed already or not); LinkProblem else."""
    if not secret or len(secret) > 100:
        raise LinkProblem("invalid")
    lead = await Lead.get_or_none(token_hash=token_digest(secret))
    if lead is None:
        raise LinkProblem("invalid")
    if lead.status == "pending" and lead.updated_at < datetime.now(UTC) - timedelta(days=LINK_DAYS):
        raise LinkProblem("expired")
    return lead


async def confirm_lead(secret: str) -> Lead:
    """Confirm the request (once; a second press changes nothing) and tell the staff."""
    lead = await lead_to_confirm(secret)
    async with in_transaction():
        claimed = await Lead.filter(id=lead.id, status="pending").update(
            status="new", confirmed_at=datetime.now(UTC)
        )
        if claimed == 1:
            await events.record(
                None,
                events.LEAD_CONFIRMED,
                contact_id=None,
                object_type="lead",
                object_id=lead.id,
                title=f"{lead.first_name} {lead.last_name}",
                tell=sorted(await lead_recipients()),
            )
    if claimed == 1:
        log(logger, logging.INFO, "lead confirmed", lead_id=lead.id)
    return lead


async def lead_recipients() -> set[int]:
    """The active staff the admins chose to hear of new prospects; while nobody is chosen,
    those who manage every contact (so that no request goes unseen)."""
    staff = [
        user
        for user in await User.filter(kind="staff", is_active=True)
        if can_manage_contacts(user)
    ]
    chosen = {user.id for user in staff if user.receives_leads}
    return chosen or {user.id for user in staff if can_see_all_contacts(user)}


async def forget_unconfirmed(settings: Settings, *, now: datetime | None = None) -> int:
    """Housekeeping in every tenant: requests never confirmed go after KEEP_PENDING."""
    cutoff = (now or datetime.now(UTC)) - KEEP_PENDING
    gone: int = await Lead.unscoped.filter(status="pending", created_at__lt=cutoff).delete()
    return gone
