"""The customer's access trail ("Zugriffe auf meine Daten"): what the broker's staff did with
their data, read from the event stream. Who opened or downloaded their documents, changed
their contracts or personal data (which fields, old → new), shared documents with them or
viewed their portal as they see it: newest first, by day, a page at a time.

Every logged-in customer sees it for the contact the portal shows (a household login: the
contact it chose). Entries about a document or contract the customer may not see are left
out; of one since deleted only its folder can be judged, so it is listed without its name.
Staff are named as the broker chooses (`Tenant.trail_shows_staff_names`): by name, or as
"your broker's office".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from babel.dates import format_date, format_time
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import EditConflict, PermissionDenied, ValidationFailed
from tenant_app.models.folders import AuditEntry
from tenant_app.models.scoping import current_tenant_id
from tenant_app.models.tenancy import Tenant
from tenant_app.permissions import CustomerRights, can_manage_settings, customer_may, folder_flags
from tenant_app.queries.access_trail import TrailRights, TrailRow, trail_rows
from tenant_app.services import events
from tenant_app.services.access import access_of, own_contact_id
from tenant_app.services.contracts import field_labels
from tenant_app.services.versions import VERSION_FIELD, save_if_unchanged, version_of
from tenant_app.text import labels
from tenant_app.text.event_labels import changed_fields, sentence
from tenant_app.text.formatting import as_local
from tenant_app.text.i18n import addressed, get_locale
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import N_
from tenant_app.vocabulary import FOLDERS

# What the trail shows: what staff did with the customer's data (tickets are in the
# communication, and the bell tells of replies).
TRAIL_KINDS = (
    events.CONTRACT_ADDED,
    events.CONTRACT_EDITED,
    events.CONTRACT_DELETED,
    events.CONTRACT_RESTORED,
    events.DOCUMENT_ADDED,
    events.DOCUMENT_SHARED,
    events.DOCUMENT_OPENED,
    events.DOCUMENT_DELETED,
    events.PROFILE_CHANGED,
    events.VIEWED_AS_CUSTOMER,
)
PAGE_SIZE = 30  # entries per page
MAX_PAGE = 1_000  # further back nobody pages; the page number is clamped
SETTING_FIELD = "trail_names"  # the settings form's choice: names | office
SETTING_CHOICES = ("names", "office")
SETTING_LABEL = N_("Staff in the customers' access trail")
CHOICE_LABELS = {
    "names": N_("Name the staff member"),
    "office": N_("Say “your broker's office”"),
}
SETTING_AUDIT = "trail_names_changed"  # AuditEntry.action; details: the choice


@dataclass(frozen=True, slots=True)
class TrailEntry:
    at: datetime  # when, in Europe/Berlin
    time: str  # "14:05"
    sentence: str
    changes: list[tuple[str, str, str]]  # (field, old, new) of an edit


@dataclass(frozen=True, slots=True)
class TrailDay:
    day: date
    label: str  # "Heute", "Gestern", "Montag, 3. Februar 2026"
    entries: list[TrailEntry]


@dataclass(frozen=True, slots=True)
class TrailPage:
    days: list[TrailDay]
    page: int
    has_older: bool  # a next page of older entries exists


def trail_rights(rights: CustomerRights) -> TrailRights:
    """The contact's permissions as the trail's query asks them (the same rule engine as the
    folder pages: `customer_may`)."""
    open_folders = frozenset(
        f for f in FOLDERS if customer_may(folder_flags(rights, f), "view_folder")
    )
    broker_folders = frozenset(
        f for f in open_folders if customer_may(folder_flags(rights, f), "view")
    )
    return TrailRights(
        open_folders,
        broker_folders,
        bool(rights.communication),
        profile=bool(rights.profile_visible),
    )


async def trail_page(
    actor: CurrentUser, *, page: int = 1, now: datetime | None = None
) -> TrailPage:
    """One page of the trail of the contact the portal shows (NotFound without one)."""
    contact_id = own_contact_id(actor)
    rights = trail_rights(await access_of(contact_id, actor))  # came with the session
    page = min(max(page, 1), MAX_PAGE)
    rows = await trail_rows(
        contact_id,
        rights,
        kinds=TRAIL_KINDS,
        limit=PAGE_SIZE + 1,
        offset=(page - 1) * PAGE_SIZE,
    )
    entries = [_entry(row, rights) for row in rows[:PAGE_SIZE]]
    today = as_local(now or datetime.now(UTC)).date()
    return TrailPage(_by_day(entries, today), page, has_older=len(rows) > PAGE_SIZE)


def _actor(row: TrailRow) -> str:
    if row.actor_kind == "staff" and row.shows_names and row.actor_name.strip():
        return row.actor_name
    return addressed("Your broker's office")


def _is_named(row: TrailRow, rights: TrailRights) -> bool:
    """Whether the entry may say what it is about: a contract since deleted only where the
    customer saw all of the folder's contracts; a document since deleted never (whether it
    was shared with them is gone with it)."""
    if not row.gone:
        return True
    return row.object_type == "contract" and row.folder in rights.broker_folders


def _field_labels(row: TrailRow) -> dict[str, str]:
    if row.object_type == "contract":
        return field_labels(row.folder) if row.folder in FOLDERS else {}
    if row.object_type == "contact":
        return dict(labels.CONTACT_FIELDS)
    return {}


def _entry(row: TrailRow, rights: TrailRights) -> TrailEntry:
    named = _is_named(row, rights)
    title = row.title if named else _("(since deleted)")
    at = as_local(row.created_at)
    return TrailEntry(
        at=at,
        time=format_time(at, "short", locale=get_locale()),
        sentence=sentence(row.kind, actor=_actor(row), title=title, for_customer=True),
        changes=changed_fields(row.changes, _field_labels(row)) if named else [],
    )


def _day_label(day: date, today: date) -> str:
    if day == today:
        return _("Today")
    if day == today - timedelta(days=1):
        return _("Yesterday")
    return format_date(day, "full", locale=get_locale())


def _by_day(entries: list[TrailEntry], today: date) -> list[TrailDay]:
    days: list[TrailDay] = []
    for entry in entries:  # newest first, so each day's entries come together
        day = entry.at.date()
        if not days or days[-1].day != day:
            days.append(TrailDay(day, _day_label(day, today), []))
        days[-1].entries.append(entry)
    return days


# --- The broker's choice: staff by name, or "your broker's office" ---------------------------


async def trail_setting_form(actor: CurrentUser) -> dict[str, str]:
    """The settings section's starting values, with the settings' version (the edit lock all
    sections of the settings page share)."""
    if not can_manage_settings(actor):
        raise PermissionDenied
    return await trail_setting_values()


async def trail_setting_values() -> dict[str, str]:
    row = await Tenant.filter(id=current_tenant_id()).values("trail_shows_staff_names", "version")
    return {
        SETTING_FIELD: "names" if row[0]["trail_shows_staff_names"] else "office",
        VERSION_FIELD: str(row[0]["version"]),
    }


async def save_trail_setting(actor: CurrentUser, *, values: dict[str, str]) -> bool:
    """Store the choice if nobody saved the settings since the form was loaded (EditConflict
    otherwise), with an audit entry of who set it. Returns whether names are shown."""
    if not can_manage_settings(actor):
        raise PermissionDenied
    choice = values.get(SETTING_FIELD, "")
    if choice not in SETTING_CHOICES:
        raise ValidationFailed({SETTING_FIELD: _("Please choose how staff are named.")})
    shows_names = choice == "names"
    async with in_transaction():
        try:
            await save_if_unchanged(
                Tenant,
                where={"id": current_tenant_id()},
                version=version_of(values),
                changes={"trail_shows_staff_names": shows_names},
                labels={"trail_shows_staff_names": _(SETTING_LABEL)},
            )
        except EditConflict as conflict:
            raise await _readable_conflict(conflict) from None
        await AuditEntry.create(action=SETTING_AUDIT, actor_id=actor.id, details=choice)
    return shows_names


async def _readable_conflict(conflict: EditConflict) -> EditConflict:
    """The conflict naming the stored choice as the form words it (not "on" or "off")."""
    stored = await trail_setting_values()
    shown = _(CHOICE_LABELS[stored[SETTING_FIELD]])
    message = _(
        "Someone else saved the settings in the meantime. Nothing has been saved from this"
        " form yet. Stored now: %(choice)s. Please check and save again.",
        choice=shown,
    )
    return EditConflict({"form": message}, version=conflict.version)
