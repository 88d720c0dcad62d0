"""Synthetic portal events for benchmarks: a year of cases, inquiries, evaluations and complaints.

Import it (``from synth import generate``, with ``tests/benchmarks`` on ``sys.path``) or run it
from the repository root::

    PYTHONPATH=src python tests/benchmarks/synth.py --cases 100000 --seed 1 --out /tmp/year.jsonl

The command writes JSON Lines (compact separators, UTF-8) and prints the counts by event type, the
file size and the time taken.

What is generated
-----------------
Every event validates as a core event (``efficiency_rules.read_events``). Times carry ``+08:00``
and fall inside business hours (09:00–12:00, 13:30–17:30) on working days of the real Chinese
calendar (``Calendar.china()``, make-up workdays included). Events come out in non-decreasing
``at`` order, ties broken by ``id``; ids are unique and the same for the same arguments.

* **Cases** (办件) arrive on the working days of ``year`` (more on Mondays and just after holiday
  runs), for the matters of the shipped rulesets' catalogues (``MATTERS``): every matter id of
  the ``time_limits`` … ``matters:`` of rulesets/shijiazhuang/efficiency-revolution-2019.yaml
  (business start-up, real estate, housing fund, utilities, heat connection, temporary ID cards,
  vehicles, postal delivery, petitions, disclosure), the unified, joint and centralised handling
  of rulesets/cn/xzxk.yaml, ``gov-info-request`` of rulesets/cn/xxgk.yaml and
  one-time-notification.yaml, and ``licence``, any licence with no entry of its own (the default
  20 working days of cn.xzxk and changde.e-supervision-2013). Weights follow a city portal: about
  a fifth licences, a fifth business start-up, a fifth real estate, a tenth disclosure. Each
  matter's limit is the catalogue's, dated entries included: the entry in force on the day its
  clock starts (Shijiazhuang's cuts of 2019-02-12, the disclosure limits of 2019-05-15,
  construction approvals' 70 working days from 2019-07-01). Deadlines are computed by
  ``Calendar.deadline`` from acceptance, or, for disclosure requests, from receipt and again from
  each supplement received (政府信息公开条例 arts. 30, 33); a postal delivery's clock runs to
  delivery. The mix, as shares of all cases:
  ~15 % with a supplement request (补正; a quarter of them with a second request listing a new
  item, half of those second requests marking it ``caused_by_supplement``; a few notices later
  than 5 working days after receipt); ~8 % paused and resumed (~7 % for a reason the matter's
  law excludes — 行政许可法 art. 45 for licences and connections, consultation for disclosure,
  Shijiazhuang's four for heat connections —, ~1 % for one that is not, such as
  ``holiday_backlog``; some paused twice); ~3 % with an extension requested (most granted; some
  requested or granted after the deadline), ~85 % of them approved by someone the rulesets accept
  (``agency_head``; ``government_head`` for unified handling; ``disclosure_office_head`` for
  disclosure, as cn.xxgk says) and the rest by someone no ruleset accepts (``INVALID_APPROVERS``:
  ``deputy_head``, ``section_chief``, ``window_supervisor``);
  ~1 % withdrawn, ~1 % rejected; ~10 % completed after their deadline; ~5 % still open at the
  end of the year (stalled cases, some paused and never resumed, and those received too late in
  December to finish). Completed cases are often delivered (送达) and evaluated (评价).
* **Inquiries** (首问), ``inquiries_per_case`` per case: in scope or not; answered (handled or
  explained), referred with or without ``to_unit`` (some several times), or never answered.
* **Evaluations** with every rating, **complaints** filed then verified or dismissed (more after
  late cases and unanswered inquiries), **monthly rankings** of the units by on-time rate and
  satisfaction (computed from the events already generated), and occasional **interviews**
  (约谈): of a unit ranked last (always when last two months running), and after each quarter
  of the unit and the member of staff with the most verified complaints.

Memory
------
Nothing holds the year. Arrivals are produced one working day at a time (a sorted list of the
day's arrival times); when a case or inquiry arrives its whole future (fewer than twenty events)
is pushed onto a heap keyed by ``(time, id)``, and events are popped from the heap only when no
arrival can come before them. Memory is therefore bounded by the cases and threads still open.
Events after the end of the year are never made.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import functools
import heapq
import itertools
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from efficiency_rules import Calendar, DateNotCoveredError

__all__ = [
    "DISCLOSURE_PAUSE_REASONS", "HEAT_PAUSE_REASONS", "INVALID_APPROVERS", "MATTERS", "OFF_LIST_PAUSE_REASONS",
    "PAUSE_REASONS", "UNIT_NAMES", "Matter", "generate", "main",
]

# -- the catalogue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Matter:
    """A matter (事项) as a portal's catalogue holds it, with the id the shipped rulesets use."""

    id: str
    prefix: str  # case-number prefix
    limits: tuple[tuple[str, dt.date | None], ...]  # (limit, last day it applies or None), in date order
    weight: float  # share of cases
    unit: str  # the unit that usually handles it ("*": any unit)
    materials: tuple[str, ...]
    outcomes: tuple[tuple[str, float], ...]
    extension: str | None = None  # the extension the law allows, if any
    approvers: tuple[str, ...] = ("agency_head",)  # who may approve an extension (a ruleset's `approvers`)
    pauses: tuple[tuple[str, float, float], ...] = ()  # lawful reasons for excluded time, if any occurs
    certificate: bool = False  # whether a certificate or decision is delivered (送达)
    from_receipt: bool = False  # the clock starts at receipt and restarts on a supplement (政府信息公开条例 arts. 30, 33)
    until_delivery: bool = False  # the clock stops at delivery, not at completion (交管业务邮寄送达)

    @property
    def limit(self) -> str:
        """The limit in force today (the last entry)."""
        return self.limits[-1][0]

    @property
    def pausable(self) -> bool:
        return bool(self.pauses)

    def limit_on(self, day: dt.date) -> str:
        """The limit for a clock started on ``day`` (a limit cut on a date is two entries)."""
        for limit, last in self.limits:
            if last is None or day <= last:
                return limit
        return self.limits[-1][0]  # not reached: the last entry has no end


def _cut(before: str, last_day: str, after: str) -> tuple[tuple[str, dt.date | None], ...]:
    """A limit cut: ``before`` for clocks started up to ``last_day``, ``after`` from the next day."""
    return ((before, dt.date.fromisoformat(last_day)), (after, None))


