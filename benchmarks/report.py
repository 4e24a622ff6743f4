"""The benchmark's numbers as ratios, the targets, and the tables: console, RESULTS.md and
results.json (page -> mode -> numbers and ratios)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from measure import MODES, Target
from plan import Page
from queries import PageQueries
from upload_memory import UploadResult

LEAN_GOALS = {"repeat": 0.9, "rotating": 0.8}  # × the page's lean-render limit's req/s
# logged-in pages
LEAN_PAGES = (
    "folder",
    "contacts",
    "search",
    "ticket",
    "ticket-staff",
    "chat",
    "chat-staff",
    "chats",
)
ZERO_GOAL = ("folder", "repeat", 0.35)  # the customer folder × its zero-render limit
P99_GOAL = 4.0  # p99 ≤ this × the page's own p50, every page and mode
FILE_GOAL = 0.9  # the download × a bare FileResponse of the same file
GROWTH_GOAL = 1.5  # contact list and search: p50 at 20,000 contacts over at 10
UPLOAD_GOAL_MB = 20.0  # peak RSS growth from the smallest to the largest upload
NOISY = 0.10  # rounds whose ratios differ by more than ±10 % of their mean: warn
REFERENCES = ("fortunes", "zero", "lean", "file")


def _num(value: float, digits: int = 3) -> float | None:
    return None if value is None or math.isnan(value) else round(value, digits)


def _ratio(a: float, b: float) -> float:
    return a / b if b and not math.isnan(b) else math.nan


class Summary:
    """The measured targets, by page, mode and kind."""

    def __init__(self, targets: Sequence[Target], pages: Sequence[Page], connections: int):
        self.targets = {(t.page, t.mode, t.kind): t for t in targets}
        self.pages = list(pages)
        self.connections = connections

    def reference(self, page: Page, mode: str, kind: str) -> Target | None:
        if kind == "fortunes":
            return self.targets.get(("fortunes", mode, "fortunes"))
        return self.targets.get((page.name, mode, kind))

    def row(self, page: Page, mode: str) -> dict[str, Any] | None:
        app = self.targets.get((page.name, mode, "app"))
        if app is None:
            return None
        a = app.total
        out: dict[str, Any] = {
            "rps": _num(a.rps, 1),
            "p50_ms": _num(a.p50_ms, 2),
            "p99_ms": _num(a.p99_ms, 2),
            "p99_over_p50": _num(_ratio(a.p99_ms, a.p50_ms), 2),
            "requests": a.requests,
            "errors": a.error_count,
            "rotation": len(page.asks(mode)),  # requests in the list wrk goes through
            "distinct_pages": page.distinct_pages(mode),
        }
        limits: dict[str, dict[str, Any]] = {}
        for kind in REFERENCES:
            ref = self.reference(page, mode, kind)
            if ref is None:
                continue
            r = ref.total
            out[f"x_{kind}"] = _num(_ratio(a.rps, r.rps))
            out[f"p50_x_{kind}"] = _num(_ratio(a.p50_ms, r.p50_ms), 2)
            out[f"p99_x_{kind}"] = _num(_ratio(a.p99_ms, r.p99_ms), 2)
            if len(app.rounds) > 1:
                out[f"x_{kind}_rounds"] = [
                    _num(_ratio(x.rps, y.rps)) for x, y in zip(app.rounds, ref.rounds, strict=True)
                ]
            if kind != "fortunes":
                limits[kind] = {
                    "rps": _num(r.rps, 1),
                    "p50_ms": _num(r.p50_ms, 2),
                    "p99_ms": _num(r.p99_ms, 2),
                    "errors": r.error_count,
                }
        if limits:
            out["limits"] = limits
        off = app.bytes_off()
        if not math.isnan(off) and abs(off - 1) > 0.1:
            out["bytes_per_response_vs_captured"] = _num(off, 2)
        return out

    def rows(self) -> dict[str, dict[str, dict[str, Any]]]:
        found: dict[str, dict[str, dict[str, Any]]] = {}
        for mode in MODES:
            fortunes = self.targets.get(("fortunes", mode, "fortunes"))
            if fortunes is not None:
                f = fortunes.total
                found.setdefault("fortunes", {})[mode] = {
                    "rps": _num(f.rps, 1),
                    "p50_ms": _num(f.p50_ms, 2),
                    "p99_ms": _num(f.p99_ms, 2),
                    "errors": f.error_count,
                }
            for page in self.pages:
                row = self.row(page, mode)
                if row is not None:
                    found.setdefault(page.name, {})[mode] = row
        return found


def verdicts(summary: Summary) -> list[tuple[str, str, bool]]:
    """(what, the numbers, met?) for every target of the issue that this run measured."""
    found = []
    rows = summary.rows()
    for page in summary.pages:
        if page.tenant != "big":
            continue
        for mode in MODES:
            row = rows.get(page.name, {}).get(mode)
            if row is None:
                continue
            if page.key in LEAN_PAGES and row.get("x_lean") is not None:
                goal = LEAN_GOALS[mode]
                found.append(
                    (
                        f"{page.name}, {mode}",
                        f"{row['x_lean']:.2f}× its lean-render limit's req/s (goal ≥ {goal}×)",
                        row["x_lean"] >= goal,
                    )
                )
            if (page.key, mode) == ZERO_GOAL[:2] and row.get("x_zero") is not None:
                goal = ZERO_GOAL[2]
                found.append(
                    (
                        f"{page.name}, {mode}",
                        f"{row['x_zero']:.2f}× its zero-render limit's req/s (goal ≥ {goal}×)",
                        row["x_zero"] >= goal,
                    )
                )
            if page.is_download and row.get("x_file") is not None:
                found.append(
                    (
                        f"{page.name}, {mode}",
                        f"{row['x_file']:.2f}× a bare FileResponse's req/s (goal ≥ {FILE_GOAL}×)",
                        row["x_file"] >= FILE_GOAL,
                    )
                )
            if row.get("p99_over_p50") is not None:
                found.append(
                    (
                        f"{page.name}, {mode}",
                        f"p99 {row['p99_ms']:.1f} ms = {row['p99_over_p50']:.2f}× its own p50 "
                        f"(goal ≤ {P99_GOAL:g}×)",
                        row["p99_over_p50"] <= P99_GOAL,
                    )
                )
    errors = [t.label + f" ({t.mode})" for t in summary.targets.values() if t.total.error_count]
    found.append(("no errors", ", ".join(errors) or "none in any target", not errors))
    return found


def growth(summary: Summary) -> list[tuple[str, dict[str, float], float]]:
    """(page key, p50 per tenant size, big/small) for pages measured in all sizes."""
    by_key: dict[str, dict[str, float]] = {}
    for page in summary.pages:
        app = summary.targets.get((page.name, "repeat", "app"))
        if app is not None and page.key in ("folder", "contacts", "search"):
            by_key.setdefault(page.key, {})[page.tenant] = app.total.p50_ms
    return [
        (key, sizes, sizes["big"] / sizes["small"])
        for key, sizes in by_key.items()
        if {"big", "small"} <= sizes.keys()
    ]


def _x(row: dict[str, Any], key: str, bold: bool = False) -> str:
    value = row.get(key)
    if value is None:
        return "–"
    text = f"{value:.2f}×"
    spread = row.get(f"{key}_rounds")
    if spread and None not in spread:
        text += f" ({min(spread):.2f}–{max(spread):.2f})"
    return f"**{text}**" if bold else text


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def mode_tables(summary: Summary, mode: str, queries: dict[str, int]) -> list[str]:
    rows = summary.rows()
    lines = [
        "| page | req/s | × fortunes | × zero-render | × lean-render | × bare file | errors "
        "| queries | requests in rotation / distinct pages |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    fortunes = rows.get("fortunes", {}).get(mode)
    if fortunes:
        lines.append(
            f"| fortunes | {fortunes['rps']:.0f} | 1.00× | | | | {fortunes['errors']} | 1 | 1 / 1 |"
        )
    for page in summary.pages:
        row = rows.get(page.name, {}).get(mode)
        if row is None:
            continue
        lines.append(
            f"| {page.name} | {row['rps']:.0f} | {_x(row, 'x_fortunes')} "
            f"| {_x(row, 'x_zero', True)} | {_x(row, 'x_lean', True)} | {_x(row, 'x_file', True)} "
            f"| {row['errors']} | {queries.get(page.name, '–')} "
            f"| {row['rotation']:,} / {row['distinct_pages']:,} |"
        )
    lines += [
        "",
        "| page | p50 ms | p99 ms | p99 / own p50 | p50 × fortunes | p99 × fortunes "
        "| p50 × zero | p99 × zero | p50 × lean | p99 × lean | p99 × file |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    if fortunes:
        lines.append(
            f"| fortunes | {_ms(fortunes['p50_ms'])} | {_ms(fortunes['p99_ms'])} | | | | | | | | |"
        )
    for page in summary.pages:
        row = rows.get(page.name, {}).get(mode)
        if row is None:
            continue
        cells = [_ms(row["p50_ms"]), _ms(row["p99_ms"]), _x(row, "p99_over_p50")]
        cells += [
            _x(row, key)
            for key in ("p50_x_fortunes", "p99_x_fortunes", "p50_x_zero", "p99_x_zero")
            + ("p50_x_lean", "p99_x_lean", "p99_x_file")
        ]
        lines.append(f"| {page.name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| page | limit | req/s | p50 ms | p99 ms | errors |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for page in summary.pages:
        row = rows.get(page.name, {}).get(mode)
        for kind, limit in (row or {}).get("limits", {}).items():
            lines.append(
                f"| {page.name} | {kind} | {limit['rps']:.0f} | {_ms(limit['p50_ms'])} "
                f"| {_ms(limit['p99_ms'])} | {limit['errors']} |"
            )
    return lines


def noisy(summary: Summary) -> list[str]:
    found = []
    for page_name, modes in summary.rows().items():
        for mode, row in modes.items():
            for kind in REFERENCES:
                spread = row.get(f"x_{kind}_rounds") or []
                middle = row.get(f"x_{kind}")
                if middle and None not in spread and spread:
                    if (max(spread) - min(spread)) / middle > 2 * NOISY:
                        found.append(
                            f"{page_name} {mode} × {kind} {min(spread):.2f}–{max(spread):.2f}"
                        )
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
    if not results:
        return []
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
    ok = grew < UPLOAD_GOAL_MB and all(r.status == 303 for r in results)
    text = (
        f"peak RSS {small.rss_peak_kb / 1024:.1f} MB at {small.megabytes} MB, "
        f"{large.rss_peak_kb / 1024:.1f} MB at {large.megabytes} MB: grew {grew:.1f} MB "
        f"(goal < {UPLOAD_GOAL_MB:g} MB)"
    )
    return text, ok
