"""Every page, at desktop and phone width (issue 24): axe-core finds nothing serious, and a
keyboard alone reaches the whole main content, in order, with focus always visible.

The pages come from the registered GET routes (tenant_app/web/routing.py), ids filled in
from the demo data. A route that is no HTML page must be named in NOT_PAGES, and a page with
a known problem in KNOWN_GAPS: a new page is swept as soon as it is registered, or the
coverage test fails.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.routing import Route

from tenant_app.api.routing import routes as api_routes
from tenant_app.demo.tenders import BACKOFFICE_LOGIN
from tenant_app.web.routing import routes
from tests.browser.conftest import ADMIN, DANA, NEW_PASSWORD, field, log_in
from tests.browser.test_accessibility import axe_problems

async_api = pytest.importorskip("playwright.async_api")

pytestmark = pytest.mark.browser

# Reduced motion: a focus ring that fades in is read at its end, not half-way.
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}, "reduced_motion": "reduce"},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "reduced_motion": "reduce",
    },
}

# GET routes that answer with something other than a page a person tabs through.
NOT_PAGES = {
    "/healthz": "health check (JSON)",
    "/": "front door: only redirects",
    "/brand.css": "stylesheet",
    "/branding/logo": "image",
    "/branding/favicon": "image",
    "/photos/staff/{user_id:id}": "image (a staff member's photo on the advisor card)",
    "/passwort/{token}": "needs a mailed token; the journeys walk it (test_journeys.py)",
    "/kunde-werden/bestaetigen/{token}": "needs a mailed token (test_lead_journeys.py)",
    "/portal/documents/{document_id:id}/download": "file download",
    "/portal/documents/{document_id:id}/preview": "file preview",
    "/portal/documents/{document_id:id}/thumbnail": "image",
    "/staff/documents/{document_id:id}/download": "file download",
    "/staff/documents/{document_id:id}/preview": "file preview",
    "/staff/documents/{document_id:id}/thumbnail": "image",
    "/staff/contacts/{contact_id:id}/export": "ZIP download",
    "/staff/tickets/{ticket_id:id}/attachments/{document_id:id}": "file download",
    "/portal/tickets/{ticket_id:id}/attachments/{document_id:id}": "file download",
    "/portal/claims/{claim_id:id}/files/{file_id:id}": "file (a claim's photo or document)",
    "/portal/claims/{claim_id:id}/files/{file_id:id}/thumbnail": "image",
    "/portal/chat/files/{document_id:id}": "file download (a chat's attachment)",
    "/staff/claims/{claim_id:id}/files/{file_id:id}": "file (a claim's photo or document)",
    "/staff/claims/{claim_id:id}/files/{file_id:id}/thumbnail": "image",
    "/insurers/options": "HTMX fragment (datalist options)",
    "/staff/badge": "HTMX fragment (unread count)",
    "/portal/badge": "HTMX fragment (unread count)",
    "/staff/settings/preview": "HTMX fragment (branding preview)",
    "/staff/settings/preview.css": "stylesheet",
    "/staff/settings/themes.css": "stylesheet",
    "/login/second-factor": "needs a pending login; axe-checked in test_totp.py",
    "/portal/trust/{trust_id:id}/folder": "opens only after the waiting period (test_trust.py)",
    "/portal/trust/{trust_id:id}/documents/{document_id:id}/download": "file download",
    "/portal/trust/{trust_id:id}/documents/{document_id:id}/preview": "file preview",
    "/account/notifications/{notification_id:id}": "follows a notification: only redirects",
    "/account/notifications/stream": "server-sent events (the bell's live stream)",
    "/staff/imports/{job_id:id}": "needs an uploaded CSV; swept in browser/test_import.py",
    "/staff/imports/{job_id:id}/mapping": "needs an uploaded CSV; swept in browser/test_import.py",
    "/staff/imports/{job_id:id}/report": "CSV download",
    "/staff/invitations/{batch_id:id}": "needs a batch; axe-checked in test_invitation_journeys.py",
    "/staff/contacts/{contact_id:id}/invitation": "HTMX fragment (the contact page's invitations)",
    "/jump/{secret}": "a jump-in link: only redirects (or an error page; test_jump_links.py)",
    "/manifest.webmanifest": "web manifest (JSON; test_app_manifest.py)",
    "/app/icon-{variant}.png": "image",
    "/sw.js": "service worker script",
    "/account/push/key": "JSON (the VAPID public key for static/js/pwa.js)",
    "/app/offline": "the service worker's offline page; axe-checked in test_app_journeys.py",
    "/staff/contacts/{contact_id:id}/offer-requests": "HTMX fragment (the contact page's part)",
    "/staff/chats/{chat_id:id}/files/{document_id:id}": "file download (a chat's attachment)",
    "/backoffice/tenders/{tender_id:id}/documents/{document_id:id}": "file download",
    "/staff/applications/{app_id:id}/paper": "file preview (the filled application's PDF)",
    "/staff/dpa/banner": "HTMX fragment (the AVV banner; empty once accepted)",
    "/portal/data/{request_id:id}/copy": "ZIP download (a data request's copy)",
    "/.well-known/tenant-app/tls-allowed": "plain text (Caddy's on-demand TLS asks it)",
    "/.well-known/tenant-app-verification/{token}": "plain text (an own domain's token)",
    "/staff/settings/support/{request_id:id}/entries/{entry_id:id}/screenshot": "image",
    "/operator/support/{request_id:id}/entries/{entry_id:id}/screenshot": "image",
    "/operator/exports/{name}": "ZIP download (a deleted tenant's export)",
}

# Pages with a known problem nobody has fixed yet: ("staff"|"portal"|"public", path) -> why.
KNOWN_GAPS: dict[tuple[str, str], str] = {}

PUBLIC = ("/login", "/passwort-vergessen", "/impressum", "/api/v1/docs", "/kunde-werden")
STAFF = (
    "/staff",
    "/account/password",
    "/staff/users",
    "/staff/users/new",
    "/staff/users/{user_id:id}",
    "/staff/contacts",
    "/staff/contacts/new",
    "/staff/contacts/{contact_id:id}",
    "/staff/contacts/{contact_id:id}/edit",
    "/staff/contacts/{contact_id:id}/permissions",
    "/staff/contacts/{contact_id:id}/delete",
    "/staff/contacts/{contact_id:id}/folders/{folder}",
    "/staff/contacts/{contact_id:id}/folders/{folder}/contracts/new",
    "/staff/contacts/{contact_id:id}/contracts/{contract_id:id}",
    "/staff/contacts/{contact_id:id}/tickets/new",
    "/staff/contacts/{contact_id:id}/activity",
    "/staff/imports",
    "/staff/imports/new",
    "/staff/invitations/new",
    "/staff/contacts/{contact_id:id}/cases/new",
    "/staff/cases",
    "/staff/cases/{case_id:id}",  # Dana's "Kfz-Wechsel" (the demo)
    "/staff/cases/{case_id:id}/edit",
    "/staff/cases/{case_id:id}/risks/new",
    "/staff/cases/{case_id:id}/risks/{risk_id:id}",
    "/staff/cases/{case_id:id}/offers/new",  # entering a calculated offer
    "/staff/cases/{case_id:id}/offers/compare",  # the case's offers side by side
    "/staff/cases/{case_id:id}/tenders/new",  # its start form (Ausschreibung starten)
    "/staff/tenders/{tender_id:id}",  # a tender of that case (tender_id below)
    "/staff/claims",
    "/staff/claims/{claim_id:id}",  # Dana's newest claim (the demo)
    "/staff/contacts/{contact_id:id}/claims",
    "/staff/interessenten",
    "/staff/interessenten/{lead_id:id}",  # Lena Lindner, recommended by Dana (the demo)
    "/staff/interessenten/{lead_id:id}/kontakt",
    "/staff/activity",
    "/staff/insurers",
    "/staff/tickets",
    "/staff/tickets/{ticket_id:id}",
    "/staff/settings",
    "/staff/settings/api",
    "/account/security",
    "/account/notifications",
    "/staff/settings/webhooks",
    "/staff/settings/webhooks/new",
    "/staff/settings/webhooks/{endpoint_id:id}",  # one the sweep adds (webhook_id below)
    "/staff/settings/webhooks/{endpoint_id:id}/edit",
    "/staff/offer-requests",
    "/staff/offer-requests/{request_id:id}/answer",  # Felix asked for a car insurance (demo)
    "/staff/chats",
    "/staff/chats/new",
    "/staff/chats/{chat_id:id}",  # Dana's chat (chat_id below)
    "/staff/chats/{chat_id:id}/archive",  # its archive dialog ("Zugeordnet zu")
    "/staff/settings/backoffices",
    "/staff/settings/insurer-accounts",
    "/staff/settings/insurer-accounts/{plugin}",  # the reference plug-in's (radschutz)
    "/staff/contacts/{contact_id:id}/objects/new",
    "/staff/objects/{object_id:id}",  # Dana's e-bike, waiting to be insured (the demo)
    "/staff/objects/{object_id:id}/edit",
    "/staff/applications/{app_id:id}",  # an application for that e-bike (app_id below)
    "/staff/applications/{app_id:id}/calls",  # its interface log
    "/staff/settings/domains",  # own domains and the website login
)
# The firm's support requests to the operator: Anna's question, answered (the demo).
STAFF_SUPPORT = (
    "/staff/settings/support",
    "/staff/settings/support/new",
    "/staff/settings/support/{request_id:id}",
)
PORTAL = (
    "/portal",
    "/account/password",
    "/portal/folders/{folder}",
    "/portal/folders/{folder}/contracts/new",
    "/portal/folders/{folder}/upload",
    "/portal/contracts/{contract_id:id}",
    "/portal/profile",
    "/portal/tickets",
    "/portal/tickets/new",
    "/portal/tickets/{ticket_id:id}",
    "/portal/claims",
    "/portal/claims/new",
    "/portal/claims/{claim_id:id}",
    "/account/security",
    "/portal/household",  # Dana also manages her daughter Emma's folders
    "/account/notifications",
    "/portal/trail",  # what the broker's staff did with her data
    "/portal/empfehlen",  # her referral link (Kunde werden)
    "/portal/offers",
    "/portal/offers/request",
    "/portal/offers/{offer_id:id}/accept",  # Dana's open offers (tenant_app/demo/offers.py)
    "/portal/offers/{offer_id:id}/question",
    "/portal/chat",  # the customer's chat (full screen on the phone)
    "/portal/data",  # Meine Daten: copies and erasure (Art. 15, 17 GDPR)
    "/portal/consents",  # her consent to health data (Art. 9 GDPR)
)
# The demo's trusted person: Lena named Tom for her emergency folder.
LENA, TOM = ("lena", DANA[1]), ("tom", DANA[1])
TRUSTING = (
    "/portal/trust/persons",
    "/portal/trust/persons/new",
    "/portal/trust/persons/{trust_id:id}",
)
TRUSTED = ("/portal/trust", "/portal/trust/{trust_id:id}")
STAFF_TRUST = ("/staff/contacts/{contact_id:id}/trusted/{trust_id:id}/open",)
# The platform host's operator (the CLI's, browser/conftest.py), on a backoffice the sweep adds.
OPERATOR = (
    "/operator",
    "/operator/backoffices/new",
    "/operator/backoffices/{backoffice_id:id}",
    "/operator/dpa",  # the AVV versions
    "/operator/dpa/new",
    "/operator/dpa/{dpa_id:id}",  # the demo's AVV 2026-1
    "/operator/tenants",
    "/operator/tenants/new",
    "/operator/tenants/{tenant_id:id}",  # the demo tenant
    "/operator/health",
    "/operator/audit",
    "/operator/support",
    "/operator/support/{request_id:id}",  # the demo firm's question
)
# The legal duties' staff pages (admin): Felix's data request, Lena's holds and consents, the
# advice documentation of Dana's case (delivered; a draft for the delivery page).
STAFF_LEGAL = (
    "/staff/data-requests",
    "/staff/data-requests/{request_id:id}",
    "/staff/retention",
    "/staff/dpa",
    "/staff/contacts/{contact_id:id}/holds",
    "/staff/contacts/{contact_id:id}/consents",
    "/staff/advice-records/{record_id:id}",
)
STAFF_DRAFT = ("/staff/advice-records/{record_id:id}/deliver",)
STAFF_RETAINED = ("/staff/retained", "/staff/retained/{contact_id:id}")  # Rolf Ruhestand's
# The demo's backoffice person (Bea) on a tender of her queue.
BACKOFFICE = ("/backoffice", "/backoffice/tenders/{tender_id:id}")

# Marks the main content's keyboard targets (a radio group counts once: Tab visits one of it).
MARK_TARGETS = """() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  const main = document.querySelector('main');
  const targets = [], groups = {};
  for (const el of (main ? main.querySelectorAll(selector) : [])) {
    // A link inside a rich-text editor is text being edited: the editor takes the focus.
    if (el.disabled || el.closest('[inert], fieldset:disabled, [contenteditable]')) continue;
    if (el.getAttribute('tabindex') === '-1') continue;
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    const group = el.type === 'radio' ? `${el.form ? el.form.action : ''}|${el.name}` : null;
    if (group && group in groups) { el.dataset.sweep = groups[group]; continue; }
    const index = String(targets.length);
    if (group) groups[group] = index;
    el.dataset.sweep = index;
    const text = (el.textContent || el.name || el.id || '').trim().replace(/\\s+/g, ' ');
    targets.push(`<${el.tagName.toLowerCase()}> ${text.slice(0, 40)}`);
  }
  window.__sweepStep = 0;
  window.__sweepLast = null;
  return {targets, focusable: document.querySelectorAll(selector).length};
}"""

# Puts focus before everything (a page may autofocus a field): a focusable-by-script start.
START_AT_TOP = """() => {
  const start = document.createElement('span');
  start.tabIndex = -1;
  document.body.prepend(start);
  start.focus();
}"""

# What Tab has just focused: its target index, whether it was focused before (a cycle), and
# whether a focus indicator shows.
FOCUSED = r"""() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  // A date field keeps the focus while Tab walks its day, month and year: not a cycle.
  const seen = el.dataset.sweepVisit !== undefined && el !== window.__sweepLast;
  if (!seen) el.dataset.sweepVisit = String(window.__sweepStep++);
  window.__sweepLast = el;
  const style = getComputedStyle(el);
  const clear = (color) => color === 'transparent' || /(,\s*0|\/\s*0)\)$/.test(color.trim());
  const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
    && !clear(style.outlineColor);
  const shadow = style.boxShadow !== 'none' && style.boxShadow.split(/,(?![^(]*\))/).some(
    (part) => /[1-9][0-9.]*px/.test(part) && !clear(part.trim().split(/\)\s/)[0] + ')'));
  const visible = el.tagName === 'IFRAME' || ring || shadow;
  const text = (el.textContent || el.name || el.id || '').trim().replace(/\s+/g, ' ');
  return {index: el.dataset.sweep ?? null, seen, visible,
          label: `<${el.tagName.toLowerCase()}> ${text.slice(0, 40)}`};
}"""


def page_routes() -> set[str]:
    """Every GET route that may be a page; the JSON API's operations are none (the API's
    reference page is, and is swept with the public pages)."""
    return {
        route.path
        for route in [*routes(), *api_routes()]
        if isinstance(route, Route)
        and route.methods
        and "GET" in route.methods
        and (route.name == "api_reference" or not route.name.startswith("api_"))
    }


def test_every_page_is_swept_or_named() -> None:
    swept = set(PUBLIC) | set(STAFF) | set(PORTAL) | set(TRUSTING) | set(TRUSTED) | set(STAFF_TRUST)
    swept |= set(OPERATOR) | set(BACKOFFICE) | set(STAFF_LEGAL) | set(STAFF_DRAFT)
    swept |= set(STAFF_RETAINED) | set(STAFF_SUPPORT)
    unknown = page_routes() - swept - set(NOT_PAGES)
    assert not unknown, f"new GET routes: add them to a sweep list or NOT_PAGES: {unknown}"
    stale = (swept | set(NOT_PAGES)) - page_routes()
    assert not stale, f"listed routes that are no longer registered: {stale}"


async def keyboard_problems(page: Any, name: str) -> list[str]:
    """Tab from the top: every main-content target reached, in DOM order, focus visible."""
    # The ring is judged as it ends up: a transition would be read at its start.
    await page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")
    marked = await page.evaluate(MARK_TARGETS)
    targets: list[str] = marked["targets"]
    await page.evaluate(START_AT_TOP)
    reached: list[int] = []
    problems: list[str] = []
    trail: list[str] = []  # what Tab focused, for the failure message
    for _ in range(min(marked["focusable"] + 15, 400)):
        await page.keyboard.press("Tab")
        focused = await page.evaluate(FOCUSED)
        if focused is None or focused["seen"]:  # left the document or went round: done
            trail.append("(end)" if focused is None else f"(again {focused['label']})")
            break
        trail.append(focused["label"])
        if not focused["visible"]:
            problems.append(f"[{name}] no visible focus on {focused['label']}")
        if focused["index"] is not None:
            reached.append(int(focused["index"]))
            if len(set(reached)) == len(targets):
                break
    order = [index for i, index in enumerate(reached) if i == 0 or index != reached[i - 1]]
    if order != sorted(order):
        problems.append(f"[{name}] Tab order is not DOM order: {[targets[i] for i in order]}")
    missed = [target for i, target in enumerate(targets) if i not in set(reached)]
    if missed:
        problems.append(f"[{name}] Tab never reaches: {missed}; it went: {trail[-8:]}")
    return problems


async def href(page: Any, path: str, pattern: str, text: str | None = None) -> str:
    """The first link on `path` whose href matches `pattern` (and whose text has `text`)."""
    await page.goto(path)
    links = page.locator("a[href]")
    if text:
        links = links.filter(has_text=text)
    for link in await links.all():
        value = await link.get_attribute("href") or ""
        if match := re.search(pattern, value):
            return match.group(1)
    raise AssertionError(f"no link like {pattern!r} on {path}")


async def staff_ids(page: Any) -> dict[str, str]:
    contact = await href(page, "/staff/contacts", r"/staff/contacts/(\d+)$", "Datenfrei, Dana")
    folder = f"/staff/contacts/{contact}/folders/insurance"
    return {
        "contact_id": contact,
        "folder": "insurance",
        "user_id": await href(page, "/staff/users", r"/staff/users/(\d+)$"),
        "contract_id": await href(page, folder, r"/contracts/(\d+)$"),
        "ticket_id": await href(page, "/staff/tickets?scope=all", r"/staff/tickets/(\d+)$"),
        **await case_ids(page, contact),
        "endpoint_id": await webhook_id(page),
        "lead_id": await href(page, "/staff/interessenten", r"/staff/interessenten/(\d+)$"),
        "claim_id": await href(page, "/staff/claims", r"/staff/claims/(\d+)$"),
        "request_id": await href(page, "/staff/offer-requests", r"/offer-requests/(\d+)/answer$"),
        "chat_id": await chat_id(page),
        "object_id": await href(page, f"/staff/contacts/{contact}", r"/staff/objects/(\d+)$"),
        "app_id": await application_id(page, contact),
        "plugin": "radschutz",
    }


async def application_id(page: Any, contact: str) -> str:
    """An application for Dana's e-bike: one made before (a journey's), or one the sweep
    starts with the object's button (starting asks the insurer nothing yet)."""
    ebike = await href(page, f"/staff/contacts/{contact}", r"/staff/objects/(\d+)$", "E-Bike")
    path = f"/staff/objects/{ebike}"
    await page.goto(path)
    if not await page.locator("a[href^='/staff/applications/']").count():
        await page.click("#apply-radschutz")
        await page.wait_for_selector("#step-count")
    return await href(page, path, r"/staff/applications/(\d+)$")