def _only(limit: str) -> tuple[tuple[str, dt.date | None], ...]:
    return ((limit, None),)


_CUT_2019 = "2019-02-11"  # Shijiazhuang's cuts apply from 2019-02-12 (the ruleset's DATES note)

#: Reasons for excluded time on the statutory list of 行政许可法 art. 45 (cn.xzxk, changde, county).
PAUSE_REASONS: tuple[tuple[str, float, float], ...] = (  # reason, shortest, longest (working days)
    ("hearing", 5, 15), ("tender", 10, 20), ("auction", 10, 20), ("inspection", 2, 8), ("testing", 3, 15),
    ("quarantine", 2, 10), ("appraisal", 5, 15), ("expert_review", 5, 20),
)
#: Excluded time of a disclosure request: consulting a third party (政府信息公开条例 art. 33 ¶3, cn.xxgk).
DISCLOSURE_PAUSE_REASONS: tuple[tuple[str, float, float], ...] = (("consultation", 3, 10),)
#: Excluded time of a heat connection (shijiazhuang.efficiency-revolution-2019 `heat-connection`).
HEAT_PAUSE_REASONS: tuple[tuple[str, float, float], ...] = (
    ("construction", 10, 30), ("contract_signing", 2, 8), ("valve_opening", 3, 15), ("administrative_approval", 5, 15),
)
#: Reasons a unit should not stop the clock for; a rule is expected to notice them.
OFF_LIST_PAUSE_REASONS: tuple[str, ...] = (
    "holiday_backlog", "staff_shortage", "awaiting_leader_signature", "system_upgrade",
)
#: Approvers no shipped ruleset accepts for an extension (each ruleset names the head of the agency,
#: of the government, or of the disclosure office): a deputy or a section signing instead.
INVALID_APPROVERS: tuple[str, ...] = ("deputy_head", "section_chief", "window_supervisor")
_P_VALID_APPROVER = 0.85  # of extensions: approved by someone the rulesets accept

_APPROVE = (("approved", 0.88), ("refused", 0.12))
_REGISTER = (("registered", 0.95), ("refused", 0.05))
_DISCLOSE = (("disclosed", 0.55), ("partially_disclosed", 0.15), ("not_disclosed", 0.1), ("not_held", 0.2))
_PETITION = (("resolved", 0.6), ("explained", 0.3), ("not_supported", 0.1))
_ID_DOCS = ("申请人身份证明", "授权委托书")
_LICENCE_DOCS = ("申请书", "营业执照副本", "场所使用证明", "设备设施清单", "管理制度文本", *_ID_DOCS)
_JOINT_DOCS = ("联合审批申请表", "营业执照副本", "项目说明", "场所使用证明", "各部门审批所需材料", *_ID_DOCS)
_DISCLOSURE_DOCS = ("政府信息公开申请表", "申请人身份证明", "所需信息的名称或文号")
_ESTATE_DOCS = ("不动产权证书", "身份证明", "买卖合同", "完税凭证", "不动产登记申请书")
_LAND_DOCS = ("集体土地所有权登记申请书", "村民会议决议", "权属来源证明", "地籍调查表", "身份证明")
_PETITION_DOCS = ("信访事项材料", "身份证明")
_DISCLOSURE_APPROVERS = ("disclosure_office_head",)  # 政府信息公开工作机构负责人 (cn.xxgk)

