"""Judging a log split in partitions: the work of one partition, wherever it runs.

The steps of a split evaluation, each a plain function of plain values (so that it can run in
another process and its result travel back): read a block of a file and validate its lines
(:func:`_read_part`); meet the events of one id and keep the first (:func:`_id_part`); judge the
threads of one partition as ``Engine.evaluate`` judges them (:func:`_judge_part`); run
accountability over what every partition's verdicts give it (:func:`_accountability`), or by
groups of subjects (:func:`_route_part`, :func:`_group_part`, :func:`_combine_part`). The
``dask`` module runs them as Dask tasks; ``evaluate --workers N`` runs them on local processes.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._errors import DateNotCoveredError, DuplicateEventError, EventError, UsageError
from ._gc import bulk_collection
from ._jsonl import place_error
from ._ruleset import Ruleset

if TYPE_CHECKING:
    from ._engine import Engine
    from ._verdicts import CaseState, Score, Verdict


# A place in the input: (source index, line or position). Sources are numbered in the order given.
_Origin = tuple[int, int]
# What moves between tasks: (origin, thread key, event id, the raw line or item)
_Record = tuple[_Origin, str, str, Any]


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



def _problem_json(problem: Problem) -> str:
    import json

    return json.dumps({"source": problem.source, "line": problem.line, "event_id": problem.event_id,
                       "kind": problem.kind, "message": problem.text}, ensure_ascii=False)


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

def _verdict_row(verdict: Verdict) -> tuple[Any, ...]:
    """A verdict's content as plain values, its explanation written first."""
    private = verdict.__pydantic_private__ or {}
    writer = private.get("_explain")
    explanation: tuple[Any, ...]
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
    from ._verdicts import _MADE_FIELDS, Verdict, _citation, _compact, _subject, _VerdictPrivate

    (vid, ruleset, version, rule, kind, thread, at, subjects, points, card, sanction, cites, trigger, explanation) = row
    verdict = Verdict.__new__(Verdict)
    set_ = object.__setattr__
    set_(verdict, "__dict__", _compact(Verdict, {
        "id": vid, "ruleset": ruleset, "ruleset_version": version, "rule": rule, "kind": kind, "thread": thread, "at": at,
        "subjects": [_subject(role, who) for role, who in subjects], "points": points, "card": card, "sanction": sanction,
        "cites": [_citation(cid, citation, text) for cid, citation, text in cites], "trigger": trigger,
    }))
    set_(verdict, "__pydantic_fields_set__", _MADE_FIELDS)
    set_(verdict, "__pydantic_extra__", None)
    set_(verdict, "__pydantic_private__", _compact(_VerdictPrivate, {
        "_explanation": None, "_explain": functools.partial(_explanation_from, *explanation),
    }))
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
            record: _Record = ((task.source, number), engine._thread_key(event), event.id,
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
    from ._dedupe import content_digest, duplicate_conflict

    engine = spec.engine()
    by_id: dict[str, list[_Record]] = {}
    for part in parts:
        for record in part[bucket]:
            by_id.setdefault(record[2], []).append(record)
    problems: list[Problem] = []
    repeats = 0
    out: list[list[_Record]] = [[] for _ in range(count)]
    for records in by_id.values():
        first = records[0]
        if len(records) > 1:  # (rare: content is compared only then)
            records.sort(key=lambda r: r[0])
            first = records[0]
            first_event = _parse(engine, first[3])
            first_digest = content_digest(first_event)
        out[_bucket(first[1], count)].append(first)
        for other in records[1:]:
            other_event = _parse(engine, other[3])
            if content_digest(other_event) == first_digest:
                repeats += 1
                continue
            (source, line), (first_source, first_line) = other[0], first[0]
            where: int | str = first_line if source == first_source else f"{sources[first_source]}:{first_line}"
            error = duplicate_conflict(other_event, first=first_event, first_where=where, where=line)
            problems.append(_problem(error.at_line(line, sources[source]), other[0]))
    return problems, repeats, out


# -- judging ---------------------------------------------------------------------------------------

def _judge_part(spec: _Spec, parts: list[list[list[_Record]]], bucket: int, as_of: dt.datetime,
                progress: Any = None, sources: list[str] | None = None) -> dict[str, Any]:
    """Judge the threads of one bucket as ``Engine.evaluate`` judges them.

    ``progress``: a shared counter (``multiprocessing.Value``) that grows by 1,000 every 1,000 events judged;
    ``sources``: the names of the sources, to place an error met while judging at its event's line.
    """
    with bulk_collection():
        return _judge(spec, parts, bucket, as_of, progress, sources)


class _Lines:
    """Where the events of a partition came from, as ``place_error`` asks it (the line of an event id)."""

    def __init__(self, records: list[_Record], sources: list[str]) -> None:
        self.records, self.sources = records, sources
        self.source: str | None = None

    def line_of(self, event_id: str) -> int | None:
        for (source, line), _, record_id, _ in self.records:
            if record_id == event_id:
                self.source = self.sources[source]
                return line
        return None


def _judge(spec: _Spec, parts: list[list[list[_Record]]], bucket: int, as_of: dt.datetime,
           progress: Any = None, sources: list[str] | None = None) -> dict[str, Any]:
    from ._session import Session

    engine = spec.engine()
    as_of_ts = as_of.timestamp()
    parsed: list[tuple[float, str, Any]] = []
    ignored = 0
    for part in parts:
        for record in part[bucket]:
            event = _parse(engine, record[3])
            ts = event.at.timestamp()
            if ts > as_of_ts:
                ignored += 1
            else:
                parsed.append((ts, event.id, event))
    parsed.sort(key=lambda entry: (entry[0], entry[1]))
    session = Session(engine)
    session._defer = True  # as Engine.evaluate: a batch gives the set of verdicts, not their order
    offer = session._offer
    try:
        if progress is None:
            for ts, _, event in parsed:
                offer(event, ts)
        else:
            for start in range(0, len(parsed), 1000):
                for ts, _, event in parsed[start:start + 1000]:
                    offer(event, ts)
                with progress.get_lock():
                    progress.value += min(1000, len(parsed) - start)
    except (DateNotCoveredError, EventError) as error:
        if sources is not None:  # the event it names, at its line (as one process places it)
            place_error(error, _Lines([record for part in parts for record in part[bucket]], sources))
        raise
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


# What accountability reads of a partition: (the projections of the verdicts it counts as plain rows, the ids
# of all its verdicts, its ledger events as JSON, the figures of its stopped clocks)
_AccountabilityInput = tuple[list[tuple[Any, ...]], list[str], list[str], list[list[Any]]]


def _accountability_input(spec: _Spec, part: dict[str, Any]) -> _AccountabilityInput:
    """What accountability reads of a partition: what a stream keeps of the verdicts it counts (``Counted``), as
    plain values; the ids of all its verdicts (a revocation names one); its ledger events; its stopped clocks."""
    reads = spec.engine()._counted_by
    verdicts = part["verdicts"]
    counted = [(v.id, v.ruleset, v.rule, v.thread, v.kind, v.card, v.points, v.at,
                tuple((s.role, s.id) for s in v.subjects)) for v in verdicts if reads(v)]
    return (counted, [v.id for v in verdicts], [event.model_dump_json() for event in part["ledger"]],
            [figure.to_json() for figure in part["figures"]])


def _kept_verdicts(part: dict[str, Any], revoked: set[str]) -> list[Verdict]:
    return [v for v in part["verdicts"] if v.id not in revoked]


def _accountability(
    spec: _Spec, parts: list[_AccountabilityInput], as_of: dt.datetime
) -> tuple[list[Verdict], set[str], list[Score], list[Any], list[Any]]:
    """(the verdicts accountability gives, the ids revoked, the scores, the revocations, the aggregates) over every
    thread's verdicts, as a stream accounts for them (from what it keeps of each verdict)."""
    with bulk_collection():
        return _account(spec, parts, as_of)


def _account(
    spec: _Spec, parts: list[_AccountabilityInput], as_of: dt.datetime
) -> tuple[list[Verdict], set[str], list[Score], list[Any], list[Any]]:
    from ._accountability import account
    from ._aggregates import ClockFigure

    engine = spec.engine()
    ledger = sorted((engine.parse(text) for part in parts for text in part[2]), key=lambda e: (e.at, e.id))
    if not ledger and not engine._ledgers:
        return [], set(), [], [], []
    ids = {vid for part in parts for vid in part[1]}
    counted = sorted(_counted_of(row for part in parts for row in part[0]), key=lambda c: (c.at, c.id))
    figures = [ClockFigure.from_json(row) for part in parts for row in part[3]]
    _, given, scores, notes, aggregates = account(engine, counted, ledger, as_of, known=ids.__contains__, figures=figures)
    given.sort(key=lambda v: (v.at, v.id))
    return given, {note["verdict_id"] for note in notes} & ids, list(scores), notes, aggregates


# -- accountability split by subject (_account_split.py): every group on its own, then put together ----------


def _split(spec: _Spec) -> Any:
    """How the engine's accountability splits by subject (None: in one place)."""
    from ._account_split import split_of

    return split_of(spec.engine())


def _counted_of(rows: Iterable[tuple[Any, ...]]) -> list[Any]:
    """``Counted`` projections from the plain rows that travel between processes (see :func:`_accountability_input`)."""
    from ._accountability import Counted
    from ._verdicts import _subject

    return [Counted(vid, ruleset, rule, thread, kind, card, points, at, [_subject(*s) for s in subjects])
            for vid, ruleset, rule, thread, kind, card, points, at, subjects in rows]


def _everywhere_part(spec: _Spec, part: _AccountabilityInput) -> list[str]:
    """A partition's ledger events that every group reads (the organisation, revocations, rankings…), as JSON."""
    split = _split(spec)
    engine = spec.engine()
    return [text for text in part[2] if engine.parse(text).type not in split.routed]


def _everywhere(parts: list[list[str]]) -> list[str]:
    return [text for part in parts for text in part]


def _events_of(spec: _Spec, texts: Iterable[str]) -> list[Any]:
    engine = spec.engine()
    return [engine.parse(text) for text in texts]


# What one partition sends one group: (counted rows, routed ledger events as JSON, figures as rows, replaced ids)
_Routed = tuple[list[tuple[Any, ...]], list[str], list[list[Any]], list[str]]


def _route_part(spec: _Spec, part: _AccountabilityInput, everywhere: list[str], as_of: dt.datetime,
                groups: int) -> list[_Routed]:
    """Deal a judged partition's counted verdicts, routed events and clock figures into the groups of their subjects."""
    from ._account_split import route
    from ._aggregates import ClockFigure

    with bulk_collection():
        engine = spec.engine()
        split = _split(spec)
        rows = {row[0]: row for row in part[0]}
        texts: dict[str, tuple[Any, str]] = {}  # event id -> (the event, its JSON)
        for text in part[2]:
            event = engine.parse(text)
            if event.type in split.routed:
                texts[event.id] = (event, text)
        dealt = route(engine, split, _counted_of(part[0]), [event for event, _ in texts.values()],
                      [ClockFigure.from_json(row) for row in part[3]], _events_of(spec, everywhere), as_of, groups)
        return [([rows[c.id] for c in group.counted], [texts[e.id][1] for e in group.events],
                 [f.to_json() for f in group.figures], group.replaced) for group in dealt]


def _group_part(spec: _Spec, parts: list[_Routed], everywhere: list[str], as_of: dt.datetime, group: int,
                groups: int) -> Any:
    """Accountability for the subjects of one group (a ``GroupResult``)."""
    from ._account_split import Routed, account_group
    from ._aggregates import ClockFigure

    with bulk_collection():
        engine = spec.engine()
        routed = [Routed(_counted_of(rows), _events_of(spec, texts), [ClockFigure.from_json(f) for f in figures], list(replaced))
                  for rows, texts, figures, replaced in parts]
        return account_group(engine, _split(spec), routed, _events_of(spec, everywhere), as_of, group, groups)


def _known_part(spec: _Spec, part: _AccountabilityInput, everywhere: list[str]) -> list[str]:
    """The ids revoked (by any revocation in ``everywhere``) that are verdicts of this partition."""
    revoked = {event.verdict_id for event in _events_of(spec, everywhere) if event.type == "verdict.revoked"}
    return [vid for vid in part[1] if vid in revoked] if revoked else []


def _combine_part(spec: _Spec, results: list[Any], everywhere: list[str], known: list[list[str]], as_of: dt.datetime
                  ) -> tuple[list[Verdict], set[str], list[Score], list[Any], list[Any]]:
    """The groups put together: what :func:`_accountability` gives in one place."""
    from ._account_split import combine

    ids = {vid for part in known for vid in part}
    given, scores, notes, aggregates = combine(spec.engine(), results, _events_of(spec, everywhere), as_of, ids.__contains__)
    return given, {note["verdict_id"] for note in notes} & ids, scores, notes, aggregates


def _tally(part: dict[str, Any]) -> dict[str, int]:
    """A judged partition's counts (what leaves its worker for the report's counts)."""
    return {name: part[name] for name in ("judged", "after_as_of", "open_threads")}


def _counts(reads: list[int], repeats: list[int], tallies: list[dict[str, int]], read_problems: list[int],
            id_problems: list[int]) -> dict[str, int]:
    return {
        "read": sum(reads),
        "judged": sum(part["judged"] for part in tallies),
        "repeats": sum(repeats),
        "bad": sum(read_problems) + sum(id_problems),
        "after_as_of": sum(part["after_as_of"] for part in tallies),
        "open_threads": sum(part["open_threads"] for part in tallies),
    }


def _report_of(as_of: dt.datetime, rulesets: list[Any], verdicts: list[Verdict], cases: list[CaseState],
               counts: dict[str, int], scores: list[Score], notes: list[Any], aggregates: list[Any] | None) -> Any:
    """The report of partitions judged apart: their verdicts and case states in ``Engine.evaluate``'s order, with
    what accountability gave (each a validated model already, so not checked again)."""
    from ._verdicts import Report, Revocation

    return Report.model_construct(
        as_of=as_of,
        rulesets=list(rulesets),
        verdicts=sorted(verdicts, key=lambda v: (v.at, v.id)),
        events=counts["judged"],
        ignored_after_as_of=counts["after_as_of"],
        open_threads=counts["open_threads"],
        cases=sorted(cases, key=lambda c: (c.thread, c.ruleset, c.time_limit, c.start is None, c.start or as_of)),
        scores=list(scores),
        revocations=[Revocation.model_validate(r) for r in notes],
        aggregates=list(aggregates or ()),
    )
