"""Text for people, in Chinese and English: the catalogue every output of the library renders through.

Use it where a portal or a report writes for people what the library computes::

    >>> from efficiency_rules import Duration
    >>> from efficiency_rules import text
    >>> text.duration(Duration.parse("20wd")), text.duration(Duration.parse("20wd"), "en")
    ('20个工作日', '20 working days')
    >>> import datetime as dt
    >>> text.instant(dt.datetime(2024, 10, 24, 17, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    '2024年10月24日17:30'
    >>> text.status("completed_late"), text.kind("violation"), text.card("yellow"), text.subject("unit", "住建局")
    ('超期办结', '违规', '黄牌', '单位：住建局')
    >>> text.span(text.Span(5 * 25200 + 3 * 3600, working=True, per_day=25200))
    '5个工作日又3小时'

Every function takes ``language`` (``"zh"``, the default, or ``"en"``). docs/decisions.md says
how the catalogue is organised and why.
"""

from __future__ import annotations

from ._text import (
    Language,
    Limit,
    Phrase,
    Span,
    Value,
    approver,
    calendar_description,
    card,
    count,
    date,
    dates,
    duration,
    event_word,
    holidays,
    instant,
    kind,
    label,
    limit,
    period,
    reason,
    render,
    role,
    span,
    status,
    subject,
    thread,
)

__all__ = [
    "Language", "Limit", "Phrase", "Span", "Value", "approver", "calendar_description", "card", "count", "date", "dates",
    "duration", "event_word", "holidays", "instant", "kind", "label", "limit", "period", "reason", "render", "role", "span", "status",
    "subject", "thread",
]
