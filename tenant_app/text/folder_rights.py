"""A folder's customer permissions in plain words, read off the rule engine (never restated).

Every sentence is chosen by what `permissions.customer_may` decides for the flags, so the
words on the permission page and the contact's tiles cannot drift from what the portal does.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

from tenant_app.permissions import FolderFlags, customer_may, folder_flags
from tenant_app.text.i18n import gettext
from tenant_app.text.labels import ACCESS_FLAGS


@dataclass(frozen=True)
class Facts:
    """What a customer may do in a folder, as the rule engine decides it."""

    visible: bool
    sees_broker: bool  # contracts and documents the broker made
    sees_own: bool
    adds: bool
    changes_own: bool
    changes_broker: bool  # edit and delete

    @classmethod
    def of(cls, flags: FolderFlags) -> Facts:
        return cls(
            visible=customer_may(flags, "view_folder"),
            sees_broker=customer_may(flags, "view", made_by_customer=False),
            sees_own=customer_may(flags, "view", made_by_customer=True),
            adds=customer_may(flags, "create") and customer_may(flags, "add_document"),
            changes_own=customer_may(flags, "edit", made_by_customer=True)
            and customer_may(flags, "delete", made_by_customer=True),
            changes_broker=customer_may(flags, "edit", made_by_customer=False)
            and customer_may(flags, "delete", made_by_customer=False),
        )


@dataclass(frozen=True)
class Explanation:
    key: str  # "unlock share readonly" as 0/1, e.g. "101": how the page's script finds it
    levels: str  # the flags set, e.g. "Freischaltung + Nur lesen"; "Not shared" for none
    text: str
    warning: str  # "" unless the combination leaves the customer a useless folder


def _sees(facts: Facts) -> str:
    if facts.sees_broker and facts.sees_own:
        return gettext("The customer sees your contracts and their own")
    if facts.sees_own:
        return gettext("The customer sees only their own contracts")
    return gettext("The customer sees only your contracts")


def _does(facts: Facts) -> str:
    if facts.adds and facts.changes_broker:
        return gettext("and may add contracts and change or delete all of them, yours too.")
    if facts.adds and facts.changes_own:
        return gettext("and may add contracts and change or delete them.")
    if facts.adds:
        return gettext("and may add contracts, but not change them.")
    return gettext("and may not add or change anything.")


def _warning(facts: Facts) -> str:
    if facts.visible and not facts.sees_broker and not facts.adds:
        return gettext(
            "This folder stays empty for the customer: they see none of your contracts and"
            " may not add any of their own. Choose read-only without unlock, or unlock"
            " without read-only."
        )
    return ""


def explain(flags: FolderFlags) -> Explanation:
    """The folder's setting in plain words, with a warning when it leaves nothing to use."""
    key = "".join("1" if on else "0" for on in (flags.unlock, flags.share, flags.readonly))
    names = [
        ACCESS_FLAGS[name]
        for name, on in (
            ("unlock", flags.unlock),
            ("share", flags.share),
            ("readonly", flags.readonly),
        )
        if on
    ]
    facts = Facts.of(flags)
    if not facts.visible:
        text = gettext("The customer does not see this folder.")
        return Explanation(key, gettext("Not shared"), text, "")
    text = f"{_sees(facts)} {_does(facts)}"
    return Explanation(key, " + ".join(names), text, _warning(facts))


def explain_folder(access: object | None, folder: str) -> Explanation:
    """One folder of a CustomerAccess row, a CustomerRights, a form's flags, or its flags."""
    if isinstance(access, FolderFlags):
        return explain(access)
    if isinstance(access, Mapping):
        return explain(
            FolderFlags(
                unlock=bool(access.get(f"{folder}_unlock")),
                share=bool(access.get(f"{folder}_share")),
                readonly=bool(access.get(f"{folder}_readonly")),
            )
        )
    return explain(folder_flags(access, folder))


def every_explanation() -> list[Explanation]:
    """All eight combinations, for the page's script to show as the ticks change."""
    return [explain(FolderFlags(*bits)) for bits in itertools.product((False, True), repeat=3)]
