"""The staff's activity feed: customers' actions, the whole tenant's or one contact's, each
marked "geprüft" in place (HTMX swaps the entry and the sidebar's count) or by a plain form
that returns to the page it was on."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.htmx import is_fragment_request
from tenant_app.pages import render, url_for
from tenant_app.permissions import can_use_staff_area
from tenant_app.services import activity, contacts
from tenant_app.web import forms
from tenant_app.web.guards import require

FEED_PAGE = "staff/activity/feed.html"
ANSWER = "staff/activity/answer.html"  # the entry and the sidebar's count, for HTMX
FLASHES = ("checked", "unchecked", "restored")


def _feed_context(request: Request, feed: activity.Feed, **extra: Any) -> dict[str, Any]:
    query = request.url.query
    back = request.url.path + (f"?{query}" if query else "")  # where the entries' forms return
    return {"feed": feed, "back": back, "filters": activity.FILTERS, **extra}


def _choice(request: Request) -> tuple[str, int]:
    params = request.query_params
    return params.get("filter", ""), forms.optional_id(params.get("page", "")) or 1


async def activity_feed(request: Request) -> Response:
    actor = require(request, can_use_staff_area)
    chosen, page = _choice(request)
    found = await activity.feed(actor, filter=chosen, page=page)
    context = _feed_context(request, found, contact=None, base=url_for(request, "activity_feed"))
    return render(request, FEED_PAGE, context)


async def contact_activity(request: Request) -> Response:
    actor = require(request, can_use_staff_area)
    contact_id = cast(int, request.path_params["contact_id"])
    contact = await contacts.get_visible_contact(actor, contact_id)
    chosen, page = _choice(request)
    found = await activity.feed(actor, filter=chosen, page=page, contact_id=contact.id)
    base = url_for(request, "contact_activity", contact_id=contact.id)
    return render(request, FEED_PAGE, _feed_context(request, found, contact=contact, base=base))


async def activity_check(request: Request) -> Response:
    actor = require(request, can_use_staff_area)
    form = await forms.read_form(request)
    checked = forms.checkbox(form, "checked")
    entry = await activity.check(actor, _event_id(request), checked)
    back = forms.text(form, "next")
    return await _answer(request, actor, entry, back, "checked" if checked else "unchecked")


async def activity_restore(request: Request) -> Response:
    actor = require(request, can_use_staff_area)
    form = await forms.read_form(request)
    entry = await activity.restore(actor, _event_id(request))
    return await _answer(request, actor, entry, forms.text(form, "next"), "restored")


def _event_id(request: Request) -> int:
    return cast(int, request.path_params["event_id"])


async def _answer(
    request: Request, actor: CurrentUser, entry: activity.Entry, back: str, flash: str
) -> Response:
    """HTMX: the entry as it is now, with the sidebar's count; else the page it came from."""
    if not is_fragment_request(request):
        target = forms.safe_next(back, url_for(request, "activity_feed"))
        return RedirectResponse(f"{_with_flash(target, flash)}#activity-{entry.id}", 303)
    count = await activity.unchecked_count(actor)
    return render(request, ANSWER, {"entry": entry, "count": count, "back": back})


def _with_flash(target: str, flash: str) -> str:
    """The page's own query with this confirmation instead of an earlier one."""
    parts = urlsplit(target)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key not in FLASHES]
    return f"{parts.path}?{urlencode([*query, (flash, '1')])}"


routes = [
    Route("/staff/activity", activity_feed, methods=["GET"], name="activity_feed"),
    Route(
        "/staff/contacts/{contact_id:id}/activity",
        contact_activity,
        methods=["GET"],
        name="contact_activity",
    ),
    Route(
        "/staff/activity/{event_id:id}/check",
        activity_check,
        methods=["POST"],
        name="activity_check",
    ),
    Route(
        "/staff/activity/{event_id:id}/restore",
        activity_restore,
        methods=["POST"],
        name="activity_restore",
    ),
]
