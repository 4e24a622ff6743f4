"""A PDF preview opens in Chromium's own viewer, in a tab and framed by our pages, under the
PDF's strict policy (no `sandbox`: the viewer refuses to draw under it); nothing is blocked.

The headers themselves (sandbox for everything else, never HTML) are tested over HTTP in
tests/web/test_document_previews.py.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import DANA, MIA, log_in

async_api = pytest.importorskip("playwright.async_api")
expect = async_api.expect

pytestmark = pytest.mark.browser

VIEWER = "chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai/"  # Chromium's PDF viewer


def refusals(page: Any) -> list[str]:
    """Console messages of the page that say a policy refused something."""
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text)
            if "Content Security Policy" in message.text or "Refused" in message.text
            else None
        ),
    )
    return found


async def viewer_title(page: Any) -> Any:
    """The title bar of the viewer in the page (or in a frame of it), once it has drawn."""
    for _ in range(50):
        viewers = [frame for frame in page.frames if frame.url.startswith(VIEWER)]
        if viewers:
            return viewers[0].locator("#title")
        await page.wait_for_timeout(100)
    raise AssertionError(f"no PDF viewer; frames: {[frame.url for frame in page.frames]}")


async def first_preview(page: Any, who: tuple[str, str]) -> str:
    """The preview address of the first uploaded document in Dana's insurance folder, as `who`
    sees it."""
    if who is DANA:
        await page.goto("/portal/folders/insurance")
    else:  # staff: through the contact list, as they would go
        await page.goto("/staff/contacts")
        await page.get_by_role("link", name="Datenfrei, Dana").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Dana Datenfrei")
        await page.goto(page.url.split("?")[0].rstrip("/") + "/folders/insurance")
    # A PDF the portal wrote itself (an offer's receipt) carries its own title, which the
    # viewer shows instead of the file name: the demo's uploaded policies carry none.
    links = page.locator("a.document-row__title[href$='/preview']")
    link = links.filter(has_not_text="Annahme").first
    return str(await link.get_attribute("href"))


@pytest.mark.parametrize("who", [DANA, MIA], ids=["customer", "staff"])
async def test_a_pdf_preview_opens_in_the_viewer(contexts: Any, who: tuple[str, str]) -> None:
    page = await contexts.page()
    refused = refusals(page)
    await log_in(page, *who)
    answer = await page.goto(await first_preview(page, who))
    assert answer is not None and answer.status == 200
    headers = await answer.all_headers()
    assert headers["content-type"] == "application/pdf"
    assert headers["content-disposition"].startswith("inline;")
    policy = headers["content-security-policy"]
    assert "sandbox" not in policy and "default-src 'none'" in policy
    assert await page.evaluate("() => document.contentType") == "application/pdf"
    named = re.search(r'filename="([^"]+)"', headers["content-disposition"])
    assert named, headers["content-disposition"]
    filename = named.group(1)
    await expect(await viewer_title(page)).to_have_text(filename)  # the PDF has been read
    assert refused == []


async def test_a_pdf_preview_may_be_framed_by_our_own_pages(contexts: Any) -> None:
    page = await contexts.page()
    refused = refusals(page)
    await log_in(page, *DANA)
    preview = await first_preview(page, DANA)
    await page.goto("/portal")
    await page.evaluate(
        """(src) => {
          const frame = document.createElement('iframe');
          frame.src = src; frame.title = 'Vorschau'; frame.width = 800; frame.height = 600;
          document.querySelector('main').prepend(frame);
        }""",
        preview,
    )
    title = await viewer_title(page)
    await expect(title).not_to_be_empty()
    assert refused == []


async def test_the_document_list_opens_the_preview_in_a_new_tab(contexts: Any) -> None:
    page = await contexts.page()
    await log_in(page, *DANA)
    await page.goto("/portal/folders/insurance")
    link = page.locator("a.document-row__title[href$='/preview']").first
    async with page.context.expect_page() as opened:
        await link.click()
    tab = await opened.value
    refused = refusals(tab)
    await tab.wait_for_load_state()
    await expect(await viewer_title(tab)).not_to_be_empty()
    assert await tab.evaluate("() => document.contentType") == "application/pdf"
    assert refused == []
