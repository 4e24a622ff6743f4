"""Where a logged-in page's CPU goes, in one process: why a page stays below its limits.

The app and the page's limits (limits_app.py, the same SQL on the same database) are called
directly as ASGI applications, in turns of `batch` requests, several rounds, each request
the next of the mode's requests as wrk asks them; the lowest CPU time per request of each
counts. The app is called two more ways, each with a part of it taken away:

- **edge only**: the page's route answers an empty 200 at once. What every request pays
  before a page's own work: the router and the middleware (tenant, session with its
  statement, locale, suspension, CSRF, body limits, security headers, request log);
- **rendering free**: the page's first rendering, kept and answered again (`render_page`
  does no template work): the edge and the page's data (its statements and rows, the
  objects and checks built from them), without rendering.

So the app's request splits into edge, data (rendering free − edge) and rendering (app −
rendering free), and the lean-render limit's into its SQL and bytes (the zero-render limit)
and its flat rendering (lean − zero). A goal of g × the lean limit's throughput leaves the
app lean / g µs per request; `reason` says which part is over it.

CPU time of this process only: the database's work is the same on both sides and not in it.
A load run shares the cores with PostgreSQL and wrk, so its ratios are milder than these.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from measure import MODES, spec_key
from plan import Ask, Page
from report import LEAN_GOALS, LEAN_PAGES
from starlette.responses import Response
from starlette.routing import Match, Route

BATCH = 250
LABELS = ("zero-render limit", "lean-render limit", "app", "edge only", "rendering free")


async def call(app: Any, ask: Ask, path: str) -> None:
    """One GET as the server would hand it to the app; anything but a 200 fails."""
    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", ask.host.encode()), (b"cookie", ask.cookie.encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    if status != [200]:
        raise RuntimeError(f"{path} answered {status}")


async def turn(
    app: Any, asks: list[Ask], path: Callable[[int], str], start: int, batch: int
) -> float:
    """CPU microseconds per request over one turn (request n asks as asks[n], in turn)."""
    began = time.process_time()
    for number in range(start, start + batch):
        await call(app, asks[number % len(asks)], path(number))
    return (time.process_time() - began) / batch * 1e6


@dataclass(frozen=True)
class Parts:
    """CPU microseconds per request, each the lowest of the rounds."""

    zero: float  # the zero-render limit: the page's SQL, then its captured bytes
    lean: float  # the lean-render limit: the same SQL, then one flat template
    app: float
    edge: float  # the app with the page's route answering at once
    free: float  # the app with the page's rendering kept from its first time

    @property
    def data(self) -> float:
        return max(self.free - self.edge, 0.0)

    @property
    def render(self) -> float:
        return max(self.app - self.free, 0.0)

    @property
    def lean_render(self) -> float:
        return max(self.lean - self.zero, 0.0)

    def ratio(self) -> float:
        """The app's throughput over the lean limit's, in this process."""
        return self.lean / self.app

    def ratio_flat(self) -> float:
        """The same, were the app's rendering as cheap as the lean limit's flat template."""
        return self.lean / (self.free + self.lean_render)

    def budget(self, goal: float) -> float:
        """What the app may take per request to reach `goal` × the lean limit's throughput."""
        return self.lean / goal

    def reason(self, goal: float) -> str:
        """What keeps the page below `goal` × its lean limit (or that nothing does here)."""
        budget = self.budget(goal)
        if self.app <= budget:
            return (
                f"in one process the app reaches {self.ratio():.2f}×, within the goal: the "
                "load run's figure moves with the machine (rounds, noisy-run note)"
            )
        fixed = self.edge + self.data
        if self.edge >= budget:
            return (
                f"the edge alone takes {self.edge:.0f} µs, {self.edge / budget:.2f}× of the "
                f"{budget:.0f} µs the goal leaves for the whole request"
            )
        if fixed >= budget:
            return (
                f"edge and data take {fixed:.0f} µs before any rendering, above the "
                f"{budget:.0f} µs the goal leaves for the whole request"
            )
        return (
            f"rendering: the goal leaves {budget - fixed:.0f} µs for it after edge and data; it "
            f"takes {self.render:.0f} µs (the lean limit's flat template {self.lean_render:.0f})"
        )

    def as_dict(self) -> dict[str, float]:
        found = {key: round(value) for key, value in asdict(self).items()}
        found.update(data=round(self.data), render=round(self.render))
        return found


