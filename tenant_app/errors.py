"""Domain exceptions raised by services and turned into pages by the web layer."""

from __future__ import annotations


class NotFound(Exception):
    """The object does not exist, or the actor may not know that it does (always 404)."""


class PermissionDenied(Exception):
    """The actor is known to see the object but may not do this (403)."""


class ValidationFailed(Exception):
    """Input was rejected; `errors` maps field names to messages for the user."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors
