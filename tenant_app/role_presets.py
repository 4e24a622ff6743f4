"""The rights a new staff member of each role usually gets: a starting point on the create
form, never a rule (the admin role has every right regardless, permissions.py)."""

from __future__ import annotations

from collections.abc import Mapping

from tenant_app.vocabulary import FOLDERS, RIGHT_FLAGS


def _preset(levels: Mapping[str, str], *flags: str) -> dict[str, str | bool]:
    rights: dict[str, str | bool] = {f"access_{f}": levels.get(f, "none") for f in FOLDERS}
    return rights | {flag: flag in flags for flag in RIGHT_FLAGS}


_ALL_WRITE = dict.fromkeys(FOLDERS, "write")
ROLE_PRESETS: dict[str, dict[str, str | bool]] = {
    "admin": _preset(_ALL_WRITE, *RIGHT_FLAGS),
    # The broker's office: every folder of every contact, tickets and contact care.
    "mitarbeiter": _preset(
        _ALL_WRITE, "sees_all_contacts", "handles_tickets", "handles_chat", "manages_contacts"
    ),
    # A partner who brings customers: their own contacts' insurance and finances, reading.
    "netzwerkpartner": _preset({"insurance": "read", "finance": "read"}),
    # A specialist consulted on finances: their own contacts, answering them.
    "experte": _preset({"insurance": "read", "finance": "write"}, "handles_tickets"),
}