async def webhook_id(page: Any) -> str:
    """The demo has no webhook endpoint: the sweep adds one through the form, once."""
    await page.goto("/staff/settings/webhooks")
    if not await page.locator("#webhook-table").count():
        await page.goto("/staff/settings/webhooks/new")
        await page.fill("#f-url", "https://crm.example.com/webhooks")
        await page.check("input[value='contact.updated']")
        await page.click("#webhook-form button[type=submit]")
        await page.wait_for_selector("#to-endpoint")
    return await href(page, "/staff/settings/webhooks", r"/staff/settings/webhooks/(\d+)$")


async def chat_id(page: Any) -> str:
    """Dana's chat: the demo's, or one the sweep starts through the "+" (the customer search)."""
    await page.goto("/staff/chats")
    if not await page.locator("#chat-list").count():
        await page.goto("/staff/chats/new?q=Datenfrei")
        await page.locator("#chat-customers button[type=submit]").first.click()
        await page.wait_for_selector("#chat-head")
    return await href(page, "/staff/chats", r"/staff/chats/(\d+)$")


async def case_ids(page: Any, contact: str) -> dict[str, str]:
    """Dana's open advice case and its vehicle (tenant_app/demo/cases.py)."""
    case = await href(page, f"/staff/contacts/{contact}", r"/staff/cases/(\d+)$", "Kfz-Wechsel")
    risk = await href(page, f"/staff/cases/{case}", r"/risks/(\d+)$")
    return {"case_id": case, "risk_id": risk, "tender_id": await tender_id(page, case)}


