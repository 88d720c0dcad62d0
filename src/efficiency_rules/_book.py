"""The policy book: a ruleset written out clause by clause, for the people who sign a policy off.

For each clause in ``references``: its citation and text, then the time limits, rules and
accountability entries whose verdicts cite it, in words, with the points and sanctions of those
verdicts, and the scenarios (from the scenario file beside the ruleset) that exercise them, with
what they give and what they expect. Clauses cited by nothing and entries citing nothing are listed
as such. Markdown; the text is Chinese by default, English with ``language="en"``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from ._prose import Entry, date_text, entries, event_name, localized, verdict_text
from ._ruleset import Ruleset

__all__ = ["book_html", "book_markdown"]

Language = Literal["zh", "en"]
# A line break folded into a space between Chinese characters or punctuation is no space in Chinese.
_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_CJK_GAP = re.compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")
_SECTION = {"time_limit": ("时限", "Time limit"), "rule": ("规则", "Rule"), "accountability": ("问责", "Accountability")}
_STATUS = {
    "running": ("计时中", "running"), "warning": ("预警", "warning"), "overdue": ("超期", "overdue"),
    "paused": ("暂停", "paused"), "completed_on_time": ("按时办结", "completed on time"),
    "completed_late": ("超期办结", "completed late"), "withdrawn": ("撤回", "withdrawn"), "rejected": ("不予受理", "rejected"),
    "not_started": ("未起算", "not started"),
}


def _moment(value: Any, language: Language) -> str:
    """``2024年9月27日09:30`` / ``27 September 2024 09:30`` (local time as written)."""
    if isinstance(value, str):
        text = value
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            return text
    if isinstance(value, dt.datetime):
        return f"{date_text(value.date(), language)}{'' if language == 'zh' else ' '}{value:%H:%M}"
    if isinstance(value, dt.date):
        return date_text(value, language)
    return str(value)


def _cites(ruleset: Ruleset, entry: Entry) -> list[str]:
    verdicts = ruleset.spec.verdicts
    return list(dict.fromkeys(c for v in entry.verdicts if v in verdicts for c in verdicts[v].cites))


def _scenario_file(ruleset: Ruleset) -> Path | None:
    path = Path(ruleset.path)
    for suffix in (".test.yaml", ".test.yml"):
        candidate = path.with_name(path.stem + suffix)
        if candidate.is_file():
            return candidate
    return None


def _citing(ruleset: Ruleset, entry: Entry, clause: str) -> tuple[str, ...]:
    """The verdicts of ``entry`` that cite ``clause``."""
    verdicts = ruleset.spec.verdicts
    return tuple(v for v in entry.verdicts if v in verdicts and clause in verdicts[v].cites)


def _exercises(scenario: Any, entry: Entry, verdicts: tuple[str, ...], ruleset: Ruleset) -> bool:
    """Whether ``scenario`` expects one of these verdicts of ``entry`` — or, for the verdict of a time limit's
    own deadline, expects a state of its clock."""
    rules = {f"{entry.id}.{v}" for v in verdicts} if entry.section == "time_limit" else {entry.id}

    def ours(item: Mapping[str, Any]) -> bool:
        return item.get("ruleset") in (None, ruleset.id)

    if any(ours(v) and v.get("rule") in rules for v in scenario.expected):
        return True
    if entry.section != "time_limit":
        return False
    overdue = {o.verdict for o in ruleset.spec.time_limits[entry.id].overdue}
    return bool(overdue & set(verdicts)) and any(ours(c) and c.get("time_limit") == entry.id for c in scenario.cases)


def _given(ruleset: Ruleset, events: Iterable[Any], language: Language) -> str:
    parts = []
    for event in events:
        if not isinstance(event, Mapping):
            continue
        name = event_name(ruleset, str(event.get("type", "")), language)
        parts.append(f"{event.get('id', '')} {name} {_moment(event.get('at'), language)}".strip())
    return ("；" if language == "zh" else "; ").join(parts) or ("无事件" if language == "zh" else "no events")


def _expected(scenario: Any, language: Language) -> str:
    zh = language == "zh"
    parts = []
    for verdict in scenario.expected:
        text = str(verdict.get("rule", "?"))
        if "at" in verdict:
            text += f" {_moment(verdict['at'], language)}"
        points = verdict.get("points")
        if isinstance(points, (int, float)) and points:
            amount = format(abs(points), "g")
            text += (f"（{'扣' if points < 0 else '加'}{amount}分）" if zh
                     else f" ({'-' if points < 0 else '+'}{amount} point{'s' if abs(points) != 1 else ''})")
        parts.append(text)
    if not scenario.expected:
        parts.append("无结论" if zh else "no verdict")
    for case in scenario.cases:
        text = str(case.get("time_limit") or case.get("thread") or "")
        if "status" in case:
            status = _STATUS.get(str(case["status"]), (str(case["status"]),) * 2)
            text += f" {status[0] if zh else status[1]}"
        if case.get("deadline") is not None:
            text += f"，期限{_moment(case['deadline'], language)}" if zh else f", due {_moment(case['deadline'], language)}"
        parts.append(text.strip())
    return ("；" if zh else "; ").join(parts)


def _entry_lines(ruleset: Ruleset, entry: Entry, verdicts: tuple[str, ...], language: Language) -> list[str]:
    zh = language == "zh"
    kind = _SECTION[entry.section][0 if zh else 1]
    title = f"「{entry.title}」" if zh else f" “{entry.title}”"
    head = f"- {kind} `{entry.id}`" + (title if entry.title != entry.id else "") + f"：{entry.text}" if zh else \
        f"- {kind} `{entry.id}`" + (title if entry.title != entry.id else "") + f": {entry.text}"
    lines = [head]
    specs = ruleset.spec.verdicts
    for name in verdicts:
        if name in specs:
            lines.append(f"  - {'结论' if zh else 'verdict'} {verdict_text(name, specs[name], language)}")
    return lines


def _ruleset_book(ruleset: Ruleset, language: Language) -> list[str]:
    zh = language == "zh"
    spec = ruleset.spec
    described = list(entries(ruleset, language))
    scenario_path = _scenario_file(ruleset)
    scenarios: list[Any] = []
    if scenario_path is not None:
        from .testing._scenarios import load_scenario_file

        scenarios = load_scenario_file(scenario_path).scenarios
    start, end = spec.effective.from_, spec.effective.to
    if zh:
        in_force = f"{date_text(start, 'zh')}至{date_text(end, 'zh')}施行" if end else f"自{date_text(start, 'zh')}起施行"
    else:
        in_force = f"in force {date_text(start, 'en')} to {date_text(end, 'en')}" if end else f"in force from {date_text(start, 'en')}"
    lines = [f"## {ruleset.id}@{ruleset.version} {localized(spec.title, language)}", "", in_force + ("。" if zh else ".")]
    covers = localized(spec.covers, language)
    if covers:
        lines += ["", covers + ("。" if zh else ".")]
    cited_by: dict[str, list[Entry]] = {name: [] for name in spec.references}
    uncited: list[Entry] = []
    for entry in described:
        clauses = [c for c in _cites(ruleset, entry) if c in cited_by]
        for clause in clauses:
            cited_by[clause].append(entry)
        if not clauses:
            uncited.append(entry)
    for clause, reference in spec.references.items():
        lines += ["", f"### {reference.citation}", "", f"条款 `{clause}`" if zh else f"Clause `{clause}`"]
        if reference.text:
            lines += ["", "> " + _CJK_GAP.sub("", reference.text.strip()).replace("\n", "\n> ")]
        citing = cited_by[clause]
        if not citing:
            lines += ["", "本条款未被任何规定引用。" if zh else "Nothing in the ruleset cites this clause."]
            continue
        lines += ["", "**执行本条款的规定**" if zh else "**What enforces it**", ""]
        for entry in citing:
            lines += _entry_lines(ruleset, entry, _citing(ruleset, entry, clause), language)
        exercising = [s for s in scenarios if any(_exercises(s, e, _citing(ruleset, e, clause), ruleset) for e in citing)]
        lines += [""]
        if not exercising:
            lines += ["没有情景测试涉及本条款。" if zh else "No scenario exercises it."]
            continue
        lines += ["**情景测试**" if zh else "**Scenarios**", ""]
        for scenario in exercising:
            where = f"{Path(scenario.location.path).name}:{scenario.location.line}"
            given = _given(ruleset, scenario.given, language)
            expected = _expected(scenario, language)
            lines.append(f"- {scenario.name}（{where}）：给定 {given}；截至{_moment(scenario.as_of, language)}，预期 {expected}。" if zh
                         else f"- {scenario.name} ({where}): given {given}; as of {_moment(scenario.as_of, language)}, expected {expected}.")
    lines += ["", "### 未引用任何条款的规定" if zh else "### Entries citing no clause", ""]
    if uncited:
        for entry in uncited:
            lines += _entry_lines(ruleset, entry, entry.verdicts, language)
    else:
        lines.append("无。" if zh else "None.")
    return lines


def book_markdown(rulesets: Iterable[Ruleset], *, language: Language = "zh") -> str:
    """The policy book of ``rulesets`` as one Markdown document."""
    lines = ["# 政策手册" if language == "zh" else "# Policy book"]
    for ruleset in rulesets:
        lines += [""] + _ruleset_book(ruleset, language)
    return "\n".join(lines) + "\n"


def book_html(rulesets: Iterable[Ruleset], *, language: Language = "zh") -> str:
    """The policy book of ``rulesets`` as one self-contained HTML page: the content of :func:`book_markdown`,
    in the style of the HTML report (nothing loaded from a network; every text from the rulesets escaped)."""
    from ._html import book_html as page

    return page(book_markdown(rulesets, language=language), language=language)
