"""The shipped examples run and print what they promise."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

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


def test_the_readme_example_judges_the_shipped_events(capsys: pytest.CaptureFixture[str]) -> None:
    from efficiency_rules.cli import main

    status = main([
        "evaluate", str(ROOT / "rulesets" / "examples" / "first-inquiry.yaml"),
        "--events", str(ROOT / "examples" / "inquiries.jsonl"), "--as-of", "2024-10-09T00:00+08:00",
    ])
    assert status == 0
    assert capsys.readouterr().out.splitlines() == [
        '时间                规则                    类别  对象                               分值  事项              说明',
        '2024年9月27日11:40  referral-names-no-unit  违规  工作人员：m-031，单位：市场监管局  -0.5  咨询ZX-0927-03    转办未明确告知承办单位（咨询ZX-0927-03）',
        '2024年9月29日17:30  answer-within-one-day   违规  工作人员：w-017，单位：审批局      -0.5  咨询ZX-0927-01    首问未在1个工作日内答复',
        '2024年9月30日10:00  supplement-twice        预警  工作人员：w-017，单位：审批局      -     办件XK-2024-0917  补正次数过多',
        '3项结论，截至2024年10月9日00:00',
    ]


def test_the_readme_main_job_prints_verdicts_and_case_states(capsys: pytest.CaptureFixture[str]) -> None:
    from efficiency_rules.cli import main

    status = main([
        "evaluate", str(ROOT / "rulesets" / "cn" / "xzxk.yaml"),
        "--events", str(ROOT / "examples" / "cases.jsonl"), "--as-of", "2024-12-01T00:00+08:00",
    ])
    assert status == 0
    assert capsys.readouterr().out.splitlines() == [
        '时间                 规则                   类别  对象                                      分值  事项              说明',
        '2024年10月8日17:30   licence.late-notice    违规  工作人员：w-wang，单位：transport-bureau  -     办件XK-2024-0919  办件XK-2024-0919 未在收到申请材料后5个工作日内一次告知补正（期限2024年10月8日17:30），自收到申请材料之日起即为受理',
        '2024年10月21日10:00  licence.bad-pause      违规  工作人员：w-li，单位：market-bureau       -     办件XK-2024-0923  办件XK-2024-0923 以“积压待办”为由暂停计时，不属于第四十五条规定的不计入期限的情形，期限照常计算',
        '2024年10月24日17:30  licence.overdue        违规  单位：housing-bureau                      -     办件XK-2024-0917  办件XK-2024-0917 超过20个工作日法定办理期限未作出行政许可决定（期限2024年10月24日17:30）',
        '2024年10月28日17:30  licence.overdue        违规  单位：transport-bureau                    -     办件XK-2024-0919  办件XK-2024-0919 超过20个工作日法定办理期限未作出行政许可决定（期限2024年10月28日17:30）',
        '2024年10月30日17:30  licence.overdue        违规  单位：market-bureau                       -     办件XK-2024-0921  办件XK-2024-0921 超过20个工作日法定办理期限未作出行政许可决定（期限2024年10月30日17:30）',
        '2024年10月31日10:00  licence.bad-extension  违规  工作人员：w-li，单位：market-bureau       -     办件XK-2024-0921  办件XK-2024-0921 延长办理期限无效（在期限2024年10月30日17:30届满后才延长），期限不变',
        '2024年11月5日17:30   licence.overdue        违规  单位：market-bureau                       -     办件XK-2024-0923  办件XK-2024-0923 超过20个工作日法定办理期限未作出行政许可决定（期限2024年11月5日17:30）',
        '2024年11月12日17:30  deliver-within-10wd    违规  单位：housing-bureau                      -     办件XK-2024-0917  办件XK-2024-0917 作出准予行政许可决定后10个工作日内未颁发、送达行政许可证件（期限2024年11月12日17:30）',
        '8项结论，截至2024年12月1日00:00',
        '',
        '办件              时限     状态      期限                          截止时间             已用                     剩余        超期',
        '办件XK-2024-0917  licence  超期办结  20个工作日                    2024年10月24日17:30  22个工作日又1小时        -           2个工作日又1小时',
        '办件XK-2024-0918  licence  按时办结  20个工作日                    2024年10月29日17:30  17个工作日又5小时30分钟  -           -',
        '办件XK-2024-0919  licence  超期办结  20个工作日                    2024年10月28日17:30  36个工作日又5小时30分钟  -           16个工作日又5小时30分钟',
        '办件XK-2024-0920  licence  按时办结  20个工作日（延长10个工作日）  2024年11月12日17:30  24个工作日又2小时        -           -',
        '办件XK-2024-0921  licence  超期办结  20个工作日                    2024年10月30日17:30  21个工作日又4小时30分钟  -           1个工作日又4小时30分钟',
        '办件XK-2024-0922  licence  已撤回    20个工作日                    2024年11月4日17:30   5个工作日又1小时         -           -',
        '办件XK-2024-0923  licence  超期办结  20个工作日                    2024年11月5日17:30   22个工作日又1小时        -           2个工作日又1小时',
        '办件XK-2024-0924  licence  办理中    20个工作日                    2024年12月18日17:30  7个工作日                13个工作日  -',
        '8个办件',
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


# Raw tokens a person must never read in Chinese text: limits in the ruleset notation (20wd, 2.5wd),
# ISO instants, and the English names of statuses and kinds. Identifiers (rule ids such as
# licence.overdue or deliver-within-10wd) are names, not prose: a token joined to a name by '.',
# '-' or '_' is part of it.
RAW = re.compile(
    r"(?<![A-Za-z0-9_.-])\d+(?:\.\d+)?(?:wd|wh)(?![A-Za-z0-9_-])"
    r"|\d{4}-\d\d-\d\dT\d\d:\d\d"
    r"|(?<![A-Za-z0-9_.-])(?:completed_late|completed_on_time|not_started|violation|running|overdue|warning|paused|withdrawn|"
    r"compliance|sanction)(?![A-Za-z0-9_.-])"
)


def _chinese_outputs(capsys: Any) -> dict[str, str]:
    from efficiency_rules.cli import main

    xzxk, cases = str(ROOT / "rulesets" / "cn" / "xzxk.yaml"), str(ROOT / "examples" / "cases.jsonl")
    commands = {
        "README main job": ["evaluate", xzxk, "--events", cases, "--as-of", "2024-12-01T00:00+08:00"],
        "README first inquiry": ["evaluate", str(ROOT / "rulesets" / "examples" / "first-inquiry.yaml"), "--events",
                                 str(ROOT / "examples" / "inquiries.jsonl"), "--as-of", "2024-10-09T00:00+08:00"],
    }
    for case in ("XK-2024-0917", "XK-2024-0918", "XK-2024-0920", "XK-2024-0921", "XK-2024-0922", "XK-2024-0923", "XK-2024-0924"):
        commands[f"explain {case}"] = ["explain", case, "--events", cases, "--ruleset", xzxk, "--as-of", "2024-12-01T00:00+08:00"]
        commands[f"notice {case}"] = [*commands[f"explain {case}"], "--for", "applicant"]
        commands[f"explain {case} in October"] = ["explain", case, "--events", cases, "--ruleset", xzxk, "--as-of", "2024-10-25T00:00+08:00"]
    outputs = {}
    for name, args in commands.items():
        assert main(args) in (0, None), name
        outputs[name] = capsys.readouterr().out
    for script, args in (("portal_deadlines.py", ["--as-of", "2024-11-20T09:00+08:00", "--lang", "zh"]), ("accountability_year.py", [])):
        done = subprocess.run([sys.executable, str(ROOT / "examples" / script), *args], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        outputs[script] = done.stdout
    return outputs


def test_chinese_output_of_every_shipped_example_has_no_raw_tokens(capsys: Any) -> None:
    outputs = _chinese_outputs(capsys)
    assert all(re.search("[\u4e00-\u9fff]", out) for out in outputs.values())  # each is Chinese text
    found = {name: sorted({m.group(0) for m in RAW.finditer(out)}) for name, out in outputs.items()}
    assert {name: tokens for name, tokens in found.items() if tokens} == {}


def test_the_scan_finds_raw_tokens() -> None:
    raw = "case:XK-1 超过20wd期限（2024-10-24T17:30+08:00） 状态: completed_late 2.1429wd violation"
    assert [m.group(0) for m in RAW.finditer(raw)] == ["20wd", "2024-10-24T17:30", "completed_late", "2.1429wd", "violation"]
    assert RAW.search("licence.overdue deliver-within-10wd") is None
