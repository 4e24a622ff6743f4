"""Every handler module's routes, in one list (each module ends in `routes = [...]`)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from tenant_app.web import account, auth, insurers, previews, public, registration
from tenant_app.web.portal import folders as portal_folders
from tenant_app.web.portal import home as portal_home
from tenant_app.web.portal import profile as portal_profile
from tenant_app.web.portal import tickets as portal_tickets
from tenant_app.web.staff import contacts, folders, home, settings, users
from tenant_app.web.staff import insurers as staff_insurers
from tenant_app.web.staff import tickets as staff_tickets
from tenant_app.web.staff import view_as as staff_view_as

MODULES = (
    public,
    auth,
    account,
    registration,
    home,
    portal_home,
    portal_folders,
    portal_profile,
    users,
    contacts,
    folders,
    previews,
    insurers,
    staff_insurers,
    staff_tickets,
    portal_tickets,
    settings,
    staff_view_as,
)


def routes() -> list[BaseRoute]:
    return [route for module in MODULES for route in module.routes]
