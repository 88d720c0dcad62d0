"""The shape of a ruleset file: pydantic models that validate its structure and publish its JSON Schema.

Structure only: whether names resolve (event types, fields, references, verdict templates),
whether conditions are well typed and can ever hold, and whether versions' effective dates fit
together is decided by the checker (``_checker.py``), which sees the whole set of rulesets.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    Tag,
)

from ._duration import Duration

__all__ = [
    "CalendarSpec",
    "ChargeSpec",
    "ConditionSpec",
    "Effective",
    "EventTypeSpec",
    "ExpectSpec",
    "FieldSpec",
    "Localized",
    "Reference",
    "RuleSpec",
    "RulesetSpec",
    "ServiceCalendarSpec",
    "TimeLimitSpec",
    "VerdictSpec",
]

_Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=100)]
_TypeName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$", max_length=100)]
Scalar = StrictBool | StrictInt | StrictFloat | StrictStr


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalizedText(_Spec):
    """Text in Chinese and English; Chinese is required (authors and readers read Chinese)."""

    zh: str = Field(min_length=1)
    en: str | None = None


Localized = StrictStr | LocalizedText


class Effective(_Spec):
    """The dates a ruleset version is in force, both inclusive; ``to`` absent means until replaced."""

    from_: dt.date = Field(alias="from")
    to: dt.date | None = None


class ServiceCalendarSpec(_Spec):
    """A service hall's own days and hours (延长工作时间、除法定节假日外不休息), for its same-day and immediate limits."""

    title: Localized | None = None
    days: Literal["every_day_but_holidays", "working_days"] = Field(
        default="every_day_but_holidays",
        description="Open every day but the holidays of the arrangement (weekends included), or on the statutory working days only.",
    )
    business_hours: str | None = Field(default=None, description="The hall's hours, e.g. '08:30-18:00'; absent: the ruleset's.")
    from_: dt.date | None = Field(default=None, alias="from", description="The first day the hall keeps this calendar; before it, the statutory one.")


class CalendarSpec(_Spec):
    """Which working-time calendar the ruleset counts on."""

    name: Literal["china"] = "china"
    business_hours: str | None = Field(default=None, description="e.g. '09:00-12:00,13:30-17:30'")
    year_files: list[str] = Field(default_factory=list, description="Year files, relative to the ruleset file.")
    day_end: Literal["close", "midnight"] = Field(
        default="close", description="Where the last day of a day-based period ends: the close of business, or 24:00."
    )
    service_calendars: dict[str, ServiceCalendarSpec] = Field(
        default_factory=dict, description="Service halls' own calendars, by name, for the time limits that name one."
    )


class Reference(_Spec):
    """A clause the ruleset enforces: its citation and its text, carried into every verdict that cites it."""

    citation: str = Field(min_length=1, description="e.g. 《中华人民共和国行政许可法》第四十二条")
    text: str | None = None
    url: str | None = None


FieldType = Literal["string", "integer", "number", "boolean", "datetime", "date", "duration", "list"]


class FieldSpec(_Spec):
    """A field of a declared event type."""

    type: FieldType
    required: bool = True
    enum: list[Scalar] | None = Field(default=None, min_length=1)  # empty admits no value
    of: Literal["string", "integer", "number"] | None = Field(default=None, description="Item type of a list.")
    description: str | None = None


def _field_shape(value: Any) -> str:
    return "short" if isinstance(value, str) else "full"


FieldDecl = Annotated[
    Annotated[FieldType, Tag("short")] | Annotated[FieldSpec, Tag("full")],
    Discriminator(_field_shape),
]


class EventTypeSpec(_Spec):
    """An event type the ruleset declares, validated like a core type (no Python needed)."""

    title: Localized | None = None
    thread: str | None = Field(
        default=None, description="The field whose value ties events of this type into one thread (a case, a document)."
    )
    fields: dict[str, FieldDecl] = Field(default_factory=dict)


