"""A ruleset written out in words, Chinese or English: its time limits, rules, verdicts and accountability.

Used by ``efficiency-rules rulesets show`` (in brief) and by the policy book (in full). Everything
here reads a checked :class:`~efficiency_rules._ruleset.Ruleset`; nothing is judged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from ._duration import Duration, TimeUnit

if TYPE_CHECKING:  # the listing of shipped rulesets uses the dates here without loading the engine
    from ._ruleset import Ruleset
    from ._ruleset_schema import (
        LocalizedText,
        MatterLimitSpec,
        TimeLimitSpec,
        VerdictSpec,
    )

__all__ = ["Entry", "date_text", "duration_text", "entries", "event_name", "localized", "verdict_text"]

Language = Literal["zh", "en"]

_UNITS: dict[TimeUnit, tuple[str, str, str]] = {  # zh, en singular, en plural
    TimeUnit.WORKING_DAYS: ("个工作日", "working day", "working days"),
    TimeUnit.NATURAL_DAYS: ("日", "day", "days"),
    TimeUnit.MONTHS: ("个月", "month", "months"),
    TimeUnit.HOURS: ("小时", "hour", "hours"),
    TimeUnit.WORKING_HOURS: ("个工作小时", "working hour", "working hours"),
    TimeUnit.MINUTES: ("分钟", "minute", "minutes"),
}

# The core event types as a policy names them.
_EVENTS: dict[str, tuple[str, str]] = {
    "case.received": ("收件", "receipt"),
    "case.supplement_requested": ("补正告知", "a supplement notice"),
    "case.supplement_received": ("收到补正材料", "receipt of the supplement"),
    "case.accepted": ("受理", "acceptance"),
    "case.rejected": ("不予受理", "refusal to accept"),
    "case.paused": ("暂停计时", "a pause"),
    "case.resumed": ("恢复计时", "resumption"),
    "case.extension_requested": ("申请延期", "an extension request"),
    "case.extension_granted": ("批准延期", "an approved extension"),
    "case.completed": ("办结", "completion"),
    "case.delivered": ("送达", "delivery"),
    "case.withdrawn": ("撤回", "withdrawal"),
    "inquiry.received": ("首问", "a first inquiry"),
    "inquiry.answered": ("答复", "an answer"),
    "inquiry.referred": ("转办", "a referral"),
    "evaluation.submitted": ("评价", "an evaluation"),
    "complaint.filed": ("投诉", "a complaint"),
    "complaint.verified": ("投诉查实", "a verified complaint"),
    "complaint.dismissed": ("投诉不实", "a dismissed complaint"),
    "ranking.published": ("排名通报", "a published ranking"),
    "interview.held": ("约谈", "an interview"),
    "materials_complete": ("材料齐全", "complete materials"),
}

# Codes a ruleset uses for pause reasons and approvers, as the law words them.
_CODES: dict[str, tuple[str, str]] = {
    "hearing": ("听证", "hearing"), "tender": ("招标", "tender"), "auction": ("拍卖", "auction"),
    "inspection": ("检验", "inspection"), "testing": ("检测", "testing"), "quarantine": ("检疫", "quarantine"),
    "appraisal": ("鉴定", "appraisal"), "expert_review": ("专家评审", "expert review"),
    "consultation": ("征求第三方和其他机关意见", "consulting third parties and other agencies"),
    "agency_head": ("本机关负责人", "the head of the agency"),
    "government_head": ("本级人民政府负责人", "the head of the government at the same level"),
}

_KINDS: dict[str, tuple[str, str]] = {
    "violation": ("违规", "violation"), "warning": ("预警", "warning"), "alarm": ("报警", "alarm"),
    "sanction": ("问责", "sanction"), "compliance": ("合规", "compliance"),
}
_OPS = {">=": ("达到", "at least"), ">": ("超过", "more than"), "==": ("恰为", "exactly"), "<": ("少于", "fewer than"),
        "<=": ("不超过", "at most"), "!=": ("不等于", "other than")}
_CARDS = {"yellow": ("黄牌", "yellow card"), "red": ("红牌", "red card")}
_ROLES = {"staff": ("工作人员", "staff member"), "unit": ("单位", "unit"), "deputy": ("分管负责人", "deputy in charge"),
          "principal": ("主要负责人", "principal")}
_PERIODS = {"week": ("每周", "per week"), "month": ("每月", "per month"), "bimonth": ("每两个月", "per two months"),
            "quarter": ("每季度", "per quarter"), "half_year": ("每半年", "per half-year"), "year": ("每年", "per year")}


def _pick(pair: tuple[str, str], language: Language) -> str:
    return pair[0] if language == "zh" else pair[1]


def localized(text: str | LocalizedText | None, language: Language) -> str:
    """The text in ``language``, Chinese when there is no English."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    return text.en if language == "en" and text.en else text.zh


