"""Households: staff link a login to another contact, or invite a new person to manage it;
either way the contact's consent is written down."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, ConfigDict

from tenant_app.schemas.base import Birthdate, Email, FormInput, Required, Text, at_most, fail
from tenant_app.text.i18n import gettext as _

CONSENT_MIN = 10  # characters: who agreed, how and when; "ok" records nothing
CONSENT_MAX = 1000  # characters, as typed
LOGIN_MAX = 254  # a username or an e-mail address


def _consent(value: object) -> object:
    if len(str(value or "").strip()) < CONSENT_MIN:
        raise fail(
            _(
                "Please note how and when the contact agreed (at least %(n)s characters).",
                n=CONSENT_MIN,
            )
        )
    return value


# Validators listed later run first: too short, then too long, then Text strips.
ConsentNote = Annotated[Text, at_most(CONSENT_MAX), BeforeValidator(_consent)]
Login = Annotated[Required, at_most(LOGIN_MAX)]


class _HouseholdForm(FormInput):
    # A field the form did not send counts as empty.
    model_config = ConfigDict(frozen=True, extra="ignore", validate_default=True)


class LinkInput(_HouseholdForm):
    """An existing customer login (by username or e-mail) to manage this contact too."""

    login: Login = ""
    consent_note: ConsentNote = ""

    @property
    def identifier(self) -> str:
        return self.login.strip().lower()


class InviteInput(_HouseholdForm):
    """A person without a login yet: they become a contact with a login of their own."""

    first_name: Required = ""
    last_name: Required = ""
    email: Email = ""
    birthdate: Birthdate  # the PIN of the registration link
    consent_note: ConsentNote = ""


LINK_FIELDS = tuple(LinkInput.model_fields)
INVITE_FIELDS = tuple(InviteInput.model_fields)
