"""The demo's support request: Anna (the firm's administrator) asked the platform's operator
how to put the login on the firm's website, and the operator answered; the request is open,
so both the firm's Einstellungen › Support and the operator's inbox show a conversation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tenant_app.models.accounts import User
from tenant_app.models.operations import SupportEntry, SupportRequest

QUESTION = (
    "Guten Tag, wir möchten den Login des Kundenportals auf unserer Website "
    "www.demo-makler.example zeigen. Geht das, und was müssen wir dafür eintragen?"
)
ANSWER = (
    "Guten Tag Frau Admin, ja: Tragen Sie unter Einstellungen › Eigene Domain und Website die "
    "Adresse Ihrer Website ein. Danach finden Sie dort den Baustein für den Login-Button und "
    "den Rahmen (iframe) zum Kopieren."
)


async def add_demo_support(admin: User) -> None:
    asked = datetime.now(UTC) - timedelta(days=2)
    answered = asked + timedelta(hours=3)
    request = await SupportRequest.create(
        subject="Login auf unserer Website einbinden",
        created_by=admin,
        created_by_name=admin.full_name,
        last_entry_at=answered,
        last_entry_by_operator=True,
    )
    question = await SupportEntry.create(
        request=request, author=admin, author_name=admin.full_name, body=QUESTION
    )
    answer = await SupportEntry.create(
        request=request, author_name="Plattform-Betrieb", by_operator=True, body=ANSWER
    )
    # The rows' own times say when it happened (they are set to now on creation).
    await SupportRequest.filter(id=request.id).update(created_at=asked)
    await SupportEntry.filter(id=question.id).update(created_at=asked)
    await SupportEntry.filter(id=answer.id).update(created_at=answered)
