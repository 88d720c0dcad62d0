"""Applicant notices: the text a portal shows the applicant, for every state of a case's clock."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from efficiency_rules import EfficiencyRulesError, Engine, UsageError
from efficiency_rules.cli import main

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "examples" / "cases.jsonl"
CST = dt.timezone(dt.timedelta(hours=8))


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day if "T" in day else day + "T00:00").replace(tzinfo=CST)


def case_event(event_id: str, kind: str, when: str, case: str, **fields: Any) -> dict[str, Any]:
    return {"id": event_id, "type": kind, "at": when + "+08:00", "case_id": case, "actor": "a", "unit": "u", **fields}


@pytest.fixture(scope="module")
def licensing() -> tuple[Engine, list[str]]:
    engine = Engine([ROOT / "rulesets" / "cn" / "xzxk.yaml"])
    rejected = [case_event("r1", "case.received", "2024-11-04T09:00", "R-1", matter="construction-permit"),
                case_event("r2", "case.rejected", "2024-11-05T10:00", "R-1")]
    return engine, CASES.read_text(encoding="utf-8").splitlines() + [json.dumps(e) for e in rejected]


NOTICES = [
    ("running", "XK-2024-0917", "2024-10-08",
     "您的申请已于2024年9月23日受理，法定办理期限20个工作日，预计于2024年10月24日前办结（已扣除国庆节假日）。",
     ("Your application was accepted on 23 September 2024. The statutory time limit is 20 working days; a decision is "
     "expected by 24 October 2024 (National Day holiday not counted).")),
    ("extended", "XK-2024-0920", "2024-10-25",
     "您的申请已于2024年9月26日受理，法定办理期限20个工作日，经批准延长10个工作日，预计于2024年11月12日前办结（已扣除国庆节假日）。",
     ("Your application was accepted on 26 September 2024. The statutory time limit is 20 working days, extended by 10 "
     "working days with approval; a decision is expected by 12 November 2024 (National Day holiday not counted).")),
    ("paused", "XK-2024-0918", "2024-10-08",
     ("您的申请已于2024年9月24日受理，法定办理期限20个工作日。因听证，自2024年9月30日起暂停计时，听证所需时间不计入办理期限；"
     "恢复计时后预计办结日期相应顺延。"),
     ("Your application was accepted on 24 September 2024. The statutory time limit is 20 working days. The clock has been "
     "stopped since 30 September 2024 for a hearing, which does not count towards the time limit; the expected date moves "
     "on by the time it takes.")),
    ("overdue", "XK-2024-0917", "2024-10-28",
     "您的申请已于2024年9月23日受理，法定办理期限20个工作日，应于2024年10月24日前办结（已扣除国庆节假日），截至2024年10月28日已超期1个工作日。",
     ("Your application was accepted on 23 September 2024. The statutory time limit is 20 working days; it was due by "
     "24 October 2024 (National Day holiday not counted) and, as of 28 October 2024, is 1 working day overdue.")),
    ("completed on time", "XK-2024-0918", "2024-12-01",
     "您的申请已于2024年9月24日受理，于2024年10月25日办结，未超过法定办理期限20个工作日。",
     ("Your application was accepted on 24 September 2024 and completed on 25 October 2024, within the statutory time "
     "limit of 20 working days.")),
    ("completed on time after an extension", "XK-2024-0920", "2024-12-01",
     "您的申请已于2024年9月26日受理，于2024年11月5日办结，未超过法定办理期限20个工作日（延长10个工作日）。",
     ("Your application was accepted on 26 September 2024 and completed on 5 November 2024, within the statutory time "
     "limit of 20 working days (extended by 10 working days).")),
    ("completed late", "XK-2024-0917", "2024-12-01",
     "您的申请已于2024年9月23日受理，于2024年10月29日办结；法定办理期限20个工作日，应于2024年10月24日前办结，超期2个工作日又1小时。",
     ("Your application was accepted on 23 September 2024 and completed on 29 October 2024, 2 working days 1 hour after the "
     "statutory time limit of 20 working days (due by 24 October 2024).")),
    ("withdrawn", "XK-2024-0922", "2024-12-01",
     "您的申请已于2024年10月8日受理，您已于2024年10月15日撤回申请，办理终止。",
     "Your application was accepted on 8 October 2024; you withdrew it on 15 October 2024, and handling has ended."),
    ("received, not yet accepted", "XK-2024-0924", "2024-11-20T09:30",
     "您的申请已于2024年11月20日收到，正在审查是否受理。",
     "Your application was received on 20 November 2024 and is being examined for acceptance."),
    ("not accepted", "R-1", "2024-12-01",
     "对您的申请已于2024年11月5日作出不予受理决定。",
     "A decision not to accept your application was made on 5 November 2024."),
]


@pytest.mark.parametrize(("state", "case", "as_of", "zh", "en"), NOTICES, ids=[n[0] for n in NOTICES])
def test_the_notice_for_each_state(licensing: tuple[Engine, list[str]], state: str, case: str, as_of: str, zh: str, en: str) -> None:
    engine, events = licensing
    assert engine.notice(events, case=case, as_of=at(as_of)) == zh + "\n"
    assert engine.notice(events, case=case, as_of=at(as_of), language="en") == en + "\n"


def test_waiting_for_the_applicant_s_supplement() -> None:
    engine = Engine([ROOT / "rulesets" / "district" / "five-systems.yaml"])
    events = [case_event("s1", "case.received", "2024-11-04T09:00", "S-1", matter="x"),
              case_event("s2", "case.accepted", "2024-11-04T10:00", "S-1"),
              case_event("s3", "case.supplement_requested", "2024-11-06T10:00", "S-1", items=["图纸"])]
    assert engine.notice(events, case="S-1", as_of=at("2024-11-08")) == (
        "您的申请已于2024年11月4日受理，法定办理期限20个工作日。因需补正材料，自2024年11月6日起暂停计时，请按一次性告知书补齐材料；"
        "收到补正材料后恢复计时。\n")
    assert engine.notice(events, case="S-1", as_of=at("2024-11-08"), language="en") == (
        "Your application was accepted on 4 November 2024. The statutory time limit is 20 working days. The clock has been "
        "stopped since 6 November 2024 while we wait for the materials you were asked to supply; it runs again when we "
        "receive them.\n")


def test_a_promised_limit_shorter_than_the_law_s_is_called_promised(tmp_path: Path) -> None:
    promised = (ROOT / "rulesets" / "cn" / "xzxk.yaml").read_text(encoding="utf-8").replace("    legal: 20wd", "    legal: 30wd")
    assert "legal: 30wd" in promised
    (tmp_path / "promised.yaml").write_text(promised, encoding="utf-8")
    engine = Engine([tmp_path / "promised.yaml"])
    events = CASES.read_text(encoding="utf-8").splitlines()
    assert engine.notice(events, case="XK-2024-0924", as_of=at("2024-12-01")) == (
        "您的申请已于2024年11月20日受理，承诺办理期限20个工作日，预计于2024年12月18日前办结。\n")


def test_no_time_limit_and_no_such_case(licensing: tuple[Engine, list[str]]) -> None:
    engine = Engine([ROOT / "rulesets" / "examples" / "first-inquiry.yaml"])
    events = [case_event("c1", "case.received", "2024-11-04T09:00", "N-1", matter="x")]
    assert engine.notice(events, case="N-1", as_of=at("2024-12-01")) == "该申请不适用办理时限。\n"
    assert engine.notice(events, case="N-1", as_of=at("2024-12-01"), language="en") == "No time limit applies to this application.\n"
    with pytest.raises(EfficiencyRulesError, match="no events of 'case:N-2'"):
        engine.notice(events, case="N-2", as_of=at("2024-12-01"))
    with pytest.raises(UsageError, match="language must be 'zh' or 'en', got 'fr'"):
        engine.notice(events, case="N-1", as_of=at("2024-12-01"), language="fr")


def test_explain_for_the_applicant_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["explain", "XK-2024-0917", "--events", str(CASES), "--ruleset", str(ROOT / "rulesets" / "cn" / "xzxk.yaml"),
            "--as-of", "2024-10-08T00:00+08:00", "--for", "applicant"]
    assert main(args) in (0, None)
    assert capsys.readouterr().out == NOTICES[0][3] + "\n"
    assert main([*args, "--lang", "en"]) in (0, None)
    assert capsys.readouterr().out == NOTICES[0][4] + "\n"


def test_a_petition_overdue_after_a_valid_extension_says_the_extended_limit() -> None:
    engine = Engine([ROOT / "rulesets" / "cn" / "xinfang.yaml"])
    events = [
        case_event("p1", "case.received", "2024-09-02T09:00", "P-1", matter="petition"),
        case_event("p2", "case.accepted", "2024-09-03T10:00", "P-1"),
        case_event("p3", "case.extension_granted", "2024-10-25T10:00", "P-1", duration="30d", approver="agency_head"),
    ]
    report = engine.evaluate(events, as_of=at("2024-12-31"))
    (overdue,) = [v for v in report.verdicts if v.rule == "petition.overdue"]
    assert overdue.explanation.message_zh == "办件P-1 信访事项超过60日（延长30日）办理期限未办结（期限2024年12月2日17:30）"
    assert overdue.explanation.message_en == "case P-1: petition not concluded within 60 days (extended by 30 days) (due 2 December 2024, 17:30)"
    # natural days count the holidays: the notice deducts none
    assert engine.notice(events, case="P-1", as_of=at("2024-11-01")) == (
        "您的申请已于2024年9月3日受理，法定办理期限60日，经批准延长30日，预计于2024年12月2日前办结。\n")
    assert engine.notice(events, case="P-1", as_of=at("2024-12-31")) == (
        "您的申请已于2024年9月3日受理，法定办理期限60日，经批准延长30日，应于2024年12月2日前办结，"
        "截至2024年12月31日已超期28日又6小时30分钟。\n")