#: The matters, with the ids and limits of the shipped catalogues: rulesets/shijiazhuang/
#: efficiency-revolution-2019.yaml (`time_limits` … `matters:`, the limits cut on 2019-02-12 and the
#: dated entries with them), rulesets/cn/xzxk.yaml (``unified-handling`` and the like: 45 working
#: days, extended by the head of the government; every other licence gets the default 20 working
#: days, here ``licence``) and rulesets/cn/xxgk.yaml and one-time-notification.yaml
#: (``gov-info-request``, 20 working days from receipt). Shijiazhuang files disclosure requests
#: under ``information-disclosure`` (10 working days) instead: both ids occur, so that both
#: catalogues' clocks run. Petitions follow Shijiazhuang (``petition-general`` 1 month and so on;
#: cn.xinfang's ``petition`` of 60 days is not generated: the two catalogues describe the same
#: cases). Extensions are those of the law (行政许可法 art. 42, 政府信息公开条例 art. 33) or a local
#: practice; Shijiazhuang allows none for petitions.
# fmt: off
MATTERS: tuple[Matter, ...] = (
    # licensing: the national default clock (cn.xzxk `licence`, changde `approval`, county `licence-days`)
    Matter("licence", "XK", _only("20wd"), 16, "行政审批局", _LICENCE_DOCS,
           _APPROVE, extension="10wd", pauses=PAUSE_REASONS, certificate=True),
    # 行政许可法 art. 26 / 42(2): 45 working days, + 15 approved by the head of the government
    Matter("unified-handling", "XKT", _only("45wd"), 0.8, "政务服务管理办公室", _JOINT_DOCS,
           _APPROVE, extension="15wd", approvers=("government_head",), pauses=PAUSE_REASONS, certificate=True),
    Matter("joint-handling", "XKL", _only("45wd"), 0.6, "行政审批局", _JOINT_DOCS,
           _APPROVE, extension="15wd", approvers=("government_head",), pauses=PAUSE_REASONS, certificate=True),
    Matter("centralised-handling", "XKJ", _only("45wd"), 0.6, "政务服务管理办公室", _JOINT_DOCS,
           _APPROVE, extension="15wd", approvers=("government_head",), pauses=PAUSE_REASONS, certificate=True),
    # disclosure on request: national (cn.xxgk, cn.one-time-notification) and Shijiazhuang's ids
    Matter("gov-info-request", "GK", _only("20wd"), 3.5, "*", _DISCLOSURE_DOCS, _DISCLOSE,
           extension="20wd", approvers=_DISCLOSURE_APPROVERS, pauses=DISCLOSURE_PAUSE_REASONS, from_receipt=True),
    Matter("information-disclosure", "GKS", _cut("15wd", _CUT_2019, "10wd"), 3.5, "*", _DISCLOSURE_DOCS, _DISCLOSE,
           extension="20wd", approvers=_DISCLOSURE_APPROVERS, pauses=DISCLOSURE_PAUSE_REASONS, from_receipt=True),
    Matter("information-disclosure-complex", "GKF", _cut("15wd", "2019-05-14", "20wd"), 1, "*", _DISCLOSURE_DOCS,
           _DISCLOSE, extension="20wd", approvers=_DISCLOSURE_APPROVERS, pauses=DISCLOSURE_PAUSE_REASONS,
           from_receipt=True),
    # 企业开办
    Matter("enterprise-registration", "QY", _only("2.5wd"), 14, "市场监管局",
           ("公司登记申请书", "公司章程", "股东主体资格证明", "法定代表人任职文件", "住所使用证明"),
           _REGISTER, certificate=True),
    Matter("invoice-collection", "FP", _only("1wd"), 3, "税务局", ("发票领用申请表", "经办人身份证明"), (("issued", 1.0),)),
    Matter("company-seal-engraving", "KZ", _only("1wd"), 2, "公安局", ("营业执照副本", "法定代表人身份证明"),
           (("issued", 1.0),), certificate=True),
    # 不动产登记
    Matter("real-estate-change-registration", "BDB", _only("immediate"), 2, "不动产登记中心",
           (*_ESTATE_DOCS[:2], "变更证明"), _REGISTER),
    Matter("real-estate-cancellation-registration", "BDX", _only("immediate"), 0.6, "不动产登记中心",
           (*_ESTATE_DOCS[:2], "注销原因证明"), _REGISTER),
    Matter("real-estate-correction-registration", "BDC", _only("immediate"), 0.3, "不动产登记中心",
           (*_ESTATE_DOCS[:2], "更正依据"), _REGISTER),
    Matter("real-estate-objection-registration", "BDY", _only("immediate"), 0.2, "不动产登记中心",
           ("异议登记申请书", "身份证明", "利害关系证明"), _REGISTER),
    Matter("real-estate-seizure-registration", "BDF", _only("immediate"), 0.3, "不动产登记中心",
           ("协助执行通知书", "人民法院裁定书", "执行公务证件"), _REGISTER),
    Matter("commodity-housing-sale-registration", "BDS", _cut("3wd", _CUT_2019, "1wd"), 6, "不动产登记中心",
           _ESTATE_DOCS, _REGISTER, certificate=True),
    Matter("affordable-housing-transfer-registration", "BDJ", _cut("3wd", _CUT_2019, "1wd"), 0.4, "不动产登记中心",
           (*_ESTATE_DOCS, "经济适用住房上市审批表"), _REGISTER, certificate=True),
    Matter("public-housing-transfer-registration", "BDG", _cut("3wd", _CUT_2019, "1wd"), 0.4, "不动产登记中心",
           (*_ESTATE_DOCS, "已购公有住房证明"), _REGISTER, certificate=True),
    Matter("partition-registration", "BDE", _cut("3wd", _CUT_2019, "1wd"), 0.2, "不动产登记中心",
           (*_ESTATE_DOCS[:2], "析产协议"), _REGISTER, certificate=True),
    Matter("existing-housing-transfer-registration", "BDZ", _cut("3wd", _CUT_2019, "2wd"), 5.5, "不动产登记中心",
           (*_ESTATE_DOCS, "婚姻状况证明"), _REGISTER, certificate=True),
    Matter("unit-title-reissue", "BDH", _cut("3wd", _CUT_2019, "2wd"), 0.5, "不动产登记中心",
           (*_ESTATE_DOCS[:2], "遗失声明", "单位证明"), _REGISTER, certificate=True),
    Matter("unit-title-mortgage-registration", "BDD", _cut("5wd", _CUT_2019, "3wd"), 2, "不动产登记中心",
           (*_ESTATE_DOCS[:2], "抵押合同", "主债权合同"), _REGISTER, certificate=True),
    Matter("bulk-mortgage-registration", "BDP", _cut("7wd", _CUT_2019, "5wd"), 1, "不动产登记中心",
           (*_ESTATE_DOCS[:2], "抵押合同", "房屋清单"), _REGISTER, certificate=True),
    Matter("bulk-commodity-housing-transfer-registration", "BDL", _cut("15wd", _CUT_2019, "10wd"), 0.5,
           "不动产登记中心", (*_ESTATE_DOCS, "房屋清单", "测绘报告"), _REGISTER, pauses=PAUSE_REASONS, certificate=True),
    Matter("collective-land-first-registration", "JTS", _cut("15wd", _CUT_2019, "10wd"), 0.2, "不动产登记中心",
           _LAND_DOCS, _REGISTER, certificate=True),
    Matter("collective-land-change-registration", "JTB", _cut("15wd", _CUT_2019, "10wd"), 0.2, "不动产登记中心",
           (*_LAND_DOCS, "变更证明"), _REGISTER, certificate=True),
    Matter("collective-land-cancellation-registration", "JTZ", _cut("15wd", _CUT_2019, "10wd"), 0.2, "不动产登记中心",
           (*_LAND_DOCS[:3], "注销原因证明"), _REGISTER),
    # 住房公积金, 供水供气供热
    Matter("housing-fund-loan", "GJJ", _cut("10wd", _CUT_2019, "7wd"), 4, "住房公积金管理中心",
           ("借款申请表", "购房合同", "收入证明", "婚姻状况证明", "首付款凭证"),
           (("approved", 0.9), ("refused", 0.1)), extension="3wd", pauses=PAUSE_REASONS),
    Matter("heat-supply-filing", "YR", _cut("7wd", _CUT_2019, "2wd"), 1, "住建局", ("用热备案表", "产权证明", "身份证明"),
           (("filed", 1.0),)),
    Matter("water-connection", "JS", _only("25wd"), 1, "水务局", ("报装申请表", "产权证明", "用水设计图"),
           (("connected", 0.95), ("refused", 0.05)), extension="10wd", pauses=PAUSE_REASONS),
    Matter("gas-connection-household", "RQH", _cut("20wd", _CUT_2019, "10wd"), 2, "住建局",
           ("报装申请表", "产权证明", "身份证明"), (("connected", 0.97), ("refused", 0.03)),
           extension="5wd", pauses=PAUSE_REASONS),
    Matter("gas-connection-business", "RQG", _cut("30wd", _CUT_2019, "15wd"), 1, "住建局",
           ("报装申请表", "营业执照副本", "产权证明", "用气设备清单"), (("connected", 0.95), ("refused", 0.05)),
           extension="5wd", pauses=PAUSE_REASONS),
    Matter("heat-connection", "RL", _only("45wd"), 0.5, "住建局", ("用热报装申请表", "产权证明", "供热设计图"),
           (("connected", 0.95), ("refused", 0.05)), pauses=HEAT_PAUSE_REASONS),
    # 工程建设项目审批: 70 working days from 2019-07-01 (no figure before; the national 20 is the fallback)
    Matter("construction-project-approval", "GC", (("20wd", dt.date(2019, 6, 30)), ("70wd", None)), 1, "行政审批局",
           ("立项批复", "用地规划许可证", "施工图审查合格书", "环评批复", "消防设计审查意见"),
           _APPROVE, extension="10wd", pauses=PAUSE_REASONS, certificate=True),
    # 户籍、交管
    Matter("temporary-id-card", "LS", _cut("1wd", _CUT_2019, "immediate"), 1.5, "公安局",
           ("临时居民身份证申领登记表", "户口簿", "照片"), (("issued", 1.0),)),
    Matter("vehicle-change-registration", "JC", _cut("3wd", _CUT_2019, "same_day"), 3, "公安局交通警察支队",
           ("机动车登记证书", "行驶证", "身份证明", "变更证明"), _REGISTER, certificate=True),
    Matter("traffic-postal-delivery", "JY", _only("3d"), 1.5, "公安局交通警察支队",
           ("邮政代办申请表", "身份证明", "驾驶证"), (("issued", 1.0),), certificate=True, until_delivery=True),
    # 信访
    Matter("petition-general", "XF", _cut("2mo", _CUT_2019, "1mo"), 3, "信访局", _PETITION_DOCS, _PETITION),
    Matter("petition-livelihood", "XFM", _only("15d"), 2, "信访局", _PETITION_DOCS,
           (("resolved", 0.7), ("explained", 0.25), ("not_supported", 0.05))),
    Matter("petition-livelihood-complex", "XFF", _only("1mo"), 0.5, "信访局", _PETITION_DOCS, _PETITION),
)

