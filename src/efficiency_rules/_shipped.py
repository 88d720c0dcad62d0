"""Rulesets shipped with the package: found by id (and version) wherever a path is accepted, and listed.

The shipped rulesets are the package ``efficiency_rules.rulesets`` (the repository's ``rulesets/``
directory, installed as package data), each ruleset file with its scenario file beside it. An
argument names them by the ``id`` the file declares (``cn.xzxk``), optionally pinned to a version
(``cn.xzxk@2019``); without a pin, every shipped version of that id is meant, and the engine
judges each event with the version in force on its date.

What an argument means:

* a :class:`~pathlib.Path` is always a path;
* text with a path separator, or ending in ``.yaml`` / ``.yml``, is a path;
* other text that could be an id (``cn.xzxk``, ``cn.xzxk@2019``) is the shipped ruleset of that id —
  unless a file or directory of that name exists here too: then it is refused as ambiguous, and the
  message says how to choose (``./cn.xzxk`` for the file, ``cn.xzxk@2019`` for the shipped ruleset);
* an id nothing ships is an error that names the closest shipped ids.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._errors import (
    RulesetError,
    RulesetIssue,
    RulesetNotFoundError,
    SourceError,
    SourceLocation,
)
from ._yaml import YamlMap, load_yaml

__all__ = ["ShippedRuleset", "build_on", "find_shipped", "looks_like_path", "resolve_ruleset_argument", "shipped_root", "shipped_rulesets"]

SHIPPED_PACKAGE = "efficiency_rules.rulesets"
SCENARIO_SUFFIXES = (".test.yaml", ".test.yml")
# What an id argument looks like: a ruleset id (as the schema allows it) and an optional @version.
_ID_ARGUMENT = re.compile(r"^(?P<id>[a-z0-9][a-z0-9._-]*)(?:@(?P<version>[^\s/\\@]+))?$")


@dataclass(frozen=True)
class ShippedRuleset:
    """One shipped ruleset version: its id, version, dates, titles, what it covers, and its files."""

    id: str
    version: str
    effective_from: dt.date
    effective_to: dt.date | None
    title_zh: str
    title_en: str | None
    covers_zh: str | None
    covers_en: str | None
    path: Path
    scenarios: Path | None
    citations: tuple[str, ...] = ()  # of the clauses in its references

    @property
    def ref(self) -> str:
        """``id@version``: how to name exactly this version."""
        return f"{self.id}@{self.version}"

    def to_dict(self) -> dict[str, Any]:
        """The listing's JSON form."""
        return {
            "id": self.id,
            "version": self.version,
            "effective": {"from": self.effective_from.isoformat(),
                          "to": self.effective_to.isoformat() if self.effective_to else None},
            "title": {"zh": self.title_zh, "en": self.title_en},
            "covers": {"zh": self.covers_zh, "en": self.covers_en},
            "path": str(self.path),
            "scenarios": str(self.scenarios) if self.scenarios else None,
        }


def shipped_root() -> Path | None:
    """The directory of the shipped rulesets, or ``None`` when the package carries none."""
    from importlib.util import find_spec

    try:
        spec = find_spec(SHIPPED_PACKAGE)
    except ImportError:
        return None
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    return Path(locations[0]) if locations else None


def shipped_rulesets() -> tuple[ShippedRuleset, ...]:
    """Every shipped ruleset version, by id then effective date."""
    root = shipped_root()
    return _scan(str(root)) if root is not None else ()


@functools.cache
def _scan(root: str) -> tuple[ShippedRuleset, ...]:
    found: list[ShippedRuleset] = []
    for path in sorted(Path(root).rglob("*.y*ml")):
        if path.suffix not in (".yaml", ".yml") or path.name.endswith(SCENARIO_SUFFIXES):
            continue
        entry = _header(path)
        if entry is not None:
            found.append(entry)
    return tuple(sorted(found, key=lambda r: (r.id, r.effective_from, r.version)))


def _text(value: Any) -> tuple[str | None, str | None]:
    if isinstance(value, str):
        return value, None
    if isinstance(value, dict):
        zh, en = value.get("zh"), value.get("en")
        return (zh if isinstance(zh, str) else None), (en if isinstance(en, str) else None)
    return None, None


def _header(path: Path) -> ShippedRuleset | None:
    """The listing fields of a ruleset file, read without checking the whole file (loading checks it)."""
    try:
        raw = load_yaml(path)
    except SourceError:
        return None
    if not isinstance(raw, YamlMap) or not isinstance(raw.get("id"), str):
        return None
    effective = raw.get("effective")
    start = effective.get("from") if isinstance(effective, dict) else None
    end = effective.get("to") if isinstance(effective, dict) else None
    title_zh, title_en = _text(raw.get("title"))
    covers_zh, covers_en = _text(raw.get("covers"))
    references = raw.get("references")
    citations = tuple(
        str(ref["citation"]) for ref in (references.values() if isinstance(references, dict) else [])
        if isinstance(ref, dict) and isinstance(ref.get("citation"), str)
    )
    scenarios = next((s for s in (path.with_name(path.stem + suffix) for suffix in SCENARIO_SUFFIXES) if s.is_file()), None)
    return ShippedRuleset(
        id=raw["id"],
        version=str(raw.get("version", "")),
        effective_from=start if isinstance(start, dt.date) else dt.date.min,
        effective_to=end if isinstance(end, dt.date) else None,
        title_zh=title_zh or raw["id"],
        title_en=title_en,
        covers_zh=covers_zh,
        covers_en=covers_en,
        path=path,
        scenarios=scenarios,
        citations=citations,
    )


