"""efficiency_rules: judge administrative-efficiency policies (机关效能建设) from the events portals record.

Everything public is importable from this package; the modules behind it are private.
"""

from typing import TYPE_CHECKING

from ._business_hours import BusinessHours
from ._calendar import Calendar
from ._calendar_data import YearArrangement, load_year_file
from ._dedupe import Deduplicator
from ._duration import Duration, TimeUnit
from ._errors import (
    BackendError,
    BackendUnavailableError,
    CalendarError,
    DateNotCoveredError,
    DuplicateEventError,
    DurationError,
    EfficiencyRulesError,
    EventError,
    EventTypeConflictError,
    EventTypeDefinitionError,
    NaiveDatetimeError,
    OutputError,
    RulesetError,
    RulesetIssue,
    RulesetNotFoundError,
    SnapshotError,
    SourceError,
    SourceLocation,
    StoreConflictError,
    StoreError,
    UnknownEventTypeError,
    UsageError,
    YearFileError,
)
from ._events import (
    CORE_EVENT_TYPES,
    CaseAccepted,
    CaseCompleted,
    CaseDelivered,
    CaseEvent,
    CaseExtensionGranted,
    CaseExtensionRequested,
    CasePaused,
    CaseReceived,
    CaseRejected,
    CaseResumed,
    CaseSupplementReceived,
    CaseSupplementRequested,
    CaseWithdrawn,
    ComplaintDismissed,
    ComplaintEvent,
    ComplaintFiled,
    ComplaintVerified,
    CoreEvent,
    EvaluationSubmitted,
    Event,
    InquiryAnswered,
    InquiryEvent,
    InquiryReceived,
    InquiryReferred,
    InterviewHeld,
    OrgStaffAssigned,
    OrgUnitLeaders,
    RankingPublished,
    VerdictRevoked,
)
from ._jsonl import read_events
from ._registry import EventRegistry, parse_event
from ._verdicts import (
    CaseState,
    Citation,
    Explanation,
    Fact,
    Report,
    RulesetRef,
    Subject,
    Verdict,
)

# The engine and the ruleset loader are imported on first use, so that importing the package (or
# its pytest plugin) stays cheap; type checkers see them as imported here.
if TYPE_CHECKING:
    from ._compare import CaseChange, Comparison, RuleTally, ScoreChange, Tally, VerdictChange, compare
    from ._engine import Engine
    from ._ruleset import Ruleset, load_ruleset, load_rulesets
    from ._session import Session

_LAZY = {
    "CaseChange": "._compare",
    "Comparison": "._compare",
    "RuleTally": "._compare",
    "ScoreChange": "._compare",
    "Tally": "._compare",
    "VerdictChange": "._compare",
    "compare": "._compare",
    "Engine": "._engine",
    "Session": "._session",
    "Ruleset": "._ruleset",
    "load_ruleset": "._ruleset",
    "load_rulesets": "._ruleset",
    "ShippedRuleset": "._shipped",
    "shipped_rulesets": "._shipped",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'efficiency_rules' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value

__version__ = "0.1.0"

__all__ = [
    "CORE_EVENT_TYPES",
    "BackendError",
    "BackendUnavailableError",
    "BusinessHours",
    "Calendar",
    "CalendarError",
    "CaseAccepted",
    "CaseChange",
    "CaseCompleted",
    "CaseDelivered",
    "CaseEvent",
    "CaseExtensionGranted",
    "CaseExtensionRequested",
    "CasePaused",
    "CaseReceived",
    "CaseRejected",
    "CaseResumed",
    "CaseState",
    "CaseSupplementReceived",
    "CaseSupplementRequested",
    "CaseWithdrawn",
    "Citation",
    "Comparison",
    "ComplaintDismissed",
    "ComplaintEvent",
    "ComplaintFiled",
    "ComplaintVerified",
    "CoreEvent",
    "DateNotCoveredError",
    "Deduplicator",
    "DuplicateEventError",
    "Duration",
    "DurationError",
    "EfficiencyRulesError",
    "Engine",
    "EvaluationSubmitted",
    "Event",
    "EventError",
    "EventRegistry",
    "EventTypeConflictError",
    "EventTypeDefinitionError",
    "Explanation",
    "Fact",
    "InquiryAnswered",
    "InquiryEvent",
    "InquiryReceived",
    "InquiryReferred",
    "InterviewHeld",
    "NaiveDatetimeError",
    "OrgStaffAssigned",
    "OrgUnitLeaders",
    "OutputError",
    "RankingPublished",
    "Report",
    "RuleTally",
    "Ruleset",
    "RulesetError",
    "RulesetIssue",
    "RulesetNotFoundError",
    "RulesetRef",
    "ScoreChange",
    "Session",
    "ShippedRuleset",
    "SnapshotError",
    "SourceError",
    "SourceLocation",
    "StoreConflictError",
    "StoreError",
    "Subject",
    "Tally",
    "TimeUnit",
    "UnknownEventTypeError",
    "UsageError",
    "Verdict",
    "VerdictChange",
    "VerdictRevoked",
    "YearArrangement",
    "YearFileError",
    "compare",
    "load_ruleset",
    "load_rulesets",
    "load_year_file",
    "parse_event",
    "read_events",
    "shipped_rulesets",
]
