"""``evaluate --workers N``: one events file judged by N local processes (standard library only).

The steps are those of the ``dask`` module (:mod:`._partition`), run by N worker processes that
each keep a partition of threads from the moment it is judged to the moment its verdicts are
written, so that a verdict and its explanation never travel between processes unless the report
is asked for:

1. the workers read the file in blocks of at most ``BLOCK_BYTES`` (validating its lines, placing
   problems at their line) and write each block's events to a file of the work directory,
   bucketed by id; only the problems and the counts come back;
2. a worker takes each bucket of ids from every block's file and meets the events of each id (the
   first stands, a repeat is skipped, another event with the same id is a problem at its line),
   writing the events that stand to a file, bucketed by thread partition; with problems and
   without ``--keep-going`` this process stops here, before judging;
3. the threads are dealt into ``PARTITIONS_PER_WORKER`` partitions a worker (more for a large file:
   one per ``PARTITION_BYTES`` of it); a worker reads one partition's events from the bucket files and
   judges it
   at a time as ``Engine.evaluate`` judges it, sends back what accountability reads (what a stream
   keeps of a verdict) and its counts, writes its verdicts (as JSON lines in order of time, or as
   verdicts for the report), lets it go and takes the next one not yet judged;
4. this process runs accountability over what they sent once every partition is judged, while the
   last are written; the partitions' lines are written one partition after another, then come the
   verdicts accountability gives, as the stream gives them.

Events travel between the steps through files, so this process holds no event, and a worker holds
a block, a bucket of ids or a partition at a time (a partition is a ``PARTITIONS_PER_WORKER * N``-th
of the threads). Disk holds up to about 2.7 times the file while it runs (two copies, by id and by
partition), in the system's temporary directory.

Workers are forked from this process where the platform allows it and this process runs no
other thread (they then share the rulesets already loaded); otherwise they are started afresh
and load the rulesets themselves.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import multiprocessing
import os
import pickle
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection, wait
from typing import Any, BinaryIO

import click

from ._errors import EfficiencyRulesError, OutputError
from ._gc import bulk_collection
from ._partition import (
    Problem,
    _accountability,
    _accountability_input,
    _Block,
    _counts,
    _id_part,
    _judge_part,
    _newlines,
    _read_part,
    _report_of,
    _Spec,
    _tally,
)

__all__ = ["evaluate_local"]


def evaluate_local(
    rulesets: tuple[str, ...], events_path: str, as_of: dt.datetime, *, backend: str, keep_going: bool,
    verdicts_path: str | None, workers: int, zh: bool, quiet: bool, retention: dt.timedelta = dt.timedelta(days=30),
) -> tuple[Any, list[Problem], dict[str, Any], int]:
    """(the report, the problems, the counts, verdicts written to ``verdicts_path``) of the file on ``workers`` processes.

    With ``verdicts_path`` the verdicts are written as JSON lines, those revoked later included and
    counted: each partition's rule and clock verdicts in order of time (then id), one partition after
    another, then those accountability gives; no report is made.
    """
    # the workers run in this directory: the rulesets are named as given (the report names them so)
    spec = _Spec(tuple(rulesets), backend, None, retention)
    spec.engine()  # the rulesets are checked (and loaded once, for forked workers) before any worker starts
    context = _context()
    progress = context.Value("q", 0)
    pool = [_Worker(context, spec, as_of, progress) for _ in range(workers)]
    try:
        with bulk_collection():
            return _run(pool, spec, events_path, as_of, progress, keep_going=keep_going, verdicts_path=verdicts_path,
                        zh=zh, quiet=quiet)
    finally:
        for worker in pool:
            worker.stop()


def _context() -> Any:
    """Fork where it is safe (a POSIX platform that has it, and no other thread here), else spawn."""
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


class _Worker:
    """One worker process and the pipe that gives it commands."""

    def __init__(self, context: Any, spec: _Spec, as_of: dt.datetime, progress: Any) -> None:
        self.conn, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs, spec, as_of, progress), daemon=True)
        self.process.start()
        theirs.close()

    def send(self, command: str, *args: Any) -> None:
        self.conn.send((command, args))

    def result(self) -> Any:
        try:
            status, value = self.conn.recv()
        except EOFError:
            raise EfficiencyRulesError(
                f"a worker process stopped unexpectedly (exit code {self.process.exitcode}); "
                "try fewer --workers if memory is short") from None
        if status == "error":
            raise value
        return value

    def stop(self) -> None:
        if self.process.is_alive():
            try:
                self.send("stop")
            except OSError:
                pass
            self.process.join(timeout=5)
            if self.process.is_alive():
                self.process.kill()
                self.process.join()
        self.conn.close()


def _serve(conn: Connection, spec: _Spec, as_of: dt.datetime, progress: Any) -> None:
    """A worker's loop: read a block, judge a partition, write its verdicts, as it is told."""
    with bulk_collection():  # the process holds its partition from judging to writing
        _loop(conn, spec, as_of, progress)


