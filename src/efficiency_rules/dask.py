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
4. **Accountability** (one reduce task): the verdicts of every thread and the events
   accountability reads (organisation, rankings, interviews, revocations, counted events) go to one
   task, which runs the rulesets' accountability sections over them. Its memory is that of the
   thread verdicts (about 1 KB each), not of the events.

The result equals ``Engine.evaluate`` over ``read_events`` of the same files read one after
another: the same verdicts (ids and content), case states and scores.
"""

from __future__ import annotations

import datetime as dt
import functools
import glob
import math
import os
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ._errors import DuplicateEventError, EventError, UsageError
from ._ruleset import Ruleset

if TYPE_CHECKING:
    from ._engine import Engine
    from ._verdicts import CaseState, Report, RulesetRef, Score, Verdict

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

# A place in the input: (source index, line or position). Sources are numbered in the order given.
_Origin = tuple[int, int]
# What moves between tasks: (origin, thread key, event id, content digest, the raw line or item)
_Record = tuple[_Origin, str, str, bytes, Any]


@dataclass(frozen=True)
class Problem:
    """An event that was not judged: where it is and why (``str()`` is the message a reader gives)."""

    source: str | None
    line: int | None
    event_id: str | None
    kind: str  # "EventError", "UnknownEventTypeError" or "DuplicateEventError"
    text: str  # the error as one line, with its place
    message: str  # the error without its place
    field: str | None = None
    expected: str | None = None
    order: _Origin = (0, 0)

    def __str__(self) -> str:
        return self.text

    def error(self) -> EventError:
        """The problem as the library's error (without pydantic's details, which stay in the worker)."""
        cls = DuplicateEventError if self.kind == "DuplicateEventError" else EventError
        if cls is DuplicateEventError:
            error: EventError = DuplicateEventError(self.message, event_id=self.event_id, line=self.line,
                                                    first=None, second=None)
            error.source = self.source
            error.args = (error._render(),)
            return error
        return EventError(self.message, event_id=self.event_id, line=self.line, source=self.source,
                          field=self.field, expected=self.expected)


@dataclass(frozen=True)
class _Spec:
    """How a worker builds the engine: ruleset paths or ids (or picklable rulesets), and the engine's options."""

    rulesets: tuple[str, ...]
    backend: str
    default_tz: dt.tzinfo | None
    retention: dt.timedelta

    def engine(self) -> Engine:
        key = (self.rulesets, self.backend, repr(self.default_tz), self.retention)
        engine = _ENGINES.get(key)
        if engine is None:
            from ._engine import Engine

            engine = _ENGINES[key] = Engine(self.rulesets, backend=self.backend, default_tz=self.default_tz,
                                            retention=self.retention)
        return engine


_ENGINES: dict[Any, Engine] = {}  # one engine per worker process and ruleset list


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
        from ._verdicts import Report, Revocation

        parts = [self.verdicts, self.cases, self.scores, self.problems, self.counts, self.revocations, self.aggregates]
        verdicts, cases, scores, problems, counts, revocations, aggregates = _compute(parts, client)
        problems = sorted(problems, key=lambda p: p.order)
        if problems and not self.keep_going:
            raise problems[0].error()
        verdicts = sorted(verdicts, key=lambda v: (v.at, v.id))
        cases = sorted(cases, key=lambda c: (c.thread, c.ruleset, c.time_limit, c.start is None, c.start or self.as_of))
        report = Report.model_construct(
            as_of=self.as_of,
            rulesets=list(self.rulesets),
            verdicts=verdicts,
            events=counts["judged"],
            ignored_after_as_of=counts["after_as_of"],
            open_threads=counts["open_threads"],
            cases=cases,
            scores=list(scores),
            revocations=[Revocation.model_validate(r) for r in revocations],
            aggregates=list(aggregates or ()),
        )
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


def _problem_json(problem: Problem) -> str:
    import json

    return json.dumps({"source": problem.source, "line": problem.line, "event_id": problem.event_id,
                       "kind": problem.kind, "message": problem.text}, ensure_ascii=False)


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
    judged = [delayed(_judge_part, pure=True)(spec, [part[2] for part in ids], bucket, as_of) for bucket in range(count)]
    # 4. accountability over every base verdict and the events it reads
    account = delayed(_accountability, pure=True)(
        spec, [delayed(_accountability_input, pure=True)(part) for part in judged], as_of)
    revoked = account[1]
    verdicts = _bag.from_delayed([delayed(_kept_verdicts, pure=True)(part, revoked) for part in judged] + [account[0]])
    cases = _bag.from_delayed([delayed(_field_of, pure=True)(part, "cases") for part in judged])
    scores = _bag.from_delayed([account[2]])
    problems = _bag.from_delayed([part[0] for part in read] + [part[0] for part in ids])
    counts = delayed(_counts, pure=True)([part[2] for part in read], [part[1] for part in ids], judged,
                                         [part[0] for part in read], [part[0] for part in ids])
    return DaskReport(verdicts=verdicts, cases=cases, scores=scores, problems=problems, counts=counts,
                      revocations=account[3], revoked=revoked, as_of=as_of, rulesets=refs, keep_going=keep_going,
                      aggregates=account[4], _judged=judged)


