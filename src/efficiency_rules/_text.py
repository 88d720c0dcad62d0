"""Text for people, in Chinese and English: one catalogue every output renders through.

Verdict messages, the report's tables, ``explain``, scenario diffs and applicant notices all say
durations, instants, statuses, verdict kinds, subjects and cards with the functions here, so the
same thing reads the same everywhere: ``20个工作日`` / ``20 working days``, ``2024年10月24日17:30`` /
``24 October 2024, 17:30``, ``超期办结`` / ``completed late``. Nothing here reads a clock: every
instant is given, and is written in the time zone it carries.

Values in a verdict message may be plain text (the same in both languages) or one of the values
below, rendered in the message's language: a :class:`~efficiency_rules.Duration`, an aware
``datetime`` (an instant), a :class:`Span` (an amount of a clock's time, such as lateness),
a :class:`Limit` (a limit and the extensions granted) or a :class:`Phrase` (a text in each language).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from ._duration import Duration, TimeUnit

__all__ = [
    "Language",
    "Limit",
    "Phrase",
    "Span",
    "Value",
    "approver",
    "calendar_description",
    "card",
    "count",
    "date",
    "dates",
    "duration",
    "event_word",
    "holidays",
    "instant",
    "kind",
    "label",
    "limit",
    "period",
    "reason",
    "render",
    "role",
    "span",
    "status",
    "subject",
    "thread",
    "thread_phrase",
]

Language = Literal["zh", "en"]


@dataclass(frozen=True, slots=True)
class Phrase:
    """A text written in each language."""

    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class Span:
    """An amount of a clock's time in seconds of its measure: working time (``per_day`` seconds a
    working day) or elapsed time (days of 86,400 seconds). ``under`` renders zero as "less than"
    that amount (a verdict given at the very moment a period begins)."""

    seconds: int
    working: bool
    per_day: int = 86400
    under: Span | None = None


@dataclass(frozen=True, slots=True)
class Limit:
    """A time limit and the extensions granted on it (``extension``: a span of the clock's time)."""

    limit: Duration
    extension: Span | None = None


Value = str | Duration | dt.datetime | dt.date | Span | Limit | Phrase

# -- durations ------------------------------------------------------------------------------

_ZH_UNITS = {
    TimeUnit.WORKING_DAYS: "个工作日", TimeUnit.NATURAL_DAYS: "日", TimeUnit.MONTHS: "个月", TimeUnit.HOURS: "小时",
    TimeUnit.WORKING_HOURS: "个工作小时", TimeUnit.MINUTES: "分钟",
}
_EN_UNITS = {
    TimeUnit.WORKING_DAYS: ("working day", "working days"), TimeUnit.NATURAL_DAYS: ("day", "days"),
    TimeUnit.MONTHS: ("month", "months"), TimeUnit.HOURS: ("hour", "hours"),
    TimeUnit.WORKING_HOURS: ("working hour", "working hours"), TimeUnit.MINUTES: ("minute", "minutes"),
}


def _number(amount: Decimal) -> str:
    return format(amount.normalize(), "f")


def _en(amount: Decimal | int, one: str, many: str) -> str:
    text = _number(amount) if isinstance(amount, Decimal) else str(amount)
    return f"{text} {one if amount == 1 else many}"


def duration(value: Duration, language: Language = "zh") -> str:
    """A limit as a policy states it: ``20个工作日``, ``60日``, ``2个月``, ``24小时``, ``30分钟``, ``当日``, ``即时``;
    ``20 working days``, ``60 days``, ``2 months``, ``24 hours``, ``30 minutes``, ``same-day``, ``immediate``.

    >>> duration(Duration.parse("20wd")), duration(Duration.parse("1wd"), "en")
    ('20个工作日', '1 working day')
    """
    if value.unit is TimeUnit.IMMEDIATE:
        return "即时" if language == "zh" else "immediate"
    if value.unit is TimeUnit.SAME_DAY:
        return "当日" if language == "zh" else "same-day"
    if language == "zh":
        return _number(value.amount) + _ZH_UNITS[value.unit]
    return _en(value.amount, *_EN_UNITS[value.unit])


def span(value: Span, language: Language = "zh") -> str:
    """An amount of clock time in whole minutes: ``5个工作日又3小时``, ``2小时30分钟``, ``3日又4小时``, ``0分钟``;
    ``5 working days 3 hours``, ``2 hours 30 minutes``, ``3 days 4 hours``, ``0 minutes``.

    >>> span(Span(5 * 25200 + 3 * 3600, True, 25200))
    '5个工作日又3小时'
    """
    if value.seconds <= 0 and value.under is not None:
        return ("不足" if language == "zh" else "less than ") + span(value.under, language)
    seconds = max(0, value.seconds)
    days, rest = divmod(seconds, value.per_day)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if language == "zh":
        day_text = f"{days}{'个工作日' if value.working else '日'}" if days else ""
        time_text = (f"{hours}小时" if hours else "") + (f"{minutes}分钟" if minutes else "")
        if day_text and time_text:
            return f"{day_text}又{time_text}"
        return day_text or time_text or "0分钟"
    parts = []
    if days:
        parts.append(_en(days, "working day", "working days") if value.working else _en(days, "day", "days"))
    if hours:
        parts.append(_en(hours, "hour", "hours"))
    if minutes:
        parts.append(_en(minutes, "minute", "minutes"))
    return " ".join(parts) or "0 minutes"


def limit(value: Limit, language: Language = "zh") -> str:
    """The limit in force: ``20个工作日（延长10个工作日）``; ``20 working days (extended by 10 working days)``."""
    text = duration(value.limit, language)
    if value.extension is None or value.extension.seconds <= 0:
        return text
    more = span(value.extension, language)
    return f"{text}（延长{more}）" if language == "zh" else f"{text} (extended by {more})"


# -- instants -------------------------------------------------------------------------------

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def instant(moment: dt.datetime, language: Language = "zh") -> str:
    """An instant in its own time zone, to the minute (seconds are not shown): ``2024年10月24日17:30``;
    ``24 October 2024, 17:30``."""
    clock = f"{moment.hour:02d}:{moment.minute:02d}"
    if language == "zh":
        return f"{moment.year}年{moment.month}月{moment.day}日{clock}"
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}, {clock}"


