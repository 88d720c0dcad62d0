"""efficiency_rules: judge administrative-efficiency policies (机关效能建设) from the events portals record.

Everything public is importable from this package; the modules behind it are private.
"""

from ._business_hours import BusinessHours
from ._calendar import Calendar
from ._calendar_data import YearArrangement, load_year_file
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
    "BusinessHours",
    "Calendar",
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
    "YearArrangement",
    "YearFileError",
    "load_year_file",
]
