"""The bell in a real browser: when one side acts, the other side's open page counts it at
once (htmx's SSE extension on the live stream), without a reload; the list reads and leads to
the object. On PostgreSQL also across two app processes on one database (LISTEN/NOTIFY)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import (
    DANA,
    MIA,
    REPO,
    _run_cli,
    _wait_until_healthy,
    accept_dialogs,
    field,
    log_in,
    screenshot_path,
    server_errors,
)
from tests.browser.test_journeys import upload_in
from tests.conftest import free_port
from tests.migrated import MigratedDatabases

async_api = pytest.importorskip("playwright.async_api")
expect = async_api.expect

pytestmark = pytest.mark.browser

SAME_PAGE = "window.__samePage = true"  # gone after any reload or full navigation
STILL_SAME_PAGE = "() => window.__samePage === true"


async def read_everything(page: Any) -> None:
    """Start from a quiet bell: the list's "all read" (an htmx swap), and the bell in the
    header follows by the stream."""
    await page.goto("/account/notifications")
    await expect(page.get_by_role("heading", level=1, name="Benachrichtigungen")).to_be_visible()
    read_all = page.get_by_role("button", name="Alle als gelesen markieren")
    if await read_all.count():
        await read_all.click()
        done = page.get_by_role("status").filter(has_text="als gelesen markiert")
        await expect(done).to_be_visible()
    await expect(page.locator("#bell .badge")).to_have_count(0)


async def edit_a_contract(page: Any, number: str) -> None:
    """Dana changes the insurance number of a contract the broker made (data share)."""
    await page.goto("/portal/folders/insurance")
    await page.get_by_role("main").get_by_role("link", name="Bearbeiten").first.click()
    await field(page, "Versicherungsnummer").fill(number)
    await page.get_by_role("button", name="Vertrag speichern").click()
    await expect(page.get_by_role("status")).to_contain_text("Änderungen gespeichert")


async def test_each_side_sees_the_other_act_on_the_bell_without_a_reload(
    contexts, pdf_file
) -> None:
    mia = await contexts.page()
    await log_in(mia, *MIA)
    await read_everything(mia)
    bell = mia.locator("#bell")
    await expect(bell).to_be_visible()  # on a wide screen too, at the top right
    await expect(bell).to_have_accessible_name("Benachrichtigungen")
    unchecked = await mia.locator("#activity-count").inner_text()
    before = int(m.group(0)) if (m := re.match(r"\d+", unchecked)) else 0
    await mia.evaluate(SAME_PAGE)

    dana = await contexts.page()
    await log_in(dana, *DANA)
    await read_everything(dana)
    await edit_a_contract(dana, f"BELL-{uuid.uuid4().hex[:6]}")

    # Mia (responsible for Dana) counts it on the page she had open
    await expect(bell).to_have_accessible_name("Benachrichtigungen 1 ungelesen")
    # and so does the sidebar's count of unchecked customer actions
    await expect(mia.locator("#activity-count")).to_have_text(f"{before + 1} ungeprüft")
    assert await mia.evaluate(STILL_SAME_PAGE)

    # Mia shares a document with Dana: Dana's open page counts it
    await dana.goto("/portal")
    await dana.evaluate(SAME_PAGE)
    await mia.goto("/staff/contacts")
    await mia.get_by_role("link", name="Datenfrei, Dana").click()
    await mia.get_by_role("link", name=re.compile(r"^Versicherungen\b")).first.click()
    title = f"Police {uuid.uuid4().hex[:6]}"
    await upload_in(mia.locator("#folder-documents"), mia, pdf_file, title)
    dana_bell = dana.locator("#bell")
    await expect(dana_bell).to_have_accessible_name("Benachrichtigungen 1 ungelesen")
    assert await dana.evaluate(STILL_SAME_PAGE)

    # the bell leads to the list; the entry to the folder, and it is read
    await dana_bell.click()
    entry = dana.get_by_role("link", name=re.compile(f"Dokument {title} für Sie bereitgestellt"))
    await expect(entry).to_be_visible()
    await dana.screenshot(path=str(screenshot_path("notifications.png")), full_page=True)
    await entry.click()
    await expect(dana).to_have_url(re.compile(r"/portal/folders/insurance$"))
    await expect(dana.get_by_text(title).first).to_be_visible()
    await expect(dana_bell).to_have_accessible_name("Benachrichtigungen")


async def test_the_ticket_badges_follow_the_stream(contexts) -> None:
    """A new ticket reaches Mia's unread-ticket badges through the stream, not a poll."""
    mia = await contexts.page()
    await log_in(mia, *MIA)
    await mia.goto("/staff")
    badge = mia.locator("#unread-count")
    # the page renders an empty placeholder that loads its count: read it once it has
    await expect(badge).not_to_have_attribute("hx-trigger", re.compile(r"^load"))
    before = (await badge.text_content() or "").split()
    await mia.evaluate(SAME_PAGE)
    felix = await contexts.page()
    await log_in(felix, "felix", "demo-kunde-2026")
    await felix.goto("/portal/tickets/new")
    await field(felix, "An").select_option(label="Mia Mitarbeiterin")
    await field(felix, "Betreff").fill("Frage zur Police")
    await field(felix, "Nachricht").fill("Bitte rufen Sie mich an.")
    await felix.get_by_role("button", name="Senden").click()
    await expect(felix).to_have_url(re.compile(r"/portal/tickets/\d+\?created=1$"))
    count = int(before[0]) + 1 if before and before[0].isdigit() else 1
    await expect(badge).to_have_text(re.compile(rf"^{count}\b"))
    assert await mia.evaluate(STILL_SAME_PAGE)


