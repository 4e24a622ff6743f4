"""The sweep of `test_ux_sweep.py` over the staff's pages, with the admin's rights: a file of
its own because it is the longest part (each page checked by axe and by keyboard, at both
viewports), and the test processes take whole files, one each (pytest-xdist `loadfile`)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import ADMIN, log_in
from tests.browser.test_ux_sweep import (
    STAFF,
    STAFF_DRAFT,
    STAFF_LEGAL,
    STAFF_RETAINED,
    STAFF_SUPPORT,
    VIEWPORTS,
    href,
    staff_ids,
    sweep,
)

pytestmark = pytest.mark.browser


async def sweep_staff(contexts: Any, viewport: str) -> None:
    page = await contexts.page(bypass_csp=True, **VIEWPORTS[viewport])
    await log_in(page, *ADMIN)
    problems = await sweep(page, f"staff/{viewport}", STAFF, await staff_ids(page))
    support = await href(page, "/staff/settings/support", r"/staff/settings/support/(\d+)$")
    problems += await sweep(page, f"staff/{viewport}", STAFF_SUPPORT, {"request_id": support})
    assert not problems, "\n".join(problems)


async def test_staff_pages_as_admin(contexts) -> None:
    """On a desktop; the phone's in test_ux_sweep_staff_phone.py (each takes two minutes)."""
    await sweep_staff(contexts, "desktop")


async def legal_ids(page: Any) -> tuple[dict[str, str], str, str]:
    """The legal pages' ids; a draft of Dana's advice documentation (started once, through
    the case page's button) and Rolf's retained record."""
    contact = await href(page, "/staff/contacts", r"/staff/contacts/(\d+)$", "Datenfrei, Dana")
    case = await href(page, f"/staff/contacts/{contact}", r"/staff/cases/(\d+)$", "Kfz-Wechsel")
    record = r"/staff/advice-records/(\d+)$"
    delivered = await href(page, f"/staff/cases/{case}", record, "Ansehen")
    if await page.locator("#advice-start").count():  # no draft yet: one is started
        await page.click("#advice-start")
        await page.wait_for_url(re.compile(r"/staff/advice-records/\d+$"))
    draft = await href(page, f"/staff/cases/{case}", record, "Weiter bearbeiten")
    ids = {
        "request_id": await href(page, "/staff/data-requests", r"/staff/data-requests/(\d+)$"),
        "contact_id": await href(page, "/staff/contacts", r"/staff/contacts/(\d+)$", "Leser"),
        "record_id": delivered,
    }
    return ids, draft, await href(page, "/staff/retained", r"/staff/retained/(\d+)$")


@pytest.mark.parametrize("viewport", VIEWPORTS)
async def test_legal_pages_as_admin(contexts, viewport: str) -> None:
    page = await contexts.page(bypass_csp=True, **VIEWPORTS[viewport])
    await log_in(page, *ADMIN)
    ids, draft, retained = await legal_ids(page)
    problems = await sweep(page, f"staff/{viewport}", STAFF_LEGAL, ids)
    problems += await sweep(page, f"staff/{viewport}", STAFF_DRAFT, {"record_id": draft})
    problems += await sweep(page, f"staff/{viewport}", STAFF_RETAINED, {"contact_id": retained})
    assert not problems, "\n".join(problems)