#: Unit names; ``units=N`` takes the first N (numbered units are added beyond these).
UNIT_NAMES: tuple[str, ...] = (
    "行政审批局", "市场监管局", "不动产登记中心", "住房公积金管理中心", "信访局", "税务局", "公安局",
    "公安局交通警察支队", "住建局", "水务局", "城市管理局", "自然资源和规划局", "生态环境局",
    "人力资源和社会保障局", "卫生健康委", "教育局", "民政局", "交通运输局", "农业农村局", "商务局",
    "文化广电和旅游局", "应急管理局", "医疗保障局", "财政局", "发展和改革委", "工业和信息化局", "司法局",
    "退役军人事务局", "统计局", "政务服务管理办公室",
)

_CHANNELS = (("counter", 0.45), ("web", 0.3), ("mobile", 0.2), ("mail", 0.05))
_REJECT_REASONS = (
    "不属于本机关职权范围", "申请事项依法不需要取得行政许可", "申请材料不符合法定形式", "申请人不具备申请资格",
)
_RATINGS_ON_TIME = (("satisfied", 0.8), ("basically_satisfied", 0.14), ("unsatisfied", 0.045), ("unresolved", 0.015))
_RATINGS_LATE = (("satisfied", 0.35), ("basically_satisfied", 0.25), ("unsatisfied", 0.28), ("unresolved", 0.12))
# fmt: on
_RATINGS_UNANSWERED = (("unsatisfied", 0.4), ("unresolved", 0.6))

# Shares of all cases (the brief's mix); conditional probabilities are derived from them.
_P_SUPPLEMENT = 0.15
_P_SECOND_SUPPLEMENT = 0.25  # of cases with a supplement request
_P_PAUSE = 0.07  # legitimate reason
_P_PAUSE_OFF_LIST = 0.01
_P_EXTENSION = 0.036  # some requests would fall after the end of the year
_P_WITHDRAWN = 0.01
_P_REJECTED = 0.01
_P_STALLED = 0.008  # never completed; with the December arrivals, ~5 % open at the end of the year
_P_LATE = 0.115  # of the cases that complete, so that ~10 % of all cases complete late

_TZ = dt.timezone(dt.timedelta(hours=8))


@functools.lru_cache(maxsize=1)
def _calendar() -> Calendar:
    return Calendar.china()


def _cumulative(pairs: tuple[tuple[Any, float], ...]) -> tuple[list[Any], list[float]]:
    return [p[0] for p in pairs], list(itertools.accumulate(p[1] for p in pairs))


# -- the generator ---------------------------------------------------------------------------


def generate(
    *,
    cases: int,
    year: int = 2025,
    seed: int = 0,
    inquiries_per_case: float = 0.3,
    units: int = 30,
    staff_per_unit: int = 10,
) -> Iterator[dict[str, Any]]:
    """A year of synthetic portal events, lazily, in ``(at, id)`` order.

    ``cases`` cases and ``round(cases * inquiries_per_case)`` inquiries arrive over the working
    days of ``year`` (which the built-in calendar must cover, 2004–2026), handled by ``units``
    units of ``staff_per_unit`` staff each. The same arguments give the same events.
    Arguments are checked at once; events are made only as they are consumed.
    """
    cal = _calendar()
    if not cal.first_year <= year <= cal.last_year:
        raise ValueError(f"year {year} is outside the calendar's data ({cal.first_year}–{cal.last_year})")
    if cases < 0 or inquiries_per_case < 0:
        raise ValueError("cases and inquiries_per_case must not be negative")
    if units < 1 or staff_per_unit < 1:
        raise ValueError("units and staff_per_unit must be at least 1")
    return _Year(cal, cases, year, seed, inquiries_per_case, units, staff_per_unit).events()


