"""Aggregates: a statistic of case clocks (or a share of threads) per subject per period, against a bound.

A ruleset's ``accountability.aggregates`` entries judge, when a period has ended, the mean, median
or a percentile of the elapsed time of the case clocks of a time limit that stopped completed in
it, the share of those completed on time, or the share of threads whose event satisfies a
condition — per unit, member of staff or matter. Fewer than ``min_cases`` counted: the period is
not judged, and the report says so. Each subject and period gives a row of ``Report.aggregates``;
one that fails its bound also gives the entry's verdict. docs/accountability.md states the semantics.

What a case clock contributes is a :class:`ClockFigure`, a projection of about 270 bytes that a
session keeps for each stopped clock of a time limit some aggregate reads (a stream keeps nothing
else of its closed cases).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import operator
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from ._events import Event
from ._ruleset_schema import AggregateSpec
from ._text import Phrase, Value, period, thread_phrase
from ._verdicts import Aggregate, Verdict, make_verdict, verdict_id

__all__ = ["ClockFigure", "judge_aggregates"]

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
                                                  "≤": operator.le, "≥": operator.ge}
#: How a value stands against the bound, when it holds and when it does not: (zh, en) each.
_OP_TEXT = {"<": (("低于", "below"), ("未低于", "not below")), "<=": (("不超过", "at most"), ("超过", "above")),
            ">": (("高于", "above"), ("未高于", "not above")), ">=": (("达到", "at least"), ("未达到", "below"))}
_OP_TEXT |= {"≤": _OP_TEXT["<="], "≥": _OP_TEXT[">="]}
#: Threads listed one by one in a verdict's explanation; more are named by their count and digest.
LISTED = 20


@dataclass(frozen=True, slots=True)
class ClockFigure:
    """What an aggregate reads of a stopped case clock: whose, when it stopped, how long it ran, whether on time."""

    thread: str
    ruleset: str
    time_limit: str
    matter: str | None
    unit: str | None
    actor: str | None
    stopped_at: dt.datetime
    on_time: bool
    elapsed_seconds: int
    seconds_per_day: int
    working: bool

    def to_json(self) -> list[Any]:
        return [self.thread, self.ruleset, self.time_limit, self.matter, self.unit, self.actor, self.stopped_at.isoformat(),
                self.on_time, self.elapsed_seconds, self.seconds_per_day, self.working]

    @classmethod
    def from_json(cls, row: Sequence[Any]) -> ClockFigure:
        thread, ruleset, time_limit, matter, unit, actor, stopped_at, on_time, elapsed, per_day, working = row
        return cls(str(thread), str(ruleset), str(time_limit), matter, unit, actor, dt.datetime.fromisoformat(stopped_at),
                   bool(on_time), int(elapsed), int(per_day), bool(working))


@dataclass(slots=True)
class _Member:
    """One case or thread counted: its id, its value (days, or 1/0 for a share) and its measure."""

    thread: str
    value: Fraction
    working: bool | None  # None for a thread's event


def _case_members(entry: AggregateSpec, own: str, figures: Sequence[ClockFigure], period_of: Callable[[dt.datetime], str]
                  ) -> dict[tuple[str, str], list[_Member]]:
    cases = entry.cases
    assert cases is not None
    ruleset = cases.ruleset or own
    matters = None if cases.matters is None else set(cases.matters)
    grouped: dict[tuple[str, str], list[_Member]] = defaultdict(list)
    for figure in figures:
        if figure.ruleset != ruleset or figure.time_limit != cases.time_limit:
            continue
        if matters is not None and figure.matter not in matters:
            continue
        subject = figure.unit if entry.per == "unit" else figure.actor if entry.per == "staff" else figure.matter
        if not subject:
            continue
        key = (subject, period_of(figure.stopped_at))
        if entry.statistic == "on_time":
            value = Fraction(1 if figure.on_time else 0)
        else:
            value = Fraction(figure.elapsed_seconds, figure.seconds_per_day)
        grouped[key].append(_Member(figure.thread, value, figure.working))
    return grouped


def _event_members(entry: AggregateSpec, events: Sequence[Event], conditions: Mapping[str, Callable[[Event], bool]],
                   thread_of: Callable[[Event], str], period_of: Callable[[dt.datetime], str]
                   ) -> dict[tuple[str, str], list[_Member]]:
    spec = entry.events
    assert spec is not None
    where = conditions.get(f"aggregate:{entry.id}")
    satisfying = conditions.get(f"aggregate-satisfying:{entry.id}")
    last: dict[tuple[str, str], dict[str, Event]] = defaultdict(dict)  # (subject, period) -> thread -> its last event
    for event in sorted((e for e in events if e.type == spec.event), key=lambda e: (e.at.timestamp(), e.id)):
        if where is not None and not where(event):
            continue
        values = event.__dict__
        if entry.subject_field is not None:
            subject = values.get(entry.subject_field)
        else:
            subject = event.unit if entry.per == "unit" else event.actor if entry.per == "staff" else values.get("matter")
        if not subject:
            continue
        last[(str(subject), period_of(event.at))][thread_of(event)] = event
    return {key: [_Member(thread, Fraction(1 if satisfying is None or satisfying(event) else 0), None)
                  for thread, event in by_thread.items()] for key, by_thread in last.items()}


def _shown(value: Fraction, bound: Fraction, places: int = 1) -> str:
    """``value`` rounded half up to ``places`` decimals (more when that would show the bound it differs from),
    without a trailing ``.0``."""
    for digits in range(places, 9):
        text = _decimal(value, digits)
        if value == bound or Decimal(text) != Decimal(_decimal(bound, digits)):
            return text
    return _decimal(value, 8)


def _decimal(value: Fraction, digits: int) -> str:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    text = str(exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))
    return text.rstrip("0").rstrip(".") if "." in text else text


def _amount(text: str, unit: str) -> Phrase:
    if unit == "percent":
        return Phrase(f"{text}%", f"{text}%")
    if unit == "working_days":
        return Phrase(f"{text}个工作日", f"{text} working day{'' if text == '1' else 's'}")
    return Phrase(f"{text}日", f"{text} day{'' if text == '1' else 's'}")


def _nth(n: int) -> str:
    """``n`` as an English ordinal: 1st, 2nd, 3rd, 4th, 11th…"""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _statistic(entry: AggregateSpec, values: list[Fraction]) -> tuple[Fraction, str]:
    """The statistic of the values (in order) and the arithmetic that gives it, as the explanation shows it."""
    n = len(values)
    if entry.statistic == "mean":
        total = sum(values, Fraction(0))
        mean = total / n
        added = " + ".join(_decimal(v, 4) for v in values) if n <= LISTED else f"{_decimal(total, 4)}"
        return mean, f"({added}) / {n} = {_decimal(mean, 4)}"
    if entry.statistic == "median":
        ordered = sorted(values)
        middle = n // 2
        if n % 2:
            median = ordered[middle]
            return median, f"the {_nth(middle + 1)} of {n} in order: {_decimal(median, 4)}"
        median = (ordered[middle - 1] + ordered[middle]) / 2
        return median, (f"the {_nth(middle)} and {_nth(middle + 1)} of {n} in order: ({_decimal(ordered[middle - 1], 4)} + "
                        f"{_decimal(ordered[middle], 4)}) / 2 = {_decimal(median, 4)}")
    if entry.statistic == "percentile":
        assert entry.p is not None
        rank = max(1, math.ceil(Fraction(str(entry.p)) * n / 100))
        chosen = sorted(values)[rank - 1]
        return chosen, f"nearest rank ceil({entry.p:g}% x {n}) = {rank}: the {_nth(rank)} of {n} in order = {_decimal(chosen, 4)}"
    hits = sum(1 for v in values if v)
    share = Fraction(hits, n)
    return share * 100, f"{hits} / {n} = {_decimal(share * 100, 4)}%"


def judge_aggregates(ledger: Any, figures: Sequence[ClockFigure], thread_of: Callable[[Event], str],
                     keep: Callable[[Verdict | None], None]) -> list[Aggregate]:
    """Every aggregate of ``ledger``'s section for every subject and period ended by its ``as_of``: the rows of
    ``Report.aggregates``; a judged one that fails its bound gives its verdict through ``keep``."""
    from ._accountability import _period, _period_end, _title

    rows: list[Aggregate] = []
    calendar = ledger.calendar
    ruleset = ledger.ruleset

    for entry in ledger.spec.aggregates:

        def period_of(moment: dt.datetime, kind: str = entry.period) -> str:
            return _period(calendar.local(moment).date(), kind)

        if entry.cases is not None:
            groups = _case_members(entry, ruleset.id, figures, period_of)
        else:
            groups = _event_members(entry, ledger.events, ledger.conditions, thread_of, period_of)
        shares = entry.statistic in ("on_time", "share")
        bound = Fraction(entry.value.rstrip("%")) if isinstance(entry.value, str) else Fraction(str(entry.value))
        title = _title(entry.title, entry.id)
        title_en = entry.title.en or title if entry.title is not None and not isinstance(entry.title, str) else title
        for (subject, key) in sorted(groups):
            end = _period_end(key, entry.period, calendar)
            if end > ledger.as_of:
                continue
            members = sorted(groups[(subject, key)], key=lambda m: m.thread)
            rows.append(_judge(ledger, entry, (title, title_en), subject, key, end, members, bound, shares, keep))
    return rows


def _judge(ledger: Any, entry: AggregateSpec, titles: tuple[str, str], subject: str, key: str, end: dt.datetime, members: list[_Member],
           bound: Fraction, shares: bool, keep: Callable[[Verdict | None], None]) -> Aggregate:
    ruleset = ledger.ruleset
    title, title_en = titles
    n = len(members)
    threads = [m.thread for m in members]
    digest = hashlib.blake2b("\n".join(threads).encode(), digest_size=8).hexdigest()
    measures = {m.working for m in members}
    unit = "percent" if shares else "working_days" if True in measures and len(measures) == 1 else "days"
    during = Phrase(period(key, "zh"), period(key, "en"))
    who = thread_phrase(f"{entry.per}:{subject}")
    (met_zh, met_en), (unmet_zh, unmet_en) = _OP_TEXT[entry.op]
    bound_text = _amount(_decimal(bound, 4), unit)
    head_zh = f"{who.zh} {during.zh}{title}"
    head_en = f"{who.en}, {during.en}: {title_en}"
    base: dict[str, Any] = {
        "ruleset": ruleset.id, "ruleset_version": ruleset.version, "rule": entry.id, "role": entry.per, "subject": subject,
        "period": key, "statistic": entry.statistic, "p": entry.p, "unit": unit, "op": entry.op, "bound": float(bound),
        "count": n, "min_cases": entry.min_cases, "threads": threads, "digest": digest,
    }
    if not shares and len(measures) > 1:
        return Aggregate.model_validate({
            **base, "value": None, "judged": False,
            "message_zh": f"{head_zh}：计入的{n}件办件计时口径不一（工作日与自然日），不作评判",
            "message_en": f"{head_en}: the {n} cases counted are timed in different measures (working and natural days); not judged",
        })
    value, arithmetic = _statistic(entry, [m.value for m in members])
    shown = _amount(_shown(value, bound), unit)
    if n < entry.min_cases:
        return Aggregate.model_validate({
            **base, "value": round(float(value), 4), "judged": False,
            "message_zh": f"{head_zh}：仅{n}件，少于{entry.min_cases}件，样本不足，不作评判（数值{shown.zh}，仅供参考）",
            "message_en": f"{head_en}: only {n} counted, fewer than {entry.min_cases}; too few to judge (value {shown.en}, for information)",
        })
    holds = _COMPARE[entry.op](value, bound)
    verdict_of: str | None = None
    if holds:
        message_zh = f"{head_zh}：{n}件，{shown.zh}，{met_zh}{bound_text.zh}，达标"
        message_en = f"{head_en}: {n} counted, {shown.en}, {met_en} {bound_text.en}: met"
    else:
        message_zh = f"{head_zh}：{n}件，{shown.zh}，{unmet_zh}{bound_text.zh}"
        message_en = f"{head_en}: {n} counted, {shown.en}, {unmet_en} {bound_text.en}"
        counted = (", ".join(f"{m.thread} ({_decimal(m.value, 4)})" for m in members) if n <= LISTED
                   else f"{n} (blake2b {digest} of the sorted ids; Report.aggregates lists them)")
        facts = [
            ("统计", "statistic", entry.statistic + (f" p{entry.p:g}" if entry.p is not None else "")),
            ("数值", "value", f"{_decimal(value, 4)} {unit}"),
            ("界限", "bound", f"{entry.op} {_decimal(bound, 4)} {unit}"),
            ("计算", "arithmetic", arithmetic),
            ("计入", "counted", counted),
        ]
        values: dict[str, Value] = {"figure": shown, "bound": bound_text, "sample": str(n), "count": str(n), "during": during}
        verdict = _give(ledger, entry, title, subject, key, end, facts, values)
        keep(verdict)
        verdict_of = None if verdict is None else verdict.id
    return Aggregate.model_validate({**base, "value": round(float(value), 4), "judged": True, "holds": holds,
                                     "verdict": verdict_of, "message_zh": message_zh, "message_en": message_en})


def _give(ledger: Any, entry: AggregateSpec, title: str, subject: str, key: str, at: dt.datetime,
          facts_given: list[tuple[str, str, str]], values: Mapping[str, Value]) -> Verdict | None:
    """The entry's verdict against the subject for the period, dated at the period's end."""
    if entry.per != "matter":
        return ledger.give(entry.id, title, entry.verdict, entry.per, subject, f"aggregate-{key}", at, key, facts_given,  # type: ignore[no-any-return]
                           entry.also, {**values, "matter": ""})
    ruleset = ledger.ruleset
    template = ruleset.spec.verdicts[entry.verdict]
    thread = f"matter:{subject}"
    local = ledger.calendar.local(at)
    fill: dict[str, Value] = {"rule": entry.id, "thread": thread_phrase(thread), "event_id": f"aggregate-{key}", "actor": "",
                              "unit": "", "matter": subject, "at": local, **values}
    facts = [{"zh": "规则", "en": "rule", "value": f"{entry.id} ({title})"}, {"zh": "对象", "en": "subject", "value": thread},
             {"zh": "期间", "en": "window", "value": key}] + [{"zh": z, "en": e, "value": v} for z, e, v in facts_given]
    vid = verdict_id(ruleset.id, ruleset.version, entry.id, thread, f"aggregate-{key}#{key}")
    return make_verdict(vid=vid, ruleset=ruleset, rule=entry.id, template=template, thread=thread, at=local, subjects=[],
                        cites=[ruleset.reference(c) for c in template.cites], trigger=f"aggregate-{key}", values=fill, facts=facts)
