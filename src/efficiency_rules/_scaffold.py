"""``efficiency-rules new``: a ruleset and its scenario file to start from, commented in Chinese.

The scaffold is a small working policy — one clause, one time limit with an extension and an
overdue verdict, one "must follow within" rule — and three scenarios whose expected deadlines are
worked out on the statutory calendar for the dates the ruleset comes into force, so that the pair
passes ``check`` and ``test`` as written and every later edit can be checked against them.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

from ._calendar import Calendar
from ._errors import UsageError

__all__ = ["scaffold"]

_RULESET = """\
# <<title>>
#
# 本文件由 efficiency-rules new 生成，是一个可以运行的起点：按本单位的制度文件逐节修改。
# 每改一处，运行
#   efficiency-rules check <<file>>
#   efficiency-rules test <<test_file>>
# 检查无误、情景测试全部通过后再投入使用。
id: <<id>>                          # 规则集编号：小写字母、数字和 . _ -
title: {zh: <<title_q>>, en: <<title_en_q>>}
covers:                               # 一句话说明本规则集判定什么（efficiency-rules rulesets 列出）
  zh: 受理后5个工作日内办结，经批准可延长5个工作日；办结后3个工作日内送达
  en: Completion within 5 working days of acceptance, extendable by 5 with approval; delivery within 3 working days
version: "1"                          # 版本号（加引号）；修订时新建一个版本，并给旧版本写明 effective.to
effective: {from: <<from>>}           # 施行日期，改为制度文件规定的日期
timezone: Asia/Shanghai

references:                           # 本规则集执行的条款：结论引用它们，说明依据
  clause-1:
    citation: 《（制度文件名称）》第一条      # 改为文件名称和条款序号
    text: 承办单位应当自受理之日起五个工作日内办结；情况复杂的，经本机关负责人批准，可以延长五个工作日。
  clause-2:
    citation: 《（制度文件名称）》第二条
    text: 办结后三个工作日内将办理结果送达申请人。

verdicts:                             # 规则可能给出的结论
  overdue:
    kind: violation                   # violation 违规、warning 预警、alarm 报警、sanction 问责、compliance 合规
    points: -1                        # 扣分（-100至100），不扣分则删去
    subjects: [unit]                  # 追究谁：actor 经办人、unit 单位
    cites: [clause-1]
    message:
      zh: "{thread} 超过{limit}办理时限（期限{deadline}）"
      en: "{thread}: not completed within {limit} (due {deadline})"
  bad-extension:
    kind: violation
    subjects: [actor, unit]
    cites: [clause-1]
    message:
      zh: "{thread} 延长办理期限无效（{reason}），期限不变"
      en: "{thread}: invalid extension ({reason}); the deadline does not move"
  not-delivered:
    kind: violation
    subjects: [unit]
    cites: [clause-2]
    message:
      zh: "{thread} 办结后{within}内未送达（期限{deadline}）"
      en: "{thread}: not delivered within {within} of completion (due {deadline})"

time_limits:                          # 限时办结：办件时钟何时起算、何时停止、时限多长
  handling:
    title: {zh: 限时办结（第一条）, en: Time limit (clause 1)}
    start: case.accepted              # 自受理之日起（不含当日）
    stop: [case.completed, case.rejected, case.withdrawn]
    limit: 5wd                        # 5个工作日，法定节假日不计，调休上班日计入
    extensions: {max: 5wd, approvers: [agency_head], before_deadline: true, verdict: bad-extension}
    overdue:
      - {verdict: overdue}

rules:
  - id: deliver-within-3wd            # 办结后3个工作日内须送达
    expect:
      after: case.completed
      event: case.delivered
      within: 3wd
    verdict: not-delivered
