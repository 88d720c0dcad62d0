"""efficiency_rules: judge administrative-efficiency policies (机关效能建设) from the events portals record.

Everything public is importable from this package; the modules behind it are private.
"""

from ._duration import Duration, TimeUnit
from ._errors import (
    CalendarError,
    DateNotCoveredError,
    DuplicateEventError,
    DurationError,
    EfficiencyRulesError,
    EventError,
    NaiveDatetimeError,
    SourceError,
    SourceLocation,
    UnknownEventTypeError,
    YearFileError,
)

__version__ = "0.1.0"

__all__ = [
    "CalendarError",
    "DateNotCoveredError",
    "DuplicateEventError",
    "Duration",
    "DurationError",
    "EfficiencyRulesError",
    "EventError",
    "NaiveDatetimeError",
    "SourceError",
    "SourceLocation",
    "TimeUnit",
    "UnknownEventTypeError",
    "YearFileError",
]
