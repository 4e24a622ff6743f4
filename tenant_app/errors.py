"""Domain exceptions raised by services and turned into pages by the web layer."""

from __future__ import annotations


class NotFound(Exception):
    """The object does not exist, or the actor may not know that it does (always 404)."""


class PermissionDenied(Exception):
    """The actor is known to see the object but may not do this (403)."""


class ValidationFailed(Exception):
    """Input was rejected; `errors` maps field names to messages for the user."""

    status_code = 422  # the form again, with a message next to each field

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors

    def kept(self, values: dict[str, str]) -> dict[str, str]:
        """What the form shows again: the user's input as typed."""
        return values


class EditConflict(ValidationFailed):
    """Someone else saved the record after the form was loaded: nothing was saved. `errors`
    say what is stored now; the form keeps the input and carries the stored `version`, so
    saving again overwrites deliberately."""

    status_code = 409

    def __init__(self, errors: dict[str, str], *, version: int) -> None:
        super().__init__(errors)
        self.version = version

    def kept(self, values: dict[str, str]) -> dict[str, str]:
        return {**values, "version": str(self.version)}
