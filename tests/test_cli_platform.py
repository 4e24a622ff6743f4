"""The operator's commands for the platform: its space with an operator, backoffices and
their people, each new login with a one-time password printed once.

Each test runs the real command in a process of its own, on a database of its own: SQLite,
or a throwaway PostgreSQL database when DATABASE_URL points at a server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.migrated import MigratedDatabases

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli_database(tmp_path: Path, migrated: MigratedDatabases) -> str:
    """A migrated database of the run's kind (PostgreSQL when DATABASE_URL names one)."""
    return migrated.of_this_run(tmp_path / "cli.sqlite3")


@pytest.fixture
def run(cli_database: str) -> Run:
    def command(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        environment = {
            **os.environ,
            "DATABASE_URL": cli_database,
            "ARGON2_PROFILE": "fast",
            "BASE_DOMAIN": "localhost",
            "PUBLIC_PORT": "8000",
            **env,
        }
        environment.pop("PLATFORM_HOST", None)
        return subprocess.run(
            [sys.executable, "-m", "tenant_app.cli", *args],
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return command


def _password(output: str) -> str:
    match = re.search(r"Initial password: (\S+)  \(one-time", output)
    assert match, output
    return match.group(1)


OPERATOR = ("platform", "init", "--operator-email", "Ops@Platform.example")
BACKOFFICE = ("backoffice", "create", "--name", "Nordlicht Backoffice", "--legal-form", "GmbH")
PERSON = (
    "backoffice",
    "add-user",
    "--backoffice",
    "Nordlicht Backoffice",
    "--email",
    "bea@nordlicht.example",
    "--first-name",
    "Bea",
    "--last-name",
    "Backoffice",
)


def test_platform_backoffice_and_person_each_print_how_to_log_in(run: Run) -> None:
    made = run(*OPERATOR, "--first-name", "Otto", "--last-name", "Operator")
    assert made.returncode == 0, made.stderr
    assert "Platform space ready on platform.localhost." in made.stdout
    assert "Login page: http://platform.localhost:8000/login" in made.stdout
    assert "Login: otto.operator  (e-mail ops@platform.example)" in made.stdout
    _password(made.stdout)

    created = run(*BACKOFFICE, "--email", "tender@nordlicht.example", "--days", "7")
    assert created.returncode == 0, created.stderr
    assert "'Nordlicht Backoffice' created (service promise: 7 working days)" in created.stdout

    person = run(*PERSON)
    assert person.returncode == 0, person.stderr
    assert "Login page: http://platform.localhost:8000/login" in person.stdout
    assert "Login: bea.backoffice  (e-mail bea@nordlicht.example)" in person.stdout
    assert _password(person.stdout) != _password(made.stdout)


def test_a_second_operator_and_another_host_keep_one_platform(run: Run) -> None:
    assert run(*OPERATOR).returncode == 0
    again = run(*OPERATOR)
    assert again.returncode == 2 and "error: email: This e-mail address is already taken." in (
        again.stderr
    )
    moved = run(
        "platform", "init", "--host", "plattform.example.com", "--operator-email", "b@p.example"
    )
    assert moved.returncode == 0, moved.stderr
    assert "Platform space ready on plattform.example.com." in moved.stdout


def test_wrong_input_is_refused_with_a_clear_error(run: Run) -> None:
    no_space = run(*PERSON)
    assert no_space.returncode == 2 and "run `platform init` first" in no_space.stderr
    assert run(*OPERATOR).returncode == 0
    unknown = run(*PERSON)
    assert unknown.returncode == 2
    assert "error: backoffice: no backoffice named 'Nordlicht Backoffice'" in unknown.stderr

    assert run(*BACKOFFICE).returncode == 0
    twice = run(*BACKOFFICE)
    assert twice.returncode == 2 and "error: name: A backoffice of this name exists" in twice.stderr
    bad_mail = run("backoffice", "create", "--name", "X", "--email", "kein-mail")
    assert bad_mail.returncode == 2 and "error: email:" in bad_mail.stderr
    bad_days = run("backoffice", "create", "--name", "Y", "--days", "0")
    assert bad_days.returncode == 2 and "--days" in bad_days.stderr

    assert run(*PERSON).returncode == 0
    taken = run(*PERSON)
    assert taken.returncode == 2 and "error: email: This e-mail address is already taken." in (
        taken.stderr
    )
    nameless = run(*PERSON[:-4], "--first-name", " ", "--last-name", "B", "--email", "c@n.example")
    assert nameless.returncode == 2 and "error: first_name:" in nameless.stderr
