"""What-if comparison: the same events under old and new rulesets, checked against cases worked out by hand
on the calendar (a weekend, the 2025 National Day week with its make-up Saturday)."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from efficiency_rules import CaseChange, Comparison, Engine, UsageError, compare
from efficiency_rules.cli import main

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "compare"
OLD = DATA / "registration-3wd.yaml"
NEW = DATA / "registration-1wd.yaml"
EVENTS = DATA / "events.jsonl"
CST = dt.timezone(dt.timedelta(hours=8))
AS_OF = dt.datetime(2025, 4, 1, 12, 0, tzinfo=CST)
BEFORE_CUTS = ROOT / "examples" / "compare" / "efficiency-revolution-2019-before-cuts.yaml"
SJZ = "shijiazhuang.efficiency-revolution-2019"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


# -- a 3-working-day limit cut to 1, with points and monthly scores ----------------------------------------------
#
# BDS-1 accepted Friday 7 March 2025 10:00, completed Tuesday 11 March 15:00: 3 working days end Wednesday
#   12 March 17:30 (on time), 1 working day ends Monday 10 March 17:30 (late): made late.
# BDS-2 accepted and completed Monday 10 March: on time under both; its deadline moves from Thursday 13 March to
#   Tuesday 11 March 17:30, its status stays.
# BDS-3 accepted Thursday 13 March 11:00, completed Thursday 20 March 10:00: late under both (deadlines Tuesday
#   18 March and Friday 14 March 17:30): the same verdict, its time moved.
# BDS-4 accepted Friday 28 March 14:00, still open on 1 April 12:00: running under 3 working days (Wednesday
#   2 April 17:30), overdue under 1 (Monday 31 March 17:30): made late, for another unit.
# Scores, March 2025, 2 points a late case: 不动产登记中心 98 (BDS-3) → 96 (BDS-1, BDS-3); 二分中心 none → 98.


@pytest.fixture(scope="module")
def cut() -> Comparison:
    return compare(OLD, NEW, EVENTS, as_of=AS_OF)


def test_the_cases_made_late_with_both_deadlines(cut: Comparison) -> None:
    assert cut.cases == [
        CaseChange(thread="case:BDS-1", ruleset="demo.registration", time_limit="registration",
                   matter="commodity-housing-sale-registration", unit="不动产登记中心", change="late",
                   old_status="completed_on_time", new_status="completed_late", old_limit="3wd", new_limit="1wd",
                   old_deadline=at("2025-03-12T17:30+08:00"), new_deadline=at("2025-03-10T17:30+08:00"),
                   stopped_at=at("2025-03-11T15:00+08:00")),
        CaseChange(thread="case:BDS-4", ruleset="demo.registration", time_limit="registration",
                   matter="commodity-housing-sale-registration", unit="二分中心", change="late",
                   old_status="running", new_status="overdue", old_limit="3wd", new_limit="1wd",
                   old_deadline=at("2025-04-02T17:30+08:00"), new_deadline=at("2025-03-31T17:30+08:00"), stopped_at=None),
    ]
    assert (cut.cases_compared, cut.deadlines_moved) == (4, 2)


def test_verdicts_added_removed_and_changed(cut: Comparison) -> None:
    assert (cut.old_verdicts, cut.new_verdicts, cut.unchanged) == (1, 3, 0)
    assert [(v.thread, v.at) for v in cut.added] == [
        ("case:BDS-1", at("2025-03-10T17:30+08:00")), ("case:BDS-4", at("2025-03-31T17:30+08:00"))]
    assert cut.removed == []
    assert [(c.old.thread, c.fields, c.old.at, c.new.at) for c in cut.changed] == [
        ("case:BDS-3", ["at"], at("2025-03-18T17:30+08:00"), at("2025-03-14T17:30+08:00"))]
    assert {v.ruleset_version for v in cut.added} == {"2019.1"}
    assert [(t.ruleset, t.rule, t.added, t.removed, t.changed) for t in cut.by_rule] == [
        ("demo.registration", "registration.registration-late", 2, 0, 1)]
    assert [(t.key, t.added, t.removed, t.changed, t.made_late, t.made_on_time) for t in cut.by_unit] == [
        ("不动产登记中心", 1, 0, 1, 1, 0), ("二分中心", 1, 0, 0, 1, 0)]
    assert [(t.key, t.added, t.changed, t.made_late) for t in cut.by_month] == [("2025-03", 2, 1, 2)]


def test_score_changes_per_unit_and_month(cut: Comparison) -> None:
    assert [(s.subject, s.period, s.old_score, s.new_score, s.delta, s.old_deductions, s.new_deductions,
             s.old_rank, s.new_rank) for s in cut.scores] == [
        ("不动产登记中心", "2025-03", 98, 96, -2, 2, 4, 1, 2),
        ("二分中心", "2025-03", None, 98, -2, 0, 2, None, 1),
    ]


def test_the_reverse_comparison_undoes_the_cut(cut: Comparison) -> None:
    back = compare(NEW, OLD, EVENTS, as_of=AS_OF)
    assert [(c.thread, c.change, c.old_deadline, c.new_deadline) for c in back.cases] == [
        (c.thread, "on_time", c.new_deadline, c.old_deadline) for c in cut.cases]
    assert [v.id for v in back.removed] == [v.id for v in cut.added]
    assert back.added == []
    assert [s.delta for s in back.scores] == [2, 2]


def test_identical_rulesets_compare_empty() -> None:
    same = compare([OLD], [OLD], EVENTS, as_of=AS_OF)
    assert same.empty
    assert (same.unchanged, same.cases_compared, same.deadlines_moved) == (1, 4, 0)
    assert (same.by_rule, same.by_unit, same.by_month) == ([], [], [])
    assert same.table().splitlines()[-1] == "两组规则集给出的结论、办件状态和得分完全相同"


def test_events_given_as_a_list_or_a_file_compare_the_same(cut: Comparison) -> None:
    events = [json.loads(line) for line in EVENTS.read_text(encoding="utf-8").splitlines()]
    assert compare(OLD, NEW, iter(events), as_of=AS_OF) == cut


# -- the Shijiazhuang catalogue before and after its 2019 cuts --------------------------------------------------
#
# BDS-1 commodity-housing sale registration (3 → 1 working day): accepted Friday 7 March 2025 10:00, completed
#   Tuesday 11 March 15:00; deadlines Wednesday 12 March and Monday 10 March 17:30.
# YR-1 heat-supply filing (7 → 2): accepted Monday 9 June 09:30, completed Thursday 12 June 10:00; deadlines
#   Wednesday 18 June and Wednesday 11 June 17:30.
# GJJ-1 housing-fund loan (10 → 7): accepted Monday 29 September 10:00, completed Friday 17 October 11:00. Working
#   days: 30 September (1), 1–8 October off (National Day and Mid-Autumn), 9 (2), 10 (3), Saturday 11 October,
#   a make-up workday (4), 13 (5), 14 (6), 15 (7) → Wednesday 15 October 17:30; then 16, 17, 20 (10) → Monday
#   20 October 17:30.
# SJ-1 water connection (25 working days, not cut): completed in 2 working days, the same under both.

SJZ_EVENTS = [
    {"id": "bds-1a", "type": "case.accepted", "at": "2025-03-07T10:00+08:00", "case_id": "BDS-1",
     "matter": "commodity-housing-sale-registration", "unit": "不动产登记中心", "actor": "w-1"},
    {"id": "bds-1c", "type": "case.completed", "at": "2025-03-11T15:00+08:00", "case_id": "BDS-1"},
    {"id": "yr-1a", "type": "case.accepted", "at": "2025-06-09T09:30+08:00", "case_id": "YR-1",
     "matter": "heat-supply-filing", "unit": "住建局", "actor": "w-2"},
    {"id": "yr-1c", "type": "case.completed", "at": "2025-06-12T10:00+08:00", "case_id": "YR-1"},
    {"id": "gjj-1a", "type": "case.accepted", "at": "2025-09-29T10:00+08:00", "case_id": "GJJ-1",
     "matter": "housing-fund-loan", "unit": "住房公积金管理中心", "actor": "w-3"},
    {"id": "gjj-1c", "type": "case.completed", "at": "2025-10-17T11:00+08:00", "case_id": "GJJ-1"},
    {"id": "sj-1a", "type": "case.accepted", "at": "2025-06-09T09:30+08:00", "case_id": "SJ-1",
     "matter": "water-connection", "unit": "水务局", "actor": "w-4"},
    {"id": "sj-1c", "type": "case.completed", "at": "2025-06-11T09:30+08:00", "case_id": "SJ-1"},
]
END_2025 = dt.datetime(2026, 1, 1, tzinfo=CST)


def test_the_shijiazhuang_cuts_make_exactly_the_hand_computed_cases_late() -> None:
    cuts = compare(BEFORE_CUTS, SJZ, SJZ_EVENTS, as_of=END_2025)
    assert [(c.thread, c.time_limit, c.unit, c.change, c.old_limit, c.new_limit, c.old_deadline, c.new_deadline)
            for c in cuts.cases] == [
        ("case:BDS-1", "real-estate", "不动产登记中心", "late", "3wd", "1wd",
         at("2025-03-12T17:30+08:00"), at("2025-03-10T17:30+08:00")),
        ("case:YR-1", "utility", "住建局", "late", "7wd", "2wd", at("2025-06-18T17:30+08:00"), at("2025-06-11T17:30+08:00")),
        ("case:GJJ-1", "housing-fund", "住房公积金管理中心", "late", "10wd", "7wd",
         at("2025-10-20T17:30+08:00"), at("2025-10-15T17:30+08:00")),
    ]
    assert (len(cuts.added), len(cuts.removed), len(cuts.changed), cuts.unchanged) == (3, 0, 0, 0)
    assert [(t.rule, t.added) for t in cuts.by_rule] == [
        ("housing-fund.housing-fund-late", 1), ("real-estate.real-estate-late", 1), ("utility.utility-late", 1)]
    assert [(t.key, t.made_late) for t in cuts.by_month] == [("2025-03", 1), ("2025-06", 1), ("2025-10", 1)]
    assert (cuts.cases_compared, cuts.deadlines_moved) == (4, 0)
    assert cuts.added[2].explanation.message_zh == "住房公积金贷款超过办结时限7个工作日（截止2025年10月15日17:30）"
    # the worked example's file (docs/compare.md) holds these very events
    shipped = ROOT / "examples" / "compare" / "cuts.jsonl"
    assert [json.loads(line) for line in shipped.read_text(encoding="utf-8").splitlines()] == SJZ_EVENTS


# -- the command line ------------------------------------------------------------------------------------------

TABLE_ZH = """\
原规则集：demo.registration（2018.1版）
新规则集：demo.registration（2019.1版）
截至2025年4月1日12:00，判定7个事件；结论原1项、新3项：新增2项，减少0项，变化1项，未变0项
办件时钟4个：由按时变为超期2个，由超期变为按时0个，其他状态变化0个；另有2个截止时间改变而状态未变

