"""Each page's CPU per request in one process, against its own limits: where the time goes
without wrk, the network and the other servers sharing the two cores.

    .venv/bin/python benchmarks/run.py --reuse-db --only login   # once: keeps the dataset
    .venv/bin/python benchmarks/cpu.py folder ticket                # ~1 minute a page

Finds the full dataset that `run.py --reuse-db` keeps, captures each named page's
repeat-mode request, and then calls the app, the zero-render and the lean-render route
(limits_app.py, the same SQL on the same database) directly as ASGI applications, in turns
of 250 requests, several rounds; prints the lowest CPU time per request of each and the
app's ratio to its limits. The machine's noise moves all three alike within a round, so the
ratios hold better than the req/s of a load run; they are harsher than the load run's, where
the database and wrk take their share of the same cores whatever the app does.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import capture
import checks
import run  # also puts the project on sys.path
from harness import REUSED_DB
from measure import spec_key
from plan import Ask

BATCH = 250
LIMITS = ("zero-render limit", "lean-render limit")
DATABASE = f"{run.PG_SERVER}/{REUSED_DB}"


async def _call(app: Any, ask: Ask, path: str) -> None:
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


async def _turn(app: Any, asks: list[Ask], path: Callable[[int], str], start: int) -> float:
    """CPU microseconds per request over one turn (request n asks as asks[n], in turn)."""
    began = time.process_time()
    for number in range(start, start + BATCH):
        await _call(app, asks[number % len(asks)], path(number))
    return (time.process_time() - began) / BATCH * 1e6


async def measure(
    key: str,
    mode: str,
    rounds: int,
    free_render: bool,
    env: dict[str, str],
    args: argparse.Namespace,
) -> None:
    from tenant_app.app import build_app

    storage = Path(args.storage) / args.scale.name  # where run.py --reuse-db keeps the files
    _, pages, _ = await run.prepare(DATABASE, storage, env, args)
    page = next(p for p in pages if p.key == key and p.tenant == "big")
    asks = page.asks(mode)
    if not asks:
        raise SystemExit(f"{key} has no {mode} mode")
    found = await capture.capture(build_app(run_worker=False), [(page, mode)], 8000)
    spec = Path(tempfile.mkdtemp()) / "limits.pickle"
    checks.write_spec(spec, [page], found, [])
    os.environ["LIMITS_SPEC"] = str(spec)
    import limits_app

    from tenant_app import pages as pages_module

    whole = pages_module.render_page
    kept: dict[str | None, bytes] = {}

    def remembered(template: Any, context: dict[str, Any]) -> bytes:
        """The page's first rendering, again: what no template work can beat."""
        if template.name not in kept:
            kept[template.name] = whole(template, context)
        return kept[template.name]

    name = spec_key(page, mode)
    app = build_app(run_worker=False)
    routes: list[tuple[str, Any, Callable[[int], str]]] = [
        ("zero-render limit", limits_app.app, lambda n: f"/zero/{name}/{n}"),
        ("lean-render limit", limits_app.app, lambda n: f"/lean/{name}/{n}"),
        ("app", app, lambda n: asks[n % len(asks)].path),
    ]
    if free_render:
        routes.append(("app, render free", app, lambda n: asks[n % len(asks)].path))
    best: dict[str, float] = {}
    async with limits_app.app.router.lifespan_context(limits_app.app):
        async with app.router.lifespan_context(app):
            for round_number in range(rounds + 1):  # the first warms every cache
                for label, target, path in routes:
                    pages_module.render_page = remembered if label.endswith("free") else whole
                    cpu = await _turn(target, asks, path, round_number * BATCH)
                    if round_number:
                        best[label] = min(best.get(label, cpu), cpu)
    pages_module.render_page = whole
    print(f"{page.label}, {mode}: CPU per request, lowest of {rounds} rounds of {BATCH}")
    for label, cpu in best.items():
        versus = [f"{best[limit] / cpu:.2f}x {limit}'s" for limit in LIMITS if limit != label]
        ratio = "" if label in LIMITS else "   throughput " + ", ".join(versus)
        print(f"  {label:18} {cpu:7.0f} us{ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="+", help="page keys: folder contacts search ticket ...")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument(
        "--rotating",
        action="store_true",
        help="each request the next of the page's rotating-mode requests, as wrk asks them",
    )
    parser.add_argument(
        "--free-render",
        action="store_true",
        help="also the app with each page's rendering done once and its bytes served again",
    )
    parser.add_argument("--storage", default=str(Path(tempfile.gettempdir()) / "tapp-bench-files"))
    mine = parser.parse_args()
    storage = Path(mine.storage) / "full"
    env = {
        "APP_ENV": "production",
        "SECRET_KEY": "cpu-" + "x" * 60,
        "STORAGE_DIR": str(storage),
        "RUN_WORKER": "0",
        "DATABASE_URL": DATABASE,
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    for key in mine.pages:
        argv = ["--only", key, "--storage", mine.storage, "--reuse-db"]
        mode = "rotating" if mine.rotating else "repeat"
        asyncio.run(measure(key, mode, mine.rounds, mine.free_render, env, run.parse_args(argv)))


if __name__ == "__main__":
    run._ensure_venv()
    main()