"""

_SCENARIOS = """\
# <<title>>：情景测试。每个情景给出事件（given）、判定时点（as_of）和应得的结论（expect）。
# 期限按法定工作日计算（不含起算当日，至第N个工作日17:30止），可用
#   efficiency-rules calendar add <<start_day>> 5wd
# 核对。修改规则集后，相应修改这里的期限和结论。
rulesets: [<<file>>]
scenarios:
  - name: 按时办结并送达
    as_of: <<as_of>>
    given:
      - {id: a1, type: case.accepted, at: "<<start>>", case_id: A1, actor: s1, unit: u1}
      - {id: c1, type: case.completed, at: "<<on_time>>", case_id: A1, actor: s1, unit: u1}
      - {id: d1, type: case.delivered, at: "<<on_time_delivery>>", case_id: A1, actor: s1, unit: u1}
    expect:
      verdicts: []
      cases:
        - {thread: "case:A1", time_limit: handling, status: completed_on_time, deadline: "<<deadline>>"}

  - name: 超期办结
    as_of: <<as_of>>
    given:
      - {id: a1, type: case.accepted, at: "<<start>>", case_id: A2, actor: s1, unit: u1}
      - {id: c1, type: case.completed, at: "<<late>>", case_id: A2, actor: s1, unit: u1}
      - {id: d1, type: case.delivered, at: "<<late_delivery>>", case_id: A2, actor: s1, unit: u1}
    expect:
      verdicts:
        - {rule: handling.overdue, thread: "case:A2", at: "<<deadline>>", points: -1, cites: [clause-1]}
      cases:
        - {thread: "case:A2", time_limit: handling, status: completed_late}

  - name: 经批准延期后按时办结，未送达
    as_of: <<as_of>>
    given:
      - {id: a1, type: case.accepted, at: "<<start>>", case_id: A3, actor: s1, unit: u1}
      - {id: e1, type: case.extension_granted, at: "<<on_time>>", case_id: A3, duration: 5wd, approver: agency_head}
      - {id: c1, type: case.completed, at: "<<late>>", case_id: A3, actor: s1, unit: u1}
    expect:
      verdicts:
        - {rule: deliver-within-3wd, thread: "case:A3", at: "<<delivery_due>>", cites: [clause-2]}
      cases:
        - {thread: "case:A3", time_limit: handling, status: completed_on_time, deadline: "<<extended>>"}
"""


def _fill(template: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        template = template.replace(f"<<{key}>>", value)
    return template


def scaffold(ruleset_id: str, directory: Path, *, title: str | None, effective_from: dt.date) -> tuple[Path, Path]:
    """Write ``ID.yaml`` and ``ID.test.yaml`` in ``directory``; refuses to overwrite either."""
    ruleset = directory / f"{ruleset_id}.yaml"
    scenarios = directory / f"{ruleset_id}.test.yaml"
    for path in (ruleset, scenarios):
        if path.exists():
            raise UsageError(f"{path} already exists: choose another id or --dir, or move the file away")
    calendar = Calendar.china()
    zone = ZoneInfo("Asia/Shanghai")
    day = calendar.next_working_day(effective_from)
    start = dt.datetime.combine(day, dt.time(10, 0), zone)
    deadline = calendar.deadline(start, "5wd")
    on_time = dt.datetime.combine(calendar.add_working_days(day, 2), dt.time(10, 0), zone)
    late = dt.datetime.combine(calendar.add_working_days(deadline.date(), 1), dt.time(10, 0), zone)
    values = {
        "id": ruleset_id,
        "title": title or f"{ruleset_id}（标题待填）",
        "title_q": json.dumps(title or f"{ruleset_id}（标题待填）", ensure_ascii=False),
        "title_en_q": json.dumps(ruleset_id),
        "from": effective_from.isoformat(),
        "file": ruleset.name,
        "test_file": scenarios.name,
        "start_day": day.isoformat(),
        "start": start.isoformat(),
        "on_time": on_time.isoformat(),
        "on_time_delivery": (on_time + dt.timedelta(hours=1)).isoformat(),
        "deadline": deadline.isoformat(),
        "late": late.isoformat(),
        "late_delivery": (late + dt.timedelta(hours=1)).isoformat(),
        "extended": calendar.deadline(start, "10wd").isoformat(),
        "delivery_due": calendar.deadline(late, "3wd").isoformat(),
        "as_of": dt.datetime.combine(calendar.add_natural_days(day, 60, roll=False), dt.time(0, 0), zone).isoformat(),
    }
    directory.mkdir(parents=True, exist_ok=True)
    ruleset.write_text(_fill(_RULESET, values), encoding="utf-8")
    scenarios.write_text(_fill(_SCENARIOS, values), encoding="utf-8")
    return ruleset, scenarios
