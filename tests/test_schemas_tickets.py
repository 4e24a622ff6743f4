"""Form models for tickets: subject, message and the forwarding comment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tenant_app.schemas.base import checked
from tenant_app.schemas.tickets import ForwardInput, NewTicketInput, ReplyInput
from tenant_app.text import i18n

SUBJECT = "Please enter a subject."
MESSAGE = "Please enter a message."
TOO_LONG = "Please enter at most %s characters."


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with i18n.using("en"):
        yield


@pytest.mark.parametrize(
    ("subject", "body", "errors"),
    [
        (" ", "", {"subject": SUBJECT, "body": MESSAGE}),
        (" " * 201, "Hallo", {"subject": SUBJECT}),  # blank wins over length
        ("s" * 201, "Hallo", {"subject": TOO_LONG % 200}),
        ("Frage", "b" * 10_001, {"body": TOO_LONG % 10_000}),
        ("Frage", " " * 10_001, {"body": MESSAGE}),
    ],
)
def test_a_new_ticket_is_refused(subject: str, body: str, errors: dict[str, str]) -> None:
    assert checked(NewTicketInput, {"subject": subject, "body": body}) == (None, errors)


def test_a_new_ticket_is_stripped() -> None:
    ticket, errors = checked(NewTicketInput, {"subject": " " + "s" * 198 + " ", "body": " b "})
    assert errors == {}
    assert ticket is not None
    assert (ticket.subject, ticket.body) == ("s" * 198, "b")


def test_a_reply_needs_a_message() -> None:
    assert checked(ReplyInput, {"body": "  "}) == (None, {"body": MESSAGE})
    reply, _ = checked(ReplyInput, {"body": " ok "})
    assert reply is not None and reply.body == "ok"


@pytest.mark.parametrize(
    ("comment", "stored", "errors"),
    [
        ("", "", {}),
        (" bitte übernehmen ", "bitte übernehmen", {}),
        (" " * 10_001, None, {"comment": TOO_LONG % 10_000}),
    ],
)
def test_a_forwarding_comment(comment: str, stored: str | None, errors: dict[str, str]) -> None:
    note, found = checked(ForwardInput, {"comment": comment})
    assert found == errors
    assert (note.comment if note else None) == stored
