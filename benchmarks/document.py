"""What a run writes: the console table, benchmarks/RESULTS.md and results.json."""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import dataset
import report
from breakdown import Breakdown
from measure import MODES
from queries import PageQueries
from report import Summary
from upload_memory import UploadResult

MODE_TEXT = {
    "repeat": "the same request over and over (the bench customer; every cache warm)",
    "rotating": "each request another of ≥ 1,000 customers (contacts, tickets, search terms), "
    "each with its own session, so caches are cold as in production",
}

# Why a target may not be met: what the limits leave out, and how to see it (README.md).
WHY_LEAN = (
    "**A logged-in page below its lean-render limit**: the limit is the page's SQL and one "
    "flat template on a bare route. The app adds, per request, its edge (tenant, session, "
    "CSRF, locale, suspension, body limits, security headers, request log), the session's "
    "own checks and the page's data built from its rows; kept cards and page shells make "
    "the rendering itself cheap, so that fixed work is what remains. "
    "`benchmarks/cpu.py PAGE` shows it: the app's CPU per request against its limits in one "
    "process, split into edge, page work and rendering (the full run's table below).",
    "**The rotating mode**: each request another customer's page, whose cards are rendered "
    "and kept for the first time (the limit prints precomputed values in one loop).",
)
WHY_OTHER = (
    "**Growth from 10 to 20,000 contacts**: the big tenant's statements take longer (their "
    "plans are below); the cheaper the app's own work, the more that counts.",
    "**A ratio or a tail in a noisy run**: rounds that differ by more than ±10 % are named "
    "above, and a slowest hundredth moves from run to run with the machine's pauses; "
    "compare such a page by A/B runs on one machine minutes apart, or with `cpu.py`.",
)
BREAKDOWN_TEXT = (
    "CPU microseconds per request of this process, with the app and the page's limits called "
    "directly as ASGI applications (`breakdown.py`, after the load; each the lowest of {rounds} "
    "rounds of {batch} requests, the mode's requests in turn). The app's request splits into "
    "its **edge** (the page's route answering at once: router and middleware, the session's "
    "statement included), its **page work** (rendering kept from the first time, less the "
    "edge: the page's statements, rows, checks and context) and its **rendering**; the "
    "lean-render limit's into its SQL and bytes (the zero-render limit) and its flat "
    "rendering. *… with flat rendering*: the app's ratio were its rendering as cheap as the "
    "lean limit's flat template (edge and page work as they are). *Goal leaves*: the lean "
    "limit's CPU over the goal, what the app may take per request to meet it. Without wrk "
    "and the database on the same cores these ratios are harsher than the load run's."
)


