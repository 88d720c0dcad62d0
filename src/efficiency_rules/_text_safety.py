"""Names a reader can trust: no invisible characters and no look-alike letters of another script.

A ruleset's names, ids and values (time-limit and verdict names, reference ids, matters…) reach
reports and verdicts. A BiDi control (U+202A–202E, U+2066–2069, U+200E/F) makes text show in
another order than it is stored (``"licence\\u202e"``); other invisible format characters (a
zero-width space, a soft hyphen…) make two names that look the same differ; a name that mixes
Latin with Cyrillic or Greek letters (a Cyrillic ``е`` in ``lеave``) looks like another name. Each is
refused, with the code point named. Free text (titles, messages, citations, descriptions) may mix
scripts and use format characters such as a zero-width joiner, but never a BiDi control.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from ._errors import echo
from ._yaml import YamlList, YamlMap

__all__ = ["FREE_TEXT_KEYS", "unsafe_text"]

#: Keys whose values are prose for people rather than names.
FREE_TEXT_KEYS = frozenset(("title", "message", "citation", "text", "description", "url", "zh", "en", "sanction", "grade"))
_BIDI_RE = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_LOOK_ALIKE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")

Position = tuple[int, int]


def _code_point(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, 'an unnamed character')}"


def problem(text: str, *, free: bool) -> str | None:
    """What is wrong with ``text`` as a name (``free``: as prose), or ``None``."""
    bidi = _BIDI_RE.search(text)
    if bidi is not None:
        return (f"{echo(text)} contains {_code_point(bidi.group())}, a control that shows text in another order than it "
                "is written: remove it")
    if free or text.isascii() and text.isprintable():
        return None  # prose may hold format characters; plain ASCII letters cannot look like another script
    if not text.isprintable():  # a format or control character, an unassigned one, a space other than ' '
        char = next(c for c in text if not c.isprintable())
        return f"{echo(text)} contains {_code_point(char)}, an invisible character: remove it"
    scripts: dict[str, str] = {}
    for char in text:
        if char.isalpha():
            script = unicodedata.name(char, "").split(" ")[0]
            if script in _LOOK_ALIKE_SCRIPTS:
                scripts.setdefault(script, char)
    if len(scripts) > 1:
        names = [s.capitalize() for s in _LOOK_ALIKE_SCRIPTS if s in scripts]
        odd = next(scripts[s] for s in _LOOK_ALIKE_SCRIPTS[1:] if s in scripts)
        return (f"{echo(text)} mixes {' and '.join(names)} letters, which look alike ({odd!r} is {_code_point(odd)}): "
                "write it in one script")
    return None


def unsafe_text(tree: Any, *, free: bool = False) -> Iterator[tuple[Position | None, str]]:
    """Each key and value of a YAML tree that is not safe to show: (its position, what is wrong)."""
    if isinstance(tree, YamlMap):
        for key, value in tree.items():
            if isinstance(key, str):
                found = problem(key, free=False)
                if found:
                    yield tree.key_positions.get(key), f"name {found}"
            inner = free or key in FREE_TEXT_KEYS
            if isinstance(value, str):
                found = problem(value, free=inner)
                if found:
                    yield tree.value_positions.get(key), found
            else:
                yield from unsafe_text(value, free=inner)
    elif isinstance(tree, YamlList):
        for i, item in enumerate(tree):
            if isinstance(item, str):
                found = problem(item, free=free)
                if found:
                    yield tree.item_positions[i], found
            else:
                yield from unsafe_text(item, free=free)
