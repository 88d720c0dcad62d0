"""Shipped rulesets loaded by id: resolution, version pins, ambiguity with paths, suggestions, and the commands."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from efficiency_rules import (
    Engine,
    RulesetError,
    load_ruleset,
    load_rulesets,
    read_events,
)
from efficiency_rules._shipped import (
    resolve_ruleset_argument,
    shipped_root,
    shipped_rulesets,
)
from efficiency_rules._yaml import load_yaml
from efficiency_rules.cli import main
from efficiency_rules.testing import load_scenario_file, scenario_files

ROOT = Path(__file__).resolve().parents[1]
CASES = str(ROOT / "examples" / "cases.jsonl")
AS_OF = "2024-12-01T00:00+08:00"
SHIPPED_IDS = [
    "changde.accountability-2013", "changde.e-supervision-2013", "cn.one-time-notification", "cn.xinfang", "cn.xxgk",
    "cn.xzxk", "county.points-table", "demo.first-inquiry", "district.five-systems", "feidong.discipline-2012",
    "shijiazhuang.accountability-2019", "shijiazhuang.efficiency-revolution-2019", "shijiazhuang.legal-review-2019",
    "taixing.conduct-2015", "taixing.performance-2014",
]


@pytest.fixture(autouse=True)
def _elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from an empty directory: an id must not depend on the checkout being the current directory."""
    monkeypatch.chdir(tmp_path)


def test_every_ruleset_of_the_repository_is_shipped_with_its_scenarios() -> None:
    source = sorted(p for p in (ROOT / "rulesets").rglob("*.yaml") if not p.name.endswith(".test.yaml"))
    shipped = shipped_rulesets()
    assert [r.id for r in shipped] == SHIPPED_IDS
    assert sorted(load_yaml(p)["id"] for p in source) == SHIPPED_IDS
    for entry in shipped:
        assert entry.scenarios is not None and entry.scenarios.name == entry.path.stem + ".test.yaml"
        assert entry.title_en, f"{entry.id} has no English title"
        assert entry.covers_zh and entry.covers_en, f"{entry.id} does not say what it covers"
        # the shipped file is the repository's file, byte for byte
        original = ROOT / "rulesets" / entry.path.relative_to(shipped_root() or Path()).as_posix()
        assert entry.path.read_bytes() == original.read_bytes()


def test_an_id_loads_the_shipped_ruleset() -> None:
    ruleset = load_ruleset("cn.xzxk")
    assert (ruleset.id, ruleset.version) == ("cn.xzxk", "2019")
    assert Path(ruleset.path).name == "xzxk.yaml"
    assert load_ruleset("cn.xzxk@2019").spec == ruleset.spec
    # the id the file declares, not its place: rulesets/examples/first-inquiry.yaml is demo.first-inquiry
    assert load_ruleset("demo.first-inquiry").id == "demo.first-inquiry"


def test_an_engine_takes_ids_and_judges_as_with_paths() -> None:
    by_id = Engine(["cn.xzxk", "changde.e-supervision-2013"])
    by_path = Engine([ROOT / "rulesets/cn/xzxk.yaml", ROOT / "rulesets/changde/e-supervision-2013.yaml"])
    as_of = dt.datetime.fromisoformat(AS_OF)
    first = by_id.evaluate(read_events(CASES), as_of=as_of)
    second = by_path.evaluate(read_events(CASES), as_of=as_of)
    assert [(v.rule, v.thread, v.at) for v in first.verdicts] == [(v.rule, v.thread, v.at) for v in second.verdicts]
    by_ruleset = {name: sum(v.ruleset == name for v in first.verdicts) for name in ("cn.xzxk", "changde.e-supervision-2013")}
    assert by_ruleset == {"cn.xzxk": 8, "changde.e-supervision-2013": 37} and len(first.verdicts) == 45
    assert ("licence.overdue", "case:XK-2024-0917") in {(v.rule, v.thread) for v in first.verdicts}


def test_an_unknown_id_suggests_the_close_ones() -> None:
    with pytest.raises(RulesetError) as caught:
        load_ruleset("cn.xzk")
    assert str(caught.value) == (
        "cn.xzk: no such file or directory, and no shipped ruleset has the id 'cn.xzk'; did you mean cn.xzxk or cn.xxgk? "
        "(efficiency-rules rulesets lists the shipped ones)"
    )
    with pytest.raises(RulesetError, match=r"did you mean cn\.xinfang\?"):
        load_ruleset("xinfang")  # the id without its prefix
    with pytest.raises(RulesetError, match=r"no shipped ruleset has the id 'no.such-thing' \(efficiency-rules"):
        load_ruleset("no.such-thing")


def test_an_unknown_version_names_the_shipped_ones() -> None:
    with pytest.raises(RulesetError) as caught:
        load_ruleset("cn.xzxk@2025")
    assert str(caught.value) == "cn.xzxk@2025: the shipped ruleset cn.xzxk has no version '2025'; it ships cn.xzxk@2019"


