"""Every handler module's routes, in one list (each module ends in `routes = [...]`)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from tenant_app.web import (
    account,
    app_shell,
    auth,
    devices,
    insurers,
    jump,
    leads,
    notifications,
    passkeys,
    previews,
    public,
    push,
    registration,
    second_factor,
    staff_photos,
    well_known,
)
from tenant_app.web.backoffice import queue as backoffice_queue
from tenant_app.web.backoffice import tender as backoffice_tender
from tenant_app.web.backoffice import work as backoffice_work
from tenant_app.web.operator import audit as operator_audit
from tenant_app.web.operator import backoffices as operator_backoffices
from tenant_app.web.operator import dpa as operator_dpa
from tenant_app.web.operator import health as operator_health
from tenant_app.web.operator import support as operator_support
from tenant_app.web.operator import tenants as operator_tenants
from tenant_app.web.portal import chat as portal_chat
from tenant_app.web.portal import claims as portal_claims
from tenant_app.web.portal import consents as portal_consents
from tenant_app.web.portal import data_requests as portal_data_requests
from tenant_app.web.portal import folders as portal_folders
from tenant_app.web.portal import home as portal_home
from tenant_app.web.portal import household as portal_household
from tenant_app.web.portal import offers as portal_offers
from tenant_app.web.portal import profile as portal_profile
from tenant_app.web.portal import referral as portal_referral
from tenant_app.web.portal import tickets as portal_tickets
from tenant_app.web.portal import trail as portal_trail
from tenant_app.web.portal import trust as portal_trust
from tenant_app.web.staff import activity as staff_activity
from tenant_app.web.staff import advice_records as staff_advice_records
from tenant_app.web.staff import api_tokens as staff_api_tokens
from tenant_app.web.staff import backoffices as staff_backoffices
from tenant_app.web.staff import broker_profile as staff_broker_profile
from tenant_app.web.staff import case_offers as staff_case_offers
from tenant_app.web.staff import case_risks as staff_case_risks
from tenant_app.web.staff import cases as staff_cases
from tenant_app.web.staff import chat_actions as staff_chat_actions
from tenant_app.web.staff import chat_archive as staff_chat_archive
from tenant_app.web.staff import chats as staff_chats
from tenant_app.web.staff import claims as staff_claims
from tenant_app.web.staff import consents as staff_consents
from tenant_app.web.staff import contact_login, contacts, folders, home, settings, users
from tenant_app.web.staff import data_requests as staff_data_requests
from tenant_app.web.staff import domains as staff_domains
from tenant_app.web.staff import dpa as staff_dpa
from tenant_app.web.staff import household as staff_household
from tenant_app.web.staff import imports as staff_imports
from tenant_app.web.staff import insured_objects as staff_insured_objects
from tenant_app.web.staff import insurer_accounts as staff_insurer_accounts
from tenant_app.web.staff import insurers as staff_insurers
from tenant_app.web.staff import interface_applications as staff_applications
from tenant_app.web.staff import invitations as staff_invitations
from tenant_app.web.staff import leads as staff_leads
from tenant_app.web.staff import offers as staff_offers
from tenant_app.web.staff import portal_settings as staff_portal_settings
from tenant_app.web.staff import retention as staff_retention
from tenant_app.web.staff import second_factor as staff_second_factor
from tenant_app.web.staff import sessions as staff_sessions
from tenant_app.web.staff import support as staff_support
from tenant_app.web.staff import tenders as staff_tenders
from tenant_app.web.staff import tickets as staff_tickets
from tenant_app.web.staff import trail_setting as staff_trail_setting
from tenant_app.web.staff import trust as staff_trust
from tenant_app.web.staff import view_as as staff_view_as
from tenant_app.web.staff import webhooks as staff_webhooks

MODULES = (
    public,
    well_known,
    app_shell,
    auth,
    account,
    staff_photos,
    notifications,
    push,
    devices,
    passkeys,
    second_factor,
    registration,
    home,
    portal_home,
    portal_folders,
    portal_profile,
    portal_household,
    portal_offers,
    staff_offers,
    users,
    contacts,
    contact_login,
    staff_invitations,
    staff_household,
    staff_retention,
    folders,
    previews,
    insurers,
    staff_insurers,
    staff_tickets,
    portal_tickets,
    portal_trust,
    portal_trail,
    staff_trust,
    staff_second_factor,
    staff_trail_setting,
    staff_broker_profile,
    staff_portal_settings,  # before settings: its POST /staff/settings/{kind} would take ours
    staff_api_tokens,  # before settings: its POST /staff/settings/{kind} would take ours
    staff_webhooks,  # before settings: its POST /staff/settings/{kind} would take ours
    staff_backoffices,
    staff_insurer_accounts,  # before settings: its POST /staff/settings/{kind}/remove
    staff_domains,  # before settings: its POST /staff/settings/{kind} would take ours
    settings,
    staff_view_as,
    staff_sessions,
    staff_activity,
    staff_imports,
    staff_cases,
    staff_leads,
    leads,
    portal_referral,
    staff_case_risks,
    staff_insured_objects,
    staff_applications,
    staff_case_offers,
    staff_advice_records,
    staff_tenders,
    staff_claims,
    portal_claims,
    staff_data_requests,
    portal_data_requests,
    portal_chat,
    staff_chats,
    staff_chat_actions,
    staff_chat_archive,
    jump,
    operator_backoffices,
    operator_dpa,
    operator_tenants,
    operator_health,
    operator_audit,
    operator_support,
    portal_consents,
    staff_consents,
    staff_dpa,
    staff_support,
    backoffice_queue,
    backoffice_tender,
    backoffice_work,
)


def routes() -> list[BaseRoute]:
    return [route for module in MODULES for route in module.routes]