def date(day: dt.date, language: Language = "zh") -> str:
    """A day: ``2024年10月24日``; ``24 October 2024``."""
    if isinstance(day, dt.datetime):
        day = day.date()
    return f"{day.year}年{day.month}月{day.day}日" if language == "zh" else f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def dates(days: Sequence[dt.date], language: Language = "zh") -> str:
    """Days, runs of consecutive days joined: ``2024年10月1日至7日``, ``2024年9月29日、10月12日``;
    ``1–7 October 2024``, ``29 September and 12 October 2024``."""
    runs: list[list[dt.date]] = []
    for day in sorted(days):
        if runs and (day - runs[-1][-1]).days == 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    texts: list[str] = []
    previous: dt.date | None = None
    for run in runs:
        first, last = run[0], run[-1]
        if language == "zh":
            year = previous is None or previous.year != first.year
            head = (f"{first.year}年" if year else "") + f"{first.month}月{first.day}日"
            if first != last:
                head += "至" + (f"{last.year}年" if last.year != first.year else "")
                head += (f"{last.month}月" if last.month != first.month else "") + f"{last.day}日"
            texts.append(head)
        else:
            if first == last:
                texts.append(f"{first.day} {_MONTHS[first.month - 1]} {first.year}")
            elif first.month == last.month:
                texts.append(f"{first.day}–{last.day} {_MONTHS[first.month - 1]} {first.year}")
            else:
                first_year = f" {first.year}" if first.year != last.year else ""
                texts.append(f"{first.day} {_MONTHS[first.month - 1]}{first_year} – {last.day} {_MONTHS[last.month - 1]} {last.year}")
        previous = last
    if language == "zh":
        return "、".join(texts)
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " and " + texts[-1]


def holidays(named: Iterable[tuple[dt.date, str]], language: Language = "zh") -> list[str]:
    """The names of the holidays of ``(day, name)`` pairs as a calendar gives them (``国庆节 National Day``),
    each once, in order: ``['国庆节']``; ``['National Day']``."""
    names: list[str] = []
    for _, name in named:
        zh, _, en = name.partition(" ")
        text = zh if language == "zh" or not en else en
        if text not in names:
            names.append(text)
    return names


