"""White label settings (Einstellungen): theme, colours, texts, form of address, logo, favicon."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlencode

from babel.numbers import format_decimal
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, ValidationFailed
from tenant_app.files import images
from tenant_app.files.storage import StorageFull
from tenant_app.htmx import is_fragment_request
from tenant_app.pages import redirect, render, url_for
from tenant_app.permissions import can_manage_settings
from tenant_app.services import access_trail, branding, broker_profile, portal_settings
from tenant_app.services.storage_alerts import report_storage_full
from tenant_app.services.versions import VERSION_FIELD
from tenant_app.text import i18n
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import N_
from tenant_app.theming import (
    Palette,
    available_themes,
    contrast_checks,
    css_variables,
    palette_for,
    theme,
)
from tenant_app.web import forms
from tenant_app.web.guards import require

TEMPLATE = "staff/settings/form.html"
PREVIEW_SELECTOR = ".brand-preview, .contrast__sample"  # where preview colours apply
UPLOAD_SLACK = 64 * 1024  # bytes of multipart framing and fields around the file
SHORT_FIELD_CHARS = 100  # theme, colours, form of address: longer is never valid
_THEME_NAME = re.compile(r"^[a-z0-9-]{1,40}$")
STORAGE_FULL = N_(  # the words of the 507 page
    "The file could not be saved because the storage is full. Nothing has been uploaded."
    " The administration has been informed; please try again later."
)


@dataclass(frozen=True)
class Preview:
    """What the live preview shows for a set of (not yet saved) values."""

    theme: str
    address_form: str
    colors: Palette
    defaults: Palette  # the theme's own colours, used where a field is empty
    checks: list[dict[str, Any]]
    css_url: str


def _ratio_text(ratio: float) -> str:
    # Rounded down: a ratio shown as 4.5 must really reach 4.5 (WCAG allows no rounding up).
    return format_decimal(math.floor(ratio * 10) / 10, format="0.0", locale=i18n.get_locale())


def _preview(request: Request, values: dict[str, str]) -> Preview:
    theme_name = theme(values.get("theme", "")).name
    colors = palette_for(
        theme_name,
        branding.parse_color(values.get("primary_color", "")),
        branding.parse_color(values.get("secondary_color", "")),
        branding.parse_color(values.get("text_color", "")),
    )
    query = urlencode(
        {
            "theme": theme_name,
            "primary": colors.primary,
            "secondary": colors.secondary,
            "text": colors.text,
        }
    )
    checks = [
        {"name": check.name, "ratio": _ratio_text(check.ratio), "passes": check.passes}
        for check in contrast_checks(theme_name, colors)
    ]
    address_form = values.get("address_form", "")
    return Preview(
        theme=theme_name,
        address_form=address_form if address_form in i18n.ADDRESS_FORMS else "sie",
        colors=colors,
        defaults=palette_for(theme_name, None, None, None),
        checks=checks,
        css_url=f"{url_for(request, 'branding_preview_css')}?{query}",
    )


def _page(
    request: Request,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    block: str | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    if extra.get("asset_done") is None:  # after a plain (non-HTMX) upload: ?uploaded=logo
        query = request.query_params
        extra["asset_done"] = {
            query[done]: done for done in ("uploaded", "removed") if done in query
        }
    context = {
        "values": values,
        "errors": errors,
        "themes": list(available_themes().values()),
        "preview": _preview(request, values),
        "themes_css": _themes_css_url(request),
        "limits": {
            "logo_mb": images.LOGO_MAX_BYTES // (1024 * 1024),
            "favicon_mb": images.FAVICON_MAX_BYTES // (1024 * 1024),
            "side": images.MAX_INPUT_SIDE,
            "logo_box": images.LOGO_BOX,
            "favicon_side": images.FAVICON_SIDE,
        },
        **extra,
    }
    return render(request, TEMPLATE, context, block=block, status_code=status_code)


def _field(form: FormData, name: str) -> str:
    values = form.getlist(name)
    if len(values) > 1 or (values and not isinstance(values[0], str)):
        raise ValidationFailed({name: _("Invalid input.")})
    value = str(values[0]) if values else ""
    return value if name in branding.RICH_TEXT_FIELDS else value[:SHORT_FIELD_CHARS]


FORM_FIELDS = (*branding.FIELDS, VERSION_FIELD)  # the form carries the version it shows


async def branding_form(request: Request) -> Response:
    actor = require(request, can_manage_settings)
    return await settings_page(request, actor)


async def settings_page(
    request: Request, actor: CurrentUser, *, status_code: int = 200, **extra: Any
) -> Response:
    """The page with the stored settings; `extra`: another section's state after its refused
    form (the staff second factor, web/staff/second_factor.py)."""
    values = await branding.settings_form(actor)
    extra = {**await _sections(actor, given=extra), **extra}
    return _page(request, values, {}, status_code=status_code, **extra)


# The page's sections with a form of their own, and how each reads its stored values.
_SECTIONS = {
    "trail": access_trail.trail_setting_form,  # web/staff/trail_setting.py
    "broker": broker_profile.profile_form,  # web/staff/broker_profile.py
    "portal_app": portal_settings.settings_form,  # web/staff/portal_settings.py
}


async def _sections(
    actor: CurrentUser, *, given: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The stored values of the page's other sections, except those `given` (a refused form's)."""
    return {
        name: await read(actor) for name, read in _SECTIONS.items() if name not in (given or {})
    }