def test_a_name_that_is_both_a_path_and_an_id_is_refused(tmp_path: Path) -> None:
    (tmp_path / "cn.xzxk").write_text("id: mine\n", encoding="utf-8")
    with pytest.raises(RulesetError) as caught:
        load_ruleset("cn.xzxk")
    assert str(caught.value) == (
        "cn.xzxk: is both a path here and a shipped ruleset's id: write ./cn.xzxk for the path, "
        "or cn.xzxk@2019 for the shipped ruleset"
    )
    # each way of choosing works
    assert load_ruleset("cn.xzxk@2019").id == "cn.xzxk"
    assert resolve_ruleset_argument("./cn.xzxk") == [Path("./cn.xzxk")]
    assert resolve_ruleset_argument(Path("cn.xzxk")) == [Path("cn.xzxk")]  # a Path is always a path


def test_what_is_a_path_and_what_is_an_id(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    assert resolve_ruleset_argument("mine") == [Path("mine")]  # exists, and nothing ships under that id
    assert resolve_ruleset_argument("rules.yaml") == [Path("rules.yaml")]  # a YAML file name is a path, even missing
    assert resolve_ruleset_argument("sub/cn.xzxk") == [Path("sub/cn.xzxk")]
    assert resolve_ruleset_argument("Rules") == [Path("Rules")]  # could be no id (capitals)
    (shipped,) = resolve_ruleset_argument("cn.xzxk")
    assert shipped.name == "xzxk.yaml" and shipped.is_file()
    (scenarios,) = resolve_ruleset_argument("cn.xzxk", scenarios=True)
    assert scenarios.name == "xzxk.test.yaml"


def test_load_rulesets_reports_every_bad_argument() -> None:
    with pytest.raises(RulesetError) as caught:
        load_rulesets(["cn.xzxk", "cn.xzk", "cn.xxgk@1"])
    assert [str(issue.location) for issue in caught.value.issues] == ["cn.xzk", "cn.xxgk@1"]


def test_a_scenario_file_may_name_shipped_rulesets(tmp_path: Path) -> None:
    scenario = tmp_path / "local.test.yaml"
    scenario.write_text(
        "rulesets: [cn.xzxk]\n"
        "scenarios:\n"
        "  - name: decided in time\n"
        "    as_of: 2024-12-31T00:00:00+08:00\n"
        "    given: []\n"
        "    expect: {verdicts: []}\n",
        encoding="utf-8",
    )
    loaded = load_scenario_file(scenario)
    assert [p.name for p in loaded.rulesets] == ["xzxk.yaml"]
    scenario.write_text(scenario.read_text(encoding="utf-8").replace("cn.xzxk", "cn.xzk"), encoding="utf-8")
    with pytest.raises(Exception, match=r"local.test.yaml:1:\d+: 'rulesets': 'cn.xzk': .*did you mean cn.xzxk"):
        load_scenario_file(scenario)
    assert [p.name for p in scenario_files(["cn.xxgk"])] == ["xxgk.test.yaml"]


def test_cli_lists_the_shipped_rulesets(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rulesets"]) == 0
    out = capsys.readouterr().out.splitlines()
    at = out.index("cn.xzxk@2019  中华人民共和国行政许可法（办理期限）")
    assert out[at + 1:at + 4] == [
        "    Administrative Licensing Law of the PRC (time limits)",
        "    自2019年4月23日起施行",
        ("    行政许可自受理之日起20个工作日内作出决定，经批准可延长10个工作日；统一、联合、集中办理45个工作日，可延长15个工作日；"
         "听证、检验等所需时间不计入；补正一次性告知；准予许可后10个工作日内送达"),
    ]
    assert out[-1] == "15个规则集；efficiency-rules rulesets show ID 查看其一"
    assert main(["rulesets", "--lang", "en"]) == 0
    out = capsys.readouterr().out.splitlines()
    at = out.index("cn.xinfang@2022  信访工作条例（登记告知和办理期限）")
    assert out[at + 2:at + 4] == [
        "    in force from 1 May 2022",
        ("    Registering a petition and telling the petitioner within 15 days, concluding it within 60 days of acceptance, "
         "extendable by up to 30 with approval"),
    ]
    assert out[-1] == "15 rulesets; efficiency-rules rulesets show ID shows one"


def test_cli_lists_them_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rulesets", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in listed] == SHIPPED_IDS
    xzxk = listed[SHIPPED_IDS.index("cn.xzxk")]
    assert {k: xzxk[k] for k in ("id", "version", "effective", "title")} == {
        "id": "cn.xzxk", "version": "2019", "effective": {"from": "2019-04-23", "to": None},
        "title": {"zh": "中华人民共和国行政许可法（办理期限）", "en": "Administrative Licensing Law of the PRC (time limits)"},
    }
    assert Path(xzxk["path"]).name == "xzxk.yaml" and Path(xzxk["scenarios"]).name == "xzxk.test.yaml"


def test_cli_shows_one_ruleset(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rulesets", "show", "cn.xzxk"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "cn.xzxk@2019  中华人民共和国行政许可法（办理期限）"
    assert "条款 (7)" in out and "  xzxk-42-1  《中华人民共和国行政许可法》第四十二条第一款" in out
    at = out.index("  licence  作出行政许可决定（第四十二条第一款）")
    assert out[at + 1] == (
        "    自受理之日起20个工作日内完成，办结、不予受理、撤回即停止计时；不适用于事项unified-handling、joint-handling、"
        "centralised-handling；收件后5个工作日内未告知补正的，自收件之日起即为受理；经本机关负责人批准可延长10个工作日，"
        "须在期限届满前批准；听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审所需时间不计入；超期。"
    )
    assert out[at + 2] == "    结论: late-notice（违规）、bad-extension（违规）、bad-pause（违规）、overdue（违规）"
    at = out.index("  deliver-within-10wd")
    assert out[at + 1:at + 3] == ["    办结后10个工作日内须有送达（附条件）。", "    结论: not-delivered（违规）"]


def test_cli_show_of_an_accountability_ruleset(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rulesets", "show", "changde.accountability-2013"]) == 0
    out = capsys.readouterr().out.splitlines()
    at = out.index("  yellow-cards-to-red  黄牌累计3张升红牌")
    assert out[at + 1:at + 3] == ["    单位每年yellow-cards达到3次。", "    结论: accumulated-red（问责，红牌，警示约谈分管负责人）"]
    at = out.index("  project-managers-bottom-3  项目经理评议后3名扣分")
    assert out[at + 2] == "    结论: ranking-deduction（违规，扣2分）"


def test_cli_show_of_an_unknown_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rulesets", "show", "cn.xzk"]) == 2
    assert capsys.readouterr().err == (
        "efficiency-rules: error: cn.xzk: no shipped ruleset has the id 'cn.xzk'; did you mean cn.xzxk or cn.xxgk? "
        "(efficiency-rules rulesets lists the shipped ones)\n"
    )


def test_cli_commands_take_ids(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", "cn.xzxk", "--events", CASES, "--as-of", AS_OF, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["verdicts"]) == 8
    assert main(["check", "cn.xzxk", "cn.xxgk@2019"]) == 0
    assert capsys.readouterr().out == "ok: 2 rulesets, 3 rules, 3 time limits\n"
    assert main(["test", "-q", "cn.xzxk"]) == 0
    assert capsys.readouterr().out == "15 passed, 0 failed\n"
    assert main(["explain", "XK-2024-0917", "--events", CASES, "--ruleset", "cn.xzxk", "--as-of", AS_OF]) == 0
    assert capsys.readouterr().out.startswith("办件XK-2024-0917  截至2024年12月1日00:00")
    assert main(["evaluate", "cn.xzk", "--events", CASES, "--as-of", AS_OF]) == 2
    assert "did you mean cn.xzxk or cn.xxgk?" in capsys.readouterr().err


def test_check_suggests_the_shipped_ruleset_to_build_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A city's copy of the Changde e-supervision ruleset re-declares three clauses of the licensing law.
    mine = tmp_path / "mine.yaml"
    source = (ROOT / "rulesets/changde/e-supervision-2013.yaml").read_text(encoding="utf-8")
    mine.write_text(source.replace("id: changde.e-supervision-2013", "id: mycity.e-supervision"), encoding="utf-8")
    assert main(["check", str(mine)]) == 0
    out, err = capsys.readouterr()
    assert out == "ok: 1 ruleset, 1 rule, 1 time limit\n"
    assert err.splitlines() == [
        f"hint: {mine}:{line}:3: reference {name!r} ({citation}) is enforced by the shipped ruleset cn.xzxk: load cn.xzxk "
        "beside this ruleset rather than re-declaring its limits and rules (efficiency-rules rulesets show cn.xzxk)"
        for line, name, citation in [
            (38, "licensing-law-32", "《中华人民共和国行政许可法》第三十二条第一款第（四）项"),
            (41, "licensing-law-42", "《中华人民共和国行政许可法》第四十二条第一款"),
            (44, "licensing-law-45", "《中华人民共和国行政许可法》第四十五条"),
        ]
    ]
    # the shipped rulesets themselves get no hint, though several cite the same law
    assert main(["check", str(ROOT / "rulesets")]) == 0
    assert capsys.readouterr().err == ""


def test_a_disclosure_clause_points_to_the_disclosure_ruleset() -> None:
    from efficiency_rules._shipped import build_on

    assert build_on({"a": "《中华人民共和国政府信息公开条例》第三十三条第二款"}, own_id="mine")["a"][0] == "cn.xxgk"
    assert build_on({"a": "《信访工作条例》第三十四条"}, own_id="mine") == {"a": ["cn.xinfang"]}
    assert build_on({"a": "《中华人民共和国行政许可法》第三十二条"}, own_id="mine")["a"][0] == "cn.xzxk"
    assert build_on({"a": "《某市办法》第三条"}, own_id="mine") == {}
    assert build_on({"a": "《信访工作条例》第三十四条"}, own_id="cn.xinfang") == {}
