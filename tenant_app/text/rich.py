"""Rich text (imprint, e-mail signature): only a small safe subset of HTML survives."""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "ul", "ol", "li", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href", "target"}}
ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}
# Links must be absolute with one of the schemes: no relative or protocol-relative URLs.
_SAFE_HREF = re.compile(r"^(?:https?://[^\s/]|mailto:[^\s]|tel:[+0-9(])", re.IGNORECASE)
# Block elements outside the subset become paragraphs, so pasted text keeps its structure.
_BLOCK_TAG = re.compile(
    r"<(/?)(?:div|h[1-6]|blockquote|section|article|header|footer|address|pre|tr)\b[^>]*>",
    re.IGNORECASE,
)


def _link_attributes(element: str, attribute: str, value: str) -> str | None:
    if element == "a" and attribute == "target":
        return "_blank" if value == "_blank" else None
    if element == "a" and attribute == "href":
        value = value.strip()
        return value if _SAFE_HREF.match(value) else None
    return value


def sanitize_rich_text(raw: str) -> str:
    """Clean user HTML: scripts, styles, handlers, forms, images and unsafe URLs are dropped."""
    return nh3.clean(
        _BLOCK_TAG.sub(lambda m: f"<{m.group(1)}p>", raw or ""),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        attribute_filter=_link_attributes,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


_BLOCK_END = re.compile(r"</(p|li)>|<br\s*/?>", re.IGNORECASE)
_LINK = re.compile(r'<a [^>]*href="([^"]*)"[^>]*>(.*?)</a>', re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def has_text(raw: str) -> bool:
    """Whether sanitized rich text shows anything at all (empty paragraphs do not count)."""
    return bool(html.unescape(_TAG.sub("", sanitize_rich_text(raw))).strip())


def rich_text_to_plain(raw: str) -> str:
    """Readable plain text of sanitized rich text (for the text part of mails)."""
    cleaned = sanitize_rich_text(raw)

    def link(match: re.Match[str]) -> str:
        label, href = _TAG.sub("", match.group(2)), html.unescape(match.group(1))
        return (
            label if label.strip() == href.removeprefix("mailto:").strip() else f"{label} ({href})"
        )

    text = _LINK.sub(link, cleaned)
    text = re.sub(r"<li>", "• ", text, flags=re.IGNORECASE)
    text = _BLOCK_END.sub("\n", text)
    text = html.unescape(_TAG.sub("", text))
    lines = [line.strip() for line in text.splitlines()]
    return "\n".join(lines).strip()
