"""What a moved row points at, and the order in which tables are inserted so that each row's
targets already have their new ids.

Foreign keys come from the ORM's metadata. A few columns hold another row's id without a
foreign key (a chat's contact, an event's object, a mail's recipient, ids inside JSON): they
are listed here by hand, the one place that knows them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tortoise.models import Model

# An activity event's `object_type` -> the model its `object_id` names.
EVENT_OBJECTS = {
    "case": "AdviceCase",
    "chat": "Conversation",
    "claim": "Claim",
    "consent": "ConsentRecord",
    "contact": "Contact",
    "contract": "Contract",
    "data_request": "DataRequest",
    "document": "Document",
    "insured_object": "InsuredObject",
    "lead": "Lead",
    "offer_request": "OfferRequest",
    "tender": "Tender",
    "ticket": "Conversation",
}
# model -> column -> the model it names, or (the column naming the kind, kind -> model)
SOFT_REFERENCES: dict[str, dict[str, str | tuple[str, dict[str, str]]]] = {
    "Conversation": {"chat_contact_id": "Contact"},
    "OutboxMail": {"contact_id": "Contact", "user_id": "User"},
    "Invitation": {"mail_id": "OutboxMail"},
    "AuditEntry": {"actor_id": "User"},  # subject_id names different things by action: kept
    "Event": {"object_id": ("object_type", EVENT_OBJECTS)},
}

Lookup = Callable[[str, Any], Any]  # (model name, old id) -> new id, or None when not moved


def _contact_ids(row: dict[str, Any], lookup: Lookup) -> None:
    ids = (lookup("Contact", old) for old in row.get("contact_ids") or [])
    row["contact_ids"] = [new for new in ids if new is not None]


def _snapshot_documents(row: dict[str, Any], lookup: Lookup) -> None:
    listed = (row.get("snapshot") or {}).get("documents")
    for item in listed if isinstance(listed, list) else []:
        if isinstance(item, dict) and "id" in item:
            item["id"] = lookup("Document", item["id"])


# Ids inside JSON columns, rewritten once every table they name is in (model -> rewriter,
# the models it names).
JSON_REFERENCES: dict[str, tuple[Callable[[dict[str, Any], Lookup], None], set[str]]] = {
    "InvitationBatch": (_contact_ids, {"Contact"}),
    "Tender": (_snapshot_documents, {"Document"}),
}


@dataclass(frozen=True)
class Reference:
    column: str  # e.g. "contact_id"
    targets: frozenset[str]  # model names it may name
    nullable: bool
    kind_column: str = ""  # polymorphic: the column naming the target's kind
    kinds: tuple[tuple[str, str], ...] = ()

    def target(self, row: dict[str, Any]) -> str | None:
        if not self.kind_column:
            return next(iter(self.targets))
        return dict(self.kinds).get(row.get(self.kind_column) or "")


def references(model: type[Model]) -> list[Reference]:
    """Every column of `model` naming another row (except its tenant)."""
    meta = model._meta
    found = []
    for name in sorted(meta.fk_fields | meta.o2o_fields):
        if name == "tenant":
            continue
        field: Any = meta.fields_map[name]
        found.append(
            Reference(f"{name}_id", frozenset({field.related_model.__name__}), bool(field.null))
        )
    for column, target in SOFT_REFERENCES.get(model.__name__, {}).items():
        if isinstance(target, str):
            found.append(Reference(column, frozenset({target}), True))
        else:
            kind_column, kinds = target
            found.append(
                Reference(
                    column, frozenset(kinds.values()), True, kind_column, tuple(kinds.items())
                )
            )
    return found


def foreign_key_columns(model: type[Model]) -> set[str]:
    meta = model._meta
    return {f"{name}_id" for name in meta.fk_fields | meta.o2o_fields}


def insertion_order(
    models: list[type[Model]],
) -> tuple[list[type[Model]], set[tuple[str, str]]]:
    """The models in an order where each row's targets come first, and the (model, column)
    references that cannot (self-references, cycles): those are filled in a second pass
    and must be nullable."""
    names = {model.__name__ for model in models}
    pending: dict[str, set[str]] = {}
    nullable: dict[str, set[str]] = {}  # model -> targets it may wait for
    columns: dict[str, list[Reference]] = {}
    for model in models:
        refs = [r for r in references(model) if r.targets & names]
        json_targets = JSON_REFERENCES.get(model.__name__, (None, set()))[1]
        columns[model.__name__] = refs
        pending[model.__name__] = {t for r in refs for t in r.targets} | json_targets
        nullable[model.__name__] = {t for r in refs if r.nullable for t in r.targets}
    by_name = {model.__name__: model for model in models}
    order: list[type[Model]] = []
    deferred: set[tuple[str, str]] = set()
    while pending:
        placed = {m.__name__ for m in order}
        ready = [n for n, deps in pending.items() if not (deps - placed - {n})]
        if not ready:
            # a cycle: let the first model whose open references are all nullable go first
            ready = [n for n, deps in pending.items() if not (deps - placed - nullable[n])][:1]
            if not ready:
                raise RuntimeError(f"tables with a cycle of required references: {sorted(pending)}")
        for name in sorted(ready, key=lambda n: list(pending).index(n)):
            placed_now = {m.__name__ for m in order}
            for ref in columns[name]:
                if ref.targets - placed_now:
                    if not ref.nullable:
                        raise RuntimeError(f"{name}.{ref.column} must be filled in later")
                    deferred.add((name, ref.column))
            order.append(by_name[name])
            del pending[name]
    return order, deferred
