"""The browser tests write the tracked screenshots only when asked (WRITE_SCREENSHOTS=1)."""

from __future__ import annotations

from tests.browser.conftest import REPO, SCREENSHOTS, screenshot_path


def test_screenshots_stay_out_of_the_checkout_unless_asked(monkeypatch) -> None:
    monkeypatch.delenv("WRITE_SCREENSHOTS", raising=False)
    assert REPO not in screenshot_path("login.png").parents
    monkeypatch.setenv("WRITE_SCREENSHOTS", "0")
    assert REPO not in screenshot_path("login.png").parents
    monkeypatch.setenv("WRITE_SCREENSHOTS", "1")
    assert screenshot_path("login.png") == SCREENSHOTS / "login.png"
