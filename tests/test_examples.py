"""The shipped examples run and print what they promise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_portal_deadlines_example() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "portal_deadlines.py"), str(ROOT / "examples" / "events.jsonl"),
         "--as-of", "2024-11-20T09:00+08:00"],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "as of 2024-11-20T09:00:00+08:00",
        "case           matter                      limit  accepted          deadline          status",
        "BDC-2024-7730  housing_sale_registration     1wd  2024-10-09 10:30  2024-10-10 17:30  completed late, 1 working day(s) over",
        "GK-2024-0311   disclosure                   20wd  2024-09-25 09:30  2024-10-28 17:30  completed late, 1 working day(s) over",
        "QY-2024-5521   enterprise_registration     2.5wd  2024-09-27 15:00  2024-10-08 14:00  completed on time",
        "XK-2024-0917   licence                      20wd  2024-09-23 10:00  2024-10-24 17:30  completed on time",
        "XK-2024-1102   licence                      20wd  2024-10-30 11:00  2024-11-27 17:30  running, 5 working day(s) left",
    ]


def test_the_readme_example_judges_the_shipped_events(capsys) -> None:  # type: ignore[no-untyped-def]
    from efficiency_rules.cli import main

    status = main([
        "evaluate", str(ROOT / "rulesets" / "examples" / "first-inquiry.yaml"),
        "--events", str(ROOT / "examples" / "inquiries.jsonl"), "--as-of", "2024-10-09T00:00+08:00",
    ])
    assert status == 0
    assert capsys.readouterr().out.splitlines() == [
        "时间              规则                    类别       对象                          分值  事项",
        "2024-09-27 11:40  referral-names-no-unit  violation  staff:m-031, unit:市场监管局  -0.5  inquiry:ZX-0927-03",
        "2024-09-29 17:30  answer-within-one-day   violation  staff:w-017, unit:审批局      -0.5  inquiry:ZX-0927-01",
        "2024-09-30 10:00  supplement-twice        warning    staff:w-017, unit:审批局      -     case:XK-2024-0917",
        "3 项结论，截至 2024-10-09 00:00",
    ]


def test_the_readme_main_job_prints_verdicts_and_case_states(capsys) -> None:  # type: ignore[no-untyped-def]
    from efficiency_rules.cli import main

    status = main([
        "evaluate", str(ROOT / "rulesets" / "cn" / "xzxk.yaml"),
        "--events", str(ROOT / "examples" / "cases.jsonl"), "--as-of", "2024-12-01T00:00+08:00",
    ])
    assert status == 0
    assert capsys.readouterr().out.splitlines() == [
        '时间              规则                   类别       对象                                 分值  事项',
        '2024-10-08 17:30  licence.late-notice    violation  staff:w-wang, unit:transport-bureau  -     case:XK-2024-0919',
        '2024-10-21 10:00  licence.bad-pause      violation  staff:w-li, unit:market-bureau       -     case:XK-2024-0923',
        '2024-10-24 17:30  licence.overdue        violation  unit:housing-bureau                  -     case:XK-2024-0917',
        '2024-10-28 17:30  licence.overdue        violation  unit:transport-bureau                -     case:XK-2024-0919',
        '2024-10-30 17:30  licence.overdue        violation  unit:market-bureau                   -     case:XK-2024-0921',
        '2024-10-31 10:00  licence.bad-extension  violation  staff:w-li, unit:market-bureau       -     case:XK-2024-0921',
        '2024-11-05 17:30  licence.overdue        violation  unit:market-bureau                   -     case:XK-2024-0923',
        '2024-11-12 17:30  deliver-within-10wd    violation  unit:housing-bureau                  -     case:XK-2024-0917',
        '8 项结论，截至 2024-12-01 00:00',
        '',
        '办件               时限     状态      期限  截止时间          已用       剩余       超期',
        'case:XK-2024-0917  licence  超期办结  20wd  2024-10-24 17:30  22.1429wd  0wd        2.1429wd',
        'case:XK-2024-0918  licence  按时办结  20wd  2024-10-29 17:30  17.7857wd  2.2143wd   -',
        'case:XK-2024-0919  licence  超期办结  20wd  2024-10-28 17:30  36.7857wd  0wd        16.7857wd',
        'case:XK-2024-0920  licence  按时办结  20wd  2024-11-12 17:30  24.2857wd  5.7143wd   -',
        'case:XK-2024-0921  licence  超期办结  20wd  2024-10-30 17:30  21.6429wd  0wd        1.6429wd',
        'case:XK-2024-0922  licence  撤回      20wd  2024-11-04 17:30  5.1429wd   14.8571wd  -',
        'case:XK-2024-0923  licence  超期办结  20wd  2024-11-05 17:30  22.1429wd  0wd        2.1429wd',
        'case:XK-2024-0924  licence  计时中    20wd  2024-12-18 17:30  7wd        13wd       -',
        '8 个办件时钟',
    ]


def test_a_synthetic_year_gives_scores_that_trace_verdict_by_verdict() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("accountability_year", ROOT / "examples" / "accountability_year.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    _, report = module.year_report(cases=400, units=5, seed=3)
    verdicts = {v.id: v for v in report.verdicts}
    year = [s for s in report.scores if s.period == "2024"]
    assert {s.subject for s in year} >= {"行政审批局", "市场监管局"}  # every unit of the organisation is scored
    assert {v.rule for v in report.verdicts} >= {"licence.overdue", "licence-days.late-day", "inquiry-unanswered-points"}
    for score in year:
        counted = [verdicts[i] for i in score.verdicts]  # each id is a verdict of the report
        assert all(v.ruleset == "county.points-table" for v in counted)
        deducted = -sum(v.points for v in counted if v.points is not None and v.points < 0)
        added = sum(v.points for v in counted if v.points is not None and v.points > 0)
        assert score.deductions == min(deducted, 100)  # the county's 扣完为止
        assert score.score == 100 - score.deductions + added
        assert score.grade == ("合格" if score.score >= 80 else "基本合格" if score.score >= 60 else "不合格")
    assert [s.rank for s in year] == sorted(s.rank for s in year)
