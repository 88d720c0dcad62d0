"""What-if comparison: the same events judged under two sets of rulesets (two versions of one, or a proposed cut).

A verdict of the old evaluation and one of the new are *the same verdict* when they have the same ruleset id,
rule id, thread and trigger (the event that fired the rule or started the missed expectation). The ruleset
*version* is left out on purpose: a verdict's id includes it, so ids never match across versions. A trigger that
names another verdict (an accountability verdict counting earlier ones) is matched through that verdict's own
key. Matched verdicts that differ in kind, time, subjects, points, card or sanction are *changed*; the others are
added (only new) or removed (only old).

A case clock is matched on its ruleset id, time limit and thread; it *became late* when its old status was on
time (running, due soon, paused, completed on time) and its new one late (overdue, completed late), and *became
on time* the other way round. Scores are matched on ruleset id, role, subject and period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import AwareDatetime, Field

from ._duration import Duration
from ._errors import UsageError
from ._text import Language, count, instant, kind, label, limit, period, status, subject, thread
from ._text import Limit as _Limit
from ._verdicts import CaseState, Report, RulesetRef, Score, Verdict, _cause_first, _columns, _Model, _Published

if TYPE_CHECKING:
    from ._events import Event
    from ._ruleset import Ruleset

__all__ = ["CaseChange", "Comparison", "RuleTally", "ScoreChange", "Tally", "VerdictChange", "compare"]

_LATE = frozenset({"overdue", "completed_late"})
_ON_TIME = frozenset({"running", "warning", "paused", "completed_on_time"})
_COMPARED_FIELDS = ("kind", "at", "subjects", "points", "card", "sanction")


class VerdictChange(_Model):
    """The same verdict under both sets of rulesets, with something about it changed."""

    old: Verdict
    new: Verdict
    fields: list[Literal["kind", "at", "subjects", "points", "card", "sanction"]] = Field(
        description="What differs, in this order: kind, at, subjects, points, card, sanction.")


class Tally(_Model):
    """Verdicts added, removed and changed, and cases made late or on time, for one unit or one month."""

    key: str | None = Field(description="The unit (None: verdicts against no unit) or the month, e.g. '2025-03'.")
    added: int = 0
    removed: int = 0
    changed: int = 0
    made_late: int = Field(0, description="Cases on time before and late now (by month: of the new deadline).")
    made_on_time: int = Field(0, description="Cases late before and on time now (by month: of the old deadline).")


class RuleTally(_Model):
    """Verdicts added, removed and changed by one rule."""

    ruleset: str
    rule: str
    added: int = 0
    removed: int = 0
    changed: int = 0


class CaseChange(_Model):
    """A case clock whose status differs between the two evaluations, with both limits and deadlines."""

    thread: str
    ruleset: str
    time_limit: str
    matter: str | None = None
    unit: str | None = Field(None, description="The unit a verdict on the case names (the new evaluation's first), if any.")
    change: Literal["late", "on_time", "other"] = Field(
        description="late: on time before, late now; on_time: the reverse; other: any other change of status.")
    old_status: str | None = Field(description="None: the old rulesets gave the case no clock under this time limit.")
    new_status: str | None = Field(description="None: the new rulesets give the case no clock under this time limit.")
    old_limit: str | None = None
    new_limit: str | None = None
    old_deadline: AwareDatetime | None = None
    new_deadline: AwareDatetime | None = None
    stopped_at: AwareDatetime | None = Field(None, description="When the clock stopped (completion, rejection…), if it has.")


class ScoreChange(_Model):
    """A subject's score for a period that differs between the two evaluations."""

    ruleset: str
    role: Literal["staff", "unit"]
    subject: str
    period: str
    old_score: float | None = Field(description="None: no score for the period under the old rulesets.")
    new_score: float | None = Field(description="None: no score for the period under the new rulesets.")
    delta: float = Field(description="New score less old (a missing score counts as the other's base: no deduction).")
    old_deductions: float = 0
    new_deductions: float = 0
    old_grade: str | None = None
    new_grade: str | None = None
    old_rank: int | None = None
    new_rank: int | None = None


