"""The one mechanism that scopes tenant data: a context variable plus a manager.

Every tenant-owned model inherits `TenantModel`. Its default manager filters by the
tenant of the current context and raises `ScopeError` when there is none, so a query
that forgot the tenant fails loudly instead of reading every tenant's rows. Code that
truly works across tenants (operator CLI, mail worker) says so with `Model.unscoped`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING, Any, cast

from tortoise import fields
from tortoise.manager import Manager
from tortoise.models import Model, ModelMeta
from tortoise.queryset import QuerySet

if TYPE_CHECKING:
    from tenant_app.models.tenancy import Tenant

_current_tenant_id: ContextVar[int | None] = ContextVar("current_tenant_id", default=None)


class ScopeError(RuntimeError):
    """Tenant data was touched outside a tenant context."""


def current_tenant_id() -> int:
    tenant_id = _current_tenant_id.get()
    if tenant_id is None:
        raise ScopeError("tenant data queried without a tenant context")
    return tenant_id


@contextlib.contextmanager
def tenant_scope(tenant_id: int) -> Iterator[None]:
    """Run a block (script, job, test) as the given tenant."""
    token = _current_tenant_id.set(tenant_id)
    try:
        yield
    finally:
        _current_tenant_id.reset(token)


def enter_tenant_scope(tenant_id: int | None) -> Token[int | None]:
    """For middleware: set the tenant for the rest of this task; returns a reset token."""
    return _current_tenant_id.set(tenant_id)


def leave_tenant_scope(token: object) -> None:
    _current_tenant_id.reset(cast("Token[int | None]", token))  # made by enter_tenant_scope


class TenantManager(Manager):
    def get_queryset(self) -> QuerySet[TenantModel]:
        return QuerySet(self._model).filter(tenant_id=current_tenant_id())


class TenantModelMeta(ModelMeta):
    """Gives every concrete subclass the scoping manager (a Meta of its own would drop it)."""

    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> TenantModelMeta:
        cls: Any = super().__new__(mcs, name, bases, attrs)
        if not cls._meta.abstract:
            cls._meta.manager = TenantManager(model=cls)
            cls.unscoped = Manager(model=cls)
        # Tortoise annotates ModelMeta.__new__ as returning ModelMeta; the class is built by `mcs`.
        return cast("TenantModelMeta", cls)


class TenantModel(Model, metaclass=TenantModelMeta):
    """Base of every tenant-owned model: carries `tenant_id` and scopes queries by it."""

    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name=False, on_delete=fields.CASCADE, db_index=True
    )
    tenant_id: int

    unscoped = Manager()

    class Meta:
        abstract = True

    async def save(self, *args: Any, **kwargs: Any) -> None:
        scoped_id = _current_tenant_id.get()
        if getattr(self, "tenant_id", None) is None:
            self.tenant_id = current_tenant_id()
        elif scoped_id is not None and scoped_id != self.tenant_id:
            raise ScopeError("refusing to save a row of another tenant")
        await super().save(*args, **kwargs)
