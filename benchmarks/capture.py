"""Each measured request served once by the app in this process: its bytes, its SQL, and
its bytes cut into the literal markup and the escaped values of the template render.

The app runs in this process (same settings as the servers, no mail worker) behind httpx's
ASGI transport. Tortoise's debug log names every statement and its parameters. For the cut,
the Jinja2 environment gets a `finalize` before any template is compiled: every `{{ ... }}`
output that autoescape would escape (anything that is not already Markup) comes out between
two private-use characters, so the page reads as

    literal, value, literal, value, ..., tail

where the literals are everything the templates wrote as they are (template text, macros,
translations, icons) and the values are what they escaped (names, numbers, dates, URLs). The
limits server renders the same bytes from exactly these pieces (limits_app.py). A page whose
bytes without the marks differ from the real server's is reported (run.py checks a sample).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import multiprocessing
import re
import sys
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import httpx
from markupsafe import Markup, escape
from plan import Ask, Page
from queries import Statement

OPEN, CLOSE = "\ue000", "\ue001"  # private-use characters: never in a page of this app
DROP_HEADERS = {"content-length", "date", "server", "transfer-encoding"}
# Tokens: 20 or more URL-safe base64 characters with letters and digits, like those of
# secrets.token_urlsafe (CSRF tokens, nonces). They may differ per request (the anonymous
# CSRF token does), so the byte comparisons mask them. A token has digits and letters, or,
# about one in 1,500 has no digit, mixed case throughout; a word has neither.
PER_REQUEST = re.compile(
    rb"(?<![A-Za-z0-9_-])"
    rb"(?:(?=[A-Za-z_-]*[0-9])(?=[0-9_-]*[A-Za-z])"
    rb"|(?=(?:[a-z0-9_-]*[A-Z]){3})(?=(?:[A-Z0-9_-]*[a-z]){3}))"
    rb"[A-Za-z0-9_-]{20,}(?![A-Za-z0-9_-])"
)
_UNESCAPE = (("&#34;", '"'), ("&#39;", "'"), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


@dataclass
class Captured:
    """One request's answer as the app gave it, and the SQL it sent meanwhile."""

    status: int
    headers: list[tuple[str, str]]
    segments: list[tuple[str, str]]  # (literal markup, value before escaping)
    tail: str  # literal markup after the last value
    statements: list[Statement] = field(default_factory=list)

    @property
    def body(self) -> bytes:
        """The page's bytes: the literals as they are, the values escaped."""
        parts = [piece for literal, value in self.segments for piece in (literal, escape(value))]
        return ("".join(parts) + self.tail).encode()


def masked(body: bytes) -> bytes:
    return PER_REQUEST.sub(b"<per-request token>", body)


def _mark(value: Any) -> Any:
    """Jinja2's finalize: what autoescape will escape, between marks; Markup as it is."""
    if hasattr(value, "__html__"):
        return value
    return Markup(f"{OPEN}{escape(value)}{CLOSE}")  # noqa: S704 - escaped, between marks


def _unescape(text: str) -> str:
    for entity, char in _UNESCAPE:
        text = text.replace(entity, char)
    return text


def cut(marked: str) -> tuple[list[tuple[str, str]], str]:
    """Split a marked page into (literal, value) pairs and the tail literal.

    A value inside another one is part of the outer one; a value whose escaped text does not
    come back from escaping its unescaped form stays part of the literal: either way the
    pieces always join to the page.
    """
    segments: list[tuple[str, str]] = []
    literal: list[str] = []
    value: list[str] = []
    depth = 0
    for piece in re.split(f"([{OPEN}{CLOSE}])", marked):
        if piece == OPEN:
            depth += 1
        elif piece == CLOSE:
            depth -= 1
            if depth == 0:
                text = "".join(value)
                # escaped text has no < > " ' and no & but in entities: without &, as it is
                raw = _unescape(text) if "&" in text else text
                if "&" not in text or str(escape(raw)) == text:
                    # interned: the same pieces recur on every customer's page, and pickle
                    # then stores (and the limits server loads) each of them once
                    segments.append((sys.intern("".join(literal)), sys.intern(raw)))
                    literal = []
                else:
                    literal.append(text)
                value = []
        elif depth:
            value.append(piece)
        else:
            literal.append(piece)
    return segments, "".join(literal)