class Comparison(_Published):
    """What changes when the same events are judged under new rulesets instead of old ones (as of one time)."""

    as_of: AwareDatetime
    old: list[RulesetRef]
    new: list[RulesetRef]
    events: int = Field(description="Events judged (under the new rulesets; the same under the old unless they declare other event types).")
    old_verdicts: int
    new_verdicts: int
    unchanged: int = Field(description="Verdicts the same under both.")
    added: list[Verdict] = Field(default_factory=list, description="Verdicts only the new rulesets give.")
    removed: list[Verdict] = Field(default_factory=list, description="Verdicts only the old rulesets give.")
    changed: list[VerdictChange] = Field(default_factory=list)
    by_rule: list[RuleTally] = Field(default_factory=list)
    by_unit: list[Tally] = Field(default_factory=list)
    by_month: list[Tally] = Field(default_factory=list, description="By the month of the verdict's time, in the ruleset's zone.")
    cases_compared: int = Field(0, description="Case clocks under either set of rulesets.")
    deadlines_moved: int = Field(0, description="Case clocks whose deadline moved but whose status stayed the same.")
    cases: list[CaseChange] = Field(default_factory=list, description="Case clocks whose status changed.")
    scores: list[ScoreChange] = Field(default_factory=list, description="Scores that changed.")

    @property
    def empty(self) -> bool:
        """Whether nothing differs: no verdict added, removed or changed, no case's status and no score changed."""
        return not (self.added or self.removed or self.changed or self.cases or self.scores)

    @classmethod
    def of(cls, old: Report, new: Report) -> Comparison:
        """The comparison of two reports of the same events as of the same time."""
        if old.as_of != new.as_of:
            raise UsageError(f"the reports are as of different times ({old.as_of.isoformat()} and {new.as_of.isoformat()}); "
                             "judge both as of the same time")
        return _compare_reports(old, new)

    def table(self, *, language: Literal["zh", "en"] = "zh", rows: int | None = None) -> str:
        """The comparison for people: a summary, counts by rule, unit and month, the cases whose status changed,
        the scores that changed, then the verdicts added, removed and changed. ``rows`` caps each list (the rest
        is counted)."""
        return _table(self, language, rows)

    def to_xlsx(self, path: str | Path, *, language: Literal["zh", "en"] = "zh") -> Path:
        """Write the comparison as an Excel workbook (sheets 按规则, 按单位, 按月份, 办件状态变化, 得分变化, 结论变化;
        English names with ``language="en"``). Needs the ``excel`` extra (openpyxl). Returns the path written."""
        from ._spreadsheet import write_xlsx

        return write_xlsx(_sheets(self, language), path, language)

    def to_csv(self, directory: str | Path, *, language: Literal["zh", "en"] = "zh") -> list[Path]:
        """Write the comparison as CSV files in ``directory``, one per sheet of :meth:`to_xlsx`. Returns the files."""
        from ._spreadsheet import write_csv

        return write_csv(_sheets(self, language), directory)


