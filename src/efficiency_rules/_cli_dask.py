"""``evaluate --workers N`` and ``--scheduler ADDRESS``: the command's evaluation on Dask (extra ``dask``)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from typing import Any

import click

from ._local import BLOCK_BYTES, PARTITION_BYTES

__all__ = ["evaluate_distributed"]


def evaluate_distributed(
    rulesets: tuple[str, ...], events_path: str, as_of: dt.datetime, *, backend: str, keep_going: bool,
    verdicts_path: str | None, workers: int, scheduler: str | None, zh: bool, quiet: bool,
    retention: dt.timedelta = dt.timedelta(days=30),
) -> tuple[Any, list[Any], dict[str, Any], int]:
    """(the report, the problems, the counts, verdicts written to ``verdicts_path``) of the events on Dask.

    With ``verdicts_path`` the verdicts are written as JSON lines as the stream writes them: the rule
    and clock verdicts one partition at a time (each in order of time; those revoked later
    included, and counted), then those of accountability; the report is not gathered.
    """
    try:
        import distributed
    except ImportError:
        option = f"--scheduler {scheduler}" if scheduler else f"--workers {workers}"
        raise click.UsageError(
            f"{option} needs the 'dask' extra, which is not installed: pip install 'efficiency-rules[dask]'"
        ) from None
    from . import dask as on_dask

    lib: Any = distributed  # (not typed)
    cluster = None
    client: Any
    if scheduler:
        client = lib.Client(scheduler, timeout="30s")
    else:
        cluster = lib.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                               silence_logs=logging.ERROR)
        client = lib.Client(cluster)
    try:
        threads = max(1, sum(client.nthreads().values()))
        size = os.path.getsize(events_path)
        # small enough to balance the load and to keep a worker's share in memory (one per 32 MiB of a large
        # file, as the local workers deal them), large enough not to drown in tasks
        parts = max(4 * threads, -(-size // PARTITION_BYTES))
        report = on_dask.evaluate(rulesets, events_path, as_of=as_of, backend=backend,  # type: ignore[arg-type]
                                  keep_going=keep_going, partitions=parts, retention=retention,
                                  block_size=max(1 << 20, min(-(-size // (2 * threads)), BLOCK_BYTES)))
        # the partitions are judged first; then accountability (one task over every thread's verdicts) runs
        # on one worker while the others write the lines of the partitions they hold
        judged = client.compute(report.parts(), priority=10)
        lines: list[Any] = []
        account: Any = None
        if verdicts_path is not None:
            account = client.compute([report.problems, report.counts, report.revoked, report.given], priority=20)
            lines = [client.submit(_verdict_lines, part, pure=False, priority=0) for part in judged]
        shown = not quiet and sys.stderr.isatty()
        if shown:
            label = "判定分区" if zh else "judging partitions"
            with click.progressbar(length=len(judged), label=label, file=sys.stderr, show_eta=True) as bar:
                for _ in lib.as_completed(judged):
                    bar.update(1)
        if verdicts_path is None:
            result, problems, counts = report.gather(client)
            return result, problems, counts, 0
        problems, counts, revoked, given = client.gather(account)
        counts = {**counts, "revoked": revoked}
        problems = sorted(problems, key=lambda p: p.order)
        if problems and not keep_going:
            raise problems[0].error()
        written = 0
        with click.open_file(verdicts_path, "w", encoding="utf-8") as out:
            for index, future in enumerate(lines):
                part_lines = future.result()
                lines[index] = None  # the worker may forget them
                out.writelines(part_lines)
                written += len(part_lines)
                del future, part_lines
            # then, as the stream does at its end, the verdicts accountability gives
            for verdict in given:
                out.write(verdict.model_dump_json() + "\n")
                written += 1
        return None, problems, counts, written
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _verdict_lines(part: dict[str, Any]) -> list[str]:
    """A partition's rule and clock verdicts as JSON lines, written in the worker that holds them."""
    from ._gc import bulk_collection

    with bulk_collection():
        return [verdict.model_dump_json() + "\n" for verdict in part["verdicts"]]
