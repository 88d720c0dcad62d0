"""A report as a workbook (xlsx, with openpyxl) or as CSV files, one per sheet.

Sheets: verdicts, case clocks, scores, revocations. Dates are real dates and figures are numbers. Excel has no
time zones: every datetime is written as the local time in the ruleset's zone (that of its calendar, in which the
report gives deadlines), without the offset; the header of each date column says so in a note.
"""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._duration import Duration
from ._errors import OutputError, UsageError
from ._text import Language, Limit, Span, card, kind, limit, period, status, subject, thread

if TYPE_CHECKING:
    from ._verdicts import Report

Cell = str | float | int | dt.datetime | None
Sheet = tuple[list[str], list[list[Cell]]]

_DATE_FORMAT = 'yyyy"年"m"月"d"日" hh:mm'
_DATE_FORMAT_EN = "yyyy-mm-dd hh:mm"
_DECIMAL_FORMAT = "0.0###"

_SHEETS: dict[str, tuple[str, str]] = {
    "verdicts": ("结论", "verdicts"), "cases": ("办件时钟", "case clocks"),
    "scores": ("得分", "scores"), "revocations": ("撤销", "revocations"), "aggregates": ("统计指标", "aggregates"),
}
_HEADERS: dict[str, list[tuple[str, str]]] = {
    "verdicts": [("时间", "at"), ("规则集", "ruleset"), ("规则", "rule"), ("类别", "kind"), ("对象", "subjects"),
                 ("分值", "points"), ("黄红牌", "card"), ("办件/对象", "thread"), ("说明", "message")],
    "cases": [("办件", "case"), ("时限", "time limit"), ("状态", "status"), ("期限", "limit"), ("起算", "start"),
              ("截止时间", "deadline"), ("办结时间", "stopped at"), ("已用", "elapsed"),
              ("剩余", "remaining"), ("超期", "overdue")],
    "scores": [("期间", "period"), ("对象", "subject"), ("基础分", "base"), ("扣分", "deducted"), ("加分", "added"),
               ("得分", "score"), ("等级", "grade"), ("名次", "rank")],
    "revocations": [("撤销时间", "at"), ("结论", "verdict"), ("事件", "event"), ("原因", "reason"),
                    ("找到结论", "found")],
    "aggregates": [("期间", "period"), ("指标", "aggregate"), ("对象", "subject"), ("数值", "value"), ("单位", "unit"),
                   ("界限", "bound"), ("件数", "count"), ("已评判", "judged"), ("达标", "met"), ("说明", "statement")],
}
_UNITS = {"days": ("日", "days"), "working_days": ("工作日", "working days"), "percent": ("%", "%")}
_DAYS_NOTE = ("单位：工作日（按自然日计时的办件为自然日）。", "In working days (natural days for a clock in natural days).")
_DATE_NOTE = ("时间为规则集所在时区的当地时间（Excel不记时区）。",
              "Local time in the ruleset's time zone (Excel keeps no time zone).")


def _zones(report: Report) -> tuple[dict[str, dt.tzinfo], dt.tzinfo]:
    """Each ruleset's time zone, and the one for the rest: the engine gives deadlines and verdict times in the
    calendar's zone (events may carry any offset); a report without them falls back on as_of's zone."""
    zones: dict[str, dt.tzinfo] = {}
    for c in report.cases:
        if c.deadline is not None and c.deadline.tzinfo is not None:
            zones.setdefault(c.ruleset, c.deadline.tzinfo)
    for v in report.verdicts:
        if v.at.tzinfo is not None:
            zones.setdefault(v.ruleset, v.at.tzinfo)
    default = next(iter(zones.values()), None) or report.as_of.tzinfo or dt.UTC
    return zones, default


def _local(moment: dt.datetime | None, zone: dt.tzinfo) -> dt.datetime | None:
    """The local time in the zone, without the offset (Excel keeps none)."""
    return None if moment is None else moment.astimezone(zone).replace(tzinfo=None)


