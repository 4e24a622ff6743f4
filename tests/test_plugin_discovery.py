"""Plug-ins are found by their entry points, as a third party's package would ship one; one
that is no plug-in is left out (and logged) without taking the others down."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tenant_app.services import insurer_plugins
from tests.plugin_install import installed_distribution
from tests.tiny_plugin import TinyPlugin


def test_the_reference_plugin_is_installed_through_its_entry_point() -> None:
    insurer_plugins.forget()
    found = insurer_plugins.installed()
    assert found["radschutz"].insurer_name == "Radschutz Versicherung AG"
    assert "tiny" not in found


def test_a_package_on_the_path_adds_its_plugin(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    points = {
        "tiny": "tests.tiny_plugin:plugin",
        "broken": "tests.tiny_plugin:not_a_plugin",
        "missing": "tests.no_such_module:plugin",
    }
    with caplog.at_level(logging.ERROR), installed_distribution(tmp_path, points):
        found = insurer_plugins.installed()
        assert isinstance(found["tiny"], TinyPlugin)
        assert "radschutz" in found
        assert "broken" not in found and "missing" not in found
    assert "broken" in caplog.text and "missing" in caplog.text
    assert "tiny" not in insurer_plugins.installed()  # gone with its package


def test_the_reference_insurer_is_not_offered_in_production() -> None:
    """Radschutz is an example insurer: a production portal offers only real ones."""
    try:
        insurer_plugins.offer_reference(False)
        assert "radschutz" not in insurer_plugins.installed()
    finally:
        insurer_plugins.offer_reference(True)
    assert "radschutz" in insurer_plugins.installed()
