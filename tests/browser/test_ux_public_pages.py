"""The pages anyone may open without logging in (login, forgotten password, imprint, a mailed
link that no longer works): axe-core finds nothing from "moderate" up, in particular every
piece of content sits in a landmark ("region"), and the footer's imprint link is readable.

The sweep (test_ux_sweep.py) fails only on serious and critical findings; these pages are the
firm's front door, so they are held to the stricter line here.
"""

from __future__ import annotations

from typing import Any, cast

import pytest

from tests.browser.test_accessibility import AXE
from tests.browser.test_ux_sweep import VIEWPORTS

async_api = pytest.importorskip("playwright.async_api")
expect = async_api.expect

pytestmark = pytest.mark.browser

FAILING = {"moderate", "serious", "critical"}
PAGES = ("/login", "/passwort-vergessen", "/impressum", "/passwort/kein-gueltiger-link")


async def axe_findings(page: Any, name: str) -> list[str]:
    """Violations from "moderate" up, and contrast axe could not decide, one line each."""
    await page.add_script_tag(path=AXE)
    result = await page.evaluate("async () => await axe.run()")
    lines = []
    for violation in result["violations"]:
        if violation["impact"] not in FAILING:
            continue
        for node in violation["nodes"]:
            lines.append(
                f"[{name}] {violation['id']} ({violation['impact']}): {violation['help']} "
                f"on {node['target']}: {node.get('failureSummary', '')!r}"
            )
    for unsure in result["incomplete"]:  # e.g. text over a gradient: unknown contrast
        if unsure["id"] == "color-contrast":
            lines += [f"[{name}] contrast undecided on {n['target']}" for n in unsure["nodes"]]
    if "region" not in {rule["id"] for rule in result["passes"] + result["violations"]}:
        lines.append(f"[{name}] axe did not run its landmark rule (region)")
    return lines


@pytest.mark.parametrize("viewport", VIEWPORTS)
async def test_public_pages_have_no_moderate_axe_findings(contexts: Any, viewport: str) -> None:
    options = cast(dict[str, Any], VIEWPORTS[viewport])
    page = await contexts.page(bypass_csp=True, **options)
    problems: list[str] = []
    for path in PAGES:
        await page.goto(path)
        problems += await axe_findings(page, f"{viewport} {path}")
    assert not problems, "\n".join(problems)
