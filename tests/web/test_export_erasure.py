"""The rights of access and erasure, judged on the whole database: the export holds every row
about a contact; the erasure deletes at once all that no retention keeps and restricts the
rest; and once the retention periods have ended the deletion scheduler leaves the database as
before the contact existed (but for anonymous audit entries), with no trace of their name or
address in any text column."""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from tortoise import Tortoise, connections

from tenant_app.files.storage import LocalStorage, storage_for
from tenant_app.jobs.housekeeping import purge_mail
from tenant_app.models.accounts import AccountLink, LoginRecord, User
from tenant_app.models.cases import AdviceCase
from tenant_app.models.contacts import Contact, ContactResponsible
from tenant_app.models.conversations import Conversation, ConversationEntry
from tenant_app.models.engagement import Invitation, OfferAcceptance, OfferRequest
from tenant_app.models.factors import Passkey, RecoveryCode, TotpFactor
from tenant_app.models.folders import Contract, Document
from tenant_app.models.households import ContactLink, TrustedPerson
from tenant_app.models.interfaces import InterfaceApplication, InterfaceCall
from tenant_app.models.leads import Lead
from tenant_app.models.legal import AdviceRecord, ConsentRecord, DataRequest, LegalHold
from tenant_app.models.mail import OutboxMail
from tenant_app.models.push import PushSubscription
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenders import CaseOffer
from tenant_app.services import chats, jump_links, notices, retention_purge, tender_messages
from tenant_app.services.tickets import Context
from tenant_app.tenancy import enter_tenant, leave_tenant, load_tenant_info
from tests.case_helpers import CAR, STORED_CAR, actor, in_tenant
from tests.chat_helpers import actor as chat_actor
from tests.claim_helpers import photo
from tests.claim_helpers import report as report_claim
from tests.conftest import CUSTOMER_PASSWORD, make_customer
from tests.folder_helpers import PDF_BYTES, add_contract, add_document
from tests.notification_helpers import mail_unread
from tests.tender_helpers import (
    backoffice_actor,
    backoffice_login,
    engage,
    make_backoffice,
    make_tender,
)
from tests.web.test_insured_objects import EBIKE
from tests.web.test_tickets import make_staff
from tests.web.test_totp import enrol_totp

ORIGIN = {"Origin": "http://alpha.localhost"}
EMAIL = "zoltan.quittenbaum@kunde.example"
# Whatever identifies the contact; none of it may survive the erasure anywhere.
TRACES = (
    "quittenbaum",
    "zoltan",
    "Mühlweg 77",
    "0171 9988776",
    "Q-4242",
    "Beule am Lieferwagen",
    "Delle in der Heckklappe",
    "Zoltans Telefon",
)
# Columns that change by themselves (a session is touched at most once a minute).
VOLATILE = {"last_seen_at", "claim_counter"}  # the tenant's last claim number counts on
# Attempt counters keyed by client address and account id, not the tenant's rows; they
# expire within the hour and hold no name or address (the text search below still reads them).
NOT_COMPARED = {"rate_counter"}
# Every table that can hold a row about a contact, and so must appear in the export.
ABOUT_A_CONTACT = {
    "contact",
    "customer_access",
    "contact_responsible",
    "contact_notice",
    "user_account",
    "login_session",
    "login_record",
    "known_device",
    "passkey",
    "totp_factor",
    "recovery_code",
    "account_link",
    "contact_link",
    "trusted_person",
    "trust_event",
    "contract",
    "document",
    "conversation",
    "conversation_participant",
    "conversation_entry",
    "conversation_event",
    "outbox_mail",
    "activity_event",
    "notification",
    "advice_case",
    "tender",
    "case_offer",
    "case_risk",
    "jump_link",  # a staff member's link into one of his cases
    "lead",  # the prospect request (Kunde werden) he was made from: his own data
    "offer_acceptance",  # an offer he accepted in the portal, with the text he confirmed
    "offer_request",  # an offer he asked for
    "invitation",  # how he was invited to the portal (Sie or Du, what was shared)
    "claim",  # a claim (Schaden) he reported
    "claim_file",  # its photos and documents
    "push_subscription",  # a browser of his login that gets push notifications
    "insured_object",  # his e-bike (Versichertes Objekt)
    "interface_application",  # an application for it through an insurer's interface
    "interface_call",  # an exchange with the insurer for that application (kept for support)
    "legal_hold",  # a legal hold once set on him (released, or the erasure would not run)
    "data_request",  # his request for a copy of his data (Art. 15 GDPR)
    "consent_record",  # his consent to health data, given and withdrawn (Art. 9 GDPR)
    "advice_record",  # the advice documentation of his case (§ 61 VVG)
}
# Tables that name a user only as the staff member who made them (SET NULL when that account
# goes): never a customer's login, so no row of them is about a contact.
STAFF_MADE = {
    "webhook_endpoint": "created_by: the administrator who registered it",
    "import_job": "created_by: the staff member who uploaded the CSV file",
    "invitation_batch": "started_by: the staff member who invited (erasure takes the contact out)",
    "api_token": "user: the token's own technical account; created_by: the administrator",
    "backoffice_engagement": "started_by: the administrator who engaged the backoffice",
    "backoffice_member": "user: a login of the platform's own space, never a contact's",
    "insurer_account": "updated_by: the administrator who entered the firm's online account",
    "agent_number": "user: the staff member whose agent number (Vermittlernummer) it is",
    "retention_rule": "updated_by: the administrator who lengthened a retention period",
    "dpa_acceptance": "accepted_by: the administrator who accepted the firm's AVV",
    "operator_action": "operator: a login of the platform's own space, never a contact's",
    "support_request": "created_by: the tenant's administrator who asked the operator",
    "support_entry": "author: that administrator or an operator of the platform",
}