按规则
规则集             规则                            新增结论  减少结论  变化结论
demo.registration  registration.registration-late  2         0         1

按单位
单位            新增结论  减少结论  变化结论  变为超期的办件  变为按时的办件
不动产登记中心  1         0         1         1               0
二分中心        1         0         0         1               0

按月份
月份       新增结论  减少结论  变化结论  变为超期的办件  变为按时的办件
2025年3月  2         0         1         2               0

状态改变的办件（2个）
办件       时限          事项                                 单位            原状态    新状态    原期限     新期限     原截止时间          新截止时间          办结时间
办件BDS-1  registration  commodity-housing-sale-registration  不动产登记中心  按时办结  超期办结  3个工作日  1个工作日  2025年3月12日17:30  2025年3月10日17:30  2025年3月11日15:00
办件BDS-4  registration  commodity-housing-sale-registration  二分中心        办理中    已超期    3个工作日  1个工作日  2025年4月2日17:30   2025年3月31日17:30  -

得分变化（2项）
期间       对象                  原得分  新得分  增减  原等次  新等次  原名次  新名次
2025年3月  单位：不动产登记中心  98      96      -2    -       -       1       2
2025年3月  单位：二分中心        -       98      -2    -       -       -       1

新增的结论（2项）
时间                规则                            类别  对象                                分值  事项       说明
2025年3月10日17:30  registration.registration-late  违规  工作人员：s1，单位：不动产登记中心  -2    办件BDS-1  不动产登记超过办结时限1个工作日（截止2025年3月10日17:30）
2025年3月31日17:30  registration.registration-late  违规  工作人员：s9，单位：二分中心        -2    办件BDS-4  不动产登记超过办结时限1个工作日（截止2025年3月31日17:30）

