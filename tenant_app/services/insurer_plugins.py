"""The installed insurer plug-ins: every entry point of the group `tenant_app.insurer_plugins`
(tenant_app/plugins), loaded once. A plug-in that fails to load or does not declare itself
properly is left out and logged, so one broken package does not take the portal down."""

from __future__ import annotations

import logging
import os
import re
from functools import cache
from importlib.metadata import entry_points

from tenant_app.plugins import ENTRY_POINT_GROUP, InsurerPlugin
from tenant_app.schemas.product_lines import PRODUCT_LINE_DEFINITIONS

log = logging.getLogger(__name__)
_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
# The application form's own fields: a plug-in's field of the same name would be mistaken.
RESERVED_FIELDS = frozenset(
    {"csrf_token", "version", "back", "way", "consent", "signer_name", "confirm", "plugin"}
)


def _problem(name: str, plugin: object) -> str:
    """Why a loaded entry point is no usable plug-in ("" if it is one)."""
    if not isinstance(plugin, InsurerPlugin):
        return "is no InsurerPlugin instance"
    if plugin.key != name or not _KEY.fullmatch(plugin.key):
        return f"declares key {plugin.key!r}, not its entry point's name"
    if not plugin.insurer_name or not plugin.steps:
        return "declares no insurer name or no steps"
    unknown = {k.product_line for k in plugin.object_kinds} - set(PRODUCT_LINE_DEFINITIONS)
    if unknown or not plugin.object_kinds:
        return f"insures no known product line ({', '.join(sorted(unknown)) or 'none'})"
    keys = [f.key for step in plugin.steps for f in step.fields]
    if len(keys) != len(set(keys)) or len({s.key for s in plugin.steps}) != len(plugin.steps):
        return "repeats a step or field key"
    if set(keys) & RESERVED_FIELDS:
        return f"names a field as the form's own ({', '.join(sorted(set(keys) & RESERVED_FIELDS))})"
    if plugin.steps[-1].kind != "review" or not plugin.steps[0].kind == "form":
        return "does not begin with a form step and end with its review step"
    try:
        re.compile(plugin.agent_number_pattern)
    except re.error:
        return "declares an agent number pattern that is no regular expression"
    return ""


_offers_reference: bool | None = None


def offer_reference(offered: bool | None) -> None:
    """Whether reference plug-ins (example insurers) are offered: the app says so from its
    settings (development and tests); unset (None), APP_ENV decides as the settings would."""
    global _offers_reference
    _offers_reference = offered
    installed.cache_clear()


def reference_choice() -> bool | None:
    """What offer_reference was last told (None: nothing)."""
    return _offers_reference


def _reference_offered() -> bool:
    if _offers_reference is not None:
        return _offers_reference
    return os.environ.get("APP_ENV", "development").strip().lower() != "production"


@cache
def installed() -> dict[str, InsurerPlugin]:
    """Key → plug-in, in the order of their names (a reference plug-in only where offered)."""
    found: dict[str, InsurerPlugin] = {}
    for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name):
        try:
            plugin = point.load()
        except Exception:
            log.exception("insurer plug-in %s does not load", point.name)
            continue
        problem = _problem(point.name, plugin)
        if problem:
            log.error("insurer plug-in %s left out: it %s", point.name, problem)
            continue
        if plugin.reference and not _reference_offered():
            continue
        found[point.name] = plugin
    return found


def plugin(key: str) -> InsurerPlugin | None:
    return installed().get(key)


def forget() -> None:
    """Load the entry points again on the next call (tests install one of their own)."""
    installed.cache_clear()
