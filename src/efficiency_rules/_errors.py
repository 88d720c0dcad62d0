"""Every error the library raises, rooted at one class.

The tree::

    EfficiencyRulesError
    ├── SourceError (ValueError)             a data file is malformed: path, line, column
    │   └── YearFileError                    a calendar year file is invalid
    ├── RulesetError (ValueError)            one or more problems in ruleset files: ``issues``, each path:line:col
    ├── EventError (ValueError)              an event failed validation: event id / line, field, value
    │   ├── UnknownEventTypeError            its ``type`` is not registered (lists known types, suggests one)
    │   ├── NaiveDatetimeError               a time without a UTC offset and no default timezone given
    │   └── DuplicateEventError              the same ``id`` twice with different content
    ├── EventTypeDefinitionError (TypeError)  a portal's event class cannot be registered as declared
    ├── EventTypeConflictError (ValueError)  an event type name registered twice
    ├── CalendarError (ValueError)
    │   └── DateNotCoveredError (LookupError) a date outside the years the calendar has data for
    ├── DurationError (ValueError)           an amount like ``2.5wd`` that cannot be read
    ├── ConditionError (ValueError)          a compiled condition is not in the neutral form of ``_match``
    ├── SnapshotError (ValueError)           a session snapshot that cannot be restored: where, what
    ├── BackendError (RuntimeError)          a matching backend failed: an action raised, a limit was hit
    └── BackendUnavailableError (ImportError) an optional backend cannot be loaded (says how to install it)

Each error also subclasses the matching built-in, so ``except ValueError`` keeps working for
callers who do not know this library. Messages say where, what, what was expected and, where
possible, what was probably meant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

#: How many characters of a bad value an error repeats; the rest is counted, not shown.
ECHO_LIMIT = 80

__all__ = [
    "ECHO_LIMIT",
    "BackendError",
    "BackendUnavailableError",
    "CalendarError",
    "ConditionError",
    "DateNotCoveredError",
    "DuplicateEventError",
    "DurationError",
    "EfficiencyRulesError",
    "EventError",
    "EventTypeConflictError",
    "EventTypeDefinitionError",
    "NaiveDatetimeError",
    "RulesetError",
    "RulesetIssue",
    "RulesetNotFoundError",
    "SnapshotError",
    "SourceError",
    "SourceLocation",
    "UnknownEventTypeError",
    "YearFileError",
]


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """A place in a data file; ``line`` and ``column`` count from 1."""

    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [self.path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


def echo(value: Any, limit: int = ECHO_LIMIT) -> str:
    """``repr(value)`` for an error message, at most ``limit`` characters of it and ``…(N more)``.

    The one place that bounds what an error repeats of a bad value: a name of ten megabytes is
    shown by its start, in constant time and memory.
    """
    if isinstance(value, str):
        if len(value) <= limit:
            return repr(value)
        return f"{value[:limit]!r}…({len(value) - limit} more)"
    if isinstance(value, (bytes, bytearray)) and len(value) > limit:
        return f"{bytes(value[:limit])!r}…({len(value) - limit} more)"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 4 * limit:
        return f"an integer of {int(math.log10(abs(value))) + 1} digits"
    if isinstance(value, (list, tuple, dict, set, frozenset)) and len(value) > limit:
        return f"a {type(value).__name__} of {len(value)} items"
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a value whose repr fails is named by its type
        return f"a {type(value).__name__}"
    return text if len(text) <= limit else f"{text[:limit]}…({len(text) - limit} more)"


class EfficiencyRulesError(Exception):
    """Root of every error raised by efficiency_rules."""

    def __reduce__(self) -> tuple[Any, ...]:
        # pickled as its class, message and attributes (not by calling ``__init__`` again, whose
        # arguments differ by class): an error raised in a worker process reaches its parent whole
        return _rebuilt, (type(self), self.args, dict(self.__dict__))


def _rebuilt(cls: type[EfficiencyRulesError], args: tuple[Any, ...], state: dict[str, Any]) -> EfficiencyRulesError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class SourceError(EfficiencyRulesError, ValueError):
    """A data file (ruleset, year file, scenario) is malformed; printed as ``path:line:col: message``."""

    def __init__(self, message: str, location: SourceLocation | None = None) -> None:
        self.message = message
        self.location = location
        super().__init__(f"{location}: {message}" if location else message)


@dataclass(frozen=True, slots=True)
class RulesetIssue:
    """One problem found in a ruleset file: where, in which rule (or section), and what."""

    location: SourceLocation
    message: str
    rule: str | None = None
    context: str | None = None  # e.g. "verdict 'late'" when the problem is not inside a rule

    def __str__(self) -> str:
        scope = f"rule {self.rule!r}: " if self.rule else (f"{self.context}: " if self.context else "")
        return f"{self.location}: {scope}{self.message}"


class RulesetError(EfficiencyRulesError, ValueError):
    """Ruleset files that cannot be used; ``issues`` lists every problem found, not just the first."""

    def __init__(self, issues: list[RulesetIssue]) -> None:
        self.issues = list(issues)
        count = len(self.issues)
        head = f"{count} problem{'s' if count != 1 else ''} in ruleset files:\n" if count > 1 else ""
        super().__init__(head + "\n".join(str(issue) for issue in self.issues))


class RulesetNotFoundError(RulesetError, LookupError):
    """A ruleset argument that names no file and no shipped ruleset (or is both): an error of use."""


class YearFileError(SourceError):
    """A calendar year file (holidays and make-up workdays of one year) is invalid."""


class EventError(EfficiencyRulesError, ValueError):
    """An event that cannot be accepted.

    Attributes name what a portal developer needs to find it: ``event_id`` (when the event had
    one), ``line`` (in a JSON Lines file), ``field`` (a dotted path), ``value`` and ``expected``.
    When pydantic found the problem, ``validation_error`` is pydantic's own ``ValidationError``
    (also chained as ``__cause__``) and ``errors()`` returns its details.
    """

    def __init__(
        self,
        message: str,
        *,
        event_id: str | None = None,
        line: int | None = None,
        source: str | None = None,
        field: str | None = None,
        value: Any = None,
        expected: str | None = None,
        validation_error: Exception | None = None,
    ) -> None:
        self.message = message
        self.event_id = event_id
        self.line = line
        self.source = source
        self.field = field
        self.value = value
        self.expected = expected
        self.validation_error = validation_error
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.source is not None or self.line is not None:
            where.append(f"{self.source or '<events>'}:{self.line}" if self.line else f"{self.source}")
        if self.event_id is not None:
            where.append(f"event {echo(self.event_id)}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message

    def errors(self) -> list[dict[str, Any]]:
        """Pydantic's error details when pydantic found the problem, else an empty list."""
        errors = getattr(self.validation_error, "errors", None)
        return list(errors()) if callable(errors) else []

    def at_line(self, line: int, source: str | None = None) -> EventError:
        """This error placed at a line of a file (used by the JSON Lines reader)."""
        self.line = line
        self.source = source
        self.args = (self._render(),)
        return self


