"""Verdicts write their explanation when it is first read: the same text as written at once, and
a verdict read back from JSON must bring its own."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from efficiency_rules import Engine, Report, Verdict

ROOT = Path(__file__).resolve().parent
RULESET = ROOT / "data" / "rulesets" / "good" / "clocks.yaml"
CST = dt.timezone(dt.timedelta(hours=8))


def ev(event_id: str, kind: str, at: str, **fields: Any) -> dict[str, Any]:
    return {"id": event_id, "type": kind, "at": at + "+08:00", "case_id": "C1", **fields}


LATE = [
    ev("r", "case.received", "2024-09-20T10:00", matter="licence-x", actor="s1", unit="u1"),
    ev("a", "case.accepted", "2024-09-23T10:00", actor="s2", unit="u1"),
    ev("c", "case.completed", "2024-10-29T11:00"),
]


@pytest.fixture(scope="module")
def report() -> Report:
    return Engine([RULESET]).evaluate(LATE, as_of=dt.datetime(2024, 12, 1, tzinfo=CST))


def test_an_overdue_verdict_is_explained_when_read(report: Report) -> None:
    (verdict,) = [v for v in report.verdicts if v.rule == "licence.overdue"]
    assert verdict._explanation is None  # not written yet
    assert verdict.explanation.message_zh == "办件C1 超过20个工作日期限（2024年10月24日17:30）"
    facts = {fact.en: fact.value for fact in verdict.explanation.facts}
    assert facts["deadline"] == "2024-10-24T17:30+08:00 20wd (china calendar, 09:00-12:00,13:30-17:30)"
    assert facts["days off crossed (not counted)"] == ", ".join(f"2024-10-0{d}" for d in range(1, 8))
    assert verdict._explain is None  # the writer is let go once it has written


def test_a_verdict_dumps_and_reads_back_equal(report: Report) -> None:
    for verdict in report.verdicts:
        raw = verdict.model_dump(mode="json")
        assert raw["explanation"]["message_zh"]
        again = Verdict.model_validate(raw)
        assert again == verdict
        assert again.model_dump(mode="json") == raw
    assert Report.model_validate_json(report.to_json()) == report


def test_a_verdict_read_back_without_its_explanation_is_refused(report: Report) -> None:
    raw = report.verdicts[0].model_dump(mode="json")
    del raw["explanation"]
    with pytest.raises(ValidationError, match=r"explanation\n  Field required"):
        Verdict.model_validate(raw)
    raw["explanation"] = {"message_zh": 3}
    with pytest.raises(ValidationError, match=r"explanation.message_zh\n  Input should be a valid string"):
        Verdict.model_validate(raw)


def test_verdicts_pickle_with_their_explanation(report: Report) -> None:
    fresh = Engine([RULESET]).evaluate(LATE, as_of=dt.datetime(2024, 12, 1, tzinfo=CST))
    copies = pickle.loads(pickle.dumps(fresh.verdicts))
    assert copies == report.verdicts
    assert all(copy._explanation is not None for copy in copies)


def test_the_published_schema_has_the_explanation() -> None:
    schema = Report.json_schema()
    verdict = schema["$defs"]["Verdict"]
    assert "explanation" in verdict["required"]
    assert verdict["properties"]["explanation"]["$ref"] == "#/$defs/Explanation"


HOURLY = """\
id: test.hourly
title: {zh: 每小时扣分（测试用）, en: Hourly points (for tests)}
version: "1"
effective: {from: 2004-01-01}
verdicts:
  late-hour: {kind: violation, points: -1, message: "{thread} 超期第{count}小时（超期{overdue_by}）"}
time_limits:
  reply:
    start: case.accepted
    stop: [case.completed]
    limit: 1wd
    overdue: [{every: 1wh, verdict: late-hour}]
"""


def test_a_verdict_that_repeats_is_given_every_time_however_late(tmp_path: Path) -> None:
    """No cap: a reply 200 working days late gets a verdict for each of its 1,400 working hours late."""
    (tmp_path / "hourly.yaml").write_text(HOURLY, encoding="utf-8")
    engine = Engine([tmp_path / "hourly.yaml"])
    # accepted Monday 2024-09-23 10:00: 1wd is due Tuesday 09-24 17:30; the 200th working day after it is
    # 2025-07-17 (Calendar.add_working_days), whose close is the 1,401st repeat: not before as_of
    report = engine.evaluate(LATE[:2], as_of=dt.datetime(2025, 7, 17, 17, 30, tzinfo=CST))
    late = sorted((v for v in report.verdicts if v.rule == "reply.late-hour"), key=lambda v: v.at)
    assert len(late) == 1400
    assert late[0].at.isoformat() == "2024-09-24T17:30:00+08:00"
    assert late[-1].at.isoformat() == "2025-07-17T16:30:00+08:00"
    assert late[-1].explanation.message_zh == "办件C1 超期第1400小时（超期199个工作日又6小时）"


def test_each_repeat_reads_its_own_count_and_lateness(tmp_path: Path) -> None:
    """A repeat keeps only its number and lateness until its explanation is read: the words are the same."""
    (tmp_path / "hourly.yaml").write_text(HOURLY, encoding="utf-8")
    report = Engine([tmp_path / "hourly.yaml"]).evaluate(LATE[:2], as_of=dt.datetime(2024, 9, 26, 10, 0, tzinfo=CST))
    late = sorted((v for v in report.verdicts if v.rule == "reply.late-hour"), key=lambda v: v.at)
    assert [(v.at.strftime("%m-%d %H:%M"), v.explanation.message_zh) for v in late] == [
        ("09-24 17:30", "办件C1 超期第1小时（超期不足1小时）"),  # given at the deadline: less than one period
        ("09-25 10:00", "办件C1 超期第2小时（超期1小时）"),
        ("09-25 11:00", "办件C1 超期第3小时（超期2小时）"),
        ("09-25 12:00", "办件C1 超期第4小时（超期3小时）"),
        ("09-25 14:30", "办件C1 超期第5小时（超期4小时）"),  # the lunch break does not count
        ("09-25 15:30", "办件C1 超期第6小时（超期5小时）"),
        ("09-25 16:30", "办件C1 超期第7小时（超期6小时）"),
        ("09-25 17:30", "办件C1 超期第8小时（超期1个工作日）"),
    ]
    assert Report.model_validate_json(report.to_json()) == report
    assert pickle.loads(pickle.dumps(late[3])) == late[3]


def test_verdicts_and_case_states_are_ordinary_frozen_models(report: Report) -> None:
    """Their fields are kept compactly (keys shared by all verdicts): still plain dicts to every reader."""
    verdict = report.verdicts[0]
    assert dict(verdict.__dict__) == {name: getattr(verdict, name) for name in verdict.__dict__}
    copied = verdict.model_copy(update={"points": -9.0})
    assert copied.points == -9.0 and verdict.points != -9.0 and copied.id == verdict.id
    with pytest.raises(ValidationError, match="frozen"):
        verdict.points = 1.0  # type: ignore[misc]
    state = report.cases[0]
    assert state.model_dump() == type(state).model_validate(state.model_dump()).model_dump()
    assert state == type(state).model_validate(state.model_dump())
