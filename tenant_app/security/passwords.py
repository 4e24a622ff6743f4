"""Argon2id password hashing, off the event loop and with a cap on concurrent hashes."""

from __future__ import annotations

import secrets

import anyio
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from tenant_app.settings import Settings


class PasswordService:
    """Argon2id off the event loop, with a cap on concurrent hashes."""

    def __init__(self, settings: Settings) -> None:
        if settings.argon2_profile == "fast":
            # Tests only: cheap parameters, same algorithm.
            self.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
        else:
            self.hasher = PasswordHasher(type=Type.ID)
        self.limiter = anyio.CapacityLimiter(max(1, settings.hash_concurrency))
        # A real hash of a random password: verifying against it costs what a real check costs,
        # so an unknown user takes as long as a wrong password.
        self.dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self.hasher.hash, password, limiter=self.limiter)

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        target = stored_hash or self.dummy_hash

        def check() -> bool:
            try:
                return bool(self.hasher.verify(target, password))
            except (VerificationError, InvalidHashError):
                return False

        ok = await anyio.to_thread.run_sync(check, limiter=self.limiter)
        return ok and stored_hash is not None

    def needs_rehash(self, stored_hash: str) -> bool:
        return self.hasher.check_needs_rehash(stored_hash)