def _amount(amount: Decimal) -> str:
    return format(amount.normalize(), "f")


def duration_text(duration: Duration, language: Language) -> str:
    """``20个工作日`` / ``20 working days``; ``即时`` / ``immediately``; ``当日`` / ``the same day``."""
    if duration.unit is TimeUnit.IMMEDIATE:
        return "即时" if language == "zh" else "immediately"
    if duration.unit is TimeUnit.SAME_DAY:
        return "当日" if language == "zh" else "the same day"
    zh, one, many = _UNITS[duration.unit]
    amount = _amount(duration.amount)
    if language == "zh":
        return f"{amount}{zh}"
    return f"{amount} {one if duration.amount == 1 else many}"


def date_text(day: dt.date, language: Language) -> str:
    """``2019年4月23日`` / ``23 April 2019``."""
    if language == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {day.strftime('%B')} {day.year}"


def event_name(ruleset: Ruleset, event_type: str, language: Language) -> str:
    """An event type as a policy names it: a core type's word, a declared type's title, else its name."""
    if event_type in _EVENTS:
        return _pick(_EVENTS[event_type], language)
    declared = ruleset.spec.event_types.get(event_type)
    if declared is not None and declared.title is not None:
        return localized(declared.title, language)
    return event_type


def _code(code: str, language: Language) -> str:
    return _pick(_CODES[code], language) if code in _CODES else code


