"""Each page's own limits: bare Starlette + asyncpg routes that do the page's database work
and produce the page's bytes in the cheapest honest way.

    LIMITS_SPEC=/tmp/.../limits.pickle DATABASE_URL=postgres://... \
        .venv/bin/uvicorn limits_app:app --app-dir benchmarks --port 8102

run.py writes the spec (one entry per measured request of each page and mode, from
capture.py) and starts this app like the app itself, one process per core. Routes:

- `/zero/{key}/{n}` the zero-render limit: the SQL the app sent for request `n` (the same
  statements with the same parameters, on one pooled connection), then the app's exact
  bytes and headers for that request, captured at start-up;
- `/lean/{key}/{n}` the lean-render limit: the same SQL, then one flat Jinja2 template
  renders the same bytes from a precomputed context: the page's literal markup pieces and
  the values between them (see capture.py). The template loops over the pairs and lets
  autoescape escape every value, so it pays what a flat template pays: a loop step and an
  escape per value, nothing for formatting, no nesting, no macros, no inheritance;
- `/file/{n}` the download limit: a bare FileResponse of the same file the app streams.

The pool has the app's size (asyncpg, max 5 per process) and, like the app's, skips
asyncpg's reset query when a connection goes back to the pool.
"""

from __future__ import annotations

import contextlib
import os
import pickle
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from jinja2 import Environment
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

POOL_MIN, POOL_MAX = 1, 5  # Tortoise's asyncpg defaults, as the app has them
FLAT_TEMPLATE = "{% for literal, value in parts %}{{ literal }}{{ value }}{% endfor %}{{ tail }}"

flat = Environment(autoescape=True).from_string(FLAT_TEMPLATE)


@dataclass(frozen=True)
class Entry:
    """One request of one page, ready to answer."""

    statements: tuple[tuple[str, tuple[Any, ...]], ...]
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes  # the zero-render answer
    parts: tuple[tuple[Markup, str], ...]  # the lean render's context
    tail: Markup


def entry(spec: dict[str, Any]) -> Entry:
    """An Entry from the spec (checks.write_spec: statements, status, headers, segments as
    (Markup, str) pairs, tail)."""
    parts = tuple(spec["segments"])
    tail = spec["tail"]
    pieces = [piece for literal, value in parts for piece in (literal, escape(value))]
    body = "".join([*pieces, tail]).encode()  # not `str + Markup`: that escapes the str
    headers = tuple((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in spec["headers"])
    return Entry(tuple(spec["statements"]), spec["status"], headers, body, parts, tail)


def load_spec(path: str) -> tuple[dict[str, list[Entry]], list[Path]]:
    with open(path, "rb") as spec_file:
        spec = pickle.load(spec_file)  # noqa: S301 - written by run.py for this process
    pages = {key: [entry(item) for item in items] for key, items in spec["pages"].items()}
    return pages, [Path(p) for p in spec["files"]]


async def _no_reset(connection: asyncpg.Connection) -> None:
    """The app's pool sends nothing when a connection goes back (tenant_app/db.py)."""


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    app.state.pages, app.state.files = load_spec(os.environ["LIMITS_SPEC"])
    url = os.environ.get("DATABASE_URL", "")
    pool = None
    if url.startswith(("postgres://", "postgresql://")):
        pool = await asyncpg.create_pool(url, min_size=POOL_MIN, max_size=POOL_MAX, reset=_no_reset)
    app.state.pool = pool
    try:
        yield
    finally:
        if pool is not None:
            await pool.close()


async def _run(request: Request, statements: Sequence[tuple[str, tuple[Any, ...]]]) -> None:
    if not statements:
        return
    async with request.app.state.pool.acquire() as conn:
        for sql, values in statements:
            await conn.fetch(sql, *values)


def _entry(request: Request) -> Entry:
    entries: list[Entry] = request.app.state.pages[request.path_params["key"]]
    return entries[int(request.path_params["n"]) % len(entries)]


def _answer(found: Entry, body: bytes) -> Response:
    response = Response(body, status_code=found.status)
    response.raw_headers += found.headers
    return response


async def zero(request: Request) -> Response:
    found = _entry(request)
    await _run(request, found.statements)
    return _answer(found, found.body)


async def lean(request: Request) -> Response:
    found = _entry(request)
    await _run(request, found.statements)
    return _answer(found, flat.render(parts=found.parts, tail=found.tail).encode())


async def file(request: Request) -> FileResponse:
    files: list[Path] = request.app.state.files
    return FileResponse(files[int(request.path_params["n"]) % len(files)])


app = Starlette(
    routes=[
        Route("/zero/{key}/{n:int}", zero, methods=["GET"]),
        Route("/lean/{key}/{n:int}", lean, methods=["GET"]),
        Route("/file/{n:int}", file, methods=["GET"]),
    ],
    lifespan=lifespan,
)
