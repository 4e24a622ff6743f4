"""A tenant on Du: every page, message and mail a customer meets says du, never Sie.

One walk goes through the customer's side of a tenant as people do: registration link, login,
forgotten password, every portal page, every portal action with its confirmation and its
errors (validation, PIN, login, edit conflict, upload, full storage, 403, 404), and the mails
all this causes. Which routes it must meet comes from the registered routes, so a new page
cannot slip past. The same walk on a Sie tenant finds Sie, so the check can fail.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from types import SimpleNamespace
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import httpx
import pytest

from tenant_app.files import storage
from tenant_app.jobs.outbox import MailWorker
from tenant_app.models.accounts import AccountLink, User
from tenant_app.models.contacts import Contact
from tenant_app.models.folders import Document
from tenant_app.models.households import ContactLink, TrustedPerson
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.security import ratelimit, totp
from tenant_app.services import factor_codes, registration
from tenant_app.services.password_check import CHANGE_PER_ACCOUNT
from tenant_app.tenancy import tenant_cache
from tenant_app.web import routing
from tests.conftest import CUSTOMER_PASSWORD, html_of, link_in, make_customer, text_of
from tests.folder_helpers import PDF_BYTES, add_contract, add_document
from tests.html_forms import form_fields
from tests.notification_helpers import mail_unread
from tests.test_mail_forms import DU, SIE
from tests.web.test_claims import du_walk as claims_walk
from tests.web.test_consents import du_walk as consents_walk
from tests.web.test_data_requests import du_walk as data_requests_walk
from tests.web.test_leads import du_walk as leads_walk
from tests.web.test_offers import du_walk as offers_walk
from tests.web.test_passkeys import post_json
from tests.web.test_portal_chat import du_walk as chat_walk
from tests.web.test_push import du_walk as push_walk
from tests.web.test_totp import CODE_RE as RECOVERY_CODE_RE
from tests.web.test_totp import SECRET_RE as TOTP_SECRET_RE
from tests.web.test_totp import Clock
from tests.webauthn_authenticator import SoftAuthenticator

NO_WORDS = {"healthz", "brand_css", "branding_logo", "branding_favicon"}  # no text for people
NO_WORDS |= {"web_manifest", "app_icon", "service_worker", "push_key"}  # app shell, test_push
NO_WORDS |= {"staff_photo"}  # a picture (test_staff_photo.py)
NO_WORDS |= {"account_photo_upload", "account_photo_remove"}  # staff only: 403 for customers
NO_WORDS |= {"domain_token", "tls_allowed"}  # plain text for machines (test_custom_domains.py)
SHOWN_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "data-confirm"}
FOLDERS = ("insurance", "finance", "other", "emergency")
READ_ONLY = ("emergency",)
RITA = {"first_name": "Rita", "last_name": "Rahn", "birthdate": "17.08.1977"}
RITA_MAIL = "rita@kunde.example"
RITA_PIN = "17081977"
GOOD_PASSWORD = "Wolkenschiff-Tanne-9"
CONTRACT = {
    "product_line": "Kfz",
    "insurer": "Condor Allgemeine Versicherungs-AG",
    "insurance_number": "KFZ-77",
    "gross_premium": "45,90",
    "payment_frequency": "monthly",
}


class _Visible(HTMLParser):
    """The words a person sees or hears: text outside scripts, and the shown attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in ("script", "style")
        self.parts.extend(value for name, value in attrs if name in SHOWN_ATTRIBUTES and value)

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    reader = _Visible()
    reader.feed(html)
    return " ".join(" ".join(reader.parts).split())


def customer_routes() -> set[tuple[str, str]]:
    """Every route outside the staff area, by method: what a customer or visitor can reach."""
    return {
        (method, str(route.name))
        for route in routing.routes()
        # the platform host's pages answer 404 on a broker's host (test_backoffice_isolation)
        if not getattr(route, "path", "/staff").startswith(("/staff", "/backoffice", "/operator"))
        and route.name not in NO_WORDS
        for method in (getattr(route, "methods", None) or set()) - {"HEAD"}
    }


def route_name(method: str, path: str) -> str | None:
    for route in routing.routes():
        if method in (getattr(route, "methods", None) or ()) and route.path_regex.match(path):
            return str(route.name)
    return None