def _ruleset_name(item: Ruleset | str | os.PathLike[str]) -> str:
    """A ruleset path as every worker can find it (absolute), or a shipped id as it is.

    Workers load the rulesets themselves: a ruleset's declared event types are classes made when it
    is loaded, which cannot be sent to another process.
    """
    if isinstance(item, Ruleset):
        if not os.path.isfile(item.path):
            raise UsageError(f"ruleset {item.id!r} was not loaded from a file ({item.path!r}); workers load rulesets "
                             "themselves: pass ruleset paths or shipped ids")
        return os.path.abspath(item.path)
    text = os.fspath(item)
    return os.path.abspath(text) if os.path.exists(text) else text


# -- what travels: verdicts, case states and scores as plain tuples ------------------------------------
#
# A pydantic model pickles as its objects (each subject, citation and fact a model of its own), at
# about 150 µs a verdict each way: more than judging costs on some workloads. Here a verdict travels
# as a tuple of strings, numbers and datetimes and is put together again with ``model_construct``
# (its content was validated when it was made). These reducers are registered with ``copyreg`` when
# this module is imported, in the client and in every worker alike.

def _verdict_row(verdict: Verdict, *, explained: bool = True) -> tuple[Any, ...]:
    """A verdict's content as plain values (its explanation written first, unless not ``explained``)."""
    explanation: tuple[Any, ...] | None = None
    if explained:
        private = verdict.__pydantic_private__ or {}
        writer = private.get("_explain")
        if private.get("_explanation") is None and isinstance(writer, functools.partial) and writer.func is _explanation_from:
            explanation = writer.args  # come from another process, not read since: sent on as it came
        else:
            e = verdict.explanation
            explanation = (e.message_zh, e.message_en, tuple((f.zh, f.en, f.value) for f in e.facts))
    return (verdict.id, verdict.ruleset, verdict.ruleset_version, verdict.rule, verdict.kind, verdict.thread, verdict.at,
            tuple((x.role, x.id) for x in verdict.subjects), verdict.points, verdict.card, verdict.sanction,
            tuple((c.id, c.citation, c.text) for c in verdict.cites), verdict.trigger, explanation)


def _explanation_from(zh: str, en: str | None, facts: tuple[tuple[str, str, str], ...]) -> Any:
    from ._verdicts import _EXPLANATION

    return _EXPLANATION.validate_python(
        {"message_zh": zh, "message_en": en, "facts": [{"zh": a, "en": b, "value": c} for a, b, c in facts]})


def _verdict_from(*row: Any) -> Verdict:
    """The verdict a :func:`_verdict_row` gave; its explanation is put together when read, as the engine's are.

    Its fields were validated when it was made: it is built as ``model_construct`` builds a model,
    without the per-field defaults pass (every field is given).
    """
    from ._verdicts import _MADE_FIELDS, Verdict, _citation, _subject

    (vid, ruleset, version, rule, kind, thread, at, subjects, points, card, sanction, cites, trigger, explanation) = row
    verdict = Verdict.__new__(Verdict)
    set_ = object.__setattr__
    set_(verdict, "__dict__", {
        "id": vid, "ruleset": ruleset, "ruleset_version": version, "rule": rule, "kind": kind, "thread": thread, "at": at,
        "subjects": [_subject(role, who) for role, who in subjects], "points": points, "card": card, "sanction": sanction,
        "cites": [_citation(cid, citation, text) for cid, citation, text in cites], "trigger": trigger,
    })
    set_(verdict, "__pydantic_fields_set__", _MADE_FIELDS)
    set_(verdict, "__pydantic_extra__", None)
    set_(verdict, "__pydantic_private__", {
        "_explanation": None, "_explain": None if explanation is None else functools.partial(_explanation_from, *explanation),
    })
    return verdict


def _reduce_verdict(verdict: Verdict) -> tuple[Any, tuple[Any, ...]]:
    return _verdict_from, _verdict_row(verdict)


def _model_from(cls: Any, values: dict[str, Any]) -> Any:
    return cls.model_construct(**values)


