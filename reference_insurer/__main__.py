"""`python -m reference_insurer [--host 127.0.0.1] [--port 8070]`: the demo service
(account demo-makler / radschutz-demo, agent numbers VM-10001 to VM-10009)."""

from __future__ import annotations

import argparse

import uvicorn


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m reference_insurer",
        description="Radschutz Versicherung AG's broker interface (reference insurer).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8070)
    args = parser.parse_args(argv)
    uvicorn.run("reference_insurer.app:app", host=args.host, port=args.port)


if __name__ == "__main__":
    main()