@functools.lru_cache(maxsize=256)
def calendar_description(
    name: str, business_hours: str, language: Language = "zh", working: bool = True, title: tuple[str, str] | None = None
) -> str:
    """``按中国法定工作日计算，工作时间9:00–12:00、13:30–17:30``; ``on the statutory working days of China,
    business hours 9:00–12:00 and 13:30–17:30``. Not ``working``: ``按自然日计算``; ``in calendar days``.
    A service hall's calendar (``title``, in Chinese and English): ``按公安服务大厅的服务日计算，服务时间9:00–18:00``."""
    if not working:
        return "按自然日计算" if language == "zh" else "in calendar days"
    sessions = [part.strip() for part in business_hours.split(",") if part.strip()]
    shown = ["–".join(_clock(part) for part in s.split("-")) for s in sessions]
    if title is not None:
        if language == "zh":
            return f"按{title[0]}的服务日计算，服务时间" + "、".join(shown)
        hours = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
        return f"on the service days of {title[1]}, hours {hours}"
    if language == "zh":
        where = "中国法定工作日" if name == "china" else f"日历“{name}”的工作日"
        return f"按{where}计算，工作时间" + "、".join(shown)
    where = "the statutory working days of China" if name == "china" else f"the working days of calendar {name!r}"
    hours = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    return f"on {where}, business hours {hours}"


def _clock(text: str) -> str:
    hours, _, minutes = text.strip().partition(":")
    return f"{int(hours)}:{minutes}" if hours.isdigit() else text


# -- words ------------------------------------------------------------------------------------

_STATUS = {
    "running": ("办理中", "running"), "warning": ("即将到期", "due soon"), "overdue": ("已超期", "overdue"),
    "paused": ("暂停计时", "paused"), "completed_on_time": ("按时办结", "completed on time"),
    "completed_late": ("超期办结", "completed late"), "withdrawn": ("已撤回", "withdrawn"),
    "rejected": ("不予受理", "rejected"), "not_started": ("未起算", "not started"),
}
_KIND = {
    "violation": ("违规", "violation"), "warning": ("预警", "warning"), "alarm": ("报警", "alarm"),
    "sanction": ("问责", "sanction"), "compliance": ("合规", "compliance"),
}
_ROLE = {
    "staff": ("工作人员", "staff"), "unit": ("单位", "unit"), "deputy": ("分管领导", "deputy head"),
    "principal": ("主要负责人", "head"),
}
_CARD = {"yellow": ("黄牌", "yellow card"), "red": ("红牌", "red card")}
_APPROVER = {
    "agency_head": ("行政机关负责人", "the head of the agency"),
    "government_head": ("本级人民政府负责人", "the head of the government at that level"),
    "disclosure_office_head": ("政府信息公开工作机构负责人", "the head of the information-disclosure office"),
    "unit_head": ("单位负责人", "the head of the unit"),
}
_REASON = {
    "hearing": ("听证", "a hearing"), "tender": ("招标", "a tender"), "auction": ("拍卖", "an auction"),
    "inspection": ("检验", "an inspection"), "testing": ("检测", "testing"), "quarantine": ("检疫", "quarantine"),
    "appraisal": ("鉴定", "an appraisal"), "expert_review": ("专家评审", "an expert review"),
    "consultation": ("征求第三方意见", "consulting third parties"), "backlog": ("积压待办", "a backlog"),
    "construction": ("施工", "construction"), "contract_signing": ("签订合同", "signing the contract"),
    "valve_opening": ("开阀供热", "opening the valve"), "administrative_approval": ("办理行政审批", "an administrative approval"),
}
_LABELS = {
    "at": ("时间", "at"), "rule": ("规则", "rule"), "kind": ("类别", "kind"), "subjects": ("对象", "subjects"),
    "points": ("分值", "points"), "thread": ("事项", "thread"), "message": ("说明", "message"),
    "case": ("办件", "case"), "time_limit": ("时限", "time limit"), "status": ("状态", "status"),
    "limit": ("期限", "limit"), "deadline": ("截止时间", "deadline"), "elapsed": ("已用", "elapsed"),
    "remaining": ("剩余", "remaining"), "overdue": ("超期", "overdue"), "paused": ("暂停", "paused"),
    "matter": ("事项", "matter"), "period": ("期间", "period"), "subject": ("对象", "subject"),
    "score": ("得分", "score"), "deducted": ("扣分", "deducted"), "added": ("加分", "added"),
    "grade": ("等次", "grade"), "rank": ("名次", "rank"), "verdicts": ("结论数", "verdicts"),
    "veto": ("一票否决", "veto"), "revoked": ("撤销", "revoked"), "none": ("无", "none"),
}