def page_route(app: Any, path: str) -> Route:
    """The route that answers `path` (GET), as the app's router picks it."""
    scope = {"type": "http", "method": "GET", "path": path.partition("?")[0], "root_path": ""}
    for route in app.router.routes:
        if isinstance(route, Route) and route.matches(scope)[0] is Match.FULL:
            return route
    raise LookupError(f"no route answers {path}")


async def _answer_at_once(scope: Any, receive: Any, send: Any) -> None:
    await Response(b"")(scope, receive, send)


def _kept_rendering(whole: Callable[[Any, dict[str, Any]], bytes]) -> Callable[..., bytes]:
    """A `render_page` that answers a template's first rendering again, whatever the context."""
    kept: dict[str | None, bytes] = {}

    def remembered(template: Any, context: dict[str, Any]) -> bytes:
        if template.name not in kept:
            kept[template.name] = whole(template, context)
        return kept[template.name]

    return remembered


async def measure(
    app: Any, limits: Any, page: Page, mode: str, *, rounds: int, batch: int = BATCH
) -> Parts:
    """The page's parts in `mode`; both apps' lifespans must be running."""
    from tenant_app import pages as pages_module

    asks = page.asks(mode)
    name = spec_key(page, mode)
    route = page_route(app, asks[0].path)
    handler = route.app

    def by_ask(n: int) -> str:
        return asks[n % len(asks)].path

    ways: list[tuple[str, Any, Callable[[int], str]]] = [
        ("zero", limits, lambda n: f"/zero/{name}/{n}"),
        ("lean", limits, lambda n: f"/lean/{name}/{n}"),
        ("app", app, by_ask),
        ("edge", app, by_ask),
        ("free", app, by_ask),
    ]
    whole = pages_module.render_page
    remembered = _kept_rendering(whole)
    best: dict[str, float] = {}
    try:
        for round_number in range(rounds + 1):  # the first warms what a server keeps warm
            for label, target, path in ways:
                route.app = _answer_at_once if label == "edge" else handler
                pages_module.render_page = remembered if label == "free" else whole
                cpu = await turn(target, asks, path, round_number * batch, batch)
                if round_number:
                    best[label] = min(best.get(label, cpu), cpu)
    finally:
        route.app = handler
        pages_module.render_page = whole
    return Parts(**best)


@asynccontextmanager
async def running_apps(spec: Path) -> AsyncIterator[tuple[Any, Any]]:
    """The app and the limits server for the pages in `spec` (checks.write_spec), their
    lifespans running. The environment must be the app servers' (the database, and the secret
    key that signed the sessions' cookies)."""
    os.environ["LIMITS_SPEC"] = str(spec)  # read by the limits' lifespan
    import limits_app

    from tenant_app.app import build_app

    app = build_app(run_worker=False)
    async with limits_app.app.router.lifespan_context(limits_app.app):
        async with app.router.lifespan_context(app):
            yield app, limits_app.app


@dataclass(frozen=True)
class Breakdown:
    """Each (page name, mode)'s parts; `rounds` of `batch` requests each (none: no parts)."""

    parts: dict[tuple[str, str], Parts]
    rounds: int = 0
    batch: int = 0


async def measure_pages(
    pages: list[Page],
    spec: Path,
    *,
    rounds: int,
    batch: int,
    before_each: Callable[[], None],
    say: Callable[[str], None],
) -> Breakdown:
    """Every logged-in page of the big tenant, both modes, in this process (`running_apps`)."""
    found: dict[tuple[str, str], Parts] = {}
    async with running_apps(spec) as (app, limits):
        for page in pages:
            if page.key not in LEAN_PAGES or page.tenant != "big":
                continue
            for mode in MODES:
                if page.asks(mode):
                    await asyncio.to_thread(before_each)  # it runs its own event loop
                    parts = await measure(app, limits, page, mode, rounds=rounds, batch=batch)
                    found[(page.name, mode)] = parts
                    say(f"  {page.name}, {mode}: {parts.reason(LEAN_GOALS[mode])}")
    return Breakdown(found, rounds, batch)