async def save_section(
    request: Request,
    *,
    section: str,
    fields: tuple[str, ...],
    save: Callable[..., Awaitable[object]],
    flash: str,
    max_chars: int,
) -> Response:
    """Save a section's own form; a refused one shows the page with its input and errors."""
    actor = require(request, can_manage_settings)
    form = await forms.read_form(request, max_fields=max(20, len(fields) + 5))
    values = dict.fromkeys(fields, "")
    try:
        values = forms.texts(form, fields, max_chars=max_chars)
        await save(actor, values=values)
    except ValidationFailed as failed:
        state = {section: failed.kept(values), f"{section}_errors": failed.errors}
        return await settings_page(request, actor, status_code=failed.status_code, **state)
    return redirect(request, "branding_form", flash=flash)


async def branding_save(request: Request) -> Response:
    actor = require(request, can_manage_settings)
    form = await forms.read_form(request, max_fields=20)
    values = {name: "" for name in FORM_FIELDS}
    try:
        values = {name: _field(form, name) for name in FORM_FIELDS}
        if _field(form, "reset_colors"):
            # Without JavaScript: show the theme's colours in the form; saving stays a choice.
            values |= {name: "" for name in branding.COLOR_FIELDS}
            return _page(request, values, {}, colors_reset=True, **await _sections(actor))
        await branding.save_branding(actor, values=values)
    except ValidationFailed as failed:
        kept, status_code = failed.kept(values), failed.status_code
        sections = await _sections(actor)
        return _page(request, kept, failed.errors, status_code=status_code, **sections)
    return redirect(request, "branding_form", flash="saved")


async def branding_preview(request: Request) -> Response:
    """The preview fragment for unsaved values (HTMX, on every change of the look)."""
    require(request, can_manage_settings)
    names = ("theme", *branding.COLOR_FIELDS, "address_form")
    values = {name: request.query_params.get(name, "")[:SHORT_FIELD_CHARS] for name in names}
    preview = _preview(request, values)
    with i18n.using(i18n.get_locale(), preview.address_form):
        return render(request, "staff/settings/preview.html", {"preview": preview})


async def branding_preview_css(request: Request) -> Response:
    """Validated colours as custom properties for the preview: nothing else gets through."""
    require(request, can_manage_settings)
    query = request.query_params
    theme_name = theme(query.get("theme", "")).name
    colors = palette_for(
        theme_name, query.get("primary"), query.get("secondary"), query.get("text")
    )
    css = css_variables(theme_name, colors, selector=PREVIEW_SELECTOR)
    return Response(css, media_type="text/css", headers={"Cache-Control": "private, max-age=86400"})


@cache
def _themes_css() -> str:
    """One rule per built-in theme with its colours, for the swatches of the theme choice."""
    rules = []
    for name, built_in in available_themes().items():
        if _THEME_NAME.fullmatch(name):
            tokens = dict(built_in.tokens)
            rules.append(
                f".theme-option--{name} {{ --swatch-primary: {built_in.primary}; "
                f"--swatch-secondary: {built_in.secondary}; --swatch-text: {built_in.text}; "
                f"--swatch-bg: {tokens['bg']}; --swatch-radius: {tokens['radius-md']}; }}"
            )
    return "\n".join(rules) + "\n"


