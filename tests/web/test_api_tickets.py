"""Tickets through the API: pages for sync, a thread with internal notes, replies and new
tickets that reach the customer as the staff's do; scopes, other tenants, other customers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tenant_app.models.accounts import User
from tenant_app.models.activity import Notification
from tenant_app.models.conversations import Conversation, ConversationEntry, ConversationEvent
from tenant_app.models.scoping import tenant_scope
from tests.api_helpers import bearer, field_messages, make_token, problem_of
from tests.conftest import CUSTOMER_PASSWORD, count_queries, make_customer

TICKETS = "/api/v1/tickets"


async def make_ticket(
    tenant: Any, contact: Any, subject: str = "Schaden am Auto", *, status: str = "open"
) -> Conversation:
    """A ticket the customer wrote (one message), as the portal leaves it."""
    with tenant_scope(tenant.tenant.id):
        login = await User.get_or_none(contact_id=contact.id)
        now = datetime.now(UTC)
        ticket = await Conversation.create(
            contact_id=contact.id,
            subject=subject,
            status=status,
            entry_count=1,
            last_entry_by_customer=True,
            last_entry_at=now,
            closed_at=now if status == "closed" else None,
        )
        await ConversationEntry.create(
            conversation_id=ticket.id,
            author_id=login.id if login else None,
            by_customer=True,
            body="Bitte melden Sie sich.",
        )
    return ticket


@pytest.fixture
async def kai(tenant: Any, passwords: Any) -> Any:
    return await make_customer(tenant, passwords, communication=True)


async def _portal(client_for: Any, tenant: Any, username: str) -> Any:
    customer = client_for(tenant.hostname)
    await customer.log_in(username, CUSTOMER_PASSWORD)
    return customer


async def test_a_ticket_with_its_messages_and_internal_notes(
    client: Any, tenant: Any, kai: Any
) -> None:
    ticket = await make_ticket(tenant, kai)
    with tenant_scope(tenant.tenant.id):
        await ConversationEvent.create(
            conversation_id=ticket.id,
            kind="note",
            actor_name="Clara Chef",
            comment="Rückruf",
            internal=True,
        )
    secret = await make_token(tenant, ["tickets:read"])
    response = await client.get(f"{TICKETS}/{ticket.id}", headers=bearer(secret))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["subject"], body["status"], body["contact_id"]) == (
        "Schaden am Auto",
        "open",
        kai.id,
    )
    assert body["awaiting_reply"] is True and body["message_count"] == 1
    assert [(m["kind"], m["internal"], m["author_name"], m["body"]) for m in body["messages"]] == [
        ("message", False, "Kai Kunde", "Bitte melden Sie sich."),
        ("note", True, "Clara Chef", "Rückruf"),
    ]
    with tenant_scope(tenant.tenant.id):  # reading through the API marks nothing read
        assert not await ConversationEvent.filter(kind="read").exists()


async def test_a_reply_reaches_the_customer(
    client: Any, client_for: Any, tenant: Any, passwords: Any, kai: Any
) -> None:
    ticket = await make_ticket(tenant, kai)
    lena = await make_customer(
        tenant, passwords, email="lena@kunde.example", first_name="Lena", communication=True
    )
    secret = await make_token(tenant, ["tickets:write"], name="BMS-Sync")
    path = f"{TICKETS}/{ticket.id}/messages"
    key = {"Idempotency-Key": "reply-1"}
    answer = await client.post(
        path, json={"body": "Wir rufen Sie an."}, headers=bearer(secret, **key)
    )
    assert answer.status_code == 201, answer.text
    assert answer.headers["location"] == f"{TICKETS}/{ticket.id}"
    newest = answer.json()["messages"][-1]
    assert (newest["body"], newest["author_name"], newest["by_customer"]) == (
        "Wir rufen Sie an.",
        "API BMS-Sync",
        False,
    )
    retry = await client.post(
        path, json={"body": "Wir rufen Sie an."}, headers=bearer(secret, **key)
    )
    assert retry.json() == answer.json() and retry.headers["idempotent-replayed"] == "true"
    with tenant_scope(tenant.tenant.id):
        assert await ConversationEntry.filter(conversation_id=ticket.id).count() == 2
        kais = await User.get(username="kai")
        told = await Notification.filter(user_id=kais.id).prefetch_related("event")
        lenas = await User.get(username="lena")
        assert not await Notification.filter(user_id=lenas.id).exists()
    assert [(n.event.kind, n.event.object_id) for n in told] == [("ticket_reply", ticket.id)]
    page = await (await _portal(client_for, tenant, "kai")).get(f"/portal/tickets/{ticket.id}")
    assert "Wir rufen Sie an." in page.text
    other = await _portal(client_for, tenant, "lena")
    assert (await other.get(f"/portal/tickets/{ticket.id}")).status_code == 404
    assert lena.id != kai.id


async def test_replies_are_checked(client: Any, tenant: Any, kai: Any) -> None:
    closed = await make_ticket(tenant, kai, status="closed")
    secret = await make_token(tenant, ["tickets:write"])
    de = bearer(secret, **{"Accept-Language": "de"})
    path = f"{TICKETS}/{closed.id}/messages"
    assert (
        "geschlossen"
        in field_messages(await client.post(path, json={"body": "Hallo"}, headers=de))["body"]
    )
    for body in (
        {"body": "   "},
        {"body": "x" * 10_001},
        {"body": "a\x00b"},
        {},
        {"body": "a", "cc": 1},
    ):
        assert field_messages(await client.post(path, json=body, headers=de))
    problem_of(await client.post(path, content=b"body=x", headers=de), 415)
    with tenant_scope(tenant.tenant.id):
        assert await ConversationEntry.filter(conversation_id=closed.id).count() == 1


async def test_the_office_opens_a_ticket_to_a_customer(
    client: Any, client_for: Any, tenant: Any, passwords: Any, other_tenant: Any, kai: Any
) -> None:
    secret = await make_token(tenant, ["tickets:write"])
    new = {"contact_id": kai.id, "subject": "Ihre Police", "body": "Bitte prüfen Sie die Police."}
    opened = await client.post(TICKETS, json=new, headers=bearer(secret))
    assert opened.status_code == 201, opened.text
    ticket_id = opened.json()["id"]
    assert opened.json()["messages"][0]["body"] == "Bitte prüfen Sie die Police."
    customer = await _portal(client_for, tenant, "kai")
    assert "Ihre Police" in (await customer.get("/portal/tickets")).text
    with tenant_scope(tenant.tenant.id):
        kais = await User.get(username="kai")
        assert await Notification.filter(user_id=kais.id, event__kind="ticket_opened").exists()
    quiet = await make_customer(tenant, passwords, email="ole@kunde.example", first_name="Ole")
    stranger = await make_customer(other_tenant, passwords)
    de = bearer(secret, **{"Accept-Language": "de"})
    off = await client.post(TICKETS, json={**new, "contact_id": quiet.id}, headers=de)
    assert "Kommunikation" in field_messages(off)["body"]
    foreign = await client.post(TICKETS, json={**new, "contact_id": stranger.id}, headers=de)
    assert field_messages(foreign) == {"contact_id": "Diesen Kontakt gibt es nicht."}
    assert ticket_id


async def test_each_operation_needs_its_scope(client: Any, tenant: Any, kai: Any) -> None:
    ticket = await make_ticket(tenant, kai)
    reader = await make_token(tenant, ["tickets:read"], name="Leser")
    other = await make_token(tenant, ["documents:write", "contacts:write"], name="Andere")
    writes = [
        (f"{TICKETS}/{ticket.id}/messages", {"body": "Hallo"}),
        (TICKETS, {"contact_id": kai.id, "subject": "S", "body": "B"}),
    ]
    for path, body in writes:
        assert (
            "tickets:write"
            in problem_of(await client.post(path, json=body, headers=bearer(reader)), 403)["detail"]
        )
    for path in (TICKETS, f"{TICKETS}/{ticket.id}"):
        problem_of(await client.get(path, headers=bearer(other)), 403)
        assert (await client.get(path, headers=bearer(reader))).status_code == 200
    with tenant_scope(tenant.tenant.id):
        assert await ConversationEntry.filter(conversation_id=ticket.id).count() == 1


async def test_another_tenants_tickets_are_not_found(
    client: Any, tenant: Any, other_tenant: Any, passwords: Any
) -> None:
    theirs = await make_customer(other_tenant, passwords, communication=True)
    foreign = await make_ticket(other_tenant, theirs, "Fremd")
    secret = await make_token(tenant)
    problem_of(await client.get(f"{TICKETS}/{foreign.id}", headers=bearer(secret)), 404)
    reply = await client.post(
        f"{TICKETS}/{foreign.id}/messages", json={"body": "x"}, headers=bearer(secret)
    )
    problem_of(reply, 404)
    listed = await client.get(TICKETS, params={"contact_id": theirs.id}, headers=bearer(secret))
    assert listed.json()["items"] == []
    with tenant_scope(other_tenant.tenant.id):
        assert await ConversationEntry.filter(conversation_id=foreign.id).count() == 1


async def test_pages_filters_and_changes_since(
    client: Any, tenant: Any, passwords: Any, kai: Any
) -> None:
    lena = await make_customer(tenant, passwords, email="lena@kunde.example", first_name="Lena")
    made = [await make_ticket(tenant, kai, f"Anfrage {n}") for n in range(3)]
    closed = await make_ticket(tenant, kai, "Erledigt", status="closed")
    lenas = await make_ticket(tenant, lena, "Lenas")
    secret = await make_token(tenant, ["tickets:read"])
    seen: list[int] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        page = (await client.get(TICKETS, params=params, headers=bearer(secret))).json()
        seen += [row["id"] for row in page["items"]]
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    assert seen == [ticket.id for ticket in (*made, closed, lenas)]

    def ids(response: Any) -> list[int]:
        return [row["id"] for row in response.json()["items"]]

    mine = await client.get(
        TICKETS, params={"contact_id": kai.id, "status": "open"}, headers=bearer(secret)
    )
    assert ids(mine) == [ticket.id for ticket in made]
    closed_only = await client.get(TICKETS, params={"status": "closed"}, headers=bearer(secret))
    assert ids(closed_only) == [closed.id]
    old = datetime.now(UTC) - timedelta(days=3)
    with tenant_scope(tenant.tenant.id):
        await Conversation.filter(id__in=seen[:4]).update(
            created_at=old, last_entry_at=old, closed_at=None
        )
    since = {"updated_since": (old + timedelta(days=1)).isoformat()}
    assert ids(await client.get(TICKETS, params=since, headers=bearer(secret))) == [lenas.id]
    problem_of(await client.get(TICKETS, params={"status": "all"}, headers=bearer(secret)), 422)


async def test_the_list_costs_the_same_queries_however_many_tickets(
    client: Any, tenant: Any, kai: Any
) -> None:
    secret = await make_token(tenant, ["tickets:read"])
    await make_ticket(tenant, kai)
    await client.get(TICKETS, headers=bearer(secret))  # the tenant and the token's last use read
    with count_queries() as few:
        assert (await client.get(TICKETS, headers=bearer(secret))).status_code == 200
    for n in range(12):
        await make_ticket(tenant, kai, f"Anfrage {n}")
    with count_queries() as many:
        response = await client.get(TICKETS, headers=bearer(secret))
    assert len(response.json()["items"]) == 13
    assert many.count == few.count


async def test_a_token_s_ticket_belongs_to_the_contact_s_responsible_staff(
    client: Any, client_for: Any, tenant: Any, kai: Any
) -> None:
    """A token is no person: the customer's answer must reach someone at the office."""
    from tenant_app.models.contacts import ContactResponsible

    with tenant_scope(tenant.tenant.id):
        admin = await User.get(username="alpha-admin")
        await ContactResponsible.create(contact_id=kai.id, user_id=admin.id)
    secret = await make_token(tenant, ["tickets:write"])
    new = {"contact_id": kai.id, "subject": "Ihre Police", "body": "Bitte prüfen Sie die Police."}
    opened = await client.post(TICKETS, json=new, headers=bearer(secret))
    assert opened.status_code == 201, opened.text
    with tenant_scope(tenant.tenant.id):
        ticket = await Conversation.get(id=opened.json()["id"])
        assert ticket.responsible_id == admin.id
    customer = await _portal(client_for, tenant, "kai")
    page = await customer.get(f"/portal/tickets/{ticket.id}")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    answer = await customer.post(
        f"/portal/tickets/{ticket.id}/reply",
        data={"csrf_token": token, "body": "Erledigt, danke."},
        headers={"Origin": f"http://{tenant.hostname}"},
    )
    assert answer.status_code in (200, 303), answer.text[:300]
    with tenant_scope(tenant.tenant.id):
        told = await Notification.filter(user_id=admin.id, event__kind="ticket_reply").exists()
    assert told
