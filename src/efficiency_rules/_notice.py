"""Applicant notices: what a portal tells the applicant about a case's clock, in Chinese or English.

``Engine.notice`` (and ``efficiency-rules explain CASE … --for applicant``) gives, for each time
limit of a case, one paragraph such as::

    您的申请已于2024年9月23日受理，法定办理期限20个工作日，预计于2024年10月24日前办结（已扣除国庆节假日）。

A limit is "statutory" (法定) unless the time limit states a legal limit (``legal:``) other than
the limit in force: then it is the unit's promised limit (承诺), shorter than the law's. Dates are days in the calendar's time
zone; the figures are those of the case clock as of the moment asked about.
"""

from __future__ import annotations

import datetime as dt

from ._calendar import Calendar
from ._clocks import ClockRun
from ._text import Language, Span, date, holidays, limit, reason, span
from ._text import duration as duration_text

__all__ = ["applicant_notice"]


def applicant_notice(run: ClockRun, calendar: Calendar, as_of: dt.datetime, language: Language = "zh") -> str:
    """The notice for the applicant of one case clock ``run`` (see :func:`~efficiency_rules._clocks.run_clock`)."""
    zh = language == "zh"
    legal = run.policy.spec.legal
    promised = legal is not None and run.limit is not None and run.limit != legal
    kind_zh, kind_en = ("承诺办理期限", "promised time limit") if promised else ("法定办理期限", "statutory time limit")

    def day(moment: dt.datetime) -> str:
        return date(calendar.local(moment).date(), language)

    received = next((entry.at for entry in run.timeline if entry.en == "received" and entry.at is not None), None)
    if run.start is None or run.limit is None:
        if run.status == "withdrawn" and run.stopped_at is not None:
            return f"您已于{day(run.stopped_at)}撤回申请，办理终止。" if zh else f"You withdrew your application on {day(run.stopped_at)}; handling has ended."
        if run.status == "rejected" and run.stopped_at is not None:
            return (f"对您的申请已于{day(run.stopped_at)}作出不予受理决定。" if zh
                    else f"A decision not to accept your application was made on {day(run.stopped_at)}.")
        if received is not None:
            return (f"您的申请已于{day(received)}收到，正在审查是否受理。" if zh
                    else f"Your application was received on {day(received)} and is being examined for acceptance.")
        return "您的申请尚未受理。" if zh else "Your application has not been accepted yet."

    accepted = day(run.start)
    base = duration_text(run.limit, language)
    extension = span(Span(run.extension, run.working, run.seconds_per_day), language) if run.extension else None
    if zh:
        head = f"您的申请已于{accepted}受理，{kind_zh}{base}" + (f"，经批准延长{extension}" if extension else "")
    else:
        head = (f"Your application was accepted on {accepted}. The {kind_en} is {base}"
                + (f", extended by {extension} with approval" if extension else ""))
    deadline = run.deadline
    note = ""
    if deadline is not None and run.working:  # natural days count holidays: none is deducted
        off = calendar.days_off_between(calendar.local(run.start).date(), calendar.local(deadline).date())
        names = holidays(off, language)
        if names:
            note = f"（已扣除{'、'.join(names)}假日）" if zh else f" ({' and '.join(names)} holiday{'s' if len(names) > 1 else ''} not counted)"
    late = span(Span(run.overdue, run.working, run.seconds_per_day), language)
    status = run.status

    if status in ("running", "warning"):
        assert deadline is not None
        return (f"{head}，预计于{day(deadline)}前办结{note}。" if zh
                else f"{head}; a decision is expected by {day(deadline)}{note}.")
    if status == "paused":
        since = "" if run.paused_since is None else day(run.paused_since)
        if run.waiting_supplement and not run.pause_reasons:
            return (f"{head}。因需补正材料，自{since}起暂停计时，请按一次性告知书补齐材料；收到补正材料后恢复计时。" if zh
                    else f"{head}. The clock has been stopped since {since} while we wait for the materials you were asked to supply; "
                         "it runs again when we receive them.")
        why_zh = "、".join(reason(r, "zh") for r in run.pause_reasons if r) or "法定情形"
        why_en = " and ".join(reason(r, "en") for r in run.pause_reasons if r) or "a ground the law allows"
        return (f"{head}。因{why_zh}，自{since}起暂停计时，{why_zh}所需时间不计入办理期限；恢复计时后预计办结日期相应顺延。" if zh
                else f"{head}. The clock has been stopped since {since} for {why_en}, which does not count towards the time limit; "
                     "the expected date moves on by the time it takes.")
    if status == "overdue":
        assert deadline is not None
        return (f"{head}，应于{day(deadline)}前办结{note}，截至{day(as_of)}已超期{late}。" if zh
                else f"{head}; it was due by {day(deadline)}{note} and, as of {day(as_of)}, is {late} overdue.")
    stopped = day(run.stopped_at) if run.stopped_at is not None else ""
    if status == "completed_on_time":
        in_force = limit_text(run, language)
        return (f"您的申请已于{accepted}受理，于{stopped}办结，未超过{kind_zh}{in_force}。" if zh
                else f"Your application was accepted on {accepted} and completed on {stopped}, within the {kind_en} of {in_force}.")
    if status == "completed_late":
        in_force = limit_text(run, language)
        due = "" if deadline is None else day(deadline)
        return (f"您的申请已于{accepted}受理，于{stopped}办结；{kind_zh}{in_force}，应于{due}前办结，超期{late}。" if zh
                else f"Your application was accepted on {accepted} and completed on {stopped}, {late} after the {kind_en} of "
                     f"{in_force} (due by {due}).")
    if status == "withdrawn":
        return (f"您的申请已于{accepted}受理，您已于{stopped}撤回申请，办理终止。" if zh
                else f"Your application was accepted on {accepted}; you withdrew it on {stopped}, and handling has ended.")
    # rejected after the start
    return (f"您的申请已于{accepted}受理，于{stopped}被驳回。" if zh
            else f"Your application was accepted on {accepted} and rejected on {stopped}.")


def limit_text(run: ClockRun, language: Language) -> str:
    in_force = run.limit_in_force()
    assert in_force is not None
    return limit(in_force, language)
