"""Evaluation on Dask: a province's logs judged by many processes or machines (extra ``dask``).

:func:`evaluate` takes JSON Lines paths (globs allowed), a ``dask.bag`` of events (dicts or JSON
text) or a ``dask.dataframe`` of events, and returns a :class:`DaskReport` whose parts are Dask
collections: nothing is gathered into one process until :meth:`DaskReport.to_report` (or a
``.compute()`` of a part) asks for it. It runs on whatever scheduler Dask uses: a
``distributed.Client`` (a ``LocalCluster`` of processes, or a cluster of machines) or Dask's local
schedulers. docs/distributed.md describes running it on a cluster.

The work, as tasks:

1. **Read** (one task per block of a file, or per partition of a bag): each line is read and
   validated as ``read_events`` does it, and placed by its file and line (a bag's items by their
   partition and position); a bad line becomes a problem with that place.
2. **Ids** (shuffle by event id): the events of one id meet; the first (in file and line order)
   stands, a later one with the same content is a repeat and skipped, one with other content —
   in the same thread or in another — is a ``DuplicateEventError`` placed at its line, naming the
   first, as the reader on one machine reports it.
3. **Threads** (shuffle by thread key): each partition holds whole threads, judged by an engine
   built in the worker from the rulesets (paths or ids) exactly as ``Engine.evaluate`` judges them.
4. **Accountability** (by groups of subjects, see ``_account_split``): where every section of the
   rulesets is per one role (per unit in every shipped city), each partition deals what a stream
   keeps of the verdicts it counts, the events counters count and its stopped clocks into groups of
   units; each group is worked out on its own, reading the organisation, rankings, interviews and
   revocations whole, and one small task puts the groups together (ranks the scores, finds the
   revoked verdicts). Where the roles mix, one task receives every partition's counted verdicts and
   the events accountability reads; its memory is that of the counted verdicts.

The result equals ``Engine.evaluate`` over ``read_events`` of the same files read one after
another: the same verdicts (ids and content), case states and scores.
"""

from __future__ import annotations

import datetime as dt
import glob
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ._errors import UsageError
from ._partition import (
    Problem,
    _accountability,
    _accountability_input,
    _Block,
    _combine_part,
    _counts,
    _everywhere,
    _everywhere_part,
    _field_of,
    _group_part,
    _id_part,
    _Items,
    _judge_part,
    _kept_verdicts,
    _known_part,
    _newlines,
    _problem_json,
    _read_part,
    _report_of,
    _route_part,
    _ruleset_name,
    _Spec,
    _tally,
)
from ._ruleset import Ruleset

if TYPE_CHECKING:
    from ._verdicts import Report, RulesetRef

try:
    import dask
    import dask.bag as db
    from dask.delayed import delayed
    _bag: Any = db  # (dask is not typed)
    _dask: Any = dask
except ImportError as exc:  # pragma: no cover - exercised where the extra is absent
    raise ImportError(
        "efficiency_rules.dask needs the 'dask' extra: pip install 'efficiency-rules[dask]'"
    ) from exc

__all__ = ["DEFAULT_BLOCK_SIZE", "DaskReport", "Problem", "evaluate", "local_cluster"]

#: Bytes of a file read by one task (a block ends at the end of a line).
DEFAULT_BLOCK_SIZE = 32 << 20


