"""The measured targets (each page as the app serves it and as its limits do, and the
fortunes yardstick), the request files wrk reads for them, and the rounds of load.

Per mode, each server is warmed up once, then the rounds go in ABBA order (forwards,
backwards, ...), and a page's limits are measured right after the page, so slow drift of a
busy machine hits a page and its limits alike.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import wrkload
from capture import Captured
from harness import Group, say
from plan import OFFLOADED_DOWNLOAD, Page
from wrkload import Line, Result

MODES = ("repeat", "rotating")
LIMIT_KINDS = ("zero", "lean", "file")  # the file limit is the download's only one
HEADER_BYTES = 40  # status line and the headers uvicorn adds, roughly, per response


@dataclass
class Target:
    page: str  # a page's name, or "fortunes"
    mode: str
    kind: str  # app | zero | lean | file | fortunes
    group: Group
    requests: Path
    lines: list[Line]
    expected_bytes: float  # per response, headers included (roughly): a wrong answer shows
    rounds: list[Result] = field(default_factory=list)
    server_errors: Counter[str] = field(default_factory=Counter)

    @property
    def label(self) -> str:
        return self.page if self.kind in ("app", "fortunes") else f"{self.page} [{self.kind}]"

    @property
    def total(self) -> Result:
        """The rounds as one: counts add up, percentiles are the rounds' mean."""
        rounds = self.rounds

        def mean(name: str) -> float:
            return statistics.fmean(getattr(r, name) for r in rounds) if rounds else math.nan

        errors: Counter[str] = Counter()
        for r in rounds:
            errors.update(r.errors)
        return Result(
            requests=sum(r.requests for r in rounds),
            seconds=sum(r.seconds for r in rounds),
            bytes=sum(r.bytes for r in rounds),
            errors=dict(errors),
            p50_ms=mean("p50_ms"),
            p90_ms=mean("p90_ms"),
            p99_ms=mean("p99_ms"),
            max_ms=max((r.max_ms for r in rounds), default=math.nan),
            mean_ms=mean("mean_ms"),
        )

    def bytes_off(self) -> float:
        """Measured bytes per response over the expected ones (1.0: as captured)."""
        total = self.total
        if not total.requests or not self.expected_bytes:
            return math.nan
        return total.bytes / total.requests / self.expected_bytes


def _expected(captured: Sequence[Captured], body_bytes: int | None = None) -> float:
    sizes = [
        (body_bytes if body_bytes is not None else len(c.body))
        + sum(len(k) + len(v) + 4 for k, v in c.headers)
        + HEADER_BYTES
        for c in captured
    ]
    return statistics.fmean(sizes) if sizes else 0.0


def spec_key(page: Page, mode: str) -> str:
    return f"{page.key}-{mode}"


@dataclass(frozen=True)
class Servers:
    app: Group
    limits: Group
    fortunes: Group
    app_port_host: int  # the port the app's Host headers name
    offload: Group | None = None  # nginx in front of the app with DOWNLOAD_OFFLOAD

    def serving(self, page: Page) -> Group:
        """Who answers the page: the app, or nginx for the offloaded download."""
        if page.key == OFFLOADED_DOWNLOAD:
            if self.offload is None:
                raise ValueError("the offloaded download needs nginx (offload.start)")
            return self.offload
        return self.app


def build_targets(
    pages: Sequence[Page],
    captured: dict[tuple[str, str], list[Captured]],
    servers: Servers,
    scratch: Path,
    *,
    download_bytes: int,
) -> list[Target]:
    """Per mode: fortunes first, then each page followed by its limits."""
    targets = []
    limits_host = f"127.0.0.1:{servers.limits.ports[0]}"
    for mode in MODES:
        fortunes_lines = [Line("/fortunes", f"127.0.0.1:{servers.fortunes.ports[0]}")]
        targets.append(
            _target("fortunes", mode, "fortunes", servers.fortunes, scratch, fortunes_lines, 0)
        )
        for page in pages:
            asks = page.asks(mode)
            if not asks:
                continue
            if page.is_download:
                found = captured[(page.name, "repeat")] * len(asks)
                expected = _expected(found, download_bytes)
            else:
                found = captured[(page.name, mode)]
                expected = _expected(found)
            app_lines = [Line(a.path, f"{a.host}:{servers.app_port_host}", a.cookie) for a in asks]
            targets.append(
                _target(page.name, mode, "app", servers.serving(page), scratch, app_lines, expected)
            )
            if page.tenant != "big":
                continue  # the growth pages: the app only
            if page.is_download:
                lines = [Line(f"/file/{n}", limits_host) for n in range(len(asks))]
                # a bare FileResponse sends other headers than the app's download
                file_expected = download_bytes + 200
                targets.append(
                    _target(page.name, mode, "file", servers.limits, scratch, lines, file_expected)
                )
                continue
            key = spec_key(page, mode)
            for kind in ("zero", "lean"):
                lines = [Line(f"/{kind}/{key}/{n}", limits_host) for n in range(len(asks))]
                targets.append(
                    _target(page.name, mode, kind, servers.limits, scratch, lines, expected)
                )
    return targets


def _target(
    page: str,
    mode: str,
    kind: str,
    group: Group,
    scratch: Path,
    lines: list[Line],
    expected: float,
) -> Target:
    name = f"{page}-{mode}-{kind}".replace(" ", "_").replace("(", "").replace(")", "")
    path = wrkload.write_requests(scratch / f"requests-{name}.txt", lines)
    return Target(page, mode, kind, group, path, lines, expected)


def run_rounds(
    targets: Sequence[Target],
    *,
    connections: int,
    seconds: int,
    rounds: int,
    warmup: int,
    scratch: Path,
    before_each: Callable[[], None] = lambda: None,
) -> None:
    """Each mode's targets in `rounds` rounds, ABBA, after a warm-up of each server;
    `before_each` runs before every measurement."""
    for mode in MODES:
        of_mode = [t for t in targets if t.mode == mode]
        if warmup:
            warm_up(of_mode, connections, warmup, scratch)
        seen: dict[str, Counter[str]] = {}
        for number in range(rounds):
            order = of_mode if number % 2 == 0 else list(reversed(of_mode))
            for target in order:
                say(f"{mode}, round {number + 1}/{rounds}: {target.label}")
                before_each()
                target.rounds.append(_load(target.requests, target.group, connections, seconds))
                target.group.check_alive()
                logged = target.group.error_counts()
                before = seen.get(target.group.name, Counter())
                new = {w: n - before[w] for w, n in logged.items() if n > before[w]}
                target.server_errors.update(new)
                seen[target.group.name] = logged


def warm_up(targets: Sequence[Target], connections: int, seconds: int, scratch: Path) -> None:
    """One unmeasured run per server over all its targets' requests, taken in turns, so
    every route has run on every pooled connection (statements prepared) before measuring."""
    groups: dict[str, list[Target]] = {}
    for target in targets:
        groups.setdefault(target.group.name, []).append(target)
    for name, of_group in groups.items():
        say(f"{targets[0].mode}: warming up {name} ({len(of_group)} targets, {seconds} s)")
        turns = itertools.zip_longest(*(t.lines for t in of_group))
        lines = [line for turn in turns for line in turn if line is not None]
        path = wrkload.write_requests(scratch / f"warmup-{name}.txt", lines)
        _load(path, of_group[0].group, connections, seconds)


def _load(requests: Path, group: Group, connections: int, seconds: int) -> Result:
    return wrkload.run(requests, group.ports, connections=connections, seconds=seconds)