def _loop(conn: Connection, spec: _Spec, as_of: dt.datetime, progress: Any) -> None:
    part: dict[str, Any] | None = None
    while True:
        try:
            command, args = conn.recv()
        except EOFError:
            return
        try:
            if command == "stop":
                return
            if command == "read":
                block, before, count, path = args
                problems, buckets, read = _read_part(spec, block, before, count)
                value: Any = (problems, _dump(buckets, path), read)
            elif command == "ids":
                places, count, sources, path = args
                problems, repeats, out = _id_part(spec, _load(places), 0, count, sources)
                value = (problems, repeats, _dump(out, path), [len(records) for records in out])
            elif command == "judge":
                part = _judge_part(spec, _load(args[0]), 0, as_of, progress, args[1])
                value = (_accountability_input(spec, part), _tally(part))
            elif command == "lines":
                assert part is not None
                value = _write_lines(part, args[0])
                part = None  # let go before the next partition is judged
            else:  # "report": the partition's verdicts (explained here) and case states
                assert part is not None
                value = (part["verdicts"], part["cases"])
                part = None
            conn.send(("ok", value))
        except BaseException as error:  # told to this process's parent, which raises it
            conn.send(("error", _sendable(error)))
            if not isinstance(error, Exception):
                raise


def _sendable(error: BaseException) -> BaseException:
    """``error`` if it survives pickling, else an ``EfficiencyRulesError`` that says what it was."""
    try:
        pickle.loads(pickle.dumps(error))
    except (pickle.PickleError, TypeError, AttributeError, ValueError):
        return EfficiencyRulesError(f"{type(error).__name__}: {error}")
    return error


@contextlib.contextmanager
def _work_file(path: str) -> Iterator[BinaryIO]:
    """``path`` in the work directory, open for writing; no room there is an ``OutputError``, not Python's."""
    try:
        with open(path, "wb") as out:
            yield out
    except OSError as error:
        raise OutputError(f"cannot write the work file {path}: {error.strerror or error}; the workers need room for "
                          "about three times the events file there (set TMPDIR to a directory that has it)") from None


def _dump(buckets: list[list[Any]], path: str) -> list[int]:
    """Write each bucket's records to ``path``, one after another; where each begins."""
    starts = []
    with _work_file(path) as out:
        for records in buckets:
            starts.append(out.tell())
            pickle.dump(records, out, protocol=pickle.HIGHEST_PROTOCOL)
    return starts


def _load(places: list[tuple[str, int]]) -> list[list[list[Any]]]:
    """The records of the buckets at ``places`` ((file, where the bucket begins) each), each as bucket 0 of a part:
    the shape ``_id_part`` and ``_judge_part`` read."""
    found = []
    for path, start in places:
        with open(path, "rb") as source:
            source.seek(start)
            found.append([pickle.load(source)])  # (files this run's workers wrote, in its own directory)
    return found


