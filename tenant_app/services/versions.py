"""Edit forms that never lose an update: each carries the version it was loaded with, and the
save is a compare-and-set on it. A stale save changes nothing and says what is stored now."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import F
from tortoise.models import Model

from tenant_app.errors import EditConflict, NotFound
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import shown_value

VERSION_FIELD = "version"  # the hidden field of every edit form
MAX_VERSION = 2**31 - 1


def version_of(values: Mapping[str, str]) -> int | None:
    """The version the form was loaded with, or None if it sent none (or a malformed one)."""
    raw = values.get(VERSION_FIELD, "")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10:
        return None
    number = int(raw)
    return number if 0 <= number <= MAX_VERSION else None


async def save_if_unchanged(
    model: type[Model],
    *,
    where: Mapping[str, Any],
    version: int | None,
    changes: Mapping[str, Any],
    labels: Mapping[str, str],
    form_names: Mapping[str, str] | None = None,
) -> int:
    """Write `changes` to the one row `where` finds (`{"id": 7}`) if it still has `version`:
    one atomic UPDATE. Returns the new version.

    Otherwise EditConflict: one message naming the fields (`labels`, by column) whose stored
    value differs from the input, with the stored value, and the same next to each field
    (`form_names` maps a column to its form field where they differ). A missing version counts
    as stale: a form from before versions, or not ours.
    """
    if version is not None:
        updated = await model.filter(**where, version=version).update(
            **_stamped(model, changes), version=F("version") + 1
        )
        if updated:
            return version + 1
    current = await model.filter(**where).first()
    if current is None:
        raise NotFound
    raise EditConflict(
        conflict_errors(current, changes, labels, form_names or {}),
        version=int(current.version),  # type: ignore[attr-defined]
    )


def _stamped(model: type[Model], changes: Mapping[str, Any]) -> dict[str, Any]:
    """The changes with the row's `updated_at` set to now: an UPDATE statement skips what
    `auto_now` does on save(), and `updated_since` (the API's incremental sync) reads it."""
    field = model._meta.fields_map.get("updated_at")
    if getattr(field, "auto_now", False) and "updated_at" not in changes:
        return {**changes, "updated_at": datetime.now(UTC)}
    return dict(changes)


def conflict_errors(
    current: object,
    changes: Mapping[str, Any],
    labels: Mapping[str, str],
    form_names: Mapping[str, str],
) -> dict[str, str]:
    """The form's message and a note next to each field whose stored value differs."""
    errors: dict[str, str] = {}
    differences: list[str] = []
    for column, label in labels.items():
        if column not in changes:
            continue
        stored = getattr(current, column, None)
        if _same(stored, changes[column]):
            continue
        value = shown_value(column, stored)
        differences.append(f"{label}: {value}")
        errors[form_names.get(column, column)] = _("Stored now: %(value)s", value=value)
    if differences:
        errors["form"] = _(
            "Someone else saved these data in the meantime. Nothing has been saved from this"
            " form yet; the input below is kept. Stored now: %(changes)s. Please check and"
            " save again.",
            changes="; ".join(differences),
        )
    else:
        errors["form"] = _(
            "Someone else saved these data in the meantime, with the same values as in this"
            " form. Nothing has been saved from this form yet; please save again."
        )
    return errors


def _same(stored: object, wanted: object) -> bool:
    if stored in (None, "") and wanted in (None, ""):
        return True
    return bool(stored == wanted)


async def claim(model: type[Model], *, row_id: int, version: int) -> None:
    """Take the row at `version` for a change outside its edit form (a delete): the
    version moves on, so a write with the old one fails from now on. EditConflict if it
    has moved on already."""
    if 0 < version <= MAX_VERSION:  # any other is stale (and no integer column holds it)
        if await model.filter(id=row_id, version=version).update(version=F("version") + 1):
            return
    current = await model.filter(id=row_id).first()
    if current is None:
        raise NotFound
    raise EditConflict({}, version=int(current.version))  # type: ignore[attr-defined]
