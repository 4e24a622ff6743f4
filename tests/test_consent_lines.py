"""Which contracts' documents hold health data (services/consents.is_special_line): the
product line is free text or a key."""

from __future__ import annotations

import pytest

from tenant_app.services.consents import is_special_line


@pytest.mark.parametrize(
    ("line", "special"),
    [
        ("kranken", True),
        ("leben", True),
        ("berufsunfaehigkeit", True),
        ("Private Krankenversicherung", True),
        ("Krankenzusatz", True),
        ("Risikolebensversicherung", True),
        ("Berufsunfähigkeit", True),
        ("BU", True),
        ("Pflege", True),
        ("Hausrat", False),
        ("Kfz", False),
        ("Private Rentenversicherung", False),
        ("Unfall", False),
        ("", False),
    ],
)
def test_health_lines_are_recognised(line: str, special: bool) -> None:
    assert is_special_line(line) is special
