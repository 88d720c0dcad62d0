"""Verdicts and reports: what evaluation returns, as JSON with a published schema and as a table."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    TypeAdapter,
    ValidationInfo,
    computed_field,
    model_validator,
)

from ._duration import Duration
from ._text import (
    Language,
    Limit,
    Span,
    Value,
    card,
    count,
    instant,
    kind,
    label,
    limit,
    period,
    render,
    span,
    status,
    subject,
    thread,
)

if TYPE_CHECKING:
    from ._engine import Engine
    from ._events import Event

__all__ = [
    "ZERO", "Aggregate", "CaseState", "Citation", "Explanation", "Fact", "Report", "Revocation", "RulesetRef", "Score", "Subject",
    "Verdict", "engine_case_state", "make_case_state", "make_verdict", "render_message", "verdict_id",
]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Subject(_Model):
    """Whom a verdict is against: a staff member or a unit (一案双查 gives more than one)."""

    role: Literal["staff", "unit", "deputy", "principal"]
    id: str


class Citation(_Model):
    """A clause the verdict enforces, with its citation and text from the ruleset's references."""

    id: str
    citation: str
    text: str | None = None


class Fact(_Model):
    """One fact an explanation rests on: a label in Chinese and English, and its value as text."""

    zh: str
    en: str
    value: str


class Explanation(_Model):
    """Why the verdict holds: the facts used, step by step, and the rendered message."""

    message_zh: str
    message_en: str | None = None
    facts: list[Fact] = Field(default_factory=list)


class _VerdictFields(_Model):
    """A verdict's fields but its explanation."""

    id: str = Field(description="Deterministic: the same ruleset, rule, thread and trigger always give the same id.")
    ruleset: str
    ruleset_version: str
    rule: str
    kind: Literal["violation", "warning", "alarm", "sanction", "compliance"]
    thread: str = Field(description="The case, inquiry or other thread, e.g. 'case:XK-2024-0917'.")
    at: AwareDatetime = Field(description="When the verdict became true.")
    subjects: list[Subject] = Field(default_factory=list)
    points: float | None = None
    card: Literal["yellow", "red"] | None = None
    sanction: str | None = None
    cites: list[Citation] = Field(default_factory=list)
    trigger: str = Field(description="The id of the event that triggered it (or started the missed expectation).")


class _VerdictInput(_VerdictFields):
    """A verdict as JSON gives it, explanation included: how a verdict read back is checked."""

    explanation: Explanation


class Verdict(_VerdictFields):
    """A judgement: a rule of a ruleset version fired on a thread (case, inquiry…) at a time.

    Its :attr:`explanation` is written when it is first read (or the verdict is dumped):
    evaluation gives many verdicts nobody reads one by one, and their facts cost more than the
    rest of the verdict. The text is the same whenever it is written.
    """

    _explanation: Explanation | None = PrivateAttr(default=None)
    _explain: Callable[[], Explanation] | None = PrivateAttr(default=None)

    @model_validator(mode="wrap")
    @classmethod
    def _read_explanation(cls, data: Any, handler: Any, info: ValidationInfo) -> Any:
        """A verdict read back from JSON must carry its explanation; the engine's own come with a writer."""
        if not isinstance(data, Mapping) or (info.context is not None and info.context.get(_LAZY)):
            return handler(data)
        checked = _VerdictInput.model_validate(data)
        verdict = handler({name: getattr(checked, name) for name in _VerdictFields.model_fields})
        verdict._explanation = checked.explanation
        return verdict

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented form; mypy refuses decorators over @property
    @property
    def explanation(self) -> Explanation:
        """Why the verdict holds: the facts used, step by step, and the rendered message."""
        private = self.__pydantic_private__  # (read directly: a private attribute is looked up the slow way)
        assert private is not None
        written: Explanation | None = private["_explanation"]
        if written is None:
            explain = private["_explain"]
            if explain is None:
                raise RuntimeError("a verdict without an explanation or a way to write it")
            written = private["_explanation"] = explain()
            private["_explain"] = None
        return written

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Verdict):
            return NotImplemented
        return self.__dict__ == other.__dict__ and self.explanation == other.explanation

    __hash__ = None  # type: ignore[assignment]  # unhashable: equality compares mutable parts

    def __getstate__(self) -> dict[Any, Any]:
        self.explanation  # written before pickling: the writer is a closure over engine state  # noqa: B018
        state = super().__getstate__()
        state["__pydantic_private__"] = {**state["__pydantic_private__"], "_explain": None}
        return state


