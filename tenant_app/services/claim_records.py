"""A contact's claims in its data export, and their stored files for the export archive and
for the erasure (the rows go with the contact: ON DELETE CASCADE)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tenant_app.models.claims import Claim, ClaimFile
from tenant_app.services.claim_files import keys_of_contact

CLAIM_FIELDS = (
    "id",
    "number",
    "contract_id",
    "loss_date",
    "kind",
    "description",
    "location",
    "status",
    "note_to_customer",
    "by_customer",
    "created_at",
    "updated_at",
)
FILE_FIELDS = ("id", "kind", "filename", "content_type", "size", "sha256", "created_at")


@dataclass(frozen=True)
class ArchivedFile:
    """A claim's file as the export archive writes it (beside the documents)."""

    id: str  # "claim-<file id>": never the same name as a document's
    filename: str
    storage_key: str


def export_value(value: Any) -> Any:
    """A column's value as the export's JSON holds it (dates and times in ISO)."""
    return value.isoformat() if isinstance(value, datetime | date) else value


def archived(row: ClaimFile) -> ArchivedFile:
    return ArchivedFile(f"claim-{row.id}", row.filename, row.storage_key)


def archive_name(row: ClaimFile) -> str:
    return f"files/claim-{row.id}_{row.filename}"


async def export_of(contact_id: int) -> dict[str, Any]:
    """`claims`: each with its fields, who handles it and its files (named in the archive)."""
    claims = await Claim.filter(contact_id=contact_id).select_related("responsible").order_by("id")
    files = await ClaimFile.filter(claim__contact_id=contact_id).order_by("id")
    return {
        "claims": [
            {
                **{name: export_value(getattr(claim, name)) for name in CLAIM_FIELDS},
                "responsible": claim.responsible.full_name if claim.responsible else "",
                "files": [
                    {
                        **{name: export_value(getattr(row, name)) for name in FILE_FIELDS},
                        "file_in_archive": archive_name(row),
                    }
                    for row in files
                    if row.claim_id == claim.id
                ],
            }
            for claim in claims
        ]
    }


async def archived_files(contact_id: int) -> list[ArchivedFile]:
    """The claims' photos and documents for the export archive (thumbnails are made of them)."""
    rows = await ClaimFile.filter(claim__contact_id=contact_id).order_by("id")
    return [archived(row) for row in rows]


async def stored_keys(contact_id: int) -> list[str]:
    """Every file the erasure removes (photos, their thumbnails, documents)."""
    return await keys_of_contact(contact_id)
