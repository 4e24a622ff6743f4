"""Real-browser tests: a real uvicorn process, a real SMTP server, Debian's Chromium.

The server runs the demo tenant (`tenant-app demo --no-serve`) plus a second tenant `other`
on a throwaway SQLite database. Chromium resolves `*.localhost` to loopback by itself, so
pages are browsed at http://demo.localhost:PORT/. Playwright (async API) is optional: without
it, or without /usr/bin/chromium, every browser test is skipped with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from tenant_app.demo.pdf import text_pdf
from tests.conftest import LINK_RE, SmtpServer, free_port, text_of
from tests.insurer_service import InsurerService
from tests.migrated import MigratedDatabases

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = REPO / "docs" / "screenshots"
TIMEOUT_MS = 10_000

# The demo logins (tenant_app/demo/seed.py). Logins are rate-limited per account (10 in
# 15 minutes) and per client (30), so the journeys spread over several demo customers.
ADMIN = ("admin", "demo-admin-2026")
MIA = ("mia", "demo-team-2026")
PAUL = ("paul", "demo-team-2026")
DANA = ("dana", "demo-kunde-2026")  # insurance: data share; finance: unlock + read-only
LENA = ("lena", "demo-kunde-2026")
FELIX = ("felix", "demo-kunde-2026")  # insurance: unlock only; communication
KARLA = ("karla", "demo-kunde-2026")  # communication only
NEW_PASSWORD = "Sommerwiese-2026"


@dataclass
class LiveServer:
    port: int
    smtp: SmtpServer
    log_path: Path
    other_admin: tuple[str, str]  # login of the second tenant's admin, as the CLI printed it
    operator: tuple[str, str] = ("", "")  # the platform's operator (one-time password), ditto

    def url(self, path: str = "/", tenant: str = "demo") -> str:
        return f"http://{tenant}.localhost:{self.port}{path}"

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def mail_count(self) -> int:
        return len(self.smtp.messages)

    async def wait_for_mail(
        self, to: str, *, since: int = 0, subject: str = "", seconds: float = 15.0
    ) -> EmailMessage:
        """The first mail to `to` (subject containing `subject`) that arrived after `since`."""
        deadline = time.monotonic() + seconds
        while True:
            for message in self.smtp.messages[since:]:
                if message["To"] == to and subject in str(message["Subject"]):
                    return message
            if time.monotonic() > deadline:
                seen = [(m["To"], m["Subject"]) for m in self.smtp.messages[since:]]
                raise AssertionError(
                    f"no mail to {to!r} with {subject!r} within {seconds}s; got {seen}\n"
                    f"server log:\n{self.log_tail()}"
                )
            await asyncio.sleep(0.1)


def link_from(message: EmailMessage) -> str:
    """The /passwort/... link of a registration or reset mail (from its text part)."""
    match = LINK_RE.search(text_of(message))
    assert match, text_of(message)
    return match.group(0)


def username_from(message: EmailMessage) -> str:
    """The username in mail #2: the line after "... mit diesem Benutzernamen an:"."""
    match = re.search(r":[ \t]*\r?\n\s*(\S+)[ \t]*\r?\n", text_of(message))
    assert match, text_of(message)
    return match.group(1)


def _run_cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "tenant_app.cli", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"tenant-app {' '.join(args)} failed:\n{result.stderr}"
    return result.stdout


def _password_in(output: str) -> str:
    match = re.search(r"Initial password: (\S+)", output)
    assert match, output
    return match.group(1)


def _wait_until_healthy(process: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    log = log_path.read_text(encoding="utf-8", errors="replace")
    raise RuntimeError(f"the app server did not become healthy on port {port}:\n{log}")


@pytest.fixture(scope="session")
def live_server(
    tmp_path_factory: pytest.TempPathFactory,
    insurer_service: InsurerService,
    migrated: MigratedDatabases,
) -> Iterator[LiveServer]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    pytest.importorskip("playwright.async_api", reason="pip install -e '.[test]' (playwright)")
    tmp = tmp_path_factory.mktemp("browser")
    smtp = SmtpServer(free_port())
    smtp.start()
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'browser.sqlite3'}",
        "STORAGE_DIR": str(tmp / "files"),
        "APP_ENV": "development",
        "BASE_DOMAIN": "localhost",
        "ARGON2_PROFILE": "fast",
        "MAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "PUBLIC_PORT": str(port),
        "LOG_LEVEL": "WARNING",
        "INSURER_URLS": f"radschutz={insurer_service.url}",
    }
    migrated.sqlite(tmp / "browser.sqlite3")  # the schema; the demo below is its own work
    _run_cli(env, "demo", "--no-serve")
    created = _run_cli(
        env,
        "tenant",
        "create",
        "--slug",
        "other",
        "--name",
        "Andere Makler KG",
        "--admin-email",
        "chef@other.example",
    )
    platform = _run_cli(env, "platform", "init", "--operator-email", "ops@platform.example")
    # A backoffice a tenant can engage, whatever the demo holds (a name of its own).
    _run_cli(env, "backoffice", "create", "--name", "Browser Backoffice", "--legal-form", "GmbH")
    log_path = tmp / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "tenant_app.asgi:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(process, port, log_path)
        login = re.search(r"Admin login: (\S+)", created)
        password = re.search(r"Initial password: (\S+)", created)
        assert login and password, created
        operator = re.search(r"Login: (\S+)", platform)
        assert operator, platform
        yield LiveServer(
            port=port,
            smtp=smtp,
            log_path=log_path,
            other_admin=(login.group(1), password.group(1)),
            operator=(operator.group(1), _password_in(platform)),
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        smtp.stop()


@pytest.fixture(scope="session")
async def browser(live_server: LiveServer) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=TIMEOUT_MS)
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield chromium
        await chromium.close()