class UnknownEventTypeError(EventError, LookupError):
    """An event whose ``type`` is not registered; ``known`` lists the registered types."""

    def __init__(self, message: str, *, known: list[str], suggestion: str | None, **kw: Any) -> None:
        self.known = known
        self.suggestion = suggestion
        super().__init__(message, **kw)


class NaiveDatetimeError(EventError):
    """A time without a UTC offset, and no default timezone was given."""


class DuplicateEventError(EventError):
    """The same event ``id`` twice with different content; ``first`` and ``second`` are both events."""

    def __init__(self, message: str, *, first: Any, second: Any, **kw: Any) -> None:
        self.first = first
        self.second = second
        super().__init__(message, **kw)


class EventTypeDefinitionError(EfficiencyRulesError, TypeError):
    """A portal's own event class is not declared the way the registry needs (says how to fix it)."""


class EventTypeConflictError(EfficiencyRulesError, ValueError):
    """An event type name is already registered in this registry."""


class CalendarError(EfficiencyRulesError, ValueError):
    """Working-time arithmetic that cannot be done."""


class DateNotCoveredError(CalendarError, LookupError):
    """A date outside the years the calendar has holiday data for.

    The calendar fails closed: it never guesses whether a day in an unpublished year is a
    working day. ``date`` is the date asked for, ``covered`` the (first, last) years loaded.
    """

    def __init__(self, message: str, *, date: Any, covered: tuple[int, int]) -> None:
        self.date = date
        self.covered = covered
        self.message = message
        self.event_id: str | None = None  # the event being judged when the date was asked for, if any
        self.line: int | None = None
        self.source: str | None = None
        super().__init__(message)

    def for_event(self, event_id: str | None = None, *, line: int | None = None, source: str | None = None) -> DateNotCoveredError:
        """This error placed at the event being judged (and at its line of a file), when not placed yet."""
        if self.event_id is None and event_id is not None:
            self.event_id = event_id
        if self.line is None and line is not None:
            self.line, self.source = line, source
        where = []
        if self.line is not None:
            where.append(f"{self.source or '<events>'}:{self.line}")
        if self.event_id is not None:
            where.append(f"event {echo(self.event_id)}")
        self.args = (f"{', '.join(where)}: {self.message}" if where else self.message,)
        return self


class DurationError(EfficiencyRulesError, ValueError):
    """An amount of time (``20wd``, ``10d``, ``24h``, ``2.5wd``…) that cannot be read."""


class ConditionError(EfficiencyRulesError, ValueError):
    """A compiled condition that is not in the neutral form (``_match``); names the rule and the part."""


class SnapshotError(EfficiencyRulesError, ValueError):
    """A session snapshot that cannot be restored: malformed, changed since it was taken, signed
    with another key, or taken with other ruleset versions.

    The message says what is wrong and where; ``path`` is that place in the snapshot's state
    (``threads[3].versions[0]``), or ``None`` when it is the snapshot as a whole.
    """

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.path = path
        super().__init__(message)


class UsageError(EfficiencyRulesError, ValueError):
    """An argument the library does not take: an unknown backend, a tolerance below zero…"""


class OutputError(EfficiencyRulesError, OSError):
    """A report could not be written where it was asked to go: a missing or read-only directory, a full disk…"""


class BackendError(EfficiencyRulesError, RuntimeError):
    """A matching backend failed while compiling or matching (an action raised, a limit was hit).

    The original exception, when there is one, is chained as ``__cause__``.
    """


class BackendUnavailableError(EfficiencyRulesError, ImportError):
    """An optional backend cannot be loaded here; the message says why and how to install it."""


class StoreError(EfficiencyRulesError, RuntimeError):
    """A state store that cannot be used as asked: a stored thread state changed or signed with
    another key, a schema written by a newer version, a database that refuses the store's tables.

    The message names the table and row, says what is wrong and what to do.
    """


class StoreConflictError(StoreError):
    """A thread's row kept changing under a write: other writers saved it (or stored the same
    event id) each time this one tried, more times than the store retries.

    Nothing was lost: the event was not stored, and adding it again judges it against the state
    then stored.
    """
