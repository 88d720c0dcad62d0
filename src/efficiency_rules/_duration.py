"""Amounts of time as policies state them: ``20wd``, ``10d``, ``24h``, ``2.5wd``, ``1mo``, ``immediate``.

A :class:`Duration` is a value (an exact decimal amount and a unit); what it means as a deadline
depends on the calendar and is computed there (``Calendar.deadline``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import lru_cache
from typing import Any

from ._errors import DurationError
from ._suggest import did_you_mean

__all__ = ["Duration", "TimeUnit"]


class TimeUnit(str, Enum):
    """The units a limit can be stated in, with the suffix used in text."""

    WORKING_DAYS = "wd"  # 工作日: statutory working days (make-up days count, holidays do not)
    NATURAL_DAYS = "d"  # 日/天: calendar days, counted under 民法典 arts. 201-203
    MONTHS = "mo"  # 月: calendar months, month-end clamped
    HOURS = "h"  # 小时: elapsed hours on the clock
    WORKING_HOURS = "wh"  # hours inside business hours on working days
    MINUTES = "min"  # elapsed minutes (e.g. "on scene within 30 minutes")
    IMMEDIATE = "immediate"  # 即时办结 / 当即: within the same visit
    SAME_DAY = "same_day"  # 当日办结: by the close of business of the same working day


_SUFFIXES = {u.value: u for u in TimeUnit if u not in (TimeUnit.IMMEDIATE, TimeUnit.SAME_DAY)}
_WORDS = {
    "immediate": TimeUnit.IMMEDIATE,
    "即时": TimeUnit.IMMEDIATE,
    "当即": TimeUnit.IMMEDIATE,
    "same_day": TimeUnit.SAME_DAY,
    "same-day": TimeUnit.SAME_DAY,
    "当日": TimeUnit.SAME_DAY,
}
# Units as a Chinese policy writes them: 5个工作日, 20日, 60天, 24小时, 2个月, 30分钟.
_CHINESE_UNITS = {
    "个工作日": TimeUnit.WORKING_DAYS, "工作日": TimeUnit.WORKING_DAYS,
    "个工作小时": TimeUnit.WORKING_HOURS, "工作小时": TimeUnit.WORKING_HOURS,
    "个自然日": TimeUnit.NATURAL_DAYS, "自然日": TimeUnit.NATURAL_DAYS, "日": TimeUnit.NATURAL_DAYS, "天": TimeUnit.NATURAL_DAYS,
    "个小时": TimeUnit.HOURS, "小时": TimeUnit.HOURS,
    "个月": TimeUnit.MONTHS, "月": TimeUnit.MONTHS,
    "分钟": TimeUnit.MINUTES,
}
_PATTERN = re.compile(
    r"^\s*(?P<amount>[0-9]+(?:\.[0-9]+)?)\s*(?P<unit>[a-z_]+|"
    + "|".join(sorted(map(re.escape, _CHINESE_UNITS), key=len, reverse=True)) + r")\s*$"
)
# Whole units only, except where a fraction has a meaning in working time (2.5 working days).
_DAY_UNITS = frozenset((TimeUnit.WORKING_DAYS, TimeUnit.NATURAL_DAYS, TimeUnit.MONTHS))
_FRACTIONAL_UNITS = {TimeUnit.WORKING_DAYS, TimeUnit.HOURS, TimeUnit.WORKING_HOURS}
_EXAMPLES = "20wd, 10d, 1mo, 24h, 7.5wh, 30min, 2.5wd, immediate or same_day"


@dataclass(frozen=True, slots=True)
class Duration:
    """An exact amount of a :class:`TimeUnit`; parse text with :meth:`parse`.

    >>> Duration.parse("2.5wd")
    Duration(amount=Decimal('2.5'), unit=<TimeUnit.WORKING_DAYS: 'wd'>)
    >>> str(Duration.parse("24h"))
    '24h'
    """

    amount: Decimal
    unit: TimeUnit

    def __post_init__(self) -> None:
        given: object = self.amount  # untyped callers pass an int, a float or a str
        if not isinstance(given, Decimal):
            object.__setattr__(self, "amount", Decimal(str(given)))
        if self.amount < 0:
            raise DurationError(f"a duration cannot be negative, got {self.amount}")
        if self.unit in (TimeUnit.IMMEDIATE, TimeUnit.SAME_DAY) and self.amount != 0:
            raise DurationError(f"{self.unit.value} has no amount, got {self.amount}")
        if self.unit not in _FRACTIONAL_UNITS and self.amount != self.amount.to_integral_value():
            raise DurationError(
                f"{self.amount}{self.unit.value}: only working days, hours and working hours may have a fraction"
            )

    @classmethod
    def parse(cls, text: str | Duration) -> Duration:
        """Read ``20wd``, ``10d``, ``1mo``, ``24h``, ``7.5wh``, ``30min``, ``2.5wd``, ``immediate``, ``same_day``.

        The units may be written as a Chinese policy writes them: ``5个工作日``, ``20日`` (or ``天``),
        ``24小时``, ``2个月``, ``30分钟``, ``7.5个工作小时``; ``当日`` and ``即时`` as the words.

        >>> Duration.parse("5个工作日") == Duration.parse("5wd")
        True
        """
        if isinstance(text, Duration):
            return text
        if not isinstance(text, str):
            raise DurationError(f"expected a duration such as {_EXAMPLES}; got {text!r}")
        return _parse_text(text)

    @classmethod
    def _from_text(cls, text: str) -> Duration:
        word = _WORDS.get(text.strip().lower())
        if word is not None:
            return cls(Decimal(0), word)
        match = _PATTERN.match(text.lower())
        if match is None:
            raise DurationError(f"cannot read duration {text!r}: expected a number and a unit, such as {_EXAMPLES}")
        unit = _SUFFIXES.get(match["unit"]) or _CHINESE_UNITS.get(match["unit"])
        if unit is None:
            known = list(_SUFFIXES)
            raise DurationError(
                f"unknown unit {match['unit']!r} in duration {text!r}; units are {', '.join(known)}"
                + did_you_mean(match["unit"], known)
            )
        try:
            amount = Decimal(match["amount"])
        except InvalidOperation as exc:  # pragma: no cover - the pattern admits only digits
            raise DurationError(f"cannot read the amount in {text!r}") from exc
        return cls(amount, unit)

    @property
    def day_only(self) -> bool:
        """Whether a period of this length ends at a time that depends only on the day it starts.

        Whole working days (from 1), natural days and months end at a day's close; ``0wd`` is the
        same day (the hour matters), and hours, working hours and fractions count from the instant.
        """
        if self.unit not in _DAY_UNITS or self.amount != self.amount.to_integral_value():
            return False
        return self.unit is not TimeUnit.WORKING_DAYS or self.amount >= 1

    def __str__(self) -> str:
        if self.unit in (TimeUnit.IMMEDIATE, TimeUnit.SAME_DAY):
            return str(self.unit.value)  # mypy types a str-mixin enum's value as Any
        amount = self.amount.normalize()
        text = format(amount, "f")
        return f"{text}{self.unit.value}"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        def validate(value: Any) -> Duration:
            try:
                return cls.parse(value)
            except DurationError as exc:
                raise ValueError(str(exc)) from None

        return core_schema.no_info_plain_validator_function(
            validate,
            json_schema_input_schema=core_schema.str_schema(),
            serialization=core_schema.to_string_ser_schema(),
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: Any) -> dict[str, Any]:
        return {
            "type": "string",
            "pattern": r"^([0-9]+(\.[0-9]+)?(wd|d|mo|h|wh|min)|immediate|same_day)$",
            "examples": ["20wd", "10d", "24h", "2.5wd"],
        }


# Policies repeat a handful of amounts; parsing each once keeps deadline arithmetic fast.
_parse_text = lru_cache(maxsize=1024)(Duration._from_text)
