"""Staff photos for the portal's advisor card: a staff member's own upload and removal on the
account page, and the picture itself for the tenant's staff and the member's customers
(services/staff_photos.py decides who may)."""

from __future__ import annotations

from typing import cast

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.errors import NotFound, ValidationFailed
from tenant_app.files.portraits import PORTRAIT_MAX_BYTES
from tenant_app.pages import redirect
from tenant_app.services import staff_photos
from tenant_app.text.i18n import gettext as _
from tenant_app.web import forms
from tenant_app.web.account import security_response
from tenant_app.web.guards import require

UPLOAD_SLACK = 64 * 1024  # bytes of multipart framing around the file
FIELD = staff_photos.FIELD


async def _read_photo(request: Request) -> bytes:
    """The uploaded picture's bytes (at most the limit plus one, so oversize is still seen)."""
    too_large = _("The file is too large: at most %(mb)s MB.", mb=PORTRAIT_MAX_BYTES // 2**20)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > PORTRAIT_MAX_BYTES + UPLOAD_SLACK:
        raise ValidationFailed({FIELD: too_large})  # refused before reading the body
    async with forms.multipart(request) as form:
        files = form.getlist(FIELD)
        if len(files) != 1 or not isinstance(files[0], UploadFile) or not files[0].filename:
            raise ValidationFailed({FIELD: _("Please choose an image file.")})
        return await files[0].read(PORTRAIT_MAX_BYTES + 1)


async def own_photo_upload(request: Request) -> Response:
    user = require(request, lambda u: staff_photos.may_change(u, u.id))
    try:
        data = await _read_photo(request)
        storage = request.app.state.storage
        await staff_photos.replace_photo(user, storage, user_id=user.id, data=data)
    except ValidationFailed as failed:
        return await security_response(request, user, status_code=422, photo_errors=failed.errors)
    return redirect(request, "account_security", flash="photo_saved")


async def own_photo_remove(request: Request) -> Response:
    user = require(request, lambda u: staff_photos.may_change(u, u.id))
    await staff_photos.remove_photo(user, request.app.state.storage, user_id=user.id)
    return redirect(request, "account_security", flash="photo_removed")


async def staff_photo(request: Request) -> Response:
    """The picture (JPEG), for the tenant's staff and the member's own customers; else 404."""
    viewer = require(request, lambda u: True)
    key = await staff_photos.photo_key(viewer, cast(int, request.path_params["user_id"]))
    if key is None:
        raise NotFound
    data = await request.app.state.storage.read(key)
    headers = {"Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff"}
    return Response(data, media_type="image/jpeg", headers=headers)


routes = [
    Route("/account/photo", own_photo_upload, methods=["POST"], name="account_photo_upload"),
    Route("/account/photo/remove", own_photo_remove, methods=["POST"], name="account_photo_remove"),
    Route("/photos/staff/{user_id:id}", staff_photo, methods=["GET"], name="staff_photo"),
]
