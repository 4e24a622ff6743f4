"""Logging in: what the login form must carry before any account is looked up."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field

from tenant_app.schemas.base import FormInput, fail
from tenant_app.text.i18n import gettext as _


def _identifier(value: object) -> str:
    identifier = str(value or "").strip().lower()
    if not identifier:
        raise fail(_("Please enter your username or e-mail address."))
    return identifier


def _password(value: object) -> str:
    password = str(value or "")  # taken as typed: spaces count
    if not password:
        raise fail(_("Please enter your password."))
    return password


class LoginInput(FormInput):
    """Username or e-mail address (lower-case, as stored) and the password."""

    identifier: Annotated[str, BeforeValidator(_identifier)]
    password: Annotated[str, BeforeValidator(_password), Field(repr=False)]