def _write_lines(part: dict[str, Any], path: str) -> int:
    """Write a partition's verdicts to ``path`` as JSON lines (in order of time, then id); how many."""
    with _work_file(path) as out:
        out.writelines(verdict.model_dump_json().encode("utf-8") + b"\n" for verdict in part["verdicts"])
    return len(part["verdicts"])


#: Thread partitions per worker: a worker holds one at a time (memory a fourth of one a worker), and one that
#: finishes early takes the next (the workers finish together).
PARTITIONS_PER_WORKER = 4
#: A large file is dealt into more partitions, one per this many bytes of it, so that what a worker holds while it
#: judges one (about 4 KB an event on the realistic workload, its report's verdicts included) stays bounded.
PARTITION_BYTES = 32 << 20
#: The most bytes of the file a worker reads in one block (and holds while it buckets them).
BLOCK_BYTES = 64 << 20


def _run(pool: list[_Worker], spec: _Spec, path: str, as_of: dt.datetime, progress: Any, *, keep_going: bool,
         verdicts_path: str | None, zh: bool, quiet: bool) -> tuple[Any, list[Problem], dict[str, Any], int]:
    count = len(pool)
    size = os.path.getsize(path)
    parts = max(count * PARTITIONS_PER_WORKER, -(-size // PARTITION_BYTES))
    sources = [path]
    try:
        directory = tempfile.TemporaryDirectory(prefix="efficiency-rules-")
    except OSError as error:
        raise OutputError(f"cannot make a work directory in {tempfile.gettempdir()}: {error.strerror or error}; "
                          "set TMPDIR to a writable directory") from None
    with directory as work:
        # 1. read: blocks dealt to the workers in turn, each written to its file bucketed by id
        step = max(1, min(-(-size // count), BLOCK_BYTES))
        blocks = [(start, min(start + step, size)) for start in range(0, max(size, 1), step)]
        before = 0
        for index, (start, end) in enumerate(blocks):
            pool[index % count].send("read", _Block(0, path, os.path.abspath(path), start, end), before, parts,
                                     os.path.join(work, f"read-{index}"))
            before += _newlines(path, start, end)
        reads = [pool[index % count].result() for index in range(len(blocks))]
        # 2. ids: the first event of each id stands; each bucket's events written by thread partition
        for bucket in range(parts):
            places = [(os.path.join(work, f"read-{index}"), read[1][bucket]) for index, read in enumerate(reads)]
            pool[bucket % count].send("ids", places, parts, sources, os.path.join(work, f"ids-{bucket}"))
        ids = [pool[bucket % count].result() for bucket in range(parts)]
        problems = sorted([p for read in reads for p in read[0]] + [p for part in ids for p in part[0]],
                          key=lambda p: p.order)
        if problems and not keep_going:
            raise problems[0].error()
        read_counts = [read[2] for read in reads]
        repeats = [part[1] for part in ids]
        total = sum(sum(part[3]) for part in ids)
        for index in range(len(blocks)):
            os.remove(os.path.join(work, f"read-{index}"))

        def records(index: int) -> list[tuple[str, int]]:
            """Where a thread partition's records are: in each id bucket's file."""
            return [(os.path.join(work, f"ids-{bucket}"), ids[bucket][2][index]) for bucket in range(parts)]

        # 3. judge: each worker a partition at a time, the next when it is done; 4. a worker that has judged a
        # partition writes its verdicts at once (or sends them for the report), while accountability runs here
        judging = _Judging(pool, parts, records, sources, None if verdicts_path is None else work)
        inputs, tallies = zip(*judging.judged(progress, total, zh=zh, quiet=quiet), strict=True)
        counts = _counts(read_counts, repeats, list(tallies), [0], [len(problems)])
        given, revoked, scores, notes, aggregates = _accountability(spec, list(inputs), as_of)
        results = judging.written()
        if verdicts_path is None:
            return _report(spec, results, given, revoked, scores, notes, aggregates, counts, as_of), problems, counts, 0
        written = sum(results)
        with click.open_file(verdicts_path, "wb") as out:
            for index in range(parts):  # partition after partition, each in order of time
                with open(os.path.join(work, f"{index}.jsonl"), "rb") as part:
                    shutil.copyfileobj(part, out, 1 << 20)
            # then, as the stream does at its end, the verdicts accountability gives
            for verdict in given:
                out.write(verdict.model_dump_json().encode("utf-8") + b"\n")
                written += 1
    return None, problems, {**counts, "revoked": sorted(revoked)}, written


class _Judging:
    """The thread partitions dealt to the workers as they become free: each is judged (what accountability reads
    and the counts come back), then written to ``work`` as JSON lines (or, without ``work``, its verdicts and
    case states come back for the report)."""

    def __init__(self, pool: list[_Worker], parts: int, records: Callable[[int], list[tuple[str, int]]], sources: list[str],
                 work: str | None) -> None:
        self.pool, self.records, self.sources, self.work = pool, records, sources, work
        self.queue = collections.deque(range(parts))
        self.parts = parts
        self.pending: dict[int, collections.deque[tuple[str, int]]] = {i: collections.deque() for i in range(len(pool))}
        self.inputs: dict[int, Any] = {}
        self.outputs: dict[int, Any] = {}
        for index in range(len(pool)):
            self._give(index)

    def _give(self, index: int) -> None:
        if not self.queue:
            return
        part = self.queue.popleft()
        worker = self.pool[index]
        worker.send("judge", self.records(part), self.sources)
        if self.work is None:
            worker.send("report")
        else:
            worker.send("lines", os.path.join(self.work, f"{part}.jsonl"))
        self.pending[index].extend((("judge", part), ("out", part)))

    def _step(self, timeout: float) -> None:
        waiting = {self.pool[index].conn: index for index, queue in self.pending.items() if queue}
        for conn in wait(list(waiting), timeout=timeout):
            index = waiting[conn]
            kind, part = self.pending[index].popleft()
            value = self.pool[index].result()
            if kind == "judge":
                self.inputs[part] = value
            else:
                self.outputs[part] = value
                self._give(index)

    def judged(self, progress: Any, total: int, *, zh: bool, quiet: bool) -> list[Any]:
        """What each partition sent back once judged, in partition order, showing progress on a terminal."""
        bar: Any = None
        started = time.monotonic()

        def rate(done: int | None) -> str:
            done = done or 0
            elapsed = max(time.monotonic() - started, 1e-9)
            return (f"{done:,}个事件，每秒{done / elapsed:,.0f}个，用时{elapsed:,.0f}秒" if zh
                    else f"{done:,} events, {done / elapsed:,.0f}/s, {elapsed:,.0f} s")

        if not quiet and sys.stderr.isatty():
            bar = click.progressbar(length=max(total, 1), label="判定事件" if zh else "judging events", file=sys.stderr,
                                    show_eta=True, show_percent=True, item_show_func=rate)
            bar.__enter__()
        shown = 0
        try:
            while len(self.inputs) < self.parts:
                self._step(0.25)
                if bar is not None:
                    done = min(progress.value, total)
                    bar.update(done - shown, done)
                    shown = done
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
        return [self.inputs[part] for part in range(self.parts)]

    def written(self) -> list[Any]:
        """What each partition's writing gave (lines written, or its verdicts and case states), in partition order."""
        while any(self.pending.values()):
            self._step(1.0)
        return [self.outputs[part] for part in range(self.parts)]


def _report(spec: _Spec, results: list[Any], given: list[Any], revoked: set[str], scores: list[Any], notes: list[Any],
            aggregates: list[Any], counts: dict[str, int], as_of: dt.datetime) -> Any:
    from ._verdicts import RulesetRef

    verdicts = [v for part, _ in results for v in part if v.id not in revoked]
    verdicts.extend(given)
    rulesets = [RulesetRef(id=r.id, version=r.version, path=r.path) for r in spec.engine().rulesets]
    return _report_of(as_of, rulesets, verdicts, [c for _, part in results for c in part], counts, scores, notes,
                      aggregates)
