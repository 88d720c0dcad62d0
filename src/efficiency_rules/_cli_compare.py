"""The ``compare`` command: the same events judged under two sets of rulesets, and what changes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import click

__all__ = ["compare_command", "ruleset_list"]

_SEPARATORS = re.compile(r"[+,]")


def ruleset_list(text: str) -> list[str]:
    """A side of the comparison: one ruleset (a file, a directory or a shipped id), or several joined by ``+`` or
    ``,`` (``cn.xzxk+city.yaml``). A path that exists is taken whole, even with ``+`` or ``,`` in its name."""
    if Path(text).exists() or not _SEPARATORS.search(text):
        return [text]
    parts = [part.strip() for part in _SEPARATORS.split(text)]
    if not all(parts):
        raise click.BadParameter(f"{text!r} has an empty ruleset between its '+' or ',': write e.g. cn.xzxk+city.yaml")
    return parts


@click.command("compare")
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.option("--events", "events_path", required=True, type=click.Path(exists=True, dir_okay=False), help="JSON Lines file of events.")
@click.option("--as-of", "as_of", required=True, help="Judge both as of this aware datetime, e.g. 2026-01-01T00:00+08:00.")
@click.option("--format", "output", type=click.Choice(["table", "json", "xlsx", "csv"]), default="table", show_default=True,
              help="xlsx: an Excel workbook written to --output FILE; csv: one CSV file per sheet in --output DIR.")
@click.option("--output", "output_path", type=click.Path(allow_dash=False),
              help="Where --format xlsx writes its workbook (a file) or --format csv its files (a directory).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Language of the table and sheets.")
@click.option("--rows", type=click.IntRange(min=0), default=None,
              help="Show at most N rows of each list of the table (cases, scores, verdicts); the rest are counted.")
@click.option("--backend", type=click.Choice(["native", "durable"]), default="native", show_default=True)
def compare_command(old: str, new: str, events_path: str, as_of: str, output: str, output_path: str | None,
                    lang: Literal["zh", "en"], rows: int | None, backend: str) -> None:
    """Judge the same events with OLD and with NEW rulesets and show what changes: verdicts added, removed and
    changed (by rule, unit and month), cases that become late or on time with both deadlines, and scores.

    OLD and NEW are each a ruleset file, directory or shipped id (cn.xzxk), or several loaded together,
    joined by '+' or ',' (e.g. before.yaml+cn.xzxk).
    """
    from ._cli import _aware, _reports_errors
    from ._compare import compare

    @_reports_errors
    def run() -> None:
        moment = _aware(as_of, "--as-of")
        if output in ("xlsx", "csv") and output_path is None:
            example = "FILE, e.g. --output compare.xlsx" if output == "xlsx" else "DIR, e.g. --output compare-csv/"
            raise click.UsageError(f"--format {output} needs --output {example}")
        comparison = compare(ruleset_list(old), ruleset_list(new), events_path, as_of=moment, backend=backend)
        if output == "xlsx":
            assert output_path is not None  # checked above
            comparison.to_xlsx(output_path, language=lang)
        elif output == "csv":
            assert output_path is not None  # checked above
            comparison.to_csv(output_path, language=lang)
        else:
            click.echo(comparison.to_json() if output == "json" else comparison.table(language=lang, rows=rows), nl=output == "json")
            return
        click.echo(f"比较结果已写入{output_path}" if lang == "zh" else f"comparison written to {output_path}", err=True)

    run()
