"""Amounts of time as policies write them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from efficiency_rules import Duration, DurationError, TimeUnit


@pytest.mark.parametrize(
    ("text", "amount", "unit"),
    [
        ("20wd", "20", TimeUnit.WORKING_DAYS),
        ("2.5wd", "2.5", TimeUnit.WORKING_DAYS),
        ("10d", "10", TimeUnit.NATURAL_DAYS),
        ("1mo", "1", TimeUnit.MONTHS),
        ("24h", "24", TimeUnit.HOURS),
        ("7.5wh", "7.5", TimeUnit.WORKING_HOURS),
        ("30min", "30", TimeUnit.MINUTES),
        (" 5 WD ", "5", TimeUnit.WORKING_DAYS),
        ("immediate", "0", TimeUnit.IMMEDIATE),
        ("即时", "0", TimeUnit.IMMEDIATE),
        ("same_day", "0", TimeUnit.SAME_DAY),
        ("当日", "0", TimeUnit.SAME_DAY),
    ],
)
def test_parse(text: str, amount: str, unit: TimeUnit) -> None:
    duration = Duration.parse(text)
    assert (duration.amount, duration.unit) == (Decimal(amount), unit)


@pytest.mark.parametrize(("text", "shown"), [("2.50wd", "2.5wd"), ("020d", "20d"), ("当即", "immediate"), ("1mo", "1mo")])
def test_str_is_canonical(text: str, shown: str) -> None:
    assert str(Duration.parse(text)) == shown


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3wk", "unknown unit 'wk' in duration '3wk'; units are wd, d, mo, h, wh, min"),
        ("3wdays", "unknown unit 'wdays' in duration '3wdays'; units are wd, d, mo, h, wh, min — did you mean 'wd'?"),
        ("wd", "cannot read duration 'wd': expected a number and a unit, such as 20wd, 10d, 1mo, 24h, 7.5wh, 30min, 2.5wd, immediate or same_day"),
        ("2.5d", "2.5d: only working days, hours and working hours may have a fraction"),
        (5, "expected a duration such as 20wd, 10d, 1mo, 24h, 7.5wh, 30min, 2.5wd, immediate or same_day; got 5"),
    ],
)
def test_errors(text: object, message: str) -> None:
    with pytest.raises(DurationError) as info:
        Duration.parse(text)  # type: ignore[arg-type]
    assert str(info.value) == message
    assert isinstance(info.value, ValueError)


def test_negative_amounts_are_refused() -> None:
    with pytest.raises(DurationError, match="a duration cannot be negative, got -1"):
        Duration(Decimal(-1), TimeUnit.NATURAL_DAYS)


def test_immediate_and_same_day_have_no_amount() -> None:
    with pytest.raises(DurationError, match="immediate has no amount, got 1"):
        Duration(Decimal(1), TimeUnit.IMMEDIATE)


def test_as_a_pydantic_field() -> None:
    class Limit(BaseModel):
        limit: Duration

    assert Limit.model_validate_json('{"limit": "2.5wd"}').limit == Duration(Decimal("2.5"), TimeUnit.WORKING_DAYS)
    assert Limit(limit="10d").model_dump_json() == '{"limit":"10d"}'
    assert Limit.model_json_schema()["properties"]["limit"]["type"] == "string"
    with pytest.raises(ValidationError, match="only working days, hours and working hours may have a fraction"):
        Limit(limit="1.5mo")


@pytest.mark.parametrize(
    ("chinese", "same_as"),
    [("5个工作日", "5wd"), ("2.5个工作日", "2.5wd"), ("10 个工作日", "10wd"), ("20日", "20d"), ("60天", "60d"),
     ("15个自然日", "15d"), ("24小时", "24h"), ("2个月", "2mo"), ("30分钟", "30min"), ("7.5个工作小时", "7.5wh")],
)
def test_durations_written_in_chinese(chinese: str, same_as: str) -> None:
    assert Duration.parse(chinese) == Duration.parse(same_as)
    assert str(Duration.parse(chinese)) == same_as


def test_a_ruleset_may_write_its_limits_in_chinese(tmp_path: Path) -> None:
    import datetime as dt

    from efficiency_rules import Engine

    text = """\
id: test.chinese-durations
title: {zh: 中文期限（测试用）, en: Durations in Chinese (for tests)}
version: "1"
effective: {from: 2004-01-01}
verdicts:
  late: {kind: violation, message: "{thread} 超过{limit}"}
time_limits:
  licence:
    start: case.accepted
    stop: [case.completed]
    limit: 20个工作日
    overdue: [{verdict: late}]
"""
    path = tmp_path / "chinese.yaml"
    path.write_text(text, encoding="utf-8")
    events = [{"id": "a", "type": "case.accepted", "at": "2024-09-23T10:00:00+08:00", "case_id": "C1"}]
    report = Engine([path]).evaluate(events, as_of=dt.datetime(2024, 12, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    (verdict,) = report.verdicts
    # 20 working days after Monday 2024-09-23, the National Day days off not counted: 2024-10-24 17:30
    assert verdict.at.isoformat() == "2024-10-24T17:30:00+08:00"
    assert verdict.explanation.message_zh == "办件C1 超过20个工作日"


def test_a_clock_may_name_one_stop_alone(tmp_path: Path) -> None:
    import datetime as dt

    from efficiency_rules import Engine

    text = """\
id: test.one-stop
title: {zh: 单一停止事件（测试用）, en: One stop (for tests)}
version: "1"
effective: {from: 2004-01-01}
verdicts:
  late: {kind: violation, message: "{thread} 超期"}
time_limits:
  licence: {start: case.accepted, stop: case.completed, limit: 1wd, overdue: [{verdict: late}]}
"""
    path = tmp_path / "one-stop.yaml"
    path.write_text(text, encoding="utf-8")
    events = [{"id": "a", "type": "case.accepted", "at": "2024-09-23T10:00:00+08:00", "case_id": "C1"},
              {"id": "c", "type": "case.completed", "at": "2024-09-24T10:00:00+08:00", "case_id": "C1"}]
    report = Engine([path]).evaluate(events, as_of=dt.datetime(2024, 12, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    assert report.verdicts == []
    assert [c.status for c in report.cases] == ["completed_on_time"]
