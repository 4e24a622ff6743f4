"""The benchmark's dataset: bulk-loaded into a migrated PostgreSQL database with COPY.

Full scale (`FULL`): 1,000 tenants, 100,000 contacts, ~1,000,000 contracts and documents'
metadata, a customer access row per contact, ~12,000 user accounts, ~11,000 tickets (each
with its opening and reply in the event stream, told to the other side and left unread), and
a chat for every customer account (3 messages; a bench customer's has 20).
`QUICK` (run.py --quick) has the same shape on a few thousand contacts.

The measured tenants are identical in shape and differ only in size: **big** (20,000
contacts; 2,500 in quick), and in the full run **mid** (1,000) and **small** (10). Each has
an admin and bench customers ("Kai Kunde" is the first): a customer account, 20 contracts
and 20 documents in the insurance folder (data share on), a ticket with 10 entries and its
history, and a 1 MB PDF on disk. The big tenant has `Scale.customers` (1,000) of them, so
the rotating mode can ask for a different customer every request; their PDFs are hard
links of one file (the download measures the app, not the disk). Every other contact has
10 contracts with one document each, spread over the four folders.

Rows get explicit ids (sequences are moved past them afterwards), so the load is a handful
of COPY streams. Sessions are made fresh for every run (logins.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
from tables import FIRST_NAMES, INSURERS, LAST_NAMES, PRODUCT_LINES, TABLES

CONTRACTS_PER_CONTACT = 10  # each with one document
BENCH_CONTRACTS = 20  # in a bench customer's insurance folder
TICKET_ENTRIES = 10
ACCOUNT_EVERY = 10  # every 10th contact has a customer account
TICKET_EVERY = 10  # and every 10th contact a ticket with 3 entries
CHAT_MESSAGES = 20  # a bench customer's chat; every other account's chat has 3
DOWNLOAD_BYTES = 1024 * 1024
SEARCH_TERM = "wagner"  # every 100th contact of each tenant is a Wagner (and no one else)
FOLDERS = ("insurance", "finance", "other", "emergency")
MARKER_TABLE = "bench_dataset"  # holds the Dataset as JSON, for --reuse-db


@dataclass(frozen=True)
class Scale:
    name: str
    tenants: int
    contacts: int
    sizes: dict[str, int]  # the measured tenants, in this order (the first is "big")
    customers: int  # bench customers in the big tenant: the rotating mode's customers


FULL = Scale("full", 1_000, 100_000, {"big": 20_000, "mid": 1_000, "small": 10}, 1_000)
# --quick: 500 bench customers. Its measurements last a second, in which a page is asked
# for fewer than 500 times: each request is still another customer's, at half the capture.
QUICK = Scale("quick", 20, 4_000, {"big": 2_500}, 500)


@dataclass(frozen=True)
class BenchCustomer:
    contact_id: int
    user_id: int
    ticket_id: int
    download_id: int  # the 1 MB document
    download_key: str  # its storage key
    chat_id: int = 0


@dataclass(frozen=True)
class BenchTenant:
    """One measured tenant and the ids its pages need."""

    key: str  # big | mid | small
    tenant_id: int
    slug: str
    contacts: int
    admin_id: int
    customers: tuple[BenchCustomer, ...]  # the first is "Kai Kunde", measured in repeat mode

    @property
    def customer(self) -> BenchCustomer:
        return self.customers[0]


@dataclass
class Dataset:
    scale: str
    tenants: dict[str, BenchTenant]
    hosts: list[str]  # every tenant's host name, the measured ones first
    counts: dict[str, int]
    seconds: float


def _ids(start: int) -> Iterator[int]:
    n = start
    while True:
        yield n
        n += 1


def _tenant_sizes(scale: Scale) -> list[tuple[str, int]]:
    """(slug, number of contacts) for every tenant; the measured ones first."""
    sizes = list(scale.sizes.items())
    rest = scale.tenants - len(sizes)
    each, extra = divmod(scale.contacts - sum(scale.sizes.values()), rest)
    sizes += [(f"t{n + 4:04d}", each + (1 if n < extra else 0)) for n in range(rest)]
    return sizes


class _Rows:
    """Rows per table, streamed to COPY in batches to keep memory flat."""

    def __init__(self, conn: asyncpg.Connection, table: str, columns: tuple[str, ...]) -> None:
        self.conn, self.table, self.columns = conn, table, columns
        self.batch: list[tuple[Any, ...]] = []
        self.count = 0

    async def flush(self) -> None:
        if self.batch:
            await self.conn.copy_records_to_table(
                self.table, records=self.batch, columns=self.columns
            )
            self.count += len(self.batch)
            self.batch = []


def _pdf(size: int) -> bytes:
    head = b"%PDF-1.4\n% tenant-app benchmark download\n"
    return head + b"0" * (size - len(head) - 6) + b"\n%%EOF"


def store_download(storage: Path, tenant_id: int, document_id: int) -> None:
    """A bench customer's 1 MB PDF: written once per tenant, hard-linked for the others."""
    folder = storage / str(tenant_id)
    folder.mkdir(parents=True, exist_ok=True)
    first = folder / "bench-download.pdf"
    if not first.exists():
        first.write_bytes(_pdf(DOWNLOAD_BYTES))
    path = folder / f"{document_id:032x}"
    if path.exists():
        return
    try:
        os.link(first, path)
    except OSError:  # a file system without hard links: a copy then
        path.write_bytes(first.read_bytes())