# --- PostgreSQL: two app processes on one database ---------------------------------------


@pytest.fixture
def two_processes(tmp_path: Path, migrated: MigratedDatabases) -> Iterator[list[int]]:
    """The demo on a throwaway PostgreSQL database, served by two uvicorn processes."""
    if not migrated.pg_server:
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…): LISTEN/NOTIFY across processes")
    ports = [free_port(), free_port()]
    env = {
        **os.environ,
        "DATABASE_URL": migrated.postgres(),  # dropped at the end of the run
        "STORAGE_DIR": str(tmp_path / "files"),
        "APP_ENV": "development",
        "BASE_DOMAIN": "localhost",
        "ARGON2_PROFILE": "fast",
        "MAIL_BACKEND": "file",
        "MAIL_DIR": str(tmp_path / "mail"),
        "SECRET_KEY": "two-processes-" + "x" * 40,
        "PUBLIC_PORT": str(ports[0]),
        "LOG_LEVEL": "WARNING",
    }
    processes: list[tuple[subprocess.Popen[bytes], Path]] = []
    try:
        _run_cli(env, "demo", "--no-serve")
        for port in ports:
            log_path = tmp_path / f"server-{port}.log"
            command = [sys.executable, "-m", "uvicorn", "tenant_app.asgi:app", "--port", str(port)]
            with log_path.open("wb") as log:
                process = subprocess.Popen(
                    command, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT
                )
            processes.append((process, log_path))
            _wait_until_healthy(process, port, log_path)
        yield ports
        problems = [line for _, log_path in processes for line in server_errors(log_path, 0)]
        assert not problems, "\n".join(problems)
    finally:
        for process, _ in processes:
            process.terminate()
        for process, _ in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def test_a_change_made_through_one_process_rings_the_bell_served_by_the_other(
    two_processes, contexts
) -> None:
    """(`two_processes` first: its servers stop after the pages have closed.)"""
    first, second = (f"http://demo.localhost:{port}" for port in two_processes)
    mia = await (await contexts.new(base_url=first)).new_page()
    await log_in(mia, *MIA)
    await read_everything(mia)
    await mia.evaluate(SAME_PAGE)
    dana = await (await contexts.new(base_url=second)).new_page()
    accept_dialogs(dana)
    await log_in(dana, *DANA)
    await edit_a_contract(dana, f"PG-{uuid.uuid4().hex[:6]}")
    await expect(mia.locator("#bell")).to_have_accessible_name("Benachrichtigungen 1 ungelesen")
    assert await mia.evaluate(STILL_SAME_PAGE)
    assert mia.url.startswith(first) and dana.url.startswith(second)