@dataclass
class DaskReport:
    """A report as Dask collections; :meth:`to_report` gathers it into one :class:`Report`.

    ``verdicts``, ``cases``, ``scores`` and ``problems`` are ``dask.bag`` collections (of
    :class:`Verdict`, :class:`CaseState`, :class:`Score` and :class:`Problem`); ``counts`` is a
    delayed dict: ``read`` (events read: lines that are not blank, or bag items), ``judged``,
    ``repeats`` (same id and content as an earlier event, skipped), ``bad`` (problems),
    ``after_as_of`` (dated after ``as_of``, not judged) and ``open_threads``.
    ``read == judged + repeats + bad + after_as_of`` always holds.
    """

    verdicts: Any  # a dask.bag.Bag
    cases: Any  # a dask.bag.Bag
    scores: Any  # a dask.bag.Bag
    problems: Any  # a dask.bag.Bag
    counts: Any  # a Delayed
    revocations: Any
    revoked: Any  # a Delayed set: the ids of thread verdicts revoked
    as_of: dt.datetime
    rulesets: list[RulesetRef]
    keep_going: bool = False
    aggregates: Any = None  # a Delayed list of the report's aggregates
    given: Any = None  # a Delayed list of the verdicts accountability gives (the last partition of ``verdicts``)
    _judged: list[Any] = field(default_factory=list, repr=False)

    def parts(self) -> list[Any]:
        """The tasks that judge the threads, one per partition (to follow progress, or to persist them)."""
        return list(self._judged)

    def to_report(self, client: Any = None) -> Report:
        """Gather everything into one :class:`Report`, equal to ``Engine.evaluate``'s.

        It is computed on ``client``, or on the ``distributed`` client in use, or else on
        processes of this machine (Dask's ``processes`` scheduler).

        Without ``keep_going``, the first problem (in file and line order) is raised as the
        :class:`EventError` the reader would raise; with it, see :meth:`gather` for the problems.
        """
        return self.gather(client)[0]

    def gather(self, client: Any = None) -> tuple[Report, list[Problem], dict[str, int]]:
        """(the report, the problems in file and line order, the counts), computed on ``client`` if given."""

        bags = [self.verdicts, self.cases, self.scores, self.problems]
        # each partition goes from the worker that holds it to this process (computing a bag would first
        # gather it on one worker)
        pieces = [piece for bag in bags for piece in bag.to_delayed(optimize_graph=False)]
        got = _compute([*pieces, self.counts, self.revocations, self.aggregates], client)
        counts, revocations, aggregates = got[len(pieces):]
        flat: list[list[Any]] = []
        start = 0
        for bag in bags:
            flat.append([item for piece in got[start:start + bag.npartitions] for item in piece])
            start += bag.npartitions
        verdicts, cases, scores, problems = flat
        problems = sorted(problems, key=lambda p: p.order)
        if problems and not self.keep_going:
            raise problems[0].error()
        report = _report_of(self.as_of, self.rulesets, verdicts, cases, counts, scores, revocations, aggregates)
        return report, problems, counts

    def write_jsonl(self, directory: str | os.PathLike[str], client: Any = None) -> dict[str, list[str]]:
        """Write verdicts, cases, scores and problems as partitioned JSON Lines under ``directory``.

        Each part goes to ``directory/<part>/<n>.jsonl`` (one file per partition, written by the
        worker that holds it: on a cluster, ``directory`` must be a path every worker can write).
        Returns the files written, per part.
        """
        base = os.fspath(directory)
        written: dict[str, list[str]] = {}
        bags = {
            "verdicts": self.verdicts.map(lambda v: v.model_dump_json()),
            "cases": self.cases.map(lambda c: c.model_dump_json()),
            "scores": self.scores.map(lambda s: s.model_dump_json()),
            "problems": self.problems.map(_problem_json),
        }
        tasks = []
        for name, bag in bags.items():
            os.makedirs(os.path.join(base, name), exist_ok=True)
            pattern = os.path.join(base, name, "*.jsonl")
            tasks.append(bag.to_textfiles(pattern, compute=False, encoding="utf-8"))
            written[name] = [os.path.join(base, name, f"{i}.jsonl") for i in range(bag.npartitions)]
        _compute([task for group in tasks for task in group], client)
        return written


def _compute(parts: list[Any], client: Any) -> list[Any]:
    """Compute ``parts`` on ``client``, else on the current ``distributed`` client, else on local processes."""
    if client is None:
        try:
            import distributed

            client = _any(distributed).default_client()
        except (ImportError, ValueError):
            return list(_dask.compute(*parts, scheduler="processes"))
    return list(client.gather(client.compute(parts)))


