"""The staff's chat list rows prepared for printing: link, unread count, operator, time."""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tenant_app.app import build_app
from tenant_app.fragments import fragment_cache
from tenant_app.queries.chats import ChatRow
from tenant_app.templating import templates
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


@pytest.fixture(autouse=True)
def _links() -> None:
    build_app(manage_db=False)  # installs the app's route index for the templates' url()


def _list(rows: list[ChatRow], active_id: int | None) -> str:
    filters = {"status": "open", "scope": "all", "sort": "new", "search": ""}
    template = templates.get_template("staff/chats/_list.html")
    with i18n.using("de"):
        return template.render(chats=rows, filters=filters, active_id=active_id, tenant=None)


def _marked(html: str) -> list[str]:
    """The ids of the rows marked as the chat shown, and of the links marked as current."""
    rows = re.findall(
        r'class="chat-list__item chat-list__item--active[^"]*" id="chat-row-(\d+)"', html
    )
    links = re.findall(r'id="chat-row-(\d+)">\s*<a href="[^"]+" aria-current="page">', html)
    return rows + links


def test_the_kept_list_marks_the_chat_shown_beside_it() -> None:
    rows = [_row(1, unread=2), _row(2), _row(3, waiting=True)]
    fragment_cache.clear()
    first = _list(rows, 1)
    assert _marked(first) == ["1", "1"]
    kept = fragment_cache.size
    second = _list(rows, 3)
    assert fragment_cache.size == kept  # the same rows, served from the cache
    assert _marked(second) == ["3", "3"]
    assert "is-unread" in second and second.count("chat-list__item--active") == 1
    assert _marked(_list(rows, None)) == [] and _marked(_list(rows, 99)) == []
    fragment_cache.clear()
    assert _list(rows, 3) == second  # as rendered without the cache


def test_a_changed_row_is_shown_at_once() -> None:
    fragment_cache.clear()
    before = _list([_row(1), _row(2)], 2)
    after = _list([_row(1), _row(2, unread=5)], 2)
    assert 'id="chat-unread-2">5' in after and "chat-unread-2" not in before


def test_the_mark_is_found_where_printed_values_are_wrapped() -> None:
    """The benchmark's capture wraps every printed value in marks (benchmarks/capture.py)."""
    rows = [_row(1), _row(2, unread=3)]
    fragment_cache.clear()
    plain = _list(rows, 2)
    fragment_cache.clear()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import capture  # noqa: PLC0415 - the benchmark's own, beside the app

    with capture.marked_templates():
        wrapped = _list(rows, 2)
    assert wrapped.replace(capture.OPEN, "").replace(capture.CLOSE, "") == plain
    assert _marked(plain) == ["2", "2"]
