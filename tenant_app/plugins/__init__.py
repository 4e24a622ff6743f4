"""Insurer plug-ins: the interface they implement (this package), and the reference plug-in
(`radschutz`). A plug-in imports only this package; the core finds plug-ins by the entry
points of the group `tenant_app.insurer_plugins` (services/insurer_plugins.py)."""

from tenant_app.plugins.calls import Exchange, InsurerHttp
from tenant_app.plugins.errors import (
    AgentRejected,
    InsurerAuthFailed,
    InsurerError,
    InsurerRejected,
    InsurerUnavailable,
    PluginBroken,
)
from tenant_app.plugins.interface import (
    Application,
    CallContext,
    DocumentRef,
    Field,
    InsurerPlugin,
    ObjectKind,
    Paper,
    Policy,
    Quote,
    Step,
    Submission,
    Text,
    text_in,
)

ENTRY_POINT_GROUP = "tenant_app.insurer_plugins"

__all__ = [
    "ENTRY_POINT_GROUP",
    "AgentRejected",
    "Application",
    "CallContext",
    "DocumentRef",
    "Exchange",
    "Field",
    "InsurerAuthFailed",
    "InsurerError",
    "InsurerHttp",
    "InsurerPlugin",
    "InsurerRejected",
    "InsurerUnavailable",
    "ObjectKind",
    "Paper",
    "PluginBroken",
    "Policy",
    "Quote",
    "Step",
    "Submission",
    "Text",
    "text_in",
]