def evaluate(
    rulesets: Iterable[Ruleset | str | os.PathLike[str]],
    events: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | db.Bag | Any,
    *,
    as_of: dt.datetime,
    partitions: int | None = None,
    block_size: int = DEFAULT_BLOCK_SIZE,
    keep_going: bool = False,
    backend: Literal["native", "durable"] = "native",
    default_tz: dt.tzinfo | None = None,
    retention: dt.timedelta = dt.timedelta(days=30),
) -> DaskReport:
    """Build the evaluation of ``events`` with ``rulesets`` as of ``as_of`` as Dask collections (lazy).

    ``rulesets``: ruleset paths or shipped ids (each worker loads them; paths must be readable
    there) or :class:`Ruleset` objects. ``events``: a JSON Lines path, a glob, or a list of them
    (files are numbered in the order given, globs sorted; every worker must be able to read them);
    or a ``dask.bag`` of events (dicts or JSON text); or a ``dask.dataframe`` (one row an event,
    missing fields as null). ``partitions``: how many thread partitions to judge (default: the
    number of input partitions); ``block_size``: bytes of a file one reading task takes.
    ``keep_going``: bad events are reported (``DaskReport.problems``) and the rest judged; without
    it :meth:`DaskReport.to_report` raises the first.
    """
    from ._account_split import split_of
    from ._engine import BACKENDS, _require_aware

    _require_aware(as_of, "as_of")
    if backend not in BACKENDS:
        raise UsageError(f"unknown backend {backend!r}; choose 'native' or 'durable'")
    from ._engine import Engine
    from ._verdicts import RulesetRef

    given: list[Ruleset | str | Path] = [item if isinstance(item, Ruleset) else Path(item) if not isinstance(item, str) else item
                                         for item in rulesets]
    # the rulesets are checked here, before anything is sent to a worker; the report names them as given
    here = Engine(given, backend=backend, default_tz=default_tz, retention=retention)
    refs = [RulesetRef(id=r.id, version=r.version, path=r.path) for r in here.rulesets]
    split = split_of(here) is not None
    here.close()
    spec = _Spec(tuple(_ruleset_name(item) for item in given), backend, default_tz, retention)
    if isinstance(block_size, bool) or not isinstance(block_size, int) or block_size < 1:
        raise UsageError(f"block_size must be a positive number of bytes, got {block_size!r}")
    reads, sources = _read_tasks(events, block_size)
    count = partitions if partitions is not None else len(reads)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise UsageError(f"partitions must be a positive number, got {partitions!r}")
    # 1. read: each task gives (its problems, its events bucketed by id, events read)
    read = [delayed(_read_part, pure=True, nout=3)(spec, task, needs, count) for task, needs in reads]
    # 2. ids: each id bucket gives (problems, repeats, events bucketed by thread)
    ids = [
        delayed(_id_part, pure=True, nout=3)(spec, [part[1] for part in read], bucket, count, sources)
        for bucket in range(count)
    ]
    # 3. threads: each thread bucket is judged
    judged = [delayed(_judge_part, pure=True)(spec, [part[2] for part in ids], bucket, as_of, None, sources)
              for bucket in range(count)]
    # 4. accountability over every base verdict and the events it reads: by groups of subjects where the rulesets
    # allow it (each group's counted verdicts and events shuffled to it), in one task where they do not
    inputs = [delayed(_accountability_input, pure=True)(spec, part) for part in judged]
    if split:
        everywhere = delayed(_everywhere, pure=True)([delayed(_everywhere_part, pure=True)(spec, part) for part in inputs])
        routed = [delayed(_route_part, pure=True, nout=count)(spec, part, everywhere, as_of, count) for part in inputs]
        results = [delayed(_group_part, pure=True)(spec, [part[group] for part in routed], everywhere, as_of, group, count)
                   for group in range(count)]
        known = [delayed(_known_part, pure=True)(spec, part, everywhere) for part in inputs]
        account = delayed(_combine_part, pure=True)(spec, results, everywhere, known, as_of)
    else:
        account = delayed(_accountability, pure=True)(spec, inputs, as_of)
    revoked = account[1]
    verdicts = _bag.from_delayed([delayed(_kept_verdicts, pure=True)(part, revoked) for part in judged] + [account[0]])
    cases = _bag.from_delayed([delayed(_field_of, pure=True)(part, "cases") for part in judged])
    scores = _bag.from_delayed([account[2]])
    problems = _bag.from_delayed([part[0] for part in read] + [part[0] for part in ids])
    # only small values leave the worker that judged a partition: a task that reads a partition runs where it is
    tallies = [delayed(_tally, pure=True)(part) for part in judged]
    counts = delayed(_counts, pure=True)([part[2] for part in read], [part[1] for part in ids], tallies,
                                         [delayed(len, pure=True)(part[0]) for part in read],
                                         [delayed(len, pure=True)(part[0]) for part in ids])
    return DaskReport(verdicts=verdicts, cases=cases, scores=scores, problems=problems, counts=counts,
                      revocations=account[3], revoked=revoked, as_of=as_of, rulesets=refs, keep_going=keep_going,
                      aggregates=account[4], given=account[0], _judged=judged)


