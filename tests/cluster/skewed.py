"""Run `tenant-app …` as on a host whose clock runs ahead: `python -m tests.cluster.skewed
SECONDS worker`. Every wall clock the app reads (time.time, time.time_ns and datetime.now /
utcnow in each tenant_app module) is moved; the database's clock is not."""

from __future__ import annotations

import sys
import time
from datetime import datetime, timedelta
from typing import Any


def shift(seconds: float) -> None:
    real_time, real_time_ns = time.time, time.time_ns

    class AnyDatetime(type):
        """`isinstance(value, datetime)` stays true for the datetimes the database returns."""

        def __instancecheck__(cls, value: object) -> bool:
            return isinstance(value, datetime)

    class HostDatetime(datetime, metaclass=AnyDatetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return datetime.now(tz) + timedelta(seconds=seconds)

        @classmethod
        def utcnow(cls) -> Any:
            return datetime.utcnow() + timedelta(seconds=seconds)  # noqa: DTZ003 - as replaced

    time.time = lambda: real_time() + seconds
    time.time_ns = lambda: real_time_ns() + int(seconds * 1e9)
    # Modules bound `datetime` at import; each gets the moved one (the app is imported whole).
    import tenant_app.app  # noqa: F401 - imports every module the worker runs

    for name, module in list(sys.modules.items()):
        wanted = name.startswith("tenant_app") or name == "tortoise.timezone"
        if wanted and getattr(module, "datetime", None) is datetime:
            module.datetime = HostDatetime  # type: ignore[attr-defined]


def main() -> None:
    seconds = float(sys.argv[1])
    shift(seconds)
    from tenant_app.cli import main as tenant_app

    raise SystemExit(tenant_app(sys.argv[2:]))


if __name__ == "__main__":
    main()
