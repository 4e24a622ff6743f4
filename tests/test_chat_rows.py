"""The staff's chat list rows prepared for printing: link, unread count, operator, time."""

from __future__ import annotations

from datetime import UTC, datetime

from tenant_app.queries.chats import ChatRow
from tenant_app.text import i18n
from tenant_app.text.chat_rows import chat_rows


def _url(name: str, **params: int) -> str:
    return f"/{name}/{params['chat_id']}"


def _row(chat_id: int, **changes: object) -> ChatRow:
    values: dict[str, object] = {
        "id": chat_id,
        "contact_id": 7,
        "contact_name": "Kai Kunde",
        "status": "open",
        "operator_id": 3,
        "operator_name": "Ada Admin",
        "last_entry_at": datetime(2026, 7, 1, 22, 5, tzinfo=UTC),
        "waiting": False,
        "unread": 0,
    }
    return ChatRow(**(values | changes))  # type: ignore[arg-type]


def test_a_row_links_to_its_chat_and_shows_the_local_time() -> None:
    with i18n.using("de"):
        (row,) = chat_rows(_url, [_row(12)])
    assert row.url == "/staff_chat_detail/12"
    assert (row.time, row.time_iso) == ("02.07.2026 00:05", "2026-07-01T22:05:00+00:00")
    assert row.operator == "Chat-Operator: Ada Admin"
    assert (row.unread, row.awaiting) == ("", False)


def test_unread_counts_stop_at_99_plus() -> None:
    rows = chat_rows(_url, [_row(1, unread=1), _row(2, unread=99), _row(3, unread=100)])
    assert [row.unread for row in rows] == ["1", "99", "99+"]


def test_only_an_open_chat_awaits_an_answer_and_a_chat_may_have_no_operator_or_time() -> None:
    with i18n.using("en"):
        waiting, archived, bare = chat_rows(
            _url,
            [
                _row(1, waiting=True),
                _row(2, waiting=True, status="archived"),
                _row(3, operator_id=None, operator_name="", last_entry_at=None),
            ],
        )
    assert (waiting.awaiting, archived.awaiting) == (True, False)
    assert bare.operator == "Chat operator: No chat operator"
    assert (bare.time, bare.time_iso) == ("", "")
