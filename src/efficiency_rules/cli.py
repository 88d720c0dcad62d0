"""Entry point of the ``efficiency-rules`` command (needs the ``cli`` extra).

Exit status: 0 ok; 1 problems found in the input (ruleset, events, year files, scenarios);
2 an error of use (an option or argument the command does not take); 3 an internal error, a bug,
printed as one line (``--debug`` shows the traceback); 4 the output could not be written (a full
disk, a closed pipe).
"""

from __future__ import annotations

import os
import sys
import traceback

__all__ = ["EXIT_INPUT", "EXIT_INTERNAL", "EXIT_OK", "EXIT_OUTPUT", "EXIT_USAGE", "main"]

INSTALL_HINT = 'the efficiency-rules command needs the "cli" extra: pip install "efficiency-rules[cli]"'
EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_INTERNAL, EXIT_OUTPUT = 0, 1, 2, 3, 4
BUG_REPORT = (
    "this is a bug in efficiency-rules, not a problem of your input: please report it on the efficiency-rules "
    "issue tracker with the command you ran and its input (--debug shows the traceback)"
)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 problems in the input, 2 an error of use,
    3 an internal error, 4 the output could not be written)."""
    try:
        from ._cli import cli
    except ModuleNotFoundError as exc:
        if exc.name != "click":
            raise
        print(f"efficiency-rules: {INSTALL_HINT}", file=sys.stderr)
        return EXIT_USAGE
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args[: next((i for i, a in enumerate(args) if not a.startswith("-")), len(args))]
    try:
        try:
            cli.main(args=args, prog_name="efficiency-rules")  # standalone mode: always ends in SystemExit
        finally:
            sys.stdout.flush()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except OSError as exc:
        if debug:
            traceback.print_exc()
        _discard_stdout()
        print(f"efficiency-rules: error: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_OUTPUT
    except Exception as exc:  # noqa: BLE001 - the one place an unexpected error becomes one line
        if debug:
            traceback.print_exc()
        first = str(exc).splitlines()[0][:200] if str(exc) else ""
        print(f"efficiency-rules: internal error: {type(exc).__name__}{': ' + first if first else ''}; {BUG_REPORT}",
              file=sys.stderr)
        return EXIT_INTERNAL


def _discard_stdout() -> None:
    """Output that cannot be written is dropped, so that the interpreter's last flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (captured in tests)
        pass
