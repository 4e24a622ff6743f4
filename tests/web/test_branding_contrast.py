"""The settings page checks text on the second colour as it checks text on the main colour:
the text colour is chosen automatically, its ratio is shown, and a poor one is warned about."""

from __future__ import annotations

import re
from typing import Any

from tests.web.test_branding import SETTINGS, save_look, stored


def report_row(html: str, name: str) -> str:
    found = re.search(
        rf'<li class="contrast contrast--(\w+)" id="contrast-{name}">(.*?)</li>', html, re.S
    )
    assert found, f"no contrast row {name}"
    return f"{found.group(1)} {found.group(2)}"


async def test_the_second_colour_is_checked_and_a_poor_one_warned_about(
    client: Any, tenant: Any
) -> None:
    await client.log_in("alpha-admin")
    page = (await client.get(SETTINGS)).text
    row = report_row(page, "on_secondary")
    assert row.startswith("ok ") and "Text auf der Zweitfarbe" in row
    assert "9,3 : 1" in row and "lesbar" in row  # near-black on the default amber: 9.39
    assert 'id="contrast-warning"' not in page

    response = await save_look(client, secondary_color="#777777")
    assert response.status_code == 303  # a warning, not a refusal
    assert (await stored(tenant)).secondary_color == "#777777"
    page = (await client.get(SETTINGS)).text
    row = report_row(page, "on_secondary")
    assert row.startswith("low ") and "4,4 : 1" in row and "chip--cancelled" in row
    assert 'id="contrast-warning"' in page
    assert report_row(page, "on_primary").startswith("ok ")  # the main colour is unchanged


async def test_the_text_colour_on_the_second_colour_is_chosen_for_it(
    client: Any, tenant: Any
) -> None:
    await client.log_in("alpha-admin")
    await save_look(client, secondary_color="#1f3a5f")
    page = (await client.get(SETTINGS)).text
    found = re.search(r'href="(/brand\.css\?v=[0-9a-f]+)"', page)
    assert found
    css_url = found.group(1)
    css = (await client.get(css_url)).text
    assert "--brand-secondary: #1f3a5f;" in css and "--brand-on-secondary: #ffffff;" in css


async def test_the_live_preview_rechecks_the_second_colour(client: Any, tenant: Any) -> None:
    await client.log_in("alpha-admin")
    hx = {"HX-Request": "true"}
    poor = await client.get(
        f"{SETTINGS}/preview", params={"secondary_color": "#2e8b57"}, headers=hx
    )
    assert poor.status_code == 200 and "<html" not in poor.text
    assert 'id="contrast-report" aria-live="polite" hx-swap-oob="true"' in poor.text
    assert report_row(poor.text, "on_secondary").startswith("low ")
    assert 'id="contrast-warning"' in poor.text
    fine = await client.get(
        f"{SETTINGS}/preview", params={"secondary_color": "#ffd400"}, headers=hx
    )
    assert report_row(fine.text, "on_secondary").startswith("ok ")
    assert 'id="contrast-warning"' not in fine.text
    found = re.search(r'<link rel="stylesheet" href="([^"]+)">', fine.text)
    assert found
    css_url = found.group(1)
    css = (await client.get(css_url.replace("&amp;", "&"))).text
    assert "--brand-on-secondary: #111111;" in css  # what the sample and the preview use