# Conditions are read by the checker (``_conditions.py``), not by pydantic: it gives each mistake
# its own message (prose comparisons, unknown fields with suggestions, type mismatches) at the
# exact line. Here they are only described, for the published JSON Schema.
_CONDITION_SCHEMA: dict[str, Any] = {
    "description": (
        "A condition: {field: NAME, op: OP, value: V} on the triggering event, {count: EVENT_TYPE, op: OP, "
        "value: N} on the events of its thread, {all: [...]}, {any: [...]}, {not: CONDITION}, or a list (all of). "
        "OP is one of == != < <= > >= in not_in exists missing."
    ),
    "anyOf": [{"type": "object"}, {"type": "array"}],
}
ConditionSpec = Annotated[Any, Field(json_schema_extra=_CONDITION_SCHEMA)]


_SubjectRole = Literal["actor", "unit"]
_BOTH_SUBJECTS: tuple[_SubjectRole, ...] = ("actor", "unit")


class VerdictSpec(_Spec):
    """What a rule produces when it fires: kind, card, points, sanction, subjects, cites and message."""

    kind: Literal["violation", "warning", "alarm", "sanction", "compliance"]
    card: Literal["yellow", "red"] | None = None
    points: StrictInt | StrictFloat | None = None
    sanction: str | None = None
    subjects: list[_SubjectRole] = Field(default_factory=lambda: list(_BOTH_SUBJECTS))
    cites: list[str] = Field(default_factory=list)
    message: Localized


class ChargeSpec(_Spec):
    """Whom the verdicts are charged to: fields of the starting event that name who acts next.

    When the event carries a value in one of the named fields, the verdict's staff member and unit
    are those values (a role whose field is not named or empty is left out); when it carries none,
    they are the event's own ``actor`` and ``unit``.
    """

    actor: str | None = Field(default=None, description="The field naming the staff member who acts next.")
    unit: str | None = Field(default=None, description="The field naming the unit that acts next (e.g. next_unit).")


class ExpectSpec(_Spec):
    """After an event of type ``after`` (where its conditions hold), one of ``event`` must follow ``within``."""

    after: str
    where: ConditionSpec | None = None
    event: str | list[str]
    within: Duration
    unless: list[str] = Field(default_factory=list, description="Event types that end the expectation unmet but excused.")
    charge: ChargeSpec | None = Field(default=None, description="Charge the verdict to whom the 'after' event names as acting next.")


class RuleSpec(_Spec):
    """One rule: on an event (with conditions), or an expectation that something follows in time."""

    id: _Id
    title: Localized | None = None
    on: str | None = None
    if_: ConditionSpec | None = Field(default=None, alias="if")
    expect: ExpectSpec | None = None
    verdict: str


class MatterLimitSpec(_Spec):
    """A matter's limit for a span of dates (a limit cut on a date is two entries)."""

    limit: Duration
    from_: dt.date | None = Field(default=None, alias="from", description="First day on which a clock started gets this limit.")
    to: dt.date | None = Field(default=None, description="Last day (inclusive).")
    legal: Duration | None = Field(default=None, description="The legal limit this promised limit implements (it may not exceed it).")


MatterLimit = Duration | MatterLimitSpec | list[MatterLimitSpec]


class DeemedAcceptanceSpec(_Spec):
    """行政许可法 art. 32: no supplement notice (and no decision to accept) within ``within`` of receipt → accepted at receipt."""

    within: Duration
    verdict: str | None = Field(default=None, description="The verdict for the late or missing notice.")


class PauseSpec(_Spec):
    """Excluded time: a pause for an allowed reason stops the clock until it is resumed."""

    pause: str = "case.paused"
    resume: str = "case.resumed"
    reasons: list[str] | None = Field(default=None, description="The allowed reasons; absent: every reason is allowed.")
    verdict: str | None = Field(default=None, description="The verdict for a pause whose reason is not allowed.")


