"""What one running Radschutz service remembers, in memory only: its customers' accounts and
agents (its configuration), the applications and policies made through it, the requests it
received (for tests and for looking on) and the fault it was told to play."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from reference_insurer.tariff import Tariff

FAULT_MODES = ("none", "slow", "error", "auth")


@dataclass
class Policy:
    number: str
    application_id: str
    start_date: date
    signed_at: datetime
    signature: str  # "upload" or "click"
    documents: dict[str, bytes] = field(default_factory=dict)  # rendered once, by id

    def as_json(self, application: StoredApplication) -> dict[str, Any]:
        return {
            "policy_number": self.number,
            "application_id": self.application_id,
            "start_date": self.start_date.isoformat(),
            "premium": str(application.tariff.premium),
            "frequency": "monthly",
            "documents": [
                {"id": "policy", "title": "Versicherungsschein"},
                {"id": "terms", "title": "Versicherungsbedingungen"},
            ],
        }


@dataclass
class StoredApplication:
    id: str
    account: str
    agent: str
    idempotency_key: str
    body: dict[str, Any]
    tariff: Tariff
    created_at: datetime
    pdf: bytes | None = None  # rendered on its first download
    policy: Policy | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "application_id": self.id,
            "tariff": {"code": self.tariff.code, "name": self.tariff.name},
            "premium": str(self.tariff.premium),
            "frequency": "monthly",
            "pdf": f"/v1/applications/{self.id}/pdf",
        }


@dataclass
class Faults:
    """The misbehaviour asked for: for the next `remaining` /v1 requests (0: until changed)."""

    mode: str = "none"
    seconds: float = 0.0
    remaining: int = 0

    def take(self) -> tuple[str, float]:
        """The fault the request arriving now gets (and one fewer left to give)."""
        mode, seconds = self.mode, self.seconds
        if mode != "none" and self.remaining > 0:
            self.remaining -= 1
            if self.remaining == 0:
                self.mode, self.seconds = "none", 0.0
        return mode, seconds


def start_of_cover(signed_at: datetime, instant: bool) -> date:
    """Sofortschutz covers from the day of signing; otherwise cover starts on the first of
    the following month."""
    day = signed_at.date()
    if instant:
        return day
    return day.replace(day=calendar.monthrange(day.year, day.month)[1]) + timedelta(days=1)


class Insurer:
    def __init__(self, accounts: dict[str, str], agents: set[str]) -> None:
        self.accounts = dict(accounts)
        self.agents = set(agents)
        self.reset()

    def reset(self) -> None:
        self.applications: dict[str, StoredApplication] = {}
        self.by_key: dict[tuple[str, str], str] = {}
        self.policies: dict[str, Policy] = {}
        self.requests: list[dict[str, Any]] = []
        self.faults = Faults()
        self._numbers = {"A": 0, "P": 0}

    def _next(self, kind: str) -> str:
        self._numbers[kind] += 1
        return f"RS-{kind}-{self._numbers[kind]:06d}"

    def record(self, method: str, path: str, headers: dict[str, str], body: Any) -> dict[str, Any]:
        entry = {
            "method": method,
            "path": path,
            "headers": {k: v for k, v in headers.items() if k.lower() != "authorization"},
            "json": body,
            "status": None,  # filled in when answered
            "at": datetime.now(UTC).isoformat(),
        }
        self.requests.append(entry)
        return entry

    def application(self, account: str, application_id: str) -> StoredApplication | None:
        found = self.applications.get(application_id)
        return found if found is not None and found.account == account else None

    def policy(self, account: str, number: str) -> tuple[Policy, StoredApplication] | None:
        policy = self.policies.get(number)
        if policy is None:
            return None
        application = self.application(account, policy.application_id)
        return None if application is None else (policy, application)

    def existing(self, account: str, key: str) -> StoredApplication | None:
        found = self.by_key.get((account, key))
        return None if found is None else self.applications[found]

    def add_application(
        self, account: str, agent: str, key: str, body: dict[str, Any], tariff: Tariff
    ) -> StoredApplication:
        application = StoredApplication(
            id=self._next("A"),
            account=account,
            agent=agent,
            idempotency_key=key,
            body=body,
            tariff=tariff,
            created_at=datetime.now(UTC),
        )
        self.applications[application.id] = application
        self.by_key[(account, key)] = application.id
        return application

    def finalize(
        self, application: StoredApplication, signed_at: datetime, signature: str
    ) -> Policy:
        """The application's policy: made on the first call, the same one on every later."""
        if application.policy is None:
            policy = Policy(
                number=self._next("P"),
                application_id=application.id,
                start_date=start_of_cover(signed_at, application.tariff.instant_cover),
                signed_at=signed_at,
                signature=signature,
            )
            self.policies[policy.number] = policy
            application.policy = policy
        return application.policy
