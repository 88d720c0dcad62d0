""""Did you mean …?" suggestions for misspelt names (event types, fields, units)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["SUGGEST_LIMIT", "did_you_mean", "suggest"]

#: Words longer than this get no suggestion: comparing them would cost time for nothing.
SUGGEST_LIMIT = 200


def suggest(word: str, candidates: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The candidate closest to ``word``, or ``None`` when nothing is close enough.

    Case and the separators ``.``/``_``/``-`` are ignored when comparing, so ``Case.Accepted``
    and ``case_accepted`` both find ``case.accepted``.
    """
    pool = list(candidates)
    if not pool or len(word) > SUGGEST_LIMIT:
        return None  # nothing to suggest from; or a word far longer than any name, not a misspelling of one

    def norm(s: str) -> str:
        return s.lower().replace("_", ".").replace("-", ".")

    by_norm: dict[str, str] = {}
    for c in pool:
        by_norm.setdefault(norm(c), c)
    key = norm(word)
    if key in by_norm:
        return by_norm[key]
    match = difflib.get_close_matches(key, list(by_norm), n=1, cutoff=cutoff)
    if match:
        return by_norm[match[0]]
    # Abbreviations: "wdays" for "wd", "hours" for "h" — the longest name the word starts with.
    prefixes = [c for c in by_norm if key.startswith(c)]
    if prefixes:
        return by_norm[max(prefixes, key=len)]
    # A qualified name: "calendar_month" for "month" — the longest name it ends with, as a word.
    suffixes = [c for c in by_norm if key.endswith("." + c)]
    return by_norm[max(suffixes, key=len)] if suffixes else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`` — did you mean 'x'?`` or an empty string; ready to append to a message."""
    best = suggest(word, candidates)
    return f" — did you mean {best!r}?" if best is not None else ""