变化的结论（1项）
规则                            事项       变化内容
registration.registration-late  办件BDS-3  时间：2025年3月18日17:30→2025年3月14日17:30
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["compare", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_prints_the_comparison_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, str(OLD), str(NEW), "--events", str(EVENTS), "--as-of", "2025-04-01T12:00+08:00")
    assert (status, err) == (0, "")
    assert out == TABLE_ZH


def test_cli_in_english_with_rows_capped(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, str(OLD), str(NEW), "--events", str(EVENTS), "--as-of", "2025-04-01T12:00+08:00",
                         "--lang", "en", "--rows", "1")
    assert status == 0
    lines = out.splitlines()
    assert lines[2] == ("as of 1 April 2025, 12:00, 7 events judged; 1 verdict before, 3 now: "
                        "2 added, 0 removed, 1 changed, 0 unchanged")
    start = lines.index("Cases whose status changed (2)")
    assert lines[start + 2].split() == [
        "case", "BDS-1", "registration", "commodity-housing-sale-registration", "不动产登记中心", "completed", "on",
        "time", "completed", "late", "3", "working", "days", "1", "working", "day", "12", "March", "2025,", "17:30",
        "10", "March", "2025,", "17:30", "11", "March", "2025,", "15:00"]
    assert lines[start + 3] == "… and 1 more case"
    assert "… and 1 more score" in lines
    assert "time: 18 March 2025, 17:30 → 14 March 2025, 17:30" in lines[-1]