@dataclass
class Walk:
    """What the customer's side showed: (request, visible text) and the routes it met."""

    host: str
    tenant_id: int
    pages: list[tuple[str, str]] = field(default_factory=list)
    met: set[tuple[str, str]] = field(default_factory=set)

    def saw(self, method: str, path: str, response: httpx.Response) -> None:
        """Note the route met and, for a page, its words."""
        name = route_name(method, urlsplit(path).path)
        if name:
            self.met.add((method, name))
        if response.headers.get("content-type", "").startswith("text/html"):
            label = f"{method} {path} -> {response.status_code}"
            self.pages.append((label, visible_text(response.text)))

    async def get(self, client: Any, path: str, status: int = 200) -> httpx.Response:
        response = await client.get(path)
        self.saw("GET", path, response)
        assert response.status_code == status, (path, response.status_code)
        return response

    async def post(
        self,
        client: Any,
        path: str,
        status: int,
        data: dict[str, Any] | None = None,
        *,
        form_page: str | None = None,
        files: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """Submit a form as `form_page` (default: `path`) offers it, multipart if `files` is
        given (even empty); follow a 303 to see its confirmation."""
        token = await client.csrf(form_page or path)
        headers = {"Origin": f"http://{self.host}"}
        if files is not None:
            fields = {"csrf_token": token, **(data or {})}
            parts = {**{key: (None, value) for key, value in fields.items()}, **files}
            response = await client.post(path, files=parts, headers=headers)
        else:
            payload = {"csrf_token": token, **(data or {})}
            response = await client.post(path, data=payload, headers=headers)
        self.saw("POST", path, response)
        assert response.status_code == status, (path, response.status_code, response.text[:300])
        location = response.headers.get("location", "")
        if response.status_code == 303 and location.startswith("/"):
            await self.get(client, location)
        return response

    def with_sie(self) -> dict[str, set[str]]:
        """Each page's sentences in the Sie form (one page may show several)."""
        found: dict[str, set[str]] = {}
        for label, text in self.pages:
            sentences = {s for s in re.split(r"(?<=[.!?])\s+", text) if SIE.search(s)}
            if sentences:
                found.setdefault(label, set()).update(sentences)
        return found


async def _speak(tenant: Any, address_form: str) -> None:
    await Tenant.filter(id=tenant.tenant.id).update(address_form=address_form)
    tenant_cache.invalidate()


async def _kai(tenant: Any, passwords: Any, settings: Any) -> list[int]:
    """Kai may do everything (the emergency folder he may only read), with data everywhere:
    a contract with a document in each folder, and a document on each folder."""
    flags = {f"{folder}_unlock": True for folder in FOLDERS}
    flags |= {f"{folder}_share": True for folder in FOLDERS[:3]}
    flags |= {"emergency_readonly": True, "profile_visible": True, "profile_editable": True}
    contact = await make_customer(tenant, passwords, communication=True, **flags)
    with tenant_scope(tenant.tenant.id):
        await User.filter(contact_id=contact.id).update(birthdate=date(1990, 1, 2))
    contracts = [await add_contract(tenant, contact, folder) for folder in FOLDERS]
    for contract in contracts:
        await add_document(tenant, settings, contact, contract=contract)
        await add_document(tenant, settings, contact, folder=contract.folder, title="Übersicht")
    return [contract.id for contract in contracts]


async def _rita_gets_her_link(staff: Any, tenant: Any, deliver: Any) -> str:
    """Staff set Rita up as the house does it: contact, account, registration mail."""
    await staff.submit(
        "/staff/contacts", {**RITA, "email": RITA_MAIL}, form_page="/staff/contacts/new"
    )
    with tenant_scope(tenant.tenant.id):
        contact_id = (await Contact.get(email=RITA_MAIL)).id
    page = f"/staff/contacts/{contact_id}"
    await staff.submit(f"{page}/account", form_page=page)
    await staff.submit(f"{page}/registration-mail", form_page=page)
    mails = [m for m in await deliver() if m["To"] == RITA_MAIL]
    return urlsplit(link_in(mails[-1])).path


def _passwords(password: str, repeat: str | None = None, pin: str = "") -> dict[str, str]:
    return {"password": password, "password2": password if repeat is None else repeat, "pin": pin}


async def _link_pages(walk: Walk, visitor: Any, path: str) -> None:
    """A link page with every way of getting it wrong, then done; used afterwards."""
    await walk.get(visitor, path)
    await walk.post(visitor, path, 422, _passwords("aaaaaaaaaa", "bbb"))  # simple, differ, no PIN
    for weak in ("Rita17081977", "rahn-rita-2026", "passwort123", "kurz"):
        await walk.post(visitor, path, 422, _passwords(weak, pin=RITA_PIN))
    await walk.post(visitor, path, 422, _passwords(GOOD_PASSWORD, pin="01011990"))
    await walk.post(visitor, path, 200, _passwords(GOOD_PASSWORD, pin=RITA_PIN))
    await walk.get(visitor, path, 410)


async def _reset_link(walk: Walk, visitor: Any, deliver: Any) -> str:
    await walk.post(visitor, "/passwort-vergessen", 200, {"identifier": RITA_MAIL})
    return urlsplit(link_in([m for m in await deliver() if m["To"] == RITA_MAIL][-1])).path


async def _visitor_side(walk: Walk, visitor: Any, staff: Any, tenant: Any, deliver: Any) -> None:
    """Registration, reset, dead and expired links, login with its errors, imprint, 404."""
    await _link_pages(walk, visitor, await _rita_gets_her_link(staff, tenant, deliver))
    await walk.get(visitor, "/passwort/not-a-real-link", 404)
    await walk.get(visitor, "/jump/not-a-real-jump-in-link", 404)  # meant for staff, seen by anyone
    await walk.get(visitor, "/passwort-vergessen")
    await walk.post(visitor, "/passwort-vergessen", 200, {"identifier": ""})
    await _link_pages(walk, visitor, await _reset_link(walk, visitor, deliver))
    dying = await _reset_link(walk, visitor, deliver)
    with pytest.MonkeyPatch.context() as patch:  # this client tried too many PINs today
        patch.setattr(registration, "PIN_PER_CLIENT", ratelimit.Limit("pin-client", 0, 3600))
        await walk.post(visitor, dying, 429, _passwords(GOOD_PASSWORD, pin="01011990"))
    for left in range(4):
        await walk.post(visitor, dying, 422, _passwords(GOOD_PASSWORD, pin=f"0101199{left}"))
    await walk.post(visitor, dying, 410, _passwords(GOOD_PASSWORD, pin="01011995"))
    expired = await _reset_link(walk, visitor, deliver)
    with tenant_scope(tenant.tenant.id):
        await AccountLink.filter(used_at=None, revoked_at=None).update(
            expires_at=datetime.now(UTC) - timedelta(hours=1)
        )
    await walk.get(visitor, expired, 410)

    await walk.get(visitor, "/login")
    await walk.post(visitor, "/login", 422, {"identifier": "", "password": ""})
    for _ in range(10):  # the per-account limit counts failures from this client
        await walk.post(visitor, "/login", 401, {"identifier": "niemand", "password": "x"})
    await walk.post(visitor, "/login", 429, {"identifier": "niemand", "password": "x"})
    await walk.post(visitor, "/login", 400, {f"f{n}": "x" for n in range(1100)})
    for path, status in (("/", 303), ("/impressum", 200), ("/nirgends", 404)):
        await walk.get(visitor, path, status)


async def _folders(walk: Walk, kai: Any, contracts: list[int], monkeypatch: Any) -> None:
    """Every folder page and contract form; create, change, conflict, delete; uploads."""
    for folder, contract_id in zip(FOLDERS, contracts, strict=True):
        await walk.get(kai, f"/portal/folders/{folder}")
        if folder in READ_ONLY:
            continue
        await walk.get(kai, f"/portal/folders/{folder}/upload")
        await walk.get(kai, f"/portal/folders/{folder}/upload?contract_id={contract_id}")
        await walk.get(kai, f"/portal/folders/{folder}/contracts/new")
    new, folder_page = "/portal/folders/insurance/contracts", "/portal/folders/insurance"
    await walk.post(kai, new, 422, {}, form_page=f"{new}/new")
    bad = {**CONTRACT, "insurer": "Nirgendwo AG", "gross_premium": "viel", "payment_method": "?"}
    await walk.post(kai, new, 422, {**bad, "payment_frequency": "?"}, form_page=f"{new}/new")
    await walk.post(kai, new, 303, CONTRACT, form_page=f"{new}/new")
    edit = f"/portal/contracts/{contracts[0]}"
    loaded = form_fields((await walk.get(kai, edit)).text, edit)
    await walk.post(kai, edit, 422, {**loaded, "gross_premium": "viel"})
    await walk.post(kai, edit, 303, {**loaded, "note": "Neue Bank"})
    await walk.post(kai, edit, 409, {**loaded, "note": "Alte Bank"})  # stale: conflict
    await walk.post(kai, f"{edit}/delete", 303, form_page=folder_page)
    pdf = {"file": ("police.pdf", PDF_BYTES, "application/pdf")}
    place = {"folder": "insurance", "contract_id": ""}
    await walk.post(kai, "/portal/documents", 422, place, files={}, form_page=folder_page)
    exe = {"file": ("tool.exe", b"MZ\x90\x00" * 64, "application/octet-stream")}
    await walk.post(kai, "/portal/documents", 422, place, files=exe, form_page=folder_page)
    await walk.post(
        kai, "/portal/documents", 303, {**place, "title": "Foto"}, files=pdf, form_page=folder_page
    )
    with monkeypatch.context() as patch:
        patch.setattr(storage, "copy_chunks", _disk_full)
        await walk.post(
            kai,
            "/portal/documents",
            507,
            {**place, "title": "Voll"},
            files=pdf,
            form_page=folder_page,
        )
    with tenant_scope(walk.tenant_id):
        document_id = (await Document.get(title="Foto")).id
    await walk.get(kai, f"/portal/documents/{document_id}/download")
    await walk.get(kai, f"/portal/documents/{document_id}/preview")
    await walk.get(kai, f"/portal/documents/{document_id}/thumbnail", 404)  # a PDF: none
    await walk.post(kai, f"/portal/documents/{document_id}/delete", 303, form_page=folder_page)


def _disk_full(source: BinaryIO, target: BinaryIO) -> int:
    raise OSError(errno.ENOSPC, "No space left on device")


async def _signed_in_devices(walk: Walk, kai: Any) -> None:
    """A second login in the same browser leaves the first session as another device: log it
    out, try again (gone), log out all others, turn the sign-in mails off and on."""
    page = "/account/security"
    login = {"identifier": "kai", "password": GOOD_PASSWORD}
    await walk.post(kai, "/login", 303, login, form_page="/portal")
    other = re.findall(r'name="session" value="([0-9a-f]+)"', (await walk.get(kai, page)).text)
    end = "/account/security/sessions/end"
    await walk.post(kai, end, 303, {"session": other[0]}, form_page=page)
    await walk.post(kai, end, 404, {"session": other[0]}, form_page=page)
    await walk.post(kai, "/account/security/sessions/end-others", 303, form_page=page)
    alerts = "/account/security/sessions/alerts"
    await walk.post(kai, alerts, 422, {"alerts_password": ""}, form_page=page)
    await walk.post(kai, alerts, 422, {"alerts_password": "falsch"}, form_page=page)
    await walk.post(kai, alerts, 303, {"alerts_password": GOOD_PASSWORD}, form_page=page)
    await walk.post(kai, alerts, 303, {"login_alerts": "on"}, form_page=page)


async def _passkeys(walk: Walk, kai: Any) -> None:
    """Add a passkey (first without a name), rename it, log in with it instead of the password
    and after it, remove it (once the password form's failures before have expired)."""
    device, page, login = SoftAuthenticator(f"http://{walk.host}"), "/account/security", "/login"

    async def fetch(path: str, body: dict[str, Any], status: int, form_page: str = page) -> Any:
        response = await post_json(kai, path, body, page=form_page)
        walk.saw("POST", path, response)
        assert response.status_code == status, (path, response.text[:300])
        return response.json()

    await fetch("/account/passkeys/options", {"name": "", "current_password": ""}, 422)
    await fetch("/account/passkeys/options", {"name": "Laptop", "current_password": "x"}, 422)
    body = {"name": "Laptop", "current_password": GOOD_PASSWORD}
    options = await fetch("/account/passkeys/options", body, 200)
    added = await fetch(
        "/account/passkeys", {"credential": device.create(options["publicKey"])}, 200
    )
    walk.pages.append(("POST /account/passkeys -> 200", visible_text(added["html"])))
    path = re.findall(r'action="(/account/passkeys/\d+)/name"', added["html"])[0]
    await walk.post(kai, f"{path}/name", 422, {"name": ""}, form_page=page)
    await walk.post(kai, f"{path}/name", 303, {"name": "Büro"}, form_page=page)
    await walk.post(kai, "/logout", 303, form_page=page)
    options = await fetch("/login/passkey/options", {}, 200, login)
    credential = device.get(options["publicKey"])
    await fetch("/login/passkey", {"credential": credential, "next": ""}, 200, login)
    await walk.post(kai, "/logout", 303, form_page=page)
    await kai.log_in("kai", GOOD_PASSWORD)  # on to the second factor
    options = await fetch("/login/second-factor/passkey/options", {}, 200, login)
    credential = device.get(options["publicKey"])
    await fetch("/login/second-factor/passkey", {"credential": credential}, 200, login)
    await walk.post(kai, f"{path}/delete", 422, {"current_password": ""}, form_page=page)
    await _forgive_wrong_passwords(walk)
    await walk.post(kai, f"{path}/delete", 303, {"current_password": GOOD_PASSWORD}, form_page=page)


async def _forgive_wrong_passwords(walk: Walk) -> None:
    """As if the quarter of an hour had passed since the wrong current passwords before."""
    with tenant_scope(walk.tenant_id):
        key = f"{walk.tenant_id}:{(await User.get(username='kai')).id}"
    for _ in range(CHANGE_PER_ACCOUNT.attempts * 2):
        await ratelimit.release(CHANGE_PER_ACCOUNT, key)


async def _household(walk: Walk, kai: Any) -> None:
    """Kai also manages his daughter's folders (nothing shared with her yet): the switcher as
    htmx loads it and as a page, a switch there and back (also as a mail's link offers it),
    and a contact that is not his."""
    with tenant_scope(walk.tenant_id):
        kai_login = await User.get(username="kai")
        child = await Contact.create(
            first_name="Mia",
            last_name="Kunde",
            email="mia@kunde.example",
            birthdate=date(2015, 3, 1),
        )
        await ContactLink.create(user_id=kai_login.id, contact_id=child.id, consent_note="Tochter")
    fragment = await kai.get("/portal/household", headers={"HX-Request": "true"})
    walk.saw("GET", "/portal/household", fragment)
    await walk.get(kai, "/portal/household")
    await walk.post(
        kai, "/portal/household", 303, {"contact_id": str(child.id)}, form_page="/portal"
    )
    offer = f"/portal/household?contact={kai_login.contact_id}&next=/portal/tickets"
    await walk.get(kai, offer)
    back = {"contact_id": str(kai_login.contact_id), "next": "/portal/tickets"}
    await walk.post(kai, "/portal/household", 303, back, form_page=offer)
    await walk.post(kai, "/portal/household", 404, {"contact_id": str(10**6)}, form_page="/portal")


async def _authenticator_app(walk: Walk, kai: Any, clock: Clock, patch: Any) -> None:
    """Set the app up (cancelled once; a blank, a wrong, then the right first code: the codes
    once), log in with a code and with a recovery code (and too many wrong ones), new recovery
    codes, remove it with password and code."""
    page, login2 = "/account/security", "/login/second-factor"
    totp_path = f"{page}/totp"
    password = {"start_password": GOOD_PASSWORD}
    await walk.post(kai, f"{totp_path}/start", 422, {"start_password": ""}, form_page=page)
    await walk.post(kai, f"{totp_path}/start", 422, {"start_password": "x"}, form_page=page)
    await walk.post(kai, f"{totp_path}/start", 303, password, form_page=page)
    await walk.post(kai, f"{totp_path}/cancel", 303, form_page=page)
    await walk.post(kai, f"{totp_path}/start", 303, password, form_page=page)
    secret = TOTP_SECRET_RE.findall((await walk.get(kai, page)).text)[0].replace(" ", "")
    for wrong in ("", "000000" if clock.code(secret) != "000000" else "111111"):
        await walk.post(kai, f"{totp_path}/confirm", 422, {"code": wrong}, form_page=page)
    confirmed = await walk.post(
        kai, f"{totp_path}/confirm", 200, {"code": clock.code(secret)}, form_page=page
    )
    codes = RECOVERY_CODE_RE.findall(confirmed.text)
    await walk.post(kai, f"{totp_path}/start", 422, password, form_page=page)  # already on
    await walk.post(kai, "/logout", 303, form_page=page)
    await walk.get(kai, login2, 303)  # no password given: back to the login
    await kai.log_in("kai", GOOD_PASSWORD)
    await walk.get(kai, f"{login2}?recovery=1")
    await walk.post(kai, login2, 422, {"code": ""})
    await walk.post(kai, login2, 422, {"code": "nicht-echt"})
    await walk.post(kai, login2, 422, {"code": clock.code(secret)})  # used to confirm
    with pytest.MonkeyPatch.context() as limited:
        limited.setattr(
            factor_codes, "CODE_PER_CLIENT", ratelimit.Limit("factor-code-client", 0, 60)
        )
        await walk.post(kai, login2, 429, {"code": codes[0]})
    await walk.post(kai, login2, 303, {"code": codes[0]})
    await walk.post(kai, "/logout", 303, form_page=page)
    await kai.log_in("kai", GOOD_PASSWORD)
    clock.tick()
    await walk.post(kai, login2, 303, {"code": clock.code(secret)})
    renew = f"{totp_path}/recovery-codes"
    await walk.post(kai, renew, 422, {"regenerate_code": ""}, form_page=page)
    await walk.post(kai, renew, 422, {"regenerate_code": codes[0]}, form_page=page)  # used
    renewed = await walk.post(kai, renew, 200, {"regenerate_code": codes[1]}, form_page=page)
    codes = RECOVERY_CODE_RE.findall(renewed.text)
    disable = f"{totp_path}/disable"
    await walk.post(kai, disable, 422, {"disable_password": "", "disable_code": ""}, form_page=page)
    wrong = {"disable_password": "falsch", "disable_code": codes[0]}
    await walk.post(kai, disable, 422, wrong, form_page=page)
    right = {"disable_password": GOOD_PASSWORD, "disable_code": codes[0]}
    await walk.post(kai, disable, 303, right, form_page=page)


async def _login_and_security(walk: Walk, kai: Any) -> None:
    """The page "Anmeldung & Sicherheit" and every action on it (the wrong passwords of the
    password page before forgiven)."""
    await _forgive_wrong_passwords(walk)
    await walk.get(kai, "/account/security")
    await _signed_in_devices(walk, kai)
    await _passkeys(walk, kai)
    with pytest.MonkeyPatch.context() as patch:
        clock = Clock()
        patch.setattr(totp, "current_time", lambda: clock.now)
        await _authenticator_app(walk, kai, clock, patch)


async def _profile_and_password(walk: Walk, kai: Any) -> None:
    loaded = form_fields((await walk.get(kai, "/portal/profile")).text, "/portal/profile")
    wrong = {**loaded, "phone": "abc!", "postal_code": "12", "country": "DE"}
    await walk.post(kai, "/portal/profile", 422, wrong)
    await walk.post(kai, "/portal/profile", 303, {**loaded, "street": "Neuer Weg 5"})
    await walk.post(kai, "/portal/profile", 409, {**loaded, "street": "Alter Weg 1"})
    page = "/account/password"
    await walk.get(kai, page)
    await walk.post(kai, page, 422, {"current_password": "", "password": "", "password2": ""})
    new = {"password": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    await walk.post(
        kai,
        page,
        422,
        {"current_password": CUSTOMER_PASSWORD, "password": "kai-kunde-1990", "password2": "x"},
    )
    await walk.post(kai, page, 303, {"current_password": CUSTOMER_PASSWORD, **new})
    for status in (422,) * 6:  # the last one is refused as too many attempts
        await walk.post(kai, page, status, {"current_password": "falsch", **new})
    await walk.post(kai, "/account/language", 303, {"language": "de"}, form_page="/portal")


async def _tickets(walk: Walk, kai: Any, staff: Any) -> None:
    await walk.get(kai, "/portal/tickets/new")
    await walk.post(
        kai,
        "/portal/tickets",
        422,
        {"staff_id": "", "subject": "", "body": ""},
        files={},
        form_page="/portal/tickets/new",
    )
    chosen = form_fields((await kai.get("/portal/tickets/new")).text, "/portal/tickets")
    await walk.post(
        kai,
        "/portal/tickets",
        422,
        {**chosen, "staff_id": "999999", "subject": "Auto", "body": "Hallo"},
        files={},
        form_page="/portal/tickets/new",
    )
    attachment = {"file": ("foto.pdf", PDF_BYTES, "application/pdf")}
    created = await walk.post(
        kai,
        "/portal/tickets",
        303,
        {**chosen, "subject": "Auto", "body": "Ein Kratzer."},
        files=attachment,
        form_page="/portal/tickets/new",
    )
    ticket = created.headers["location"].split("?")[0]
    page = (await walk.get(kai, ticket)).text
    await walk.post(kai, f"{ticket}/read", 204, form_page=ticket)
    await walk.get(kai, re.findall(r'href="(/portal/tickets/\d+/attachments/\d+)"', page)[0])
    await walk.post(kai, f"{ticket}/reply", 422, {"body": ""}, files={}, form_page=ticket)
    await walk.post(
        kai, f"{ticket}/reply", 303, {"body": "Noch ein Foto folgt."}, files={}, form_page=ticket
    )
    staff_ticket = ticket.replace("/portal/", "/staff/")
    await staff.submit(f"{staff_ticket}/reply", {"body": "Wir melden uns."}, form_page=staff_ticket)
    await staff.submit(f"{staff_ticket}/close", form_page=staff_ticket)
    await walk.post(
        kai, f"{ticket}/reply", 422, {"body": "Und noch was."}, files={}, form_page=ticket
    )
    await walk.post(
        kai,
        "/portal/tickets/new",
        200,
        {"subject": "Auto", "body": "Und noch was."},
        form_page=ticket,
    )
    await walk.post(kai, f"{ticket}/close", 403, form_page=ticket)
    for path in (ticket, "/portal/tickets", "/portal/tickets?status=closed", "/portal/badge"):
        await walk.get(kai, path)


async def _notifications(walk: Walk, kai: Any, stranger: Any) -> None:
    """The notification centre after the tickets (a reply and the close were told to Kai):
    the list, following one (which reads it), marking read, the mail choice, wrong and right;
    one is left unread for the mail. The stream says nothing to a stranger (its bell's words
    are every page's)."""
    page = "/account/notifications"
    listed = (await walk.get(kai, page)).text
    told = re.findall(r'href="/account/notifications/(\d+)"', listed)
    assert len(told) >= 2, listed
    await walk.get(kai, f"{page}/{told[-1]}", 303)
    await walk.post(kai, f"{page}/{told[-1]}/read", 303, {"page": "1"}, form_page=page)
    await walk.post(kai, f"{page}/mail", 422, {"notification_mail": "manchmal"}, form_page=page)
    await walk.post(kai, f"{page}/mail", 303, {"notification_mail": "delayed"}, form_page=page)
    await walk.post(stranger, f"{page}/read", 303, form_page="/login")  # to the login
    await walk.get(stranger, f"{page}/stream", 204)


async def _trusted_persons(walk: Walk, kai: Any, rita: Any, settings: Any) -> None:
    """Kai names Rita for his emergency folder (errors first); she asks, he vetoes, she asks
    again, the wait passes (moved in the database), she reads it; he removes her."""
    with tenant_scope(walk.tenant_id):
        contact = await Contact.get(email="kai@kunde.example")
    tenant = SimpleNamespace(tenant=SimpleNamespace(id=walk.tenant_id))
    card = await add_document(tenant, settings, contact, folder="emergency", by_customer=True)
    persons = "/portal/trust/persons"
    for path in (persons, f"{persons}/new"):
        await walk.get(kai, path)
    rita_named = {**RITA, "birthdate": "1977-08-17", "email": RITA_MAIL, "wait_days": "7"}
    for wrong in ({}, {**rita_named, "email": "kai@kunde.example", "wait_days": "5"}):
        await walk.post(kai, persons, 422, wrong, form_page=f"{persons}/new")
    await walk.post(kai, persons, 303, rita_named, form_page=f"{persons}/new")
    with tenant_scope(walk.tenant_id):
        trust_id = (await TrustedPerson.get(email=RITA_MAIL)).id
    mine, theirs = f"{persons}/{trust_id}", f"/portal/trust/{trust_id}"
    await walk.post(rita, "/login", 303, {"identifier": RITA_MAIL, "password": GOOD_PASSWORD})
    await walk.get(rita, "/portal/trust")
    await walk.get(rita, f"{theirs}/folder", 404)
    await walk.post(rita, f"{theirs}/request", 303, form_page=theirs)
    for _ in range(2):  # the second time there is nothing left to veto
        await walk.post(kai, f"{mine}/veto", 303, form_page=mine)
    await walk.get(rita, "/portal/trust")
    await walk.post(rita, f"{theirs}/request", 303, form_page=theirs)
    with tenant_scope(walk.tenant_id):
        await TrustedPerson.filter(id=trust_id).update(opens_at=datetime.now(UTC))
    await walk.get(rita, f"{theirs}/folder")
    for view in ("download", "preview"):
        await walk.get(rita, f"{theirs}/documents/{card.id}/{view}")
    await walk.post(kai, f"{mine}/remove", 303, form_page=mine)
    await walk.get(rita, theirs, 404)


async def walk_customer_side(
    tenant: Any,
    passwords: Any,
    settings: Any,
    client_for: Callable[[str], Any],
    deliver: Any,
    monkeypatch: Any,
) -> tuple[Walk, list[Any]]:
    """The whole walk; the pages seen and the mails customers got."""
    walk = Walk(tenant.hostname, tenant.tenant.id)
    staff, visitor, kai = (client_for(tenant.hostname) for _ in range(3))
    await staff.log_in("alpha-admin")
    contracts = await _kai(tenant, passwords, settings)
    await _visitor_side(walk, visitor, staff, tenant, deliver)
    await walk.post(kai, "/login", 303, {"identifier": "kai", "password": CUSTOMER_PASSWORD})
    for path in ("/portal", "/impressum", "/insurers/options?q=Con", "/insurers/options?letter=C"):
        await walk.get(kai, path)
    await _household(walk, kai)
    await _folders(walk, kai, contracts, monkeypatch)
    await _profile_and_password(walk, kai)
    await _login_and_security(walk, kai)
    await _tickets(walk, kai, staff)
    await _notifications(walk, kai, client_for(tenant.hostname))
    await push_walk(walk, kai)
    await offers_walk(walk, kai)
    await claims_walk(walk, kai)
    await chat_walk(walk, kai)
    await leads_walk(walk, kai)
    await consents_walk(walk, kai)
    await data_requests_walk(walk, kai, staff)
    with tenant_scope(tenant.tenant.id):
        overview = await Document.get(title="Übersicht", folder="insurance")
    assert (await staff.get(f"/staff/documents/{overview.id}/download")).status_code == 200
    await walk.get(kai, "/portal/trail")  # "... hat dein Dokument Übersicht geöffnet"
    await _trusted_persons(walk, kai, visitor, settings)
    for path, status in (("/portal/gibt-es-nicht", 404), (f"/portal/contracts/{10**6}", 404)):
        await walk.get(kai, path, status)
    refused = await kai.post("/portal/profile", data={"street": "x"})  # no token: 403
    walk.saw("POST", "/portal/profile", refused)
    await walk.post(kai, "/logout", 303, form_page="/portal")
    await mail_unread(settings)  # what Kai was told and left unread: the mail about it
    while await MailWorker(settings).run_once():  # five a round: send all that is left
        pass
    customers = {"kai@kunde.example", RITA_MAIL}
    return walk, [m for m in await deliver() if m["To"] in customers]


def _mail_words(message: Any) -> str:
    return f"{message['Subject']}\n{text_of(message)}\n{visible_text(html_of(message))}"


async def test_a_du_tenant_never_says_sie_to_a_customer(
    tenant, passwords, settings, client_for, deliver, monkeypatch
) -> None:
    await _speak(tenant, "du")
    walk, mails = await walk_customer_side(
        tenant, passwords, settings, client_for, deliver, monkeypatch
    )
    assert customer_routes() - walk.met == set()  # a new page or action joins the walk
    assert walk.with_sie() == {}
    assert {m["Subject"] for m in mails if SIE.search(_mail_words(m))} == set()
    assert len(mails) >= 5  # registration, username, resets, unread notifications
    home = next(text for label, text in walk.pages if label.startswith("GET /portal ->"))
    assert DU.search(home)


async def test_a_sie_tenant_says_sie_so_the_check_can_fail(
    tenant, passwords, settings, client_for, deliver, monkeypatch
) -> None:
    walk, mails = await walk_customer_side(
        tenant, passwords, settings, client_for, deliver, monkeypatch
    )
    labels = " | ".join(walk.with_sie())
    for page in ("GET /portal ->", "/passwort/", "/portal/tickets -> 422", "-> 403", "-> 404"):
        assert page in labels
    assert mails and all(SIE.search(_mail_words(m)) for m in mails)