def compare(
    old: Ruleset | str | Path | Iterable[Ruleset | str | Path],
    new: Ruleset | str | Path | Iterable[Ruleset | str | Path],
    events: Iterable[Event | Mapping[str, Any] | str] | str | Path,
    *,
    as_of: dt.datetime,
    backend: str = "native",
    default_tz: dt.tzinfo | None = None,
) -> Comparison:
    """Judge the same events with ``old`` and with ``new`` rulesets as of ``as_of``, and say what changes.

    ``old`` and ``new`` are each a ruleset (a :class:`Ruleset`, a path or a shipped id such as ``"cn.xzxk"``) or
    several, loaded together as an :class:`Engine` loads them. ``events`` is an iterable of events (dicts, JSON
    strings or :class:`Event` objects; read once and kept) or the path of a JSON Lines file, which each side
    reads with its own event types. See :class:`Comparison` for what is matched with what.

    >>> import datetime as dt
    >>> events = [
    ...     {"id": "e1", "type": "case.accepted", "at": "2025-03-07T10:00+08:00", "case_id": "BDS-1",
    ...      "matter": "commodity-housing-sale-registration", "unit": "不动产登记中心"},
    ...     {"id": "e2", "type": "case.completed", "at": "2025-03-11T15:00+08:00", "case_id": "BDS-1"},
    ... ]
    >>> same = compare("shijiazhuang.efficiency-revolution-2019", "shijiazhuang.efficiency-revolution-2019",
    ...                events, as_of=dt.datetime.fromisoformat("2025-04-01T00:00+08:00"))
    >>> same.empty, same.unchanged
    (True, 1)
    """
    from ._engine import Engine

    if as_of.tzinfo is None or as_of.utcoffset() is None:
        raise UsageError(f"as_of must be timezone-aware, not {as_of.isoformat()}: e.g. 2025-01-01T00:00+08:00")
    source: str | Path | list[Event | Mapping[str, Any] | str]
    source = events if isinstance(events, (str, Path)) else list(events)
    engines: list[Engine] = []
    reports = []
    try:
        for side in (old, new):
            engines.append(Engine(_as_list(side), backend=backend, default_tz=default_tz))
        for engine in engines:
            reports.append(_evaluate(engine, source, as_of, default_tz))
    finally:
        for engine in engines:
            engine.close()
    return _compare_reports(reports[0], reports[1])


def _as_list(side: Any) -> list[Any]:
    from ._ruleset import Ruleset

    if isinstance(side, (str, Path, Ruleset)):
        return [side]
    items = list(side)
    if not items:
        raise UsageError("no rulesets on one side of the comparison: give at least one ruleset file or shipped id")
    return items


def _evaluate(engine: Any, source: Any, as_of: dt.datetime, default_tz: dt.tzinfo | None) -> Report:
    """One side's report; a file is read with the side's own event types, and an error names its line."""
    if not isinstance(source, (str, Path)):
        report: Report = engine.evaluate(source, as_of=as_of)
        return report
    from ._errors import EfficiencyRulesError
    from ._jsonl import place_error, read_events

    events = read_events(source, registry=engine.registry, default_tz=default_tz)
    try:
        report = engine.evaluate(events, as_of=as_of)
    except EfficiencyRulesError as error:
        place_error(error, events)
        raise
    return report


# -- matching ---------------------------------------------------------------------------------


def _keys(report: Report) -> dict[str, tuple[str, str, str, str]]:
    """Each verdict's key (ruleset id, rule, thread, trigger), a trigger naming a verdict replaced by its key."""
    by_id = {v.id: v for v in report.verdicts}
    keys: dict[str, tuple[str, str, str, str]] = {}

    def key(v: Verdict, depth: int = 0) -> tuple[str, str, str, str]:
        found = keys.get(v.id)
        if found is not None:
            return found
        head, hash_, tail = v.trigger.partition("#")
        cause = by_id.get(head)
        trigger = v.trigger
        if cause is not None and cause is not v and depth < 32:
            trigger = "|".join(key(cause, depth + 1)) + hash_ + tail
        keys[v.id] = (v.ruleset, v.rule, v.thread, trigger)
        return keys[v.id]

    for v in report.verdicts:
        key(v)
    return keys


def _differences(old: Verdict, new: Verdict) -> list[Any]:
    return [name for name in _COMPARED_FIELDS if getattr(old, name) != getattr(new, name)]


def _unit(v: Verdict) -> str | None:
    return next((s.id for s in v.subjects if s.role == "unit"), None)


def _month(v: Verdict) -> str:
    return f"{v.at.year:04d}-{v.at.month:02d}"


