"""Serve /portal as the customer a staff session views it as; refuse every change there.

The one place that makes the view read-only: an unsafe request under /portal never reaches a
handler while the marker is set, whatever the page offered (buttons are disabled as well,
but that is a courtesy, not the protection).
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from tenant_app.actors import CurrentUser
from tenant_app.edge.state import state_of
from tenant_app.pages import factor_state_of, render
from tenant_app.security import view_as
from tenant_app.settings import Settings
from tenant_app.text import i18n


async def apply(
    scope: Scope, settings: Settings, user: CurrentUser | None, jar: dict[str, str]
) -> tuple[CurrentUser | None, bool]:
    """The actor for this request, and whether a stale marker cookie should be cleared.

    Staff pages keep the staff member: only /portal is seen through the customer's eyes.
    """
    raw = jar.get(view_as.cookie_name(settings))
    if user is None or not raw or not user.is_staff:
        return user, False
    tenant = state_of(scope)["tenant"]
    contact_id = view_as.marked_contact(settings, tenant.id, user, raw)
    if contact_id is None or factor_state_of(tenant, user) == "due":
        # A staff member whose second factor fell due sees no customer's portal either:
        # the view ends, and their own pages lead them to set one up.
        return user, True
    if not view_as.is_portal_path(scope["path"]):
        return user, False
    viewed = await view_as.viewed_customer(user, contact_id)
    if viewed is None:  # a right taken away or the contact gone: the view ends
        return user, True
    state_of(scope)["view_as"] = viewed[1]
    return viewed[0], False


def refusal(scope: Scope) -> Response | None:
    """The friendly 403 for a change attempted while viewing as a customer, else None."""
    state = state_of(scope)
    if state.get("view_as") is None or scope["method"] in view_as.SAFE_METHODS:
        return None
    user = state["user"]
    locale = i18n.negotiate(Headers(scope=scope).get("accept-language"), user.language)
    state["locale"] = locale
    with i18n.using(locale, state["tenant"].address_form):
        return render(Request(scope), "portal/view_as_refused.html", status_code=403)
