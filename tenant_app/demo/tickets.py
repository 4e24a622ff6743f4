"""The demo tickets: each customer's own concerns, told step by step, so that every message,
history event, read counter and time stamp agrees with the others (as the real use cases would
have written them), including a forward and internal notes the customer never sees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact
from tenant_app.models.conversations import (
    Conversation,
    ConversationEntry,
    ConversationEvent,
    ConversationParticipant,
)


@dataclass(frozen=True)
class Step:
    """One thing that happened, `after` the step before it (the first: when the ticket began).

    `kind`: "wrote" (a message), "read", "note", "forwarded" (to `target`) or "closed".
    `who`: "customer" or a staff key of the demo ("mia", "paul").
    """

    after: timedelta
    who: str
    kind: str
    text: str = ""
    target: str = ""


@dataclass(frozen=True)
class DemoTicket:
    subject: str
    days_ago: int  # when the first step happened, at 9 o'clock UTC
    steps: tuple[Step, ...]


def _minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


TICKETS: dict[str, tuple[DemoTicket, ...]] = {
    "dana": (
        DemoTicket(
            "E-Bike in der Hausratversicherung mitversichert?",
            3,
            (
                Step(
                    _minutes(14),
                    "customer",
                    "wrote",
                    "Guten Tag, ich habe mir ein E-Bike für 2.400 € gekauft. Ist es über meine "
                    "Hausratversicherung auch gegen Diebstahl versichert?",
                ),
                Step(_minutes(40), "mia", "read"),
                Step(
                    _minutes(5),
                    "mia",
                    "note",
                    "Fahrradklausel im Hausratvertrag HR-2023-88 prüfen: Grenze liegt bei 1.000 €.",
                ),
                Step(
                    _minutes(95),
                    "mia",
                    "wrote",
                    "Hallo Frau Datenfrei, Fahrräder sind in Ihrem Vertrag bis 1.000 € "
                    "mitversichert. Für das E-Bike empfehle ich, die Fahrradklausel zu erhöhen. "
                    "Soll ich Ihnen ein Angebot schicken?",
                ),
            ),
        ),
        DemoTicket(
            "Neue Bankverbindung für die Beiträge",
            12,
            (
                Step(
                    _minutes(32),
                    "customer",
                    "wrote",
                    "Hallo, meine Bankverbindung hat sich geändert. Die neue IBAN lautet "
                    "DE02 1203 0000 0000 2020 51. Bitte ändern Sie sie bei allen Verträgen.",
                ),
                Step(_minutes(65), "mia", "read"),
                Step(
                    _minutes(110),
                    "mia",
                    "wrote",
                    "Vielen Dank, wir haben die neue Bankverbindung an alle Versicherer "
                    "weitergegeben. Die nächste Abbuchung erfolgt bereits vom neuen Konto.",
                ),
                Step(timedelta(hours=20), "customer", "read"),
                Step(_minutes(45), "mia", "closed"),
            ),
        ),
    ),
    "felix": (
        DemoTicket(
            "Kündigung des Mobilfunkvertrags zum Jahresende",
            2,
            (
                Step(
                    _minutes(5),
                    "customer",
                    "wrote",
                    "Hallo, ich möchte meinen Mobilfunkvertrag zum Jahresende kündigen. "
                    "Bis wann muss die Kündigung beim Anbieter sein?",
                ),
                Step(_minutes(20), "mia", "read"),
                Step(
                    _minutes(5),
                    "mia",
                    "forwarded",
                    "Paul, du kennst die Fristen der Mobilfunkanbieter – übernimmst du?",
                    target="paul",
                ),
                Step(_minutes(35), "paul", "read"),
                Step(
                    _minutes(10),
                    "paul",
                    "wrote",
                    "Guten Tag Herr Freigeschaltet, die Kündigungsfrist beträgt einen Monat zum "
                    "Ende der Laufzeit. Wenn die Kündigung bis zum 30. November eingeht, endet "
                    "der Vertrag zum Jahresende.",
                ),
            ),
        ),
        DemoTicket(
            "Schadenmeldung: Wasserschaden im Badezimmer",
            21,
            (
                Step(
                    _minutes(0),
                    "customer",
                    "wrote",
                    "Guten Tag, bei uns ist eine Wasserleitung im Bad geplatzt, der Boden ist "
                    "durchnässt. Was muss ich jetzt tun?",
                ),
                Step(_minutes(12), "mia", "read"),
                Step(
                    _minutes(18),
                    "mia",
                    "wrote",
                    "Das tut mir leid! Bitte fotografieren Sie den Schaden und bewahren Sie "
                    "beschädigte Teile auf. Ich habe den Schaden beim Versicherer gemeldet, "
                    "ein Gutachter meldet sich bei Ihnen.",
                ),
                Step(_minutes(95), "customer", "read"),
                Step(
                    timedelta(days=3),
                    "customer",
                    "wrote",
                    "Der Gutachter war heute da. Vielen Dank für die schnelle Hilfe!",
                ),
                Step(_minutes(50), "mia", "read"),
                Step(
                    timedelta(days=2),
                    "mia",
                    "wrote",
                    "Gern geschehen. Der Versicherer hat die Regulierung zugesagt, das Geld "
                    "wird in den nächsten Tagen überwiesen.",
                ),
                Step(_minutes(240), "customer", "read"),
                Step(timedelta(days=1), "mia", "closed"),
            ),
        ),
    ),
    "karla": (
        DemoTicket(
            "Bitte um Rückruf zur Altersvorsorge",
            1,
            (
                Step(
                    _minutes(47),
                    "customer",
                    "wrote",
                    "Hallo, ich würde gern über meine Altersvorsorge sprechen. Können Sie mich "
                    "nächste Woche vormittags zurückrufen?",
                ),
            ),
        ),
        DemoTicket(
            "Termin zur jährlichen Vertragsprüfung",
            30,
            (
                Step(
                    _minutes(0),
                    "mia",
                    "wrote",
                    "Guten Tag Frau Kontakt, es ist wieder Zeit für unser jährliches Gespräch "
                    "über Ihre Verträge. Passt Ihnen Dienstag um 14 Uhr in unserem Büro?",
                ),
                Step(timedelta(hours=5), "customer", "read"),
                Step(
                    _minutes(3),
                    "customer",
                    "wrote",
                    "Ja, Dienstag um 14 Uhr passt mir gut. Bis dann!",
                ),
                Step(_minutes(70), "mia", "read"),
                Step(_minutes(2), "mia", "note", "Termin im Kalender eingetragen, Raum 2."),
                Step(_minutes(1), "mia", "closed"),
            ),
        ),
    ),
}


async def add_demo_tickets(contact: Contact, account: User, staff: dict[str, User]) -> None:
    """The customer's demo tickets (see TICKETS), if the demo has any for them."""
    for ticket in TICKETS.get(account.username, ()):
        async with in_transaction():
            await _add(ticket, contact, {"customer": account, **staff})


