"""Building blocks for operator console tests: an operator logged in on the platform host."""

from __future__ import annotations

from typing import Any

from tenant_app.models.accounts import User
from tenant_app.services import platform
from tests.tender_helpers import PLATFORM_HOST, platform_space

OPERATOR_PASSWORD = "Operator-Sicher-2026!"


async def make_operator(passwords: Any, email: str = "ops@platform.example") -> User:
    made = await platform.create_login(
        passwords,
        await platform_space(),
        kind="operator",
        email=email,
        first_name="Otto",
        last_name="Operator",
        password=OPERATOR_PASSWORD,
    )
    return made.user


async def operator_client(client_for: Any, passwords: Any) -> Any:
    user = await make_operator(passwords)
    client = client_for(PLATFORM_HOST)
    await client.log_in(user.username, OPERATOR_PASSWORD)
    return client