def find_shipped(text: str, *, or_path: bool = False) -> list[ShippedRuleset]:
    """The shipped versions ``text`` names (``id`` or ``id@version``); :class:`RulesetError` when none."""
    match = _ID_ARGUMENT.match(text)
    if match is None:
        raise RulesetNotFoundError([RulesetIssue(SourceLocation(text), "is not a ruleset id (like cn.xzxk or cn.xzxk@2019)")])
    shipped = shipped_rulesets()
    versions = [r for r in shipped if r.id == match["id"]]
    if not versions:
        raise RulesetNotFoundError([RulesetIssue(SourceLocation(text), _unknown(match["id"], shipped, or_path=or_path))])
    wanted = match["version"]
    if wanted is None:
        return versions
    chosen = [r for r in versions if r.version == wanted]
    if not chosen:
        have = ", ".join(r.ref for r in versions)
        raise RulesetNotFoundError([RulesetIssue(
            SourceLocation(text), f"the shipped ruleset {match['id']} has no version {wanted!r}; it ships {have}"
        )])
    return chosen


def _unknown(wanted: str, shipped: Iterable[ShippedRuleset], *, or_path: bool) -> str:
    ids = sorted({r.id for r in shipped})
    close = difflib.get_close_matches(wanted, ids, n=3, cutoff=0.6)
    # A part of the id alone ("xzxk") finds the ids it is a part of.
    close += [i for i in ids if wanted in i.split(".") + i.split("-") and i not in close]
    hint = f"; did you mean {' or '.join(close[:3])}?" if close else ""
    head = "no such file or directory, and no" if or_path else "no"
    return f"{head} shipped ruleset has the id {wanted!r}{hint} (efficiency-rules rulesets lists the shipped ones)"


def looks_like_path(text: str) -> bool:
    """Whether ``text`` can only be a path: it has a separator, a YAML suffix, or could be no id."""
    return "/" in text or "\\" in text or text.endswith((".yaml", ".yml")) or _ID_ARGUMENT.match(text) is None


def resolve_ruleset_argument(entry: str | Path, *, scenarios: bool = False) -> list[Path]:
    """The files an argument names: a path as given, or a shipped id's ruleset (or scenario) files.

    Raises :class:`RulesetError` for an id nothing ships and for a name that is both a path here and
    a shipped id. With ``scenarios``, an id names the scenario files of its shipped versions.
    """
    if isinstance(entry, Path) or looks_like_path(entry):
        return [Path(entry)]
    here = Path(entry).exists()
    try:
        versions = find_shipped(entry, or_path=True)
    except RulesetError:
        if here:
            return [Path(entry)]
        raise
    if here:
        choose = (f"write ./{entry} for the path, or {versions[-1].ref} for the shipped ruleset" if "@" not in entry
                  else f"write ./{entry} for the path, or rename it to use the shipped ruleset")
        raise RulesetNotFoundError([RulesetIssue(SourceLocation(entry), f"is both a path here and a shipped ruleset's id: {choose}")])
    if not scenarios:
        return [r.path for r in versions]
    return [r.scenarios for r in versions if r.scenarios is not None]


_DOCUMENT = re.compile(r"《([^》]+)》")
_ARTICLE = re.compile(r"第[一二三四五六七八九十百零〇0-9]+条")


def _articles(citation: str) -> set[tuple[str, str]]:
    """The (document, article) pairs a citation names: ``《行政许可法》第四十二条第一款`` → {(行政许可法, 第四十二条)}."""
    document = _DOCUMENT.search(citation)
    if document is None:
        return set()
    return {(document.group(1), article) for article in _ARTICLE.findall(citation[document.end():])}


def build_on(citations: Mapping[str, str], *, own_id: str) -> dict[str, list[str]]:
    """For each reference (name → citation) of a ruleset that re-declares a clause a shipped ruleset encodes,
    the ids of the shipped rulesets to build on instead, the most specific first.

    A shipped ruleset encodes a clause when one of its references cites the same article of the same
    document; those whose references come most from that document are named (at most two). Nothing
    is suggested for a ruleset that is itself shipped.
    """
    shipped = shipped_rulesets()
    if any(r.id == own_id for r in shipped):
        return {}
    found: dict[str, list[str]] = {}
    for name, citation in citations.items():
        wanted = _articles(citation)
        if not wanted:
            continue
        scored: list[tuple[float, str]] = []
        for candidate in shipped:
            cited = [_articles(c) for c in candidate.citations]
            if not any(wanted & pairs for pairs in cited):
                continue
            documents = {document for document, _ in wanted}
            share = sum(any(d in documents for d, _ in pairs) for pairs in cited) / len(cited)
            scored.append((-share, candidate.id))
        if scored:
            found[name] = list(dict.fromkeys(i for _, i in sorted(scored)))[:2]
    return found
