"""A portal's first use of efficiency_rules: each case's deadline on the statutory calendar.

Reads a JSON Lines file of portal events (streamed, validated), computes every accepted case's
deadline from its matter's limit on the Chinese working-day calendar (make-up workdays and
holidays included), and reports whether it was met as of a given time (by default the time of the
last event — the library never reads the wall clock).

    python examples/portal_deadlines.py examples/events.jsonl [--as-of 2024-11-01T00:00+08:00] [--lang zh]

With ``--lang zh`` it writes for people in Chinese through ``efficiency_rules.text``
(``20个工作日``, ``2024年10月24日17:30``, ``超期办结``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from efficiency_rules import Calendar, Duration, EventError, read_events, text

# Limits by matter, as a portal's catalogue would hold them (the ruleset format replaces this).
LIMITS = {
    "licence": Duration.parse("20wd"),  # 行政许可法 art. 42
    "disclosure": Duration.parse("20wd"),  # 政府信息公开条例 art. 33
    "enterprise_registration": Duration.parse("2.5wd"),  # Shijiazhuang 2019: ≤ 2.5 working days
    "housing_sale_registration": Duration.parse("1wd"),  # Shijiazhuang 2019: 3 → 1 working day
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("events", type=Path, nargs="?", default=Path(__file__).with_name("events.jsonl"))
    parser.add_argument("--as-of", type=dt.datetime.fromisoformat, default=None)
    parser.add_argument("--lang", choices=["en", "zh"], default="en")
    args = parser.parse_args(argv)
    calendar = Calendar.china()

    cases: dict[str, dict[str, object]] = {}
    last_seen = None
    try:
        for event in read_events(args.events):
            last_seen = event.at
            case = cases.setdefault(getattr(event, "case_id", event.id), {})
            if event.type == "case.received":
                case["matter"] = event.matter
            elif event.type == "case.accepted":
                case["accepted"] = event.at
            elif event.type == "case.completed":
                case["completed"] = event.at
    except EventError as exc:
        print(f"portal_deadlines: {exc}", file=sys.stderr)
        return 2
    as_of = args.as_of or last_seen
    if as_of is None:
        print("no events")
        return 0

    zh = args.lang == "zh"
    if zh:
        rows = [("办件", "事项", "期限", "受理时间", "截止时间", "状态")]
        print(f"截至{text.instant(as_of)}")
    else:
        print(f"as of {as_of.isoformat()}")
        print(f"{'case':<14} {'matter':<26} {'limit':>6}  {'accepted':<16}  {'deadline':<16}  status")
    for case_id, case in sorted(cases.items()):
        if "accepted" not in case:
            continue
        limit = LIMITS[str(case["matter"])]
        accepted = calendar.local(case["accepted"])  # type: ignore[arg-type]
        deadline = calendar.deadline(accepted, limit)
        completed = case.get("completed")
        if completed is not None:
            late = completed > deadline  # type: ignore[operator]
            over = calendar.working_days_between(deadline.date(), calendar.local(completed).date())  # type: ignore[arg-type]
            status = f"completed late, {over} working day(s) over" if late else "completed on time"
            said = f"超期办结，超过{over}个工作日" if late else text.status("completed_on_time")
        elif as_of > deadline:
            status, said = "OVERDUE", text.status("overdue")
        else:
            left = calendar.working_days_between(calendar.local(as_of).date(), deadline.date())
            status = f"running, {left} working day(s) left"
            said = f"{text.status('running')}，剩余{left}个工作日"
        if zh:
            rows.append((case_id, str(case["matter"]), text.duration(limit), text.instant(accepted), text.instant(deadline), said))
            continue
        print(f"{case_id:<14} {case['matter']!s:<26} {limit!s:>6}  {accepted:%Y-%m-%d %H:%M}  {deadline:%Y-%m-%d %H:%M}  {status}")
    if zh:
        widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            print("  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)).rstrip())
    return 0


def _width(cell: str) -> int:
    """Columns a cell takes on a terminal: Chinese characters two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in cell)


if __name__ == "__main__":
    sys.exit(main())
