"""What a plug-in's call may fail with. The core turns each into a message the user reads and
keeps the draft as it was, so nothing entered is lost; the exchange is in the call log."""

from __future__ import annotations

from collections.abc import Mapping


class InsurerError(Exception):
    """Base: `detail` is for the call log, never shown to a customer."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail)
        self.detail = detail


class InsurerUnavailable(InsurerError):
    """No usable answer: timeout, refused connection, 5xx after the retries."""


class InsurerAuthFailed(InsurerError):
    """The insurer refused the firm's credentials."""


class AgentRejected(InsurerError):
    """The insurer does not know the user's agent number."""


class InsurerRejected(InsurerError):
    """The insurer refused the data: `errors` by field key (the insurer's own words), or a
    `message` for the whole application."""

    def __init__(
        self, errors: Mapping[str, str] | None = None, message: str = "", detail: str = ""
    ) -> None:
        super().__init__(detail or message)
        self.errors = dict(errors or {})
        self.message = message


class PluginBroken(InsurerError):
    """The insurer answered something the plug-in cannot read (a plug-in or insurer bug)."""
