"""A report as one self-contained HTML page, and the policy book as HTML.

The page needs nothing but itself: its style, its drawings (SVG) and a few lines of script are
inline; it loads nothing from a network, so it opens the same on a government intranet. Everything
that comes from events or rulesets (ids, messages, clause texts) is escaped: it shows as text.

Per unit: the lights of its open case clocks, its cards, its verdicts by kind, its score and rank
per period. Then each verdict, linked to its explanation (the facts, and for a case the text
``explain`` prints) and to the clauses it enforces; then, for the cases that have verdicts or are
still open, a timeline drawn on a calendar strip that shows days off and make-up workdays.

The lights (docs/accountability.md, "The HTML report"):

- red: the clock is overdue;
- yellow: the ruleset's warning has been given (status ``warning``) or at least ``yellow_at``
  (80 % by default) of the limit in force has been used;
- green: any other open clock (running, or paused with less used);
- grey: a clock that has not started (a case received and not yet accepted).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any, Literal

from . import _text as text
from ._errors import EfficiencyRulesError, UsageError

if TYPE_CHECKING:
    from ._calendar import Calendar
    from ._clocks import ClockRun
    from ._engine import Engine
    from ._events import Event
    from ._verdicts import CaseState, Report, Score, Verdict

__all__ = ["OPEN_STATUSES", "book_html", "light", "report_html"]

Language = Literal["zh", "en"]
OPEN_STATUSES = frozenset(("running", "warning", "overdue", "paused", "not_started"))
_KINDS = ("violation", "warning", "alarm", "sanction", "compliance")
_LIGHTS = ("red", "yellow", "green", "grey")
_LIGHT_WORDS = {"red": ("红灯", "red"), "yellow": ("黄灯", "yellow"), "green": ("绿灯", "green"), "grey": ("未起算", "not started")}
_NO_UNIT = ""


def light(case: CaseState, *, yellow_at: float = 0.8) -> str | None:
    """The light of an open case clock: ``red``, ``yellow``, ``green`` or ``grey`` (not started);
    ``None`` for a clock that has stopped (completed, withdrawn, rejected)."""
    if case.status not in OPEN_STATUSES:
        return None
    if case.status == "not_started":
        return "grey"
    if case.status == "overdue":
        return "red"
    if case.status == "warning":
        return "yellow"
    in_force = case.elapsed_seconds + case.remaining_seconds
    if in_force > 0 and case.elapsed_seconds >= yellow_at * in_force:
        return "yellow"
    return "green"


def _w(zh: str, en: str, language: Language) -> str:
    return zh if language == "zh" else en


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _anchor(prefix: str, *parts: str) -> str:
    """An element id from any text: a digest, so that nothing an event says can break out of the attribute."""
    return prefix + "-" + hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def _num(value: float) -> str:
    return f"{value:g}"


_CSS = """
:root{--red:#c62828;--yellow:#f9a825;--green:#2e7d32;--grey:#9e9e9e;--ink:#1f2328;--muted:#57606a;--line:#d0d7de}
*{box-sizing:border-box}
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",system-ui,sans-serif;
color:var(--ink);margin:0;padding:0 24px 48px;line-height:1.5;background:#fff;font-size:14px}
header{border-bottom:3px solid #8b1a1a;padding:16px 0 8px;margin-bottom:16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-left:4px solid #8b1a1a;padding-left:8px}
h3{font-size:15px;margin:16px 0 6px}h4{font-size:14px;margin:12px 0 4px;color:var(--muted)}
.meta{color:var(--muted);margin:2px 0}
table{border-collapse:collapse;margin:6px 0 10px}
th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600;white-space:nowrap}
#verdicts table{width:100%}#verdicts td:nth-child(-n+4){white-space:nowrap}#verdicts ul{margin:2px 0;padding-left:16px}td.n{text-align:right;font-variant-numeric:tabular-nums}
.units{display:grid;grid-template-columns:repeat(auto-fill,minmax(430px,1fr));gap:12px;margin:12px 0}
.unit{border:1px solid var(--line);border-radius:6px;padding:4px 14px 10px}
.unit>h2{margin-top:12px}
.lights{display:flex;flex-wrap:wrap;gap:4px;margin:6px 0}
.light{display:inline-flex;align-items:center;gap:4px;border:1px solid var(--line);border-radius:12px;padding:1px 8px 1px 4px;
font-size:12px;text-decoration:none;color:var(--ink)}
.dot{display:inline-block;width:12px;height:12px;border-radius:50%;background:var(--grey)}
.red .dot,.dot.red{background:var(--red)}.yellow .dot,.dot.yellow{background:var(--yellow)}
.green .dot,.dot.green{background:var(--green)}.grey .dot,.dot.grey{background:var(--grey)}
.tally{display:flex;gap:16px;margin:4px 0}.tally span{display:inline-flex;align-items:center;gap:4px}
.card-yellow{background:#fff3c4}.card-red{background:#ffd6d6}
.note{background:#fff8e1;border:1px solid #f0d98c;padding:6px 10px;border-radius:4px}
.empty{color:var(--muted)}
pre{background:#f6f8fa;border:1px solid var(--line);padding:8px;white-space:pre-wrap;font-size:12.5px;
font-family:"Noto Sans Mono CJK SC","Sarasa Mono SC",ui-monospace,monospace}
.case{border-top:1px solid var(--line);padding-top:6px}
.strip{display:block;margin:6px 0;overflow:visible}
.strip .work{fill:#fff;stroke:#d0d7de}.strip .off{fill:#e6e6e6;stroke:#d0d7de}
.strip .holiday{fill:#f4c7c3;stroke:#d0d7de}.strip .makeup{fill:#c6dbf7;stroke:#d0d7de}
.strip .run{fill:#8fbf8f}.strip .late{fill:#e57373}.strip .pause{fill:#b0b0b0}
.strip .mark{stroke:#1f2328;stroke-width:1.5}.strip .deadline{stroke:var(--red);stroke-width:2.5}
.strip .asof{stroke:#1565c0;stroke-width:1.5;stroke-dasharray:4 3}
.strip .extension{stroke:#6a1b9a;stroke-width:2}
.strip text{font-size:10px;fill:var(--muted)}
.legend{display:flex;flex-wrap:wrap;gap:14px;font-size:12px;color:var(--muted);margin:6px 0}
.legend i{display:inline-block;width:14px;height:10px;border:1px solid #d0d7de;vertical-align:middle;margin-right:4px}
details>summary{cursor:pointer;color:#0b57a3}
:target{outline:2px solid #1565c0;outline-offset:2px}
blockquote{margin:6px 0;padding:4px 12px;border-left:4px solid var(--line);color:#3a3a3a;background:#fafafa}
code{background:#f0f0f0;padding:0 3px;border-radius:3px}
a{color:#0b57a3}
body.book{max-width:1100px;margin:0 auto}
.contents ul{list-style:none;padding-left:0}.contents .toc3{padding-left:1.5em}.contents .toc4{padding-left:3em}
"""

_SCRIPT = """
(function(){function openTarget(){var id=location.hash.slice(1);if(!id)return;var el=document.getElementById(id);
while(el){if(el.tagName==="DETAILS")el.open=true;el=el.parentElement;}}
window.addEventListener("hashchange",openTarget);openTarget();})();
"""


def _page(title: str, body: list[str], language: Language, attributes: str = "") -> str:
    lang = "zh-CN" if language == "zh" else "en"
    return "".join([
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        ("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
         "script-src 'unsafe-inline'; img-src data:\">"),
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>\n<body{attributes}>\n",
        "\n".join(body),
        f"\n<script>{_SCRIPT}</script>\n</body></html>\n",
    ])


@dataclass
class _Timeline:
    thread: str
    runs: list[tuple[Calendar, ClockRun]]
    explain: str


def report_html(
    report: Report,
    *,
    language: Language = "zh",
    engine: Engine | None = None,
    events: Iterable[Event | Mapping[str, Any] | str] | None = None,
    max_timelines: int = 200,
    max_verdicts: int = 5000,
    yellow_at: float = 0.8,
) -> str:
    """The page of :meth:`Report.to_html`."""
    if language not in ("zh", "en"):
        raise UsageError(f"language {language!r}: expected 'zh' or 'en'")
    if (engine is None) != (events is None):
        raise UsageError("timelines need both the engine that made the report and its events: pass engine= and events= "
                         "together (or neither, for a page without timelines)")
    if max_timelines < 0 or max_verdicts < 0:
        raise UsageError("max_timelines and max_verdicts count what is drawn: give 0 or more")
    if not 0 < yellow_at <= 1:
        raise UsageError(f"yellow_at {yellow_at!r}: expected a share of the limit in force, more than 0 and at most 1 (e.g. 0.8)")
    lang = language
    zh = lang == "zh"
    verdicts = _cause_order(report)
    case_units: dict[str, str] = {}
    for v in verdicts:
        if v.thread.startswith("case:"):
            for s in v.subjects:
                if s.role == "unit":
                    case_units.setdefault(v.thread, s.id)
    # the cases drawn: those with verdicts, then the open ones, in the order of the report, up to the cap
    with_verdicts = {v.thread for v in verdicts}
    wanted: list[str] = []
    seen: set[str] = set()
    for c in report.cases:
        if c.thread not in seen and (c.thread in with_verdicts or c.status in OPEN_STATUSES):
            seen.add(c.thread)
            wanted.append(c.thread)
    drawn = wanted[:max_timelines]
    timelines: dict[str, _Timeline] = {}
    if engine is not None and events is not None:
        timelines = _timelines(engine, events, set(drawn), report.as_of, lang, case_units)
    units: dict[str, dict[str, Any]] = {}

    def unit(name: str) -> dict[str, Any]:
        return units.setdefault(name, {"verdicts": [], "cases": [], "scores": []})

    for v in verdicts:
        named = [s.id for s in v.subjects if s.role == "unit"]
        for name in dict.fromkeys(named) or [_NO_UNIT]:
            unit(name)["verdicts"].append(v)
    for c in report.cases:
        unit(case_units.get(c.thread, _NO_UNIT))["cases"].append(c)
    staff_scores: list[Score] = []
    for score in report.scores:
        if score.role == "unit":
            unit(score.subject)["scores"].append(score)
        else:
            staff_scores.append(score)
    order = sorted(units, key=lambda name: (name == _NO_UNIT, _best_rank(units[name]["scores"]), name))

    title = _w("机关效能监察报告", "Administrative efficiency report", lang)
    as_of = text.instant(report.as_of, lang)
    lights_all = Counter(lit for c in report.cases if (lit := light(c, yellow_at=yellow_at)) is not None)
    body = [f"<header><h1>{_e(title)}</h1>",
            f'<p class="meta">{_e(_w("截至", "As of ", lang))}<time data-as-of="{_e(report.as_of.isoformat())}">{_e(as_of)}</time>'
            + _e(_w("；规则集：", "; rulesets: ", lang))
            + _e(("、" if zh else ", ").join(f"{r.id}@{r.version}" for r in report.rulesets)) + "</p>",
            f'<p class="meta">{_summary(report, lang)}</p>',
            _tally(lights_all, lang, "all"),
            _legend_lights(lang, yellow_at), "</header>"]
    body.append(_overview(order, units, lang, yellow_at))
    body.append('<div class="units">')
    for name in order:
        body.append(_unit_section(name, units[name], lang, timelines, yellow_at))
    body.append("</div>")
    if staff_scores:
        body.append(f"<section id=\"staff-scores\"><h2>{_e(_w('工作人员得分', 'Staff scores', lang))}</h2>")
        body.append(_score_table(staff_scores, lang, staff=True))
        body.append("</section>")
    body.append(_verdict_section(verdicts, lang, timelines, max_verdicts))
    body.append(_clause_section(verdicts, lang))
    body.append(_timeline_section(report, wanted, drawn, timelines, lang, engine is not None, yellow_at))
    if report.revocations:
        body.append(f"<section id=\"revocations\"><h2>{_e(_w('撤销的结论', 'Revoked verdicts', lang))}</h2><ul>")
        for r in report.revocations:
            reason = f"{_w('：', ': ', lang)}{r.reason}" if r.reason else ""
            body.append(f"<li data-revoked=\"{_e(r.verdict_id)}\">{_e(r.verdict_id)}（{_e(text.instant(r.at, lang))}，{_e(r.event)}{_e(reason)}）</li>"
                        if zh else f"<li data-revoked=\"{_e(r.verdict_id)}\">{_e(r.verdict_id)} ({_e(text.instant(r.at, lang))}, {_e(r.event)}{_e(reason)})</li>")
        body.append("</ul></section>")
    attributes = (f' data-verdicts="{len(report.verdicts)}" data-cases="{len(report.cases)}" data-events="{report.events}"'
                  f' data-scores="{len(report.scores)}"')
    return _page(title, body, lang, attributes)


def _cause_order(report: Report) -> list[Verdict]:
    from ._verdicts import _cause_first

    return _cause_first(report.verdicts)


def _best_rank(scores: list[Score]) -> float:
    if not scores:
        return float("inf")
    latest = max(s.period for s in scores)
    return min(s.rank for s in scores if s.period == latest)


def _unit_name(name: str, language: Language) -> str:
    return name if name != _NO_UNIT else _w("（未注明单位）", "(no unit named)", language)


def _summary(report: Report, lang: Language) -> str:
    kinds: Counter[str] = Counter(v.kind for v in report.verdicts)
    parts = [f'<span data-total-kind="{k}" data-count="{kinds[k]}">{_e(text.kind(k, lang))} {kinds[k]}</span>' for k in _KINDS if kinds[k]]
    head = (f"{report.events}个事件，{len(report.verdicts)}项结论，{len(report.cases)}个办件时钟" if lang == "zh"
            else f"{report.events} events, {len(report.verdicts)} verdicts, {len(report.cases)} case clocks")
    return _e(head) + ("：" if lang == "zh" else ": ") + ("，" if lang == "zh" else ", ").join(parts) if parts else _e(head)


def _tally(counts: Mapping[str, int], lang: Language, scope: str) -> str:
    items = "".join(f'<span class="{k}" data-lights="{scope}" data-light="{k}" data-count="{counts.get(k, 0)}">'
                    f'<i class="dot {k}"></i>{_e(_LIGHT_WORDS[k][0 if lang == "zh" else 1])} {counts.get(k, 0)}</span>'
                    for k in _LIGHTS)
    return f'<div class="tally">{items}</div>'


def _legend_lights(lang: Language, yellow_at: float) -> str:
    share = f"{yellow_at * 100:g}%"
    return ('<p class="meta">' + _e(_w(
        f"灯号：红灯为已超期；黄灯为已预警或已用期限达{share}；绿灯为其他在办；灰色为未起算。",
        f"Lights: red, overdue; yellow, warned or {share} of the limit used; green, other open clocks; grey, not started.", lang))
        + "</p>")


def _overview(order: list[str], units: Mapping[str, dict[str, Any]], lang: Language, yellow_at: float) -> str:
    """One row per unit: rank and score of the latest period, lights, cards, verdicts by kind."""
    kinds = [k for k in _KINDS if any(v.kind == k for data in units.values() for v in data["verdicts"])]
    head = ([_w("名次", "rank", lang), _w("单位", "unit", lang), _w("期间", "period", lang), _w("得分", "score", lang),
             _w("等次", "grade", lang)]
            + [_LIGHT_WORDS[k][0 if lang == "zh" else 1] for k in _LIGHTS]
            + [text.card("yellow", lang), text.card("red", lang)] + [text.kind(k, lang) for k in kinds] + [_w("结论合计", "verdicts", lang)])
    out = [f'<section id="overview"><h2>{_e(_w("单位概览", "Units at a glance", lang))}</h2>',
           "<table><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr>"]
    for name in order:
        data = units[name]
        scores: list[Score] = data["scores"]
        latest = max((s.period for s in scores), default=None)
        score = next((s for s in scores if s.period == latest), None)
        lights = Counter(lit for c in data["cases"] if (lit := light(c, yellow_at=yellow_at)) is not None)
        cards = Counter(v.card for v in data["verdicts"] if v.card)
        by_kind: Counter[str] = Counter(v.kind for v in data["verdicts"])
        cells = [f'<td class="n rank">{score.rank if score else "-"}</td>',
                 f'<td><a href="#{_anchor("unit", name)}">{_e(_unit_name(name, lang))}</a></td>',
                 f"<td>{_e(text.period(score.period, lang)) if score else '-'}</td>",
                 f'<td class="n score">{_num(score.score) if score else "-"}</td>',
                 f"<td>{_e(_grade(score, lang)) if score else '-'}</td>"]
        cells += [f'<td class="n {k}" data-light="{k}" data-count="{lights[k]}">' + (f'<i class="dot {k}"></i> ' if lights[k] else "")
                  + f"{lights[k]}</td>" for k in _LIGHTS]
        cells += [f'<td class="n" data-card="{c}" data-count="{cards[c]}">{cards[c]}</td>' for c in ("yellow", "red")]
        cells += [f'<td class="n" data-kind="{k}" data-count="{by_kind[k]}">{by_kind[k]}</td>' for k in kinds]
        cells.append(f'<td class="n" data-kind="all" data-count="{len(data["verdicts"])}">{len(data["verdicts"])}</td>')
        attributes = f' data-unit="{_e(name)}"' + (f' data-period="{_e(score.period)}" data-score="{_num(score.score)}" data-rank="{score.rank}"'
                                                   if score else "")
        out.append(f"<tr{attributes}>" + "".join(cells) + "</tr>")
    out.append("</table></section>")
    return "\n".join(out)


def _unit_section(name: str, data: dict[str, Any], lang: Language, timelines: Mapping[str, _Timeline], yellow_at: float) -> str:
    verdicts: list[Verdict] = data["verdicts"]
    cases: list[CaseState] = data["cases"]
    scores: list[Score] = data["scores"]
    out = [f'<section class="unit" id="{_anchor("unit", name)}" data-unit="{_e(name)}">',
           f"<h2>{_e(_w('单位：', 'Unit: ', lang) + _unit_name(name, lang))}</h2>"]
    lit = [(c, lit) for c in cases if (lit := light(c, yellow_at=yellow_at)) is not None]
    out.append(f"<h3>{_e(_w('在办办件灯号', 'Lights of open cases', lang))}</h3>")
    if lit:
        out.append(_tally(Counter(k for _, k in lit), lang, "unit"))
        out.append('<div class="lights">')
        clocks = Counter(c.thread for c, _ in lit)  # a case with several clocks: each chip names its time limit
        for c, k in sorted(lit, key=lambda item: (_LIGHTS.index(item[1]), item[0].thread, item[0].time_limit)):
            target = f"#{_anchor('case', c.thread)}" if c.thread in timelines else ""
            tip = f"{text.thread(c.thread, lang)} {c.time_limit} {text.status(c.status, lang)}"
            if c.deadline is not None:
                tip += _w(f"，截止{text.instant(c.deadline, lang)}", f", due {text.instant(c.deadline, lang)}", lang)
            tag = "a" if target else "span"
            href = f' href="{target}"' if target else ""
            out.append(f'<{tag} class="light {k}"{href} data-light="{k}" data-thread="{_e(c.thread)}" data-status="{c.status}"'
                       f' title="{_e(tip)}"><i class="dot"></i>{_e(c.thread.partition(":")[2] or c.thread)}'
                       + (f" · {_e(c.time_limit)}" if clocks[c.thread] > 1 else "") + f"</{tag}>")
        out.append("</div>")
    else:
        out.append(f'<p class="empty">{_e(_w("无在办办件。", "No open cases.", lang))}</p>')
    cards = [v for v in verdicts if v.card]
    out.append(f"<h3>{_e(_w('红黄牌', 'Cards', lang))}</h3>")
    if cards:
        out.append(f"<table><tr><th>{_e(text.label('at', lang))}</th><th>{_e(_w('牌', 'card', lang))}</th>"
                   f"<th>{_e(text.label('rule', lang))}</th><th>{_e(text.label('message', lang))}</th></tr>")
        for v in cards:
            assert v.card is not None
            out.append(f'<tr class="card-{v.card}" data-card="{v.card}" data-verdict="{_e(v.id)}"><td>{_e(text.instant(v.at, lang))}</td>'
                       f"<td>{_e(text.card(v.card, lang))}</td><td>{_e(v.rule)}</td>"
                       f'<td><a href="#{_anchor("verdict", v.id)}">{_e(_message(v, lang))}</a></td></tr>')
        out.append("</table>")
    else:
        out.append(f'<p class="empty" data-cards="0">{_e(_w("无红黄牌。", "No cards.", lang))}</p>')
    kinds: Counter[str] = Counter(v.kind for v in verdicts)
    out.append(f"<h3>{_e(_w('结论分类', 'Verdicts by kind', lang))}</h3>")
    if verdicts:
        out.append("<table><tr>" + "".join(f"<th>{_e(text.kind(k, lang))}</th>" for k in _KINDS if kinds[k])
                   + f"<th>{_e(_w('合计', 'total', lang))}</th></tr><tr>"
                   + "".join(f'<td class="n" data-kind="{k}" data-count="{kinds[k]}">{kinds[k]}</td>' for k in _KINDS if kinds[k])
                   + f'<td class="n" data-kind="all" data-count="{len(verdicts)}">{len(verdicts)}</td></tr></table>')
    else:
        out.append(f'<p class="empty">{_e(_w("无结论。", "No verdicts.", lang))}</p>')
    out.append(f"<h3>{_e(_w('得分与名次', 'Score and rank', lang))}</h3>")
    out.append(_score_table(scores, lang) if scores else f'<p class="empty">{_e(_w("无得分。", "No score.", lang))}</p>')
    out.append("</section>")
    return "\n".join(out)


def _score_table(scores: Sequence[Score], lang: Language, *, staff: bool = False) -> str:
    head = ["period", *(("subject",) if staff else ()), "score", "deducted", "added", "grade", "rank", "verdicts"]
    rows = ["<table><tr>" + "".join(f"<th>{_e(text.label(h, lang))}</th>" for h in head) + "</tr>"]
    for s in sorted(scores, key=lambda s: (s.period, s.rank, s.subject)):
        grade = _grade(s, lang)
        who = f"<td>{_e(text.subject(s.role, s.subject, lang))}</td>" if staff else ""
        rows.append(f'<tr data-period="{_e(s.period)}" data-subject="{_e(s.subject)}" data-score="{_num(s.score)}" data-rank="{s.rank}">'
                    f"<td>{_e(text.period(s.period, lang))}</td>{who}<td class=\"n score\">{_num(s.score)}</td>"
                    f'<td class="n">{_num(s.deductions)}</td><td class="n">{_num(s.bonuses)}</td><td>{_e(grade)}</td>'
                    f'<td class="n rank">{s.rank}</td><td class="n">{len(s.verdicts)}</td></tr>')
    rows.append("</table>")
    return "".join(rows)


def _grade(score: Score, lang: Language) -> str:
    return (score.grade or "-") + (_w("（一票否决）", " (veto)", lang) if score.vetoed else "")


def _message(v: Verdict, lang: Language) -> str:
    return v.explanation.message_zh if lang == "zh" or v.explanation.message_en is None else v.explanation.message_en


def _verdict_section(verdicts: list[Verdict], lang: Language, timelines: Mapping[str, _Timeline], cap: int) -> str:
    zh = lang == "zh"
    out = [f'<section id="verdicts"><h2>{_e(_w("结论", "Verdicts", lang))}</h2>']
    if len(verdicts) > cap:
        out.append(f'<p class="note" data-verdicts-shown="{cap}">' + _e(_w(
            f"共{len(verdicts)}项结论，此处列出前{cap}项；全部结论见JSON报告或Excel表。",
            f"{len(verdicts)} verdicts; the first {cap} are listed here, all of them in the JSON report or the workbook.", lang)) + "</p>")
    if not verdicts:
        out.append(f'<p class="empty">{_e(_w("无结论。", "No verdicts.", lang))}</p>')
    else:
        head = ("at", "rule", "kind", "points", "subjects", "thread", "message")
        out.append("<table><tr>" + "".join(f"<th>{_e(text.label(h, lang))}</th>" for h in head)
                   + f"<th>{_e(_w('说明与依据', 'explanation and clauses', lang))}</th></tr>")
        for v in verdicts[:cap]:
            kind = text.kind(v.kind, lang) + (_w(f"（{text.card(v.card, lang)}）", f" ({text.card(v.card, lang)})", lang) if v.card else "")
            subjects = ("，" if zh else ", ").join(text.subject(s.role, s.id, lang) for s in v.subjects) or "-"
            points = "-" if v.points is None else _num(v.points)
            thread_cell = _e(text.thread(v.thread, lang))
            if v.thread in timelines:
                thread_cell = f'<a href="#{_anchor("case", v.thread)}">{thread_cell}</a>'
            facts = "".join(f"<tr><th>{_e(f.zh if zh else f.en)}</th><td>{_e(_instants(f.value, lang))}</td></tr>" for f in v.explanation.facts)
            cites = "".join(f'<li><a href="#{_anchor("clause", v.ruleset, c.id)}">{_e(c.citation)}</a></li>' for c in v.cites)
            links = (f"<details><summary>{_e(_w('说明', 'explanation', lang))}</summary>"
                     f"<table>{facts}</table></details>")
            if v.thread in timelines:
                links += f'<a href="#{_anchor("explain", v.thread)}">{_e(_w("办件时间线", "the case explained", lang))}</a>'
            if cites:
                links += f"<ul>{cites}</ul>"
            out.append(f'<tr id="{_anchor("verdict", v.id)}" data-verdict="{_e(v.id)}" data-kind="{v.kind}" data-rule="{_e(v.rule)}"'
                       f' data-points="{points}"><td>{_e(text.instant(v.at, lang))}</td><td>{_e(v.rule)}</td><td>{_e(kind)}</td>'
                       f'<td class="n">{points}</td><td>{_e(subjects)}</td><td>{thread_cell}</td><td>{_e(_message(v, lang))}</td>'
                       f"<td>{links}</td></tr>")
        out.append("</table>")
    out.append("</section>")
    return "\n".join(out)


_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)")
_CALENDAR = re.compile(r" ?\((\w+) calendar, ([0-9:,-]+)\)")
_DAYS = re.compile(r"(?<![\w-])\d{4}-\d\d-\d\d(?:, \d{4}-\d\d-\d\d)*(?![\w-])")
_AMOUNT = re.compile(r"(?<![\w.-])(\d+(?:\.\d+)?(?:wd|wh|mo|min|d|h))(?: (\d+)h)?(?: (\d+)m)?(?![\w-])")


def _instants(value: str, lang: Language) -> str:
    """A fact's value as the facts record it, with its instants and days (ISO 8601), amounts (``20wd``, ``3wd 2h 5m``) and
    calendars (``(china calendar, 09:00-12:00,13:30-17:30)``) written as a person reads them."""
    from ._duration import Duration

    def instant(match: re.Match[str]) -> str:
        try:
            return text.instant(dt.datetime.fromisoformat(match.group(0)), lang)
        except ValueError:
            return match.group(0)

    def calendar(match: re.Match[str]) -> str:
        described = text.calendar_description(match.group(1), match.group(2), lang)
        return f"（{described}）" if lang == "zh" else f" ({described})"

    def amount(match: re.Match[str]) -> str:
        try:
            shown = text.duration(Duration.parse(match.group(1)), lang)
        except EfficiencyRulesError:
            return match.group(0)
        hours, minutes = int(match.group(2) or 0), int(match.group(3) or 0)
        if hours or minutes:
            rest = text.span(text.Span(hours * 3600 + minutes * 60, False, 86400), lang)
            shown += f"又{rest}" if lang == "zh" else f" {rest}"
        return shown

    def days(match: re.Match[str]) -> str:
        try:
            return text.dates([dt.date.fromisoformat(day) for day in match.group(0).split(", ")], lang)
        except ValueError:
            return match.group(0)

    return _AMOUNT.sub(amount, _DAYS.sub(days, _CALENDAR.sub(calendar, _ISO.sub(instant, value))))


def _clause_section(verdicts: list[Verdict], lang: Language) -> str:
    clauses: dict[tuple[str, str], tuple[str, str | None, int]] = {}
    for v in verdicts:
        for c in v.cites:
            key = (v.ruleset, c.id)
            _, _, n = clauses.get(key, (c.citation, c.text, 0))
            clauses[key] = (c.citation, c.text, n + 1)
    out = [f'<section id="clauses"><h2>{_e(_w("所执行的条款", "Clauses enforced", lang))}</h2>']
    if not clauses:
        out.append(f'<p class="empty">{_e(_w("无。", "None.", lang))}</p>')
    for (ruleset, clause), (citation, body, n) in clauses.items():
        count = _w(f"（{n}项结论）", f" ({n} verdict{'s' if n != 1 else ''})", lang)
        out.append(f'<article id="{_anchor("clause", ruleset, clause)}" data-clause="{_e(clause)}"><h3>{_e(citation)}'
                   f'<span class="meta">{_e(count)}</span></h3><p class="meta">{_e(ruleset)} · <code>{_e(clause)}</code></p>'
                   + (f"<blockquote>{_e(body.strip())}</blockquote>" if body else "") + "</article>")
    out.append("</section>")
    return "\n".join(out)


def _timeline_section(report: Report, wanted: list[str], drawn: list[str], timelines: Mapping[str, _Timeline], lang: Language,
                      with_events: bool, yellow_at: float) -> str:
    out = [f'<section id="timelines"><h2>{_e(_w("办件时间轴", "Case timelines", lang))}</h2>']
    if not with_events:
        out.append('<p class="note">' + _e(_w(
            "未提供事件，未绘制时间轴：在命令行中由 evaluate --format html 生成，或调用 Report.to_html(engine=…, events=…)。",
            "No events were given, so no timelines are drawn: write the page with evaluate --format html, "
            "or call Report.to_html(engine=…, events=…).", lang)) + "</p></section>")
        return "\n".join(out)
    out.append('<p class="meta">' + _e(_w("绘出有结论的办件和在办办件。", "Drawn for the cases with verdicts and the open cases.", lang)) + "</p>")
    if len(wanted) > len(drawn):
        out.append(f'<p class="note" data-timelines-shown="{len(drawn)}" data-timelines-wanted="{len(wanted)}">' + _e(_w(
            f"有结论或在办的办件共{len(wanted)}个，此处绘出前{len(drawn)}个（上限{len(drawn)}个，可用 max_timelines 调整）；"
            "其余办件的时间线可用 efficiency-rules explain 查看。",
            f"{len(wanted)} cases have verdicts or are open; the first {len(drawn)} are drawn (the cap, max_timelines); "
            "efficiency-rules explain prints the others.", lang)) + "</p>")
    out.append(_legend_strip(lang))
    states: dict[str, list[CaseState]] = {}
    for c in report.cases:
        states.setdefault(c.thread, []).append(c)
    for key in drawn:
        timeline = timelines.get(key)
        if timeline is None:
            continue
        lights = [lit for c in states.get(key, []) if (lit := light(c, yellow_at=yellow_at)) is not None]
        dots = "".join(f'<i class="dot {lit}" title="{_e(_LIGHT_WORDS[lit][0 if lang == "zh" else 1])}"></i> ' for lit in lights)
        out.append(f'<article class="case" id="{_anchor("case", key)}" data-thread="{_e(key)}">'
                   f"<h3>{dots}{_e(text.thread(key, lang))}</h3>")
        for calendar, run in timeline.runs:
            out.append(_strip(calendar, run, report.as_of, lang))
        out.append(f'<details id="{_anchor("explain", key)}"><summary>{_e(_w("说明（与 explain 命令输出相同）", "Explanation (as explain prints it)", lang))}'
                   f"</summary><pre>{_e(timeline.explain)}</pre></details></article>")
    out.append("</section>")
    return "\n".join(out)


def _legend_strip(lang: Language) -> str:
    items = [("work", "#fff", _w("工作日", "working day", lang)), ("off", "#e6e6e6", _w("休息日", "weekend", lang)),
             ("holiday", "#f4c7c3", _w("法定节假日", "statutory holiday", lang)), ("makeup", "#c6dbf7", _w("调休上班日", "make-up workday", lang)),
             ("run", "#8fbf8f", _w("计时", "clock running", lang)), ("late", "#e57373", _w("超期", "overdue", lang)),
             ("pause", "#b0b0b0", _w("暂停（不计时）", "paused", lang))]
    lines = [("#c62828", _w("截止时间", "deadline", lang)), ("#6a1b9a", _w("延期", "extension", lang)),
             ("#1565c0", _w("判定时点", "as of", lang))]
    return ('<div class="legend">' + "".join(f'<span><i style="background:{c}"></i>{_e(t)}</span>' for _, c, t in items)
            + "".join(f'<span><i style="background:{c};height:3px"></i>{_e(t)}</span>' for c, t in lines)
            + f'<span>● {_e(_w("事件：收件、起算、暂停、恢复、延期、办结（指向可见时间与内容）", "events: received, started, paused, resumed, extended, completed (point at one for its time and what it was)", lang))}</span>'
            + "</div>")


_MARKS = {"received", "start", "pause", "pause_refused", "resume", "restart", "extension", "extension_refused", "stop"}


def _strip(calendar: Calendar, run: ClockRun, as_of: dt.datetime, lang: Language) -> str:
    """One clock's timeline on a strip of days: each day a cell (working day, weekend, holiday, make-up workday),
    the clock's running time, its pauses, and a mark for each event with the time and what it was."""
    zh = lang == "zh"
    local = calendar.local
    dated = [(local(e.at), e) for e in run.timeline if e.at is not None]
    moments = [m for m, _ in dated]
    end_at = run.stopped_at or as_of
    moments.append(local(end_at))
    if run.deadline is not None:
        moments.append(local(run.deadline))
    first, last = min(moments).date(), max(moments).date()
    days = (last - first).days + 1
    cap = 400
    if days > cap:  # an open case far from its as-of: keep its beginning and the last weeks
        last = first + dt.timedelta(days=cap - 1)
        days = cap
    cell = max(3.0, min(28.0, 980 / days))
    left, top, height = 4.0, 16.0, 26.0
    width = left * 2 + cell * days
    start_of = dt.datetime.combine(first, dt.time(0), calendar.timezone)

    def x(moment: dt.datetime) -> float:
        offset = (local(moment) - start_of).total_seconds() / 86400
        return left + cell * max(0.0, min(float(days), offset))

    name = run.policy.title_zh if zh else run.policy.title_en
    in_force = run.limit_in_force()
    parts = [f'<h4>{_e(run.policy.id)}{_e(_w(f"（{name}）", f" ({name})", lang) if name else "")} · {_e(text.status(run.status, lang))}'
             + (f" · {_e(text.limit(in_force, lang))}" if in_force is not None else "") + "</h4>",
             (f'<svg class="strip" xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{top + height + 34:.0f}"'
              f' viewBox="0 0 {width:.0f} {top + height + 34:.0f}" role="img" data-time-limit="{_e(run.policy.id)}" data-status="{run.status}">')]
    month = None
    for i in range(days):
        day = first + dt.timedelta(days=i)
        cls, why = _day_class(calendar, day, lang)
        tip = text.date(day, lang) + _w(f"（{why}）", f" ({why})", lang)
        parts.append(f'<rect class="{cls}" data-day="{day.isoformat()}" x="{left + i * cell:.1f}" y="{top}" width="{cell:.1f}" height="{height}">'
                     f"<title>{_e(tip)}</title></rect>")
        if day.month != month and (i == 0 or day.day == 1):
            month = day.month
            label = f"{day.year}年{day.month}月" if zh and (i == 0 or day.month == 1) else f"{day.month}月" if zh else day.strftime("%b %Y" if i == 0 or day.month == 1 else "%b")
            parts.append(f'<text x="{left + i * cell:.1f}" y="{top - 4}">{_e(label)}</text>')
    if run.start is not None:
        stop = run.stopped_at or as_of
        until = min(stop, run.deadline) if run.deadline is not None else stop
        parts.append(f'<rect class="run" x="{x(run.start):.1f}" y="{top + height + 3}" width="{max(0.0, x(until) - x(run.start)):.1f}" height="6"/>')
        if run.deadline is not None and stop > run.deadline:
            parts.append(f'<rect class="late" x="{x(run.deadline):.1f}" y="{top + height + 3}" width="{max(0.0, x(stop) - x(run.deadline)):.1f}" height="6"/>')
    opened: dt.datetime | None = None
    for moment, entry in dated:
        if entry.mark == "pause" and opened is None:
            opened = moment
        elif entry.mark in ("resume", "restart", "stop") and opened is not None:
            parts.append(_pause_bar(opened, moment, x, top + height + 3, lang))
            opened = None
    if opened is not None:
        parts.append(_pause_bar(opened, local(run.stopped_at or as_of), x, top + height + 3, lang))
    row = 0
    for moment, entry in dated:
        if entry.mark not in _MARKS and entry.mark != "deadline":
            continue
        label = entry.zh if zh else entry.en
        shown = entry.value if entry.text is None else text.render(entry.text, lang)
        tip = f"{text.instant(moment, lang)} {label}" + ((_w("：", ": ", lang) + shown) if shown else "")
        at = x(moment)
        cls = {"deadline": "deadline", "extension": "extension"}.get(entry.mark, "mark")
        if entry.mark == "deadline":
            parts.append(f'<g data-mark="deadline" data-at="{_e(moment.isoformat())}"><title>{_e(tip)}</title>'
                         f'<line class="{cls}" x1="{at:.1f}" y1="{top - 2}" x2="{at:.1f}" y2="{top + height + 12}"/>'
                         f'<text x="{at + 2:.1f}" y="{top + height + 30}" style="fill:#c62828">{_e(_w("截止", "due", lang))}</text></g>')
            continue
        y = top + height + 16 + (row % 2) * 6
        row += 1
        parts.append(f'<g data-mark="{entry.mark}" data-at="{_e(moment.isoformat())}"><title>{_e(tip)}</title>'
                     f'<line class="{cls}" x1="{at:.1f}" y1="{top}" x2="{at:.1f}" y2="{top + height}"/>'
                     f'<circle cx="{at:.1f}" cy="{y}" r="3.5" fill="{"#6a1b9a" if entry.mark == "extension" else "#1f2328"}"/></g>')
    if run.stopped_at is None and first <= local(as_of).date() <= last:
        at = x(as_of)
        parts.append(f'<g data-mark="as_of"><title>{_e(_w("判定时点 ", "as of ", lang) + text.instant(local(as_of), lang))}</title>'
                     f'<line class="asof" x1="{at:.1f}" y1="{top - 4}" x2="{at:.1f}" y2="{top + height + 12}"/></g>')
    parts.append("</svg>")
    return "".join(parts)


def _pause_bar(since: dt.datetime, until: dt.datetime, x: Any, y: float, lang: Language) -> str:
    tip = _w(f"暂停（不计时）：{text.instant(since, lang)}至{text.instant(until, lang)}",
             f"paused: {text.instant(since, lang)} to {text.instant(until, lang)}", lang)
    return (f'<rect class="pause" data-mark="paused" x="{x(since):.1f}" y="{y}" width="{max(1.0, x(until) - x(since)):.1f}" height="6">'
            f"<title>{_e(tip)}</title></rect>")


def _day_class(calendar: Calendar, day: dt.date, lang: Language) -> tuple[str, str]:
    try:
        holiday, makeup, working = calendar.is_holiday(day), calendar.is_makeup_workday(day), calendar.is_working_day(day)
        name = calendar.holiday_name(day)
    except EfficiencyRulesError:  # a year the calendar does not cover: weekdays and weekends only
        return ("work", _w("工作日", "working day", lang)) if day.weekday() < 5 else ("off", _w("周末", "weekend", lang))
    shown = text.holidays([(day, name)], lang)[0] if name else ""
    if makeup:
        return "makeup", _w(f"调休上班（{shown}）" if shown else "调休上班", f"make-up workday ({shown})" if shown else "make-up workday", lang)
    if holiday:
        return "holiday", _w(f"{shown}，休息" if shown else "节假日", f"{shown}, day off" if shown else "holiday", lang)
    if working:
        return "work", _w("工作日", "working day", lang)
    return "off", _w("周末", "weekend", lang)


def _timelines(engine: Engine, events: Iterable[Event | Mapping[str, Any] | str], wanted: set[str], as_of: dt.datetime,
               lang: Language, case_units: dict[str, str]) -> dict[str, _Timeline]:
    """The timelines and ``explain`` texts of the cases ``wanted``, from one pass over the events; the unit of every
    case whose events name one is recorded in ``case_units`` (a verdict's unit already there stands)."""
    from ._session import Session, _explain_text, _explained_runs

    mine: dict[str, list[Event]] = {key: [] for key in wanted}
    for item in events:
        event = engine.parse(item)
        key = engine._thread_key(event)
        if event.unit and key.startswith("case:"):
            case_units.setdefault(key, event.unit)
        if key in mine:
            mine[key].append(event)
    out: dict[str, _Timeline] = {}
    for key in sorted(wanted):
        if not mine[key]:
            continue
        session = Session(engine)
        runs = _explained_runs(engine, session, mine[key], as_of)
        explained = _explain_text(engine, session, mine[key], key, as_of, lang, runs)
        out[key] = _Timeline(key, [(engine._versions[index].calendar, run) for index, run in runs], explained)
    return out


# The policy book: the Markdown book written as HTML, line by line (the book uses headings, quotes,
# two levels of list, bold lines and code spans; nothing else).

_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _inline(line: str) -> str:
    escaped = _e(line)
    escaped = _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", escaped)
    return _BOLD.sub(lambda m: f"<strong>{m.group(1)}</strong>", escaped)


def book_html(markdown: str, *, language: Language = "zh") -> str:
    """The policy book as one self-contained HTML page, from the Markdown :func:`book_markdown` writes."""
    body: list[str] = []
    lists = 0
    quote: list[str] = []
    title = ""
    contents: list[tuple[int, str, str]] = []
    contents_at = 0

    def close_lists(to: int = 0) -> None:
        nonlocal lists
        while lists > to:
            body.append("</li></ul>")
            lists -= 1

    def flush_quote() -> None:
        if quote:
            body.append("<blockquote>" + "<br>".join(_inline(q) for q in quote) + "</blockquote>")
            quote.clear()

    for line in markdown.splitlines():
        if line.startswith(">"):
            close_lists()
            quote.append(line[1:].removeprefix(" "))
            continue
        flush_quote()
        if not line.strip():
            continue
        stripped = line.lstrip(" ")
        if stripped.startswith("- "):
            depth = (len(line) - len(stripped)) // 2 + 1
            if depth > lists:
                while lists < depth:
                    body.append("<ul><li>")
                    lists += 1
            else:
                close_lists(depth)
                body.append("</li><li>")
            body.append(_inline(stripped[2:]))
            continue
        close_lists()
        heading = re.match(r"(#{1,4}) (.*)", line)
        if heading:
            level = len(heading.group(1))
            if level == 1:
                title = heading.group(2)
                body.append(f"<h1>{_inline(title)}</h1>")
                contents_at = len(body)
                continue
            anchor = _anchor("h", str(len(body)), heading.group(2))
            contents.append((level, anchor, heading.group(2)))
            body.append(f'<h{level} id="{anchor}">{_inline(heading.group(2))}</h{level}>')
        else:
            body.append(f"<p>{_inline(line)}</p>")
    flush_quote()
    close_lists()
    if contents:
        items = "".join(f'<li class="toc{level}"><a href="#{anchor}">{_inline(words)}</a></li>' for level, anchor, words in contents)
        body.insert(contents_at, f'<nav class="contents"><h2>{_e(_w("目录", "Contents", language))}</h2><ul>{items}</ul></nav>')
    return _page(title or _w("政策手册", "Policy book", language), body, language, ' class="book"')