def _join(items: list[str], language: Language) -> str:
    if language == "zh":
        return "、".join(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def verdict_text(name: str, spec: VerdictSpec, language: Language) -> str:
    """A verdict template in brief: kind, card, points, sanction (``违规，黄牌，扣2分，效能告诫``)."""
    parts = [_pick(_KINDS[spec.kind], language)]
    if spec.card:
        parts.append(_pick(_CARDS[spec.card], language))
    if spec.points is not None and spec.points != 0:
        points = _amount(Decimal(str(abs(spec.points))))
        if language == "zh":
            parts.append(f"{'扣' if spec.points < 0 else '加'}{points}分")
        else:
            parts.append(f"{'-' if spec.points < 0 else '+'}{points} point{'s' if abs(spec.points) != 1 else ''}")
    if spec.sanction:
        parts.append(spec.sanction)
    head = "，".join(parts) if language == "zh" else ", ".join(parts)
    return f"{name}（{head}）" if language == "zh" else f"{name} ({head})"


@dataclass(frozen=True)
class Entry:
    """One thing a ruleset does, in words: a time limit, a rule or an accountability entry, and the verdicts it gives."""

    section: Literal["time_limit", "rule", "accountability"]
    id: str
    title: str
    text: str
    verdicts: tuple[str, ...]


def _span_text(span: Duration | MatterLimitSpec, language: Language) -> str:
    if isinstance(span, Duration):
        return duration_text(span, language)
    text = duration_text(span.limit, language)
    if span.from_ is None and span.to is None:
        return text
    first = date_text(span.from_, language) if span.from_ else None
    last = date_text(span.to, language) if span.to else None
    if language == "zh":
        when = f"{first}起" if last is None else f"至{last}" if first is None else f"{first}至{last}"
        return f"{text}（{when}）"
    when = f"from {first}" if last is None else f"until {last}" if first is None else f"{first} to {last}"
    return f"{text} ({when})"


def _limit_sentence(spec: TimeLimitSpec, start: str, language: Language, *, brief: bool) -> str:
    """``自受理之日起20个工作日内完成``, with the matters' own limits grouped by limit."""
    zh = language == "zh"
    groups: dict[str, list[str]] = {}
    for matter, limit in spec.matters.items():
        spans = limit if isinstance(limit, list) else [limit]
        text = ("、" if zh else ", ").join(_span_text(span, language) for span in spans)
        groups.setdefault(text, []).append(matter)
    names = {text: ("、" if zh else ", ").join(matters) for text, matters in groups.items()}
    if brief and len(groups) > 4:
        count = len(spec.matters)
        extra = f"{count}个事项另定时限" if zh else f"{count} matters with limits of their own"
        if spec.limit is None:
            return f"自{start}之日起按事项计时，{extra}" if zh else f"Timed from {start} by matter: {extra}"
        return (f"自{start}之日起{duration_text(spec.limit, language)}内完成（{extra}）" if zh
                else f"Within {duration_text(spec.limit, language)} of {start} ({extra})")
    if spec.limit_field is not None and not groups and spec.limit is None:
        return (f"自{start}之日起，在{start}所写明的期限（{spec.limit_field}）内完成" if zh
                else f"Within the limit {start} states ({spec.limit_field}), from {start}")
    if spec.limit is not None:
        head = (f"自{start}之日起{duration_text(spec.limit, language)}内完成" if zh
                else f"Within {duration_text(spec.limit, language)} of {start}")
        rest = [f"事项{names[t]}为{t}" if zh else f"{t} for {names[t]}" for t in groups]
        return head + (f"（{'；'.join(rest)}）" if zh else f" ({'; '.join(rest)})") if rest else head
    if len(groups) == 1:
        (text,) = groups
        return (f"事项{names[text]}自{start}之日起{text}内完成" if zh
                else f"Within {text} of {start} for {names[text]}")
    rest = [f"事项{names[t]}为{t}" if zh else f"{t} for {names[t]}" for t in groups]
    return (f"自{start}之日起按事项计时：{'；'.join(rest)}" if zh
            else f"Timed from {start} by matter: {'; '.join(rest)}")


def _durations(spec: TimeLimitSpec) -> list[Duration]:
    found = [] if spec.limit is None else [spec.limit]
    for entry in spec.matters.values():
        spans = entry if isinstance(entry, list) else [entry]
        found += [span if isinstance(span, Duration) else span.limit for span in spans]
    return found


def _time_limit(ruleset: Ruleset, name: str, spec: TimeLimitSpec, language: Language, *, brief: bool) -> Entry:
    zh = language == "zh"
    starts = [spec.start] if isinstance(spec.start, str) else list(spec.start)
    start = _join([event_name(ruleset, s, language) for s in starts], language)
    stops = _join([event_name(ruleset, s, language) for s in spec.stop], language)
    sentences = [_limit_sentence(spec, start, language, brief=brief)
                 + (f"，{stops}即停止计时" if zh else f"; {stops} stops the clock")]
    verdicts: list[str] = []
    immediate = any(d.unit is TimeUnit.IMMEDIATE for d in _durations(spec))
    if immediate:
        minutes = int((spec.immediate_within.amount * (60 if spec.immediate_within.unit is TimeUnit.HOURS else 1))
                      if spec.immediate_within is not None else 30)
        sentences.append(f"即时指同一次办理，起算后{minutes}分钟内" if zh else f"immediately means within the same visit, {minutes} minutes from the start")
    if spec.service_calendar is not None:
        hall = ruleset.spec.calendar.service_calendars.get(spec.service_calendar)
        title = localized(hall.title, language) if hall is not None and hall.title is not None else spec.service_calendar
        days = (("除法定节假日外每日" if zh else "every day but the holidays") if hall is None or hall.days == "every_day_but_holidays"
                else ("法定工作日" if zh else "the working days"))
        since = "" if hall is None or hall.from_ is None else (f"，{date_text(hall.from_, language)}起" if zh else f", from {date_text(hall.from_, language)}")
        sentences.append(f"当日、即时时限按{title}的服务日（{days}{since}）计算" if zh
                         else f"same-day and immediate limits count on the service days of {title} ({days}{since})")
    if spec.charge is not None:
        named = [f for f in (spec.charge.actor, spec.charge.unit) if f]
        sentences.append(f"结论由{start}中{'、'.join(named)}所写明的人员和单位承担" if zh
                         else f"charged to whom {start} names in {', '.join(named)}")
    if spec.exclude_matters:
        sentences.append(f"不适用于事项{'、'.join(spec.exclude_matters)}" if zh
                         else f"not for the matters {', '.join(spec.exclude_matters)}")
    if spec.deemed_acceptance is not None:
        within = duration_text(spec.deemed_acceptance.within, language)
        sentences.append(f"收件后{within}内未告知补正的，自收件之日起即为受理" if zh
                         else f"no supplement notice within {within} of receipt: accepted on receipt")
        verdicts += [spec.deemed_acceptance.verdict] if spec.deemed_acceptance.verdict else []
    if spec.supplement == "pause":
        sentences.append("补正期间暂停计时" if zh else "paused while a supplement is awaited")
    elif spec.supplement == "restart":
        sentences.append("收到补正材料后重新计算" if zh else "counted afresh once the supplement is received")
    if spec.extensions is not None:
        ext = spec.extensions
        who = _join([_code(a, language) for a in ext.approvers], language) if ext.approvers else ""
        amount = "" if ext.max is None else duration_text(ext.max, language)
        if ext.approvers is None and ext.max is None:  # applied for, as the policy names no approval
            sentences.append(("可申请延长" + ("，须在期限届满前申请" if ext.before_deadline else "")) if zh
                             else "extendable on application" + (", applied for before the deadline" if ext.before_deadline else ""))
        elif zh:
            sentences.append((f"经{who}批准" if who else "经批准") + f"可延长{amount}" + ("，须在期限届满前批准" if ext.before_deadline else ""))
        else:
            sentences.append("extendable" + (f" by {amount}" if amount else "") + (f" with the approval of {who}" if who else "")
                             + (", approved before the deadline" if ext.before_deadline else ""))
        verdicts += [ext.verdict] if ext.verdict else []
    if spec.pauses is not None:
        if spec.pauses.reasons:
            reasons = _join([_code(r, language) for r in spec.pauses.reasons], language)
            sentences.append(f"{reasons}所需时间不计入" if zh else f"time for {reasons} is not counted")
        else:
            sentences.append("暂停计时的时间不计入" if zh else "paused time is not counted")
        verdicts += [spec.pauses.verdict] if spec.pauses.verdict else []
    for warning in spec.warnings:
        when = (duration_text(warning.remaining, language) if warning.remaining is not None else warning.elapsed or "")
        if warning.remaining is not None:
            sentences.append(f"剩余{when}时预警" if zh else f"a warning when {when} remain")
        else:
            sentences.append(f"用时达{when}时预警" if zh else f"a warning when {when} of the time has run")
        verdicts.append(warning.verdict)
    for overdue in spec.overdue:
        text = ("超期" if overdue.after is None else f"超期{duration_text(overdue.after, language)}") if zh else (
            "past the deadline" if overdue.after is None else f"{duration_text(overdue.after, language)} past the deadline")
        if overdue.every is not None:
            text += f"，此后每{duration_text(overdue.every, language)}再次" if zh else f", and again every {duration_text(overdue.every, language)}"
        sentences.append(text)
        verdicts.append(overdue.verdict)
    return Entry("time_limit", name, localized(spec.title, language) or name,
                 ("；" if zh else "; ").join(sentences) + ("。" if zh else "."), tuple(dict.fromkeys(verdicts)))


def entries(ruleset: Ruleset, language: Language, *, brief: bool = False) -> Iterator[Entry]:
    """The ruleset's time limits, rules and accountability entries, in file order, in words.

    ``brief`` sums up a time limit with many matters' limits instead of listing them.
    """
    zh = language == "zh"
    spec = ruleset.spec
    for name, limit in spec.time_limits.items():
        yield _time_limit(ruleset, name, limit, language, brief=brief)
    for rule in spec.rules:
        if rule.expect is not None:
            expect = rule.expect
            events = [expect.event] if isinstance(expect.event, str) else list(expect.event)
            after = event_name(ruleset, expect.after, language)
            names = [event_name(ruleset, e, language) for e in events]
            follow = "或".join(names) if zh else _join(names, language)  # any one of them
            within = duration_text(expect.within, language)
            text = (f"{after}后{within}内须有{follow}" + ("（附条件）" if expect.where is not None else "") if zh
                    else f"after {after}, {follow} within {within}" + (" (on conditions)" if expect.where is not None else ""))
            if expect.unless:
                unless = _join([event_name(ruleset, e, language) for e in expect.unless], language)
                text += f"，{unless}的除外" if zh else f", unless {unless}"
        else:
            on = event_name(ruleset, rule.on or "", language)
            text = (f"{on}时" + ("（附条件）" if rule.if_ is not None else "")) if zh else (
                f"on {on}" + (" (on conditions)" if rule.if_ is not None else ""))
        yield Entry("rule", rule.id, localized(rule.title, language) or rule.id, text + ("。" if zh else "."), (rule.verdict,))
    section = spec.accountability
    if section is None:
        return
    for entry in section.rules:
        counter = section.counters.get(entry.when.counter)
        per = _pick(_ROLES[counter.per], language) if counter else ""
        window = _pick(_PERIODS[counter.window], language) if counter and isinstance(counter.window, str) else ""
        value = _amount(Decimal(str(entry.when.value)))
        zh_op, en_op = _OPS.get(entry.when.op, (entry.when.op, entry.when.op))
        text = (f"{per}{window}{entry.when.counter}{zh_op}{value}次" if zh
                else f"{entry.when.counter} {en_op} {value} for a {per} {window}".replace("  ", " ").rstrip())
        yield Entry("accountability", entry.id, localized(entry.title, language) or entry.id, text + ("。" if zh else "."),
                    (entry.verdict,))
    for ladder in section.ladders:
        text = (f"计数{ladder.counter}每增加一次，依次给出{'、'.join(ladder.steps)}（末级重复）" if zh
                else f"each further count of {ladder.counter} gives the next of {', '.join(ladder.steps)} (the last repeats)")
        yield Entry("accountability", ladder.id, localized(ladder.title, language) or ladder.id, text + ("。" if zh else "."),
                    tuple(dict.fromkeys(ladder.steps)))
    for ranking in section.rankings:
        place = ranking.position if isinstance(ranking.position, str) else (
            f"top {ranking.position.top}" if ranking.position.top else f"bottom {ranking.position.bottom}")
        if zh:
            place = {"first": "第一名", "last": "末位"}.get(place, place.replace("top ", "前").replace("bottom ", "后") + "名")
            text = f"排名{ranking.metric}" + (f"连续{ranking.consecutive}次" if ranking.consecutive > 1 else "") + place
        else:
            text = f"{place} in the ranking {ranking.metric}" + (
                f" {ranking.consecutive} times running" if ranking.consecutive > 1 else "")
        yield Entry("accountability", ranking.id, localized(ranking.title, language) or ranking.id, text + ("。" if zh else "."),
                    (ranking.verdict,))
    for rate in section.rates:
        text = (f"{rate.numerator}/{rate.denominator}{rate.op}{rate.value}（至少{rate.min_sample}件）" if zh
                else f"{rate.numerator}/{rate.denominator} {rate.op} {rate.value} (at least {rate.min_sample} cases)")
        yield Entry("accountability", rate.id, localized(rate.title, language) or rate.id, text + ("。" if zh else "."),
                    (rate.verdict,))
    for minimum in section.minimums:
        text = (f"计数{minimum.counter}每期至少{minimum.at_least}次" if zh
                else f"at least {minimum.at_least} of {minimum.counter} per period")
        yield Entry("accountability", minimum.id, localized(minimum.title, language) or minimum.id, text + ("。" if zh else "."),
                    (minimum.verdict,))
    for aggregate in section.aggregates:
        yield Entry("accountability", aggregate.id, localized(aggregate.title, language) or aggregate.id,
                    _aggregate_text(ruleset, aggregate, language) + ("。" if zh else "."), (aggregate.verdict,))


_STATISTICS = {"mean": ("平均用时", "the mean time"), "median": ("用时中位数", "the median time"),
               "on_time": ("按时办结的比例", "the share completed on time"), "share": ("比例", "the share")}
_BOUND_OPS = {"<": ("低于", "below"), "<=": ("不超过", "at most"), ">": ("高于", "above"), ">=": ("达到", "at least"),
              "≤": ("不超过", "at most"), "≥": ("达到", "at least")}


def _aggregate_text(ruleset: Ruleset, aggregate: Any, language: Language) -> str:
    """An aggregate in words: whose statistic of what, per period, against which bound, from how many cases."""
    zh = language == "zh"
    per = _pick({"matter": ("事项", "matter"), **_ROLES}[aggregate.per], language)
    window = _pick(_PERIODS[aggregate.period], language)
    if aggregate.statistic == "percentile":
        statistic = f"用时第{aggregate.p:g}百分位数" if zh else f"the {aggregate.p:g}th percentile of the time"
    else:
        statistic = _pick(_STATISTICS[aggregate.statistic], language)
    op = _pick(_BOUND_OPS.get(aggregate.op, (aggregate.op, aggregate.op)), language)
    if isinstance(aggregate.value, str):
        bound = aggregate.value
    else:
        bound = _amount(Decimal(str(aggregate.value)))
        bound = f"{bound}{_aggregate_day(ruleset, aggregate, zh)}" if zh else f"{bound} {_aggregate_day(ruleset, aggregate, zh)}"
    if aggregate.cases is not None:
        limit = aggregate.cases.time_limit
        spec = ruleset.spec.time_limits.get(limit) if aggregate.cases.ruleset in (None, ruleset.spec.id) else None
        name = localized(spec.title, language) if spec is not None and spec.title is not None else limit
        matters = _join([_code(m, language) for m in aggregate.cases.matters or ()], language)
        what = (f"{name}{'（' + matters + '）' if matters else ''}期间内办结的办件" if zh
                else f"the cases of {name}{' (' + matters + ')' if matters else ''} completed in the period")
    else:
        event = event_name(ruleset, aggregate.events.event, language)
        what = (f"{event}（每件取期间内最后一条" + ("，附条件" if aggregate.events.where is not None else "") + "）" if zh
                else f"the last {event} of each thread in the period" + (" (on conditions)" if aggregate.events.where else ""))
        if aggregate.satisfying is not None:
            statistic = "中符合条件的比例" if zh else "the share meeting the condition"
    if zh:
        joined = statistic if statistic.startswith("中") else f"的{statistic}"
        return f"{per}{window}，{what}{joined}须{op}{bound}；不足{aggregate.min_cases}件的期间不作评判"
    return (f"{window}, {statistic} of {what} must be {op} {bound} for each {per}; a period with fewer than "
            f"{aggregate.min_cases} is not judged")


def _aggregate_day(ruleset: Ruleset, aggregate: Any, zh: bool) -> str:
    """The day an aggregate's bound counts in: working days when every limit of its clocks is in working time."""
    from ._clocks import working_measure

    spec = ruleset.spec.time_limits.get(aggregate.cases.time_limit) if aggregate.cases is not None else None
    limits: list[Any] = []
    if spec is not None:
        chosen = aggregate.cases.matters
        limits = [spec.limit] if spec.limit is not None and chosen is None else []
        for matter, entry in spec.matters.items():
            if chosen is None or matter in chosen:
                items = entry if isinstance(entry, list) else [entry]
                limits += [item if not hasattr(item, "limit") else item.limit for item in items]
    measures = {working_measure(limit.unit) for limit in limits}
    if len(measures) > 1:
        return "日（按各办件时限的计时口径，工作日或自然日）" if zh else "days (working or natural, each case in its limit's measure)"
    working = measures == {True}
    return ("个工作日" if working else "日") if zh else ("working days" if working else "days")
