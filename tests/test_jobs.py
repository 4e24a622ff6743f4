"""The background loop: every job runs, a failing one stops none, slow jobs wait their turn."""

from __future__ import annotations

from tenant_app.jobs.runner import Job, JobRunner


async def test_a_failing_job_does_not_stop_the_others(settings) -> None:
    ran: list[str] = []

    async def broken() -> None:
        ran.append("broken")
        raise RuntimeError("database hiccup")

    async def fine() -> None:
        ran.append("fine")

    runner = JobRunner(settings)
    runner.jobs = [Job("broken", 0, broken), Job("fine", 0, fine)]
    await runner.run_round()
    await runner.run_round()
    assert ran == ["broken", "fine", "broken", "fine"]


async def test_a_periodic_job_runs_once_per_period(settings) -> None:
    ran: list[str] = []

    async def cleanup() -> None:
        ran.append("cleanup")

    runner = JobRunner(settings)
    runner.jobs = [Job("cleanup", 600, cleanup)]
    await runner.run_round()
    await runner.run_round()
    assert ran == ["cleanup"]


async def test_a_database_that_does_not_answer_gives_one_line_not_a_traceback(
    settings, caplog
) -> None:
    async def frozen() -> None:
        raise TimeoutError  # what asyncpg raises when its statement timeout runs out

    runner = JobRunner(settings)
    runner.jobs = [Job("outbox", 0, frozen)]
    caplog.set_level("INFO", logger="tenant_app.jobs")
    await runner.run_round()
    records = [r for r in caplog.records if r.name == "tenant_app.jobs"]
    assert [(r.levelname, r.getMessage(), r.exc_info) for r in records] == [
        ("WARNING", "background job waits for the database", None)
    ]
