"""Every rendering for people, in Chinese and English, with the exact text a reader sees."""

from __future__ import annotations

import datetime as dt

import pytest

from efficiency_rules import Duration, text
from efficiency_rules.text import Limit, Phrase, Span

CST = dt.timezone(dt.timedelta(hours=8))
WD = 7 * 3600  # a working day of 09:00-12:00, 13:30-17:30


@pytest.mark.parametrize(("written", "zh", "en"), [
    ("20wd", "20个工作日", "20 working days"),
    ("1wd", "1个工作日", "1 working day"),
    ("2.5wd", "2.5个工作日", "2.5 working days"),
    ("60d", "60日", "60 days"),
    ("1d", "1日", "1 day"),
    ("24h", "24小时", "24 hours"),
    ("2mo", "2个月", "2 months"),
    ("1mo", "1个月", "1 month"),
    ("30min", "30分钟", "30 minutes"),
    ("7.5wh", "7.5个工作小时", "7.5 working hours"),
    ("immediate", "即时", "immediate"),
    ("same_day", "当日", "same-day"),
])
def test_durations(written: str, zh: str, en: str) -> None:
    duration = Duration.parse(written)
    assert (text.duration(duration), text.duration(duration, "en")) == (zh, en)
    assert (text.render(duration), text.render(duration, "en")) == (zh, en)


@pytest.mark.parametrize(("seconds", "working", "zh", "en"), [
    (5 * WD + 3 * 3600, True, "5个工作日又3小时", "5 working days 3 hours"),
    (2 * WD + 3600, True, "2个工作日又1小时", "2 working days 1 hour"),
    (WD, True, "1个工作日", "1 working day"),
    (2 * 3600 + 30 * 60, True, "2小时30分钟", "2 hours 30 minutes"),
    (45 * 60 + 59, True, "45分钟", "45 minutes"),  # whole minutes
    (0, True, "0分钟", "0 minutes"),
    (3 * 86400 + 4 * 3600, False, "3日又4小时", "3 days 4 hours"),
    (86400, False, "1日", "1 day"),
])
def test_spans_of_clock_time(seconds: int, working: bool, zh: str, en: str) -> None:
    span = Span(seconds, working, WD if working else 86400)
    assert (text.span(span), text.span(span, "en")) == (zh, en)


def test_a_span_at_its_very_start_reads_less_than_its_period() -> None:
    first_day = Span(0, True, WD, under=Span(WD, True, WD))
    assert (text.span(first_day), text.span(first_day, "en")) == ("不足1个工作日", "less than 1 working day")
    assert text.span(Span(WD, True, WD, under=Span(WD, True, WD))) == "1个工作日"  # only nothing reads "less than"


def test_the_limit_in_force_after_an_extension() -> None:
    extended = Limit(Duration.parse("20wd"), Span(10 * WD, True, WD))
    assert (text.limit(extended), text.limit(extended, "en")) == (
        "20个工作日（延长10个工作日）", "20 working days (extended by 10 working days)")
    natural = Limit(Duration.parse("60d"), Span(30 * 86400, False))
    assert text.limit(natural) == "60日（延长30日）"
    assert text.limit(Limit(Duration.parse("20wd"))) == "20个工作日"


def test_instants_and_days() -> None:
    moment = dt.datetime(2024, 10, 24, 17, 30, 5, tzinfo=CST)
    assert (text.instant(moment), text.instant(moment, "en")) == ("2024年10月24日17:30", "24 October 2024, 17:30")
    assert text.instant(dt.datetime(2024, 9, 3, 9, 5, tzinfo=CST)) == "2024年9月3日09:05"
    assert (text.date(dt.date(2024, 10, 24)), text.date(dt.date(2024, 10, 24), "en")) == ("2024年10月24日", "24 October 2024")
    october = [dt.date(2024, 10, d) for d in range(1, 8)]
    assert (text.dates(october), text.dates(october, "en")) == ("2024年10月1日至7日", "1–7 October 2024")
    makeup = [dt.date(2024, 9, 29), dt.date(2024, 10, 12)]
    assert (text.dates(makeup), text.dates(makeup, "en")) == ("2024年9月29日、10月12日", "29 September 2024 and 12 October 2024")
    across = [dt.date(2024, 12, 31), dt.date(2025, 1, 1)]
    assert (text.dates(across), text.dates(across, "en")) == ("2024年12月31日至2025年1月1日", "31 December 2024 – 1 January 2025")


@pytest.mark.parametrize(("status", "zh", "en"), [
    ("running", "办理中", "running"), ("warning", "即将到期", "due soon"), ("overdue", "已超期", "overdue"),
    ("paused", "暂停计时", "paused"), ("completed_on_time", "按时办结", "completed on time"),
    ("completed_late", "超期办结", "completed late"), ("withdrawn", "已撤回", "withdrawn"), ("rejected", "不予受理", "rejected"),
    ("not_started", "未起算", "not started"),
])
def test_statuses(status: str, zh: str, en: str) -> None:
    assert (text.status(status), text.status(status, "en")) == (zh, en)