class _Year:
    """The state of one generation: calendar positions, catalogue, heap, running statistics."""

    def __init__(
        self, cal: Calendar, cases: int, year: int, seed: int, inquiries_per_case: float, units: int, staff: int
    ) -> None:
        self.cal, self.cases, self.year = cal, cases, year
        self.inquiries = round(cases * inquiries_per_case)
        self.rng = random.Random(f"synth:{seed}")  # arrivals and each case's or thread's future
        self.live_rng = random.Random(f"synth-live:{seed}")  # decisions made while events stream out
        self.staff = staff

        # Working time as integer positions: working day k of the year, ``offset`` seconds into
        # its business hours, is position k * per_day + offset. Positions beyond the year are
        # only compared (deadlines), never written.
        bh = cal.business_hours
        self.bh, self.per_day = bh, bh.seconds_per_day
        first, last = dt.date(year, 1, 1), dt.date(min(year + 1, cal.last_year), 12, 31)
        days = [first + dt.timedelta(n) for n in range((last - first).days + 1)]
        self.wdays = [d for d in days if cal.is_working_day(d)]
        self.windex = {d.toordinal(): k for k, d in enumerate(self.wdays)}
        self.days_in_year = sum(1 for d in self.wdays if d.year == year)
        self.end = self.days_in_year * self.per_day
        self.beyond = 10**12  # a position for deadlines past the calendar's data
        self.day_text = [d.isoformat() for d in self.wdays[: self.days_in_year]]
        self.time_text: dict[int, str] = {}

        # Units and their staff.
        names = list(UNIT_NAMES[:units]) + [f"单位{n:03d}" for n in range(len(UNIT_NAMES) + 1, units + 1)]
        width = max(2, len(str(units)))
        self.units = names
        self.codes = [f"u{n:0{width}d}" for n in range(1, units + 1)]
        self.unit_index = {name: i for i, name in enumerate(names)}

        # Matters: home unit (or a stand-in when there are fewer units), cumulative weights.
        self.matters = MATTERS
        self.matter_units = []
        for i, m in enumerate(MATTERS):
            self.matter_units.append(-1 if m.unit == "*" else self.unit_index.get(m.unit, i % units))
        self.matter_cum = list(itertools.accumulate(m.weight for m in MATTERS))
        total = self.matter_cum[-1]
        pausable = sum(m.weight for m in MATTERS if m.pausable) / total
        extensible = sum(m.weight for m in MATTERS if m.extension) / total
        ok = 1 - _P_WITHDRAWN - _P_REJECTED - _P_STALLED
        self.p_pause = min(1.0, (_P_PAUSE + _P_PAUSE_OFF_LIST) / pausable / (1 - _P_REJECTED))
        self.p_off_list = _P_PAUSE_OFF_LIST / (_P_PAUSE + _P_PAUSE_OFF_LIST)
        self.p_extension = min(1.0, _P_EXTENSION / extensible / ok)
        self.channels = _cumulative(_CHANNELS)
        self.ratings_on_time = _cumulative(_RATINGS_ON_TIME)
        self.ratings_late = _cumulative(_RATINGS_LATE)
        self.ratings_unanswered = _cumulative(_RATINGS_UNANSWERED)
        self.outcomes = [_cumulative(m.outcomes) for m in MATTERS]

        self.heap: list[tuple[int, str, dict[str, Any], Any]] = []
        self.case_serial = self.inquiry_serial = self.complaint_serial = self.interview_serial = 0
        # Running statistics for rankings and interviews, filled as events stream out.
        self.month_done: Counter[tuple[int, int]] = Counter()  # (month, unit) → completed
        self.month_on_time: Counter[tuple[int, int]] = Counter()
        self.month_rated: Counter[tuple[int, int]] = Counter()
        self.month_satisfied: Counter[tuple[int, int]] = Counter()
        self.last_place: int | None = None
        self.verified_unit: Counter[tuple[int, int]] = Counter()
        self.verified_actor: Counter[tuple[int, str]] = Counter()

    # -- time ---------------------------------------------------------------------------------

    def at(self, pos: int) -> str:
        k, offset = divmod(pos, self.per_day)
        text = self.time_text.get(offset)
        if text is None:
            text = self.time_text[offset] = self.bh.time_at(offset).isoformat()
        return f"{self.day_text[k]}T{text}+08:00"

    def moment(self, pos: int) -> dt.datetime:
        """The instant of a position, as an aware datetime (what ``at`` writes as text)."""
        k, offset = divmod(pos, self.per_day)
        return dt.datetime.combine(self.wdays[k], self.bh.time_at(offset), _TZ)

    def position(self, moment: dt.datetime) -> int:
        k = self.windex.get(moment.date().toordinal())
        if k is None:
            return self.beyond
        return k * self.per_day + self.bh.elapsed(moment.time())

    def deadline(self, pos: int, limit: str) -> int:
        """The position at which ``limit`` runs out from ``pos``, by ``Calendar.deadline``."""
        if pos >= self.beyond:
            return self.beyond
        try:
            return self.position(self.cal.deadline(self.moment(pos), limit))
        except (DateNotCoveredError, IndexError):
            return self.beyond

    def wd(self, low: float, high: float) -> int:
        """A random span of working time, in working days from ``low`` to ``high`` (at least a second)."""
        return max(1, int(self.rng.uniform(low, high) * self.per_day))

    def minutes(self, low: float, high: float) -> int:
        return max(1, int(self.rng.uniform(low, high) * 60))

    def pick(self, table: tuple[list[Any], list[float]]) -> Any:
        values, cum = table
        return values[bisect.bisect_left(cum, self.rng.random() * cum[-1])]

    # -- output -------------------------------------------------------------------------------

    def push(self, pos: int, event_id: str, kind: str, fields: dict[str, Any], info: Any = None) -> bool:
        """Schedule an event; one after the end of the year is dropped (returns False)."""
        if pos >= self.end:
            return False
        event = {"id": event_id, "type": kind, "at": self.at(pos)}
        event.update(fields)
        heapq.heappush(self.heap, (pos, event_id, event, info))
        return True

    def events(self) -> Iterator[dict[str, Any]]:
        heap, pop = self.heap, heapq.heappop
        # The organisation on the first working day: each unit's deputy in charge and principal, and
        # its staff; in July one member of staff of the first unit moves to the second (people move).
        for u, unit in enumerate(self.units):
            code = self.codes[u]
            self.push(0, f"ORG-{self.year}-{code}", "org.unit_leaders", {"unit": unit, "deputy": f"{code}-D", "principal": f"{code}-P"})
            for i in range(1, self.staff + 1):
                self.push(0, f"ORG-{self.year}-{code}-{i:03d}", "org.staff_assigned", {"staff": f"{code}-{i:03d}", "unit": unit})
        if len(self.units) > 1:
            july = next(i for i, d in enumerate(self.wdays) if d >= dt.date(self.year, 7, 1))
            self.push(july * self.per_day, f"ORG-{self.year}-move", "org.staff_assigned",
                      {"staff": f"{self.codes[0]}-001", "unit": self.units[1]})
        for month in range(1, 12):  # each month's rankings, published early the next month
            first = dt.date(self.year, month + 1, 1)
            k = next(i for i, d in enumerate(self.wdays) if d >= first)
            pos = k * self.per_day + 3600  # 10:00
            for metric in ("on_time_rate", "satisfaction_rate"):
                self.push(
                    pos,
                    f"PM-{self.year}-{month:02d}-{metric}",
                    "ranking.published",
                    {"period": f"{self.year}-{month:02d}", "metric": metric, "order": []},
                    ("ranking", month),
                )
        arrivals = self.arrivals()
        upcoming = next(arrivals, None)
        while upcoming is not None or heap:
            if upcoming is not None and (not heap or upcoming[0] <= heap[0][0]):
                pos, kind = upcoming
                if kind == 0:
                    self.spawn_case(pos)
                else:
                    self.spawn_inquiry(pos)
                upcoming = next(arrivals, None)
                continue
            pos, _, event, info = pop(heap)
            if info is not None:
                self.observe(pos, event, info)
            yield event

    def arrivals(self) -> Iterator[tuple[int, int]]:
        """``(position, kind)`` of each arrival in time order (kind 0: a case, 1: an inquiry), a day at a time."""
        weights = []
        for k, day in enumerate(self.wdays[: self.days_in_year]):
            w = 1.0 + (0.15 if day.weekday() == 0 else 0.0) + (0.1 if day.month == 12 else 0.0)
            if k > 0 and (day - self.wdays[k - 1]).days >= 4:
                w += 0.4  # the first day after a holiday run
            elif k > 1 and (day - self.wdays[k - 2]).days >= 5:
                w += 0.2
            weights.append(w)
        cum = list(itertools.accumulate(weights))
        total = cum[-1]
        done_cases = done_inquiries = 0
        for k, c in enumerate(cum):
            n_cases = round(self.cases * c / total) - done_cases
            n_inquiries = round(self.inquiries * c / total) - done_inquiries
            done_cases += n_cases
            done_inquiries += n_inquiries
            rnd, base = self.rng.random, k * self.per_day
            todays = [(base + int(rnd() * self.per_day), 0) for _ in range(n_cases)]
            todays += [(base + int(rnd() * self.per_day), 1) for _ in range(n_inquiries)]
            todays.sort()
            yield from todays

    # -- cases --------------------------------------------------------------------------------

    def spawn_case(self, t: int) -> None:
        rng = self.rng
        self.case_serial += 1
        m_index = bisect.bisect_left(self.matter_cum, rng.random() * self.matter_cum[-1])
        matter = self.matters[m_index]
        u = self.matter_units[m_index]
        if u < 0:
            u = rng.randrange(len(self.units))
        unit, actor = self.units[u], f"{self.codes[u]}-{rng.randrange(1, self.staff + 1):03d}"
        case_id = f"{matter.prefix}-{self.year}-{self.case_serial:07d}"
        seq = itertools.count(1)
        common = {"unit": unit, "actor": actor, "case_id": case_id}

        def emit(pos: int, kind: str, info: Any = None, **fields: Any) -> bool:
            fields = {**common, **fields}
            return self.push(pos, f"{case_id}.{next(seq):02d}", kind, fields, info)

        channel = self.pick(self.channels)
        received = {**common, "matter": matter.id, "channel": channel}
        if channel != "counter":
            del received["actor"]  # arrived online or by post: nobody at a window yet
        self.push(t, f"{case_id}.{next(seq):02d}", "case.received", received)
        clock_from = t  # where a clock counted from receipt starts (restarted by each supplement received)

        fate = rng.random()
        withdrawn = fate < _P_WITHDRAWN
        rejected = _P_WITHDRAWN <= fate < _P_WITHDRAWN + _P_REJECTED
        stalled = _P_WITHDRAWN + _P_REJECTED <= fate < _P_WITHDRAWN + _P_REJECTED + _P_STALLED

        # Supplement (补正): notice within 5 working days of receipt (a few later), one or two rounds.
        if rng.random() < _P_SUPPLEMENT:
            first_items = rng.sample(matter.materials, min(len(matter.materials), rng.choice((1, 1, 2, 3))))
            t += self.wd(0.05, 4.5) if rng.random() > 0.06 else self.wd(5.5, 9)
            emit(t, "case.supplement_requested", items=first_items)
            if withdrawn and rng.random() < 0.5:  # gave up instead of supplying
                emit(t + self.wd(3, 15), "case.withdrawn")
                return
            t += self.wd(0.5, 10)
            emit(t, "case.supplement_received")
            clock_from = t
            if rng.random() < _P_SECOND_SUPPLEMENT:
                rest = [x for x in matter.materials if x not in first_items]
                new_item = rng.choice(rest) if rest else f"{first_items[0]}（补充说明）"
                t += self.wd(0.1, 3)
                if rng.random() < 0.5:  # needed only because of what was supplied
                    emit(t, "case.supplement_requested", items=[new_item], caused_by_supplement=[new_item])
                else:  # should have been in the first notice (一次性告知)
                    emit(t, "case.supplement_requested", items=[new_item])
                t += self.wd(0.5, 8)
                emit(t, "case.supplement_received")
                clock_from = t

        if rejected:
            t += self.minutes(10, 90) if channel == "counter" else self.wd(0.2, 4)
            emit(t, "case.rejected", reason=rng.choice(_REJECT_REASONS))
            if rng.random() < 0.2:
                self.evaluate(t + self.wd(0.1, 3), case_id, u, self.ratings_late)
            if rng.random() < 0.05:
                self.complain(t + self.wd(1, 10), u, actor, 0.3)
            return

        # Acceptance (受理): at the counter within the visit; otherwise within a few working days.
        t += self.minutes(5, 60) if channel == "counter" else self.wd(0.1, 3)
        emit(t, "case.accepted")
        if not matter.from_receipt:
            clock_from = t
        # The entry in force on the day the clock starts (past the calendar's data: today's limit).
        started = clock_from // self.per_day
        limit = matter.limit_on(self.wdays[started]) if started < len(self.wdays) else matter.limit
        deadline = self.deadline(clock_from, limit)
        span = max(deadline - clock_from, 0) if deadline < self.beyond else 20 * self.per_day

        if withdrawn:
            emit(t + max(1, int(rng.uniform(0.05, 0.8) * span)) + 1, "case.withdrawn")
            return

        # Pauses (excluded time). A reason off the statutory list does not extend the legal
        # deadline, but the unit behaves as if it did.
        stretched = deadline  # the deadline as the unit believes it to be
        legal = deadline  # the deadline with lawful excluded time only
        if matter.pausable and rng.random() < self.p_pause and deadline < self.beyond:
            rounds = 2 if rng.random() < 0.15 else 1
            for r in range(rounds):
                t += max(60, int(rng.uniform(0.1, 0.5 if r == 0 else 0.3) * span))
                if rng.random() < self.p_off_list:
                    reason, low, high = rng.choice(OFF_LIST_PAUSE_REASONS), 3, 8
                    lawful = False
                else:
                    reason, low, high = rng.choice(matter.pauses)
                    lawful = True
                emit(t, "case.paused", reason=reason)
                if stalled and r == rounds - 1 and rng.random() < 0.4:
                    self.stalled_case(t, legal, u, actor, case_id)  # never resumed
                    return
                length = self.wd(low, high)
                t += length
                if rng.random() < 0.3:
                    emit(t, "case.resumed", reason=f"{reason}_finished")
                else:
                    emit(t, "case.resumed")
                stretched += length
                legal += length if lawful else 0

        # Extension (延期): asked late in the period, usually before it runs out; most are granted.
        if matter.extension and rng.random() < self.p_extension and stretched < self.beyond:
            before = rng.random() < 0.85
            if before:
                ask = max(t + 60, stretched - max(60, int(rng.uniform(0.02, 0.3) * (stretched - t))))
            else:
                ask = stretched + self.wd(0.1, 3)
            t = ask
            # Approved by someone the rulesets accept (the head of the agency, of the government or of
            # the disclosure office), or by a deputy or section chief instead.
            valid = rng.random() < _P_VALID_APPROVER
            approver = rng.choice(matter.approvers if valid else INVALID_APPROVERS)
            request: dict[str, Any] = {"duration": matter.extension, "reason": "情况复杂，需延长办理期限"}
            if rng.random() < 0.7:
                request["approver"] = approver
            emit(t, "case.extension_requested", **request)
            if rng.random() < 0.85:
                t += self.wd(0.05, 1 if before else 0.5)  # some approvals land after the deadline
                emit(t, "case.extension_granted", duration=matter.extension, approver=approver)
                extended = self.deadline(stretched - 1, matter.extension)  # from 17:29:59, not 09:00 next day
                if valid and t <= legal:  # an extension not validly approved, or too late, moves nothing in law
                    legal += extended - stretched
                stretched = extended

        if stalled:
            self.stalled_case(t, legal, u, actor, case_id)
            return

        # Completion (办结): on time, or late by a fraction of the limit (at least part of a day).
        outcome = self.pick(self.outcomes[m_index])
        limit_days = max(1.0, span / self.per_day)
        late = rng.random() < _P_LATE or (stretched >= self.beyond)
        if stretched >= self.beyond:
            done = self.end  # past the data: stays open
        elif late:
            done = max(t, stretched) + self.wd(0.1, max(1.0, 0.6 * limit_days))
        elif limit == "immediate":
            done = t
        else:
            room = stretched - t
            done = t + max(1, int(room * rng.uniform(0.1, 0.97))) if room > 1 else t + 1
            if done > stretched:  # nothing left: this one is late after all
                late = True
        late = late or done > legal  # an off-list pause does not excuse the time it took
        if matter.until_delivery:  # the clock runs to delivery: the card is made first, then mailed
            made = t + max(1, int((done - t) * rng.uniform(0.2, 0.6)))
            if not emit(min(made, done), "case.completed", (u, late), outcome=outcome):
                return
            if not emit(done, "case.delivered"):
                return
        else:
            if not emit(done, "case.completed", (u, late), outcome=outcome):
                return
            if matter.certificate and outcome not in ("refused", "not_supported") and rng.random() < 0.7:
                emit(done + (self.minutes(1, 30) if rng.random() < 0.5 else self.wd(0.2, 3)), "case.delivered")
        t = done
        if rng.random() < 0.3:
            self.evaluate(t + self.wd(0, 5), case_id, u, self.ratings_late if late else self.ratings_on_time)
        if rng.random() < (0.12 if late else 0.004):
            self.complain(t + self.wd(0.5, 10), u, actor, 0.6 if late else 0.15)

    def stalled_case(self, t: int, deadline: int, u: int, actor: str, case_id: str) -> None:
        """A case left open: it may draw a complaint once its deadline has passed."""
        if deadline < self.end and self.rng.random() < 0.3:
            self.complain(max(t, deadline) + self.wd(3, 20), u, actor, 0.7)
        if deadline < self.end and self.rng.random() < 0.1:
            self.evaluate(max(t, deadline) + self.wd(1, 10), case_id, u, self.ratings_unanswered)

    def evaluate(self, pos: int, case_id: str, u: int, ratings: tuple[list[Any], list[float]]) -> None:
        """An applicant's evaluation of a case (at most one a case)."""
        rating = self.pick(ratings)
        fields = {"rating": rating, "target_unit": self.units[u], "case_id": case_id}
        self.push(pos, f"{case_id}.ev", "evaluation.submitted", fields, ("rating", u, rating))

    def complain(self, pos: int, u: int, actor: str | None, p_verified: float) -> None:
        rng = self.rng
        self.complaint_serial += 1
        complaint_id = f"TS-{self.year}-{self.complaint_serial:06d}"
        against: dict[str, Any] = {"complaint_id": complaint_id, "against_unit": self.units[u]}
        if actor is not None and rng.random() < 0.8:
            against["against_actor"] = actor
        if not self.push(pos, f"{complaint_id}.01", "complaint.filed", against):
            return
        roll = rng.random()
        if roll < 0.9:  # the rest are still being looked into
            kind = "complaint.verified" if roll < 0.9 * p_verified else "complaint.dismissed"
            info = ("verified", u, against.get("against_actor")) if kind == "complaint.verified" else None
            self.push(pos + self.wd(3, 20), f"{complaint_id}.02", kind, against, info)

    # -- inquiries ----------------------------------------------------------------------------

    def spawn_inquiry(self, t: int) -> None:
        rng = self.rng
        self.inquiry_serial += 1
        inquiry_id = f"ZX-{self.year}-{self.inquiry_serial:07d}"
        u = rng.randrange(len(self.units))
        unit, actor = self.units[u], f"{self.codes[u]}-{rng.randrange(1, self.staff + 1):03d}"
        seq = itertools.count(1)

        def emit(pos: int, kind: str, at_unit: int, staff: str, **fields: Any) -> None:
            fields = {"unit": self.units[at_unit], "actor": staff, "inquiry_id": inquiry_id, **fields}
            self.push(pos, f"{inquiry_id}.{next(seq)}", kind, fields)

        in_scope = rng.random() < 0.65
        emit(t, "inquiry.received", u, actor, in_scope=in_scope)
        roll = rng.random()
        answered = True
        quick = self.minutes(1, 90) if rng.random() < 0.9 else self.wd(1.05, 5)  # some past one working day
        if in_scope:
            if roll < 0.92:
                emit(t + quick, "inquiry.answered", u, actor, outcome="handled" if rng.random() < 0.75 else "explained")
            elif roll < 0.95:  # passed on although it was the unit's own business (推诿)
                emit(t + quick, "inquiry.referred", u, actor, to_unit=self.units[self.other_unit(u)])
            else:
                answered = False
        else:
            if roll < 0.8:
                current, staff, pos = u, actor, t + quick
                hops = 1 + (rng.random() < 0.1) + (rng.random() < 0.03)
                for _ in range(hops):
                    target = self.other_unit(current)
                    emit(pos, "inquiry.referred", current, staff, to_unit=self.units[target])
                    current = target
                    staff = f"{self.codes[current]}-{rng.randrange(1, self.staff + 1):03d}"
                    pos += self.wd(0.2, 3)
            elif roll < 0.88:  # referred without naming the unit that handles it
                emit(t + quick, "inquiry.referred", u, actor)
                answered = False
            elif roll < 0.95:
                emit(t + quick, "inquiry.answered", u, actor, outcome="explained")
            else:
                answered = False
        if rng.random() < 0.1:
            rating = self.pick(self.ratings_on_time if answered else self.ratings_unanswered)
            self.push(
                t + self.wd(0.1, 3),
                f"{inquiry_id}.ev",
                "evaluation.submitted",
                {"rating": rating, "target_unit": unit},
                ("rating", u, rating),
            )
        if not answered and rng.random() < 0.15:
            self.complain(t + self.wd(1, 8), u, actor, 0.6)

    def other_unit(self, u: int) -> int:
        n = len(self.units)
        return u if n == 1 else (u + self.rng.randrange(1, n)) % n

    # -- what the stream has shown so far -----------------------------------------------------

    def observe(self, pos: int, event: dict[str, Any], info: tuple[Any, ...]) -> None:
        kind = info[0]
        month = int(event["at"][5:7])
        if isinstance(kind, int):  # a completed case: (unit, late)
            u, late = info
            self.month_done[month, u] += 1
            self.month_on_time[month, u] += not late
        elif kind == "rating":
            _, u, rating = info
            self.month_rated[month, u] += 1
            self.month_satisfied[month, u] += rating in ("satisfied", "basically_satisfied")
        elif kind == "ranking":
            self.rank(pos, event, info[1])
        elif kind == "verified":
            _, u, actor = info
            quarter = (month - 1) // 3
            self.verified_unit[quarter, u] += 1
            if actor is not None:
                self.verified_actor[quarter, actor] += 1

    def rank(self, pos: int, event: dict[str, Any], month: int) -> None:
        """Fill in a ranking's order from the month's figures; the last place may be interviewed."""
        if event["metric"] == "on_time_rate":
            done, good = self.month_done, self.month_on_time
        else:
            done, good = self.month_rated, self.month_satisfied
        rated = [(good[month, u] / done[month, u], u) for u in range(len(self.units)) if done[month, u]]
        rated.sort(key=lambda r: (-r[0], self.units[r[1]]))
        unrated = sorted(u for u in range(len(self.units)) if not done[month, u])
        event["order"] = [self.units[u] for _, u in rated] + [self.units[u] for u in unrated]
        if event["metric"] == "on_time_rate" and rated:
            last = rated[-1][1]
            if last == self.last_place or self.live_rng.random() < 0.4:
                self.interview(pos, self.units[last])
            self.last_place = last
        if event["metric"] == "on_time_rate" and month % 3 == 0:
            # After each quarter: the unit, and the member of staff, with the most verified
            # complaints in it (at least 3 and 2) are interviewed.
            quarter = (month - 1) // 3
            units = [(-n, self.units[u]) for (q, u), n in self.verified_unit.items() if q == quarter and n >= 3]
            staff = [(-n, a) for (q, a), n in self.verified_actor.items() if q == quarter and n >= 2]
            for worst in (min(units, default=None), min(staff, default=None)):
                if worst is not None:
                    self.interview(pos, worst[1])

    def interview(self, pos: int, subject: str) -> None:
        self.interview_serial += 1
        when = pos + int(self.live_rng.uniform(2, 8) * self.per_day)
        self.push(when, f"YT-{self.year}-{self.interview_serial:04d}", "interview.held", {"subject": subject})


