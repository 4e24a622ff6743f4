"""The yardstick: a bare Starlette + asyncpg + Jinja2 "fortunes" page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/somedb \
        .venv/bin/uvicorn baseline_app:app --app-dir benchmarks --workers 2 --port 8101

One route, `/fortunes`: read the 12 rows of the `fortune` table through an asyncpg pool, add
one more at request time, sort by message and render them in a small autoescaped Jinja2
template (the shape of the well-known TechEmpower "fortunes" test). At startup the table and
its 12 rows are created if absent (safe with several workers starting at once).

The pool has the same size as the app's Tortoise pool (asyncpg, max 5 per process), so the
ratio measures per-request work, not a different number of database connections.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator

import asyncpg
from jinja2 import DictLoader, Environment
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

POOL_MIN, POOL_MAX = 1, 5  # Tortoise's asyncpg defaults (minsize=1, maxsize=5)
LOCK_KEY = 7_312_026  # advisory lock: only one worker seeds the table

FORTUNES = [
    "fortune: No such file or directory",
    "A computer scientist is someone who fixes things that aren't broken.",
    "After enough decimal places, nobody gives a damn.",
    "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
    "A computer program does what you tell it to do, not what you want it to do.",
    "Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen",
    "Any program that runs right is obsolete.",
    "A list is only as strong as its weakest link. — Donald Knuth",
    "Feature: A bug with seniority.",
    "Computers make very fast, very accurate mistakes.",
    '<script>alert("This should not be displayed in a browser alert box.");</script>',
    "フレームワークのベンチマーク",
]

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Fortunes</title></head>
<body>
<table>
<tr><th>id</th><th>message</th></tr>
{% for fortune in fortunes %}<tr><td>{{ fortune[0] }}</td><td>{{ fortune[1] }}</td></tr>
{% endfor %}</table>
</body>
</html>
"""

templates = Environment(loader=DictLoader({"fortunes.html": TEMPLATE}), autoescape=True)
fortunes_template = templates.get_template("fortunes.html")


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise RuntimeError("set DATABASE_URL to a postgres://user@host:port/db URL")
    return url


async def seed(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", LOCK_KEY)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS fortune (id integer PRIMARY KEY, message text NOT NULL)"
        )
        await conn.executemany(
            "INSERT INTO fortune (id, message) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
            list(enumerate(FORTUNES, start=1)),
        )


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    pool = await asyncpg.create_pool(database_url(), min_size=POOL_MIN, max_size=POOL_MAX)
    try:
        await seed(pool)
        app.state.pool = pool
        yield
    finally:
        await pool.close()


async def fortunes(request: Request) -> HTMLResponse:
    async with request.app.state.pool.acquire() as conn:
        rows = await conn.fetch("SELECT id, message FROM fortune")
    items = [(row[0], row[1]) for row in rows]
    items.append((0, "Additional fortune added at request time."))
    items.sort(key=lambda item: item[1])
    return HTMLResponse(fortunes_template.render(fortunes=items))


app = Starlette(routes=[Route("/fortunes", fortunes, methods=["GET"])], lifespan=lifespan)