async def tender_id(page: Any, case: str) -> str:
    """A tender of that case: the demo's, or one the sweep starts through the form (engaging
    the first backoffice offered if the demo engaged none)."""
    await page.goto(f"/staff/cases/{case}")
    if not await page.locator("a[href^='/staff/tenders/']").count():
        await page.goto(f"/staff/cases/{case}/tenders/new")
        if await page.locator("#no-backoffice").count():
            await page.goto("/staff/settings/backoffices")
            await page.locator("button[id$='-engage']").first.click()
            await page.wait_for_selector("button[id$='-end']")
            await page.goto(f"/staff/cases/{case}/tenders/new")
        await page.fill("#f-answers\\.prior_claims", "0")
        if await page.locator("#f-reason").count():
            await page.fill("#f-reason", "Mehr Auswahl für die Kundin")
        await page.click("#tender-submit")
        await page.wait_for_selector("#tender-confirmation")
    return await href(page, f"/staff/cases/{case}", r"/staff/tenders/(\d+)$")


async def portal_ids(page: Any) -> dict[str, str]:
    return {
        "folder": "insurance",
        "contract_id": await href(page, "/portal/folders/insurance", r"/portal/contracts/(\d+)$"),
        "ticket_id": await href(page, "/portal/tickets", r"/portal/tickets/(\d+)$"),
        "claim_id": await href(page, "/portal/claims", r"/portal/claims/(\d+)$"),
        "offer_id": await href(page, "/portal/offers", r"/portal/offers/(\d+)/accept$"),
    }


