"""Installing a plug-in the way a third party's package is installed: a distribution's
metadata with an entry point of the group `tenant_app.insurer_plugins`, put on the path."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tenant_app.services import insurer_plugins


@contextmanager
def installed_distribution(folder: Path, entry_points: dict[str, str]) -> Iterator[None]:
    """`entry_points`: name → "module:object"; found by importlib.metadata like any package."""
    info = folder / "tiny_insurer_plugin-1.0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: tiny-insurer-plugin\nVersion: 1.0\n", encoding="utf-8"
    )
    lines = "".join(f"{name} = {target}\n" for name, target in entry_points.items())
    (info / "entry_points.txt").write_text(
        f"[tenant_app.insurer_plugins]\n{lines}", encoding="utf-8"
    )
    sys.path.insert(0, str(folder))
    insurer_plugins.forget()
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        insurer_plugins.forget()
