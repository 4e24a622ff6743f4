"""`render_email(name, ctx)`: text and HTML parts from templates/email/<name>.txt|.html."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from tenant_app.templating import templates
from tenant_app.text import i18n, legal_rules
from tenant_app.theming import palette

if TYPE_CHECKING:
    from tenant_app.tenancy import TenantInfo


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def strip_header(value: str) -> str:
    """No CR/LF (or other control characters) may reach a mail header."""
    return " ".join("".join(ch if ch >= " " else " " for ch in value).split())[:240]


def render_email(
    name: str,
    context: dict[str, Any],
    *,
    tenant: TenantInfo,
    base_url: str,
    locale: str,
    for_staff: bool = False,
    address_form: str | None = None,
) -> RenderedMail:
    """Render in the recipient's language, with branding.

    Customers get the tenant's form of address (Sie or Du) and its signature: the free-text
    addition, then the lines the firm's legal form needs (text/legal_rules.py). Staff get one
    internal form whatever the tenant chose for its customers: the formal Sie, and no
    signature (it is the firm's greeting to customers, not to its own people).
    `address_form` (sie | du) replaces the tenant's for this one customer.
    """
    form = address_form if address_form in ("sie", "du") else tenant.address_form
    with i18n.using(locale, "sie" if for_staff else form):
        colors = palette(tenant)
        signature = (
            legal_rules.Signature("", [])
            if for_staff
            else legal_rules.signature(tenant.profile, tenant.signature_html)
        )
        full = {
            **context,
            "tenant": tenant,
            "base_url": base_url,
            "colors": colors,
            "locale": locale,
            "for_staff": for_staff,
            "logo_url": f"{base_url}/branding/logo?v={tenant.logo_key[-12:]}"
            if tenant.logo_key
            else "",
            "signature_html": Markup(signature.addition_html),  # noqa: S704 - sanitized
            "signature_lines": signature.lines,
            "signature_text": signature.text,
        }
        subject = strip_header(templates.get_template(f"email/{name}.subject.txt").render(full))
        text = templates.get_template(f"email/{name}.txt").render(full)
        html = templates.get_template(f"email/{name}.html").render({**full, "subject": subject})
    return RenderedMail(subject=subject, text=text, html=html)