def test_cli_identical_rulesets(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, str(OLD), str(OLD), "--events", str(EVENTS), "--as-of", "2025-04-01T12:00+08:00")
    assert status == 0
    assert out.splitlines()[2:] == [
        "截至2025年4月1日12:00，判定7个事件；结论原1项、新1项：新增0项，减少0项，变化0项，未变1项",
        "办件时钟4个：由按时变为超期0个，由超期变为按时0个，其他状态变化0个；另有0个截止时间改变而状态未变",
        "两组规则集给出的结论、办件状态和得分完全相同",
    ]


def test_cli_json_is_the_comparison(capsys: pytest.CaptureFixture[str], cut: Comparison) -> None:
    status, out, _ = run(capsys, str(OLD), str(NEW), "--events", str(EVENTS), "--as-of", "2025-04-01T12:00+08:00",
                         "--format", "json")
    assert status == 0
    assert Comparison.model_validate_json(out) == cut
    schema = Comparison.json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert {"added", "removed", "changed", "cases", "scores", "by_rule", "by_unit", "by_month"} <= set(schema["properties"])


def test_cli_loads_several_rulesets_a_side(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, f"{BEFORE_CUTS}+shijiazhuang.accountability-2019",
                         f"{SJZ},shijiazhuang.accountability-2019", "--events", str(EVENTS),
                         "--as-of", "2025-04-01T12:00+08:00", "--rows", "0")
    assert status == 0
    assert out.splitlines()[:2] == [
        "原规则集：shijiazhuang.efficiency-revolution-2019（2019.0-before-cuts版）、shijiazhuang.accountability-2019（2019.1版）",
        "新规则集：shijiazhuang.efficiency-revolution-2019（2019.1版）、shijiazhuang.accountability-2019（2019.1版）",
    ]
    assert "办件时钟4个：由按时变为超期2个" in out


