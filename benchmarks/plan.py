"""What to measure: the pages, and for each the request of the repeat mode and the requests
of the rotating mode (a different customer, contact, ticket or search term each time).

The repeat mode asks for one page over and over (the bench customer "Kai Kunde", page 1 of
the contact list, the search for "wagner"), so every cache is warm. The rotating mode walks
through a list of at least `Scale.customers` (1,000) requests, each one another customer's
page with that customer's own session, so caches are cold as in production:

- customer folder, ticket (customer), chat (customer), 1 MB download: each bench customer of
  the big tenant with its own session, its own folder, ticket, chat and document;
- ticket (staff), chat (staff): the admin (a session per request) opens each bench
  customer's ticket or chat; chat list: the admin's list searched for each last name;
- contact list: page 1.. of each of the four sorts; contact search: each last name of the
  dataset (each ~1 % of the contacts, like "wagner") and its result pages;
- login page: the login page of every tenant (anonymous).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from urllib.parse import quote

import asyncpg
from dataset import SEARCH_TERM, TICKET_ENTRIES, Dataset
from logins import Logins
from tables import LAST_NAMES

FOLDER = "/portal/folders/insurance"
CHAT = "/portal/chat"
PAGE_SIZE = 25  # the staff contact list's page size (tenant_app/queries/contacts.py)
SORTS = ("name", "-name", "number", "created")
# The expression the contact search matches (tenant_app/queries/contacts.py), to count hits.
SEARCH_TEXT = (
    "lower(k.first_name || ' ' || k.last_name || ' ' || k.email || ' ' || k.customer_number"
    " || ' ' || k.company_name)"
)


OFFLOADED_DOWNLOAD = "download-offload"  # the download through nginx (offload.py)


@dataclass(frozen=True)
class Ask:
    """One request: path, Host header name (the port is added later) and Cookie header."""

    path: str
    host: str
    cookie: str = ""


@dataclass
class Page:
    key: str  # login, folder, contacts, search, ticket(-staff), chat(-staff), chats, download(-…)
    tenant: str  # big | mid | small
    label: str
    note: str
    expect_text: str  # the page must show this (checked before measuring)
    repeat: Ask
    rotating: list[Ask] = field(default_factory=list)  # empty: repeat mode only
    logged_in: bool = True

    @property
    def name(self) -> str:
        return self.label if self.tenant == "big" else f"{self.label} ({self.tenant})"

    @property
    def is_download(self) -> bool:
        return self.key.startswith("download")

    def asks(self, mode: str) -> list[Ask]:
        return [self.repeat] if mode == "repeat" else self.rotating

    def distinct_pages(self, mode: str) -> int:
        """Different pages among the mode's requests: a portal page is the session's
        customer's; the staff's sessions are all the admin's."""
        return len(
            {
                (a.host, a.path, a.cookie if a.path.startswith("/portal") else "")
                for a in self.asks(mode)
            }
        )


def _fill(items: list[Ask], count: int) -> list[Ask]:
    """Repeat the list until it has `count` requests (at least once through)."""
    if not items:
        return []
    return [items[n % len(items)] for n in range(max(count, len(items)))]


async def _search_terms(conn: asyncpg.Connection, tenant_id: int) -> list[tuple[str, int]]:
    """(term, result pages) for the search term and every last name with hits."""
    found = []
    for term in dict.fromkeys([SEARCH_TERM, *(name.lower() for name in LAST_NAMES)]):
        hits = await conn.fetchval(
            f"SELECT count(*) FROM contact k WHERE k.tenant_id = $1 AND {SEARCH_TEXT}"  # noqa: S608
            " LIKE '%' || lower($2) || '%'",
            tenant_id,
            term,
        )
        if hits:
            found.append((term, math.ceil(hits / PAGE_SIZE)))
    return found


