"""Entry point of the ``efficiency-rules`` command (needs the ``cli`` extra)."""

from __future__ import annotations

import sys

__all__ = ["main"]

INSTALL_HINT = 'the efficiency-rules command needs the "cli" extra: pip install "efficiency-rules[cli]"'


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 a finding, 2 an error of use)."""
    try:
        from ._cli import cli
    except ModuleNotFoundError as exc:
        if exc.name != "click":
            raise
        print(f"efficiency-rules: {INSTALL_HINT}", file=sys.stderr)
        return 2
    try:
        cli.main(args=argv, prog_name="efficiency-rules")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0
