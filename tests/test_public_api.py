"""The package's one front door: every public name, pinned, so a change to it is deliberate."""

from __future__ import annotations

import efficiency_rules

PUBLIC = [
    "BackendError", "BackendUnavailableError",
    "BusinessHours", "CORE_EVENT_TYPES", "Calendar", "CalendarError", "CaseAccepted", "CaseCompleted",
    "CaseDelivered", "CaseEvent", "CaseExtensionGranted", "CaseExtensionRequested", "CasePaused", "CaseReceived",
    "CaseRejected", "CaseResumed", "CaseSupplementReceived", "CaseSupplementRequested", "CaseWithdrawn",
    "ComplaintDismissed", "ComplaintEvent", "ComplaintFiled", "ComplaintVerified", "CoreEvent",
    "DateNotCoveredError", "Deduplicator", "DuplicateEventError", "Duration", "DurationError",
    "EfficiencyRulesError", "EvaluationSubmitted", "Event", "EventError", "EventRegistry",
    "EventTypeConflictError", "EventTypeDefinitionError", "InquiryAnswered", "InquiryEvent", "InquiryReceived",
    "InquiryReferred", "InterviewHeld", "NaiveDatetimeError", "RankingPublished", "SourceError", "SourceLocation",
    "TimeUnit", "UnknownEventTypeError", "RulesetNotFoundError", "UsageError", "OutputError", "YearArrangement", "YearFileError", "load_year_file", "parse_event",
    "read_events", "Citation", "Engine", "Explanation", "Fact", "Report", "Ruleset", "RulesetError", "RulesetIssue",
    "RulesetRef", "Session", "Subject", "Verdict", "load_ruleset", "load_rulesets",
    # case clocks and accountability
    "CaseState", "OrgStaffAssigned", "OrgUnitLeaders", "VerdictRevoked",
    # session snapshots
    "SnapshotError",
    # the shipped rulesets
    "ShippedRuleset", "shipped_rulesets",
    # per-thread state stores (efficiency_rules.stores)
    "StoreError", "StoreConflictError",
    # what-if comparison of two sets of rulesets
    "CaseChange", "Comparison", "RuleTally", "ScoreChange", "Tally", "VerdictChange", "compare",
]


def test_all_is_pinned() -> None:
    assert sorted(efficiency_rules.__all__) == sorted(PUBLIC)
    assert len(set(efficiency_rules.__all__)) == len(efficiency_rules.__all__)


def test_every_public_name_exists_and_is_documented() -> None:
    for name in efficiency_rules.__all__:
        value = getattr(efficiency_rules, name)
        if isinstance(value, type) or callable(value):
            assert (value.__doc__ or "").strip(), f"{name} has no docstring"


def test_every_error_descends_from_the_root_and_a_builtin() -> None:
    errors = [getattr(efficiency_rules, n) for n in efficiency_rules.__all__ if n.endswith("Error")]
    for error in errors:
        assert issubclass(error, efficiency_rules.EfficiencyRulesError), error
        builtins = (ValueError, LookupError, TypeError, RuntimeError, ImportError, OSError)
        assert error is efficiency_rules.EfficiencyRulesError or issubclass(error, builtins), error


def test_private_modules_stay_private() -> None:
    assert not any(name.startswith("_") for name in efficiency_rules.__all__)


def test_importing_the_package_does_not_import_the_engine() -> None:
    import subprocess
    import sys

    code = (
        "import sys, efficiency_rules, efficiency_rules.testing.pytest_plugin; "
        "print('efficiency_rules._engine' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
    assert efficiency_rules.Engine.__name__ == "Engine"  # and it is there when asked for
