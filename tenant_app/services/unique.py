"""Inserts guarded by a unique constraint: a friendly check first, the constraint decides.

Looking for an existing row and writing after it are two statements, so two identical
creations at the same moment can both pass the look-up; the constraint then refuses the
second write. `write_unless_taken` runs the write in a savepoint of its own, so a refused
one leaves the caller's transaction usable (PostgreSQL aborts a transaction at its first
error) and nothing half-written behind; the caller asks its check again to say which
field lost.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

Row = TypeVar("Row")


async def write_unless_taken(write: Callable[[], Awaitable[Row]]) -> Row | None:
    """The write's result, or None when a constraint refused it (and nothing was written)."""
    try:
        async with in_transaction():  # nested in the caller's transaction: a savepoint
            return await write()
    except IntegrityError:
        return None
