"""The benchmark's tables: console and benchmarks/RESULTS.md, from measured rows."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from load import Result, Target, merge
from queries import PageQueries
from upload_memory import UploadResult

NOISY = 0.10  # single rounds differing by more than ±10 % of their mean: warn
FOLDER_TARGET = 0.5  # × baseline requests/s at the top level, for the customer folder page
OTHER_TARGET = 0.35  # for every other logged-in page
P99_LIMIT = 3.0  # × the baseline's p99
GROWTH_LIMIT = 1.5  # big / small tenant latency for the contact list and search
UPLOAD_LIMIT_MB = 20.0  # peak RSS growth from the smallest to the largest upload


@dataclass(frozen=True)
class Page:
    """One measured page: where it is, who asks, what it must show."""

    key: str  # folder, contacts, ... (the same key in every tenant)
    tenant: str  # big | mid | small | "" for the baseline
    target: Target
    note: str
    levels: tuple[int, ...]
    logged_in: bool = True
    expect_text: str = ""

    @property
    def name(self) -> str:
        return self.target.name

    @property
    def cookie(self) -> str | None:
        return dict(self.target.headers).get("Cookie")


@dataclass
class Row:
    """One page at one connection level: a measurement per round, errors the servers logged."""

    page: Page
    connections: int
    rounds: list[Result] = field(default_factory=list)
    server_errors: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> Result:
        return merge(self.page.name, self.rounds)

    @property
    def spread(self) -> str:
        return " ".join("/".join(map(str, r.per_worker)) or "?" for r in self.rounds)


def share(row: Row, baseline: Row) -> float:
    reference = baseline.total.rps
    return row.total.rps / reference if reference else math.nan


def round_range(row: Row, baseline: Row) -> tuple[float, float]:
    """Lowest and highest per-round ratio (each round against that round's baseline)."""
    if row is baseline:
        reference = baseline.total.rps
        values = [r.rps / reference if reference else math.nan for r in row.rounds]
    else:
        values = [
            r.rps / b.rps if b.rps else math.nan
            for r, b in zip(row.rounds, baseline.rounds, strict=True)
        ]
    return min(values), max(values)


def noisy_rows(levels: dict[int, list[Row]]) -> list[str]:
    found = []
    for connections, rows in levels.items():
        baseline = rows[0]
        for row in rows:
            low, high = round_range(row, baseline)
            middle = share(row, baseline)
            if middle and (high - low) / middle > 2 * NOISY:
                found.append(f"{row.page.name} @{connections} {low:.2f}-{high:.2f}")
    return found


def _ms(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.1f}"


def level_table(rows: Sequence[Row], queries: dict[str, int]) -> list[str]:
    baseline = rows[0]
    base_p99 = baseline.total.percentile(99)
    lines = [
        "| page | req/s | × baseline | per round | p50 ms | p99 ms | p99 × baseline | errors "
        "| queries | conns/worker |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        r = row.total
        low, high = round_range(row, baseline)
        p99 = r.percentile(99)
        lines.append(
            f"| {r.name} | {r.rps:.0f} | **{share(row, baseline):.2f}×** | {low:.2f}–{high:.2f} "
            f"| {_ms(r.percentile(50))} | {_ms(p99)} | {p99 / base_p99:.2f}× | {r.errors} "
            f"| {queries.get(row.page.name, '–')} | {row.spread} |"
        )
    return lines


def verdicts(rows: Sequence[Row]) -> list[tuple[str, str, bool]]:
    """(page, what was measured against what, met?) for the top connection level."""
    baseline = rows[0]
    base_p99 = baseline.total.percentile(99)
    found = []
    for row in rows[1:]:
        if not row.page.logged_in or row.page.tenant != "big":
            continue
        goal = FOLDER_TARGET if row.page.key == "folder" else OTHER_TARGET
        ratio = share(row, baseline)
        p99 = row.total.percentile(99) / base_p99
        errors = row.total.errors
        text = (
            f"{ratio:.2f}× baseline (goal ≥ {goal}×), p99 {p99:.2f}× baseline's "
            f"(goal ≤ {P99_LIMIT:g}×), {errors} errors"
        )
        found.append((row.page.name, text, ratio >= goal and p99 <= P99_LIMIT and errors == 0))
    return found


def growth(levels: dict[int, list[Row]]) -> list[tuple[str, int, dict[str, float], float]]:
    """(page key, connections, p50 per tenant, big/small) for pages measured in all sizes."""
    found = []
    for connections, rows in levels.items():
        by_key: dict[str, dict[str, float]] = {}
        for row in rows:
            if row.page.tenant:
                by_key.setdefault(row.page.key, {})[row.page.tenant] = row.total.percentile(50)
        for key, sizes in by_key.items():
            if {"big", "small"} <= sizes.keys():
                found.append((key, connections, sizes, sizes["big"] / sizes["small"]))
    return found


def query_table(pages: Sequence[PageQueries]) -> list[str]:
    lines = [
        "| page | status | statements | DB ms, planned for the values | DB ms, generic plan "
        "| sequential scans of big tables |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for page in pages:
        seq = sorted({t for s in page.statements for t in s.seq_scans})
        total = sum(s.ms for s in page.statements)
        generic = sum(s.generic_ms for s in page.statements)
        lines.append(
            f"| {page.name} | {page.status} | {page.count} | {total:.2f} | {generic:.2f} "
            f"| {', '.join(seq) or 'none'} |"
        )
    return lines


def explain_section(pages: Sequence[PageQueries]) -> list[str]:
    lines = []
    seen: set[str] = set()
    for page in pages:
        for statement in page.statements:
            if not statement.plan or statement.sql in seen:
                continue
            seen.add(statement.sql)
            lines += [
                f"<details><summary>{page.name}: {statement.sql[:90].replace('|', '/')}…"
                f" ({statement.ms:.3f} ms; generic plan {statement.generic_ms:.3f} ms)</summary>",
                "",
                "```sql",
                statement.sql,
                "```",
                "Planned for the values:",
                "```",
                statement.plan,
                "```",
                "Generic plan (what PostgreSQL may reuse for a prepared statement):",
                "```",
                statement.generic_plan,
                "```",
                "</details>",
                "",
            ]
    return lines


def upload_lines(results: Sequence[UploadResult]) -> list[str]:
    lines = [
        "| file | status | seconds | RSS before MB | peak RSS during upload MB | growth MB "
        "| VmHWM after MB | slowest /healthz meanwhile ms |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.megabytes} MB | {r.status} | {r.seconds:.1f} | {r.rss_before_kb / 1024:.1f} "
            f"| {r.rss_peak_kb / 1024:.1f} | {r.growth_mb:.1f} | {r.hwm_after_kb / 1024:.1f} "
            f"| {r.stall_ms:.0f} |"
        )
    return lines


def upload_verdict(results: Sequence[UploadResult]) -> tuple[str, bool] | None:
    if len(results) < 2:
        return None
    small, large = results[0], results[-1]
    grew = (large.rss_peak_kb - small.rss_peak_kb) / 1024
    ok = grew < UPLOAD_LIMIT_MB and all(r.status == 303 for r in results)
    text = (
        f"peak RSS {small.rss_peak_kb / 1024:.1f} MB at {small.megabytes} MB, "
        f"{large.rss_peak_kb / 1024:.1f} MB at {large.megabytes} MB: grew {grew:.1f} MB "
        f"(goal < {UPLOAD_LIMIT_MB:g} MB)"
    )
    return text, ok


def markdown(
    *,
    levels: dict[int, list[Row]],
    pages: Sequence[PageQueries],
    uploads: Sequence[UploadResult],
    facts: dict[str, str],
    setup: Sequence[str],
    notes: dict[str, str],
) -> str:
    top = max(levels)
    query_counts = {page.name: page.count for page in pages}
    lines = [
        "# Benchmark results",
        "",
        "Written by `python benchmarks/run.py` (see README.md).",
        "",
    ]
    lines += [f"- {item}" for item in setup]
    lines += ["", "## Machine", "", "| | |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in facts.items()]
    lines += ["", f"## Goals at {top} connections", ""]
    for name, text, ok in verdicts(levels[top]):
        lines.append(f"- {'✅' if ok else '❌'} **{name}**: {text}")
    for key, connections, _, ratio in growth(levels):
        if key in ("contacts", "search") and connections == top:
            ok = ratio <= GROWTH_LIMIT
            lines.append(
                f"- {'✅' if ok else '❌'} **{key} at 20,000 vs 10 contacts**: p50 latency "
                f"{ratio:.2f}× the small tenant's (goal ≤ {GROWTH_LIMIT:g}×)"
            )
    upload = upload_verdict(uploads)
    if upload:
        lines.append(f"- {'✅' if upload[1] else '❌'} **upload memory**: {upload[0]}")
    noisy = noisy_rows(levels)
    if noisy:
        lines += [
            "",
            f"> **⚠ noisy run**: single rounds differ by more than ±{NOISY:.0%} "
            f"({', '.join(noisy)}). Take those ratios with care.",
        ]
    for connections, rows in levels.items():
        lines += ["", f"## {connections} connection{'s' if connections > 1 else ''}", ""]
        lines += level_table(rows, query_counts)
    lines += [
        "",
        "*× baseline*: requests/s over the baseline's at the same connection count, same run. "
        "*Per round*: lowest and highest ratio of single rounds (each against that round's "
        "baseline). *Queries*: SQL statements the page sends (below). *Conns/worker*: how the "
        "connections were spread over the server's processes in each round.",
        "",
        "## How cost grows with the tenant",
        "",
        "p50 latency in ms of the same page for the same kind of customer in tenants of "
        "10, 1,000 and 20,000 contacts (100,000 contacts and ~1,000,000 contracts in the "
        "database in all).",
        "",
        "| page | connections | 10 contacts | 1,000 | 20,000 | 20,000 / 10 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for key, connections, sizes, ratio in growth(levels):
        lines.append(
            f"| {key} | {connections} | {_ms(sizes.get('small', math.nan))} "
            f"| {_ms(sizes.get('mid', math.nan))} | {_ms(sizes.get('big', math.nan))} "
            f"| **{ratio:.2f}×** |"
        )
    if uploads:
        lines += ["", "## Upload memory", ""] + upload_lines(uploads)
        lines += [
            "",
            "One uvicorn process; its resident memory sampled every 10 ms during each upload, "
            "and its /healthz asked every 20 ms (the slowest answer shows how long the event "
            "loop was blocked).",
        ]
    lines += ["", "## Queries per page", ""] + query_table(pages)
    lines += ["", "## What each page does", ""]
    lines += [f"- **{name}**: {note}" for name, note in notes.items()]
    errors = [
        (connections, row)
        for connections, rows in levels.items()
        for row in rows
        if row.total.error_kinds or row.server_errors
    ]
    if errors:
        lines += ["", "## Errors", ""]
        for connections, row in errors:
            lines.append(f"- {row.page.name} @{connections}: {dict(row.total.error_kinds)}")
            lines += [f"  - server log: {n} × `{w}`" for w, n in row.server_errors.most_common()]
    lines += ["", "## Plans of every statement (EXPLAIN ANALYZE on the loaded database)", ""]
    lines += explain_section(pages)
    return "\n".join(lines) + "\n"


def console(levels: dict[int, list[Row]], pages: Sequence[PageQueries]) -> str:
    counts = {page.name: page.count for page in pages}
    out = []
    for connections, rows in levels.items():
        baseline = rows[0]
        base_p99 = baseline.total.percentile(99)
        out.append(f"\n{connections} connections")
        out.append(
            f"{'page':<26} {'req/s':>8} {'x base':>7} {'p50 ms':>8} {'p99 ms':>8} "
            f"{'p99 x':>6} {'errors':>6} {'queries':>7}"
        )
        for row in rows:
            r = row.total
            out.append(
                f"{r.name:<26} {r.rps:>8.0f} {share(row, baseline):>6.2f}x "
                f"{r.percentile(50):>8.2f} {r.percentile(99):>8.2f} "
                f"{r.percentile(99) / base_p99:>5.2f}x {r.errors:>6} "
                f"{counts.get(r.name, '-')!s:>7}"
            )
    return "\n".join(out)


def as_dict(levels: dict[int, list[Row]]) -> dict[str, Any]:
    """Machine-readable summary (benchmarks/results.json) for comparing runs."""
    out: dict[str, Any] = {}
    for connections, rows in levels.items():
        baseline = rows[0]
        out[str(connections)] = {
            row.page.name: {**row.total.summary(), "ratio": round(share(row, baseline), 3)}
            for row in rows
        }
    return out
