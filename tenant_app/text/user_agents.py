"""A browser's user agent as people name their devices: "Firefox auf Windows", "Safari auf
iPhone". The parsing is ua-parser's (its rules are kept current upstream); the naming is ours."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ua_parser import parse

from tenant_app.text.i18n import gettext

# ua-parser names a browser's mobile or embedded build separately; people call it the browser.
_BROWSERS = {
    "Mobile Safari": "Safari",
    "Mobile Safari UI/WKWebView": "Safari",
    "Chrome Mobile": "Chrome",
    "Chrome Mobile iOS": "Chrome",
    "Chrome Mobile WebView": "Chrome",
    "HeadlessChrome": "Chrome",
    "Firefox Mobile": "Firefox",
    "Firefox iOS": "Firefox",
    "Edge Mobile": "Edge",
    "Opera Mobile": "Opera",
}
_SYSTEMS = {"Mac OS X": "macOS", "Chrome OS": "ChromeOS"}
_APPLE_DEVICES = ("iPhone", "iPad", "iPod")  # named by the device: "Safari auf iPad"


@dataclass(frozen=True)
class DeviceName:
    """Browser and platform as names; said in words when shown (in the reader's language,
    which a mail decides only when it is rendered)."""

    browser: str | None
    platform: str | None

    def __str__(self) -> str:
        if self.browser and self.platform:
            return gettext(
                "%(browser)s on %(platform)s", browser=self.browser, platform=self.platform
            )
        return self.browser or self.platform or gettext("Unknown browser")


def _known(family: str | None) -> str | None:
    return None if family in (None, "", "Other") else family


@lru_cache(maxsize=256)
def device_name(user_agent: str) -> DeviceName:
    """The browser and the device (phones and tablets of Apple) or operating system."""
    if not user_agent.strip():
        return DeviceName(None, None)
    result = parse(user_agent[:500])  # headers are long only when forged
    browser = _known(result.user_agent.family if result.user_agent else None)
    system = _known(result.os.family if result.os else None)
    device = _known(result.device.family if result.device else None)
    platform = device if device in _APPLE_DEVICES else system
    return DeviceName(_BROWSERS.get(browser or "", browser), _SYSTEMS.get(platform or "", platform))