class ExtensionSpec(_Spec):
    """Extensions (延期): how much in all, who may approve, and whether it must come before the deadline."""

    event: str = "case.extension_granted"
    max: Duration | None = Field(default=None, description="The most in all; absent: no maximum (where the policy states none).")
    approvers: list[str] | None = Field(default=None, description="Who may approve; absent: anyone.")
    before_deadline: StrictBool = True
    verdict: str | None = Field(default=None, description="The verdict for a late, unapproved or excessive extension.")


class WarningSpec(_Spec):
    """A warning (黄灯) when little time is left (``remaining``) or a share has run (``elapsed``, e.g. ``80%``)."""

    remaining: Duration | None = None
    elapsed: Annotated[str, Field(pattern=r"^[0-9]+(\.[0-9]+)?%$")] | None = None
    verdict: str


class OverdueSpec(_Spec):
    """A verdict for running past the deadline: at it (or more than ``after`` past it), and again ``every`` period while still open."""

    after: Duration | None = Field(default=None, description="More than this past the deadline (超过): in working time, "
                                   "from the opening of the working period in which the lateness passes it.")
    every: Duration | None = None
    verdict: str


def _one_or_more(value: Any) -> Any:
    """One event type may be written alone, as ``start`` may: ``stop: case.completed``."""
    return [value] if isinstance(value, str) else value


class TimeLimitSpec(_Spec):
    """A time limit (限时办结): its clock's start, stops, excluded time, extensions, warnings and overdue verdicts."""

    title: Localized | None = None
    start: str | list[str] = Field(description="Event type(s) whose first occurrence starts the clock, or 'materials_complete'.")
    stop: Annotated[list[str], BeforeValidator(_one_or_more, json_schema_input_type=str | list[str])] = Field(
        description="Event type(s) that stop it: case.withdrawn withdraws, case.rejected rejects, others complete."
    )
    limit: Duration | None = None
    legal: Duration | None = Field(default=None, description="The legal limit a promised limit implements (it may not exceed it).")
    matters: dict[str, MatterLimit] = Field(default_factory=dict)
    exclude_matters: list[str] = Field(default_factory=list, description="Matters this time limit does not apply to.")
    matter_field: str = "matter"
    supplement: Literal["none", "pause", "restart"] = Field(
        default="none", description="A supplement request while the clock runs: ignored, a pause, or a restart on receipt."
    )
    deemed_acceptance: DeemedAcceptanceSpec | None = None
    pauses: PauseSpec | None = None
    extensions: ExtensionSpec | None = None
    warnings: list[WarningSpec] = Field(default_factory=list)
    overdue: list[OverdueSpec] = Field(default_factory=list)
    service_calendar: str | None = Field(
        default=None, description="A calendar of calendar.service_calendars that same-day limits count on (the hall's days and hours)."
    )
    immediate_within: Duration | None = Field(
        default=None, description="What 'immediate' allows: the same visit, this long from the start (hours or minutes; default 30min)."
    )
    limit_field: str | None = Field(
        default=None, description="A duration field of the starting event that sets the case's limit (the instruction sets it)."
    )
    charge: ChargeSpec | None = Field(default=None, description="Charge the clock's verdicts to whom the starting event names.")


Role = Literal["staff", "unit", "deputy", "principal"]
Period = Literal["week", "month", "bimonth", "quarter", "half_year", "year"]


class RollingWindow(_Spec):
    """A rolling window: the last ``days`` natural days or ``working_days`` working days."""

    days: Annotated[int, Field(gt=0, le=3660)] | None = None
    working_days: Annotated[int, Field(gt=0, le=2500)] | None = None


class VerdictFilter(_Spec):
    """Which verdicts: of a ruleset, of rules (ids, or accountability entries), of a kind or card."""

    ruleset: str | None = None
    rules: list[str] | None = None
    kind: list[Literal["violation", "warning", "alarm", "sanction", "compliance"]] | None = None
    card: Literal["yellow", "red"] | None = None


