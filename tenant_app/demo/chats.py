"""The demo's chats, written through the chat's own use cases and then moved back to when
they happened, so that messages, marks, events and notifications agree as in real use:

- Dana and Mia (her advisor, so the chat's operator) about her move, with Mia's internal
  note; Mia's last answer is still unread by Dana (her bell shows it);
- Felix asked twice and waits for an answer. His chat began before Mia became his advisor,
  so it has no operator yet: the administrators were told (one notification, not two);
- Karla's short chat from last month, archived by Mia (the customer no longer sees it; the
  chat list's filter "archived" shows it), its transcript filed at Karla.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tenant_app.demo.activity import actor_of
from tenant_app.files.storage import Storage
from tenant_app.models.accounts import User
from tenant_app.models.activity import Event, Notification
from tenant_app.models.conversations import Conversation, ConversationEntry, ConversationEvent
from tenant_app.models.folders import Document
from tenant_app.services import chat_archive, chat_marks, chats
from tenant_app.settings import Settings


@dataclass(frozen=True)
class Say:
    """One step, `after` the one before: `who` ("customer" or a staff username) writes
    `text`, or with `note` leaves an internal note. Whoever writes has read the chat first."""

    after: timedelta
    who: str
    text: str
    note: bool = False


@dataclass(frozen=True)
class DemoChat:
    username: str  # the customer
    began: timedelta  # how long ago the first step happened
    steps: tuple[Say, ...]
    operator: bool = True  # False: begun before the contact had a responsible
    archived_by: str = ""  # a staff username: archived after the last step


def _minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


CHATS = (
    DemoChat(
        "dana",
        timedelta(days=1, hours=3),
        (
            Say(
                _minutes(0),
                "customer",
                "Hallo Frau Mitarbeiterin, wir ziehen zum 1. Mai um. "
                "Muss ich die neue Adresse bei den Versicherungen selbst melden?",
            ),
            Say(_minutes(12), "mia", "Umzug: Wohnfläche für den Hausratvertrag erfragen.", True),
            Say(
                _minutes(1),
                "mia",
                "Hallo Frau Datenfrei, das übernehmen wir für alle Ihre Verträge. "
                "Wie groß ist die neue Wohnung? Davon hängt die Hausratversicherung ab.",
            ),
            Say(_minutes(25), "customer", "Rund 95 m², bisher waren es 70 m²."),
            Say(
                _minutes(40),
                "mia",
                "Danke! Ich passe die Versicherungssumme an und schicke Ihnen das neue "
                "Angebot morgen hier in den Chat.",
            ),
        ),
    ),
    DemoChat(
        "felix",
        timedelta(minutes=50),
        (
            Say(
                _minutes(0),
                "customer",
                "Guten Tag, meine Tochter beginnt im Herbst ihr Studium. "
                "Ist sie dann weiter über meine Haftpflicht versichert?",
            ),
            Say(_minutes(3), "customer", "Sie zieht dafür auch in eine eigene Wohnung."),
        ),
        operator=False,
    ),
    DemoChat(
        "karla",
        timedelta(days=32),
        (
            Say(
                _minutes(0),
                "customer",
                "Hallo, ich bin ab Montag drei Wochen im Urlaub. "
                "Falls etwas ist, erreichen Sie mich am besten hier im Chat.",
            ),
            Say(_minutes(20), "mia", "Danke für den Hinweis, Frau Kontakt. Schönen Urlaub!"),
            Say(_minutes(5), "customer", "Vielen Dank!"),
        ),
        archived_by="mia",
    ),
)


async def add_demo_chats(store: Storage) -> None:
    # No file is sent: the settings (the upload limit) are the defaults.
    ctx = chats.Context(settings=Settings(), store=store)
    for story in CHATS:
        await _tell(ctx, story)


async def _tell(ctx: chats.Context, story: DemoChat) -> None:
    customer = await User.get(username=story.username)
    contact_id = int(customer.contact_id or 0)
    moment = datetime.now(UTC) - story.began
    if not story.operator:  # the first message finds the chat made, without operator
        made = await Conversation.create(
            kind="chat", contact_id=contact_id, chat_contact_id=contact_id, subject="Chat"
        )
        await Conversation.filter(id=made.id).update(created_at=moment)
    chat: Conversation | None = None
    for step in story.steps:
        moment += step.after
        actor = await actor_of(story.username if step.who == "customer" else step.who)
        if chat is not None:
            await chat_marks.mark_read(actor, chat)  # the page was open to answer
        key = chats.new_key()
        if chat is not None and step.note:
            await chats.add_note(actor, chat, body=step.text, client_key=key)
        else:
            chat_id = chat.id if chat is not None and actor.kind == "staff" else None
            await chats.send(ctx, actor, chat_id=chat_id, body=step.text, client_key=key)
        chat = await Conversation.get(kind="chat", chat_contact_id=contact_id)
        await _back_to(chat.id, moment, first=step is story.steps[0])
    if chat is not None and story.archived_by:
        await _archive(ctx, chat, story.archived_by, moment + _minutes(2))


async def _back_to(chat_id: int, moment: datetime, *, first: bool) -> None:
    """What the step just wrote (everything about the chat later than `moment`: earlier steps
    were moved back already) happened at `moment`."""
    chat = await Conversation.get(id=chat_id)
    later = {"created_at__gt": moment}
    await ConversationEntry.filter(conversation_id=chat.id, **later).update(created_at=moment)
    await ConversationEvent.filter(conversation_id=chat.id, **later).update(created_at=moment)
    about = await Event.filter(object_type=chats.OBJECT_TYPE, object_id=chat.id).values_list(
        "id", flat=True
    )
    await Event.filter(id__in=list(about), **later).update(created_at=moment)
    told = Notification.filter(event_id__in=list(about))
    # Mailed back then, as the unread ones would have been: serving the demo sends no mail.
    await told.filter(**later).update(created_at=moment, mailed_at=moment)
    await told.filter(read_at__gt=moment).update(read_at=moment)
    moved = {"last_entry_at": moment} if chat.last_entry_at and chat.last_entry_at > moment else {}
    if first and chat.created_at > moment:
        moved["created_at"] = moment
    if moved:
        await Conversation.filter(id=chat.id).update(**moved)


async def _archive(ctx: chats.Context, chat: Conversation, username: str, at: datetime) -> None:
    """Archived as the chat page does, the transcript filed at the contact, all at `at`."""
    filed = await chat_archive.archive(ctx, await actor_of(username), chat)
    await _back_to(chat.id, at, first=False)  # the history's "archived" and the event
    await Conversation.filter(id=chat.id).update(closed_at=at)
    if isinstance(filed, Document):
        await Document.filter(id=filed.id).update(created_at=at, document_date=at.date())