def test_cli_errors_and_exit_codes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    as_of = ("--as-of", "2025-04-01T12:00+08:00")
    status, _, err = run(capsys, f"{OLD}++x.yaml", str(NEW), "--events", str(EVENTS), *as_of)
    assert status == 2 and "empty ruleset between its '+' or ','" in err
    status, _, err = run(capsys, str(OLD), str(NEW), "--events", str(EVENTS), "--as-of", "2025-04-01T12:00")
    assert status == 2 and "has no UTC offset" in err
    status, _, err = run(capsys, str(OLD), str(NEW), "--events", str(EVENTS), *as_of, "--format", "xlsx")
    assert status == 2 and "--format xlsx needs --output FILE" in err
    bad = tmp_path / "bad.jsonl"
    bad.write_text(EVENTS.read_text(encoding="utf-8") + '{"id":"x","type":"case.accepted","at":"2025-03-07","case_id":"X"}\n',
                   encoding="utf-8")
    status, _, err = run(capsys, str(OLD), str(NEW), "--events", str(bad), *as_of)
    assert status == 1 and ":8" in err and "efficiency-rules: error:" in err
    status, _, err = run(capsys, str(OLD), str(NEW), "--events", str(EVENTS), *as_of, "--format", "xlsx",
                         "--output", str(tmp_path / "missing" / "x.xlsx"))
    if importlib.util.find_spec("openpyxl") is None:  # the README's test install has no excel extra
        assert status == 2 and "writing xlsx needs openpyxl: install the extra with pip install 'efficiency-rules[excel]'" in err
    else:
        assert status == 4 and "cannot write" in err


def test_api_errors() -> None:
    with pytest.raises(UsageError, match="timezone-aware"):
        compare(OLD, NEW, EVENTS, as_of=dt.datetime(2025, 4, 1))
    with pytest.raises(UsageError, match="no rulesets on one side"):
        compare([], NEW, EVENTS, as_of=AS_OF)
    engine = Engine([OLD])
    one = engine.evaluate([], as_of=AS_OF)
    other = engine.evaluate([], as_of=AS_OF + dt.timedelta(days=1))
    with pytest.raises(UsageError, match="as of different times"):
        Comparison.of(one, other)
    with pytest.raises(UsageError, match="rows must be 0 or more"):
        Comparison.of(one, one).table(rows=-1)


# -- spreadsheets --------------------------------------------------------------------------------------------


