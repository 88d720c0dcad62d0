"""Aggregates: statistics of case clocks and shares of threads per subject per period, against a bound.

The made-up ruleset tests/data/rulesets/good/aggregates.yaml has one entry of each kind. Working-day
clocks do not count the day they start on (docs/time-limits.md): a case accepted Monday 09:00 and
completed Wednesday 09:00 has run 1 working day (Tuesday).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from efficiency_rules import Engine, RulesetError, Session, SnapshotError
from efficiency_rules.testing.strategies import event_histories

ROOT = Path(__file__).resolve().parents[1]
RULESET = ROOT / "tests" / "data" / "rulesets" / "good" / "aggregates.yaml"
ENGINE = Engine([RULESET])
CST = dt.timezone(dt.timedelta(hours=8))
AS_OF = dt.datetime(2024, 12, 1, tzinfo=CST)
OCTOBER = "2024-10-01T00:00:00+08:00"


def case(cid: str, unit: str, actor: str, accepted: str, done: str, matter: str | None = None,
         stop: str = "case.completed") -> list[dict[str, Any]]:
    start: dict[str, Any] = {"id": f"{cid}-a", "type": "case.accepted", "at": accepted + "+08:00", "case_id": cid,
                             "unit": unit, "actor": actor}
    if matter is not None:
        start["matter"] = matter
    return [start, {"id": f"{cid}-d", "type": stop, "at": done + "+08:00", "case_id": cid}]


# u1 (s1), September 2024: 1 + 4 + 7 + 8 working days
U1 = [
    *case("C1", "u1", "s1", "2024-09-02T09:00", "2024-09-04T09:00"),  # Tue: 1, on time
    *case("C2", "u1", "s1", "2024-09-02T09:00", "2024-09-06T09:00"),  # Tue-Thu... 4 (to Fri 09:00 is 3 + Fri morning)
    *case("C3", "u1", "s1", "2024-09-03T09:00", "2024-09-13T09:00"),  # Wed 4 .. Thu 12: 7, late
    *case("C5", "u1", "s1", "2024-09-02T09:00", "2024-09-12T09:00"),  # Tue 3 .. Wed 11: 7
]
U2 = case("C4", "u2", "s2", "2024-09-02T09:00", "2024-09-04T09:00")  # 1, on time, alone
LEADERS = [{"id": "o1", "type": "org.unit_leaders", "at": "2024-01-02T09:00:00+08:00", "unit": "u1", "deputy": "d1",
            "principal": "p1"}]


def rows(report: Any, rule: str) -> dict[str, Any]:
    return {row.subject: row for row in report.aggregates if row.rule == rule}


def test_a_mean_at_the_bound_fails_a_strict_bound_with_its_arithmetic_and_cases() -> None:
    report = ENGINE.evaluate([*LEADERS, *U1, *U2], as_of=AS_OF)
    by_case = {c.thread: c.elapsed_days for c in report.cases}
    assert [by_case[f"case:C{i}"] for i in (1, 2, 3, 5)] == [1.0, 3.0, 7.0, 7.0]  # Fri 09:00 is 3 days on
    u1 = rows(report, "mean-time")["u1"]
    assert (u1.value, u1.count, u1.judged, u1.holds, u1.unit, u1.period) == (4.5, 4, True, True, "working_days", "2024-09")
    # one more late case: (1 + 3 + 7 + 7 + 7) / 5 = 5, not below 5
    late = case("C6", "u1", "s1", "2024-09-03T09:00", "2024-09-13T09:00")
    report = ENGINE.evaluate([*LEADERS, *U1, *U2, *late], as_of=AS_OF)
    (verdict,) = [v for v in report.verdicts if v.rule == "mean-time"]
    assert verdict.thread == "unit:u1" and verdict.at == dt.datetime.fromisoformat(OCTOBER) and verdict.points == -2
    assert [(s.role, s.id) for s in verdict.subjects] == [("unit", "u1"), ("principal", "p1")]
    assert verdict.explanation.message_zh == "单位：u1 2024年9月平均办理时间5个工作日，未低于5个工作日（5件）"
    assert verdict.explanation.message_en == "unit u1: mean time 5 working days in September 2024, not below 5 working days (5 cases)"
    facts = {f.en: f.value for f in verdict.explanation.facts}
    assert facts["arithmetic"] == "(1 + 3 + 7 + 7 + 7) / 5 = 5"
    assert facts["counted"] == "case:C1 (1), case:C2 (3), case:C3 (7), case:C5 (7), case:C6 (7)"
    assert facts["bound"] == "< 5 working_days" and facts["window"] == "2024-09"
    row = rows(report, "mean-time")["u1"]
    assert (row.value, row.holds, row.verdict) == (5.0, False, verdict.id)
    assert row.threads == ["case:C1", "case:C2", "case:C3", "case:C5", "case:C6"]
    assert row.message_zh == "单位：u1 2024年9月平均办理时间：5件，5个工作日，未低于5个工作日"


def test_too_few_cases_leave_the_period_unjudged_and_the_report_says_so() -> None:
    report = ENGINE.evaluate([*U1, *U2], as_of=AS_OF)
    u2 = rows(report, "mean-time")["u2"]
    assert (u2.count, u2.min_cases, u2.judged, u2.holds, u2.verdict, u2.value) == (1, 2, False, None, None, 1.0)
    assert u2.message_zh == "单位：u2 2024年9月平均办理时间：仅1件，少于2件，样本不足，不作评判（数值1个工作日，仅供参考）"
    assert u2.message_en == ("unit u2, September 2024: Mean handling time: only 1 counted, fewer than 2; too few to judge "
                             "(value 1 working day, for information)")
    assert u2.message_zh in report.table()
    assert u2.message_en in report.table(language="en")


def test_share_on_time_and_the_percentile_of_a_member_of_staff() -> None:
    report = ENGINE.evaluate([*U1, *U2], as_of=AS_OF)
    on_time = rows(report, "on-time-rate")
    assert (on_time["u1"].value, on_time["u1"].holds, on_time["u2"].value, on_time["u2"].holds) == (50.0, False, 100.0, True)
    verdicts = {v.rule: v for v in report.verdicts}
    assert verdicts["on-time-rate"].explanation.message_zh == "单位：u1 2024年9月按时办结率50%，未达到80%"
    assert {f.en: f.value for f in verdicts["on-time-rate"].explanation.facts}["arithmetic"] == "2 / 4 = 50%"
    # nearest rank: ceil(90% x 4) = 4th of 1, 3, 7, 7
    tail = verdicts["tail-by-staff"]
    assert tail.thread == "staff:s1" and tail.kind == "warning"
    assert tail.explanation.message_zh == "工作人员：s1 2024年9月第90百分位办理时间7个工作日，未低于4个工作日"
    assert {f.en: f.value for f in tail.explanation.facts}["arithmetic"] == (
        "nearest rank ceil(90% x 4) = 4: the 4th of 4 in order = 7")


def test_the_median_of_a_matter_in_its_own_measure_and_no_one_to_blame_but_the_matter() -> None:
    quick = [
        *case("Q1", "u3", "s3", "2024-09-02T09:00", "2024-09-02T17:30", "quick"),  # 0
        *case("Q2", "u3", "s3", "2024-09-03T09:00", "2024-09-09T09:00", "quick"),  # Wed 4 .. Fri 6: 3
        *case("Q3", "u3", "s3", "2024-09-04T09:00", "2024-09-12T09:00", "quick"),  # Thu 5 .. Wed 11: 5
        *case("Q4", "u3", "s3", "2024-07-01T09:00", "2024-07-10T09:00", "quick"),  # Tue 2 .. Tue 9: 6
    ]
    natural = case("N1", "u4", "s4", "2024-09-05T09:00", "2024-09-08T21:00", "natural")  # 3.5 natural days
    report = ENGINE.evaluate([*quick, *natural], as_of=AS_OF)
    median = rows(report, "median-by-matter")
    assert (median["quick"].period, median["quick"].value, median["quick"].holds) == ("2024-Q3", 4.0, False)
    assert (median["natural"].unit, median["natural"].value, median["natural"].holds) == ("days", 3.5, False)
    given = {v.thread: v for v in report.verdicts if v.rule == "median-by-matter"}
    assert given["matter:quick"].subjects == [] and given["matter:quick"].at == dt.datetime.fromisoformat(OCTOBER)
    assert given["matter:quick"].explanation.message_zh == "事项quick 2024年第3季度办理时间中位数4个工作日，超过3个工作日"
    assert given["matter:natural"].explanation.message_zh == "事项natural 2024年第3季度办理时间中位数3.5日，超过3日"
    assert {f.en: f.value for f in given["matter:quick"].explanation.facts}["arithmetic"] == (
        "the 2nd and 3rd of 4 in order: (3 + 5) / 2 = 4")


def test_cases_in_two_measures_are_not_averaged_together() -> None:
    mixed = [*case("M1", "u5", "s5", "2024-09-02T09:00", "2024-09-04T09:00", "quick"),
             *case("M2", "u5", "s5", "2024-09-02T09:00", "2024-09-05T09:00", "natural")]
    row = rows(ENGINE.evaluate(mixed, as_of=AS_OF), "mean-time")["u5"]
    assert (row.judged, row.value, row.count) == (False, None, 2)
    assert row.message_zh == "单位：u5 2024年9月平均办理时间：计入的2件办件计时口径不一（工作日与自然日），不作评判"


def test_only_completed_clocks_count_in_the_period_they_stopped_in_once_it_has_ended() -> None:
    events = [
        *case("W1", "u6", "s6", "2024-09-02T09:00", "2024-09-05T09:00", stop="case.withdrawn"),
        *case("R1", "u6", "s6", "2024-09-02T09:00", "2024-09-05T09:00", stop="case.rejected"),
        *case("K1", "u6", "s6", "2024-09-26T09:00", "2024-10-08T09:00"),  # stops in October
        *case("K2", "u6", "s6", "2024-11-04T09:00", "2024-11-06T09:00"),  # November: not over at as_of
    ]
    events.append({"id": "open", "type": "case.accepted", "at": "2024-09-02T09:00:00+08:00", "case_id": "K3", "unit": "u6"})
    report = ENGINE.evaluate(events, as_of=dt.datetime(2024, 11, 20, tzinfo=CST))
    assert [(r.rule, r.period, r.threads) for r in report.aggregates if r.rule == "on-time-rate"] == [
        ("on-time-rate", "2024-10", ["case:K1"])]


def test_a_share_counts_the_threads_of_events_where_they_hold() -> None:
    """evaluation.submitted names no thread: each evaluation is its own (event:<id>)."""
    def rating(eid: str, at: str, value: str) -> dict[str, Any]:
        return {"id": eid, "type": "evaluation.submitted", "at": at + "+08:00", "rating": value, "target_unit": "u1"}

    events = [rating("r1", "2024-09-02T10:00", "unsatisfied"), rating("r2", "2024-09-20T10:00", "satisfied"),
              rating("r3", "2024-09-03T10:00", "unsatisfied"), rating("r4", "2024-09-04T10:00", "unresolved"),
              rating("r5", "2024-09-05T10:00", "basically_satisfied")]
    report = ENGINE.evaluate(events, as_of=AS_OF)
    row = rows(report, "satisfaction")["u1"]
    assert (row.threads, row.count, row.unit, row.value, row.holds) == (
        ["event:r1", "event:r2", "event:r3", "event:r5"], 4, "percent", 25.0, False)
    (verdict,) = report.verdicts
    assert verdict.explanation.message_zh == "单位：u1 2024年9月满意率25%，未达到50%（4件）"
    assert {f.en: f.value for f in verdict.explanation.facts}["arithmetic"] == "1 / 4 = 25%"
    more = [*events, rating("r6", "2024-09-25T10:00", "satisfied")]
    (verdict,) = ENGINE.evaluate(more, as_of=AS_OF).verdicts  # 2 / 5
    assert verdict.explanation.message_zh == "单位：u1 2024年9月满意率40%，未达到50%（5件）"
    report = ENGINE.evaluate([*more, rating("r7", "2024-09-26T10:00", "satisfied")], as_of=AS_OF)  # 3 / 6: at the bound
    assert (rows(report, "satisfaction")["u1"].value, rows(report, "satisfaction")["u1"].holds, report.verdicts) == (50.0, True, [])


def test_a_thread_rated_again_counts_its_last_rating() -> None:
    engine = Engine([ROOT / "rulesets" / "shijiazhuang" / "efficiency-revolution-2019.yaml"])
    ratings = [{"id": f"e{i}", "type": "petition.evaluated", "at": f"2019-05-{i + 1:02d}T10:00:00+08:00", "case_id": f"P{i}",
                "rating": "satisfied" if i < 8 else "unsatisfied", "unit": "信访局"} for i in range(10)]
    as_of = dt.datetime(2020, 2, 1, tzinfo=CST)
    before = engine.evaluate(ratings, as_of=as_of)
    assert [(r.value, r.holds) for r in before.aggregates] == [(80.0, False)]
    again = {"id": "e8b", "type": "petition.evaluated", "at": "2019-12-30T10:00:00+08:00", "case_id": "P8",
             "rating": "satisfied", "unit": "信访局"}
    after = engine.evaluate([*ratings, again], as_of=as_of)
    assert [(r.value, r.holds, r.count) for r in after.aggregates] == [(90.0, True, 10)] and after.verdicts == []


def test_many_cases_are_named_by_count_and_digest() -> None:
    events = [e for i in range(25) for e in case(f"D{i:02d}", "u7", "s7", "2024-09-02T09:00", "2024-09-13T09:00")]
    report = ENGINE.evaluate(events, as_of=AS_OF)
    row = rows(report, "mean-time")["u7"]
    expected = hashlib.blake2b("\n".join(f"case:D{i:02d}" for i in range(25)).encode(), digest_size=8).hexdigest()
    assert row.digest == expected and len(row.threads) == 25
    (verdict,) = [v for v in report.verdicts if v.rule == "mean-time"]
    facts = {f.en: f.value for f in verdict.explanation.facts}
    assert facts["counted"] == f"25 (blake2b {expected} of the sorted ids; Report.aggregates lists them)"
    assert facts["arithmetic"] == "(200) / 25 = 8"


def test_a_revoked_aggregate_verdict_counts_nowhere() -> None:
    late = case("C6", "u1", "s1", "2024-09-03T09:00", "2024-09-13T09:00")
    first = ENGINE.evaluate([*U1, *late], as_of=AS_OF)
    (mean,) = [v for v in first.verdicts if v.rule == "mean-time"]
    revoke = {"id": "rv", "type": "verdict.revoked", "at": "2024-10-10T09:00:00+08:00", "verdict_id": mean.id, "reason": "复核"}
    report = ENGINE.evaluate([*U1, *late, revoke], as_of=AS_OF)
    assert mean.id not in {v.id for v in report.verdicts}
    assert [r.found for r in report.revocations] == [True]


BAD = {
    "op": ({"op": "低于"}, "a bound is compared with <, <=, > or >= (低于 is '<', 以上 is '>='); got '低于' (write '<')"),
    "value": ({"value": "90%"}, "a mean's bound is a number of days in the clock's measure, such as 20"),
    "share value": ({"statistic": "on_time", "value": 90}, "a share's bound is a percentage such as '90%'"),
    "p": ({"p": 90}, "'p' (such as 90) goes with statistic 'percentile', and only with it"),
    "time limit": ({"cases": {"time_limit": "licenc"}}, "no time limit 'licenc' in this ruleset — did you mean 'licence'?"),
    "both": ({"events": {"event": "evaluation.submitted"}},
             "an aggregate reads exactly one of 'cases' (case clocks of a time limit) or 'events' (threads)"),
    "share of cases": ({"statistic": "share", "value": "90%"}, "'share' and 'satisfying' read threads' events ('events')"),
    "verdict": ({"verdict": "slo"}, "unknown verdict 'slo' — did you mean 'slow'?"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_aggregate_is_refused_with_what_was_expected(name: str, tmp_path: Path) -> None:
    import yaml

    change, message = BAD[name]
    spec = yaml.safe_load(RULESET.read_text(encoding="utf-8"))
    spec["accountability"]["aggregates"][0].update(change)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        Engine([path])
    assert message in str(info.value)
    assert "aggregate 'mean-time'" in str(info.value)


def test_a_share_needs_its_condition(tmp_path: Path) -> None:
    import yaml

    spec = yaml.safe_load(RULESET.read_text(encoding="utf-8"))
    del spec["accountability"]["aggregates"][4]["satisfying"]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulesetError, match="a 'share' needs 'satisfying'"):
        Engine([path])


def test_a_snapshot_keeps_the_figures_of_closed_cases_and_refuses_bad_ones() -> None:
    engine = Engine([RULESET], retention=dt.timedelta(days=1))
    events = sorted([*U1, *U2], key=lambda e: (e["at"], e["id"]))
    session = engine.session()
    for event in events:
        session.add(event)
    session.advance(dt.datetime(2024, 9, 20, tzinfo=CST))  # the cases close: only their figures are kept
    assert session.open_threads == 0
    data = session.snapshot()
    state = json.loads(data)
    assert sorted(row[0] for row in state["state"]["aggregate_figures"]) == ["case:C1", "case:C2", "case:C3", "case:C4", "case:C5"]
    restored = Session.restore(engine, data)
    assert restored.report(AS_OF).aggregates == engine.evaluate(events, as_of=AS_OF).aggregates
    state["state"]["aggregate_figures"][0][8] = "three days"
    with pytest.raises(SnapshotError, match=r"aggregate_figures\[0\].*expected \[thread, ruleset"):
        Session.restore(engine, json.dumps(state))


def test_a_session_without_aggregates_writes_the_snapshot_it_wrote_before() -> None:
    engine = Engine([ROOT / "tests" / "data" / "rulesets" / "good" / "clocks.yaml"], retention=dt.timedelta(days=1))
    session = engine.session()
    for event in sorted(U2, key=lambda e: e["at"]):
        session.add(event)
    session.advance(dt.datetime(2024, 9, 20, tzinfo=CST))
    assert "aggregate_figures" not in json.loads(session.snapshot())["state"]


SLOW = settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], deadline=None)
HISTORIES = event_histories(ENGINE, max_events=40, threads=12, start=dt.datetime(2024, 8, 26, 9, 0, tzinfo=CST), days=50,
                            ties=True)


@SLOW
@given(HISTORIES, st.randoms(use_true_random=False), st.integers(0, 40))
def test_every_path_gives_the_batch_aggregates(events: list[dict[str, Any]], rnd: random.Random, cut: int) -> None:
    """Batch in any order, a session restored part way, one holding events for a tolerance, and a stream agree."""
    engine = Engine([RULESET], retention=dt.timedelta(days=3))  # threads close while the history runs
    batch = engine.evaluate(events, as_of=AS_OF)
    shuffled = list(events)
    rnd.shuffle(shuffled)
    assert engine.evaluate(shuffled, as_of=AS_OF) == batch
    session = engine.session()
    for i, event in enumerate(sorted(events, key=lambda e: (dt.datetime.fromisoformat(e["at"]), e["id"]))):
        if i == cut:
            session = Session.restore(engine, session.snapshot())
        session.add(event)
    assert session.report(AS_OF) == batch
    held = Session(engine, tolerance=dt.timedelta(days=60))
    for event in shuffled:
        held.add(event)
    assert held.report(AS_OF).aggregates == batch.aggregates
    stats: dict[str, Any] = {}
    streamed = list(engine.evaluate_stream(shuffled, as_of=AS_OF, tolerance=dt.timedelta(days=60), stats=stats))
    assert sorted(streamed, key=lambda v: (v.at, v.id)) == batch.verdicts
    assert stats["aggregates"] == batch.aggregates


def test_dask_gives_the_batch_aggregates() -> None:
    pytest.importorskip("dask")
    import dask.bag as db

    from efficiency_rules import dask as on_dask

    events = [*LEADERS, *U1, *U2, *case("C6", "u1", "s1", "2024-09-03T09:00", "2024-09-13T09:00")]
    batch = ENGINE.evaluate(events, as_of=AS_OF)
    assert any(v.rule == "mean-time" for v in batch.verdicts)
    report = on_dask.evaluate([str(RULESET)], db.from_sequence(events, npartitions=3), as_of=AS_OF, partitions=2).to_report()
    assert report.aggregates == batch.aggregates
    assert report.verdicts == batch.verdicts


def test_the_policy_book_writes_each_aggregate_in_words() -> None:
    from efficiency_rules import load_ruleset
    from efficiency_rules._book import book_markdown

    book = book_markdown([load_ruleset("shijiazhuang.efficiency-revolution-2019")]).splitlines()
    assert ("- 问责 `power-low-voltage-average`「低压业扩平均接电时间」：单位每年，业扩接电（power-low-voltage）期间内办结的办件的"
            "平均用时须低于20日；不足5件的期间不作评判。") in book
    assert ("- 问责 `petition-satisfaction-rate`「信访事项办理满意率」：单位每年，信访事项办理满意度评价（每件取期间内最后一条）"
            "中符合条件的比例须达到90%；不足10件的期间不作评判。") in book
    made_up = book_markdown([load_ruleset(RULESET)]).splitlines()
    assert any(line.endswith("：工作人员每月，许可办理期间内办结的办件的用时第90百分位数须低于4日（按各办件时限的计时口径，工作日或自然日）；"
                             "不足1件的期间不作评判。")
               for line in made_up)


def test_a_scenario_expecting_another_figure_fails_and_says_which(tmp_path: Path) -> None:
    from efficiency_rules.testing import run_scenario_file

    scenario = {
        "rulesets": [str(RULESET)],
        "scenarios": [{"name": "mean", "as_of": "2024-12-01T00:00:00+08:00", "given": [*U1, *U2],
                       "expect": {"only": False, "aggregates": [{"rule": "mean-time", "subject": "u1", "value": 4.6}]}}],
    }
    path = tmp_path / "mean.test.yaml"
    path.write_text(json.dumps(scenario, ensure_ascii=False), encoding="utf-8")
    (result,) = run_scenario_file(path)
    assert not result.passed
    assert "expected aggregate  {rule: mean-time, subject: u1, value: 4.6}" in result.diff
    assert "actual aggregate    {rule: mean-time, subject: u1, value: 4.5}  (differs in value)" in result.diff


def test_a_workbook_has_a_sheet_of_aggregates_when_the_report_has_some(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    report = ENGINE.evaluate([*U1, *U2], as_of=AS_OF)
    book = openpyxl.load_workbook(report.to_xlsx(tmp_path / "report.xlsx"))
    assert book.sheetnames == ["结论", "办件时钟", "得分", "撤销", "统计指标"]
    table = [[cell.value for cell in row] for row in book["统计指标"].iter_rows()]
    assert table[0] == ["期间", "指标", "对象", "数值", "单位", "界限", "件数", "已评判", "达标", "说明"]
    assert ["2024年9月", "mean-time", "单位：u2", 1, "工作日", "< 5", 1, "否", None,
            "单位：u2 2024年9月平均办理时间：仅1件，少于2件，样本不足，不作评判（数值1个工作日，仅供参考）"] in table
    files = report.to_csv(tmp_path / "csv", language="en")
    assert sorted(f.name for f in files) == ["aggregates.csv", "case_clocks.csv", "revocations.csv", "scores.csv", "verdicts.csv"]
    clocks_only = Engine([ROOT / "tests" / "data" / "rulesets" / "good" / "clocks.yaml"]).evaluate(U2, as_of=AS_OF)
    assert "统计指标" not in openpyxl.load_workbook(clocks_only.to_xlsx(tmp_path / "plain.xlsx")).sheetnames


def test_a_state_store_gives_the_batch_aggregates() -> None:
    from efficiency_rules.stores import SQLiteStore

    engine = Engine([RULESET], retention=dt.timedelta(days=1))
    events = sorted([*LEADERS, *U1, *U2, *case("C6", "u1", "s1", "2024-09-03T09:00", "2024-09-13T09:00")],
                    key=lambda e: (e["at"], e["id"]))
    batch = engine.evaluate(events, as_of=AS_OF)
    with SQLiteStore(engine, ":memory:") as store:
        for event in events:
            store.add(event)
        store.advance(dt.datetime(2024, 10, 20, tzinfo=CST))
        report = store.report(AS_OF)
    assert report.aggregates == batch.aggregates and report.verdicts == batch.verdicts
    assert any(row.verdict for row in report.aggregates)


def test_a_figure_is_shown_to_one_place_unless_that_would_show_the_bound() -> None:
    from fractions import Fraction

    from efficiency_rules._aggregates import _shown

    assert [_shown(Fraction(v), Fraction(20)) for v in ("23.45", "23.44", "20", "19.96", "20.04", "19.9999")] == [
        "23.5", "23.4", "20", "19.96", "20.04", "19.9999"]
    assert _shown(Fraction(17, 19) * 100, Fraction(90)) == "89.5"
    assert _shown(Fraction(8999, 100), Fraction(90)) == "89.99"


def test_only_an_aggregates_verdict_may_name_its_figures(tmp_path: Path) -> None:
    import yaml

    spec = yaml.safe_load(RULESET.read_text(encoding="utf-8"))
    spec["verdicts"]["other"] = {"kind": "violation", "message": "{thread} 平均{figure}"}
    path = tmp_path / "other.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulesetError, match=r"verdict 'other': unknown placeholder \{figure\} in message"):
        Engine([path])
