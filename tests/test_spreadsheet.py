"""`Report.to_xlsx`, `Report.to_csv` and `evaluate --format xlsx|csv`: the report as sheets people open in Excel."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from efficiency_rules import EfficiencyRulesError, Engine, OutputError, Report, read_events
from efficiency_rules.cli import main

openpyxl = pytest.importorskip("openpyxl")

ROOT = Path(__file__).resolve().parents[1]
RULESET = str(ROOT / "rulesets" / "cn" / "xzxk.yaml")
CASES = str(ROOT / "examples" / "cases.jsonl")
AS_OF = "2024-12-01T00:00+08:00"

VERDICT_HEADERS = ["时间", "规则集", "规则", "类别", "对象", "分值", "黄红牌", "办件/对象", "说明"]
CASE_HEADERS = ["办件", "时限", "状态", "期限", "起算", "截止时间", "办结时间", "已用", "剩余", "超期"]
SCORE_HEADERS = ["期间", "对象", "基础分", "扣分", "加分", "得分", "等级", "名次"]
REVOCATION_HEADERS = ["撤销时间", "结论", "事件", "原因", "找到结论"]


@pytest.fixture(scope="module")
def report() -> Report:
    engine = Engine([RULESET])
    try:
        return engine.evaluate(read_events(CASES), as_of=dt.datetime.fromisoformat(AS_OF))
    finally:
        engine.close()


def rows(sheet: Any) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_workbook_sheets_headers_and_typed_cells(report: Report, tmp_path: Path) -> None:
    path = report.to_xlsx(tmp_path / "report.xlsx")
    assert path == tmp_path / "report.xlsx"
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["结论", "办件时钟", "得分", "撤销"]
    for name, headers in (("结论", VERDICT_HEADERS), ("办件时钟", CASE_HEADERS), ("得分", SCORE_HEADERS), ("撤销", REVOCATION_HEADERS)):
        assert rows(book[name])[0] == headers
        assert book[name].freeze_panes == "A2"

    cases = {row[0]: row for row in rows(book["办件时钟"])[1:]}
    assert len(cases) == 8
    late = cases["办件XK-2024-0917"]
    assert late == ["办件XK-2024-0917", "licence", "超期办结", "20个工作日", dt.datetime(2024, 9, 23, 10, 0),
                    dt.datetime(2024, 10, 24, 17, 30), dt.datetime(2024, 10, 29, 10, 0), 22.1429, None, 2.1429]
    assert isinstance(late[5], dt.datetime) and isinstance(late[9], float)
    running = cases["办件XK-2024-0924"]
    assert running[2] == "办理中" and running[8] == 13 and running[9] == 0
    sheet = book["办件时钟"]
    assert sheet["F2"].number_format == 'yyyy"年"m"月"d"日" hh:mm'
    assert sheet["F2"].is_date
    assert sheet["H2"].data_type == "n"
    assert "当地时间" in sheet["F1"].comment.text

    verdicts = rows(book["结论"])[1:]
    assert len(verdicts) == 8
    overdue = next(v for v in verdicts if v[2] == "licence.overdue" and v[7] == "办件XK-2024-0917")
    assert overdue == [dt.datetime(2024, 10, 24, 17, 30), "cn.xzxk", "licence.overdue", "违规", "单位：housing-bureau",
                       None, None, "办件XK-2024-0917",
                       "办件XK-2024-0917 超过20个工作日法定办理期限未作出行政许可决定（期限2024年10月24日17:30）"]
    assert [v[0] for v in verdicts] == sorted(v[0] for v in verdicts)


def test_dates_are_local_times_in_the_rulesets_zone(tmp_path: Path) -> None:
    events = []
    for event in read_events(CASES):
        data = event.model_dump(mode="json")
        data["at"] = event.at.astimezone(dt.UTC).isoformat()  # a portal that sends UTC
        events.append(data)
    engine = Engine([RULESET])
    report = engine.evaluate(events, as_of=dt.datetime.fromisoformat(AS_OF))
    engine.close()
    book = openpyxl.load_workbook(report.to_xlsx(tmp_path / "utc.xlsx"))
    late = next(row for row in rows(book["办件时钟"]) if row[0] == "办件XK-2024-0917")
    assert late[4:7] == [dt.datetime(2024, 9, 23, 10, 0), dt.datetime(2024, 10, 24, 17, 30), dt.datetime(2024, 10, 29, 10, 0)]


def test_column_widths_fit_chinese_text(report: Report, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(report.to_xlsx(tmp_path / "report.xlsx"))
    sheet = book["结论"]
    # a Chinese character counts double: 办件 is 4 wide, XK-2024-0917 12, and 2 of margin
    assert book["办件时钟"].column_dimensions["A"].width == 4 + 12 + 2
    assert book["办件时钟"].column_dimensions["C"].width == 8 + 2  # 超期办结
    assert sheet.column_dimensions["B"].width == len("cn.xzxk") + 2
    # the messages are longer than 39 Chinese characters: the column stops at 80
    assert sheet.column_dimensions["I"].width == 80


def test_english_workbook(report: Report, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(report.to_xlsx(tmp_path / "en.xlsx", language="en"))
    assert book.sheetnames == ["verdicts", "case clocks", "scores", "revocations"]
    assert rows(book["case clocks"])[0] == ["case", "time limit", "status", "limit", "start", "deadline", "stopped at",
                                            "elapsed", "remaining", "overdue"]
    assert rows(book["verdicts"])[0] == ["at", "ruleset", "rule", "kind", "subjects", "points", "card", "thread", "message"]
    late = next(row for row in rows(book["case clocks"]) if row[0] == "case XK-2024-0917")
    assert late[2:4] == ["completed late", "20 working days"]
    assert late[5] == dt.datetime(2024, 10, 24, 17, 30)


def test_csv_files_read_back(report: Report, tmp_path: Path) -> None:
    files = report.to_csv(tmp_path / "csv")
    assert sorted(f.name for f in files) == sorted(["结论.csv", "办件时钟.csv", "得分.csv", "撤销.csv"])
    raw = (tmp_path / "csv" / "办件时钟.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with (tmp_path / "csv" / "办件时钟.csv").open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    assert table[0] == CASE_HEADERS
    assert ["办件XK-2024-0917", "licence", "超期办结", "20个工作日", "2024-09-23 10:00", "2024-10-24 17:30",
            "2024-10-29 10:00", "22.1429", "", "2.1429"] in table
    with (tmp_path / "csv" / "结论.csv").open(encoding="utf-8-sig", newline="") as handle:
        verdicts = list(csv.reader(handle))
    assert verdicts[0] == VERDICT_HEADERS and len(verdicts) == 9
    with (tmp_path / "csv" / "得分.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle)) == [SCORE_HEADERS]


def test_scores_cards_and_revocations(tmp_path: Path) -> None:
    from efficiency_rules.text import card, period, subject

    def ev(event_id: str, kind: str, at: str, **fields: Any) -> dict[str, Any]:
        return {"id": event_id, "type": kind, "at": at + "+08:00", **fields}

    events = [ev("o1", "org.unit_leaders", "2024-01-02T09:00", unit="u1", deputy="d1", principal="p1"),
              ev("o3", "org.staff_assigned", "2024-01-02T09:00", staff="s1", unit="u1")]
    events += [ev(f"c{i}", "case.completed", f"2024-09-{day:02d}T10:00", case_id=f"C{i}", outcome="late", actor="s1", unit="u1")
               for i, day in enumerate([3, 10, 17, 24])]
    engine = Engine([str(ROOT / "tests" / "data" / "accountability.yaml")])  # cards, scores and revocations
    first = engine.evaluate(events, as_of=dt.datetime.fromisoformat("2024-12-31T00:00+08:00"))
    revoked = next(v.id for v in first.verdicts if v.rule == "late" and v.trigger == "c1")
    events.append(ev("rv", "verdict.revoked", "2024-10-08T10:00", verdict_id=revoked, reason="申诉成立"))
    report = engine.evaluate(events, as_of=dt.datetime.fromisoformat("2024-12-31T00:00+08:00"))
    engine.close()
    book = openpyxl.load_workbook(report.to_xlsx(tmp_path / "scores.xlsx"))

    scores = rows(book["得分"])
    assert scores[0] == SCORE_HEADERS
    assert scores[1:] == [[period(s.period), subject(s.role, s.subject), s.base, s.deductions, s.bonuses, s.score, s.grade, s.rank]
                          for s in report.scores]
    (u1,) = [row for row in scores if row[1] == "单位：u1"]
    assert u1 == ["2024年", "单位：u1", 100, 11, 0, 89, "合格", 1]  # 3 late cases x 2 and a red card 5
    assert isinstance(u1[5], (int, float)) and isinstance(u1[7], int)

    assert rows(book["撤销"])[1:] == [[dt.datetime(2024, 10, 8, 10, 0), revoked, "rv", "申诉成立", "是"]]
    cards = [row[6] for row in rows(book["结论"])[1:] if row[6] is not None]
    assert set(cards) == {card("yellow"), card("red")} == {"黄牌", "红牌"}


def test_cli_writes_xlsx_and_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    xlsx = tmp_path / "report.xlsx"
    assert main(["evaluate", RULESET, "--events", CASES, "--as-of", AS_OF, "--format", "xlsx", "--output", str(xlsx)]) == 0
    assert capsys.readouterr() == ("", f"报告已写入{xlsx}\n")
    assert len(rows(openpyxl.load_workbook(xlsx)["结论"])) == 9
    folder = tmp_path / "csv"
    assert main(["evaluate", RULESET, "--events", CASES, "--as-of", AS_OF, "--format", "csv", "--output", str(folder),
                 "--lang", "en"]) == 0
    assert capsys.readouterr().err == f"report written to {folder}\n"
    assert sorted(p.name for p in folder.iterdir()) == ["case_clocks.csv", "revocations.csv", "scores.csv", "verdicts.csv"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_cli_needs_output(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", RULESET, "--events", CASES, "--as-of", AS_OF, "--format", fmt]) == 2
    assert f"--format {fmt} needs --output" in capsys.readouterr().err


def test_an_unwritable_path_is_a_clear_error(report: Report, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot write"):
        report.to_xlsx(blocker / "report.xlsx")
    with pytest.raises(OutputError, match="cannot write CSV files"):
        report.to_csv(blocker)
    assert issubclass(OutputError, EfficiencyRulesError) and issubclass(OutputError, OSError)


def test_the_cli_says_when_the_output_cannot_be_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    target = blocker / "report.xlsx"
    assert main(["evaluate", RULESET, "--events", CASES, "--as-of", AS_OF, "--format", "xlsx", "--output", str(target)]) == 4
    err = capsys.readouterr().err
    assert err.startswith(f"efficiency-rules: error: cannot write {target}: ") and err.count("\n") == 1


def test_without_openpyxl_the_error_names_the_extra(report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from efficiency_rules import UsageError

    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl now fails
    with pytest.raises(UsageError, match=r"efficiency-rules\[excel\]"):
        report.to_xlsx(tmp_path / "report.xlsx")
    assert not (tmp_path / "report.xlsx").exists()
    assert len(report.to_csv(tmp_path / "csv")) == 4  # CSV needs nothing


def test_cli_a_spreadsheet_is_not_a_stream(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["evaluate", RULESET, "--events", CASES, "--as-of", AS_OF, "--format", "xlsx", "--output", str(tmp_path / "r.xlsx"),
            "--verdicts", str(tmp_path / "v.jsonl")]
    assert main(args) == 2
    assert "--format xlsx writes a report; --verdicts writes verdicts as they come: use one of them" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
