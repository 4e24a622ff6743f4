"""The password rules: long enough, not a common password, not the person's own data.

Common passwords are judged by zxcvbn (pinned in pyproject.toml): a maintained port of
Dropbox's estimator that ships ranked lists of 30,000 leaked passwords, English words and
names, and finds repeats, sequences, keyboard rows, dates and l33t spellings. Its lists are
mostly English, so a small German supplement ships beside it (data/common_passwords_de.txt).
A list of our own alone would miss the patterns; the estimator alone would let "Passwort2024!"
pass, so a common word with digits or symbols around it is refused as well.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from zxcvbn import matching, zxcvbn

from tenant_app.text.i18n import gettext as _

PASSWORD_MIN = 10
PASSWORD_MAX = 128
MIN_SCORE = 3  # zxcvbn's "safely unguessable": about 10^8 guesses or more
JUDGED_CHARS = 72  # zxcvbn's own bound; judging a prefix can only under-rate a password
_SUPPLEMENT = Path(__file__).resolve().parent.parent / "data" / "common_passwords_de.txt"
_SEPARATORS = re.compile(r"[\s./\-_]+")
_DECORATION = re.compile(r"^[\W\d_]+|[\W\d_]+$")  # digits and symbols around a word
_LETTER_RUNS = re.compile(r"[^\W\d_]+")
_PATTERNS = {"repeat", "sequence", "spatial"}


@cache
def _common() -> frozenset[str]:
    """Known passwords: zxcvbn's list and the German supplement (added to zxcvbn's ranks)."""
    lines = _SUPPLEMENT.read_text(encoding="utf-8").splitlines()
    german = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    matching.add_frequency_lists({"german": german})
    return frozenset(matching.RANKED_DICTIONARIES["passwords"]) | frozenset(german)


def _fold(text: str) -> str:
    """Lower case with umlauts spelled out, so "Jäger" and "jaeger" are the same name."""
    text = text.lower()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, spelled)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def birthdate_forms(birthdate: date) -> set[str]:
    """The ways people write their birthday into a password, separators removed."""
    day, month, year = birthdate.day, birthdate.month, birthdate.year
    short = f"{year % 100:02d}"
    return {
        f"{day:02d}{month:02d}{year}",  # 09051982 (the PIN), 09.05.1982
        f"{day}{month}{year}",  # 951982, 9.5.1982
        f"{day:02d}{month:02d}{short}",  # 090582
        f"{year}{month:02d}{day:02d}",  # 19820509, 1982-05-09
        f"{short}{month:02d}{day:02d}",  # 820509
        f"{month:02d}{day:02d}{year}",  # 05091982, as written in the US
    }


def _personal_words(email: str, *names: str) -> set[str]:
    """Names, username, e-mail (its local part, not the provider) and their parts, folded.

    Words shorter than three letters are left out: they would refuse almost anything.
    """
    folded_email = _fold(email)
    words = {folded_email}
    for value in (folded_email.partition("@")[0], *map(_fold, names)):
        words |= {value, *re.split(r"[^a-z0-9]+", value)}
    return {word for word in words if len(word) >= 3}


def _contains_personal(password: str, words: set[str]) -> bool:
    """A word of four letters or more anywhere; a three-letter one ("Kai") as a word of its own."""
    folded = _fold(password)
    runs = set(_LETTER_RUNS.findall(folded))
    return any(word in folded if len(word) > 3 else word in runs for word in words)


def _guessability_error(password: str, user_inputs: list[str]) -> str | None:
    judged = password[:JUDGED_CHARS]
    common = _common()
    core = _DECORATION.sub("", judged.lower())
    result: dict[str, Any] = zxcvbn(judged, user_inputs=user_inputs, max_length=JUDGED_CHARS)
    if result["score"] >= MIN_SCORE and judged.lower() not in common and core not in common:
        return None
    patterned = sum(len(m["token"]) for m in result["sequence"] if m["pattern"] in _PATTERNS)
    if patterned * 2 >= len(judged):
        return _("The password is too simple: it repeats characters or follows a sequence.")
    return _(
        "This password is too common or too easy to guess. "
        "Please choose a less predictable one, e.g. a few unrelated words."
    )


def new_password_error(
    password: str,
    *,
    birthdate: date | None,
    username: str,
    email: str,
    first_name: str = "",
    last_name: str = "",
) -> str | None:
    """Why a new password is refused, or None. Spaces count: the password is taken as typed."""
    if len(password) < PASSWORD_MIN:
        return _("The password must have at least %(n)s characters.", n=PASSWORD_MIN)
    if len(password) > PASSWORD_MAX:
        return _("The password may have at most %(n)s characters.", n=PASSWORD_MAX)
    squashed = _SEPARATORS.sub("", password)
    if birthdate and any(form in squashed for form in birthdate_forms(birthdate)):
        return _("The password must not contain the date of birth.")
    words = _personal_words(email, username, first_name, last_name)
    if _contains_personal(password, words):
        return _("The password must not contain the name, username or e-mail address.")
    return _guessability_error(password, sorted(words))