def _word(table: dict[str, tuple[str, str]], key: str, language: Language) -> str:
    found = table.get(key)
    if found is None:
        return key
    return found[0] if language == "zh" else found[1]


def status(name: str, language: Language = "zh") -> str:
    """A case clock's status: ``completed_late`` → ``超期办结`` / ``completed late``."""
    return _word(_STATUS, name, language)


def kind(name: str, language: Language = "zh") -> str:
    """A verdict kind: ``violation`` → ``违规`` / ``violation``."""
    return _word(_KIND, name, language)


def role(name: str, language: Language = "zh") -> str:
    """A subject's role: ``unit`` → ``单位`` / ``unit``."""
    return _word(_ROLE, name, language)


def subject(role_name: str, subject_id: str, language: Language = "zh") -> str:
    """``单位：housing-bureau``; ``unit housing-bureau``."""
    return f"{role(role_name, 'zh')}：{subject_id}" if language == "zh" else f"{role(role_name, 'en')} {subject_id}"


_THREAD = {
    "case": ("办件", "case"), "inquiry": ("咨询", "inquiry"), "complaint": ("投诉", "complaint"), "event": ("事件", "event"),
    "petition": ("信访事项", "petition"), "request": ("申请", "request"), "document": ("公文", "document"),
    "order": ("工单", "work order"), "work_order": ("工单", "work order"), "matter": ("事项", "matter"),
}


def thread(key: str, language: Language = "zh") -> str:
    """A thread for people: ``case:XK-1`` → ``办件XK-1`` / ``case XK-1``; ``unit:housing-bureau`` → ``单位：housing-bureau``.

    A key of another kind is shown as it is.
    """
    prefix, colon, rest = key.partition(":")
    if not colon:
        return key
    if prefix in _ROLE:
        return subject(prefix, rest, language)
    found = _THREAD.get(prefix)
    if found is None:
        return key
    return f"{found[0]}{rest}" if language == "zh" else f"{found[1]} {rest}"


def thread_phrase(key: str) -> Phrase:
    """:func:`thread` in each language, as a message value."""
    return Phrase(thread(key, "zh"), thread(key, "en"))


def card(name: str, language: Language = "zh") -> str:
    """``yellow`` → ``黄牌`` / ``yellow card``."""
    return _word(_CARD, name, language)


def approver(name: str, language: Language = "zh") -> str:
    """Who approved an extension: ``agency_head`` → ``行政机关负责人`` (an unknown role is shown as given)."""
    return _word(_APPROVER, name, language)


def reason(name: str, language: Language = "zh") -> str:
    """Why a clock was paused: ``hearing`` → ``听证`` / ``a hearing`` (an unknown reason is shown as given)."""
    return _word(_REASON, name, language)


_EVENT = {
    "case.received": ("收件", "received"), "case.accepted": ("受理", "accepted"), "case.rejected": ("不予受理", "rejected"),
    "case.withdrawn": ("申请人撤回", "withdrawn by the applicant"), "case.completed": ("办结", "completed"),
    "case.delivered": ("送达", "delivered"), "case.decided": ("作出决定", "decided"),
    "case.supplement_requested": ("一次性告知补正", "supplement requested"),
    "case.supplement_received": ("收到补正材料", "supplement received"), "case.paused": ("暂停", "paused"),
    "case.resumed": ("恢复", "resumed"), "case.extension_granted": ("批准延期", "extension granted"),
}


def event_word(name: str, language: Language = "zh") -> str:
    """What an event type records: ``case.accepted`` → ``受理`` / ``accepted`` (other types as given)."""
    return _word(_EVENT, name, language)