def _reduce_flat(model: Any) -> tuple[Any, tuple[Any, ...]]:
    """A model whose fields are plain values (case states, scores) as its class and its fields."""
    return _model_from, (type(model), dict(model.__dict__))


def _register_reducers() -> None:
    import copyreg

    from ._verdicts import CaseState, Score, Verdict

    copyreg.pickle(Verdict, _reduce_verdict)
    copyreg.pickle(CaseState, _reduce_flat)
    copyreg.pickle(Score, _reduce_flat)


_register_reducers()


# -- reading ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Block:
    """Bytes [start, end) of a file: the lines that begin in it."""

    source: int
    name: str  # the path as given (errors name it so)
    path: str  # the path to open
    start: int
    end: int


@dataclass(frozen=True)
class _Items:
    """A partition of a bag (or a dataframe's rows as dicts)."""

    source: int
    name: str


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


def _newlines(path: str, start: int, end: int) -> int:
    with open(path, "rb") as file:
        file.seek(start)
        return file.read(end - start).count(b"\n")


def _block_lines(block: _Block, before: int) -> Iterator[tuple[int, bytes]]:
    """(line number, line) of the lines that begin in the block."""
    with open(block.path, "rb", buffering=1 << 16) as file:
        number = before + 1
        if block.start:
            file.seek(block.start - 1)
            if file.read(1) != b"\n":
                file.readline()  # the rest of a line that began in the block before
                number += 1
        position = file.tell()
        while position < block.end or (block.start == block.end == 0 and position == 0):
            line = file.readline()
            if not line:
                return
            yield number, line
            number += 1
            position += len(line)


def _bucket(key: str, count: int) -> int:
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % count


def _read_part(spec: _Spec, task: _Block | _Items, needs: Any, count: int) -> tuple[list[Problem], list[list[_Record]], int]:
    """Validate a block's lines (or a partition's items); bucket the events by id."""
    from ._dedupe import content_digest
    from ._jsonl import _read_lines

    engine = spec.engine()
    parser = engine.registry.parser()
    problems: list[Problem] = []
    buckets: list[list[_Record]] = [[] for _ in range(count)]
    read = 0
    errors: list[EventError] = []
    source = task.name
    pairs: Iterable[tuple[int, Any]] = _block_lines(task, int(needs)) if isinstance(task, _Block) else enumerate(needs, 1)
    for number, raw in pairs:
        if isinstance(task, _Block):
            if not raw.strip():
                continue  # a blank line is not an event (the reader skips it)
            got = list(_read_lines([raw], source, None, 0, parser, spec.default_tz, errors, False, first_line=number))
        else:
            try:
                got = [engine.parse(raw)]
            except EventError as bad:
                errors.append(bad.at_line(number, source))
                got = []
        read += 1
        for error in errors:
            problems.append(_problem(error, (task.source, number)))
        errors.clear()
        for event in got:
            record: _Record = ((task.source, number), engine._thread_key(event), event.id, content_digest(event),
                               raw if isinstance(task, _Block) else _plain(raw))
            buckets[_bucket(event.id, count)].append(record)
    return problems, buckets, read


def _plain(item: Any) -> Any:
    """A bag item as it travels: text and dicts as they are, an event as its JSON."""
    from ._events import Event

    if isinstance(item, Event):
        return item.model_dump_json()
    return item


def _problem(error: EventError, order: _Origin) -> Problem:
    return Problem(source=error.source, line=error.line, event_id=error.event_id, kind=type(error).__name__,
                   text=str(error), message=error.message, field=error.field, expected=error.expected, order=order)


def _parse(engine: Engine, raw: Any) -> Any:
    if isinstance(raw, bytes):
        text = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
        return engine.registry.parser().parse(text, engine.default_tz)
    return engine.parse(raw)


def _id_part(
    spec: _Spec, parts: list[list[list[_Record]]], bucket: int, count: int, sources: list[str]
) -> tuple[list[Problem], int, list[list[_Record]]]:
    """The events of one id bucket: the first of each id stands; repeats are skipped, conflicts reported."""
    from ._dedupe import duplicate_conflict

    engine = spec.engine()
    by_id: dict[str, list[_Record]] = {}
    for part in parts:
        for record in part[bucket]:
            by_id.setdefault(record[2], []).append(record)
    problems: list[Problem] = []
    repeats = 0
    out: list[list[_Record]] = [[] for _ in range(count)]
    for records in by_id.values():
        if len(records) > 1:
            records.sort(key=lambda r: r[0])
        first = records[0]
        out[_bucket(first[1], count)].append(first)
        for other in records[1:]:
            if other[3] == first[3]:
                repeats += 1
                continue
            (source, line), (first_source, first_line) = other[0], first[0]
            where: int | str = first_line if source == first_source else f"{sources[first_source]}:{first_line}"
            error = duplicate_conflict(_parse(engine, other[4]), first=_parse(engine, first[4]), first_where=where, where=line)
            problems.append(_problem(error.at_line(line, sources[source]), other[0]))
    return problems, repeats, out