def _value(value: Any) -> str:
    return value.hex() if isinstance(value, bytes | bytearray | memoryview) else str(value)


async def dump_database() -> dict[str, Counter[tuple[tuple[str, str], ...]]]:
    """Every row of every table the ORM knows, as comparable values (volatile columns left out)."""
    client = connections.get("default")
    tables: dict[str, Counter[tuple[tuple[str, str], ...]]] = {}
    for app in Tortoise.apps.values():
        for model in app.values():
            table = model._meta.db_table
            rows = await client.execute_query_dict(f"SELECT * FROM {table}")  # noqa: S608
            tables[table] = Counter(
                tuple(sorted((k, _value(v)) for k, v in row.items() if k not in VOLATILE))
                for row in rows
            )
    return tables


def changed_tables(before: dict[str, Counter], after: dict[str, Counter]) -> dict[str, Any]:
    """Per table, the rows only before (`-`) and only after (`+`)."""
    changes: dict[str, Any] = {}
    for table in before.keys() | after.keys():
        gone, new = before[table] - after[table], after[table] - before[table]
        if gone or new:
            changes[table] = {"-": list(gone), "+": list(new)}
    return changes


def traces_in(tables: dict[str, Counter]) -> list[tuple[str, str]]:
    """(table, trace) for every text value anywhere that still names the contact."""
    found = []
    for table, rows in tables.items():
        for row in rows:
            for _column, value in row:
                found += [(table, t) for t in TRACES if t.lower() in value.lower()]
    return found