def store_downloads(storage: Path, data: Dataset) -> None:
    for tenant in data.tenants.values():
        for customer in tenant.customers:
            store_download(storage, tenant.tenant_id, customer.download_id)


class _Loader:
    """Generates the rows tenant by tenant and streams them to COPY."""

    def __init__(self, conn: asyncpg.Connection, storage: Path, password_hash: str) -> None:
        self.conn, self.storage, self.password_hash = conn, storage, password_hash
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.ids = {table: _ids(1) for table in TABLES}
        self.rows = {table: _Rows(conn, table, columns) for table, columns in TABLES.items()}
        self.contact_number = 0

    async def add(self, table: str, row: tuple[Any, ...]) -> None:
        self.rows[table].batch.append(row)
        if len(self.rows[table].batch) >= 50_000:
            await self.flush()

    async def flush(self) -> None:
        for table_rows in self.rows.values():  # TABLES lists parents before children
            await table_rows.flush()

    def next_id(self, table: str) -> int:
        return next(self.ids[table])

    async def tenant(self, tenant_id: int, slug: str, size: int, bench: int) -> BenchTenant:
        """A tenant, its host, its admin and `size` contacts (the first `bench` bench ones)."""
        now = self.now
        next(self.ids["tenant"])
        name = f"Makler {slug.capitalize()} GmbH"
        await self.add(
            "tenant",
            (tenant_id, slug, name, "default", "sie", "<p>Impressum</p>", "", True, now, now)
            + ("#1d4ed8", "offers,claims,first_information,push,chat"),
        )
        host = (self.next_id("tenant_host"), f"{slug}.localhost", True, tenant_id)
        await self.add("tenant_host", host)
        admin_id = self.next_id("user_account")
        await self.add(
            "user_account",
            (admin_id, tenant_id, "staff", "admin", "admin", f"admin@{slug}.example")
            + ("Ada", "Admin", date(1970, 1, 1), self.password_hash, True, None)
            + ("write",) * 4
            + (True,) * 5
            + (now, now),
        )
        customers = []
        for index in range(size):
            found = await self.contact(tenant_id, slug, index, admin_id, is_bench=index < bench)
            if found is not None:
                customers.append(found)
        return BenchTenant(slug, tenant_id, slug, size, admin_id, tuple(customers))

    async def contact(
        self, tenant_id: int, slug: str, index: int, admin_id: int, *, is_bench: bool
    ) -> BenchCustomer | None:
        self.contact_number += 1
        number, now = self.contact_number, self.now
        contact_id = self.next_id("contact")
        if is_bench and index == 0:
            first, last = "Kai", "Kunde"
        elif index % 100 == 1:  # the search term: 1 % of every tenant, at least one
            first, last = FIRST_NAMES[number % len(FIRST_NAMES)], "Wagner"
        else:
            first = FIRST_NAMES[number % len(FIRST_NAMES)]
            last = LAST_NAMES[(number // 7) % len(LAST_NAMES)]
        birthdate = date(1950, 1, 1) + timedelta(days=number % 18_000)
        email = f"k{contact_id}@{slug}.example"
        await self.add(
            "contact",
            (contact_id, tenant_id, first, last, birthdate, email, "")
            + (f"Hauptstraße {index % 200 + 1}", f"{10000 + contact_id % 89999}", "Berlin")
            + ("030 1234567", f"K-{contact_id:07d}", now - timedelta(minutes=index), now),
        )
        await self.add(
            "customer_access",
            (self.next_id("customer_access"), tenant_id, contact_id)
            + (is_bench or index % 3 == 0, is_bench or index % 2 == 0, is_bench, False)
            + (True, False, True, now),
        )
        user_id = 0
        if is_bench or index % ACCOUNT_EVERY == 1:
            user_id = self.next_id("user_account")
            await self.add(
                "user_account",
                (user_id, tenant_id, "customer", "kunde", f"kunde{contact_id}", email)
                + (first, last, birthdate, self.password_hash, True, contact_id)
                + ("none",) * 4
                + (False,) * 5
                + (now, now),
            )
        download = await self.contracts(tenant_id, contact_id, is_bench=is_bench)
        ticket_id = chat_id = 0
        people = (contact_id, user_id, admin_id)
        if user_id and (is_bench or index % TICKET_EVERY == 1):
            ticket_id = await self.ticket(tenant_id, people, index, f"{first} {last}", is_bench)
        if user_id:
            chat_id = await self.chat(tenant_id, people, is_bench=is_bench)
        if not is_bench:
            return None
        key = f"{tenant_id}/{download:032x}"
        return BenchCustomer(contact_id, user_id, ticket_id, download, key, chat_id)

    async def contracts(self, tenant_id: int, contact_id: int, *, is_bench: bool) -> int:
        """The contact's contracts with a document each; the id of a bench one's 1 MB PDF."""
        download = 0
        for n in range(BENCH_CONTRACTS if is_bench else CONTRACTS_PER_CONTACT):
            contract_id = self.next_id("contract")
            folder = "insurance" if is_bench else FOLDERS[n % len(FOLDERS)]
            line = PRODUCT_LINES[n % len(PRODUCT_LINES)]
            await self.add(
                "contract",
                (contract_id, tenant_id, contact_id, folder, "active")
                + (line, INSURERS[n % len(INSURERS)])
                + (f"VS-{contract_id:08d}", "direct_debit", "monthly")
                + (Decimal(f"{10 + n}.{contract_id % 100:02d}"), n % 10 == 9)
                + (self.now - timedelta(days=n), self.now),
            )
            document_id = self.next_id("document")
            size_bytes = DOWNLOAD_BYTES if is_bench and n == 0 else 120_000 + n
            await self.add(
                "document",
                (document_id, tenant_id, contact_id, contract_id, folder)
                + (f"Police {line}", "policy")
                + (date(2024, 1, 1) + timedelta(days=n), f"police-{n + 1}.pdf")
                + (f"{tenant_id}/{document_id:032x}", "application/pdf", size_bytes)
                + ("0" * 64, True, False, self.now - timedelta(days=n)),
            )
            if is_bench and n == 0:
                download = document_id
                store_download(self.storage, tenant_id, document_id)
        return download

    async def ticket(
        self, tenant_id: int, people: tuple[int, int, int], index: int, name: str, is_bench: bool
    ) -> int:
        contact_id, user_id, admin_id = people
        entries = TICKET_ENTRIES if is_bench else 3
        ticket_id, now = self.next_id("conversation"), self.now
        await self.add(
            "conversation",
            (ticket_id, tenant_id, contact_id, admin_id, f"Frage zu Vertrag {index}")
            + ("open", entries, True, now, now - timedelta(days=2), "ticket", None),
        )
        for role, member, read in (("customer", user_id, entries), ("staff", admin_id, 0)):
            await self.add(
                "conversation_participant",
                (self.next_id("conversation_participant"), tenant_id, ticket_id, member, role)
                + (read, read),
            )
        for n in range(entries):
            by_customer = n % 2 == 0
            await self.add(
                "conversation_entry",
                (self.next_id("conversation_entry"), tenant_id, ticket_id)
                + (user_id if by_customer else admin_id, by_customer)
                + (f"Nachricht {n + 1}: Bitte prüfen Sie meinen Vertrag. " * 3,)
                + (now - timedelta(days=2) + timedelta(hours=n), None, None),
            )
        events = (("created", user_id, name), ("replied", admin_id, "Ada Admin"))
        for kind, actor, who in (*events, ("read", admin_id, "Ada Admin")):
            await self.add(
                "conversation_event",
                (self.next_id("conversation_event"), tenant_id, ticket_id, actor, kind, who)
                + (now - timedelta(days=1),),
            )
        told = (
            ("ticket_opened", (user_id, "customer", name), admin_id),
            ("ticket_reply", (admin_id, "staff", "Ada Admin"), user_id),
        )
        for kind, (actor, actor_kind, who), reader in told:
            event_id = self.next_id("activity_event")
            await self.add(
                "activity_event",
                (event_id, tenant_id, kind, actor, actor_kind, who, contact_id, "ticket")
                + (ticket_id, f"Frage zu Vertrag {index}", now - timedelta(days=1)),
            )
            # mailed when it was made, as a day-old notification is: no backlog of mails
            # for the app servers' job worker to send while they are measured
            await self.add(
                "notification",
                (self.next_id("notification"), tenant_id, reader, event_id)
                + (now - timedelta(days=1), now - timedelta(days=1)),
            )
        return ticket_id

    async def chat(self, tenant_id: int, people: tuple[int, int, int], *, is_bench: bool) -> int:
        """The contact's chat with the admin as operator, messages both ways, the admin's
        last one delivered and read up to the one before."""
        contact_id, user_id, admin_id = people
        count = CHAT_MESSAGES if is_bench else 3
        chat_id, start = self.next_id("conversation"), self.now - timedelta(days=1)
        await self.add(
            "conversation",
            (chat_id, tenant_id, contact_id, admin_id, "Chat", "open", count, count % 2 == 1)
            + (start + timedelta(minutes=count), start, "chat", contact_id),
        )
        for role, member in (("customer", user_id), ("staff", admin_id)):
            seat = (self.next_id("conversation_participant"), tenant_id, chat_id, member, role)
            await self.add("conversation_participant", seat + (count - 1, count - 1))
        for n in range(count):
            by_customer = n % 2 == 0
            entry_id = self.next_id("conversation_entry")
            await self.add(
                "conversation_entry",
                (entry_id, tenant_id, chat_id, user_id if by_customer else admin_id, by_customer)
                + (f"Chat-Nachricht {n + 1}: Wie ist der Stand bei meinem Vertrag?",)
                + (start + timedelta(minutes=n), n + 1, f"bench-{entry_id}"),
            )
        return chat_id


async def load(
    conn: asyncpg.Connection, storage_dir: Path, password_hash: str, scale: Scale
) -> Dataset:
    """Fill an empty, migrated database. Returns the measured tenants and row counts."""
    started = time.monotonic()
    loader = _Loader(conn, storage_dir, password_hash)
    bench: dict[str, BenchTenant] = {}
    hosts = []
    for tenant_id, (slug, size) in enumerate(_tenant_sizes(scale), start=1):
        measured = slug in scale.sizes
        customers = (scale.customers if slug == "big" else 1) if measured else 0
        tenant = await loader.tenant(tenant_id, slug, size, min(customers, size))
        hosts.append(f"{slug}.localhost")
        if measured:
            bench[slug] = tenant
    await loader.flush()
    await _other_sessions(conn, loader.now)
    for table in TABLES:
        await conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608 - fixed names
            f" (SELECT coalesce(max(id), 1) FROM {table}))"
        )
    await conn.execute("VACUUM ANALYZE")
    counts = {table: r.count for table, r in loader.rows.items()}
    data = Dataset(scale.name, bench, hosts, counts, time.monotonic() - started)
    await conn.execute(f"CREATE TABLE {MARKER_TABLE} (key text PRIMARY KEY, value text)")
    await conn.execute(
        f"INSERT INTO {MARKER_TABLE} VALUES ('dataset', $1)",  # noqa: S608 - a constant
        json.dumps(asdict(data)),
    )
    return data


async def _other_sessions(conn: asyncpg.Connection, now: datetime) -> None:
    """Other people's logins: the session lookup must find its row by index among many."""
    users = await conn.fetch("SELECT id, tenant_id FROM user_account")
    await conn.copy_records_to_table(
        "login_session",
        records=[
            (_digest(f"other-{u['id']}"), u["tenant_id"], u["id"], "x" * 43, now, now, "")
            for u in users
        ],
        columns=("id", "tenant_id", "user_id", "csrf_token", "created_at", "last_seen_at")
        + ("user_agent",),
    )


async def existing(conn: asyncpg.Connection, scale: Scale) -> Dataset | None:
    """The dataset of a database loaded earlier (`--reuse-db`), or None if there is none."""
    if not await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", MARKER_TABLE):
        return None
    stored = await conn.fetchval(
        f"SELECT value FROM {MARKER_TABLE} WHERE key = 'dataset'"  # noqa: S608 - a constant
    )
    if stored is None:
        return None
    found = json.loads(stored)
    if found["scale"] != scale.name:
        raise ValueError(f"the kept database holds the {found['scale']} dataset")
    tenants = {
        key: BenchTenant(
            **{**tenant, "customers": tuple(BenchCustomer(**c) for c in tenant["customers"])}
        )
        for key, tenant in found["tenants"].items()
    }
    return Dataset(found["scale"], tenants, found["hosts"], found["counts"], 0.0)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def summary(dataset: Dataset) -> Iterable[str]:
    names = {
        "tenant": "tenants",
        "contact": "contacts",
        "contract": "contracts",
        "document": "documents (metadata)",
        "customer_access": "customer access rows",
        "user_account": "user accounts",
        "conversation": "tickets and chats",
        "conversation_entry": "ticket and chat entries",
        "notification": "notifications (unread)",
    }
    for table, label in names.items():
        yield f"{dataset.counts.get(table, 0):,} {label}"
