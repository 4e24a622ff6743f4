"""Company names with their legal form exactly once.

Names and legal forms are stored apart (SPEC: no document prints "GmbH GmbH"), but a name
often carries its form already ("Muster Makler GmbH", "Allianz Versicherungs-AG"): the form
is added only when the name does not end with it as a whole word. Dots, spaces and case do
not count ("G.m.b.H." is "GmbH"); a word merely ending in the same letters does ("Nordbag"
does not end with "AG"). A name ending with the form's first words gets only the rest
("Muster GmbH" + "GmbH & Co. KG" is "Muster GmbH & Co. KG").
"""

from __future__ import annotations

_IGNORED = frozenset(". \t\u00a0")  # what may differ between two spellings of one form


def ends_with_legal_form(name: str, legal_form: str) -> bool:
    """Whether `name` ends with `legal_form` as a whole word (dots, spaces and case aside)."""
    wanted = [char for char in legal_form.lower() if char not in _IGNORED]
    if not wanted:
        return False
    position = len(name)
    while wanted and position > 0:
        char = name[position - 1].lower()
        position -= 1
        if char in _IGNORED:
            continue
        if char != wanted.pop():
            return False
    if wanted:
        return False
    # whole word: the form starts the name or follows a space, a hyphen, a comma ...
    return position == 0 or not name[position - 1].isalnum()


def with_legal_form(name: str, legal_form: str) -> str:
    """ "Muster Makler" + "GmbH" gives "Muster Makler GmbH"; "Muster Makler GmbH" + "GmbH"
    stays as it is. Surrounding and repeated spaces go."""
    name, words = " ".join(name.split()), legal_form.split()
    for given in range(len(words), 0, -1):  # the most of the form the name already ends with
        if ends_with_legal_form(name, " ".join(words[:given])):
            return " ".join([name, *words[given:]])
    return " ".join([name, *words]).strip()