def fill(template: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda match: ids[match.group(1)], template)


async def sweep(page: Any, who: str, templates: tuple[str, ...], ids: dict[str, str]) -> list[str]:
    problems: list[str] = []
    for template in templates:
        if (who.split("/")[0], template) in KNOWN_GAPS:
            continue
        path = fill(template, ids)
        answer = await page.goto(path)
        if answer is None or answer.status != 200:
            problems.append(f"[{who} {path}] answered {answer and answer.status}")
            continue
        problems += await axe_problems(page, f"{who} {path}")
        problems += await keyboard_problems(page, f"{who} {path}")
    return problems


@pytest.mark.parametrize("viewport", VIEWPORTS)
async def test_public_pages(contexts, viewport: str) -> None:
    page = await contexts.page(bypass_csp=True, **VIEWPORTS[viewport])
    problems = await sweep(page, f"public/{viewport}", PUBLIC, {})
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("viewport", VIEWPORTS)
async def test_portal_pages_as_customer(contexts, viewport: str) -> None:
    page = await contexts.page(bypass_csp=True, **VIEWPORTS[viewport])
    await log_in(page, *DANA)
    problems = await sweep(page, f"portal/{viewport}", PORTAL, await portal_ids(page))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("viewport", VIEWPORTS)
async def test_trusted_person_pages(contexts, viewport: str) -> None:
    """Lena's pages about her trusted persons, Tom's pages as one, the staff's proof form."""
    lena = await contexts.page(bypass_csp=True, **VIEWPORTS[viewport])
    await log_in(lena, *LENA)
    ids = {"trust_id": await href(lena, TRUSTING[0], r"/portal/trust/persons/(\d+)$")}
    problems = await sweep(lena, f"trusting/{viewport}", TRUSTING, ids)
    tom = await contexts.page(bypass_csp=True, **VIEWPORTS[viewport])
    await log_in(tom, *TOM)
    problems += await sweep(tom, f"trusted/{viewport}", TRUSTED, ids)
    staff = await contexts.page(bypass_csp=True, **VIEWPORTS[viewport])
    await log_in(staff, *ADMIN)
    contact = await href(staff, "/staff/contacts", r"/staff/contacts/(\d+)$", "Leser, Lena")
    problems += await sweep(staff, f"staff/{viewport}", STAFF_TRUST, {**ids, "contact_id": contact})
    assert not problems, "\n".join(problems)


