"""The staff's pages of the sweep on a phone's viewport: a file of its own, so that another
test process can take it (see test_ux_sweep_staff.py)."""

from __future__ import annotations

import pytest

from tests.browser.test_ux_sweep_staff import sweep_staff

pytestmark = pytest.mark.browser


async def test_staff_pages_as_admin_on_a_phone(contexts) -> None:
    await sweep_staff(contexts, "phone")