def _read_tasks(events: Any, block_size: int) -> tuple[list[tuple[_Block | _Items, Any]], list[str]]:
    """The reading tasks for ``events`` (what to read, and what it needs: lines before a block, a partition's items), and the name of each source."""
    if isinstance(events, db.Bag):
        parts = _any(events).to_delayed()
        names = [f"<bag partition {i}>" for i in range(len(parts))]
        return [(_Items(i, names[i]), part) for i, part in enumerate(parts)], names
    if _is_dataframe(events):
        parts = _any(events).to_delayed()
        names = [f"<dataframe partition {i}>" for i in range(len(parts))]
        return [(_Items(i, names[i]), delayed(_rows, pure=True)(part)) for i, part in enumerate(parts)], names
    paths = [events] if isinstance(events, (str, os.PathLike)) else list(events)
    files: list[str] = []  # as given (or as the glob found them)
    for item in paths:
        if not isinstance(item, (str, os.PathLike)):
            raise UsageError(f"events must be JSON Lines paths (or globs), a dask.bag or a dask.dataframe; got {type(item).__name__}")
        text = os.fspath(item)
        found = sorted(glob.glob(text)) if glob.has_magic(text) else [text]
        if not found or not all(os.path.isfile(path) for path in found):
            missing = text if not found else next(path for path in found if not os.path.isfile(path))
            raise UsageError(f"no events file {missing!r}: give JSON Lines paths or globs that exist")
        files.extend(found)
    if not files:
        raise UsageError("no events files given")
    tasks: list[tuple[_Block | _Items, Any]] = []
    for index, name in enumerate(files):
        path = os.path.abspath(name)
        size = os.path.getsize(path)
        newlines: list[Any] = []
        for start in range(0, max(size, 1), block_size):
            end = min(start + block_size, size)
            before = delayed(sum, pure=True)(newlines) if newlines else 0
            tasks.append((_Block(index, name, path, start, end), before))
            newlines = [*newlines, delayed(_newlines, pure=True)(path, start, end)]
    return tasks, files


def _any(value: Any) -> Any:
    return value


def _is_dataframe(events: Any) -> bool:
    module = type(events).__module__
    return module.startswith(("dask.dataframe", "dask_expr"))


def _rows(frame: Any) -> list[dict[str, Any]]:
    """A pandas frame's rows as event dicts: null cells left out, numpy and pandas scalars as Python's."""
    rows = []
    for record in frame.to_dict(orient="records"):
        row = {}
        for key, value in record.items():
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            if type(value).__module__ in ("pandas._libs.tslibs.nattype", "pandas._libs.missing"):
                continue  # NaT, NA
            to_py = getattr(value, "to_pydatetime", None) or getattr(value, "item", None)
            if to_py is not None and type(value).__module__ != "builtins":
                value = to_py()
            if isinstance(value, float) and math.isnan(value):
                continue
            row[key] = value
        rows.append(row)
    return rows


def local_cluster(workers: int) -> Any:
    """A ``distributed.Client`` on a new ``LocalCluster`` of ``workers`` processes, one thread each."""
    import distributed

    lib: Any = distributed
    cluster = lib.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0")
    return lib.Client(cluster)


