"""The in-process fan-out: one small queue per open stream, keyed by tenant and account."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator

from tortoise import connections

CHANNEL = "tenant_app_live"
_MAX_PAYLOAD = 7900  # PostgreSQL refuses NOTIFY payloads from 8000 bytes on
EVERYONE = None  # a tenant's every open stream (too many accounts for one payload)


class Broker:
    def __init__(self) -> None:
        self._queues: dict[tuple[int, int], set[asyncio.Queue[bool]]] = defaultdict(set)

    @contextlib.contextmanager
    def subscribe(self, tenant_id: int, user_id: int) -> Iterator[asyncio.Queue[bool]]:
        """A queue that holds one wake-up while the stream is busy: signals coalesce, since
        each wake-up reads the current state anyway. Its value says whether the wake-up went
        to every stream at once (then each should wait a moment, so that the database is not
        asked by all of them in the same instant)."""
        queue: asyncio.Queue[bool] = asyncio.Queue(maxsize=1)
        key = (tenant_id, user_id)
        self._queues[key].add(queue)
        try:
            yield queue
        finally:
            self._queues[key].discard(queue)
            if not self._queues[key]:
                del self._queues[key]

    def deliver(self, tenant_id: int | None, user_ids: Iterable[int] | None) -> None:
        """Wake the streams of these accounts; `None` accounts: all of the tenant's; `None`
        tenant: every stream (after a lost connection, when signals may have been missed)."""
        wanted = None if user_ids is None else set(user_ids)
        for (tenant, user), queues in list(self._queues.items()):
            if tenant_id is not None and tenant != tenant_id:
                continue
            if wanted is not None and user not in wanted:
                continue
            for queue in queues:
                if queue.empty():
                    queue.put_nowait(wanted is None)

    @property
    def streams(self) -> int:
        return sum(len(queues) for queues in self._queues.values())

    def streams_of(self, tenant_id: int, user_id: int) -> int:
        return len(self._queues.get((tenant_id, user_id), ()))


broker = Broker()


def encode(tenant_id: int, user_ids: Iterable[int]) -> str:
    payload = json.dumps({"t": tenant_id, "u": sorted(set(user_ids))})
    if len(payload) > _MAX_PAYLOAD:
        payload = json.dumps({"t": tenant_id, "u": EVERYONE})
    return payload


def decode(payload: str) -> tuple[int, list[int] | None]:
    data = json.loads(payload)
    users = data.get("u")
    return int(data["t"]), None if users is None else [int(user) for user in users]


async def publish(tenant_id: int, user_ids: Iterable[int]) -> None:
    """Tell these accounts' open pages that something changed, in the caller's transaction:
    on PostgreSQL the signal leaves only if it commits."""
    users = sorted(set(user_ids))
    if not users:
        return
    client = connections.get("default")
    if client.capabilities.dialect == "postgres":
        await client.execute_query("SELECT pg_notify($1, $2)", [CHANNEL, encode(tenant_id, users)])
    else:
        broker.deliver(tenant_id, users)
