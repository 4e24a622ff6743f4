"""The permission page's plain words follow the rule engine: checked against the spec's table
for every flag combination, in German as the page shows them."""

from __future__ import annotations

import pytest

from tenant_app.permissions import FolderFlags
from tenant_app.text import i18n
from tenant_app.text.folder_rights import Facts, every_explanation, explain, explain_folder
from tests.test_permissions import TABLE

# (unlock, share, readonly): the words and whether the folder is left useless
WORDS = {
    (False, False, False): ("Der Kunde sieht diesen Ordner nicht.", False),
    (True, False, False): (
        "Der Kunde sieht nur seine eigenen Verträge und darf welche anlegen, ändern und löschen.",
        False,
    ),
    (False, True, False): (
        "Der Kunde sieht Ihre Verträge und seine eigenen und darf welche anlegen und alle"
        " ändern und löschen, auch Ihre.",
        False,
    ),
    (True, True, False): (
        "Der Kunde sieht Ihre Verträge und seine eigenen und darf welche anlegen und alle"
        " ändern und löschen, auch Ihre.",
        False,
    ),
    (False, False, True): (
        "Der Kunde sieht Ihre Verträge und seine eigenen und darf nichts anlegen oder ändern.",
        False,
    ),
    (True, False, True): (
        "Der Kunde sieht nur seine eigenen Verträge und darf nichts anlegen oder ändern.",
        True,
    ),
    (False, True, True): (
        "Der Kunde sieht Ihre Verträge und seine eigenen und darf nichts anlegen oder ändern.",
        False,
    ),
    (True, True, True): (
        "Der Kunde sieht Ihre Verträge und seine eigenen und darf nichts anlegen oder ändern.",
        False,
    ),
}


@pytest.fixture(autouse=True)
def german():
    with i18n.using("de"):
        yield


@pytest.mark.parametrize("flags", list(TABLE))
def test_the_facts_are_the_spec_table(flags) -> None:
    visible, sees_broker, sees_own, creates, edits_own, edits_broker = TABLE[flags]
    facts = Facts.of(FolderFlags(*flags))
    assert (facts.visible, facts.sees_broker, facts.sees_own) == (visible, sees_broker, sees_own)
    assert (facts.adds, facts.changes_own, facts.changes_broker) == (
        creates,
        edits_own,
        edits_broker,
    )


@pytest.mark.parametrize("flags", list(TABLE))
def test_each_combination_in_plain_words(flags) -> None:
    text, useless = WORDS[flags]
    explained = explain(FolderFlags(*flags))
    assert explained.text == text
    assert bool(explained.warning) is useless
    # useless exactly when the table leaves nothing to see from the broker and nothing to add
    visible, sees_broker, _own, creates, _edits_own, _edits_broker = TABLE[flags]
    assert useless is (visible and not sees_broker and not creates)


def test_levels_name_the_flags_as_set() -> None:
    assert explain(FolderFlags(unlock=True, readonly=True)).levels == "Freischaltung + Nur lesen"
    assert explain(FolderFlags(share=True)).levels == "Datenfreigabe"
    assert explain(FolderFlags()).levels == "Nicht freigegeben"
    assert explain(FolderFlags(unlock=True, readonly=True)).warning.startswith(
        "Dieser Ordner bleibt für den Kunden leer"
    )


def test_every_combination_once_and_from_a_form() -> None:
    keys = [explained.key for explained in every_explanation()]
    assert sorted(keys) == sorted({f"{u}{s}{r}" for u in "01" for s in "01" for r in "01"})
    form = {"finance_unlock": True, "finance_readonly": True}
    assert explain_folder(form, "finance").key == "101"
    assert explain_folder(None, "finance").key == "000"
