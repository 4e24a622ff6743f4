"""How a session's browser and device are named on "Angemeldete Geräte" and in the mail,
and how long ago it was last active."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tenant_app.text import i18n
from tenant_app.text.formatting import fmt_ago
from tenant_app.text.user_agents import DeviceName, device_name

WEBKIT = "AppleWebKit/605.1.15 (KHTML, like Gecko)"
BLINK = "AppleWebKit/537.36 (KHTML, like Gecko)"
AGENTS = [
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
        "Firefox auf Windows",
    ),
    (
        f"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) {WEBKIT} Version/17.4"
        " Mobile/15E148 Safari/604.1",
        "Safari auf iPhone",
    ),
    (
        f"Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) {WEBKIT} Version/17.4 Mobile/15E148"
        " Safari/604.1",
        "Safari auf iPad",
    ),
    (
        f"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) {WEBKIT} CriOS/124.0.6367.88"
        " Mobile/15E148 Safari/604.1",
        "Chrome auf iPhone",
    ),
    (
        f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) {WEBKIT} Version/17.4 Safari/605.1.15",
        "Safari auf macOS",
    ),
    (
        f"Mozilla/5.0 (Linux; Android 14; Pixel 8) {BLINK} Chrome/124.0.0.0 Mobile Safari/537.36",
        "Chrome auf Android",
    ),
    (
        f"Mozilla/5.0 (Linux; Android 13; SM-S918B) {BLINK} SamsungBrowser/24.0 Chrome/117.0.0.0"
        " Mobile Safari/537.36",
        "Samsung Internet auf Android",
    ),
    (
        f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {BLINK} Chrome/124.0.0.0 Safari/537.36"
        " Edg/124.0.0.0",
        "Edge auf Windows",
    ),
    (
        f"Mozilla/5.0 (X11; Linux x86_64) {BLINK} HeadlessChrome/124.0.0.0 Safari/537.36",
        "Chrome auf Linux",
    ),
    (
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
        "Firefox auf Ubuntu",
    ),
    ("python-httpx/0.28.1", "Unbekannter Browser"),
    ("", "Unbekannter Browser"),
    ("\x00" * 5000, "Unbekannter Browser"),
]


@pytest.fixture
def german():
    token = i18n.set_locale("de")
    yield
    i18n._current_locale.reset(token)


@pytest.mark.parametrize(("user_agent", "said"), AGENTS)
def test_a_browser_is_named_as_people_name_it(german, user_agent: str, said: str) -> None:
    assert str(device_name(user_agent)) == said


def test_the_words_follow_the_language_when_shown() -> None:
    name = device_name(AGENTS[0][0])
    assert name == DeviceName("Firefox", "Windows")
    with i18n.using("en"):
        assert str(name) == "Firefox on Windows"
    with i18n.using("de"):
        assert str(name) == "Firefox auf Windows"
    assert str(DeviceName("Firefox", None)) == "Firefox"
    with i18n.using("de"):
        assert str(DeviceName(None, "Windows")) == "Windows"


NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ago", "de", "en"),
    [
        (timedelta(seconds=0), "gerade eben", "just now"),
        (timedelta(seconds=59), "gerade eben", "just now"),
        (timedelta(minutes=1), "vor 1 Minute", "1 minute ago"),
        (timedelta(minutes=5, seconds=20), "vor 5 Minuten", "5 minutes ago"),
        (timedelta(hours=2), "vor 2 Stunden", "2 hours ago"),
        (timedelta(days=3), "vor 3 Tagen", "3 days ago"),
    ],
)
def test_how_long_ago_roughly(ago: timedelta, de: str, en: str) -> None:
    with i18n.using("de"):
        assert fmt_ago(NOW - ago, NOW) == de
    with i18n.using("en"):
        assert fmt_ago(NOW - ago, NOW) == en