def test_kinds_roles_subjects_cards_and_threads() -> None:
    assert [text.kind(k) for k in ("violation", "warning", "alarm", "sanction", "compliance")] == ["违规", "预警", "报警", "问责", "合规"]
    assert [text.role(r) for r in ("staff", "unit", "deputy", "principal")] == ["工作人员", "单位", "分管领导", "主要负责人"]
    assert (text.subject("unit", "housing-bureau"), text.subject("unit", "housing-bureau", "en")) == (
        "单位：housing-bureau", "unit housing-bureau")
    assert (text.card("yellow"), text.card("red"), text.card("red", "en")) == ("黄牌", "红牌", "red card")
    assert (text.thread("case:XK-1"), text.thread("case:XK-1", "en")) == ("办件XK-1", "case XK-1")
    assert (text.thread("inquiry:Q1"), text.thread("unit:住建局"), text.thread("fee:F3")) == ("咨询Q1", "单位：住建局", "fee:F3")
    assert (text.approver("agency_head"), text.approver("agency_head", "en")) == ("行政机关负责人", "the head of the agency")
    assert (text.reason("hearing"), text.reason("hearing", "en"), text.reason("其他")) == ("听证", "a hearing", "其他")
    assert (text.count(8, "case"), text.count(8, "verdict"), text.count(1, "verdict", "en")) == ("8个办件", "8项结论", "1 verdict")
    assert (text.count(10176, "event"), text.count(10176, "event", "en")) == ("10176个事件", "10,176 events")


def test_calendars_and_holidays() -> None:
    assert text.calendar_description("china", "09:00-12:00,13:30-17:30") == "按中国法定工作日计算，工作时间9:00–12:00、13:30–17:30"
    assert text.calendar_description("china", "09:00-12:00,13:30-17:30", "en") == (
        "on the statutory working days of China, business hours 9:00–12:00 and 13:30–17:30")
    assert text.calendar_description("china", "09:00-17:00", "zh", working=False) == "按自然日计算"
    named = [(dt.date(2024, 10, 1), "国庆节 National Day"), (dt.date(2024, 10, 2), "国庆节 National Day"),
             (dt.date(2025, 1, 1), "元旦 New Year's Day")]
    assert (text.holidays(named), text.holidays(named, "en")) == (["国庆节", "元旦"], ["National Day", "New Year's Day"])


def test_message_values_render_in_the_message_language() -> None:
    from efficiency_rules._verdicts import render_message

    values: dict[str, text.Value] = {
        "thread": Phrase("办件XK-1", "case XK-1"), "limit": Limit(Duration.parse("60d"), Span(30 * 86400, False)),
        "deadline": dt.datetime(2024, 12, 2, 17, 30, tzinfo=CST), "within": Duration.parse("5wd"), "matter": "licence",
    }
    assert render_message("{thread} 超过{limit}办理期限（期限{deadline}，{within}，{matter}）{unknown}", values) == (
        "办件XK-1 超过60日（延长30日）办理期限（期限2024年12月2日17:30，5个工作日，licence）")
    assert render_message("{thread} past its {limit} limit (due {deadline})", values, "en") == (
        "case XK-1 past its 60 days (extended by 30 days) limit (due 2 December 2024, 17:30)")


@pytest.mark.parametrize(("key", "zh", "en"), [
    ("2024", "2024年", "2024"), ("2024-09", "2024年9月", "September 2024"), ("2024-Q3", "2024年第3季度", "Q3 2024"),
    ("2024-B5", "2024年第5个双月", "2024, 5th two months"), ("2024-H1", "2024年上半年", "first half of 2024"),
    ("2024-H2", "2024年下半年", "second half of 2024"), ("2024-W37", "2024年第37周", "week 37 of 2024"), ("other", "other", "other"),
])
def test_scoring_periods(key: str, zh: str, en: str) -> None:
    assert (text.period(key), text.period(key, "en")) == (zh, en)


def test_the_report_table_of_cases_scores_and_revocations() -> None:
    from efficiency_rules import CaseState, Report
    from efficiency_rules._verdicts import Revocation, Score

    as_of = dt.datetime(2024, 12, 1, tzinfo=CST)
    common = {"ruleset": "r", "ruleset_version": "1"}
    report = Report(
        as_of=as_of, rulesets=[], verdicts=[], events=0,
        cases=[
            CaseState(thread="case:P1", time_limit="petition", status="paused", limit="60d", measure="elapsed_time",
                      start=dt.datetime(2024, 10, 8, 9, tzinfo=CST), deadline=None, elapsed_seconds=10 * 86400 + 3600,
                      elapsed_days=10.0417, remaining_seconds=50 * 86400 - 3600, remaining_days=49.9583,
                      extension_seconds=30 * 86400, extension_days=30, **common),
            CaseState(thread="case:P2", time_limit="petition", status="not_started", **common),
        ],
        scores=[Score(role="unit", subject="住建局", period="2024-Q3", base=100, deductions=12, bonuses=1, score=89,
                      grade="不合格", vetoed=True, rank=2, verdicts=["v-1", "v-2"], **common)],
        revocations=[Revocation(verdict_id="v-1", at=as_of, reason="申诉成立", event="rv1", found=True)],
    )
    assert report.table().splitlines() == [
        "时间  规则  类别  对象  分值  事项  说明",
        "0项结论，截至2024年12月1日00:00",
        "",
        "办件    时限      状态      期限              截止时间  已用         剩余          超期",
        "办件P1  petition  暂停计时  60日（延长30日）  -         10日又1小时  49日又23小时  -",
        "办件P2  petition  未起算    -                 -         -            -             -",
        "2个办件",
        "",
        "期间           对象          得分  扣分  加分  等次                名次  结论数",
        "2024年第3季度  单位：住建局  89    12    1     不合格（一票否决）  2     2",
        "",
        "撤销 v-1（rv1：申诉成立）",
    ]
    assert report.table(language="en").splitlines()[3:] == [
        "case     time limit  status       limit                          deadline  elapsed         remaining         overdue",
        "case P1  petition    paused       60 days (extended by 30 days)  -         10 days 1 hour  49 days 23 hours  -",
        "case P2  petition    not started  -                              -         -               -                 -",
        "2 cases",
        "",
        "period   subject      score  deducted  added  grade          rank  verdicts",
        "Q3 2024  unit 住建局  89     12        1      不合格 (veto)  2     2",
        "",
        "revoked v-1 (rv1: 申诉成立)",
    ]