_LAZY = "efficiency_rules.lazy_explanation"


class CaseState(_Model):
    """A case's clock under a time limit, as of the report's ``as_of`` (docs/time-limits.md)."""

    thread: str = Field(description="The case, e.g. 'case:XK-2024-0917'.")
    ruleset: str
    ruleset_version: str
    time_limit: str
    matter: str | None = None
    status: Literal[
        "running", "warning", "overdue", "paused", "completed_on_time", "completed_late", "withdrawn", "rejected", "not_started"
    ]
    start: AwareDatetime | None = None
    deadline: AwareDatetime | None = Field(None, description="None while an allowed pause is open (or before the start).")
    stopped_at: AwareDatetime | None = None
    limit: str | None = Field(None, description="The limit that applies, e.g. '20wd' (the one in force when the clock started).")
    measure: Literal["working_time", "elapsed_time"] = Field(
        "working_time", description="What the figures count: working time (business hours on working days) or elapsed time."
    )
    elapsed_seconds: int = 0
    elapsed_days: float = Field(0, description="In working days of the calendar's business hours, or natural days.")
    remaining_seconds: int = 0
    remaining_days: float = 0
    paused_seconds: int = 0
    paused_days: float = 0
    overdue_seconds: int = 0
    overdue_days: float = 0
    extension_seconds: int = Field(0, description="Valid extensions granted, in the clock's measure (the deadline includes them).")
    extension_days: float = 0


class Score(_Model):
    """A subject's score for a period: base, less deductions (after caps), plus bonuses; its grade and rank."""

    ruleset: str
    ruleset_version: str
    role: Literal["staff", "unit"]
    subject: str
    period: str = Field(description="e.g. '2024', '2024-Q3', '2024-B5' (bimonth), '2024-09'.")
    base: float
    deductions: float
    bonuses: float
    score: float
    grade: str | None = None
    vetoed: bool = Field(False, description="A one-vote-veto (一票否决) verdict fell in the period: the lowest grade.")
    rank: int = Field(description="1 is the best score of the period; equal scores share a rank.")
    verdicts: list[str] = Field(default_factory=list, description="The ids of the verdicts that count.")


class Aggregate(_Model):
    """A statistic of an accountability aggregate for one subject and period that has ended: its value, the
    bound, the cases or threads counted, and whether it was judged (docs/accountability.md, "Aggregates")."""

    ruleset: str
    ruleset_version: str
    rule: str = Field(description="The aggregate entry's id.")
    role: Literal["staff", "unit", "matter"]
    subject: str
    period: str = Field(description="e.g. '2019', '2019-Q3', '2019-09'.")
    statistic: Literal["mean", "median", "percentile", "on_time", "share"]
    p: float | None = Field(None, description="The percentile's rank (90 is the 90th), for statistic 'percentile'.")
    unit: Literal["days", "working_days", "percent"] = Field(
        description="What value and bound are in: natural days, working days (the clocks' measure), or per cent.")
    value: float | None = Field(description="The statistic, to four places (None when nothing could be worked out).")
    op: str = Field(description="How the value must compare with the bound to hold, e.g. '<' or '>='.")
    bound: float
    count: int = Field(description="The cases (or threads) counted.")
    min_cases: int
    judged: bool = Field(description="False when fewer than min_cases counted: the period is not judged.")
    holds: bool | None = Field(None, description="Whether the value meets the bound (None when not judged).")
    verdict: str | None = Field(None, description="The id of the verdict given when it does not.")
    message_zh: str
    message_en: str
    threads: list[str] = Field(default_factory=list, description="The cases or threads counted, sorted.")
    digest: str = Field(description="blake2b (8 bytes, hex) of the sorted thread ids joined by newlines: names the set counted.")