def _compare_reports(old: Report, new: Report) -> Comparison:
    old_keys, new_keys = _keys(old), _keys(new)
    grouped: dict[tuple[str, str, str, str], tuple[list[Verdict], list[Verdict]]] = {}
    for v in old.verdicts:
        grouped.setdefault(old_keys[v.id], ([], []))[0].append(v)
    for v in new.verdicts:
        grouped.setdefault(new_keys[v.id], ([], []))[1].append(v)
    added: list[Verdict] = []
    removed: list[Verdict] = []
    changed: list[VerdictChange] = []
    unchanged = 0
    for before, after in grouped.values():
        before.sort(key=lambda v: (v.at, v.id))
        after.sort(key=lambda v: (v.at, v.id))
        for a, b in zip(before, after, strict=False):
            differs = _differences(a, b)
            if differs:
                changed.append(VerdictChange(old=a, new=b, fields=differs))
            else:
                unchanged += 1
        removed += before[len(after):]
        added += after[len(before):]
    added = _cause_first(added)
    removed = _cause_first(removed)
    changed.sort(key=lambda c: (c.new.at, c.new.id))

    rules: dict[tuple[str, str], list[int]] = {}
    units: dict[str | None, list[int]] = {}
    months: dict[str, list[int]] = {}
    for column, verdicts in ((0, added), (1, removed), (2, [c.new for c in changed])):
        for v in verdicts:
            rules.setdefault((v.ruleset, v.rule), [0, 0, 0])[column] += 1
            units.setdefault(_unit(v), [0, 0, 0, 0, 0])[column] += 1
            months.setdefault(_month(v), [0, 0, 0, 0, 0])[column] += 1
    cases, compared, moved = _case_changes(old, new)
    for case in cases:
        deadline = case.new_deadline if case.change == "late" else case.old_deadline
        if case.change == "other" or deadline is None:
            continue
        column = 3 if case.change == "late" else 4
        units.setdefault(case.unit, [0, 0, 0, 0, 0])[column] += 1
        months.setdefault(f"{deadline.year:04d}-{deadline.month:02d}", [0, 0, 0, 0, 0])[column] += 1

    def tally(key: str | None, n: list[int]) -> Tally:
        return Tally(key=key, added=n[0], removed=n[1], changed=n[2], made_late=n[3], made_on_time=n[4])

    return Comparison(
        as_of=new.as_of, old=old.rulesets, new=new.rulesets, events=new.events,
        old_verdicts=len(old.verdicts), new_verdicts=len(new.verdicts), unchanged=unchanged,
        added=added, removed=removed, changed=changed,
        by_rule=[RuleTally(ruleset=r, rule=rule, added=n[0], removed=n[1], changed=n[2]) for (r, rule), n in sorted(rules.items())],
        by_unit=[tally(u, n) for u, n in sorted(units.items(), key=lambda item: (item[0] is None, item[0] or ""))],
        by_month=[tally(m, n) for m, n in sorted(months.items())],
        cases_compared=compared, deadlines_moved=moved, cases=cases, scores=_score_changes(old, new),
    )


def _case_changes(old: Report, new: Report) -> tuple[list[CaseChange], int, int]:
    def keyed(report: Report) -> dict[tuple[str, str, str], CaseState]:
        return {(c.ruleset, c.time_limit, c.thread): c for c in report.cases}

    before, after = keyed(old), keyed(new)
    units: dict[str, str] = {}
    for v in [*new.verdicts, *old.verdicts]:
        unit = _unit(v)
        if unit is not None:
            units.setdefault(v.thread, unit)
    changes: list[CaseChange] = []
    moved = 0
    keys = list(before) + [k for k in after if k not in before]
    for key in keys:
        a, b = before.get(key), after.get(key)
        if a is not None and b is not None and a.status == b.status:
            if a.deadline != b.deadline:
                moved += 1
            continue
        old_status = None if a is None else a.status
        new_status = None if b is None else b.status
        change: Literal["late", "on_time", "other"] = "other"
        if old_status in _ON_TIME and new_status in _LATE:
            change = "late"
        elif old_status in _LATE and new_status in _ON_TIME:
            change = "on_time"
        either = b if b is not None else a
        assert either is not None  # a key comes from one of the two
        changes.append(CaseChange(
            thread=key[2], ruleset=key[0], time_limit=key[1], matter=either.matter, unit=units.get(key[2]), change=change,
            old_status=old_status, new_status=new_status,
            old_limit=None if a is None else a.limit, new_limit=None if b is None else b.limit,
            old_deadline=None if a is None else a.deadline, new_deadline=None if b is None else b.deadline,
            stopped_at=either.stopped_at,
        ))
    changes.sort(key=lambda c: (c.stopped_at or c.new_deadline or c.old_deadline or old.as_of, c.thread, c.time_limit))
    return changes, len(keys), moved


