"""Who may see and do what. Pure functions, no I/O."""

from __future__ import annotations

from typing import Protocol


class Actor(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def role(self) -> str: ...


def is_staff(actor: Actor | None) -> bool:
    return actor is not None and actor.kind == "staff"


def is_customer(actor: Actor | None) -> bool:
    return actor is not None and actor.kind == "customer"


def can_use_staff_area(actor: Actor | None) -> bool:
    return is_staff(actor)


def can_use_portal(actor: Actor | None) -> bool:
    return is_customer(actor)


def home_path_for(actor: Actor) -> str:
    return "/staff" if is_staff(actor) else "/portal"
