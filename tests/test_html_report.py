"""The HTML report and the HTML policy book, opened in a real headless browser (Debian's chromium).

The browser tests load each page from a file, read the console (any message fails: the pages log
nothing, and a blocked network load or a script error would show there), dump the DOM the browser
built and compare the figures it shows with the report's JSON, and write a screenshot: into the
directory named by EFFICIENCY_RULES_ARTIFACTS when set (the CI keeps it), else the test's own.
Without chromium they skip, saying so; the tests of the page's text run everywhere.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from efficiency_rules import Engine, OutputError, Report, UsageError
from efficiency_rules._html import light
from efficiency_rules.cli import main

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "examples" / "cases.jsonl"
CST = dt.timezone(dt.timedelta(hours=8))
CHROMIUM = next((found for name in ("chromium", "chromium-browser", "google-chrome") if (found := shutil.which(name))), None)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on this machine (Debian: apt-get install chromium); the CI installs it")


# --- a headless browser, driven from the standard library ---------------------------------------------------

@dataclass
class Loaded:
    dom: str
    console: list[str]


def _chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
         f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *extra, page.resolve().as_uri()],
        capture_output=True, text=True, timeout=180, check=False,
    )


def load(page: Path, tmp_path: Path) -> Loaded:
    """The DOM chromium built from ``page``, and the console messages it logged while loading it."""
    done = _chromium(page, tmp_path / "profile-dom", "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return Loaded(done.stdout, console)


def screenshot(page: Path, tmp_path: Path, name: str, height: int) -> Path:
    """A PNG of ``page`` 1280 pixels wide, written where the CI keeps its artifacts (or in ``tmp_path``)."""
    where = Path(os.environ.get("EFFICIENCY_RULES_ARTIFACTS") or tmp_path)
    where.mkdir(parents=True, exist_ok=True)
    target = where / name
    target.unlink(missing_ok=True)
    done = _chromium(page, tmp_path / "profile-shot", f"--window-size=1280,{height}", f"--screenshot={target}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert target.stat().st_size > 20_000  # a drawn page, not a blank one
    return target


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def find(self, tag: str | None = None, **attrs: str | None) -> list[Node]:
        """Descendants with ``tag`` whose attributes (``data_x`` for ``data-x``) equal those given (None: present)."""
        found = []
        for child in self.children:
            wanted = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
            if (tag is None or child.tag == tag) and all(
                    k in child.attrs and (v is None or child.attrs[k] == v) for k, v in wanted.items()):
                found.append(child)
            found += child.find(tag, **attrs)
        return found


class _Tree(HTMLParser):
    VOID = frozenset(("meta", "link", "br", "img", "input", "hr"))  # SVG elements are closed, in markup or by the browser

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in self.VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        for node in self.stack:
            node.parts.append(data)


def tree(html: str) -> Node:
    parser = _Tree()
    parser.feed(html)
    parser.close()
    return parser.root


# --- the showcase: a synthetic year with accountability -------------------------------------------------------

@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]], Report]:
    spec = importlib.util.spec_from_file_location("accountability_year", ROOT / "examples" / "accountability_year.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    events, report = module.year_report()
    path = tmp_path_factory.mktemp("year") / "events.jsonl"
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events), encoding="utf-8")
    return path, events, report


def _year_page(year: tuple[Path, list[dict[str, Any]], Report], tmp_path: Path, *more: str) -> Path:
    events_path, _, _ = year
    page = tmp_path / "year.html"
    status = main(["evaluate", *(str(ROOT / "rulesets" / p) for p in ("cn/xzxk.yaml", "examples/first-inquiry.yaml",
                                                                         "county/points-table.yaml")),
                   "--events", str(events_path), "--as-of", "2025-01-01T00:00+08:00", "--format", "html",
                   "--output", str(page), "--quiet", *more])
    assert status == 0
    return page


@needs_chromium
def test_the_year_page_loads_cleanly_and_shows_the_figures_of_the_json_report(
        year: tuple[Path, list[dict[str, Any]], Report], tmp_path: Path) -> None:
    page = _year_page(year, tmp_path)
    loaded = load(page, tmp_path)
    assert loaded.console == []
    dom = tree(loaded.dom)
    data = json.loads(year[2].to_json())  # the report as JSON, evaluated through the API
    body = dom.find("body")[0]
    assert body.attrs["data-verdicts"] == str(len(data["verdicts"])) == "1242"
    assert body.attrs["data-cases"] == str(len(data["cases"]))
    # every unit's score and rank, as data and as the text of its cells
    overview = {row.attrs["data-unit"]: row for row in dom.find("tr", data_unit=None) if row.attrs.get("data-score")}
    unit_scores = [s for s in data["scores"] if s["role"] == "unit"]
    assert len(overview) == len(unit_scores) == 10
    for score in unit_scores:
        row = overview[score["subject"]]
        assert row.attrs["data-score"] == f"{score['score']:g}"
        assert row.attrs["data-rank"] == str(score["rank"])
        assert row.find("td", class_="n score")[0].text == f"{score['score']:g}"
        assert row.find("td", class_="n rank")[0].text == str(score["rank"])
    # verdicts by kind, per unit named in them
    by_unit: dict[str, Counter[str]] = {}
    for verdict in data["verdicts"]:
        for unit in {s["id"] for s in verdict["subjects"] if s["role"] == "unit"}:
            by_unit.setdefault(unit, Counter())[verdict["kind"]] += 1
    sections = {s.attrs["data-unit"]: s for s in dom.find("section", data_unit=None)}
    for unit, kinds in by_unit.items():
        shown = {cell.attrs["data-kind"]: int(cell.attrs["data-count"]) for cell in sections[unit].find("td", data_kind=None)}
        assert shown == {**kinds, "all": sum(kinds.values())}
    # the lights of the whole report: red is overdue, grey not started
    tally = {t.attrs["data-light"]: int(t.attrs["data-count"]) for t in dom.find("span", data_lights="all")}
    statuses = Counter(c["status"] for c in data["cases"])
    assert tally["red"] == statuses["overdue"] == 10
    assert tally["grey"] == statuses["not_started"] == 8
    assert sum(tally.values()) == sum(statuses[s] for s in ("running", "warning", "overdue", "paused", "not_started"))
    # every verdict listed links to the clauses it cites, each of which is on the page with its text
    ids = {node.attrs["id"] for node in dom.find(None, id=None)}
    rows = dom.find("tr", data_verdict=None)
    assert len(rows) == len(data["verdicts"])
    for row in rows:
        for link in row.find("a", href=None):
            assert link.attrs["href"][1:] in ids
    shot = screenshot(page, tmp_path, "report-year-zh.png", 2400)
    assert shot.exists()


@needs_chromium
def test_the_year_page_in_english(year: tuple[Path, list[dict[str, Any]], Report], tmp_path: Path) -> None:
    page = _year_page(year, tmp_path, "--lang", "en")
    loaded = load(page, tmp_path)
    assert loaded.console == []
    dom = tree(loaded.dom)
    assert dom.find("html")[0].attrs["lang"] == "en"
    assert dom.find("h1")[0].text == "Administrative efficiency report"
    assert "Units at a glance" in loaded.dom
    screenshot(page, tmp_path, "report-year-en.png", 1600)


@needs_chromium
def test_an_overdue_case_is_red_and_its_deadline_is_in_its_timeline(tmp_path: Path) -> None:
    page = tmp_path / "cases.html"
    assert main(["evaluate", "cn.xzxk", "--events", str(CASES), "--as-of", "2024-10-25T09:00+08:00",
                 "--format", "html", "--output", str(page)]) == 0
    loaded = load(page, tmp_path)
    assert loaded.console == []
    dom = tree(loaded.dom)
    lights = {n.attrs["data-thread"]: n.attrs["data-light"] for n in dom.find(None, class_=None, data_thread=None, data_light=None)}
    assert lights["case:XK-2024-0917"] == "red"  # its deadline, 24 October 17:30, has passed
    case = next(a for a in dom.find("article", data_thread="case:XK-2024-0917"))
    marks = {g.attrs["data-mark"]: g.find("title")[0].text for g in case.find("g", data_mark=None)}
    assert marks["deadline"] == "2024年10月24日17:30 截止时间：20个工作日，按中国法定工作日计算，工作时间9:00–12:00、13:30–17:30"
    assert marks["received"] == "2024年9月20日10:00 收件：e06"
    # the strip shows National Day off and the make-up workday of 12 October
    days = {r.attrs["data-day"]: r.attrs["class"] for r in case.find("rect", data_day=None)}
    assert days["2024-10-01"] == days["2024-10-07"] == "holiday"
    assert days["2024-10-12"] == "makeup"
    assert days["2024-10-14"] == "work" and days["2024-10-19"] == "off"
    # its explanation is the text explain prints
    printed = Engine(["cn.xzxk"]).explain(CASES.read_text().splitlines(), case="XK-2024-0917",
                                          as_of=dt.datetime(2024, 10, 25, 9, tzinfo=CST))
    assert case.find("pre")[0].text == printed
    screenshot(page, tmp_path, "report-cases-zh.png", 1800)


@needs_chromium
def test_text_from_events_is_shown_as_text_never_run(tmp_path: Path) -> None:
    hostile = '<script>console.error("ran")</script><img src=x onerror="console.error(1)">'
    events = [
        {"id": "r1", "type": "case.received", "at": "2024-09-20T10:00+08:00", "case_id": "X-1", "matter": hostile,
         "unit": hostile, "actor": hostile},
        {"id": "a1", "type": "case.accepted", "at": "2024-09-23T10:00+08:00", "case_id": "X-1", "unit": hostile, "actor": hostile},
    ]
    engine = Engine(["cn.xzxk"])
    report = engine.evaluate(events, as_of=dt.datetime(2024, 11, 1, tzinfo=CST))
    assert report.verdicts  # overdue, against the unit named so
    page = report.write_html(tmp_path / "hostile.html", engine=engine, events=events)
    loaded = load(page, tmp_path)
    assert loaded.console == []  # nothing ran, nothing was fetched
    dom = tree(loaded.dom)
    assert dom.find("script") and all("console.error" not in s.text for s in dom.find("script"))
    assert not dom.find("img")
    assert dom.find("section", data_unit=hostile)[0].find("h2")[0].text == "单位：" + hostile


@needs_chromium
def test_the_policy_book_of_cn_xzxk_opens_with_every_clause(tmp_path: Path) -> None:
    from efficiency_rules import load_ruleset

    page = tmp_path / "book.html"
    assert main(["book", "cn.xzxk", "--html", str(page)]) == 0
    loaded = load(page, tmp_path)
    assert loaded.console == []
    dom = tree(loaded.dom)
    ruleset = load_ruleset("cn.xzxk")
    headings = [h.text for h in dom.find("h3")]
    assert headings[:-1] == [r.citation for r in ruleset.spec.references.values()]
    assert headings[-1] == "未引用任何条款的规定"
    assert "「作出行政许可决定（第四十二条第一款）」" in dom.find("body")[0].text
    contents = [a.text for a in dom.find("nav")[0].find("a")]
    assert contents[0] == f"{ruleset.id}@{ruleset.version} 中华人民共和国行政许可法（办理期限）"
    screenshot(page, tmp_path, "book-cn-xzxk-zh.png", 2000)


# --- the page's text, without a browser ----------------------------------------------------------------------

def _case(status: str, elapsed: int, remaining: int) -> Any:
    from efficiency_rules import CaseState

    return CaseState(thread="case:X", ruleset="r", ruleset_version="1", time_limit="t", status=status,
                     elapsed_seconds=elapsed, remaining_seconds=remaining)


def test_the_lights_follow_the_case_clock() -> None:
    assert light(_case("overdue", 100, 0)) == "red"
    assert light(_case("warning", 10, 90)) == "yellow"
    assert light(_case("running", 80, 20)) == "yellow"  # 80 % of the limit in force used
    assert light(_case("running", 79, 21)) == "green"
    assert light(_case("paused", 85, 15)) == "yellow"
    assert light(_case("running", 85, 15), yellow_at=0.9) == "green"
    assert light(_case("not_started", 0, 0)) == "grey"
    assert light(_case("completed_late", 120, 0)) is None


def _cases_report(as_of: dt.datetime) -> tuple[Engine, list[str], Report]:
    engine = Engine(["cn.xzxk"])
    lines = CASES.read_text().splitlines()
    return engine, lines, engine.evaluate(lines, as_of=as_of)


def test_a_page_without_events_says_why_it_has_no_timelines() -> None:
    _, _, report = _cases_report(dt.datetime(2024, 12, 1, tzinfo=CST))
    page = report.to_html()
    assert "未提供事件，未绘制时间轴" in page
    assert "<svg" not in page
    assert page.count('data-verdict="') == len(report.verdicts) == 8
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in page


def test_the_caps_on_timelines_and_verdicts_are_stated() -> None:
    engine, lines, report = _cases_report(dt.datetime(2024, 12, 1, tzinfo=CST))
    page = report.to_html(engine=engine, events=lines, max_timelines=2, max_verdicts=3)
    assert "有结论或在办的办件共5个，此处绘出前2个" in page
    assert page.count('<article class="case"') == 2
    assert "共8项结论，此处列出前3项" in page
    english = report.to_html(language="en", engine=engine, events=lines, max_timelines=2)
    assert "5 cases have verdicts or are open; the first 2 are drawn" in english


def test_verdict_facts_show_instants_as_people_read_them() -> None:
    engine, lines, report = _cases_report(dt.datetime(2024, 12, 1, tzinfo=CST))
    page = report.to_html(engine=engine, events=lines)
    facts = page[page.index('id="verdicts"'):page.index('id="clauses"')]
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", facts)  # the facts record ISO 8601 instants; the page writes them out
    assert "e26 at 2024年10月21日10:00: backlog" in facts


def test_bad_options_are_refused_clearly(tmp_path: Path) -> None:
    engine, _, report = _cases_report(dt.datetime(2024, 12, 1, tzinfo=CST))
    with pytest.raises(UsageError, match="pass engine= and events= together"):
        report.to_html(engine=engine)
    with pytest.raises(UsageError, match="'fr'"):
        report.to_html(language="fr")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="yellow_at"):
        report.to_html(yellow_at=1.5)
    with pytest.raises(OutputError, match="choose a writable path"):
        report.write_html(tmp_path / "missing" / "report.html")


def test_the_command_line_needs_a_file_for_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", "cn.xzxk", "--events", str(CASES), "--as-of", "2024-12-01T00:00+08:00", "--format", "html"]) == 2
    assert "--format html needs --output FILE, e.g. --output report.html" in capsys.readouterr().err
    target = tmp_path / "r.html"
    assert main(["evaluate", "cn.xzxk", "--events", str(CASES), "--as-of", "2024-12-01T00:00+08:00", "--format", "html",
                 "--output", str(target), "--lang", "en"]) == 0
    assert f"report written to {target}" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8").startswith('<!DOCTYPE html>\n<html lang="en">')


def test_the_book_as_html_has_the_markdown_books_content(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from efficiency_rules import load_ruleset
    from efficiency_rules.book import book_html, book_markdown

    rulesets = [load_ruleset("cn.xzxk")]
    markdown = book_markdown(rulesets)
    page = book_html(rulesets)
    shown = tree(page).find("body")[0].text
    for line in markdown.splitlines():
        words = line.lstrip("#>- ").replace("**", "").replace("`", "")
        assert words in shown
    assert main(["book", "cn.xzxk", "--html", str(tmp_path / "b.html"), "--md", str(tmp_path / "b.md")]) == 0
    assert (tmp_path / "b.md").read_text(encoding="utf-8") == markdown
    assert (tmp_path / "b.html").read_text(encoding="utf-8") == page


def test_cards_lights_and_the_make_up_saturday_of_national_day_2013() -> None:
    engine = Engine(["changde.e-supervision-2013"])
    events = [{"id": "c1-acc", "type": "case.accepted", "at": "2013-09-02T10:00:00+08:00", "case_id": "C1", "actor": "w2", "unit": "工商局"}]
    report = engine.evaluate(events, as_of=dt.datetime(2013, 10, 12, 12, tzinfo=CST))
    dom = tree(report.to_html(engine=engine, events=events))
    unit = dom.find("section", data_unit="工商局")[0]
    cards = [(row.attrs["data-card"], row.find("td")[0].text) for row in unit.find("tr", data_card=None)]
    assert cards == [("yellow", "2013年9月30日17:30"), ("red", "2013年10月11日09:00")]  # more than 3 working days late: red
    overview = dom.find("tr", data_unit="工商局")[0]
    assert {c.attrs["data-card"]: c.attrs["data-count"] for c in overview.find("td", data_card=None)} == {"yellow": "1", "red": "1"}
    assert [n.attrs["data-light"] for n in unit.find(None, data_thread="case:C1")] == ["red"]
    strip = dom.find("article", data_thread="case:C1")[0]
    days = {r.attrs["data-day"]: (r.attrs["class"], r.find("title")[0].text) for r in strip.find("rect", data_day=None)}
    assert days["2013-10-12"] == ("makeup", "2013年10月12日（调休上班（国庆节））")
    assert days["2013-10-01"] == ("holiday", "2013年10月1日（国庆节，休息）")


def test_an_extension_is_marked_on_its_case_strip() -> None:
    engine, lines, report = _cases_report(dt.datetime(2024, 11, 1, tzinfo=CST))  # extended, still open
    dom = tree(report.to_html(engine=engine, events=lines))
    strip = dom.find("article", data_thread="case:XK-2024-0920")[0]
    marks = [(g.attrs["data-mark"], g.find("title")[0].text) for g in strip.find("g", data_mark=None)]
    assert [m for m, _ in marks] == ["received", "start", "extension", "deadline", "as_of"]
    assert marks[2][1].startswith("2024年10月24日10:00 延期（经批准）")
    assert marks[3][1].startswith("2024年11月12日17:30 截止时间：20个工作日（延长10个工作日）")


# As tests/test_examples.py scans the other Chinese outputs: limits in the ruleset notation, ISO instants, English
# status and kind words; a token joined to a name by '.', '-' or '_' is part of the name.
RAW = re.compile(
    r"(?<![A-Za-z0-9_.-])\d+(?:\.\d+)?(?:wd|wh)(?![A-Za-z0-9_-])"
    r"|\d{4}-\d\d-\d\dT\d\d:\d\d"
    r"|(?<![A-Za-z0-9_.-])(?:completed_late|completed_on_time|not_started|violation|running|overdue|warning|paused|withdrawn|"
    r"compliance|sanction)(?![A-Za-z0-9_.-])"
)


def test_the_chinese_pages_have_no_raw_tokens(year: tuple[Path, list[dict[str, Any]], Report]) -> None:
    pages = {}
    for day in (25, 1):
        as_of = dt.datetime(2024, 10 if day == 25 else 12, day, tzinfo=CST)
        engine, lines, report = _cases_report(as_of)
        pages[f"cases {as_of:%Y-%m-%d}"] = report.to_html(engine=engine, events=lines)
    _, events, report = year
    pages["year"] = report.to_html(engine=Engine([ROOT / "rulesets" / p for p in ("cn/xzxk.yaml", "examples/first-inquiry.yaml",
                                                                                 "county/points-table.yaml")]), events=events)
    shown = {name: tree(page).find("body")[0] for name, page in pages.items()}
    texts = {name: "".join(body.parts) for name, body in shown.items()}  # what a reader sees, tooltips included
    found = {name: sorted({m.group(0) for m in RAW.finditer(words)}) for name, words in texts.items()}
    assert {name: tokens for name, tokens in found.items() if tokens} == {}
    facts = shown["cases 2024-12-01"].find("tr", data_verdict=None)[2].find("details")[0]  # licence.overdue of XK-2024-0917
    assert [(row.find("th")[0].text, row.find("td")[0].text) for row in facts.find("tr")][4:7] == [
        ("期间节假日（不计）", "2024年10月1日至7日"),
        ("期间调休上班日（计入）", "2024年9月29日、10月12日"),
        ("截止时间", "2024年10月24日17:30 20个工作日（按中国法定工作日计算，工作时间9:00–12:00、13:30–17:30）"),
    ]