def _score_changes(old: Report, new: Report) -> list[ScoreChange]:
    def keyed(report: Report) -> dict[tuple[str, str, str, str], Score]:
        return {(s.ruleset, s.role, s.subject, s.period): s for s in report.scores}

    before, after = keyed(old), keyed(new)
    out: list[ScoreChange] = []
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        if a is not None and b is not None and (a.score, a.grade, a.rank, a.vetoed) == (b.score, b.grade, b.rank, b.vetoed):
            continue
        old_score = None if a is None else a.score
        new_score = None if b is None else b.score
        base = (a or b).base  # type: ignore[union-attr]  # one of the two is there
        out.append(ScoreChange(
            ruleset=key[0], role=(a or b).role, subject=key[2], period=key[3],  # type: ignore[union-attr]  # one is there
            old_score=old_score, new_score=new_score,
            delta=round((base if new_score is None else new_score) - (base if old_score is None else old_score), 6),
            old_deductions=0 if a is None else a.deductions, new_deductions=0 if b is None else b.deductions,
            old_grade=None if a is None else a.grade, new_grade=None if b is None else b.grade,
            old_rank=None if a is None else a.rank, new_rank=None if b is None else b.rank,
        ))
    return out


# -- the table --------------------------------------------------------------------------------

_WORDS = {
    "old": ("原", "old"), "new": ("新", "new"), "added": ("新增", "added"), "removed": ("减少", "removed"),
    "changed": ("变化", "changed"), "ruleset": ("规则集", "ruleset"), "unit": ("单位", "unit"),
    "month": ("月份", "month"), "old_status": ("原状态", "old status"), "new_status": ("新状态", "new status"),
    "old_limit": ("原期限", "old limit"), "new_limit": ("新期限", "new limit"),
    "old_deadline": ("原截止时间", "old deadline"), "new_deadline": ("新截止时间", "new deadline"),
    "stopped_at": ("办结时间", "completed"), "old_score": ("原得分", "old score"), "new_score": ("新得分", "new score"),
    "delta": ("增减", "change"), "old_grade": ("原等次", "old grade"), "new_grade": ("新等次", "new grade"),
    "old_rank": ("原名次", "old rank"), "new_rank": ("新名次", "new rank"), "what": ("变化内容", "what changed"),
    "no_unit": ("无单位", "no unit"), "none": ("无", "none"),
    "added_verdicts": ("新增结论", "verdicts added"), "removed_verdicts": ("减少结论", "verdicts removed"),
    "changed_verdicts": ("变化结论", "verdicts changed"), "made_late": ("变为超期的办件", "cases made late"), "made_on_time": ("变为按时的办件", "cases made on time"),
}
_FIELD_WORDS = {
    "kind": ("类别", "kind"), "at": ("时间", "time"), "subjects": ("对象", "subjects"), "points": ("分值", "points"),
    "card": ("黄红牌", "card"), "sanction": ("处理", "sanction"),
}


def _w(name: str, language: Language) -> str:
    pair = _WORDS.get(name) or _FIELD_WORDS.get(name)
    if pair is None:
        return label(name, language)
    return pair[0] if language == "zh" else pair[1]


def _rulesets(refs: list[RulesetRef], language: Language) -> str:
    names = [f"{r.id} {r.version}" if language == "en" else f"{r.id}（{r.version}版）" for r in refs]
    return ("、" if language == "zh" else " + ").join(names) or _w("none", language)


def _limit_text(text: str | None, language: Language) -> str:
    return "-" if text is None else limit(_Limit(Duration.parse(text)), language)


def _status_text(name: str | None, language: Language) -> str:
    return ("无时钟" if language == "zh" else "no clock") if name is None else status(name, language)