@contextlib.contextmanager
def marked_templates() -> Iterator[None]:
    """Compile the app's templates with the marks (and without them again afterwards)."""
    from tenant_app.templating import templates

    previous = templates.finalize
    templates.finalize = _mark
    if templates.cache is not None:
        templates.cache.clear()
    try:
        yield
    finally:
        templates.finalize = previous
        if templates.cache is not None:
            templates.cache.clear()


_recorded: ContextVar[list[Statement] | None] = ContextVar("bench_recorded", default=None)
CONCURRENCY = 8  # requests captured at once: one waits for the database, another renders


class _Statements(logging.Handler):
    """Appends each statement to the list of the request (task) that sent it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)

    def emit(self, record: logging.LogRecord) -> None:
        statements = _recorded.get()
        if statements is None:
            return
        args = record.args if isinstance(record.args, tuple) else ()
        if len(args) == 2 and isinstance(args[0], str):
            values = args[1] if isinstance(args[1], list | tuple) else ()
            statements.append(Statement(args[0], tuple(values)))
        elif not record.getMessage().startswith(("Created connection", "Closed connection")):
            statements.append(Statement(record.getMessage(), ()))


@contextlib.contextmanager
def _recording() -> Iterator[None]:
    logger = logging.getLogger("tortoise.db_client")
    handler = _Statements()
    previous = logger.level, logger.propagate
    logger.setLevel(logging.DEBUG)
    logger.propagate = False  # into our handler only, not the app's log output
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous[0])
        logger.propagate = previous[1]


async def _one(client: httpx.AsyncClient, ask: Ask, port: int, keep_body: bool) -> Captured:
    headers = {"Host": f"{ask.host}:{port}", "Accept-Encoding": "identity"}
    if ask.cookie:
        headers["Cookie"] = ask.cookie
    statements: list[Statement] = []
    token = _recorded.set(statements)
    try:
        response = await client.get(ask.path, headers=headers)
    finally:
        _recorded.reset(token)
    kept = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in DROP_HEADERS]
    segments, tail = cut(response.text) if keep_body else ([], "")
    return Captured(response.status_code, kept, segments, tail, statements)


async def _many(
    client: httpx.AsyncClient, asks: Sequence[Ask], port: int, keep_body: bool
) -> list[Captured]:
    """Several at once (each request records its own statements), in the asks' order."""
    slots = asyncio.Semaphore(CONCURRENCY)

    async def one(ask: Ask) -> Captured:
        async with slots:
            return await _one(client, ask, port, keep_body)

    return list(await asyncio.gather(*(one(ask) for ask in asks)))


Job = tuple[Page, str]  # a page and a mode: all its requests of that mode


async def capture(
    app: Any, jobs: Sequence[Job], port: int
) -> dict[tuple[str, str], list[Captured]]:
    """(page name, mode) -> one Captured per request of that mode, in order.

    First one unrecorded request per page and host warms the app's caches (tenant,
    templates), as they are warm under load. Downloads keep no body and are captured in the
    repeat mode only (their limit is the file itself).
    """
    found: dict[tuple[str, str], list[Captured]] = {}
    with marked_templates(), _recording():
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                for page, mode in jobs:
                    asks = page.asks(mode)
                    first = {ask.host: ask for ask in asks}
                    await _many(client, list(first.values()), port, False)
                    keep = not page.is_download
                    found[(page.name, mode)] = await _many(client, asks, port, keep)
    return found


def capture_jobs(jobs: Sequence[Job], port: int) -> dict[tuple[str, str], list[Captured]]:
    """`capture` in a process of its own: the app built here, with this process's
    environment (run.py has set the servers' settings in it)."""
    from tenant_app.app import build_app

    return asyncio.run(capture(build_app(run_worker=False), jobs, port))


def capture_all(
    pages: Sequence[Page], modes: Sequence[str], port: int, processes: int
) -> dict[tuple[str, str], list[Captured]]:
    """Every page's requests of every mode, the jobs shared out over `processes` processes
    (the app renders on every core; the servers are idle meanwhile)."""
    jobs = [
        (page, mode)
        for page in pages
        for mode in modes
        if page.asks(mode) and not (page.is_download and mode != "repeat")
    ]
    shares: list[list[Job]] = [[] for _ in range(max(1, processes))]
    for job in sorted(jobs, key=lambda job: -len(job[0].asks(job[1]))):
        min(shares, key=lambda share: sum(len(p.asks(m)) for p, m in share)).append(job)
    found: dict[tuple[str, str], list[Captured]] = {}
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(len(shares), mp_context=context) as pool:
        for part in pool.map(capture_jobs, shares, [port] * len(shares)):
            found.update(part)
    return found