class AfterSpec(_Spec):
    """Count only in the period after an event that names the subject (e.g. after an interview)."""

    event: str = "interview.held"
    field: str = "subject"
    within: Duration


class CounterSpec(_Spec):
    """A count per subject per window, of events (where a condition holds) or of verdicts."""

    event: str | None = None
    where: ConditionSpec | None = None
    verdicts: VerdictFilter | None = None
    per: Role
    subject_field: str | None = Field(default=None, description="For events: the field naming the subject (default actor or unit).")
    window: Period | RollingWindow | None = None
    after: AfterSpec | None = None
    sum: str | None = Field(default=None, description="Add up instead of counting: a number field of the events, or, for "
                            "verdicts, 'points' (signed) or 'deductions' (points lost).")


class ThresholdSpec(_Spec):
    counter: str
    op: str
    value: StrictInt | StrictFloat
    repeat: StrictBool = Field(default=False, description="With >=: again at every further multiple (every 3 yellow cards).")
    consecutive: Annotated[int, Field(ge=1)] = Field(
        default=1, description="Given when the threshold holds at the end of this many calendar periods running."
    )


class AccountabilityRuleSpec(_Spec):
    """A verdict when a counter reaches a threshold in a window (once per subject and window)."""

    id: _Id
    title: Localized | None = None
    when: ThresholdSpec
    verdict: str
    also: list[Role] = Field(default_factory=list, description="Others held to account too (一案双查): deputy, principal, unit.")


class LadderSpec(_Spec):
    """The nth item of a counter for a subject in a window gives the nth step (the last repeats)."""

    id: _Id
    title: Localized | None = None
    counter: str
    steps: list[str] = Field(min_length=1)
    also: list[Role] = Field(default_factory=list)


class RankPosition(_Spec):
    top: Annotated[int, Field(gt=0)] | None = None
    bottom: Annotated[int, Field(gt=0)] | None = None


class RankingRuleSpec(_Spec):
    """A verdict for the units at a place of a published ranking (ranking.published), k rankings running."""

    id: _Id
    title: Localized | None = None
    metric: str
    position: Literal["first", "last"] | RankPosition
    consecutive: Annotated[int, Field(gt=0)] = 1
    verdict: str
    also: list[Role] = Field(default_factory=list)


class RateSpec(_Spec):
    """A rate per subject per period (numerator / denominator counters), judged at the end of the period."""

    id: _Id
    title: Localized | None = None
    numerator: str
    denominator: str
    op: str
    value: Annotated[str, Field(pattern=r"^[0-9]+(\.[0-9]+)?%$")]
    min_sample: Annotated[int, Field(ge=1)] = 1
    verdict: str
    also: list[Role] = Field(default_factory=list)


class DutySubjectsSpec(_Spec):
    """Who has a periodic duty: the values of ``field`` in events of type ``event`` (dated before the period ends)."""

    event: str
    field: str
    where: ConditionSpec | None = None


class MinimumSpec(_Spec):
    """At least N occurrences per subject per period (a periodic duty); a shortfall is judged when the period ends."""

    id: _Id
    title: Localized | None = None
    counter: str
    at_least: Annotated[int, Field(ge=1)]
    subjects: DutySubjectsSpec | None = Field(default=None, description="Who has the duty; absent: everyone of the counter's role.")
    verdict: str
    also: list[Role] = Field(default_factory=list)


class AggregateCasesSpec(_Spec):
    """Which case clocks a statistic reads: those of a time limit (of this ruleset unless ``ruleset`` names
    another), of some of its matters, that stopped completed (on time or late)."""

    time_limit: str
    ruleset: str | None = Field(default=None, description="The ruleset of the time limit (default: this one).")
    matters: list[str] | None = Field(default=None, description="Only the clocks of these matters (default: all).")


class AggregateEventsSpec(_Spec):
    """Which threads a share reads: each thread's last event of a type (where a condition holds) in the period."""

    event: str
    where: ConditionSpec | None = None