# -- judging ---------------------------------------------------------------------------------------

def _judge_part(spec: _Spec, parts: list[list[list[_Record]]], bucket: int, as_of: dt.datetime) -> dict[str, Any]:
    """Judge the threads of one bucket as ``Engine.evaluate`` judges them."""
    from ._session import Session

    engine = spec.engine()
    as_of_ts = as_of.timestamp()
    parsed: list[tuple[float, str, Any]] = []
    ignored = 0
    for part in parts:
        for record in part[bucket]:
            event = _parse(engine, record[4])
            ts = event.at.timestamp()
            if ts > as_of_ts:
                ignored += 1
            else:
                parsed.append((ts, event.id, event))
    parsed.sort(key=lambda entry: (entry[0], entry[1]))
    session = Session(engine)
    session._defer = True  # as Engine.evaluate: a batch gives the set of verdicts, not their order
    offer = session._offer
    for ts, _, event in parsed:
        offer(event, ts)
    del parsed
    session._finish(as_of)
    cases: list[CaseState] = list(session._closed_cases)
    figures = list(session._closed_figures)
    for thread in session._threads.values():
        if thread.log:
            cases.extend(session._case_states(thread, as_of, figures))
    return {
        "verdicts": session.verdicts(),
        "cases": cases,
        "ledger": session._ledger,
        "figures": figures,
        "judged": session._events,
        "after_as_of": ignored,
        "open_threads": sum(1 for t in session._threads.values() if t.pending),
    }


def _field_of(part: dict[str, Any], name: str) -> Any:
    return part[name]


def _accountability_input(part: dict[str, Any]) -> tuple[list[tuple[Any, ...]], list[str], list[list[Any]]]:
    """What accountability reads of a partition: its verdicts without explanations, its ledger events as JSON, and
    the figures of the stopped clocks aggregates read."""
    return ([_verdict_row(v, explained=False) for v in part["verdicts"]],
            [event.model_dump_json() for event in part["ledger"]], [figure.to_json() for figure in part["figures"]])


def _kept_verdicts(part: dict[str, Any], revoked: set[str]) -> list[Verdict]:
    return [v for v in part["verdicts"] if v.id not in revoked]


def _accountability(
    spec: _Spec, parts: list[tuple[list[tuple[Any, ...]], list[str], list[list[Any]]]], as_of: dt.datetime
) -> tuple[list[Verdict], set[str], list[Score], list[Any], list[Any]]:
    """(the verdicts accountability gives, the ids revoked, the scores, the revocations, the aggregates) over every
    thread's verdicts."""
    from ._accountability import apply_accountability
    from ._aggregates import ClockFigure

    engine = spec.engine()
    ledger = sorted((engine.parse(text) for part in parts for text in part[1]), key=lambda e: (e.at, e.id))
    if not ledger and not engine._ledgers:
        return [], set(), [], [], []
    base = sorted((_verdict_from(*row) for part in parts for row in part[0]), key=lambda v: (v.at, v.id))
    known = {v.id for v in base}
    figures = [ClockFigure.from_json(row) for part in parts for row in part[2]]
    verdicts, scores, notes, aggregates = apply_accountability(engine, base, ledger, as_of, figures)
    kept = {v.id for v in verdicts}
    given = [v for v in verdicts if v.id not in known]
    return given, known - kept, list(scores), notes, aggregates


def _counts(reads: list[int], repeats: list[int], judged: list[dict[str, Any]], read_problems: list[list[Problem]],
            id_problems: list[list[Problem]]) -> dict[str, int]:
    return {
        "read": sum(reads),
        "judged": sum(part["judged"] for part in judged),
        "repeats": sum(repeats),
        "bad": sum(len(p) for p in read_problems) + sum(len(p) for p in id_problems),
        "after_as_of": sum(part["after_as_of"] for part in judged),
        "open_threads": sum(part["open_threads"] for part in judged),
    }


def local_cluster(workers: int) -> Any:
    """A ``distributed.Client`` on a new ``LocalCluster`` of ``workers`` processes, one thread each."""
    import distributed

    lib: Any = distributed
    cluster = lib.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0")
    return lib.Client(cluster)


