"""The engine on the example ruleset: exact verdicts, explanations, sessions, streams, the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from efficiency_rules import (
    DuplicateEventError,
    EfficiencyRulesError,
    Engine,
    EventError,
    Session,
)
from efficiency_rules._dedupe import content_digest
from efficiency_rules.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "rulesets" / "examples" / "first-inquiry.yaml"
CST = dt.timezone(dt.timedelta(hours=8))
AS_OF = dt.datetime(2024, 10, 9, tzinfo=CST)


def at(day: int, hour: int = 10, minute: int = 0, month: int = 9) -> str:
    return dt.datetime(2024, month, day, hour, minute, tzinfo=CST).isoformat()


RECEIVED = {"id": "q1", "type": "inquiry.received", "at": at(27), "inquiry_id": "Q1", "in_scope": True, "actor": "s1", "unit": "u1"}
REFERRED = {"id": "q4", "type": "inquiry.referred", "at": at(27, 12), "inquiry_id": "Q3", "actor": "s3", "unit": "u2"}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine([EXAMPLE])


def test_a_verdict_in_full(engine: Engine) -> None:
    (verdict,) = engine.evaluate([REFERRED], as_of=AS_OF).verdicts
    assert verdict.model_dump(mode="json") == {
        "id": "v-067888cbe0908c7e2b55",  # stable: derived from ruleset, version, rule, thread, trigger
        "ruleset": "demo.first-inquiry",
        "ruleset_version": "2024.1",
        "rule": "referral-names-no-unit",
        "kind": "violation",
        "thread": "inquiry:Q3",
        "at": "2024-09-27T12:00:00+08:00",
        "subjects": [{"role": "staff", "id": "s3"}, {"role": "unit", "id": "u2"}],
        "points": -0.5,
        "card": None,
        "sanction": None,
        "cites": [
            {"id": "district-2012-3.2", "citation": "区机关效能建设五项制度 三(二) 首问责任制",
             "text": "对不属于本单位职责范围的，要明确告知有关承办单位。"}
        ],
        "trigger": "q4",
        "explanation": {
            "message_zh": "转办未明确告知承办单位（咨询Q3）",
            "message_en": "Referral named no handling unit (inquiry Q3)",
            "facts": [
                {"zh": "规则", "en": "rule", "value": "referral-names-no-unit (referral-names-no-unit)"},
                {"zh": "触发事件", "en": "event", "value": "inquiry.referred q4 at 2024-09-27T12:00+08:00"},
                {"zh": "条件事实", "en": "fact", "value": "f.to_unit = null"},
            ],
        },
    }


def test_a_missed_expectation_is_dated_at_its_deadline_and_explained(engine: Engine) -> None:
    (verdict,) = engine.evaluate([RECEIVED], as_of=AS_OF).verdicts
    assert verdict.rule == "answer-within-one-day"
    assert verdict.at == dt.datetime(2024, 9, 29, 17, 30, tzinfo=CST)
    assert [(f.en, f.value) for f in verdict.explanation.facts] == [
        ("rule", "answer-within-one-day (answer-within-one-day)"),
        ("started by", "inquiry.received q1 at 2024-09-27T10:00+08:00"),
        ("limit", "1wd (china calendar, 09:00-12:00,13:30-17:30)"),
        ("make-up workdays crossed", "2024-09-29"),
        ("deadline", "2024-09-29T17:30+08:00"),
        ("did not happen by the deadline", "inquiry.answered / inquiry.referred"),
    ]


def test_deadlines_follow_the_local_day_across_midnight(engine: Engine) -> None:
    # Twenty seconds apart, on two days: the deadline of each counts from its own day (the engine
    # remembers the day of the last quarter-hour and the deadline of each day: neither may leak).
    before = {**RECEIVED, "id": "m1", "inquiry_id": "M1", "at": "2024-09-29T23:59:50+08:00"}
    after = {**RECEIVED, "id": "m2", "inquiry_id": "M2", "at": "2024-09-30T00:00:10+08:00"}
    first_of_month = {**RECEIVED, "id": "m3", "inquiry_id": "M3", "at": "2024-09-30T16:00:00Z"}  # 10-01 00:00 local
    verdicts = engine.evaluate([before, after, first_of_month], as_of=AS_OF).verdicts
    assert [(v.thread, v.at.isoformat()) for v in verdicts] == [
        ("inquiry:M1", "2024-09-30T17:30:00+08:00"),  # Sunday 09-29 is a make-up workday; one more is Monday
        ("inquiry:M2", "2024-10-08T17:30:00+08:00"),  # after Monday 09-30 come the National Day days off
        ("inquiry:M3", "2024-10-08T17:30:00+08:00"),
    ]


def test_an_answer_one_minute_late_does_not_help(engine: Engine) -> None:
    late = {"id": "q2", "type": "inquiry.answered", "at": at(29, 17, 31), "inquiry_id": "Q1", "outcome": "handled"}
    assert [v.rule for v in engine.evaluate([RECEIVED, late], as_of=AS_OF).verdicts] == ["answer-within-one-day"]


def test_an_out_of_scope_inquiry_expects_nothing(engine: Engine) -> None:
    assert engine.evaluate([{**RECEIVED, "in_scope": False}], as_of=AS_OF).verdicts == []


def test_events_after_as_of_are_counted_not_judged(engine: Engine) -> None:
    report = engine.evaluate([RECEIVED, {**REFERRED, "at": at(10, month=10)}], as_of=AS_OF)
    assert (report.events, report.ignored_after_as_of) == (1, 1)


def test_the_same_id_with_other_content_is_an_error(engine: Engine) -> None:
    with pytest.raises(EventError, match="q4"):
        engine.evaluate([REFERRED, {**REFERRED, "inquiry_id": "Q9"}], as_of=AS_OF)


def test_a_session_reports_verdicts_as_they_arise(engine: Engine) -> None:
    session = engine.session()
    assert session.add(RECEIVED) == []
    assert [v.rule for v in session.add(REFERRED)] == ["referral-names-no-unit"]
    assert session.advance(dt.datetime(2024, 9, 29, 17, 30, tzinfo=CST)) == []  # on time at the deadline
    assert [v.rule for v in session.advance(dt.datetime(2024, 9, 29, 17, 31, tzinfo=CST))] == ["answer-within-one-day"]


def test_a_session_takes_events_in_time_order(engine: Engine) -> None:
    session = engine.session()
    session.add(REFERRED)
    with pytest.raises(EventError) as info:
        session.add(RECEIVED)
    assert str(info.value) == (
        "event 'q1': dated 2024-09-27T10:00:00+08:00, earlier than events already judged (up to 2024-09-27T12:00:00+08:00): "
        "events are judged in time order (Engine.evaluate sorts them); sort the log, or allow a tolerance"
    )


def test_restoring_on_other_rulesets_is_refused(engine: Engine, tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(EXAMPLE.read_text(encoding="utf-8").replace('version: "2024.1"', 'version: "2024.2"'), encoding="utf-8")
    with pytest.raises(Exception, match=r"snapshot was taken with rulesets \[\['demo.first-inquiry', '2024.1'\]\]"):
        Session.restore(Engine([other]), engine.session().snapshot())



def test_a_session_ignores_a_repeat_and_names_what_a_conflict_changes(engine: Engine) -> None:
    session = engine.session()
    session.add(RECEIVED)
    utc = {**RECEIVED, "at": "2024-09-27T02:00:00Z"}  # the same instant, written in UTC
    assert session.add(utc) == []
    with pytest.raises(DuplicateEventError) as info:
        session.add({**RECEIVED, "actor": "s9"})
    assert str(info.value) == "event 'q1': same id as earlier in this session but different content (differs in 'actor')"
    assert info.value.second.actor == "s9"


def test_snapshots_keep_digests_of_the_events_seen(engine: Engine) -> None:
    session = engine.session()
    session.add(RECEIVED)
    data = json.loads(session.snapshot())
    assert data["format"] == 3
    ((event_id, digest),) = data["state"]["threads"][0]["seen"].items()
    assert (event_id, len(digest)) == ("q1", 16)
    restored = Session.restore(engine, json.dumps(data))
    assert restored.add({**RECEIVED, "at": "2024-09-27T02:00:00Z"}) == []  # a repeat after the restore
    with pytest.raises(DuplicateEventError, match=r"same id as earlier in this session but different content$"):
        restored.add({**RECEIVED, "in_scope": False})
    assert json.loads(restored.snapshot())["format"] == 3


def test_format_1_snapshots_still_restore(engine: Engine) -> None:
    event = engine.parse(RECEIVED)
    old = json.loads(engine.session().snapshot())["state"]  # a format-1 snapshot was its state, with the format in it
    old["format"] = 1
    old["now"] = RECEIVED["at"]
    old["events"] = 1
    old["threads"] = [{
        "key": "inquiry:Q1", "versions": [0], "counts": {"inquiry.received": 1}, "last_at": RECEIVED["at"],
        "seen": {"q1": content_digest(event).hex()}, "emitted": [], "log": [], "firsts": {}, "lasts": {},
        "pending": [["2024-09-29T17:30:00+08:00", "answer-within-one-day", 0, "q1", RECEIVED["at"], "s1", "u1"]],
    }]
    restored = Session.restore(engine, json.dumps(old))
    assert restored.add(RECEIVED) == []
    with pytest.raises(DuplicateEventError):
        restored.add({**RECEIVED, "actor": "s9"})
    assert [v.rule for v in restored.advance(dt.datetime(2024, 9, 30, tzinfo=CST))] == ["answer-within-one-day"]
    # restored from format 1, given another event and taken again: format 3, the old digest marked as such
    later = Session.restore(engine, json.dumps(old))
    later.add({**RECEIVED, "id": "q2"})
    again = json.loads(later.snapshot())
    assert again["format"] == 3
    seen = again["state"]["threads"][0]["seen"]
    assert seen["q1"] == "content:" + content_digest(event).hex()
    assert len(seen["q2"]) == 16
    twice = Session.restore(engine, json.dumps(again))
    assert twice.add(RECEIVED) == [] and twice.add({**RECEIVED, "id": "q2"}) == []
    with pytest.raises(DuplicateEventError):
        twice.add({**RECEIVED, "id": "q2", "actor": "s9"})
    with pytest.raises(EfficiencyRulesError, match=r"^snapshot format 4 is not one this version reads \(1, 2 or 3\)"):
        Session.restore(engine, json.dumps({**old, "format": 4}))


def test_streams_give_the_batch_verdicts_with_bounded_state(engine: Engine) -> None:
    events = [
        {**RECEIVED, "id": f"r{i}", "inquiry_id": f"Q{i}", "at": (dt.datetime(2024, 1, 2, 10, tzinfo=CST) + dt.timedelta(days=3 * i)).isoformat()}
        for i in range(100)
    ]
    as_of = dt.datetime(2024, 12, 31, tzinfo=CST)
    stats: dict[str, Any] = {}
    streamed = list(engine.evaluate_stream(events, as_of=as_of, stats=stats))
    assert sorted(streamed, key=lambda v: (v.at, v.id)) == engine.evaluate(events, as_of=as_of).verdicts
    assert stats == {"events": 100, "ignored_after_as_of": 0, "scores": [], "revocations": [], "revoked": [], "aggregates": []}
    session = engine.session()
    for event in events:
        session.add(event)
    assert session.open_threads <= 12  # threads idle for 30 days with nothing pending are closed


def test_a_stream_puts_small_disorder_right_and_refuses_more(engine: Engine) -> None:
    swapped: list[dict[str, Any]] = [REFERRED, RECEIVED]  # two hours apart
    assert len(list(engine.evaluate_stream(swapped, as_of=AS_OF, tolerance=dt.timedelta(hours=3)))) == 2
    with pytest.raises(EventError) as info:
        list(engine.evaluate_stream(swapped, as_of=AS_OF))
    assert str(info.value).startswith("event 'q1': dated 2024-09-27T10:00:00+08:00, earlier than events already judged")


def test_unknown_backend(engine: Engine) -> None:
    with pytest.raises(ValueError, match="unknown backend 'fast'; choose 'native' or 'durable'"):
        Engine([EXAMPLE], backend="fast")


def test_report_json_and_schema(engine: Engine) -> None:
    report = engine.evaluate([RECEIVED, REFERRED], as_of=AS_OF)
    data = json.loads(report.to_json())
    assert [v["rule"] for v in data["verdicts"]] == ["referral-names-no-unit", "answer-within-one-day"]
    schema = report.json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["required"]) == {"as_of", "rulesets", "verdicts", "events"}


class TestCommandLine:
    def run(self, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
        status = main(list(args))
        out, err = capsys.readouterr()
        return status, out, err

    def test_check_passes_the_shipped_rulesets(self, capsys: pytest.CaptureFixture[str]) -> None:
        status, out, _ = self.run(capsys, "check", str(ROOT / "rulesets"))
        assert status == 0
        assert out.startswith("ok: ")

    def test_check_reports_every_problem(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        bad = tmp_path / "bad.yaml"
        bad.write_text(
            EXAMPLE.read_text(encoding="utf-8")
            .replace("on: inquiry.referred", "on: inquiry.refered")
            .replace('op: ">=", value: 2', "op: 超过, value: 2"),
            encoding="utf-8",
        )
        status, out, err = self.run(capsys, "check", str(bad))
        assert status == 1
        assert out.splitlines() == [
            f"{bad}:27:9: rule 'referral-names-no-unit': unknown event type 'inquiry.refered' — did you mean 'inquiry.referred'?",
            f"{bad}:39:48: rule 'supplement-twice': comparison written in words ('超过'): write op: '>' — 超过 excludes the number (民法典 art. 1259)",
        ]
        assert err == "2 problems in 1 file\n"

    def test_evaluate_table_and_json(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        events = tmp_path / "events.jsonl"
        events.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in (RECEIVED, REFERRED)) + "\n", encoding="utf-8")
        status, out, _ = self.run(capsys, "evaluate", str(EXAMPLE), "--events", str(events), "--as-of", "2024-10-09T00:00+08:00", "--lang", "en")
        assert status == 0
        assert out.splitlines() == [
            "at                        rule                    kind       subjects           points  thread      message",
            "27 September 2024, 12:00  referral-names-no-unit  violation  staff s3, unit u2  -0.5    inquiry Q3  Referral named no handling unit (inquiry Q3)",
            "29 September 2024, 17:30  answer-within-one-day   violation  staff s1, unit u1  -0.5    inquiry Q1  First inquiry not answered within 1 working day",
            "2 verdicts as of 9 October 2024, 00:00",
        ]
        status, out, _ = self.run(capsys, "evaluate", str(EXAMPLE), "--events", str(events), "--as-of", "2024-10-09T00:00+08:00")
        assert status == 0
        assert out.splitlines() == [
            "时间                规则                    类别  对象                    分值  事项    说明",
            "2024年9月27日12:00  referral-names-no-unit  违规  工作人员：s3，单位：u2  -0.5  咨询Q3  转办未明确告知承办单位（咨询Q3）",
            "2024年9月29日17:30  answer-within-one-day   违规  工作人员：s1，单位：u1  -0.5  咨询Q1  首问未在1个工作日内答复",
            "2项结论，截至2024年10月9日00:00",
        ]
        status, out, _ = self.run(capsys, "evaluate", str(EXAMPLE), "--events", str(events), "--as-of", "2024-10-09T00:00+08:00", "--format", "json")
        assert [v["id"] for v in json.loads(out)["verdicts"]] == ["v-067888cbe0908c7e2b55", json.loads(out)["verdicts"][1]["id"]]

    def test_evaluate_reports_an_invalid_line_and_goes_on_when_asked(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        events = tmp_path / "events.jsonl"
        events.write_text(json.dumps(REFERRED) + "\n" + '{"id": "x", "type": "inquiry.refered", "at": "2024-09-27T10:00:00+08:00"}\n', encoding="utf-8")
        status, _, err = self.run(capsys, "evaluate", str(EXAMPLE), "--events", str(events), "--as-of", "2024-10-09T00:00+08:00")
        assert status == 1  # a problem in the input
        assert f"{events}:2, event 'x': unknown event type 'inquiry.refered' — did you mean 'inquiry.referred'?" in err
        status, out, err = self.run(capsys, "evaluate", str(EXAMPLE), "--events", str(events), "--as-of", "2024-10-09T00:00+08:00", "--keep-going")
        assert status == 1
        assert "referral-names-no-unit" in out
        assert err.endswith("efficiency-rules: 1 invalid event(s) not judged\n")

    def test_test_command(self, capsys: pytest.CaptureFixture[str]) -> None:
        from efficiency_rules.testing._scenarios import (
            load_scenario_file,
            scenario_files,
        )

        shipped = sum(len(load_scenario_file(f).scenarios) for f in scenario_files([ROOT / "rulesets"]))
        assert shipped >= 30  # the example, the national rulesets, the source documents' rulesets
        status, out, _ = self.run(capsys, "test", str(ROOT / "rulesets"))
        assert status == 0
        assert out.splitlines()[-1] == f"{shipped} passed, 0 failed"

    def test_test_command_shows_a_failing_scenario(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        (tmp_path / "r.yaml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
        (tmp_path / "r.test.yaml").write_text(
            "rulesets: r.yaml\nscenarios:\n  - name: wrong points\n    as_of: 2024-10-09T00:00:00+08:00\n    given:\n"
            f"      - {json.dumps(REFERRED)}\n    expect:\n      verdicts:\n        - {{rule: referral-names-no-unit, points: -1}}\n",
            encoding="utf-8",
        )
        status, out, _ = self.run(capsys, "test", str(tmp_path))
        assert status == 1
        assert out.splitlines() == [
            f"FAIL {tmp_path / 'r.test.yaml'}:3:5: scenario 'wrong points': FAILED",
            "  - expected  {rule: referral-names-no-unit, points: -1}",
            "    actual    {rule: referral-names-no-unit, points: -0.5}  (differs in points)",
            "  + unexpected {rule: referral-names-no-unit, thread: inquiry:Q3, at: 2024-09-27T12:00:00+08:00, kind: violation, points: -0.5, card: None, subjects: [{'role': 'staff', 'id': 's3'}, {'role': 'unit', 'id': 'u2'}]}",
            "0 passed, 1 failed",
        ]


def test_a_declared_number_field_with_a_string_is_one_clear_error(tmp_path: Path) -> None:
    ruleset = tmp_path / "fees.yaml"
    ruleset.write_text(
        'id: t.fees\ntitle: 收费\nversion: "1"\neffective: {from: 2024-01-01}\n'
        "event_types:\n  fee.collected:\n    fields: {amount: number, item: string}\n"
        "verdicts:\n  v: {kind: violation, message: 乱收费}\n"
        "rules:\n  - {id: r, on: fee.collected, if: {field: item, op: not_in, value: [证照工本费]}, verdict: v}\n",
        encoding="utf-8",
    )
    with pytest.raises(EventError) as caught:
        Engine([ruleset]).parse({"id": "f1", "type": "fee.collected", "at": "2024-09-02T10:00:00+08:00", "amount": "50", "item": "x"})
    assert str(caught.value) == "event 'f1': field 'amount': expected a number, got '50'"
    assert (caught.value.event_id, caught.value.field) == ("f1", "amount")