def _themes_css_url(request: Request) -> str:
    version = hashlib.sha256(_themes_css().encode()).hexdigest()[:12]
    return f"{url_for(request, 'branding_themes_css')}?v={version}"


async def branding_themes_css(request: Request) -> Response:
    require(request, can_manage_settings)
    return Response(
        _themes_css(), media_type="text/css", headers={"Cache-Control": "private, max-age=86400"}
    )


def _asset_kind(request: Request) -> str:
    kind = str(request.path_params["kind"])
    if kind not in branding.ASSET_KINDS:
        raise NotFound
    return kind


async def _read_upload(request: Request, kind: str) -> bytes:
    """The uploaded file's bytes (at most the limit plus one, so oversize is still seen);
    StorageFull if the disk is too full to receive it."""
    limit = branding.max_upload_bytes(kind)
    too_large = _("The file is too large: at most %(mb)s MB.", mb=limit // (1024 * 1024))
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + UPLOAD_SLACK:
        raise ValidationFailed({kind: too_large})  # refused before reading the body
    async with forms.multipart(request) as form:
        files = form.getlist(kind)
        if len(files) != 1 or not isinstance(files[0], UploadFile):
            raise ValidationFailed({kind: _("Please choose an image file.")})
        upload = files[0]
        data = await upload.read(limit + 1)
        if not data and not upload.filename:
            raise ValidationFailed({kind: _("Please choose an image file.")})
        return data


Refusal = tuple[dict[str, str], int]  # the errors next to the upload, and the status


async def _asset_result(
    request: Request, actor: CurrentUser, kind: str, done: str, refused: Refusal | None = None
) -> Response:
    """A full page (or a redirect) without HTMX; with HTMX only the asset's panel."""
    if refused is None and not is_fragment_request(request):
        return redirect(request, "branding_form", query={done: kind})
    errors, status_code = refused or ({}, 200)
    tenant = await branding.fresh_tenant(actor)  # the page shows the asset just changed
    return _page(
        request,
        await branding.settings_form(actor),  # the settings form stays saveable
        errors,
        block=f"{kind}_panel",
        status_code=status_code,
        tenant=tenant,
        asset_done={} if errors else {kind: done},
        refresh_brand=not errors,
        **await _sections(actor),  # the whole page without HTMX
    )


async def asset_upload(request: Request) -> Response:
    actor = require(request, can_manage_settings)
    kind = _asset_kind(request)
    try:
        data = await _read_upload(request, kind)
        await branding.replace_asset(actor, kind=kind, data=data)
    except ValidationFailed as failed:
        return await _asset_result(request, actor, kind, "uploaded", (failed.errors, 422))
    except StorageFull:  # the page stays, the message sits at the upload (also with HTMX)
        await report_storage_full(actor, settings=request.app.state.settings)
        refused = ({kind: _(STORAGE_FULL)}, 507)
        return await _asset_result(request, actor, kind, "uploaded", refused)
    return await _asset_result(request, actor, kind, "uploaded")


async def asset_remove(request: Request) -> Response:
    actor = require(request, can_manage_settings)
    kind = _asset_kind(request)
    await branding.remove_asset(actor, kind=kind)
    return await _asset_result(request, actor, kind, "removed")


routes: list[BaseRoute] = [
    Route("/staff/settings", branding_form, methods=["GET"], name="branding_form"),
    Route("/staff/settings", branding_save, methods=["POST"], name="branding_save"),
    Route("/staff/settings/preview", branding_preview, methods=["GET"], name="branding_preview"),
    Route(
        "/staff/settings/preview.css",
        branding_preview_css,
        methods=["GET"],
        name="branding_preview_css",
    ),
    Route(
        "/staff/settings/themes.css",
        branding_themes_css,
        methods=["GET"],
        name="branding_themes_css",
    ),
    Route("/staff/settings/{kind}", asset_upload, methods=["POST"], name="asset_upload"),
    Route("/staff/settings/{kind}/remove", asset_remove, methods=["POST"], name="asset_remove"),
]