def label(name: str, language: Language = "zh") -> str:
    """A column or field label of the report's tables: ``deadline`` → ``截止时间`` / ``deadline``."""
    return _word(_LABELS, name, language)


def count(n: int, noun: str, language: Language = "zh") -> str:
    """``8个办件``, ``8项结论``; ``8 cases``, ``1 verdict``: ``noun`` is ``case``, ``verdict``, ``event`` or ``score``."""
    zh = {"case": "个办件", "verdict": "项结论", "event": "个事件", "score": "项得分"}
    en = {"case": ("case", "cases"), "verdict": ("verdict", "verdicts"), "event": ("event", "events"),
          "score": ("score", "scores")}
    if language == "zh":
        return f"{n}{zh[noun]}"
    one, many = en[noun]
    return f"{n:,} {one if n == 1 else many}"


_PERIOD = re.compile(r"^(\d{4})(?:-(W|B|Q|H)?(\d{1,2}))?$")
_ORDINAL_EN = {1: "1st", 2: "2nd", 3: "3rd"}


def period(key: str, language: Language = "zh") -> str:
    """A scoring period: ``2024`` → ``2024年``; ``2024-09`` → ``2024年9月``; ``2024-Q3`` → ``2024年第3季度``;
    ``2024-B5`` → ``2024年第5个双月``; ``2024-H1`` → ``2024年上半年``; ``2024-W37`` → ``2024年第37周``.
    English: ``2024``, ``September 2024``, ``Q3 2024``, ``2024, 5th two months``, ``first half of 2024``,
    ``week 37 of 2024``. Another key is shown as it is."""
    match = _PERIOD.match(key)
    if match is None:
        return key
    year, kind_, number = match.group(1), match.group(2), match.group(3)
    n = int(number) if number else 0
    if language == "zh":
        if number is None:
            return f"{year}年"
        return {None: f"{year}年{n}月", "W": f"{year}年第{n}周", "B": f"{year}年第{n}个双月", "Q": f"{year}年第{n}季度",
                "H": f"{year}年{'上' if n == 1 else '下'}半年"}[kind_]
    if number is None:
        return year
    return {None: f"{_MONTHS[n - 1]} {year}" if 1 <= n <= 12 else key, "W": f"week {n} of {year}",
            "B": f"{year}, {_ORDINAL_EN.get(n, f'{n}th')} two months", "Q": f"Q{n} {year}",
            "H": f"{'first' if n == 1 else 'second'} half of {year}"}[kind_]


def field_value(value: object) -> Value | None:
    """An event field's value as a message shows it, or ``None`` for one that is missing or not a plain value:
    text as it is, numbers as written, ``是``/``否`` (``yes``/``no``), durations and instants rendered, a list
    of texts joined (``租赁合同、授权书``; ``租赁合同, 授权书``)."""
    if value is None or isinstance(value, (dict, Phrase, Span, Limit)):
        return None
    if isinstance(value, bool):
        return Phrase("是", "yes") if value else Phrase("否", "no")
    if isinstance(value, (int, float, Decimal)):
        return format(value, "g") if isinstance(value, float) else str(value)
    if isinstance(value, (str, Duration, dt.datetime, dt.date)):
        return value
    if isinstance(value, (list, tuple)):
        items = [render(v, "zh") for v in (field_value(x) for x in value) if v is not None]
        items_en = [render(v, "en") for v in (field_value(x) for x in value) if v is not None]
        return Phrase("、".join(items), ", ".join(items_en))
    return None


def fixed(value: Value) -> Phrase:
    """``value`` rendered once in each language (to keep, e.g. in a session's snapshot)."""
    return Phrase(render(value, "zh"), render(value, "en"))


def render(value: Value, language: Language = "zh") -> str:
    """Any message value in ``language``: text as it is, the rest by its kind."""
    if isinstance(value, str):
        return value
    if isinstance(value, Duration):
        return duration(value, language)
    if isinstance(value, dt.datetime):
        return instant(value, language)
    if isinstance(value, dt.date):
        return date(value, language)
    if isinstance(value, Span):
        return span(value, language)
    if isinstance(value, Limit):
        return limit(value, language)
    return value.zh if language == "zh" else value.en
