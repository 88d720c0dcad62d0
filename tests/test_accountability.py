"""Accountability: thresholds in windows, ladders, rankings, rates, scores — and revocation, which
changes exactly what depended on the verdict revoked (tests/data/accountability.yaml)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest

from efficiency_rules import Calendar, Engine, Session

DATA = Path(__file__).resolve().parent / "data" / "accountability.yaml"
CST = dt.timezone(dt.timedelta(hours=8))
AS_OF = dt.datetime(2024, 12, 31, tzinfo=CST)


def ev(event_id: str, kind: str, at: str, **fields: Any) -> dict[str, Any]:
    return {"id": event_id, "type": kind, "at": at + "+08:00", **fields}


ORG = [
    ev("o1", "org.unit_leaders", "2024-01-02T09:00", unit="u1", deputy="d1", principal="p1"),
    ev("o2", "org.unit_leaders", "2024-01-02T09:00", unit="u2", deputy="d2", principal="p2"),
    ev("o3", "org.staff_assigned", "2024-01-02T09:00", staff="s1", unit="u1"),
]
LATE = [ev(f"c{i}", "case.completed", f"2024-09-{day:02d}T10:00", case_id=f"C{i}", outcome="late", actor="s1", unit="u1")
        for i, day in enumerate([3, 10, 17, 24])]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine([DATA])


def given(report: Any, rule: str) -> list[tuple[str, str, list[str]]]:
    return [(v.at.isoformat(), v.trigger, [s.id for s in v.subjects]) for v in report.verdicts if v.rule == rule]


def test_an_alarm_once_a_month_when_the_count_reaches_the_threshold(engine: Engine) -> None:
    events = [*ORG] + [ev(f"e{i}", "evaluation.submitted", at, rating="unresolved", target_unit="u1")
                       for i, at in enumerate(["2024-09-05T10:00", "2024-09-20T10:00", "2024-09-25T10:00", "2024-10-03T10:00"])]
    report = engine.evaluate(events, as_of=AS_OF)
    # the second in September (≥ 2); the third adds nothing; October has one
    assert given(report, "unresolved-alarm") == [("2024-09-20T10:00:00+08:00", "e1", ["u1", "d1"])]
    (alarm,) = [v for v in report.verdicts if v.rule == "unresolved-alarm"]
    assert alarm.explanation.message_zh == "单位：u1 当月2个未解决评价，系统报警"
    facts = {f.en: f.value for f in alarm.explanation.facts}
    assert facts["window"] == "2024-09"
    assert facts["counted"] == "e0@2024-09-05T10:00+08:00, e1@2024-09-20T10:00+08:00"


def test_yellow_cards_make_a_red_one_and_offences_climb_the_ladder(engine: Engine) -> None:
    report = engine.evaluate([*ORG, *LATE], as_of=AS_OF)
    late = {v.trigger: v.id for v in report.verdicts if v.rule == "late"}
    assert given(report, "yellow-to-red") == [("2024-09-17T10:00:00+08:00", late["c2"], ["s1"])]
    steps = [(v.trigger, v.sanction) for v in report.verdicts if v.rule == "ladder"]
    assert steps == [(late["c0"], "效能告诫"), (late["c1"], "诫勉谈话"), (late["c2"], "诫勉谈话"), (late["c3"], "诫勉谈话")]


def test_revoking_a_verdict_changes_exactly_what_depended_on_it(engine: Engine) -> None:
    before = engine.evaluate([*ORG, *LATE], as_of=AS_OF)
    late = {v.trigger: v.id for v in before.verdicts if v.rule == "late"}
    revoke = ev("rv", "verdict.revoked", "2024-10-08T10:00", verdict_id=late["c1"], reason="申诉成立")
    after = engine.evaluate([*ORG, *LATE, revoke], as_of=AS_OF)
    assert late["c1"] not in {v.id for v in after.verdicts}
    # the third yellow card is now C3's; the second offence (the first step up the ladder) C2's
    assert given(after, "yellow-to-red") == [("2024-09-24T10:00:00+08:00", late["c3"], ["s1"])]
    assert [(v.trigger, v.sanction) for v in after.verdicts if v.rule == "ladder"] == [
        (late["c0"], "效能告诫"), (late["c2"], "诫勉谈话"), (late["c3"], "诫勉谈话")]
    ((revocation),) = after.revocations
    assert (revocation.verdict_id, revocation.reason, revocation.found) == (late["c1"], "申诉成立", True)
    # u1's score: late 3 x 2 = 6 (the per-rule cap is 6 either way), red card 5 → the same 89 before and after
    score = {s.subject: s for s in after.scores}["u1"]
    assert (score.deductions, score.score, late["c1"] in score.verdicts) == (11.0, 89.0, False)
    unchanged = {v.id for v in before.verdicts} - {v.id for v in after.verdicts}
    # and the rolling count of two late cases in 10 working days now first holds at C2 (09-17, with C0)
    assert {v.rule for v in before.verdicts if v.id in unchanged} == {"late", "yellow-to-red", "ladder", "twice-in-ten-days"}


def test_last_place_twice_running_and_top_three(engine: Engine) -> None:
    rankings = [
        ev("r1", "ranking.published", "2024-08-01T10:00", period="2024-07", metric="on_time_rate", order=["u2", "x", "y", "u1"]),
        ev("r2", "ranking.published", "2024-09-02T10:00", period="2024-08", metric="on_time_rate", order=["u2", "x", "y", "u1"]),
        ev("r3", "ranking.published", "2024-10-08T10:00", period="2024-09", metric="on_time_rate", order=["u1", "x", "y", "u2"]),
    ]
    report = engine.evaluate([*ORG, *rankings], as_of=AS_OF)
    assert given(report, "last-twice") == [("2024-09-02T10:00:00+08:00", "r2", ["u1", "p1", "d1"])]
    assert sorted((t, s[0]) for _, t, s in given(report, "top-three")) == [
        ("r1", "u2"), ("r1", "x"), ("r1", "y"), ("r2", "u2"), ("r2", "x"), ("r2", "y"), ("r3", "u1"), ("r3", "x"), ("r3", "y")]
    # +2 for each top-three place: x and y three times, u2 twice, u1 once; equal scores share a rank
    assert {s.subject: (s.score, s.rank) for s in report.scores} == {"x": (106.0, 1), "y": (106.0, 1), "u2": (104.0, 3), "u1": (102.0, 4)}


def test_a_rate_below_target_at_the_end_of_the_period_with_a_minimum_sample(engine: Engine) -> None:
    ratings = [("u1", "satisfied"), ("u1", "unresolved"), ("u1", "unsatisfied"), ("u2", "unresolved"), ("u2", "unresolved")]
    events = [*ORG] + [ev(f"e{i}", "evaluation.submitted", f"2024-09-{5 + i:02d}T10:00", rating=rating, target_unit=unit)
                       for i, (unit, rating) in enumerate(ratings)]
    report = engine.evaluate(events, as_of=AS_OF)
    # u1: 1 of 3 satisfied (33.3 % < 90 %), judged when September ends; u2: 2 ratings, under the minimum sample of 3
    assert given(report, "satisfaction") == [("2024-10-01T00:00:00+08:00", "rate-2024-09", ["u1"])]
    (low,) = [v for v in report.verdicts if v.rule == "satisfaction"]
    assert {f.en: f.value for f in low.explanation.facts}["rate"] == "1/3 = 33.3%"
    # u1's unsatisfied rating is a one-vote veto: the lowest grade whatever the score
    score = {s.subject: s for s in report.scores}["u1"]
    assert (score.score, score.grade, score.vetoed) == (99.0, "不合格", True)
    assert {s.subject: s.grade for s in report.scores}["u2"] == "合格"


def test_still_slow_after_an_interview_and_a_rolling_window(engine: Engine) -> None:
    interview = ev("i1", "interview.held", "2024-09-05T10:00", subject="u1")
    report = engine.evaluate([*ORG, *LATE, interview], as_of=AS_OF)
    late = {v.trigger: v.id for v in report.verdicts if v.rule == "late"}
    # the first late case after the interview (C1, 09-10) within its 3 months; C0 came before it
    assert given(report, "still-slow") == [("2024-09-10T10:00:00+08:00", late["c1"], ["u1", "p1"])]
    # two late cases within 10 working days: at C1 (C0 and C1); the count stays at 2 or more, so no other
    assert given(report, "twice-in-ten-days") == [("2024-09-10T10:00:00+08:00", late["c1"], ["u1"])]


def test_people_move_verdicts_follow_them_to_their_unit_of_the_day(engine: Engine) -> None:
    move = ev("o4", "org.staff_assigned", "2024-09-16T09:00", staff="s1", unit="u2")
    case = ev("c9", "case.completed", "2024-09-20T10:00", case_id="C9", outcome="late", actor="s1")  # no unit given
    report = engine.evaluate([*ORG, move, LATE[0], case], as_of=AS_OF)
    scores = {s.subject: s for s in report.scores}
    assert (scores["u1"].deductions, scores["u2"].deductions) == (2.0, 2.0)


def test_sessions_and_restores_give_the_same_report(engine: Engine) -> None:
    events = sorted([*ORG, *LATE, ev("i1", "interview.held", "2024-09-05T10:00", subject="u1"),
                     ev("e1", "evaluation.submitted", "2024-09-06T10:00", rating="unresolved", target_unit="u1")],
                    key=lambda e: (e["at"], e["id"]))
    session = engine.session()
    for event in events[:5]:
        session.add(event)
    resumed = Session.restore(engine, session.snapshot())
    for event in events[5:]:
        resumed.add(event)
    assert resumed.report(AS_OF) == engine.evaluate(events, as_of=AS_OF)


def test_a_periodic_duty_missed_is_judged_when_the_week_ends(engine: Engine) -> None:
    events = [
        *ORG,
        ev("a1", "duty.assigned", "2024-09-02T09:00", holder="s1", duty="weekly_reception"),  # a Monday
        ev("h1", "reception.held", "2024-09-04T15:00", actor="s1"),  # week 36: done
        ev("h2", "reception.held", "2024-09-19T15:00", actor="s1"),  # week 38: done; week 37 (09-09..15) none
    ]
    report = engine.evaluate(events, as_of=dt.datetime(2024, 9, 30, 12, 0, tzinfo=CST))
    # weeks 37 and 39 (09-23..29) were missed; week 40 has not ended at as_of
    assert given(report, "weekly-reception") == [
        ("2024-09-16T00:00:00+08:00", "duty-2024-W37", ["s1"]),
        ("2024-09-30T00:00:00+08:00", "duty-2024-W39", ["s1"]),
    ]
    # the missed weeks count against s1's unit
    assert {s.subject: s.deductions for s in report.scores}["u1"] == 2.0


def test_accountability_runs_on_verdicts_alone(engine: Engine) -> None:
    # no organisation, ranking or counted event: counters of verdicts and scores still work
    report = engine.evaluate(LATE[:3], as_of=AS_OF)
    assert {v.rule for v in report.verdicts} >= {"late", "yellow-to-red", "ladder"}
    # the late verdicts name u1 (−6); the red card is against s1 alone, and without organisation
    # events nothing says s1's unit: it does not count for u1
    assert [(s.subject, s.score) for s in report.scores] == [("u1", 94.0)]


def test_a_repeating_threshold_fires_at_every_multiple(engine: Engine, tmp_path: Path) -> None:
    text = DATA.read_text(encoding="utf-8").replace(
        'when: {counter: yellow, op: ">=", value: 3}', 'when: {counter: yellow, op: ">=", value: 2, repeat: true}')
    assert "repeat: true" in text
    path = tmp_path / "repeat.yaml"
    path.write_text(text, encoding="utf-8")
    report = Engine([path]).evaluate([*ORG, *LATE], as_of=AS_OF)
    late = {v.trigger: v.id for v in report.verdicts if v.rule == "late"}
    assert [t for _, t, _ in given(report, "yellow-to-red")] == [late["c1"], late["c3"]]  # the 2nd and the 4th


def test_sums_and_a_threshold_held_two_months_running(engine: Engine) -> None:
    october = [ev(f"d{i}", "case.completed", f"2024-10-{day:02d}T10:00", case_id=f"D{i}", outcome="late", actor="s1", unit="u1")
               for i, day in enumerate([9, 16, 23])]
    report = engine.evaluate([*ORG, *LATE[:3], *october], as_of=AS_OF)
    # late verdicts cost 2 each: September 6, October 6 — at least 6 two months running, judged when October ends
    assert given(report, "heavy-months") == [("2024-11-01T00:00:00+08:00", "periods-2024-09..2024-10", ["u1"])]
    (alarm,) = [v for v in report.verdicts if v.rule == "heavy-months"]
    assert {f.en: f.value for f in alarm.explanation.facts}["periods running"] == "2024-09: 6, 2024-10: 6"
    # one month short of it: nothing
    assert given(engine.evaluate([*ORG, *LATE[:3], *october[:2]], as_of=AS_OF), "heavy-months") == []


def test_after_event_windows_each_count_the_items_of_their_own_period(engine: Engine) -> None:
    # interviews of u1 every three weeks, late cases every nine days: each interview's three months
    # overlap the next ones'; the first late case after each interview (within them) is still slow
    def day(start: str, days: int) -> str:
        return (dt.datetime.fromisoformat(start) + dt.timedelta(days=days)).isoformat()

    lates = [ev(f"c{i:02d}", "case.completed", day("2024-01-05T10:00", 9 * i), case_id=f"C{i:02d}", outcome="late", actor="s1",
                unit="u1") for i in range(38)]
    interviews = [ev(f"i{k:02d}", "interview.held", day("2024-01-03T15:00", 21 * k), subject="u1") for k in range(16)]
    report = engine.evaluate([*ORG, *lates, *interviews], as_of=AS_OF)
    late = {v.trigger: v for v in report.verdicts if v.rule == "late"}
    calendar = Calendar.china()
    expected = []
    for interview in interviews:
        at = dt.datetime.fromisoformat(interview["at"])
        end = calendar.deadline(at, "3mo")
        first = next((v for v in sorted(late.values(), key=lambda v: v.at) if at < v.at <= end), None)
        if first is not None:
            expected.append((f"after {interview['id']}", first.id))
    got = [({f.en: f.value for f in v.explanation.facts}["window"], v.trigger) for v in report.verdicts if v.rule == "still-slow"]
    assert sorted(got) == sorted(expected) and len(expected) == 16


def test_rankings_and_score_ranks_over_many_units(engine: Engine) -> None:
    units = [f"u{n:02d}" for n in range(1, 41)]

    def key(k: int, unit: str) -> str:
        return hashlib.sha256(f"{k}:{unit}".encode()).hexdigest()

    orders = [sorted(units, key=lambda unit: key(k, unit)) for k in range(12)]
    for order in orders[3:5]:  # u07 last twice running: it changes places with the last
        i = order.index("u07")
        order[i], order[-1] = order[-1], order[i]
    rankings = [ev(f"r{k:02d}", "ranking.published", f"2024-{k + 1:02d}-03T10:00", period=f"2024-{k + 1:02d}",
                   metric="on_time_rate", order=order) for k, order in enumerate(orders)]
    report = engine.evaluate([*ORG, *rankings], as_of=AS_OF)
    # last twice running: counted from each unit's streak of last places, which starts again after a verdict
    streak: dict[str, int] = {}
    expected = []
    for ranking in rankings:
        unit = ranking["order"][-1]
        streak = {unit: streak.get(unit, 0) + 1}
        if streak[unit] == 2:
            expected.append((ranking["id"], unit))
            streak = {}
    assert [(v.trigger, v.thread) for v in report.verdicts if v.rule == "last-twice"] == [(r, f"unit:{u}") for r, u in expected]
    assert ("r04", "u07") in expected
    places = [f.value for v in report.verdicts if v.rule == "last-twice" for f in v.explanation.facts if f.en == "ranking"]
    assert places[expected.index(("r04", "u07"))] == "on_time_rate 2024-05: 40/40"
    # ranks: 1 + how many scored more in the period; equal scores share a rank
    scores = report.scores
    assert len({s.score for s in scores}) < len(scores) < 45
    for score in scores:
        assert score.rank == 1 + sum(1 for other in scores if other.period == score.period and other.score > score.score)
    assert [s.rank for s in scores] == sorted(s.rank for s in scores)