def _breakdown_section(summary: Summary, breakdown: Breakdown) -> list[str]:
    rows = summary.rows()
    lines = [
        "### Where a logged-in page's CPU goes",
        "",
        BREAKDOWN_TEXT.format(rounds=breakdown.rounds, batch=breakdown.batch),
        "",
        "| page | mode | load run × lean | in one process × lean | … with flat rendering "
        "| app | edge | page work | rendering | lean limit | its SQL and bytes | its rendering "
        "| goal leaves | what keeps it below its goal |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for (name, mode), found in breakdown.parts.items():
        goal = report.LEAN_GOALS[mode]
        load = rows.get(name, {}).get(mode, {}).get("x_lean")
        met = load is not None and load >= goal
        cells = [
            name,
            mode,
            "–" if load is None else f"{load:.2f}× {'✅' if met else '❌'}",
            f"{found.ratio():.2f}×",
            f"{found.ratio_flat():.2f}×",
            *(f"{value:.0f}" for value in (found.app, found.edge, found.data, found.render)),
            *(f"{value:.0f}" for value in (found.lean, found.zero, found.lean_render)),
            f"{found.budget(goal):.0f}",
            "met" if met else found.reason(goal),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def setup_lines(
    args: argparse.Namespace, result: dict[str, Any], started: datetime, elapsed: float, cores: int
) -> list[str]:
    data: dataset.Dataset = result["data"]
    run = "`--quick`" if args.quick else "full"
    return [
        f"**Date**: {started.strftime('%Y-%m-%d %H:%M UTC')}; {run} run, it took {elapsed:.0f} s",
        f"**Data** ({data.scale} dataset, PostgreSQL, bulk-loaded by `benchmarks/dataset.py`): "
        + ", ".join(dataset.summary(data)),
        f"**Servers**: each one uvicorn process per core ({cores}), each process on its own "
        "port: the app with `APP_ENV=production`, `LOG_LEVEL=WARNING`, no access log; "
        "fortunes (`baseline_app.py`); the limits (`limits_app.py`). All on the same database.",
        f"**Load**: wrk, {args.connections} keep-alive connections (one wrk thread per server "
        f"process, the connections split evenly); per target {args.warmup} s warm-up, then "
        f"{args.rounds} round(s) of {args.seconds} s measured, in ABBA order, each page right "
        "before its limits",
        f"**Checked before the load**: the app server answered the captured bytes for a sample "
        f"of {args.sample} requests per page and mode, and the zero- and lean-render routes "
        "answered the app's exact bytes for the same sample",
    ]


def _targets_section(
    summary: Summary, uploads: Sequence[UploadResult], breakdown: Breakdown
) -> list[str]:
    lines = [f"## Targets ({summary.connections} connections)", ""]
    for what, text, ok in report.verdicts(summary):
        lines.append(f"- {'✅' if ok else '❌'} **{what}**: {text}")
    for key, _, ratio in report.growth(summary):
        if key in ("contacts", "search"):
            ok = ratio <= report.GROWTH_GOAL
            lines.append(
                f"- {'✅' if ok else '❌'} **{key} at 20,000 vs 10 contacts**: p50 "
                f"{ratio:.2f}× the small tenant's (goal ≤ {report.GROWTH_GOAL:g}×)"
            )
    upload = report.upload_verdict(uploads)
    if upload:
        lines.append(f"- {'✅' if upload[1] else '❌'} **upload memory**: {upload[0]}")
    noisy = report.noisy(summary)
    if noisy:
        lines += [
            "",
            f"> **⚠ noisy run**: rounds differ by more than ±{report.NOISY:.0%} "
            f"({', '.join(noisy)}). Take those ratios with care.",
        ]
    wrong = [
        f"{name} ({mode}): {row['bytes_per_response_vs_captured']}×"
        for name, modes in summary.rows().items()
        for mode, row in modes.items()
        if "bytes_per_response_vs_captured" in row
    ]
    if wrong:
        lines += [
            "",
            "> **⚠ answers of another size than captured** (redirects? errors?): "
            + ", ".join(wrong),
        ]
    if any(not ok for _, _, ok in report.verdicts(summary)):
        whys = WHY_OTHER if breakdown.parts else WHY_LEAN + WHY_OTHER
        lines += ["", "### When a target is not met", ""] + [f"- {why}" for why in whys]
    if breakdown.parts:
        lines += [""] + _breakdown_section(summary, breakdown)
    return lines


def _growth_section(summary: Summary) -> list[str]:
    found = report.growth(summary)
    if not found:
        return []
    lines = [
        "",
        "## How cost grows with the tenant",
        "",
        "p50 in ms of the same page (repeat mode) in tenants of 10, 1,000 and 20,000 contacts.",
        "",
        "| page | 10 contacts | 1,000 | 20,000 | 20,000 / 10 |",
        "|---|---:|---:|---:|---:|",
    ]
    for key, sizes, ratio in found:
        cells = [report._ms(sizes.get(size, math.nan)) for size in ("small", "mid", "big")]
        lines.append(f"| {key} | " + " | ".join(cells) + f" | **{ratio:.2f}×** |")
    return lines


def markdown(
    summary: Summary,
    queries: Sequence[PageQueries],
    uploads: Sequence[UploadResult],
    facts: dict[str, str],
    setup: Sequence[str],
    breakdown: Breakdown,
) -> str:
    counts = {page.name: page.count for page in queries}
    lines = [
        "# Benchmark results",
        "",
        "Written by `python benchmarks/run.py` (see README.md).",
        "",
    ]
    lines += [f"- {item}" for item in setup]
    lines += ["", "## Machine", "", "| | |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in facts.items()]
    lines += [""] + _targets_section(summary, uploads, breakdown)
    for mode in MODES:
        lines += ["", f"## {mode.capitalize()} mode", "", MODE_TEXT[mode].capitalize() + ".", ""]
        lines += report.mode_tables(summary, mode, counts)
    lines += [
        "",
        "*× fortunes*, *× zero-render*, *× lean-render*, *× bare file*: the page's req/s over "
        "the reference's, same mode, same run (in brackets: the lowest and highest round). "
        "*p50 × …*, *p99 × …*: the page's latency over the reference's (above 1: slower). "
        "*p99 / own p50*: the page's tail over its own median. *Queries*: SQL statements of "
        "the repeat request (below).",
    ]
    lines += _growth_section(summary)
    if uploads:
        lines += ["", "## Upload memory", ""] + report.upload_lines(uploads)
        lines += [
            "",
            "One uvicorn process; its resident memory sampled every 10 ms during each upload, "
            "and its /healthz asked every 20 ms (the slowest answer shows how long the event "
            "loop was blocked).",
        ]
    lines += ["", "## Queries per page", ""] + report.query_table(queries)
    lines += ["", "## What each page does", ""]
    lines += [f"- **{page.name}**: {page.note}" for page in summary.pages if page.note]
    errors = [t for t in summary.targets.values() if t.total.errors or t.server_errors]
    if errors:
        lines += ["", "## Errors", ""]
        for target in errors:
            lines.append(f"- {target.label} ({target.mode}): {target.total.errors}")
            lines += [f"  - server log: {n} × `{w}`" for w, n in target.server_errors.most_common()]
    lines += ["", "## Plans of every statement (EXPLAIN ANALYZE on the loaded database)", ""]
    lines += report.explain_section(queries)
    return "\n".join(lines) + "\n"


def console(summary: Summary) -> str:
    rows = summary.rows()
    out = []
    for mode in MODES:
        out.append(f"\n{mode} mode, {summary.connections} connections")
        out.append(
            f"{'page':<28} {'req/s':>7} {'x fort':>7} {'x zero':>7} {'x lean':>7} {'x file':>7}"
            f" {'p50 ms':>8} {'p99 ms':>8} {'p99/p50':>7} {'errors':>6}"
        )
        for name, modes in rows.items():
            row = modes.get(mode)
            if row is None:
                continue

            def x(key: str, row: dict[str, Any] = row) -> str:
                value = row.get(key)
                return "-" if value is None else f"{value:.2f}"

            out.append(
                f"{name:<28} {row['rps']:>7.0f} {x('x_fortunes'):>7} {x('x_zero'):>7} "
                f"{x('x_lean'):>7} {x('x_file'):>7} {row['p50_ms'] or 0:>8.1f} "
                f"{row['p99_ms'] or 0:>8.1f} {x('p99_over_p50'):>7} {row['errors']:>6}"
            )
    out.append("")
    for what, text, ok in report.verdicts(summary):
        out.append(f"{'met ' if ok else 'MISS'} {what}: {text}")
    return "\n".join(out)


def as_json(summary: Summary, breakdown: Breakdown) -> str:
    """page -> mode -> numbers and ratios (see README.md for the keys); `cpu_us`: the page's
    in-process breakdown (breakdown.py), where the run made one."""
    rows = summary.rows()
    for (name, mode), found in breakdown.parts.items():
        if mode in rows.get(name, {}):
            rows[name][mode]["cpu_us"] = found.as_dict()
    return json.dumps(rows, indent=1, ensure_ascii=False) + "\n"
