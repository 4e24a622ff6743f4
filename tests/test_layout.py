"""The layout's size rules and its map (ARCHITECTURE.md, README "Development").

Small modules and thin handlers keep one room per job; the README's map must name every room.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "tenant_app"
README = PACKAGE.parent / "README.md"
MAX_MODULE_LINES = 400
MAX_HANDLER_LINES = 20
MODULES = sorted(PACKAGE.rglob("*.py"))
WEB_MODULES = [path for path in MODULES if "web" in path.relative_to(PACKAGE).parts]


def _name(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent))


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_module_is_over_400_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_MODULE_LINES


def _handlers(path: Path) -> list[ast.AsyncFunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.AsyncFunctionDef)
        and node.args.args
        and node.args.args[0].arg == "request"
    ]


@pytest.mark.parametrize("path", WEB_MODULES, ids=_name)
def test_handlers_are_thin(path: Path) -> None:
    long = {
        node.name: (node.end_lineno or node.lineno) - node.lineno + 1
        for node in _handlers(path)
        if (node.end_lineno or node.lineno) - node.lineno + 1 > MAX_HANDLER_LINES
    }
    assert long == {}


def test_every_route_module_is_registered() -> None:
    from tenant_app.web import routing

    with_routes = set()
    for path in WEB_MODULES:
        module = importlib.import_module(_name(path).removesuffix(".py").replace("/", "."))
        if isinstance(getattr(module, "routes", None), list):
            with_routes.add(module.__name__)
    assert with_routes == {module.__name__ for module in routing.MODULES}


def test_the_readme_map_names_every_room() -> None:
    readme = README.read_text(encoding="utf-8")
    rooms = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    assert [room for room in rooms if f"`{room}/`" not in readme] == []
