"""The prospects list: one page, newest first, and how many match (two statements however
many there are)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tenant_app.models.leads import Lead

PER_PAGE = 50


@dataclass(frozen=True, slots=True)
class LeadRow:
    id: int
    name: str
    email: str
    interest: str
    status: str
    referred: bool
    created_at: datetime


async def lead_page(*, statuses: tuple[str, ...], page: int) -> tuple[list[LeadRow], int]:
    """The page's rows and the number of all that match."""
    query = Lead.filter(status__in=statuses)
    total = await query.count()
    rows = (
        await query.order_by("-created_at", "-id")
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
        .values(
            "id",
            "first_name",
            "last_name",
            "email",
            "interest",
            "status",
            "referred_by_id",
            "created_at",
        )
    )
    return [
        LeadRow(
            id=row["id"],
            name=f"{row['first_name']} {row['last_name']}",
            email=row["email"],
            interest=row["interest"],
            status=row["status"],
            referred=row["referred_by_id"] is not None,
            created_at=row["created_at"],
        )
        for row in rows
    ], total
