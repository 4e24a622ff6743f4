"""Each page's CPU per request in one process, against its own limits: where the time goes
without wrk, the network and the other servers sharing the two cores.

    .venv/bin/python benchmarks/run.py --reuse-db --only login   # once: keeps the dataset
    .venv/bin/python benchmarks/cpu.py folder ticket                # ~1 minute a page

Finds the full dataset that `run.py --reuse-db` keeps, captures each named page's request
(repeat mode, or with `--rotating` the rotating mode's), and measures it as breakdown.py
does, the full run's "Why" table in RESULTS.md: the app, its edge alone, the app with its
rendering free, and the zero- and lean-render limits, called directly as ASGI applications in
turns of 250 requests, several rounds; prints the lowest CPU time per request of each, the
app's ratio to its limits and what keeps it below its goal. The machine's noise moves all
of them alike within a round, so the ratios hold better than the req/s of a load run; they
are harsher than the load run's, where the database and wrk take their share of the same
cores whatever the app does.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from pathlib import Path

import breakdown
import capture
import checks
import run  # also puts the project on sys.path
from breakdown import BATCH
from harness import REUSED_DB
from report import LEAN_GOALS

DATABASE = f"{run.PG_SERVER}/{REUSED_DB}"


async def measure(
    key: str, mode: str, rounds: int, env: dict[str, str], args: argparse.Namespace
) -> None:
    from tenant_app.app import build_app

    storage = Path(args.storage) / args.scale.name  # where run.py --reuse-db keeps the files
    _, pages, _ = await run.prepare(DATABASE, storage, env, args)
    page = next(p for p in pages if p.key == key and p.tenant == "big")
    if not page.asks(mode):
        raise SystemExit(f"{key} has no {mode} mode")
    found = await capture.capture(build_app(run_worker=False), [(page, mode)], 8000)
    spec = Path(tempfile.mkdtemp()) / "limits.pickle"
    checks.write_spec(spec, [page], found, [])
    async with breakdown.running_apps(spec) as (app, limits):
        parts = await breakdown.measure(app, limits, page, mode, rounds=rounds)
    goal = LEAN_GOALS[mode]
    print(f"{page.label}, {mode}: CPU per request, lowest of {rounds} rounds of {BATCH}")
    print(f"  zero-render limit  {parts.zero:7.0f} us")
    print(f"  lean-render limit  {parts.lean:7.0f} us   (rendering {parts.lean_render:.0f})")
    print(
        f"  app                {parts.app:7.0f} us   throughput {parts.zero / parts.app:.2f}x "
        f"zero-render limit's, {parts.ratio():.2f}x lean-render limit's (goal {goal}x)"
    )
    print(f"    edge only        {parts.edge:7.0f} us")
    print(f"    page work        {parts.data:7.0f} us")
    print(f"    rendering        {parts.render:7.0f} us")
    print(f"  {parts.reason(goal)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="+", help="page keys: folder contacts search ticket ...")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument(
        "--rotating",
        action="store_true",
        help="each request the next of the page's rotating-mode requests, as wrk asks them",
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
        asyncio.run(measure(key, mode, mine.rounds, env, run.parse_args(argv)))


if __name__ == "__main__":
    run._ensure_venv()
    main()
