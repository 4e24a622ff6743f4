"""The benchmark's dataset: bulk-loaded into a migrated PostgreSQL database with COPY.

    1,000 tenants, 100,000 contacts, ~1,000,000 contracts, ~1,000,000 documents' metadata,
    a customer access row per contact, ~10,000 customer accounts, ~10,000 tickets.

Three tenants carry the measured pages, identical in shape and different only in size:

    big    20,000 contacts    mid    1,000 contacts    small    10 contacts

Each has an admin and one bench customer ("Kai Kunde", the tenant's first contact) with 20
contracts and 20 documents in the insurance folder (data share on), a ticket with 10 entries
and its history, and a 1 MB PDF on disk. The other 997 tenants share the remaining contacts.
Each contact has 10 contracts with one document each, spread over the four folders.

Rows get explicit ids (sequences are moved past them afterwards), so the load is a handful
of COPY streams and takes a minute or two. Sessions are separate (`create_sessions`): they
are made fresh for every run, with cookies signed exactly as the app signs them.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg

CONTACTS_TOTAL = 100_000
TENANTS_TOTAL = 1_000
CONTRACTS_PER_CONTACT = 10  # each with one document
BENCH_CONTRACTS = 20  # in the bench customer's insurance folder
TICKET_ENTRIES = 10
SIZES = {"big": 20_000, "mid": 1_000, "small": 10}  # the measured tenants, in this order
ACCOUNT_EVERY = 10  # every 10th contact has a customer account
TICKET_EVERY = 10  # and every 10th contact a ticket with 3 entries
DOWNLOAD_BYTES = 1024 * 1024
SEARCH_TERM = "wagner"  # every 100th contact of each tenant is a Wagner (and no one else)
FOLDERS = ("insurance", "finance", "other", "emergency")
MARKER_TABLE = "bench_dataset"

FIRST_NAMES = (
    "Anna Ben Clara David Emma Felix Greta Hannes Ida Jonas Karla Leon Mia Noah Olga Paul "
    "Quirin Rosa Simon Tina Ute Valentin Wiebke Xaver Yara Zoe Jürgen Sören Änne Björn"
).split()
LAST_NAMES = (
    "Müller Schmidt Schneider Fischer Weber Meyer Becker Schulz Hoffmann Schäfer Koch "
    "Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann "
    "Lange Schmitt Werner Schmitz Krause Meier Lehmann Schmid Schulze Maier Köhler Herrmann "
    "König Walter Mayer Huber Kaiser Fuchs Peters Lang Scholz Möller Weiß Jung Hahn Schubert "
    "Vogel Friedrich Keller Günther Frank Berger Winkler Roth Beck Lorenz Baumann Franke Albrecht "
    "Schuster Simon Ludwig Böhm Winter Kraus Martin Schumacher Krämer Vogt Stein Jäger Otto "
    "Sommer Groß Seidel Heinrich Brandt Haas Schreiber Graf Schulte Dietrich Ziegler Kuhn Kühn "
    "Pohl Engel Horn Busch Bergmann Thomas Voigt Sauer Arnold"
).split()
INSURERS = (
    "Allianz Versicherungs-AG",
    "AXA Versicherung AG",
    "Condor Allgemeine Versicherungs-AG",
    "HUK-COBURG",
    "R+V Allgemeine Versicherung AG",
    "Gothaer Allgemeine Versicherung AG",
    "Signal Iduna",
    "Debeka",
)
PRODUCT_LINES = ("Hausrat", "Haftpflicht", "Kfz", "Wohngebäude", "Unfall", "Rechtsschutz")


@dataclass(frozen=True)
class BenchTenant:
    """One measured tenant and the ids its pages need."""

    key: str  # big | mid | small
    tenant_id: int
    slug: str
    contacts: int
    admin_id: int
    customer_user_id: int
    customer_contact_id: int
    ticket_id: int
    download_id: int  # the 1 MB document


@dataclass
class Dataset:
    tenants: dict[str, BenchTenant]
    counts: dict[str, int]
    seconds: float


def _ids(start: int) -> Iterator[int]:
    n = start
    while True:
        yield n
        n += 1


def _tenant_sizes() -> list[tuple[str, int]]:
    """(slug, number of contacts) for every tenant; the measured ones first."""
    sizes = [(key, count) for key, count in SIZES.items()]
    rest = TENANTS_TOTAL - len(sizes)
    each, extra = divmod(CONTACTS_TOTAL - sum(SIZES.values()), rest)
    sizes += [(f"t{n + 4:04d}", each + (1 if n < extra else 0)) for n in range(rest)]
    return sizes


class _Rows:
    """Rows per table, streamed to COPY in batches to keep memory flat."""

    def __init__(self, conn: asyncpg.Connection, table: str, columns: tuple[str, ...]) -> None:
        self.conn, self.table, self.columns = conn, table, columns
        self.batch: list[tuple[Any, ...]] = []
        self.count = 0
        self.flush_all: Any = None  # set by load(): parents must be written before children

    async def add(self, row: tuple[Any, ...]) -> None:
        self.batch.append(row)
        if len(self.batch) >= 50_000:
            await self.flush_all()

    async def flush(self) -> None:
        if self.batch:
            await self.conn.copy_records_to_table(
                self.table, records=self.batch, columns=self.columns
            )
            self.count += len(self.batch)
            self.batch = []


TABLES: dict[str, tuple[str, ...]] = {
    "tenant": ("id", "slug", "name", "theme", "address_form", "imprint_html", "signature_html")
    + ("is_active", "created_at", "updated_at", "primary_color"),
    "tenant_host": ("id", "hostname", "is_primary", "tenant_id"),
    "contact": (
        "id",
        "tenant_id",
        "first_name",
        "last_name",
        "birthdate",
        "email",
        "company_name",
        "street",
        "postal_code",
        "city",
        "phone",
        "customer_number",
        "created_at",
        "updated_at",
    ),
    "user_account": (
        "id",
        "tenant_id",
        "kind",
        "role",
        "username",
        "email",
        "first_name",
        "last_name",
        "birthdate",
        "password_hash",
        "is_active",
        "contact_id",
        "access_insurance",
        "access_finance",
        "access_other",
        "access_emergency",
        "sees_all_contacts",
        "handles_tickets",
        "manages_contacts",
        "manages_users",
        "manages_settings",
        "created_at",
        "updated_at",
    ),
    "customer_access": (
        "id",
        "tenant_id",
        "contact_id",
        "insurance_unlock",
        "insurance_share",
        "finance_unlock",
        "other_unlock",
        "profile_visible",
        "profile_editable",
        "communication",
        "updated_at",
    ),
    "contract": (
        "id",
        "tenant_id",
        "contact_id",
        "folder",
        "status",
        "product_line",
        "insurer_name",
        "insurance_number",
        "payment_method",
        "payment_frequency",
        "gross_premium",
        "created_by_customer",
        "created_at",
        "updated_at",
    ),
    "document": (
        "id",
        "tenant_id",
        "contact_id",
        "contract_id",
        "folder",
        "title",
        "category",
        "document_date",
        "filename",
        "storage_key",
        "content_type",
        "size",
        "sha256",
        "shared_with_customer",
        "uploaded_by_customer",
        "created_at",
    ),
    "conversation": (
        "id",
        "tenant_id",
        "contact_id",
        "responsible_id",
        "subject",
        "status",
        "entry_count",
        "last_entry_by_customer",
        "last_entry_at",
        "created_at",
    ),
    "conversation_participant": ("id", "tenant_id", "conversation_id", "user_id", "role")
    + ("read_count",),
    "conversation_entry": (
        "id",
        "tenant_id",
        "conversation_id",
        "author_id",
        "by_customer",
        "body",
        "created_at",
    ),
    "conversation_event": (
        "id",
        "tenant_id",
        "conversation_id",
        "actor_id",
        "kind",
        "actor_name",
        "created_at",
    ),
}


def _pdf(size: int) -> bytes:
    head = b"%PDF-1.4\n% tenant-app benchmark download\n"
    return head + b"0" * (size - len(head) - 6) + b"\n%%EOF"


async def load(conn: asyncpg.Connection, storage_dir: Path, password_hash: str) -> Dataset:
    """Fill an empty, migrated database. Returns the measured tenants and row counts."""
    started = time.monotonic()
    now = datetime.now(UTC).replace(microsecond=0)
    ids = {table: _ids(1) for table in TABLES}
    rows = {table: _Rows(conn, table, columns) for table, columns in TABLES.items()}

    async def flush_all() -> None:
        for table_rows in rows.values():  # TABLES lists parents before children
            await table_rows.flush()

    for table_rows in rows.values():
        table_rows.flush_all = flush_all
    bench: dict[str, BenchTenant] = {}
    contact_number = 0
    for tenant_id, (slug, size) in enumerate(_tenant_sizes(), start=1):
        next(ids["tenant"])
        name = f"Makler {slug.capitalize()} GmbH"
        await rows["tenant"].add(
            (tenant_id, slug, name, "default", "sie", "<p>Impressum</p>", "", True, now, now)
            + ("#1d4ed8",)
        )
        await rows["tenant_host"].add(
            (next(ids["tenant_host"]), f"{slug}.localhost", True, tenant_id)
        )
        admin_id = next(ids["user_account"])
        await rows["user_account"].add(
            (admin_id, tenant_id, "staff", "admin", "admin", f"admin@{slug}.example")
            + ("Ada", "Admin", date(1970, 1, 1), password_hash, True, None)
            + ("write",) * 4
            + (True,) * 5
            + (now, now)
        )
        first_ticket = first_download = customer_user = 0
        first_contact = 0
        for index in range(size):
            contact_number += 1
            contact_id = next(ids["contact"])
            is_bench = index == 0 and slug in SIZES
            if is_bench:
                first, last = "Kai", "Kunde"
            elif index % 100 == 1:  # the search term: 1 % of every tenant, at least one
                first, last = FIRST_NAMES[contact_number % len(FIRST_NAMES)], "Wagner"
            else:
                first = FIRST_NAMES[contact_number % len(FIRST_NAMES)]
                last = LAST_NAMES[(contact_number // 7) % len(LAST_NAMES)]
            if index == 0:
                first_contact = contact_id
            birthdate = date(1950, 1, 1) + timedelta(days=contact_number % 18_000)
            email = f"k{contact_id}@{slug}.example"
            await rows["contact"].add(
                (contact_id, tenant_id, first, last, birthdate, email, "")
                + (f"Hauptstraße {index % 200 + 1}", f"{10000 + contact_id % 89999}", "Berlin")
                + ("030 1234567", f"K-{contact_id:07d}", now - timedelta(minutes=index), now)
            )
            await rows["customer_access"].add(
                (next(ids["customer_access"]), tenant_id, contact_id)
                + (is_bench or index % 3 == 0, is_bench or index % 2 == 0, is_bench, False)
                + (True, False, True, now)
            )
            has_account = is_bench or index % ACCOUNT_EVERY == 1
            user_id = 0
            if has_account:
                user_id = next(ids["user_account"])
                await rows["user_account"].add(
                    (user_id, tenant_id, "customer", "kunde", f"kunde{contact_id}", email)
                    + (first, last, birthdate, password_hash, True, contact_id)
                    + ("none",) * 4
                    + (False,) * 5
                    + (now, now)
                )
            contracts = BENCH_CONTRACTS if is_bench else CONTRACTS_PER_CONTACT
            for n in range(contracts):
                contract_id = next(ids["contract"])
                folder = "insurance" if is_bench else FOLDERS[n % len(FOLDERS)]
                await rows["contract"].add(
                    (contract_id, tenant_id, contact_id, folder, "active")
                    + (PRODUCT_LINES[n % len(PRODUCT_LINES)], INSURERS[n % len(INSURERS)])
                    + (f"VS-{contract_id:08d}", "direct_debit", "monthly")
                    + (Decimal(f"{10 + n}.{contract_id % 100:02d}"), n % 10 == 9)
                    + (now - timedelta(days=n), now)
                )
                document_id = next(ids["document"])
                size_bytes = DOWNLOAD_BYTES if is_bench and n == 0 else 120_000 + n
                await rows["document"].add(
                    (document_id, tenant_id, contact_id, contract_id, folder)
                    + (f"Police {PRODUCT_LINES[n % len(PRODUCT_LINES)]}", "policy")
                    + (date(2024, 1, 1) + timedelta(days=n), f"police-{n + 1}.pdf")
                    + (f"{tenant_id}/{document_id:032x}", "application/pdf", size_bytes)
                    + ("0" * 64, True, False, now - timedelta(days=n))
                )
                if is_bench and n == 0:
                    first_download = document_id
            if has_account and (is_bench or index % TICKET_EVERY == 1):
                entries = TICKET_ENTRIES if is_bench else 3
                ticket_id = next(ids["conversation"])
                await rows["conversation"].add(
                    (ticket_id, tenant_id, contact_id, admin_id, f"Frage zu Vertrag {index}")
                    + ("open", entries, True, now, now - timedelta(days=2))
                )
                for role, who, read in (("customer", user_id, entries), ("staff", admin_id, 0)):
                    await rows["conversation_participant"].add(
                        (next(ids["conversation_participant"]), tenant_id, ticket_id, who, role)
                        + (read,)
                    )
                for n in range(entries):
                    by_customer = n % 2 == 0
                    await rows["conversation_entry"].add(
                        (next(ids["conversation_entry"]), tenant_id, ticket_id)
                        + (user_id if by_customer else admin_id, by_customer)
                        + (f"Nachricht {n + 1}: Bitte prüfen Sie meinen Vertrag. " * 3,)
                        + (now - timedelta(days=2) + timedelta(hours=n),)
                    )
                for kind, actor, who in (("created", user_id, f"{first} {last}"),) + (
                    ("replied", admin_id, "Ada Admin"),
                    ("read", admin_id, "Ada Admin"),
                ):
                    await rows["conversation_event"].add(
                        (next(ids["conversation_event"]), tenant_id, ticket_id, actor, kind, who)
                        + (now - timedelta(days=1),)
                    )
                if is_bench:
                    first_ticket = ticket_id
            if is_bench:
                customer_user = user_id
        if slug in SIZES:
            bench[slug] = BenchTenant(
                key=slug,
                tenant_id=tenant_id,
                slug=slug,
                contacts=size,
                admin_id=admin_id,
                customer_user_id=customer_user,
                customer_contact_id=first_contact,
                ticket_id=first_ticket,
                download_id=first_download,
            )
            path = storage_dir / str(tenant_id) / f"{first_download:032x}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(_pdf(DOWNLOAD_BYTES))
    await flush_all()
    # other people's logins: the session lookup must find its row by index among many
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
    for table in TABLES:
        await conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608 - fixed names
            f" (SELECT coalesce(max(id), 1) FROM {table}))"
        )
    await conn.execute("VACUUM ANALYZE")
    await conn.execute(f"CREATE TABLE {MARKER_TABLE} (key text PRIMARY KEY, value text)")
    counts = {table: r.count for table, r in rows.items()}
    return Dataset(bench, counts, time.monotonic() - started)


async def existing(conn: asyncpg.Connection) -> Dataset | None:
    """The dataset of a database loaded earlier (`--reuse-db`), or None if there is none."""
    if not await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", MARKER_TABLE):
        return None
    bench = {}
    for key in SIZES:
        row = await conn.fetchrow(
            "SELECT t.id, (SELECT count(*) FROM contact c WHERE c.tenant_id = t.id) AS n,"
            " (SELECT min(id) FROM user_account u WHERE u.tenant_id = t.id) AS admin_id,"
            " (SELECT min(id) FROM contact c WHERE c.tenant_id = t.id) AS contact_id"
            " FROM tenant t WHERE t.slug = $1",
            key,
        )
        user_id = await conn.fetchval(
            "SELECT id FROM user_account WHERE contact_id = $1", row["contact_id"]
        )
        ticket_id = await conn.fetchval(
            "SELECT min(id) FROM conversation WHERE contact_id = $1", row["contact_id"]
        )
        download_id = await conn.fetchval(
            "SELECT min(id) FROM document WHERE contact_id = $1 AND size = $2",
            row["contact_id"],
            DOWNLOAD_BYTES,
        )
        bench[key] = BenchTenant(
            key=key,
            tenant_id=row["id"],
            slug=key,
            contacts=row["n"],
            admin_id=row["admin_id"],
            customer_user_id=user_id,
            customer_contact_id=row["contact_id"],
            ticket_id=ticket_id,
            download_id=download_id,
        )
    counts = {}
    for table in TABLES:
        counts[table] = await conn.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608
    return Dataset(bench, counts, 0.0)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def create_sessions(
    conn: asyncpg.Connection, dataset: Dataset, sign: Any
) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], str]]:
    """A fresh login session for each measured tenant's admin and customer.

    Returns two maps from (tenant key, "staff" | "customer"): the signed cookie value, made
    by `sign` (the app's own signing function) so the app accepts it like one it issued at
    login, and the session's CSRF token (for the upload, a POST).
    """
    now = datetime.now(UTC)
    cookies: dict[tuple[str, str], str] = {}
    csrf_tokens: dict[tuple[str, str], str] = {}
    records = []
    for key, tenant in dataset.tenants.items():
        for kind, user_id in (("staff", tenant.admin_id), ("customer", tenant.customer_user_id)):
            secret, csrf_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            records.append((_digest(secret), tenant.tenant_id, user_id, csrf_token, now, now))
            cookies[(key, kind)] = sign(tenant.tenant_id, secret)
            csrf_tokens[(key, kind)] = csrf_token
    await conn.executemany(
        "INSERT INTO login_session (id, tenant_id, user_id, csrf_token, created_at,"
        " last_seen_at, user_agent) VALUES ($1, $2, $3, $4, $5, $6, 'benchmark')",
        records,
    )
    return cookies, csrf_tokens


def summary(dataset: Dataset) -> Iterable[str]:
    names = {
        "tenant": "tenants",
        "contact": "contacts",
        "contract": "contracts",
        "document": "documents (metadata)",
        "customer_access": "customer access rows",
        "user_account": "user accounts",
        "conversation": "tickets",
        "conversation_entry": "ticket entries",
    }
    for table, label in names.items():
        yield f"{dataset.counts.get(table, 0):,} {label}"