def stored_files(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


@pytest.fixture
async def office(tenant, passwords, client_for) -> SimpleNamespace:
    """Staff before the contact exists: Anna (tickets, insurance) and the admin, logged in;
    and Nora, a neighbour of his with a login, who will manage his folders (household)."""
    anna = await make_staff(
        tenant, passwords, "anna", "Anna", handles_tickets=True, access_insurance="write"
    )
    admin, a = client_for(tenant.hostname), client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    await a.log_in("anna")
    nora = await make_customer(
        tenant, passwords, email="nora@nachbar.example", first_name="Nora", last_name="Nachbar"
    )
    nora_client = client_for(tenant.hostname)
    await nora_client.log_in("nora", CUSTOMER_PASSWORD)
    backoffice = await make_backoffice()  # a platform-level company, engaged before he exists
    await engage(tenant, backoffice)
    bea = await backoffice_login(passwords, backoffice)
    return SimpleNamespace(
        anna=anna,
        admin=admin,
        a=a,
        nora=nora,
        nora_client=nora_client,
        backoffice=backoffice,
        bea=bea,
    )


async def _open_ticket(customer, anna_id: int) -> int:
    token = await customer.csrf("/portal/tickets/new")
    created = await customer.post(
        "/portal/tickets",
        files={
            "csrf_token": (None, token),
            "staff_id": (None, str(anna_id)),
            "subject": (None, "Beule am Lieferwagen"),
            "body": (None, "Delle in der Heckklappe, Foto anbei."),
            "file": ("heckklappe.pdf", PDF_BYTES, "application/pdf"),
        },
        headers=ORIGIN,
    )
    assert created.status_code == 303
    return int(created.headers["location"].split("?")[0].rsplit("/", 1)[1])


TESSA = "tessa.treu@vertrauen.example"
PROOF_NOTE = "Attest der Klinik, per Post"


async def _trusted_person(tenant, passwords, customer, office, client_for) -> None:
    """He names Tessa (a login of her own, only for him), she asks, he vetoes, staff open his
    emergency folder on proof (filed on the contact)."""
    person = {"first_name": "Tessa", "last_name": "Treu", "email": TESSA}
    named = await customer.submit(
        "/portal/trust/persons",
        {**person, "birthdate": "1971-06-05", "wait_days": "7"},
        form_page="/portal/trust/persons/new",
    )
    assert named.status_code == 303
    with tenant_scope(tenant.tenant.id):
        await User.filter(email=TESSA).update(password_hash=await passwords.hash("Leuchtturm-42"))
        trust_id = (await TrustedPerson.get(email=TESSA)).id
    tessa = client_for(tenant.hostname)
    await tessa.log_in(TESSA, "Leuchtturm-42")
    page = f"/portal/trust/{trust_id}"
    assert (await tessa.submit(f"{page}/request", form_page=page)).status_code == 303
    mine = f"/portal/trust/persons/{trust_id}"
    assert (await customer.submit(f"{mine}/veto", form_page=mine)).status_code == 303
    form = f"/staff/contacts/{(await TrustedPerson.unscoped.get(id=trust_id)).contact_id}"
    form += f"/trusted/{trust_id}/open"
    opened = await office.admin.post(
        form,
        files={
            "csrf_token": (None, await office.admin.csrf(form)),
            "note": (None, PROOF_NOTE),
            "file": ("attest.pdf", PDF_BYTES, "application/pdf"),
        },
        headers=ORIGIN,
    )
    assert opened.status_code == 303


async def make_rich_contact(tenant, passwords, settings, client_for, office, deliver) -> Any:
    """A contact with a row in every table that can refer to one, mostly made as users would."""
    contact = await make_customer(
        tenant,
        passwords,
        email=EMAIL,
        first_name="Zoltan",
        last_name="Quittenbaum",
        communication=True,
        insurance_unlock=True,
        emergency_readonly=True,
    )
    tenant_id = tenant.tenant.id
    with tenant_scope(tenant_id):
        await Contact.filter(id=contact.id).update(
            street="Mühlweg 77", phone="0171 9988776", customer_number="Q-4242"
        )
        await ContactResponsible.create(contact_id=contact.id, user_id=office.anna.id)
    tokens = enter_tenant(await load_tenant_info(tenant_id))  # a notice mails Anna, naming him
    try:
        await notices.record(
            contact_id=contact.id, kind="mail_failed", details=f"550 {EMAIL}", settings=settings
        )
    finally:
        leave_tenant(tokens)
    contract = await add_contract(tenant, contact, number="VN-QB-1")
    policy = await add_document(
        tenant, settings, contact, contract=contract, title="Police Lieferwagen"
    )
    customer = client_for(tenant.hostname)
    await customer.log_in("zoltan.quittenbaum", CUSTOMER_PASSWORD)
    ticket_id = await _open_ticket(customer, office.anna.id)
    opened = await office.admin.get(f"/staff/documents/{policy.id}/download")
    assert opened.status_code == 200  # an event about him: his access trail
    await _trusted_person(tenant, passwords, customer, office, client_for)
    await enrol_totp(customer)  # the authenticator app and its ten recovery codes
    path = f"/staff/tickets/{ticket_id}"
    await office.a.submit(f"{path}/read", form_page=path)
    noted = await office.a.submit(
        f"{path}/note", {"note": "Quittenbaum will Kulanz"}, form_page=path
    )
    assert noted.status_code == 303
    token = await office.a.csrf(path)
    replied = await office.a.post(
        f"{path}/reply",
        files={"csrf_token": (None, token), "body": (None, "Herr Quittenbaum, wir prüfen das.")},
        headers=ORIGIN,
    )
    assert replied.status_code == 303
    await mail_unread(settings)  # he left the reply unread: a mail tells him (Anna read hers)
    await deliver()  # the notice to Anna (naming him) and the mail to him go out: "sent" rows stay
    with tenant_scope(tenant_id):
        account = await User.get(contact_id=contact.id)
        await User.filter(id=account.id).update(
            last_login_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
        )
        await LoginRecord.create(
            user_id=account.id, client="203.0.113.7", user_agent="Zoltans Telefon"
        )
        # Household: Nora's login manages his folders, his login manages hers.
        nora_login = await User.get(contact_id=office.nora.id)
        for user_id, contact_id, note in (
            (nora_login.id, contact.id, "Quittenbaum hat zugestimmt"),
            (account.id, office.nora.id, "Nora hat zugestimmt"),
        ):
            await ContactLink.create(
                user_id=user_id,
                contact_id=contact_id,
                consent_note=note,
                created_by_id=office.anna.id,
            )
        await AccountLink.create(
            user_id=account.id,
            token_hash="ab" * 32,
            purpose="reset",
            expires_at=datetime.now(UTC) + timedelta(days=1),
        )
        await Passkey.create(  # names and dates go into the export, never the key
            user_id=account.id,
            credential_id="cred-of-zoltan",
            public_key="key-of-zoltan",
            name="Zoltans Laptop",
            last_used_at=datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
        )
        # Rows from before mails named their contact and account: found by address alone.
        await OutboxMail.create(
            to_address=EMAIL.upper(), subject="Ihr Zugang", text_body="Hallo", html_body=""
        )
        await OutboxMail.create(
            to_address="alte-adresse@kunde.example",
            user_id=account.id,
            subject="Zugang für Zoltan",
            text_body="",
            html_body="",
        )
    token = await office.nora_client.csrf("/portal")
    chosen = await office.nora_client.post(
        "/portal/household",
        data={"csrf_token": token, "contact_id": str(contact.id)},
        headers=ORIGIN,
    )
    assert chosen.status_code == 303  # Nora's session now shows his folders
    await _advice_case(tenant, settings, contact, office)
    await _insured_object(tenant, contact, office)
    await _legal_records(tenant, contact, office, account)
    assert (await report_claim(customer, [("wand.jpg", photo(), "image/jpeg")])).status_code == 303
    with tenant_scope(tenant_id):  # he asked on the public page first; staff made him of it
        await Lead.create(
            first_name="Zoltan",
            last_name="Quittenbaum",
            email=EMAIL,
            interest="kfz",
            message="Zoltans Telefon klingelt abends",
            consent_text="Ich bin einverstanden.",
            token_hash="cd" * 32,
            status="converted",
            contact_id=contact.id,
        )
        offer = await Contract.filter(contact_id=contact.id).first()
        await OfferAcceptance.create(
            contract_id=offer.id,
            contact_id=contact.id,
            user_id=account.id,
            user_name="Zoltan Quittenbaum",
            text="Ich nehme das Angebot an: Quittenbaum-Hausrat",
            client="203.0.113.7",
            new_status="active",
        )
        await OfferRequest.create(
            contact_id=contact.id, product_line="kfz", description="Quittenbaums Lieferwagen"
        )
        await Invitation.create(
            contact_id=contact.id, user_id=account.id, address_form="du", share_mode="all"
        )
        await PushSubscription.create(
            user_id=account.id,
            endpoint="https://push.example.com/zoltan",
            endpoint_hash="ef" * 32,
            p256dh="p256-of-zoltan",
            auth="auth-of-zoltan",
            user_agent="Zoltans Telefon",
        )
    async with in_tenant(tenant):  # his chat with the office, and a note staff keep to themselves
        ctx = chats.Context(settings=settings, store=storage_for(settings))
        zoltan, clara = await chat_actor("zoltan.quittenbaum"), await chat_actor("alpha-admin")
        said = await chats.send(
            ctx, zoltan, chat_id=None, body="Quittenbaum im Chat", client_key="z-0000001"
        )
        chat = await Conversation.get(id=said.conversation_id)
        await chats.add_note(clara, chat, body="Quittenbaum intern", client_key="c-0000001")
    return SimpleNamespace(contact=contact, account=account, ticket_id=ticket_id)


async def _advice_case(tenant, settings, contact, office) -> None:
    """An advice case for him with his van as its risk, and a jump-in link into it for Anna."""
    new = f"/staff/contacts/{contact.id}/cases/new"
    values = {"title": "Lieferwagen Quittenbaum", "product_lines": ["kfz"], "notes": "Delle"}
    opened = await office.admin.submit(f"/staff/contacts/{contact.id}/cases", values, form_page=new)
    assert opened.status_code == 303
    case_page = opened.headers["location"].split("?")[0]
    van = {**CAR, "product_line": "kfz", "label": "Lieferwagen Q-4242"}
    added = await office.admin.submit(f"{case_page}/risks", van, form_page=f"{case_page}/risks/new")
    assert added.status_code == 303
    case_id = int(case_page.rsplit("/", 1)[1])
    async with in_tenant(tenant):
        await jump_links.create_jump_link(
            await actor("alpha-admin"), settings=settings, user_id=office.anna.id, target_id=case_id
        )
        case = await AdviceCase.get(id=case_id).select_related("contact")
        tender = await make_tender(tenant, case, office.backoffice, line="kfz")
        tender.case = case
        ctx = Context(settings=settings, store=LocalStorage(settings.storage_dir))
        await tender_messages.post(
            ctx, await backoffice_actor(office.bea), tender, body="Vorschäden seit 2020?"
        )
        await CaseOffer.create(
            case_id=case_id,
            product_line="kfz",
            tender_id=tender.id,
            source="tender",
            insurer_name="Rheinland",
            insurer_legal_form="AG",
            premium=Decimal("1234.56"),
            payment_frequency="yearly",
            status="released",
        )


async def _legal_records(tenant, contact, office, account) -> None:
    """A released legal hold, his export request, a withdrawn consent, advice documentation."""
    with tenant_scope(tenant.tenant.id):
        now = datetime.now(UTC)
        await LegalHold.create(
            contact_id=contact.id,
            reason="Streit um den Lieferwagen-Schaden",
            set_by_id=office.anna.id,
            set_by_name="Anna Team",
            released_at=now,
            released_by_id=office.anna.id,
        )
        await DataRequest.create(
            contact_id=contact.id,
            kind="export",
            status="done",
            requested_by_id=account.id,
            message="Zoltans Telefon braucht eine Kopie",
            due_on=now.date() + timedelta(days=30),
            handled_by_id=office.anna.id,
            handled_at=now,
        )
        await ConsentRecord.create(
            contact_id=contact.id,
            kind="health_data",
            text_version="2026-1",
            given_by_id=account.id,
            withdrawn_at=now,
            withdrawn_by_id=account.id,
        )
        case = await AdviceCase.get(contact_id=contact.id)
        await AdviceRecord.create(
            case_id=case.id,
            number=1,
            wishes="Quittenbaum will den Lieferwagen vollkasko versichern",
            advice="Vollkasko mit Werkstattbindung",
            reasons="Beule am Lieferwagen",
            created_by_id=office.anna.id,
        )


async def _insured_object(tenant, contact, office) -> None:
    """His e-bike, added on his page; an application for it with one call to the insurer."""
    new = f"/staff/contacts/{contact.id}/objects/new"
    added = await office.admin.submit(new, EBIKE, form_page=f"{new}?product_line=fahrrad")
    assert added.status_code == 303
    object_id = int(added.headers["location"].split("?")[0].rsplit("/", 1)[1])
    with tenant_scope(tenant.tenant.id):
        application = await InterfaceApplication.create(
            plugin="radschutz",
            contact_id=contact.id,
            insured_object_id=object_id,
            answers={"last_name": "Quittenbaum", "leased": False},
            idempotency_key="idem-of-zoltan",
            created_by_id=office.anna.id,
        )
        await InterfaceCall.create(
            plugin="radschutz",
            application_id=application.id,
            operation="quote",
            method="POST",
            url="http://127.0.0.1:8070/v1/quotes",
            status_code=200,
            request_body='{"last_name": "Quittenbaum", "object_type": "ebike"}',
            response_body='{"tariff": {"name": "E-Bike Komfort"}}',
            duration_ms=12,
        )


# What an erasure keeps of him, restricted, because the law requires it: the contract (six
# years after the relationship ends, § 257 HGB), the policy (a business letter: six years
# after its year), his ticket and chat (correspondence) with their messages, history and the
# staff's seats in them, the staff responsible (who saw him), the legal hold once set and his
# request (ended with him); and the mail telling him so, queued in the outbox.
RETAINED = {
    "contact",
    "contact_responsible",
    "contract",
    "document",
    "conversation",
    "conversation_entry",
    "conversation_event",
    "conversation_participant",
    "legal_hold",
    "data_request",
    "outbox_mail",
    "audit_entry",
}


async def test_erasure_keeps_what_the_law_requires_and_the_scheduler_leaves_only_audit_entries(
    tenant, passwords, settings, client_for, office, deliver
) -> None:
    before, files_before = await dump_database(), stored_files(settings.storage_dir)
    rich = await make_rich_contact(tenant, passwords, settings, client_for, office, deliver)
    filled = await dump_database()
    assert set(changed_tables(before, filled)) - NOT_COMPARED == ABOUT_A_CONTACT
    assert stored_files(settings.storage_dir) - files_before  # the policy and the attachment
    confirm = await office.admin.get(f"/staff/contacts/{rich.contact.id}/delete")
    assert "erasure-kept" in confirm.text and "§ 257" in confirm.text  # kept until when, why

    erased = await office.admin.submit(
        f"/staff/contacts/{rich.contact.id}/delete",
        {"confirm_text": "Quittenbaum"},
        form_page=f"/staff/contacts/{rich.contact.id}/delete",
    )
    assert erased.status_code == 303 and "restricted=1" in erased.headers["location"]
    restricted = await dump_database()
    changes = {t: c for t, c in changed_tables(before, restricted).items() if t not in NOT_COMPARED}
    assert set(changes) == RETAINED, sorted(changes)
    with tenant_scope(tenant.tenant.id):
        assert not await User.filter(contact_id=rich.contact.id).exists()  # no login left
        kept = await Document.filter(contact_id=rich.contact.id)
        [told] = await OutboxMail.filter(kind="erasure_done")
    assert [d.title for d in kept] == ["Police Lieferwagen"] and kept[0].restricted_at
    assert told.to_address == EMAIL and "31.12." in told.text_body
    assert (await office.admin.get(f"/staff/contacts/{rich.contact.id}")).status_code == 404
    assert "Quittenbaum" not in (await office.admin.get("/staff/contacts")).text
    retained_list = await office.admin.get("/staff/retained")
    assert "Quittenbaum" in retained_list.text  # the admins' view only

    await deliver()  # the mail goes out; the outbox forgets it after its retention days
    await purge_mail(replace(settings, mail_retention_days=0))
    assert await retention_purge.purge_due(settings, today=date(2027, 6, 1)) == 0  # not yet
    assert await retention_purge.purge_due(settings, today=date(2100, 1, 1)) > 0
    after = await dump_database()
    changes = {t: c for t, c in changed_tables(before, after).items() if t not in NOT_COMPARED}
    assert list(changes) == ["audit_entry"], changes
    assert changes["audit_entry"]["-"] == []
    actions = {dict(row)["action"] for row in changes["audit_entry"]["+"]}
    assert actions == {"contact_restricted", "retention_purged", "contact_deleted"}
    assert traces_in(after) == []
    assert stored_files(settings.storage_dir) == files_before


async def test_export_holds_every_row_about_the_contact(
    tenant, passwords, settings, client_for, office, deliver
) -> None:
    rich = await make_rich_contact(tenant, passwords, settings, client_for, office, deliver)
    response = await office.admin.get(f"/staff/contacts/{rich.contact.id}/export")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("data.json"))
    text = json.dumps(data, ensure_ascii=False)
    tenant_id = tenant.tenant.id
    with tenant_scope(tenant_id):
        documents = await Document.filter(contact_id=rich.contact.id)
        entries = await ConversationEntry.filter(conversation_id=rich.ticket_id)
        # Tessa's own mails (the link to set her password) are hers, not about him.
        mails = [m for m in await OutboxMail.all() if (m.to_address, m.contact_id) != (TESSA, None)]
        contracts = await Contract.filter(contact_id=rich.contact.id)
        ticket = await Conversation.get(id=rich.ticket_id)
    assert data["contact"]["street"] == "Mühlweg 77" and data["contact"]["email"] == EMAIL
    assert data["permissions"]["communication"] is True
    assert data["responsible_staff"] == ["Anna Team"]
    assert data["notices"][0]["details"] == f"550 {EMAIL}"
    [account] = data["accounts"]
    assert account["username"] == "zoltan.quittenbaum" and "password_hash" not in account
    assert account["last_login_at"].startswith("2026-03-01")
    assert {"client": "203.0.113.7", "user_agent": "Zoltans Telefon"}.items() <= (
        account["login_history"][-1].items()
    )
    assert account["sessions"] and account["links"][0]["purpose"] == "reset"
    assert account["known_devices"][0]["user_agent"] == account["sessions"][0]["user_agent"]
    assert "ab" * 32 not in text  # never a link's secret
    [manages] = account["manages_contacts"]  # household, from both sides, with the consent
    assert manages["contact"] == "Nora Nachbar" and manages["consent_note"] == "Nora hat zugestimmt"
    [managed_by] = data["managed_by"]
    assert {"login": "nora", "name": "Nora Nachbar", "linked_by": "Anna Team"}.items() <= (
        managed_by.items()
    )
    assert managed_by["consent_note"] == "Quittenbaum hat zugestimmt"
    [push_device] = account["push_devices"]  # the browser, never its address or keys
    assert push_device["user_agent"] == "Zoltans Telefon" and "p256-of-zoltan" not in text
    [passkey] = account["passkeys"]
    assert passkey["name"] == "Zoltans Laptop" and passkey["last_used_at"].startswith("2026-03-02")
    assert "cred-of-zoltan" not in text and "key-of-zoltan" not in text
    factor = account["second_factor"]  # that it exists, never its secret or the codes' hashes
    assert factor["authenticator_app"]["confirmed_at"]
    assert factor["recovery_codes"] == {"issued": 10, "unused": 10}
    with tenant_scope(tenant_id):
        app = await TotpFactor.get(user_id=rich.account.id)
        hashes = await RecoveryCode.all().values_list("code_hash", flat=True)
    assert app.secret not in text and not any(h in text for h in hashes)
    assert {c["insurance_number"] for c in data["contracts"]} == {
        c.insurance_number for c in contracts
    }
    assert data["offer_acceptances"][0]["text"] == "Ich nehme das Angebot an: Quittenbaum-Hausrat"
    assert data["invitations"][0]["address_form"] == "du"
    assert data["offer_requests"][0]["description"] == "Quittenbaums Lieferwagen"
    [claim] = data["claims"]
    assert claim["description"] == "Wasserschaden in der Küche"
    [claim_photo] = claim["files"]
    assert archive.read(claim_photo["file_in_archive"])[:3] == b"\xff\xd8\xff"
    assert len(documents) == 3  # the policy, the ticket's attachment, a proof: each with its file
    for document in documents:
        [exported] = [d for d in data["documents"] if d["id"] == document.id]
        assert archive.read(exported["file_in_archive"]) == PDF_BYTES
    [exported_ticket] = data["tickets"]
    assert exported_ticket["subject"] == ticket.subject
    assert [m["body"] for m in exported_ticket["messages"]] == [e.body for e in entries]
    assert exported_ticket["messages"][0]["attachment"].endswith("heckklappe.pdf")
    history = {(e["kind"], e["comment"]) for e in exported_ticket["history"]}
    assert {("created", ""), ("read", ""), ("note", "Quittenbaum will Kulanz")} <= history
    assert ("replied", "") in history
    assert {p["name"] for p in exported_ticket["participants"]} == {
        "Anna Team",
        "Zoltan Quittenbaum",
    }
    [exported_chat] = data["chats"]  # his chat, the staff's note marked as theirs
    assert [(m["body"], m["internal"]) for m in exported_chat["messages"]] == [
        ("Quittenbaum im Chat", False),
        ("Quittenbaum intern", True),
    ]
    # Every mail of the outbox concerns him here: the notice to Anna, the mail about what he
    # left unread, two rows from before mails named their contact, the mail telling him his
    # authenticator app is on; and about his trusted person: named (to her), asked (to him and
    # Anna), vetoed (to her), opened on proof (to her and him).
    assert len(mails) == 11
    [trusted] = data["trusted_persons"]
    assert (trusted["email"], trusted["status"], trusted["wait_days"]) == (TESSA, "open", 7)
    steps = trusted["history"]
    assert [s["kind"] for s in steps] == [
        "named",
        "registered",
        "requested",
        "vetoed",
        "opened_proof",
    ]
    assert steps[0]["by"] == "Zoltan Quittenbaum" and steps[-1]["note"] == PROOF_NOTE
    assert archive.read(steps[-1]["proof"]) == PDF_BYTES
    assert data["trusted_person_of"] == []
    assert sorted(m["subject"] for m in data["mails"]) == sorted(m.subject for m in mails)
    # What happened about him (who at the broker's did what) and what his login was told.
    happened = {(e["kind"], e["actor_name"], e["title"]) for e in data["events"]}
    assert ("document_opened", "Clara Chef", "Police Lieferwagen") in happened
    assert ("ticket_opened", "Zoltan Quittenbaum", "Beule am Lieferwagen") in happened
    [case] = data["advice_cases"]  # with its risk, typed as stored, and the link into it
    assert (case["title"], case["notes"], case["opened_by"]) == (
        "Lieferwagen Quittenbaum",
        "Delle",
        "Clara Chef",
    )
    assert case["risks"][0]["attributes"] == STORED_CAR
    [tender] = case["tenders"]  # the risk as handed to the backoffice, and what it asked
    assert (
        tender["backoffice"] == "Nordlicht Backoffice"
        and tender["snapshot"]["product_line"] == "kfz"
    )
    assert [m["body"] for m in tender["messages"]] == ["Vorschäden seit 2020?"]
    [offer] = case["offers"]
    assert (offer["insurer_name"], offer["premium"], offer["source"]) == (
        "Rheinland",
        "1234.56",
        "tender",
    )
    [request] = data["prospect_requests"]  # the consent he gave on the public page
    assert (request["consent_text"], request["status"]) == ("Ich bin einverstanden.", "converted")
    assert "cd" * 32 not in text  # never the opt-in link's hash
    [link] = data["jump_in_links"]
    assert link["staff_member"] == "Anna Team" and link["used_at"] is None
    [ebike] = data["insured_objects"]  # his e-bike, typed as stored, and who added it
    assert (ebike["label"], ebike["attributes"]["frame_number"], ebike["added_by"]) == (
        "E-Bike · Riese & Müller Charger4",
        "WRM-12345",
        "Clara Chef",
    )
    [application] = data["interface_applications"]  # with the call, never its idempotency key
    assert (application["insured_object_id"], application["started_by"]) == (
        ebike["id"],
        "Anna Team",
    )
    [call] = application["calls"]
    assert (call["operation"], call["status_code"]) == ("quote", 200)
    assert "Quittenbaum" in call["request_body"] and "idem-of-zoltan" not in text
    told = {(n["login"], n["kind"], n["about"]) for n in data["notifications"]}
    assert ("zoltan.quittenbaum", "ticket_reply", "Beule am Lieferwagen") in told


def test_every_table_that_refers_to_a_contact_is_covered() -> None:
    """A new table pointing at a contact, its accounts or tickets must join the export."""
    referring = {"Contact", "User", "Conversation", "Contract", "Document"}
    for app in Tortoise.apps.values():
        for model in app.values():
            targets = {
                model._meta.fields_map[name].related_model.__name__
                for name in model._meta.fk_fields | model._meta.o2o_fields
            }
            if targets & referring and model._meta.db_table not in STAFF_MADE:
                assert model._meta.db_table in ABOUT_A_CONTACT, model.__name__