class Revocation(_Model):
    """A verdict revoked on appeal (a verdict.revoked event): it counts nowhere."""

    verdict_id: str
    at: AwareDatetime
    reason: str | None = None
    event: str
    found: bool = Field(description="Whether the evaluation gave the verdict revoked (else the id matched nothing).")


class RulesetRef(_Model):
    """A ruleset version that took part in an evaluation."""

    id: str
    version: str
    path: str | None = None


class _Published(_Model):
    """A result with a published JSON form: a report, a comparison."""

    def to_json(self, *, indent: int | None = 2) -> str:
        """As JSON (see :meth:`json_schema`)."""
        return self.model_dump_json(indent=indent)

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """The published JSON Schema of this kind of result."""
        schema = cls.model_json_schema(mode="serialization")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        return schema


class Report(_Published):
    """The result of an evaluation as of a time (``Engine.evaluate``, ``Session.report``).

    What it holds:

    - ``as_of`` — the moment judged as of (timezone-aware);
    - ``rulesets`` — the ruleset versions that took part (:class:`RulesetRef`);
    - ``verdicts`` — every verdict (:class:`Verdict`: rule, kind, thread, ``at``, subjects, points,
      card, sanction, the clauses it cites, and its ``explanation`` with the message in Chinese and
      English and the facts it rests on), revoked ones left out;
    - ``cases`` — every case clock as of ``as_of`` (:class:`CaseState`: status, deadline, elapsed,
      remaining, paused, overdue and extension time);
    - ``scores`` — scores per subject per period with grades and ranks (:class:`Score`);
    - ``aggregates`` — statistics of case clocks or threads per subject per period against their
      bounds, judged or not (:class:`Aggregate`);
    - ``revocations`` — verdicts revoked on appeal (:class:`Revocation`);
    - ``events``, ``ignored_after_as_of``, ``open_threads`` — counts.

    What it does: :meth:`table` (a readable table, Chinese or English), :meth:`to_json` and
    :meth:`json_schema`, :meth:`to_xlsx` and :meth:`to_csv` (spreadsheets), :meth:`to_html` and
    :meth:`write_html` (one self-contained page of lights, cards, scores and case timelines). The rest of ``help()``
    below is pydantic's (a report is a frozen pydantic model: ``model_dump`` gives plain data).
    """

    as_of: AwareDatetime
    rulesets: list[RulesetRef]
    verdicts: list[Verdict]
    events: int = Field(description="Events evaluated (duplicates and events after as_of not counted).")
    ignored_after_as_of: int = Field(0, description="Events dated after as_of, not evaluated.")
    open_threads: int = Field(0, description="Threads with expectations still pending at as_of.")
    cases: list[CaseState] = Field(default_factory=list, description="Every case clock, as of as_of.")
    scores: list[Score] = Field(default_factory=list, description="Scores per subject per period (accountability).")
    revocations: list[Revocation] = Field(default_factory=list, description="Verdicts revoked, which count nowhere.")
    aggregates: list[Aggregate] = Field(default_factory=list, description="Statistics per subject per ended period "
                                        "(accountability aggregates), judged or not.")

    def table(self, *, language: Literal["zh", "en"] = "zh") -> str:
        """A readable table of the verdicts, one line each, in time order (a verdict before those it
        caused), with its message; then the case clocks, the scores and the revocations."""
        lang: Language = language
        zh = lang == "zh"
        rows = [tuple(label(name, lang) for name in ("at", "rule", "kind", "subjects", "points", "thread", "message"))]
        for v in _cause_first(self.verdicts):
            subjects = ("，" if zh else ", ").join(subject(s.role, s.id, lang) for s in v.subjects) or "-"
            points = "-" if v.points is None else f"{v.points:g}"
            shown_kind = kind(v.kind, lang) + (f"（{card(v.card, lang)}）" if zh else f" ({card(v.card, lang)})") if v.card else kind(v.kind, lang)
            message = v.explanation.message_zh if zh or v.explanation.message_en is None else v.explanation.message_en
            rows.append((instant(v.at, lang), v.rule, shown_kind, subjects, points, thread(v.thread, lang), message))
        out = _columns(rows)
        as_of = instant(self.as_of, lang)
        out.append(f"{count(len(self.verdicts), 'verdict', lang)}，截至{as_of}" if zh else f"{count(len(self.verdicts), 'verdict', lang)} as of {as_of}")
        if self.cases:
            head = tuple(label(name, lang) for name in ("case", "time_limit", "status", "limit", "deadline", "elapsed", "remaining", "overdue"))
            rows = [head]
            for c in self.cases:
                working = c.measure == "working_time"
                per_day = _per_day(c, working)

                def shown(seconds: int, c: CaseState = c, working: bool = working, per_day: int = per_day) -> str:
                    return span(Span(seconds, working, per_day), lang)

                in_force = "-"
                if c.limit is not None:
                    in_force = limit(Limit(Duration.parse(c.limit), Span(c.extension_seconds, working, per_day) if c.extension_seconds else None), lang)
                stopped = c.status in ("completed_on_time", "completed_late", "withdrawn", "rejected")
                rows.append((
                    thread(c.thread, lang), c.time_limit, status(c.status, lang), in_force,
                    "-" if c.deadline is None else instant(c.deadline, lang),
                    shown(c.elapsed_seconds) if c.start is not None else "-",
                    "-" if stopped or c.start is None else shown(c.remaining_seconds),
                    shown(c.overdue_seconds) if c.overdue_seconds else "-",
                ))
            out += ["", *_columns(rows), count(len(self.cases), "case", lang)]
        if self.scores:
            head = tuple(label(name, lang) for name in ("period", "subject", "score", "deducted", "added", "grade", "rank", "verdicts"))
            rows = [head] + [
                (period(s.period, lang), subject(s.role, s.subject, lang), f"{s.score:g}", f"{s.deductions:g}", f"{s.bonuses:g}",
                 (s.grade or "-") + ((f"（{label('veto', lang)}）" if zh else f" ({label('veto', lang)})") if s.vetoed else ""),
                 str(s.rank), str(len(s.verdicts)))
                for s in self.scores
            ]
            out += ["", *_columns(rows)]
        if self.aggregates:
            out += [""] + [a.message_zh if zh else a.message_en for a in self.aggregates]
        if self.revocations:
            out += [""] + [
                (f"撤销 {r.verdict_id}（{r.event}" + (f"：{r.reason}" if r.reason else "") + "）") if zh
                else f"revoked {r.verdict_id} ({r.event}" + (f": {r.reason}" if r.reason else "") + ")"
                for r in self.revocations
            ]
        return "\n".join(out) + "\n"

    def to_xlsx(self, path: str | Path, *, language: Literal["zh", "en"] = "zh") -> Path:
        """Write the report as an Excel workbook (sheets 结论, 办件时钟, 得分, 撤销; English names with
        ``language="en"``): real dates as local times in the ruleset's zone, figures as numbers, frozen
        header rows. Needs the ``excel`` extra (openpyxl). Returns the path written."""
        from ._spreadsheet import to_xlsx

        return to_xlsx(self, path, language)

    def to_html(
        self,
        *,
        language: Literal["zh", "en"] = "zh",
        engine: Engine | None = None,
        events: Iterable[Event | Mapping[str, Any] | str] | None = None,
        max_timelines: int = 200,
        max_verdicts: int = 5000,
        yellow_at: float = 0.8,
    ) -> str:
        """The report as one self-contained HTML page (no network: style, drawings and script inline), Chinese
        by default, English with ``language="en"``.

        Per unit: the lights of its open case clocks (red overdue; yellow warned or at least ``yellow_at`` of the
        limit in force used; green otherwise; grey not started), its cards, its verdicts by kind, its score and
        rank per period. Each verdict links to its explanation and to the clauses it enforces. Given the
        ``engine`` that made the report and the ``events`` it judged, each case with verdicts or still open
        (the first ``max_timelines``; the page says how many more) gets its timeline on a calendar strip of
        working days, days off and make-up workdays, and the text ``explain`` prints. At most ``max_verdicts``
        verdicts are listed one by one (the page says so when there are more); the counts are of all of them.
        """
        from ._html import report_html

        return report_html(self, language=language, engine=engine, events=events, max_timelines=max_timelines,
                           max_verdicts=max_verdicts, yellow_at=yellow_at)

    def write_html(self, path: str | Path, **options: Any) -> Path:
        """Write :meth:`to_html` (with the same ``options``) to ``path`` in UTF-8. Returns the path written."""
        from ._errors import OutputError

        page = self.to_html(**options)
        target = Path(path)
        try:
            target.write_text(page, encoding="utf-8")
        except OSError as error:
            raise OutputError(f"cannot write {target}: {error.strerror or error}; choose a writable path") from None
        return target

    def to_csv(self, directory: str | Path, *, language: Literal["zh", "en"] = "zh") -> list[Path]:
        """Write the report as CSV files in ``directory``, one per sheet of :meth:`to_xlsx` (UTF-8 with a BOM,
        which Excel opens right). Returns the files written."""
        from ._spreadsheet import to_csv

        return to_csv(self, directory, language)


