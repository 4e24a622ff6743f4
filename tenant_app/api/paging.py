"""Cursor pagination: a page of rows in id order and an opaque cursor for the next one."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from typing import Generic, TypeVar

from pydantic import BaseModel, Field, field_validator

from tenant_app.api.problems import ApiError, FieldError
from tenant_app.text.i18n import gettext as _

T = TypeVar("T")
MAX_LIMIT = 200
MAX_ROW_ID = 2**31 - 1
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)  # what any sync may ask for, well inside every
LATEST = datetime(9000, 1, 1, tzinfo=UTC)  # database's range of dates
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


class PageQuery(BaseModel):
    """`cursor` from the previous page's `next_cursor`; `updated_since` for incremental sync
    (objects changed at or after that moment, ISO 8601 with a time zone)."""

    cursor: str | None = Field(default=None, max_length=40)
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT)
    updated_since: datetime | None = None

    @field_validator("updated_since", mode="before")
    @classmethod
    def _iso(cls, value: object) -> object:
        """ISO 8601 text only, as documented: pydantic alone also reads a number as Unix time."""
        if value is not None and not (isinstance(value, str) and _ISO_DATETIME.match(value)):
            raise ValueError("an ISO 8601 date and time is required")
        return value

    @field_validator("updated_since")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a time zone is required")
        if not EARLIEST.year <= value.year < LATEST.year:  # before converting: 0001-01-01+14:00
            raise ValueError("out of range")  # has no UTC time at all
        return value.astimezone(UTC)


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` for the next page; null on the last."
    )


def after_id(cursor: str | None) -> int:
    """The id the page starts after (0 for the first page)."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode() + b"=" * (-len(cursor) % 4)).decode()
        kind, _sep, number = text.partition(":")
        if kind != "id" or not number.isascii() or not number.isdigit() or len(number) > 10:
            raise ValueError
        if int(number) > MAX_ROW_ID:  # no row has it, and the database's integer would overflow
            raise ValueError
        return int(number)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(
            422, errors=[FieldError(field="cursor", message=_("Invalid input."), type="cursor")]
        ) from None


def cursor_after(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def page_of(items: list[T], ids: list[int], limit: int) -> Page[T]:
    """`items` were read with `limit + 1` rows: one more means there is a next page."""
    more = len(items) > limit
    shown = items[:limit]
    return Page[T](items=shown, next_cursor=cursor_after(ids[limit - 1]) if more else None)