class AggregateSpec(_Spec):
    """A statistic of case clocks (or a share of threads) per subject per period against a bound, judged when the
    period ends, when at least ``min_cases`` count (docs/accountability.md, "Aggregates")."""

    id: _Id
    title: Localized | None = None
    cases: AggregateCasesSpec | None = None
    events: AggregateEventsSpec | None = None
    per: Literal["unit", "staff", "matter"] = "unit"
    subject_field: str | None = Field(default=None, description="For events: the field naming the subject (default unit, actor or matter).")
    period: Period = "year"
    statistic: Literal["mean", "median", "percentile", "on_time", "share"]
    p: Annotated[float, Field(gt=0, le=100)] | None = Field(default=None, description="For percentile: which (90 is the 90th).")
    satisfying: ConditionSpec | None = Field(default=None, description="For share: the condition a thread's event satisfies.")
    op: str
    value: StrictInt | StrictFloat | Annotated[str, Field(pattern=r"^[0-9]+(\.[0-9]+)?%$")]
    min_cases: Annotated[int, Field(ge=1)] = 1
    verdict: str
    also: list[Role] = Field(default_factory=list)


class BandSpec(_Spec):
    min: StrictInt | StrictFloat | None = None
    grade: str


class ScoreSpec(_Spec):
    """A score per subject per period: base, less deductions (capped), plus bonuses; grade bands; one-vote veto."""

    per: Literal["staff", "unit"] = "unit"
    period: Period = "year"
    base: StrictInt | StrictFloat = 100
    verdicts: VerdictFilter | None = Field(default=None, description="Which verdicts' points count (default: all).")
    cap_per_rule: StrictInt | StrictFloat | None = None
    cap_per_period: StrictInt | StrictFloat | None = None
    bands: list[BandSpec] = Field(default_factory=list)
    veto: VerdictFilter | None = Field(default=None, description="Any such verdict in the period gives the lowest grade (一票否决).")


class CardsSpec(_Spec):
    """How the red and yellow cards of one case count (情节轻重: one card per case, or each card)."""

    same_thread: Literal["add", "replace"] = Field(
        default="add", description="replace: of a ruleset's cards on one thread (a case), those lighter than its heaviest "
        "card count nowhere in this section's counters; add: every card counts.")


class AccountabilitySpec(_Spec):
    """What follows from verdicts over time: counters, thresholds, ladders, rankings, rates and scores."""

    cards: CardsSpec = Field(default_factory=CardsSpec)
    counters: dict[str, CounterSpec] = Field(default_factory=dict)
    rules: list[AccountabilityRuleSpec] = Field(default_factory=list)
    ladders: list[LadderSpec] = Field(default_factory=list)
    rankings: list[RankingRuleSpec] = Field(default_factory=list)
    rates: list[RateSpec] = Field(default_factory=list)
    minimums: list[MinimumSpec] = Field(default_factory=list)
    aggregates: list[AggregateSpec] = Field(default_factory=list)
    scores: ScoreSpec | None = None


class RulesetSpec(_Spec):
    """A ruleset file."""

    id: _Id
    title: Localized
    covers: Localized | None = Field(default=None, description="What the ruleset judges, in a sentence (shown by `efficiency-rules rulesets`).")
    version: str = Field(min_length=1)
    effective: Effective
    timezone: str = "Asia/Shanghai"
    calendar: CalendarSpec = Field(default_factory=CalendarSpec)
    references: dict[str, Reference] = Field(default_factory=dict)
    event_types: dict[str, EventTypeSpec] = Field(default_factory=dict)
    time_limits: dict[str, TimeLimitSpec] = Field(default_factory=dict)
    verdicts: dict[str, VerdictSpec] = Field(default_factory=dict)
    rules: list[RuleSpec] = Field(default_factory=list)
    accountability: AccountabilitySpec | None = None


