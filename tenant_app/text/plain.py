"""User text on pages: escaped first, then line breaks and web links made visible."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_URL = re.compile(r"\bhttps?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


def plain_text_html(text: str) -> Markup:
    """Escape everything the user wrote; only our own <a> and <br> are added afterwards."""
    escaped = str(escape(text))
    linked = _URL.sub(
        lambda match: (
            f'<a href="{match.group(0)}" rel="noopener noreferrer nofollow" target="_blank">'
            f"{match.group(0)}</a>"
        ),
        escaped,
    )
    return Markup(linked.replace("\r\n", "\n").replace("\n", "<br>\n"))  # noqa: S704 - escaped above