async def plan_pages(
    conn: asyncpg.Connection, data: Dataset, logins: Logins, *, growth: bool
) -> list[Page]:
    """The big tenant's pages in both modes; with `growth`, the mid and small tenants'
    folder, list and search pages in repeat mode (how cost grows with the tenant)."""
    big = data.tenants["big"]
    host = f"{big.slug}.localhost"
    customers = logins.customers["big"]
    staff = logins.staff["big"]
    count = len(big.customers)
    shuffle = random.Random(7).shuffle  # noqa: S311 - an order, not a secret

    def each_customer(path: str) -> list[Ask]:
        return [
            Ask(path.format(c=c), host, login.cookie)
            for c, login in zip(big.customers, customers, strict=True)
        ]

    def as_staff(paths: list[str]) -> list[Ask]:
        return [Ask(p, host, staff[n % len(staff)].cookie) for n, p in enumerate(paths)]

    # as many pages per sort as make `count` in all: 250 (offsets up to 6,225 rows) in the
    # full run; the quick run's tenant has 100 per sort
    list_pages = min(math.ceil(count / len(SORTS)), math.ceil(big.contacts / PAGE_SIZE))
    lists = [f"/staff/contacts?sort={s}&page={n}" for s in SORTS for n in range(1, list_pages + 1)]
    searches = [
        f"/staff/contacts?q={quote(term)}&page={n}"
        for term, pages in await _search_terms(conn, big.tenant_id)
        for n in range(1, pages + 1)
    ]
    downloads = each_customer("/portal/documents/{c.download_id}/download")
    shuffle(lists)
    shuffle(searches)
    logins_first = [Ask("/login", h) for h in data.hosts[:count]]
    pages = [
        Page(
            "login",
            "big",
            "login page",
            "anonymous first visit: tenant from the Host header (cached), a new signed CSRF "
            "cookie, the themed login page; rotating: every tenant's login page",
            "csrf_token",
            Ask("/login", host),
            _fill(logins_first, count),
            logged_in=False,
        ),
        Page(
            "folder",
            "big",
            "customer folder",
            "a logged-in customer with data share: 20 contracts and 20 documents in the "
            "insurance folder; rotating: each bench customer, with its own session",
            "VS-",
            each_customer(FOLDER)[0],
            each_customer(FOLDER),
        ),
        Page(
            "contacts",
            "big",
            "contact list",
            "a logged-in admin: page 1 of all contacts sorted by name, 25 per page; "
            "rotating: the first pages of each of the four sorts (1,000 pages in all)",
            f"@{big.slug}.example",
            Ask("/staff/contacts", host, staff[0].cookie),
            _fill(as_staff(lists), count),
        ),
        Page(
            "search",
            "big",
            "contact search",
            f"the contact list searched for {SEARCH_TERM!r} (~1 % of the contacts); rotating: "
            "each last name (each ~1 %) and each of its result pages",
            'id="results"',
            Ask(f"/staff/contacts?q={SEARCH_TERM}", host, staff[0].cookie),
            _fill(as_staff(searches), count),
        ),
        Page(
            "ticket",
            "big",
            "ticket (customer)",
            f"the customer's ticket with {TICKET_ENTRIES} entries and its history; rotating: "
            "each bench customer's own ticket, with its own session",
            f"Nachricht {TICKET_ENTRIES}",
            each_customer("/portal/tickets/{c.ticket_id}")[0],
            each_customer("/portal/tickets/{c.ticket_id}"),
        ),
        Page(
            "ticket-staff",
            "big",
            "ticket (staff)",
            "the same ticket as the admin sees it (reply, forward, close); rotating: every "
            "bench customer's ticket, a session of the admin's each",
            f"Nachricht {TICKET_ENTRIES}",
            Ask(f"/staff/tickets/{big.customer.ticket_id}", host, staff[0].cookie),
            as_staff([f"/staff/tickets/{c.ticket_id}" for c in big.customers]),
        ),
        Page(
            "chat",
            "big",
            "chat (customer)",
            "the customer's chat with 20 messages both ways and their marks; rotating: each "
            "bench customer's own chat, with its own session",
            "Chat-Nachricht 20",
            each_customer(CHAT)[0],
            each_customer(CHAT),
        ),
        Page(
            "chat-staff",
            "big",
            "chat (staff)",
            "the same chat as the admin sees it: the chat list beside it, operator, notes; "
            "rotating: every bench customer's chat, a session of the admin's each",
            "Chat-Nachricht 20",
            Ask(f"/staff/chats/{big.customer.chat_id}", host, staff[0].cookie),
            as_staff([f"/staff/chats/{c.chat_id}" for c in big.customers]),
        ),
        Page(
            "chats",
            "big",
            "chat list",
            "the admin's list of open chats, newest first (at most 200 rows); rotating: "
            "the list searched for each last name of the dataset",
            'class="chat-list__item',
            Ask("/staff/chats", host, staff[0].cookie),
            _fill(as_staff([f"/staff/chats?q={quote(n.lower())}" for n in LAST_NAMES]), count),
        ),
        Page(
            "download",
            "big",
            "1 MB download",
            "the customer downloads a 1 MB PDF (streamed as an attachment); rotating: each "
            "bench customer its own document (hard links of one file)",
            "%PDF",
            downloads[0],
            downloads,
        ),
        Page(
            OFFLOADED_DOWNLOAD,
            "big",
            "1 MB download, offloaded",
            "the same downloads through nginx in front of the app with DOWNLOAD_OFFLOAD: "
            "the app checks, answers X-Accel-Redirect, nginx sends the file "
            "(docs/nginx.conf.example, one nginx worker per core)",
            "%PDF",
            downloads[0],
            downloads,
        ),
    ]
    if growth:
        pages += _growth_pages(data, logins)
    return pages


def _growth_pages(data: Dataset, logins: Logins) -> list[Page]:
    pages = []
    for key, tenant in data.tenants.items():
        if key == "big":
            continue
        host, staff = f"{tenant.slug}.localhost", logins.staff[key][0].cookie
        customer = logins.customers[key][0].cookie
        pages += [
            Page("folder", key, "customer folder", "", "VS-", Ask(FOLDER, host, customer)),
            Page("contacts", key, "contact list", "", "@", Ask("/staff/contacts", host, staff)),
            Page(
                "search",
                key,
                "contact search",
                "",
                'id="results"',
                Ask(f"/staff/contacts?q={SEARCH_TERM}", host, staff),
            ),
        ]
    return pages