def _per_day(case: CaseState, working: bool) -> int:
    """Seconds in a day of the case's measure, from its figures (a working day's length is the calendar's)."""
    if not working:
        return 86400
    seconds, days = max(((case.elapsed_seconds, case.elapsed_days), (case.remaining_seconds, case.remaining_days),
                         (case.extension_seconds, case.extension_days), (case.overdue_seconds, case.overdue_days)))
    # days are given to four places: from half a day on, the length of a day is exact to the minute
    return round(seconds / days / 60) * 60 if days >= 0.5 else 7 * 3600


def _cause_first(verdicts: list[Verdict]) -> list[Verdict]:
    """Verdicts in time order; at one moment a verdict comes after the verdict that caused it (a red card after
    the yellow cards it counts: its trigger names the earlier verdict's event or id)."""
    ordered = sorted(verdicts, key=lambda v: (v.at, v.id))
    out: list[Verdict] = []
    i = 0
    while i < len(ordered):
        j = i
        while j < len(ordered) and ordered[j].at == ordered[i].at:
            j += 1
        group = ordered[i:j]
        if len(group) > 1:
            group = _by_cause(group)
        out += group
        i = j
    return out


def _by_cause(group: list[Verdict]) -> list[Verdict]:
    ids = {v.id for v in group}
    placed: list[Verdict] = []
    done: set[str] = set()
    remaining = list(group)
    while remaining:
        for k, v in enumerate(remaining):
            cause = v.trigger.partition("#")[0]
            if cause not in ids or cause in done or cause == v.id:
                placed.append(v)
                done.add(v.id)
                del remaining[k]
                break
        else:  # a cycle cannot happen; keep the rest as they are
            placed += remaining
            break
    return placed