async def operator_ids(page: Any, live_server: Any) -> dict[str, str]:
    """Logged in as the platform's operator (their one-time password replaced at first, once
    per run), with a backoffice the sweep adds through the form if there is none."""
    username, password = live_server.operator
    await log_in(page, username, password)
    if "/account/password" in page.url:
        await field(page, "Aktuelles Passwort").fill(password)
        await field(page, "Neues Passwort").fill(NEW_PASSWORD)
        await field(page, "Neues Passwort wiederholen").fill(NEW_PASSWORD)
        await page.get_by_role("button", name="Passwort ändern").click()
        await page.wait_for_selector("#password-changed")
        live_server.operator = (username, NEW_PASSWORD)
    await page.goto("/operator")
    if not await page.locator("#backoffice-table").count():
        await page.goto("/operator/backoffices/new")
        await page.fill("#f-name", "Nordlicht Backoffice")
        await page.click("#backoffice-submit")
        await page.wait_for_selector("#backoffice-created")
    return {
        "backoffice_id": await href(page, "/operator", r"/operator/backoffices/(\d+)$"),
        "dpa_id": await href(page, "/operator/dpa", r"/operator/dpa/(\d+)$"),
        "tenant_id": await href(page, "/operator/tenants", r"/operator/tenants/(\d+)$"),
        "request_id": await href(page, "/operator/support", r"/operator/support/(\d+)$"),
    }


@pytest.mark.parametrize("viewport", VIEWPORTS)
async def test_operator_pages(contexts, live_server, viewport: str) -> None:
    page = await contexts.page("platform", bypass_csp=True, **VIEWPORTS[viewport])
    ids = await operator_ids(page, live_server)
    problems = await sweep(page, f"operator/{viewport}", OPERATOR, ids)
    assert not problems, "\n".join(problems)


async def backoffice_ids(page: Any) -> dict[str, str]:
    """Logged in as the demo's backoffice person (tenant_app/demo/tenders.py), on the first
    tender of her queue."""
    await log_in(page, *BACKOFFICE_LOGIN)
    return {"tender_id": await href(page, "/backoffice", r"/backoffice/tenders/(\d+)$")}


@pytest.mark.parametrize("viewport", VIEWPORTS)
async def test_backoffice_pages(contexts, live_server, viewport: str) -> None:
    page = await contexts.page("platform", bypass_csp=True, **VIEWPORTS[viewport])
    ids = await backoffice_ids(page)
    problems = await sweep(page, f"backoffice/{viewport}", BACKOFFICE, ids)
    assert not problems, "\n".join(problems)
