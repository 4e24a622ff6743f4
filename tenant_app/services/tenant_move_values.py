"""Column values in a portable, lossless JSON form and back, chosen by the field's type:
datetimes as ISO 8601 with their offset, dates and times in ISO, decimals as strings (no
float rounding), bytes as base64, JSON as JSON, UUIDs as strings, durations in microseconds."""

from __future__ import annotations

import base64
import datetime
import enum
import uuid
from decimal import Decimal
from typing import Any

from tortoise import fields


def to_portable(field: fields.Field[Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, fields.DatetimeField):
        if isinstance(value, str):  # some drivers hand back text
            value = datetime.datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.UTC)  # the app stores UTC (use_tz)
        return value.isoformat()
    if isinstance(field, fields.DateField | fields.TimeField):
        return value if isinstance(value, str) else value.isoformat()
    if isinstance(field, fields.DecimalField):
        return str(value)
    if isinstance(field, fields.BinaryField):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(field, fields.TimeDeltaField):
        return value // datetime.timedelta(microseconds=1)
    if isinstance(field, fields.UUIDField):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value  # int, str, bool, float, JSON values


def from_portable(field: fields.Field[Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, fields.DatetimeField):
        return datetime.datetime.fromisoformat(value)
    if isinstance(field, fields.DateField):
        return datetime.date.fromisoformat(value)
    if isinstance(field, fields.TimeField):
        return datetime.time.fromisoformat(value)
    if isinstance(field, fields.DecimalField):
        return Decimal(value)
    if isinstance(field, fields.BinaryField):
        return base64.b64decode(value, validate=True)
    if isinstance(field, fields.TimeDeltaField):
        return datetime.timedelta(microseconds=value)
    if isinstance(field, fields.UUIDField):
        return uuid.UUID(value)
    return value
