"""Before any load: the captured bytes are the servers' bytes, and the limits' bytes too.

- The app server, asked for a sample of each page's requests, answers exactly the bytes
  captured in this process (capture.py), apart from per-request tokens (capture.masked);
- the limits server's zero-render and lean-render routes answer exactly the captured bytes
  for the same sample (no masking: they render what was captured).

Also writes the limits server's spec (limits_app.py reads it).
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
from capture import Captured, masked
from harness import BenchError
from markupsafe import Markup
from measure import MODES, spec_key
from plan import Page


def sample(count: int, size: int) -> list[int]:
    """`size` indexes spread over 0..count-1, the first always included."""
    if count <= size:
        return list(range(count))
    return sorted({round(n * (count - 1) / (size - 1)) for n in range(size)})


def _difference(expected: bytes, got: bytes) -> str:
    at = next(
        (n for n, (a, b) in enumerate(zip(expected, got, strict=False)) if a != b),
        min(len(expected), len(got)),
    )
    return (
        f"{len(expected)} vs {len(got)} bytes, first difference at {at}:\n"
        f"  captured: {expected[max(0, at - 80) : at + 80]!r}\n"
        f"  served:   {got[max(0, at - 80) : at + 80]!r}"
    )


def _sampled(
    pages: Sequence[Page],
    captured: dict[tuple[str, str], list[Captured]],
    size: int,
    *,
    big_only: bool,
) -> Iterator[tuple[Page, str, int, Captured]]:
    """A sample of each page's captured requests per mode (downloads have no bytes to check;
    the limits serve the big tenant only)."""
    for page in pages:
        if page.is_download or (big_only and page.tenant != "big"):
            continue
        for mode in MODES:
            found = captured.get((page.name, mode)) or []
            for n in sample(len(found), size):
                yield page, mode, n, found[n]


def check_app(
    pages: Sequence[Page],
    captured: dict[tuple[str, str], list[Captured]],
    port: int,
    size: int,
) -> int:
    """The app server's bytes for a sample of each page and mode; returns how many."""
    checked = 0
    with httpx.Client(timeout=10.0) as client:
        for page, mode, n, want in _sampled(pages, captured, size, big_only=False):
            ask = page.asks(mode)[n]
            headers = {"Host": f"{ask.host}:{port}", "Accept-Encoding": "identity"}
            if ask.cookie:
                headers["Cookie"] = ask.cookie
            response = client.get(f"http://127.0.0.1:{port}{ask.path}", headers=headers)
            if response.status_code != want.status:
                raise BenchError(
                    f"{page.name} {mode} #{n}: status {response.status_code}, "
                    f"captured {want.status}"
                )
            if masked(response.content) != masked(want.body):
                raise BenchError(
                    f"{page.name} {mode} #{n} ({ask.path}): the app server's bytes "
                    "differ from the captured ones: "
                    + _difference(masked(want.body), masked(response.content))
                )
            checked += 1
    return checked


def check_limits(
    pages: Sequence[Page],
    captured: dict[tuple[str, str], list[Captured]],
    port: int,
    size: int,
) -> int:
    """The zero- and lean-render routes' bytes for a sample of each page and mode."""
    checked = 0
    with httpx.Client(timeout=10.0) as client:
        for page, mode, n, want in _sampled(pages, captured, size, big_only=True):
            for kind in ("zero", "lean"):
                url = f"http://127.0.0.1:{port}/{kind}/{spec_key(page, mode)}/{n}"
                got = client.get(url).content
                if got != want.body:
                    raise BenchError(
                        f"{page.name} {mode} #{n}: the {kind} route's bytes differ "
                        "from the app's: " + _difference(want.body, got)
                    )
                checked += 1
    return checked


def write_spec(
    path: Path,
    pages: Sequence[Page],
    captured: dict[tuple[str, str], list[Captured]],
    files: Sequence[Path],
) -> Path:
    """What limits_app.py serves: per page and mode, per request: the statements with
    their parameters, status, headers, literal and value pieces; and the download files."""
    spec: dict[str, object] = {"files": [str(f) for f in files]}
    markups: dict[str, Markup] = {}  # one object per distinct literal: pickled once

    def markup(literal: str) -> Markup:
        found = markups.get(literal)
        if found is None:
            found = markups[literal] = Markup(literal)  # noqa: S704 - the app's own output
        return found

    entries: dict[str, list[dict[str, object]]] = {}
    for page in pages:
        if page.tenant != "big" or page.is_download:
            continue
        for mode in MODES:
            entries[spec_key(page, mode)] = [
                {
                    "statements": [(s.sql, s.values) for s in c.statements],
                    "status": c.status,
                    "headers": c.headers,
                    "segments": [(markup(literal), value) for literal, value in c.segments],
                    "tail": markup(c.tail),
                }
                for c in captured.get((page.name, mode), [])
            ]
    spec["pages"] = entries
    with path.open("wb") as spec_file:
        pickle.dump(spec, spec_file, protocol=pickle.HIGHEST_PROTOCOL)
    return path
