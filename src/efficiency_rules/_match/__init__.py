"""Condition matching: the one seam between the engine and its backends.

The engine (``_engine``) keeps all state — threads, counts, clocks, deadlines — and turns each
event (or a deadline passing) into a *fact*: a flat dict of JSON scalars. A backend only answers
"which rules' conditions does this fact satisfy?". Both backends receive the same compiled
conditions, in the neutral form defined here, so their answers can be compared fact by fact.

Condition forms (tuples, so they are hashable and cheap to compare):

    ("all", (c1, c2, ...))        every condition holds (an empty ``all`` holds)
    ("any", (c1, c2, ...))        at least one holds
    ("not", c)                    c does not hold
    ("cmp", op, key, value)       fact[key] <op> value, op one of == != < <= > >=;
                                  false when the key is absent or None
    ("in", key, (v1, v2, ...))    fact[key] is one of the values; false when absent or None
    ("exists", key)               the key is present and not None
    ("missing", key)              the key is absent or None

Values are str, int, float or bool; a comparison between a number and a string is false,
never an error. Keys are flat strings such as ``"type"``, ``"f.outcome"`` or ``"count.case.supplement_requested"``.

A compiled rule for matching is ``MatchRule(rule_id, trigger, condition)``: it applies only to
facts whose ``"type"`` equals ``trigger``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["Condition", "MatchRule", "Matcher"]

Condition = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class MatchRule:
    """A rule as a backend sees it: an id, the fact type that triggers it, and its condition."""

    rule_id: str
    trigger: str
    condition: Condition


class Matcher(Protocol):
    """A backend: built once for a ruleset's rules, then asked about the facts of one thread at a time."""

    def match(self, thread: str, facts: Sequence[dict[str, Any]]) -> list[list[str]]:
        """For each fact (in order), the ids of the rules it satisfies, in the order the rules were given.

        ``thread`` names the case or inquiry the facts belong to; a backend may keep state per
        thread during the call but must keep none after it returns.
        """
        ...

    def close(self) -> None:
        """Release what the backend holds (threads, native memory); the matcher is unusable after."""
        ...