def test_csv_and_xlsx(cut: Comparison, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = cut.to_csv(tmp_path / "csv")
    assert [f.name for f in files] == ["按规则.csv", "按单位.csv", "按月份.csv", "办件状态变化.csv", "得分变化.csv", "结论变化.csv"]
    with (tmp_path / "csv" / "办件状态变化.csv").open(encoding="utf-8-sig", newline="") as sheet:
        rows = list(csv.reader(sheet))
    assert rows[1] == ["办件BDS-1", "registration", "commodity-housing-sale-registration", "不动产登记中心", "按时办结", "超期办结",
                       "3个工作日", "1个工作日", "2025-03-12 17:30", "2025-03-10 17:30", "2025-03-11 15:00"]
    pytest.importorskip("openpyxl")
    from openpyxl import load_workbook

    status, _, err = run(capsys, str(OLD), str(NEW), "--events", str(EVENTS), "--as-of", "2025-04-01T12:00+08:00",
                         "--format", "xlsx", "--output", str(tmp_path / "c.xlsx"), "--lang", "en")
    assert status == 0 and "comparison written to" in err
    book = load_workbook(tmp_path / "c.xlsx")
    assert book.sheetnames == ["by rule", "by unit", "by month", "case status changes", "score changes", "verdict changes"]
    scores = list(book["score changes"].iter_rows(values_only=True))
    assert scores[1:] == [("March 2025", "unit 不动产登记中心", 98, 96, -2, None, None, 1, 2),
                          ("March 2025", "unit 二分中心", None, 98, -2, None, None, None, 1)]
    cases = list(book["case status changes"].iter_rows(values_only=True))
    assert cases[2][8:11] == (dt.datetime(2025, 4, 2, 17, 30), dt.datetime(2025, 3, 31, 17, 30), None)


# -- properties ----------------------------------------------------------------------------------------------

BEFORE = Engine([BEFORE_CUTS])
AFTER = Engine([SJZ])
CUT_MATTERS = ("commodity-housing-sale-registration", "existing-housing-transfer-registration", "heat-supply-filing",
               "housing-fund-loan", "vehicle-change-registration", "temporary-id-card", "petition-general",
               "information-disclosure", "gas-connection-household", "water-connection")
FIRST = dt.datetime(2025, 9, 1, 9, 0, tzinfo=CST)
HISTORY_AS_OF = dt.datetime(2025, 12, 1, tzinfo=CST)


@st.composite
def case_histories(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A few cases of the matters the cuts touch (and one they do not): received and accepted, then completed,
    withdrawn or still open, at any minute within two months of 1 September 2025 (the National Day week inside)."""
    events: list[dict[str, Any]] = []
    for n in range(draw(st.integers(1, 6))):
        case = {"case_id": f"C{n}", "unit": draw(st.sampled_from(("u1", "u2"))), "actor": "s1"}
        matter = draw(st.sampled_from(CUT_MATTERS))
        received = FIRST + dt.timedelta(minutes=draw(st.integers(0, 60 * 24 * 60)))
        accepted = received + dt.timedelta(minutes=draw(st.integers(0, 3 * 24 * 60)))
        events.append({"id": f"C{n}-r", "type": "case.received", "at": received.isoformat(), "matter": matter, **case})
        events.append({"id": f"C{n}-a", "type": "case.accepted", "at": accepted.isoformat(), "matter": matter, **case})
        end = draw(st.sampled_from(("case.completed", "case.withdrawn", None)))
        if end is not None:
            stopped = accepted + dt.timedelta(minutes=draw(st.integers(0, 40 * 24 * 60)))
            events.append({"id": f"C{n}-e", "type": end, "at": stopped.isoformat(), **case})
    return events


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], deadline=None)
@given(case_histories(), st.randoms(use_true_random=False))
def test_a_cut_only_tightens_and_every_verdict_is_accounted_for(events: list[dict[str, Any]], rnd: Any) -> None:
    old = BEFORE.evaluate(events, as_of=HISTORY_AS_OF)
    new = AFTER.evaluate(events, as_of=HISTORY_AS_OF)
    same = Comparison.of(new, new)
    assert same.empty and same.unchanged == len(new.verdicts)
    diff = Comparison.of(old, new)
    assert diff.old_verdicts == diff.unchanged + len(diff.changed) + len(diff.removed)
    assert diff.new_verdicts == diff.unchanged + len(diff.changed) + len(diff.added)
    # shorter limits: nothing late becomes on time, no verdict goes, and a case made late has an earlier deadline
    assert diff.removed == [] and all(c.change == "late" for c in diff.cases)
    assert all(c.new_deadline is not None and c.old_deadline is not None and c.new_deadline < c.old_deadline
               for c in diff.cases)
    assert sum(t.made_late for t in diff.by_unit) == len(diff.cases)
    back = Comparison.of(new, old)
    assert [v.id for v in back.removed] == [v.id for v in diff.added]
    # one semantics: the events in any order give the same comparison
    shuffled = list(events)
    rnd.shuffle(shuffled)
    assert compare([BEFORE_CUTS], [SJZ], shuffled, as_of=HISTORY_AS_OF) == diff


# -- the worked example ----------------------------------------------------------------------------------------


def test_the_seed_003_example_runs() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "compare" / "seed_003_cuts.py"), "--cases", "300", "--format", "json"],
        capture_output=True, text=True, check=False, encoding="utf-8",
    )
    assert done.returncode == 0, done.stderr
    year = Comparison.model_validate_json(done.stdout)
    assert year.cases and all(c.change == "late" for c in year.cases)
    assert year.removed == []
    # every case made late has its new late verdict, dated at the new deadline
    late_at = {v.thread: v.at for v in year.added}
    assert all(late_at[c.thread] == c.new_deadline for c in year.cases)