@dataclass
class Contexts:
    """Makes fresh browser contexts and records what went wrong inside their pages."""

    browser: Any
    server: LiveServer
    opened: list[Any] = dataclasses.field(default_factory=list)
    problems: list[str] = dataclasses.field(default_factory=list)

    async def new(self, tenant: str = "demo", **options: Any) -> Any:
        settings: dict[str, Any] = {
            "locale": "de-DE",
            "timezone_id": "Europe/Berlin",
            "viewport": {"width": 1280, "height": 800},
            "base_url": self.server.url("", tenant),
            **options,
        }
        context = await self.browser.new_context(**settings)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("page", self._watch)
        self.opened.append(context)
        return context

    async def page(self, tenant: str = "demo", **options: Any) -> Any:
        context = await self.new(tenant, **options)
        return await context.new_page()

    def _watch(self, page: Any) -> None:
        def on_console(message: Any) -> None:
            # A 4xx/5xx page the test asks for is logged as "Failed to load resource".
            if message.type == "error" and not message.text.startswith("Failed to load"):
                self.problems.append(f"console error on {page.url}: {message.text}")

        def on_page_error(error: Any) -> None:
            self.problems.append(f"JavaScript error on {page.url}: {error}")

        page.on("console", on_console)
        page.on("pageerror", on_page_error)


def server_errors(log_path: Path, offset: int) -> list[str]:
    """The ERROR lines the server logged after `offset`: path and the exception's last line."""
    with log_path.open("rb") as log:
        log.seek(offset)
        lines = log.read().decode("utf-8", errors="replace").splitlines()
    errors = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("level") in {"ERROR", "CRITICAL"}:
            last = (record.get("exc") or "").strip().splitlines()[-1:] or [""]
            errors.append(f"server error on {record.get('path')}: {record.get('msg')}: {last[0]}")
    return errors


@pytest.fixture
async def contexts(browser: Any, live_server: LiveServer) -> AsyncIterator[Contexts]:
    made = Contexts(browser=browser, server=live_server)
    offset = live_server.log_path.stat().st_size
    yield made
    for context in made.opened:
        await context.close()
    # Script errors and CSP violations show up as console errors, crashes in the server log:
    # none are expected.
    problems = made.problems + server_errors(live_server.log_path, offset)
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="session")
def pdf_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("upload") / "police.pdf"
    path.write_bytes(text_pdf("Versicherungsschein", ["Ein Testdokument für den Browsertest."]))
    return path


# Presses the confirm button of the product's dialog (static/js/dialog.js) as soon as it opens.
_AUTO_CONFIRM_JS = """() => {
  if (window.__autoConfirm) { return; }
  window.__autoConfirm = true;
  new MutationObserver(() => {
    const dialog = document.querySelector("dialog.confirm-dialog[open]");
    if (dialog) { dialog.querySelector("[data-dialog-confirm]").click(); }
  }).observe(document.documentElement, { subtree: true, childList: true, attributes: true });
}"""


async def _auto_confirm(page: Any) -> None:
    with contextlib.suppress(Exception):  # navigated on meanwhile: the next load retries
        await page.evaluate(_AUTO_CONFIRM_JS)


def accept_dialogs(page: Any) -> None:
    """Answer every confirmation (data-confirm forms) with OK: the product's dialog, and the
    browser's confirm() it falls back to."""
    page.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    page.on("domcontentloaded", lambda _: asyncio.ensure_future(_auto_confirm(page)))


async def log_in(page: Any, username: str, password: str) -> None:
    from playwright.async_api import expect

    await page.goto("/login")
    await field(page, "Benutzername oder E-Mail").fill(username)
    await field(page, "Passwort").fill(password)
    await page.get_by_role("button", name="Anmelden", exact=True).click()  # not "Mit Passkey …"
    await expect(page).not_to_have_url(re.compile(r"/login"))


async def htmx_settled(page: Any) -> None:
    """Wait until htmx has settled the last swap: a boosted navigation shows the new page's
    elements some milliseconds before htmx attaches their triggers (it does both when it
    takes the `htmx-added` class off)."""
    await page.wait_for_function(
        "() => window.htmx && document.readyState === 'complete'"
        " && !document.querySelector('.htmx-added, .htmx-settling, .htmx-swapping')"
    )


def field(scope: Any, label: str) -> Any:
    """The form field whose label is exactly `label` (a trailing required-marker * allowed)."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}(\s*\*)?\s*$"))


def screenshot_path(name: str) -> Path:
    """Where a journey saves a screenshot: the tracked docs/screenshots/ only when asked
    (`WRITE_SCREENSHOTS=1`), else a scratch folder, so that a test run leaves the checkout
    as it was (the shots are still taken: a page that cannot be drawn fails either way)."""
    asked = os.environ.get("WRITE_SCREENSHOTS", "").strip() not in ("", "0")
    folder = SCREENSHOTS if asked else Path(tempfile.gettempdir()) / "tenant-app-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name