def sheets(report: Report, language: Language = "zh") -> dict[str, tuple[list[str], list[list[Cell]]]]:
    """The report's sheets: name → (headers, rows), with typed cells (datetimes, numbers, text)."""
    if language not in ("zh", "en"):
        raise UsageError(f"language must be 'zh' or 'en', not {language!r}")
    from ._verdicts import _cause_first, _per_day

    zh = language == "zh"
    pick = 0 if zh else 1
    zones, default = _zones(report)
    out: dict[str, tuple[list[str], list[list[Cell]]]] = {}
    rows: list[list[Cell]] = []
    for v in _cause_first(report.verdicts):
        message = v.explanation.message_zh if zh or v.explanation.message_en is None else v.explanation.message_en
        rows.append([
            _local(v.at, zones.get(v.ruleset, default)), v.ruleset, v.rule, kind(v.kind, language),
            ("，" if zh else ", ").join(subject(s.role, s.id, language) for s in v.subjects) or None,
            v.points, None if v.card is None else card(v.card, language), thread(v.thread, language), message,
        ])
    out["verdicts"] = ([h[pick] for h in _HEADERS["verdicts"]], rows)
    rows = []
    for c in report.cases:
        stopped = c.status in ("completed_on_time", "completed_late", "withdrawn", "rejected")
        started = c.start is not None
        zone = zones.get(c.ruleset, default)
        in_force = None
        if c.limit is not None:
            working = c.measure == "working_time"
            extension = Span(c.extension_seconds, working, _per_day(c, working)) if c.extension_seconds else None
            in_force = limit(Limit(Duration.parse(c.limit), extension), language)
        rows.append([
            thread(c.thread, language), c.time_limit, status(c.status, language), in_force,
            _local(c.start, zone), _local(c.deadline, zone), _local(c.stopped_at, zone),
            c.elapsed_days if started else None,
            None if stopped or not started else c.remaining_days,
            c.overdue_days if c.overdue_seconds else 0.0,
        ])
    out["cases"] = ([h[pick] for h in _HEADERS["cases"]], rows)
    rows = [
        [period(s.period, language), subject(s.role, s.subject, language), s.base, s.deductions, s.bonuses, s.score,
         ((s.grade or "") + (("（一票否决）" if zh else " (veto)") if s.vetoed else "")) or None, s.rank]
        for s in report.scores
    ]
    out["scores"] = ([h[pick] for h in _HEADERS["scores"]], rows)
    rows = [
        [_local(r.at, default), r.verdict_id, r.event, r.reason, ("是" if r.found else "否") if zh else ("yes" if r.found else "no")]
        for r in report.revocations
    ]
    out["revocations"] = ([h[pick] for h in _HEADERS["revocations"]], rows)
    if report.aggregates:  # a sheet only for a report that has some

        def yes(flag: bool | None) -> str | None:
            return None if flag is None else ("是" if flag else "否") if zh else ("yes" if flag else "no")

        rows = [
            [period(a.period, language), a.rule, thread(f"{a.role}:{a.subject}", language), a.value, _UNITS[a.unit][pick],
             f"{a.op} {a.bound:g}", a.count, yes(a.judged), yes(a.holds), a.message_zh if zh else a.message_en]
            for a in report.aggregates
        ]
        out["aggregates"] = ([h[pick] for h in _HEADERS["aggregates"]], rows)
    return out


def _sheet_name(key: str, language: Language) -> str:
    return _SHEETS[key][0 if language == "zh" else 1]


def _width(value: Cell, language: Language) -> int:
    """Display width of a cell: East Asian wide characters count double."""
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 18 if language == "zh" else 16
    if isinstance(value, float):
        text = f"{value:.4f}".rstrip("0").rstrip(".")
    else:
        text = str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def to_xlsx(report: Report, path: str | Path, language: Language = "zh") -> Path:
    """Write the report as an xlsx workbook at ``path`` (needs the ``excel`` extra: openpyxl)."""
    named = {_sheet_name(key, language): sheet for key, sheet in sheets(report, language).items()}
    return write_xlsx(named, path, language, days_from={_sheet_name("cases", language): 8})


def write_xlsx(data: dict[str, Sheet], path: str | Path, language: Language = "zh", *,
               days_from: dict[str, int] | None = None) -> Path:
    """Write sheets (name → headers and rows) as an xlsx workbook at ``path``; ``days_from`` gives, per sheet,
    the first column (from 1) of figures in days, whose headers get a note saying so."""
    try:
        from openpyxl import Workbook
        from openpyxl.comments import Comment
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter
    except ImportError:
        raise UsageError(
            "writing xlsx needs openpyxl: install the extra with pip install 'efficiency-rules[excel]'") from None
    target = Path(path)
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    date_format = _DATE_FORMAT if language == "zh" else _DATE_FORMAT_EN
    for name, (headers, rows) in data.items():
        sheet = book.create_sheet(name)
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        widths = [_width(h, language) for h in headers]
        for row in rows:
            for i, value in enumerate(row):
                widths[i] = max(widths[i], _width(value, language))
        days = (days_from or {}).get(name)
        for i, width in enumerate(widths, start=1):
            letter = get_column_letter(i)
            sheet.column_dimensions[letter].width = min(width + 2, 80)
            column = [row[i - 1] for row in rows]
            if any(isinstance(value, dt.datetime) for value in column):
                sheet.cell(row=1, column=i).comment = Comment(_DATE_NOTE[0 if language == "zh" else 1], "efficiency-rules")
            elif days is not None and i >= days:
                sheet.cell(row=1, column=i).comment = Comment(_DAYS_NOTE[0 if language == "zh" else 1], "efficiency-rules")
            for r, value in enumerate(column, start=2):
                if isinstance(value, dt.datetime):
                    sheet.cell(row=r, column=i).number_format = date_format
                elif isinstance(value, float):
                    sheet.cell(row=r, column=i).number_format = _DECIMAL_FORMAT
        sheet.freeze_panes = "A2"
    try:
        book.save(target)
    except OSError as error:
        raise OutputError(f"cannot write {target}: {error.strerror or error}; choose a writable path") from None
    return target


def _csv_value(value: Cell) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return value


def to_csv(report: Report, directory: str | Path, language: Language = "zh") -> list[Path]:
    """Write the report as CSV files in ``directory`` (created if needed), one per sheet, UTF-8 with a BOM so
    that Excel reads the Chinese right. Returns the files written."""
    return write_csv({_sheet_name(key, language): sheet for key, sheet in sheets(report, language).items()}, directory)


def write_csv(data: dict[str, Sheet], directory: str | Path) -> list[Path]:
    """Write sheets (name → headers and rows) as CSV files in ``directory``, one per sheet, named after it."""
    target = Path(directory)
    try:
        target.mkdir(parents=True, exist_ok=True)
        written = []
        for name, (headers, rows) in data.items():
            file = target / f"{name.replace(' ', '_')}.csv"
            with file.open("w", encoding="utf-8-sig", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(headers)
                writer.writerows([_csv_value(v) for v in row] for row in rows)
            written.append(file)
    except OSError as error:
        raise OutputError(f"cannot write CSV files in {target}: {error.strerror or error}; choose a writable directory") from None
    return written
