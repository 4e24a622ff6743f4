"""White label: a tenant's theme, colours, texts, form of address, logo and favicon."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import anyio
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from tenant_app.errors import EditConflict, NotFound, PermissionDenied, ValidationFailed
from tenant_app.files import images
from tenant_app.models.branding import TenantAsset
from tenant_app.models.scoping import current_tenant_id
from tenant_app.models.tenancy import Tenant
from tenant_app.permissions import StaffActor, can_manage_settings
from tenant_app.schemas.base import checked
from tenant_app.schemas.settings import BrandingInput
from tenant_app.schemas.settings import parse_color as parse_color  # the preview reads colours
from tenant_app.services.versions import (
    VERSION_FIELD,
    conflict_errors,
    save_if_unchanged,
    version_of,
)
from tenant_app.tenancy import TenantInfo, current_tenant, load_tenant_info, tenant_cache
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import N_, Labels
from tenant_app.text.rich import rich_text_to_plain, sanitize_rich_text
from tenant_app.theming import available_themes

ASSET_KINDS = ("logo", "favicon")
COLOR_FIELDS = ("primary_color", "secondary_color", "text_color")
RICH_TEXT_FIELDS = ("imprint_html", "signature_html")
FIELDS = tuple(BrandingInput.model_fields)  # theme, colours, address_form, rich texts
_PROCESSORS = {"logo": images.process_logo, "favicon": images.process_favicon}
_MAX_BYTES = {"logo": images.LOGO_MAX_BYTES, "favicon": images.FAVICON_MAX_BYTES}
# Decoding a 4000 x 4000 picture takes some 100 MB for a moment: a few at a time per process.
_IMAGE_WORK = anyio.CapacityLimiter(2)
# The settings form's fields as it labels them (also what an edit conflict names).
SETTINGS_FIELDS = Labels(
    {
        "theme": N_("Theme"),
        "primary_color": N_("Main colour"),
        "secondary_color": N_("Second colour"),
        "text_color": N_("Font colour"),
        "address_form": N_("Form of address"),
        "imprint_html": N_("Imprint"),
        "signature_html": N_("E-mail signature"),
    }
)
ADDRESS_FORM_LABELS = Labels({"sie": N_("Formal (Sie)"), "du": N_("Informal (Du)")})
SHOWN_TEXT_CHARS = 120  # of a stored imprint or signature in a conflict message


def max_upload_bytes(kind: str) -> int:
    return _MAX_BYTES[kind]


def current_values(tenant: TenantInfo | Tenant | None = None) -> dict[str, str]:
    """The form's starting values: stored overrides, empty where the theme decides
    (of `tenant` as just reloaded, else of the request's tenant)."""
    tenant = tenant or current_tenant()
    return {
        "theme": tenant.theme,
        "primary_color": tenant.primary_color or "",
        "secondary_color": tenant.secondary_color or "",
        "text_color": tenant.text_color or "",
        "address_form": tenant.address_form,
        "imprint_html": sanitize_rich_text(tenant.imprint_html),
        "signature_html": sanitize_rich_text(tenant.signature_html),
    }


def clean_branding(values: dict[str, str]) -> dict[str, Any]:
    """Validated, sanitized column values; ValidationFailed with a message per bad field."""
    branding, errors = checked(BrandingInput, values)
    if values.get("theme", "") not in available_themes():
        errors = {"theme": _("Please choose one of the themes."), **errors}
    if errors or branding is None:
        raise ValidationFailed(errors)
    return branding.model_dump()


def _check_rights(actor: StaffActor | None, kind: str | None = None) -> None:
    if not can_manage_settings(actor):
        raise PermissionDenied
    if kind is not None and kind not in ASSET_KINDS:
        raise NotFound


async def fresh_tenant(actor: StaffActor) -> TenantInfo:
    """The request's tenant read again, so a page shows a change made in this very request."""
    _check_rights(actor)
    return await load_tenant_info(current_tenant_id())


async def settings_form(actor: StaffActor) -> dict[str, str]:
    """The form's starting values with their version, read from the database: the tenant
    cache may be seconds old, and a stale version would turn the next save into a conflict."""
    _check_rights(actor)
    tenant = await Tenant.get(id=current_tenant_id())
    return {**current_values(tenant), VERSION_FIELD: str(tenant.version)}


async def save_branding(actor: StaffActor, *, values: dict[str, str]) -> None:
    """Store theme, colours, form of address, imprint and signature in one go, if nobody
    saved them since the form was loaded (its `version`); EditConflict otherwise."""
    _check_rights(actor)
    clean = clean_branding(values)
    try:
        await save_if_unchanged(
            Tenant,
            where={"id": current_tenant_id()},
            version=version_of(values),
            changes={**clean, "updated_at": datetime.now(UTC)},
            labels=dict(SETTINGS_FIELDS),
        )
    except EditConflict:
        raise await _readable_conflict(clean) from None
    finally:
        tenant_cache.invalidate()


class _Stored:
    """A stored setting in a conflict message: compared by its value, shown readably."""

    def __init__(self, value: object, shown: str) -> None:
        self.value, self.shown = value, shown

    def __eq__(self, other: object) -> bool:
        return bool(self.value == other)

    def __str__(self) -> str:
        return self.shown


def _shown(column: str, value: object) -> str:
    """A theme or form of address by its label, an imprint or signature as plain text."""
    if column == "theme":
        built_in = available_themes().get(str(value))
        return built_in.label if built_in else str(value)
    if column == "address_form":
        return ADDRESS_FORM_LABELS[str(value)]
    if column in RICH_TEXT_FIELDS:
        text = " ".join(rich_text_to_plain(str(value or "")).split())
        return text if len(text) <= SHOWN_TEXT_CHARS else text[:SHOWN_TEXT_CHARS] + "…"
    return str(value)


async def _readable_conflict(clean: dict[str, Any]) -> EditConflict:
    """The conflict as the settings page names it (not theme keys or raw HTML)."""
    tenant = await Tenant.get(id=current_tenant_id())
    values = {column: getattr(tenant, column) for column in clean}
    stored = SimpleNamespace(  # empty values stay as they are: shown as "(empty)"
        **{
            column: value if value in (None, "") else _Stored(value, _shown(column, value))
            for column, value in values.items()
        }
    )
    errors = conflict_errors(stored, clean, dict(SETTINGS_FIELDS), {})
    return EditConflict(errors, version=tenant.version)


async def replace_asset(actor: StaffActor, *, kind: str, data: bytes) -> images.ProcessedImage:
    """Check and re-encode an uploaded logo or favicon, then make it the tenant's."""
    _check_rights(actor, kind)
    try:
        image = await anyio.to_thread.run_sync(_PROCESSORS[kind], data, limiter=_IMAGE_WORK)
    except images.ImageRejected as rejected:
        raise ValidationFailed({kind: rejected.message}) from rejected
    # Two uploads at once: the later insert waits for the earlier one's unique row, then
    # fails; run again it replaces that row, so the last upload wins instead of a 500.
    for attempt in range(3):
        try:
            await _store_asset(kind, image)
            break
        except IntegrityError:
            if attempt == 2:
                raise
    tenant_cache.invalidate()
    return image


async def _store_asset(kind: str, image: images.ProcessedImage) -> None:
    async with in_transaction():
        await TenantAsset.filter(kind=kind).delete()
        await TenantAsset.create(
            kind=kind,
            content_type=image.content_type,
            sha256=image.sha256,
            data=image.data,
            width=image.width,
            height=image.height,
        )
        await Tenant.filter(id=current_tenant_id()).update(
            **{f"{kind}_key": image.sha256}, updated_at=datetime.now(UTC)
        )


async def remove_asset(actor: StaffActor, *, kind: str) -> None:
    _check_rights(actor, kind)
    async with in_transaction():
        await TenantAsset.filter(kind=kind).delete()
        await Tenant.filter(id=current_tenant_id()).update(
            **{f"{kind}_key": None}, updated_at=datetime.now(UTC)
        )
    tenant_cache.invalidate()


async def load_asset(kind: str) -> TenantAsset | None:
    """The current tenant's logo or favicon (scoped by the request's tenant)."""
    if kind not in ASSET_KINDS:
        return None
    return await TenantAsset.filter(kind=kind).first()