def _columns(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def verdict_id(ruleset: str, version: str, rule: str, thread: str, trigger: str) -> str:
    """A stable id from what makes a verdict unique, so re-evaluation never counts a penalty twice."""
    parts = (ruleset, version, rule, thread, trigger)
    joined = '", "'.join(parts)
    if joined.isascii() and joined.isprintable() and "\\" not in joined and joined.count('"') == 8:
        text = f'["{joined}"]'  # what json.dumps writes for plain text, without its machinery
    else:
        text = json.dumps(list(parts))
    return f"v-{hashlib.blake2b(text.encode(), digest_size=10).hexdigest()}"


def render_message(template: str, values: Mapping[str, Value], language: Language = "zh") -> str:
    """Fill ``{name}`` placeholders, each value rendered in ``language`` (``_text.render``: a limit as
    ``20个工作日``, an instant as ``2024年10月24日17:30``…); a name without a value is left empty (names
    are checked when the ruleset loads, so every pair of braces is a placeholder). Nothing else is interpreted."""
    out = []
    i = 0
    while i < len(template):
        start = template.find("{", i)
        if start < 0:
            out.append(template[i:])
            break
        end = template.find("}", start)
        if end < 0:
            out.append(template[i:])
            break
        out.append(template[i:start])
        value = values.get(template[start + 1 : end])
        if value is not None:
            out.append(value if isinstance(value, str) else render(value, language))
        i = end + 1
    return "".join(out)


def make_verdict(
    *,
    vid: str,
    ruleset: Any,
    rule: str,
    template: Any,
    thread: str,
    at: dt.datetime,
    subjects: list[dict[str, str]],
    cites: list[dict[str, str | None]],
    trigger: str,
    values: Mapping[str, Value] | Callable[[], Mapping[str, Value]] | None = None,
    facts: list[dict[str, str]] | Callable[[], list[dict[str, str]]] | None = None,
    explain: Callable[[], Explanation] | None = None,
) -> Verdict:
    """A verdict from a ruleset's verdict template (kind, points, card, sanction, message). Its
    explanation — the message rendered in Chinese and English with ``values``, and the ``facts`` — is
    written when first read; either may be given as a function that makes it then, or ``explain``
    writes the whole explanation (with :func:`explanation_of`).

    Every part was checked where it came from (the template when its ruleset loaded, subjects and
    citations as shared models, the engine's own aware instants): the verdict is put together as
    validation would put it, without validating it again; anything of another type is validated.
    """
    data = {
        "id": vid,
        "ruleset": ruleset.id,
        "ruleset_version": ruleset.version,
        "rule": rule,
        "kind": template.kind,
        "thread": thread,
        "at": at,
        "subjects": _subjects_list(subjects),
        "points": None if template.points is None else _points(template.points),
        "card": template.card,
        "sanction": template.sanction,
        "cites": _cites_list(cites),
        "trigger": trigger,
    }
    if (type(vid) is str and type(rule) is str and type(thread) is str and type(trigger) is str and type(at) is dt.datetime
            and at.utcoffset() is not None and template.kind in _KINDS and template.card in _CARDS
            and (template.sanction is None or type(template.sanction) is str)):
        verdict = Verdict.__new__(Verdict)
        object.__setattr__(verdict, "__dict__", _compact(Verdict, data))
        object.__setattr__(verdict, "__pydantic_extra__", None)
        object.__setattr__(verdict, "__pydantic_private__", _compact(_VerdictPrivate, {"_explanation": None, "_explain": None}))
    else:
        verdict = Verdict.model_validate(data, context=_LAZY_CONTEXT)

    if explain is None:
        def explain() -> Explanation:
            filled = values() if callable(values) else values or {}
            return explanation_of(template, filled, facts() if callable(facts) else facts or [])

    verdict.__pydantic_private__["_explain"] = explain  # type: ignore[index]  # a verdict has its private attributes
    # every verdict made here sets the same fields: one shared set, not one each (a frozen model never changes it)
    object.__setattr__(verdict, "__pydantic_fields_set__", _MADE_FIELDS)
    return verdict


def explanation_of(template: Any, values: Mapping[str, Value], facts: list[dict[str, str]]) -> Explanation:
    """A verdict's explanation: its template's message rendered in Chinese and English (each value in
    the message's language), and the facts."""
    message = template.message
    zh = message if isinstance(message, str) else message.zh
    en = None if isinstance(message, str) else message.en
    new_items = values.get("new_items")
    values_en = {**values, "new_items": new_items.replace("、", ", ")} if isinstance(new_items, str) and new_items else values
    message_zh = render_message(zh, values, "zh")
    message_en = None if en is None else render_message(en, values_en, "en")
    if all(type(f) is dict and f.keys() == _FACT_KEYS and all(type(v) is str for v in f.values()) for f in facts):
        # the engine's own facts, text already: built as validation would build them, without its cost
        explanation: Explanation = _built(Explanation, {"message_zh": message_zh, "message_en": message_en,
                                    "facts": [_built(Fact, dict(f)) for f in facts]})
        return explanation
    return _EXPLANATION.validate_python({"message_zh": message_zh, "message_en": message_en, "facts": facts})


_FACT_KEYS = frozenset(("zh", "en", "value"))
_ALL_FIELDS: dict[type[BaseModel], set[str]] = {}


def _built(cls: type[_Model], values: dict[str, Any]) -> Any:
    """An instance of ``cls`` (a frozen model with no private attributes) from ``values`` already of
    its fields' types, every field given: what ``model_validate`` returns for them."""
    instance = cls.__new__(cls)
    fields_set = _ALL_FIELDS.get(cls)
    if fields_set is None:
        fields_set = _ALL_FIELDS[cls] = set(cls.model_fields)
    object.__setattr__(instance, "__dict__", _compact(cls, values))
    object.__setattr__(instance, "__pydantic_fields_set__", fields_set)
    object.__setattr__(instance, "__pydantic_extra__", None)
    object.__setattr__(instance, "__pydantic_private__", None)
    return instance


class _Values:
    """Instances exist only to lend their ``__dict__``: see :func:`_compact`."""


class _VerdictPrivate(_Values):
    """The dicts of a verdict's private attributes (see :func:`_compact`)."""


_HOLDERS: dict[type, type[_Values]] = {_VerdictPrivate: _VerdictPrivate}


def _compact(cls: type, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` as a dict that shares its table of keys with every other made for ``cls``.

    CPython keeps the attributes of an ordinary object in a dict whose keys are shared by all
    instances of its class (PEP 412): each holds only its values, about half the size of a dict of
    its own for a model's 13 to 21 fields. A report holds hundreds of thousands of verdicts and case
    states, each a frozen model whose fields never change: their fields are kept in such a dict,
    borrowed from an instance of a class made for the model. It is an ordinary dict in every other
    respect; where an interpreter does not share keys, it is simply a dict of its own.
    """
    holder = _HOLDERS.get(cls)
    if holder is None:
        holder = _HOLDERS[cls] = type(f"_{cls.__name__}Values", (_Values,), {"__module__": __name__})
    compact: dict[str, Any] = holder().__dict__
    for name, value in values.items():  # one by one: ``update`` of an empty dict copies the other's table
        compact[name] = value
    return compact


_LAZY_CONTEXT = {_LAZY: True}
_MADE_FIELDS = set(_VerdictFields.model_fields)
_CASE_STATE_FIELDS = frozenset(CaseState.model_fields)
_STATUSES = frozenset(("running", "warning", "overdue", "paused", "completed_on_time", "completed_late", "withdrawn", "rejected",
                       "not_started"))


def _plain_state(values: dict[str, Any]) -> bool:
    """Whether ``values`` give every field of a case state, each of its type (as the engine makes them)."""
    if values.keys() != _CASE_STATE_FIELDS or values["status"] not in _STATUSES or values["measure"] not in ("working_time", "elapsed_time"):
        return False
    for name in ("thread", "ruleset", "ruleset_version", "time_limit"):
        if type(values[name]) is not str:
            return False
    for name in ("matter", "limit"):
        if values[name] is not None and type(values[name]) is not str:
            return False
    for name in ("start", "deadline", "stopped_at"):
        moment = values[name]
        if moment is not None and (type(moment) is not dt.datetime or moment.utcoffset() is None):
            return False
    for name in ("elapsed", "remaining", "paused", "overdue", "extension"):
        if type(values[name + "_seconds"]) is not int or type(values[name + "_days"]) is not float:
            return False
    return True


_KINDS = frozenset(("violation", "warning", "alarm", "sanction", "compliance"))
_CARDS = frozenset((None, "yellow", "red"))
_CASE_FIELDS: dict[frozenset[str], set[str]] = {}
ZERO = 0.0  # one zero for the many figures of case states that are nought


def make_case_state(data: Mapping[str, Any] | CaseState) -> CaseState:
    """A validated case state whose set of fields given is shared with the others that gave the same
    (a set of twenty names costs more than the rest of the state; a frozen model never changes it)."""
    pairs = data.items() if isinstance(data, Mapping) else iter(data)
    values = {key: ZERO if value == 0 and type(value) is float else value for key, value in pairs}
    if _plain_state(values):
        # the engine's own state (every field, each of its type): put together as validation would
        state: CaseState = _built(CaseState, values)
        return state
    state = CaseState.model_validate(values)
    given = state.__pydantic_fields_set__
    object.__setattr__(state, "__pydantic_fields_set__", _CASE_FIELDS.setdefault(frozenset(given), given))
    return state


def engine_case_state(values: dict[str, Any]) -> CaseState:
    """A case state from the engine's own ``values``: every field, in order, each of its type, a figure of
    nought days :data:`ZERO` (``_clocks.state_values`` writes them). Put together as validation would."""
    state: CaseState = _built(CaseState, values)
    return state


@functools.lru_cache(maxsize=1024)
def _points(points: Any) -> float:
    return float(points)


@functools.lru_cache(maxsize=65536)
def _subject(role: str, subject: str) -> Subject:
    """One instance per subject, shared by its verdicts (frozen models: a verdict keeps it as given)."""
    return Subject.model_validate({"role": role, "id": subject})


# Verdicts of the same people, and of the same clauses, share one list of subjects, one of citations: a frozen
# verdict never changes its lists (a report of 45,000 verdicts keeps about 8 MB less). Bounded: emptied when full.
_SHARED_LISTS: dict[tuple[Any, ...], list[Any]] = {}
_SHARED_MAX = 65_536


def _shared_list(key: tuple[Any, ...], make: Callable[[], list[Any]]) -> list[Any]:
    try:
        found = _SHARED_LISTS.get(key)
    except TypeError:  # a value that cannot be a key (a citation's text in several languages, say): not shared
        return make()
    if found is None:
        if len(_SHARED_LISTS) >= _SHARED_MAX:
            _SHARED_LISTS.clear()
        found = _SHARED_LISTS[key] = make()
    return found


def _subjects_list(subjects: Sequence[Mapping[str, str]]) -> list[Subject]:
    """The verdict's subjects: one list for every verdict of the same subjects."""
    return _shared_list(("subjects", *((s["role"], s["id"]) for s in subjects)),
                        lambda: [_subject(s["role"], s["id"]) for s in subjects])


def _cites_list(cites: Sequence[Mapping[str, Any]]) -> list[Citation]:
    """The verdict's citations: one list for every verdict citing the same clauses."""
    return _shared_list(("cites", *((c["id"], c["citation"], c.get("text")) for c in cites)),
                        lambda: [_citation(c["id"], c["citation"], c.get("text")) for c in cites])


@functools.lru_cache(maxsize=4096)
def _citation(cite: str, citation: str, text: str | None) -> Citation:
    """One instance per clause, shared by the verdicts that cite it."""
    return Citation.model_validate({"id": cite, "citation": citation, "text": text})
_EXPLANATION = TypeAdapter(Explanation)


def iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="minutes") if moment.second == 0 and not moment.microsecond else moment.isoformat()
