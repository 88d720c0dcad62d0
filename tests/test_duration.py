"""Amounts of time as policies write them."""

from __future__ import annotations

from decimal import Decimal

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