# -- command line ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--inquiries-per-case", type=float, default=0.3)
    parser.add_argument("--units", type=int, default=30)
    parser.add_argument("--staff-per-unit", type=int, default=10)
    parser.add_argument("--out", type=Path, required=True, help="the JSON Lines file to write")
    args = parser.parse_args(argv)

    counts: Counter[str] = Counter()
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    started = time.perf_counter()
    events = generate(
        cases=args.cases,
        year=args.year,
        seed=args.seed,
        inquiries_per_case=args.inquiries_per_case,
        units=args.units,
        staff_per_unit=args.staff_per_unit,
    )
    with open(args.out, "w", encoding="utf-8", newline="\n") as out:
        write = out.write
        for event in events:
            counts[event["type"]] += 1
            write(dumps(event))
            write("\n")
    elapsed = time.perf_counter() - started

    total = sum(counts.values())
    size = args.out.stat().st_size
    print(f"{args.out}: {total:,} events from {args.cases:,} cases, year {args.year}, seed {args.seed}")
    for kind, n in sorted(counts.items()):
        print(f"  {kind:<28} {n:>10,}")
    print(f"size {size:,} bytes ({size / 2**20:.1f} MiB, {size / max(total, 1):.0f} bytes a line)")
    print(f"time {elapsed:.1f} s ({total / elapsed:,.0f} events/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
