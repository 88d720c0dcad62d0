"""The policy book: each clause of cn.xzxk with what enforces it, in words, and the scenarios that exercise it."""

from __future__ import annotations

from pathlib import Path

import pytest

from efficiency_rules import load_ruleset
from efficiency_rules._book import book_markdown
from efficiency_rules.cli import main


def _section(book: list[str], heading: str) -> list[str]:
    """The lines of one clause's section, from its heading to the next."""
    start = book.index(heading)
    end = next((i for i in range(start + 1, len(book)) if book[i].startswith("### ")), len(book))
    return book[start:end]


@pytest.fixture(scope="module")
def book() -> list[str]:
    return book_markdown([load_ruleset("cn.xzxk")]).splitlines()


def test_the_book_opens_with_the_ruleset(book: list[str]) -> None:
    assert book[:7] == [
        "# 政策手册",
        "",
        "## cn.xzxk@2019 中华人民共和国行政许可法（办理期限）",
        "",
        "自2019年4月23日起施行。",
        "",
        ("行政许可自受理之日起20个工作日内作出决定，经批准可延长10个工作日；统一、联合、集中办理45个工作日，可延长15个工作日；"
        "听证、检验等所需时间不计入；补正一次性告知；准予许可后10个工作日内送达。"),
    ]
    assert [line for line in book if line.startswith("### ")] == [
        "### 《中华人民共和国行政许可法》第三十二条第一款第（四）项",
        "### 《中华人民共和国行政许可法》第四十二条第一款",
        "### 《中华人民共和国行政许可法》第四十二条第二款",
        "### 《中华人民共和国行政许可法》第四十三条",
        "### 《中华人民共和国行政许可法》第四十四条",
        "### 《中华人民共和国行政许可法》第四十五条",
        "### 《中华人民共和国行政许可法》第八十二条",
        "### 未引用任何条款的规定",
    ]


def test_a_clause_with_its_text_rules_verdicts_and_scenarios(book: list[str]) -> None:
    assert _section(book, "### 《中华人民共和国行政许可法》第四十四条") == [
        "### 《中华人民共和国行政许可法》第四十四条",
        "",
        "条款 `xzxk-44`",
        "",
        "> 行政机关作出准予行政许可的决定，应当自作出决定之日起十日内向申请人颁发、送达行政许可证件，或者加贴标签、加盖检验、检测、检疫印章。",
        "",
        "**执行本条款的规定**",
        "",
        "- 规则 `deliver-within-10wd`：办结后10个工作日内须有送达（附条件）。",
        "  - 结论 not-delivered（违规）",
        "",
        "**情景测试**",
        "",
        ("- an approved licence not delivered within 10 working days of the decision（xzxk.test.yaml:23）：给定 r1 收件 "
        "2024年9月27日09:00；a1 受理 2024年9月27日10:00；c1 办结 2024年9月27日15:00；截至2024年12月31日00:00，预期 "
        "deliver-within-10wd 2024年10月16日17:30；licence 按时办结，期限2024年10月30日17:30。"),
        "",
    ]


def test_a_time_limit_is_written_out_under_the_clauses_its_verdicts_cite(book: list[str]) -> None:
    section = _section(book, "### 《中华人民共和国行政许可法》第四十二条第一款")
    assert section[6:11] == [
        "**执行本条款的规定**",
        "",
        ("- 时限 `licence`「作出行政许可决定（第四十二条第一款）」：自受理之日起20个工作日内完成，办结、不予受理、撤回即停止计时；"
        "不适用于事项unified-handling、joint-handling、centralised-handling；收件后5个工作日内未告知补正的，自收件之日起即为受理；"
        "经本机关负责人批准可延长10个工作日，须在期限届满前批准；听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审所需时间不计入；超期。"),
        "  - 结论 bad-extension（违规）",
        "  - 结论 overdue（违规）",
    ]
    scenarios = [line for line in section if line.startswith("- ") and "xzxk.test.yaml" in line]
    # every scenario that expects licence's or unified's overdue or extension verdicts, or a state of their
    # clocks: all 15 but "a refusal needs no delivery", which expects neither
    assert len(scenarios) == 14
    assert not any("a refusal needs no delivery" in line for line in scenarios)
    assert (
        "- an extension granted one working day after the deadline moves nothing and the case is overdue（xzxk.test.yaml:156）："
        "给定 r1 收件 2024年10月8日09:30；a1 受理 2024年10月8日10:00；e1 批准延期 2024年11月5日10:00；截至2024年11月8日00:00，"
        "预期 licence.overdue 2024年11月4日17:30；licence.bad-extension 2024年11月5日10:00；licence 超期，期限2024年11月4日17:30。"
    ) in scenarios


def test_a_clause_nothing_cites_is_listed_as_such(book: list[str]) -> None:
    section = _section(book, "### 《中华人民共和国行政许可法》第四十三条")
    assert section[-2:] == ["本条款未被任何规定引用。", ""]
    assert book[-3:] == ["### 未引用任何条款的规定", "", "无。"]


def test_an_entry_citing_nothing_is_listed(tmp_path: Path) -> None:
    assert main(["new", "city.rules", "--dir", str(tmp_path)]) == 0
    ruleset = tmp_path / "city.rules.yaml"
    ruleset.write_text(ruleset.read_text(encoding="utf-8").replace("    cites: [clause-2]\n", ""), encoding="utf-8")
    book = book_markdown([load_ruleset(ruleset)]).splitlines()
    assert _section(book, "### 《（制度文件名称）》第二条")[-2:] == ["本条款未被任何规定引用。", ""]
    assert book[-3:] == [
        "",
        "- 规则 `deliver-within-3wd`：办结后3个工作日内须有送达。",
        "  - 结论 not-delivered（违规）",
    ]


def test_the_book_command_writes_markdown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "book.md"
    assert main(["book", "cn.xzxk", "--md", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == book_markdown([load_ruleset("cn.xzxk")])
    assert main(["book", "cn.xzxk", "--lang", "en"]) == 0
    english = capsys.readouterr().out.splitlines()
    assert english[:5] == ["# Policy book", "", "## cn.xzxk@2019 Administrative Licensing Law of the PRC (time limits)", "",
                           "in force from 23 April 2019."]
    assert "- Rule `deliver-within-10wd`: after completion, delivery within 10 working days (on conditions)." in english