async def _add(ticket: DemoTicket, contact: Contact, people: dict[str, User]) -> None:
    today = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    moment = today - timedelta(days=ticket.days_ago)
    opener = people[ticket.steps[0].who]
    conversation = await Conversation.create(
        contact_id=contact.id,
        subject=ticket.subject,
        responsible_id=opener.id if opener.kind == "staff" else people["mia"].id,
        created_at=moment + ticket.steps[0].after,
    )
    entries = 0
    # user id -> entries read; the addressee takes the first seat, as open_ticket gives it
    addressee = people["mia"] if opener.kind == "customer" else people["customer"]
    seats: dict[int, int] = {addressee.id: 0}
    changes: dict[str, object] = {}
    for step in ticket.steps:
        moment += step.after
        actor = people[step.who]
        target = people[step.target] if step.target else None
        if step.kind == "wrote":
            await ConversationEntry.create(
                conversation_id=conversation.id,
                author_id=actor.id,
                by_customer=actor.kind == "customer",
                body=step.text,
                created_at=moment,
            )
            entries += 1
            changes.update(last_entry_at=moment, last_entry_by_customer=actor.kind == "customer")
        if step.kind in ("wrote", "read"):
            seats[actor.id] = entries
        if target is not None:
            seats.setdefault(target.id, 0)
            changes["responsible_id"] = target.id
        if step.kind == "closed":
            changes.update(status="closed", closed_at=moment)
        staff_read = step.kind == "read" and actor.kind == "staff"
        await ConversationEvent.create(
            conversation_id=conversation.id,
            kind={"wrote": "replied" if entries > 1 else "created"}.get(step.kind, step.kind),
            actor_id=actor.id,
            actor_name=actor.full_name,
            target_name=target.full_name if target else "",
            comment="" if step.kind == "wrote" else step.text,
            internal=staff_read or step.kind in ("note", "forwarded"),
            created_at=moment,
        )
    await Conversation.filter(id=conversation.id).update(entry_count=entries, **changes)
    for user_id, read_count in seats.items():
        role = "customer" if user_id == people["customer"].id else "staff"
        await ConversationParticipant.create(
            conversation_id=conversation.id, user_id=user_id, role=role, read_count=read_count
        )