def _points(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _signed(value: float) -> str:
    return f"{value:+g}" if value else "0"


def _capped(rows: list[tuple[str, ...]], cap: int | None, noun: Literal["case", "score", "verdict"], language: Language) -> list[str]:
    """A head row and its rows as columns; past ``cap`` rows, a line that counts the rest (with ``cap`` 0, only
    that line)."""
    listed = len(rows) - 1
    if cap == 0:
        return [f"（{count(listed, noun, language)}未列出）" if language == "zh" else f"({count(listed, noun, language)} not listed)"]
    shown = rows if cap is None else rows[: cap + 1]
    out = _columns(shown)
    rest = len(rows) - len(shown)
    if rest > 0:
        out.append(f"……另有{count(rest, noun, language)}" if language == "zh"
                   else f"… and {rest} more {count(rest, noun, language).split(' ', 1)[1]}")
    return out


def _verdict_rows(verdicts: list[Verdict], language: Language) -> list[tuple[str, ...]]:
    zh = language == "zh"
    rows = [tuple(label(name, language) for name in ("at", "rule", "kind", "subjects", "points", "thread", "message"))]
    for v in verdicts:
        subjects = ("，" if zh else ", ").join(subject(s.role, s.id, language) for s in v.subjects) or "-"
        message = v.explanation.message_zh if zh or v.explanation.message_en is None else v.explanation.message_en
        rows.append((instant(v.at, language), v.rule, kind(v.kind, language), subjects, _points(v.points),
                     thread(v.thread, language), message))
    return rows


def _describe_change(c: VerdictChange, language: Language) -> str:
    zh = language == "zh"
    parts = []
    for name in c.fields:
        a, b = getattr(c.old, name), getattr(c.new, name)
        if name == "at":
            a, b = instant(a, language), instant(b, language)
        elif name == "kind":
            a, b = kind(a, language), kind(b, language)
        elif name == "subjects":
            a = ("，" if zh else ", ").join(subject(s.role, s.id, language) for s in a) or "-"
            b = ("，" if zh else ", ").join(subject(s.role, s.id, language) for s in b) or "-"
        elif name == "points":
            a, b = _points(a), _points(b)
        else:
            a, b = a or "-", b or "-"
        parts.append(f"{_w(name, language)}：{a}→{b}" if zh else f"{_w(name, language)}: {a} → {b}")
    return ("；" if zh else "; ").join(parts)


def _tally_cells(t: Tally) -> tuple[str, ...]:
    return str(t.added), str(t.removed), str(t.changed), str(t.made_late), str(t.made_on_time)


def _table(c: Comparison, language: Language, cap: int | None) -> str:
    if language not in ("zh", "en"):
        raise UsageError(f"language must be 'zh' or 'en', not {language!r}")
    if cap is not None and cap < 0:
        raise UsageError(f"rows must be 0 or more, not {cap}")
    zh = language == "zh"
    late = sum(1 for x in c.cases if x.change == "late")
    on_time = sum(1 for x in c.cases if x.change == "on_time")
    other = len(c.cases) - late - on_time
    as_of = instant(c.as_of, language)
    if zh:
        out = [
            f"原规则集：{_rulesets(c.old, language)}",
            f"新规则集：{_rulesets(c.new, language)}",
            (f"截至{as_of}，判定{count(c.events, 'event', language)}；结论原{c.old_verdicts}项、新{c.new_verdicts}项："
            f"新增{len(c.added)}项，减少{len(c.removed)}项，变化{len(c.changed)}项，未变{c.unchanged}项"),
            (f"办件时钟{c.cases_compared}个：由按时变为超期{late}个，由超期变为按时{on_time}个，其他状态变化{other}个；"
            f"另有{c.deadlines_moved}个截止时间改变而状态未变"),
        ]
    else:
        out = [
            f"old rulesets: {_rulesets(c.old, language)}",
            f"new rulesets: {_rulesets(c.new, language)}",
            (f"as of {as_of}, {count(c.events, 'event', language)} judged; {count(c.old_verdicts, 'verdict', language)} before, {c.new_verdicts} now: "
            f"{len(c.added)} added, {len(c.removed)} removed, {len(c.changed)} changed, {c.unchanged} unchanged"),
            (f"{c.cases_compared} case clocks: {late} on time before and late now, {on_time} late before and on time now, "
            f"{other} other changes of status; {c.deadlines_moved} more with a deadline moved but the same status"),
        ]
    if c.empty:
        out.append("两组规则集给出的结论、办件状态和得分完全相同" if zh
                   else "Both sets of rulesets give the same verdicts, case states and scores")
        return "\n".join(out) + "\n"
    counts = ("added_verdicts", "removed_verdicts", "changed_verdicts")
    by_case = ("made_late", "made_on_time")
    if c.by_rule:
        out += ["", "按规则" if zh else "By rule"]
        out += _columns([(_w("ruleset", language), label("rule", language), *(_w(n, language) for n in counts))]
                        + [(t.ruleset, t.rule, str(t.added), str(t.removed), str(t.changed)) for t in c.by_rule])
    if c.by_unit:
        out += ["", "按单位" if zh else "By unit"]
        out += _columns([(_w("unit", language), *(_w(n, language) for n in counts + by_case))]
                        + [(t.key or _w("no_unit", language), *_tally_cells(t)) for t in c.by_unit])
    if c.by_month:
        out += ["", "按月份" if zh else "By month"]
        out += _columns([(_w("month", language), *(_w(n, language) for n in counts + by_case))]
                        + [(period(t.key or "", language), *_tally_cells(t)) for t in c.by_month])
    if c.cases:
        out += ["", f"状态改变的办件（{len(c.cases)}个）" if zh else f"Cases whose status changed ({len(c.cases)})"]
        head = (label("case", language), label("time_limit", language), label("matter", language), _w("unit", language),
                *(_w(n, language) for n in ("old_status", "new_status", "old_limit", "new_limit", "old_deadline",
                                            "new_deadline", "stopped_at")))
        rows = [head] + [(
            thread(x.thread, language), x.time_limit, x.matter or "-", x.unit or "-",
            _status_text(x.old_status, language), _status_text(x.new_status, language),
            _limit_text(x.old_limit, language), _limit_text(x.new_limit, language),
            "-" if x.old_deadline is None else instant(x.old_deadline, language),
            "-" if x.new_deadline is None else instant(x.new_deadline, language),
            "-" if x.stopped_at is None else instant(x.stopped_at, language),
        ) for x in c.cases]
        out += _capped(rows, cap, "case", language)
    if c.scores:
        out += ["", f"得分变化（{len(c.scores)}项）" if zh else f"Scores that changed ({len(c.scores)})"]
        head = (label("period", language), label("subject", language),
                *(_w(n, language) for n in ("old_score", "new_score", "delta", "old_grade", "new_grade", "old_rank", "new_rank")))
        rows = [head] + [(
            period(s.period, language), subject(s.role, s.subject, language), _points(s.old_score), _points(s.new_score),
            _signed(s.delta), s.old_grade or "-", s.new_grade or "-",
            "-" if s.old_rank is None else str(s.old_rank), "-" if s.new_rank is None else str(s.new_rank),
        ) for s in c.scores]
        out += _capped(rows, cap, "score", language)
    for name, verdicts in (("added", c.added), ("removed", c.removed)):
        if verdicts:
            title = (f"{_w(name, language)}的结论（{len(verdicts)}项）" if zh
                     else f"Verdicts {_w(name, language)} ({len(verdicts)})")
            out += ["", title, *_capped(_verdict_rows(verdicts, language), cap, "verdict", language)]
    if c.changed:
        out += ["", f"变化的结论（{len(c.changed)}项）" if zh else f"Verdicts changed ({len(c.changed)})"]
        rows = [(label("rule", language), label("thread", language), _w("what", language)), *[
            (x.new.rule, thread(x.new.thread, language), _describe_change(x, language)) for x in c.changed
        ]]
        out += _capped(rows, cap, "verdict", language)
    return "\n".join(out) + "\n"


# -- sheets -----------------------------------------------------------------------------------

_SHEETS = {
    "by_rule": ("按规则", "by rule"), "by_unit": ("按单位", "by unit"), "by_month": ("按月份", "by month"),
    "cases": ("办件状态变化", "case status changes"), "scores": ("得分变化", "score changes"),
    "verdicts": ("结论变化", "verdict changes"),
}


def _local(moment: dt.datetime | None, zone: dt.tzinfo | None) -> dt.datetime | None:
    """A local time in the ruleset's zone, without the offset (Excel keeps none)."""
    if moment is None:
        return None
    return (moment.astimezone(zone) if zone is not None else moment).replace(tzinfo=None)


def _sheets(c: Comparison, language: Language) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """The comparison as sheets (name → headers and rows of typed cells) for xlsx and CSV."""
    if language not in ("zh", "en"):
        raise UsageError(f"language must be 'zh' or 'en', not {language!r}")
    zh = language == "zh"
    pick = 0 if zh else 1
    counts = [_w(n, language) for n in ("added_verdicts", "removed_verdicts", "changed_verdicts")]
    out: dict[str, tuple[list[str], list[list[Any]]]] = {}
    out[_SHEETS["by_rule"][pick]] = ([_w("ruleset", language), label("rule", language), *counts],
                                     [[t.ruleset, t.rule, t.added, t.removed, t.changed] for t in c.by_rule])
    cases = [_w("made_late", language), _w("made_on_time", language)]
    out[_SHEETS["by_unit"][pick]] = ([_w("unit", language), *counts, *cases],
                                     [[t.key or _w("no_unit", language), t.added, t.removed, t.changed, t.made_late,
                                       t.made_on_time] for t in c.by_unit])
    out[_SHEETS["by_month"][pick]] = ([_w("month", language), *counts, *cases],
                                      [[period(t.key or "", language), t.added, t.removed, t.changed, t.made_late,
                                        t.made_on_time] for t in c.by_month])
    rows: list[list[Any]] = []
    for x in c.cases:
        zone = (x.new_deadline or x.old_deadline or c.as_of).tzinfo
        rows.append([thread(x.thread, language), x.time_limit, x.matter, x.unit, _status_text(x.old_status, language),
                     _status_text(x.new_status, language), None if x.old_limit is None else _limit_text(x.old_limit, language),
                     None if x.new_limit is None else _limit_text(x.new_limit, language), _local(x.old_deadline, zone),
                     _local(x.new_deadline, zone), _local(x.stopped_at, zone)])
    out[_SHEETS["cases"][pick]] = ([label("case", language), label("time_limit", language), label("matter", language),
                                    _w("unit", language), *(_w(n, language) for n in (
                                        "old_status", "new_status", "old_limit", "new_limit", "old_deadline", "new_deadline",
                                        "stopped_at"))], rows)
    out[_SHEETS["scores"][pick]] = (
        [label("period", language), label("subject", language),
         *(_w(n, language) for n in ("old_score", "new_score", "delta", "old_grade", "new_grade", "old_rank", "new_rank"))],
        [[period(s.period, language), subject(s.role, s.subject, language), s.old_score, s.new_score, s.delta,
          s.old_grade, s.new_grade, s.old_rank, s.new_rank] for s in c.scores])
    rows = []
    head = [_w("what", language), label("at", language), _w("ruleset", language), label("rule", language),
            label("kind", language), label("subjects", language), label("points", language), label("thread", language),
            label("message", language)]
    lines = ([(_w("added", language), v, None) for v in c.added] + [(_w("removed", language), v, None) for v in c.removed]
             + [(_w("changed", language), x.new, x) for x in c.changed])
    for what, v, change in lines:
        message = v.explanation.message_zh if zh or v.explanation.message_en is None else v.explanation.message_en
        rows.append([what, _local(v.at, v.at.tzinfo), v.ruleset, v.rule, kind(v.kind, language),
                     ("，" if zh else ", ").join(subject(s.role, s.id, language) for s in v.subjects) or None, v.points,
                     thread(v.thread, language), message if change is None else _describe_change(change, language)])
    out[_SHEETS["verdicts"][pick]] = (head, rows)
    return out
