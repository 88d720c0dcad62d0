"""The ``efficiency-rules`` command line (click); imported only when the command runs."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, Literal, Self

import click

from ._calendar import Calendar, DayEnd
from ._duration import Duration, TimeUnit
from ._errors import (
    BackendUnavailableError,
    EfficiencyRulesError,
    RulesetNotFoundError,
    UsageError,
)

__all__ = ["cli"]


def _reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Print the library's errors as one line on stderr, never as a traceback.

    Exit 1 for a problem in the input (a ruleset, the events, a year file), 2 for an error of use:
    an argument the library does not take or a ruleset argument that names nothing, or any error of the calendar commands, whose input is
    their arguments.
    """

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except EfficiencyRulesError as exc:
            click.echo(f"efficiency-rules: error: {exc}", err=True)
            context = click.get_current_context(silent=True)
            of_arguments = context is not None and context.command_path.split()[1:2] == ["calendar"]
            of_use = (UsageError, BackendUnavailableError, RulesetNotFoundError)
            if isinstance(exc, OSError):  # the output could not be written
                raise SystemExit(4) from None
            raise SystemExit(2 if of_arguments or isinstance(exc, of_use) else 1) from None

    return wrapper


@click.group()
@click.version_option(package_name="efficiency-rules")
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error (a bug) instead of one line.")
def cli(debug: bool) -> None:
    """Judge administrative-efficiency policies (机关效能建设) from portal events.

    Exit status: 0 ok, 1 problems found in the input, 2 an error of use, 3 an internal error (a bug),
    4 the output could not be written.
    """


@cli.group("calendar")
@click.option(
    "--year-file",
    "year_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="A year file with a year's holidays and make-up workdays, for a year the built-in data lacks.",
)
@click.option(
    "--business-hours",
    default=None,
    metavar="HH:MM-HH:MM,…",
    help="Business hours for working-time amounts (default 09:00-12:00,13:30-17:30).",
)
@click.pass_context
@_reports_errors
def calendar_group(ctx: click.Context, year_files: tuple[str, ...], business_hours: str | None) -> None:
    """Working-day arithmetic on the Chinese statutory calendar (with make-up workdays)."""
    ctx.obj = Calendar.china(extra_years=year_files, business_hours=business_hours)


def _moment(text: str, calendar: Calendar) -> dt.date | dt.datetime:
    """A date (``2024-09-27``) or an aware datetime (``2024-09-27T09:00+08:00``)."""
    try:
        if "T" not in text and " " not in text.strip():
            return dt.date.fromisoformat(text)
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is neither a date (2024-09-27) nor a datetime (2024-09-27T09:00+08:00)"
        ) from None
    if moment.tzinfo is None:
        raise click.BadParameter(f"{text!r} has no UTC offset: write it like 2024-09-27T09:00+08:00")
    return calendar.local(moment)


def _emit(as_json: bool, payload: dict[str, Any], text: str) -> None:
    click.echo(json.dumps(payload, ensure_ascii=False) if as_json else text)


_json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")


@calendar_group.command("is-workday")
@click.argument("day")
@_json_option
@click.pass_obj
@_reports_errors
def is_workday(calendar: Calendar, day: str, as_json: bool) -> None:
    """Whether DAY (YYYY-MM-DD) is a working day."""
    moment = _moment(day, calendar)
    date = moment.date() if isinstance(moment, dt.datetime) else moment
    working = calendar.is_working_day(date)
    holiday = calendar.holiday_name(date)
    makeup = calendar.is_makeup_workday(date)
    if makeup:
        why = "make-up workday (调休上班)" + (f" for {holiday}" if holiday else "")
    elif calendar.is_holiday(date):
        why = f"statutory holiday: {holiday}"
    else:
        why = "weekday" if date.weekday() < 5 else "weekend"
    _emit(
        as_json,
        {"date": date.isoformat(), "working_day": working, "holiday": calendar.is_holiday(date),
         "makeup_workday": makeup, "name": holiday, "weekday": date.strftime("%A")},
        f"{date.isoformat()} ({date.strftime('%A')}): {'working day' if working else 'day off'} — {why}",
    )


_SIGNED = re.compile(r"^\s*-\s*(.+)$")


@calendar_group.command(
    "add", context_settings={"ignore_unknown_options": True}
)
@click.argument("start")
@click.argument("amount")
@click.option(
    "--day-end",
    type=click.Choice(["close", "midnight"]),
    default="close",
    show_default=True,
    help="Where a day-based period ends on its last day: close of business, or 24:00.",
)
@_json_option
@click.pass_obj
@_reports_errors
def add(calendar: Calendar, start: str, amount: str, day_end: DayEnd, as_json: bool) -> None:
    """The end of a period of AMOUNT from START.

    AMOUNT is a number and a unit: 20wd (working days), 10d (natural days), 1mo (months), 24h (hours),
    7.5wh (working hours), 30min, 2.5wd, or immediate / same_day. START is a date (2024-09-27) or an
    aware datetime (2024-09-27T09:00+08:00); the start day itself is not counted. A negative number of
    working days (-3wd) counts back.
    """
    moment = _moment(start, calendar)
    negative = _SIGNED.match(amount)
    duration = Duration.parse(negative.group(1) if negative else amount)
    if negative and duration.unit is not TimeUnit.WORKING_DAYS:
        raise click.BadParameter("only working days can be counted back (e.g. -3wd)", param_hint="AMOUNT")
    whole = duration.amount == duration.amount.to_integral_value()
    result: dt.date | dt.datetime
    if isinstance(moment, dt.date) and not isinstance(moment, dt.datetime):
        n = int(duration.amount)
        if duration.unit is TimeUnit.WORKING_DAYS and whole:
            result = calendar.add_working_days(moment, -n if negative else n)
        elif duration.unit is TimeUnit.NATURAL_DAYS:
            result = calendar.add_natural_days(moment, n)
        elif duration.unit is TimeUnit.MONTHS:
            result = calendar.add_months(moment, n)
        elif duration.unit is TimeUnit.SAME_DAY:
            result = calendar.next_working_day(moment)
        elif duration.unit is TimeUnit.WORKING_DAYS:
            result = calendar.deadline(dt.datetime.combine(moment, dt.time(0), calendar.timezone), duration)
        else:
            raise click.BadParameter(
                f"{duration} is counted from a time of day: give START as a datetime such as {moment}T09:00+08:00",
                param_hint="START",
            )
    elif negative:
        result = calendar.add_working_days(moment.date(), -int(duration.amount))
    else:
        result = calendar.deadline(moment, duration, day_end=day_end)
    shown = result.isoformat()
    _emit(
        as_json,
        {"start": moment.isoformat(), "amount": ("-" if negative else "") + str(duration), "result": shown},
        shown,
    )


@calendar_group.command("between")
@click.argument("a")
@click.argument("b")
@_json_option
@click.pass_obj
@_reports_errors
def between(calendar: Calendar, a: str, b: str, as_json: bool) -> None:
    """Working days in (A, B]: A not counted, B counted; negative when B is before A.

    With two datetimes, also the working time between them inside business hours.
    """
    first, second = _moment(a, calendar), _moment(b, calendar)
    day_a = first.date() if isinstance(first, dt.datetime) else first
    day_b = second.date() if isinstance(second, dt.datetime) else second
    days = calendar.working_days_between(day_a, day_b)
    payload: dict[str, Any] = {"from": first.isoformat(), "to": second.isoformat(), "working_days": days}
    text = f"{days} working day{'s' if abs(days) != 1 else ''}"
    if isinstance(first, dt.datetime) and isinstance(second, dt.datetime):
        seconds = int(calendar.working_time_between(first, second).total_seconds())
        payload["working_seconds"] = seconds
        sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
        text += f"; working time {sign}{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    _emit(as_json, payload, text)


@cli.command("check")
@click.argument("paths", nargs=-1, required=True, metavar="RULESET...")
@_reports_errors
def check(paths: tuple[str, ...]) -> None:
    """Check ruleset files (or directories of them, or shipped ids): every problem, as path:line:col: rule 'id': message."""
    from ._ruleset import check_paths

    rulesets, issues = check_paths(paths)
    for issue in issues:
        click.echo(str(issue))
    if issues:
        files = len({issue.location.path for issue in issues})
        click.echo(f"{len(issues)} problem{'s' if len(issues) != 1 else ''} in {files} file{'s' if files != 1 else ''}", err=True)
        raise SystemExit(1)
    rules = sum(len(r.rules) for r in rulesets)
    limits = sum(len(r.spec.time_limits) for r in rulesets)
    click.echo(f"ok: {len(rulesets)} ruleset{'s' if len(rulesets) != 1 else ''}, {rules} rule{'s' if rules != 1 else ''}, "
               f"{limits} time limit{'s' if limits != 1 else ''}")
    from ._cli_rulesets import build_on_hints

    for hint in build_on_hints(rulesets):
        click.echo(hint, err=True)


@cli.command("evaluate")
@click.argument("rulesets", nargs=-1, required=True, metavar="RULESET...")
@click.option("--events", "events_path", required=True, type=click.Path(exists=True, dir_okay=False), help="JSON Lines file of events.")
@click.option("--as-of", "as_of", required=True, help="Evaluate as of this aware datetime, e.g. 2024-11-01T00:00+08:00.")
@click.option("--format", "output", type=click.Choice(["table", "json", "xlsx", "csv", "html"]), default="table", show_default=True,
              help="xlsx: an Excel workbook written to --output FILE; csv: one CSV file per sheet in --output DIR; "
                   "html: one self-contained page (lights, cards, scores, case timelines) written to --output FILE.")
@click.option("--output", "output_path", type=click.Path(allow_dash=False),
              help="Where --format xlsx or html writes its file, or --format csv its files (a directory).")
@click.option("--backend", type=click.Choice(["native", "durable"]), default="native", show_default=True)
@click.option("--keep-going", is_flag=True, help="Report invalid events (with their line) and judge the rest, instead of stopping.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Language of the table.")
@click.option("--verdicts", "verdicts_path", type=click.Path(dir_okay=False, allow_dash=True),
              help="Stream: write each verdict as a JSON line to FILE ('-': standard output) as it becomes final, "
                   "keeping only the open cases in memory; the events must be in time order (or within --tolerance). "
                   "Prints a summary instead of the report.")
@click.option("--tolerance", default="0min", show_default=True,
              help="With --verdicts: how far out of time order events may come (e.g. 30min, 2h, 1d).")
@click.option("--retention", default="30d", show_default=True,
              help="Close a thread with nothing pending and no clock running after this long without an event "
                   "(e.g. 120d); an event after that opens it anew, and rules' counts start again from it.")
@click.option("--quiet", is_flag=True, help="No progress display (it is shown only on a terminal).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Judge on N local processes (threads split between them); 1 judges in this process.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Judge on the workers of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (extra 'dask'); "
                   "they must read the events file and rulesets at the same paths.")
@_reports_errors
def evaluate(
    rulesets: tuple[str, ...], events_path: str, as_of: str, output: str, output_path: str | None, backend: str, keep_going: bool, lang: Literal["zh", "en"],
    verdicts_path: str | None, tolerance: str, quiet: bool, workers: int = 1, scheduler: str | None = None,
    retention: str = "30d",
) -> None:
    """Judge the events in a JSON Lines file with RULESETS (files, directories, or shipped ids such as cn.xzxk)."""
    from ._engine import Engine
    from ._errors import EventError
    from ._jsonl import place_error, read_events

    moment = _aware(as_of, "--as-of")
    allowed = _elapsed(tolerance, "--tolerance")
    kept_for = _elapsed(retention, "--retention")
    if kept_for <= dt.timedelta(0):
        raise click.BadParameter(f"{retention!r}: a thread must be kept for some time, e.g. 30d", param_hint="--retention")
    if output in ("xlsx", "csv", "html") and output_path is None:
        example = {"xlsx": "FILE, e.g. --output report.xlsx", "csv": "DIR, e.g. --output report-csv/",
                   "html": "FILE, e.g. --output report.html"}[output]
        raise click.UsageError(f"--format {output} needs --output {example}")
    if output in ("xlsx", "csv", "html") and verdicts_path is not None:
        raise click.UsageError(f"--format {output} writes a report; --verdicts writes verdicts as they come: use one of them")
    zh = lang == "zh"
    if workers > 1 or scheduler:
        if scheduler:
            from ._cli_dask import evaluate_distributed

            gathered, found, counts, sent = evaluate_distributed(
                rulesets, events_path, moment, backend=backend, keep_going=keep_going, verdicts_path=verdicts_path,
                workers=workers, scheduler=scheduler, zh=zh, quiet=quiet, retention=kept_for)
        else:
            from ._local import evaluate_local

            gathered, found, counts, sent = evaluate_local(
                rulesets, events_path, moment, backend=backend, keep_going=keep_going, verdicts_path=verdicts_path,
                workers=workers, zh=zh, quiet=quiet, retention=kept_for)
        if output == "html":
            from ._engine import Engine as LocalEngine

            local = LocalEngine(rulesets, backend=backend, retention=kept_for)
            try:
                _write_html(gathered, local, events_path, keep_going=keep_going, lang=lang, output_path=output_path)
            finally:
                local.close()
        _evaluated(gathered, found, {"events": counts["judged"], "ignored_after_as_of": counts["after_as_of"],
                                     "revoked": counts.get("revoked", ())}, sent, output=output, lang=lang, verdicts_path=verdicts_path, output_path=output_path)
        return
    engine = Engine(rulesets, backend=backend, retention=kept_for)
    problems: list[EventError] = []
    try:
        # streaming, the session checks ids against the cases it holds: the reader need not remember them all
        events = read_events(events_path, registry=engine.registry, errors=problems if keep_going else None,
                             dedupe=verdicts_path is None)
        with _Progress(events_path, zh=zh, quiet=quiet) as progress:
            if verdicts_path is None:
                report = engine.evaluate(progress.count(events), as_of=moment)
                if output == "html":
                    _write_html(report, engine, events_path, keep_going=keep_going, lang=lang, output_path=output_path)
            else:
                stats: dict[str, Any] = {}
                written = 0
                with click.open_file(verdicts_path, "w", encoding="utf-8") as out:
                    for verdict in engine.evaluate_stream(progress.count(events), as_of=moment, tolerance=allowed, stats=stats):
                        out.write(verdict.model_dump_json() + "\n")
                        written += 1
    except EfficiencyRulesError as error:
        place_error(error, events)  # a problem met while judging an event names its line
        raise
    finally:
        engine.close()
    _evaluated(report if verdicts_path is None else None, problems, stats if verdicts_path else {}, written if verdicts_path else 0,
               output=output, lang=lang, verdicts_path=verdicts_path, output_path=output_path)


def _evaluated(report: Any, problems: list[Any], stats: dict[str, Any], written: int, *, output: str, lang: str,
               verdicts_path: str | None, output_path: str | None = None) -> None:
    """Print what ``evaluate`` found: the problems, then the report or the summary of the verdicts written."""
    zh = lang == "zh"
    for problem in problems:
        click.echo(f"efficiency-rules: invalid event: {problem}", err=True)
    if verdicts_path is None and output in ("xlsx", "csv", "html"):
        if output == "xlsx":
            report.to_xlsx(output_path, language=lang)
        elif output == "csv":
            report.to_csv(output_path, language=lang)
        click.echo((f"报告已写入{output_path}" if zh else f"report written to {output_path}"), err=True)
    elif verdicts_path is None:
        click.echo(report.to_json() if output == "json" else report.table(language=lang), nl=output == "json")
    else:
        where = "标准输出" if verdicts_path == "-" and zh else "standard output" if verdicts_path == "-" else verdicts_path
        revoked = len(stats["revoked"])
        summary = (f"已判定{stats['events']}个事件，{written}条结论写入{where}"
                   + (f"（其中{revoked}条后被撤销）" if revoked else "")
                   + f"；{stats['ignored_after_as_of']}个事件晚于判定时点，未判定"
                   if zh else f"{stats['events']} events judged, {written} verdicts written to {where}"
                   + (f" ({revoked} of them revoked later)" if revoked else "")
                   + f"; {stats['ignored_after_as_of']} events after as-of, not judged")
        click.echo(summary, err=True)
    if problems:
        click.echo(f"efficiency-rules: {len(problems)} invalid event(s) not judged", err=True)
        raise SystemExit(1)


def _write_html(report: Any, engine: Any, events_path: str, *, keep_going: bool, lang: Any, output_path: str | None) -> None:
    """Write the HTML page of ``report``, its case timelines drawn from the events file read again (invalid events
    skipped as the evaluation skipped them, with ``--keep-going``)."""
    from ._jsonl import read_events

    assert output_path is not None  # checked with the options
    events = read_events(events_path, registry=engine.registry, errors=[] if keep_going else None)
    report.write_html(output_path, language=lang, engine=engine, events=events)


def _elapsed(text: str, option: str) -> dt.timedelta:
    try:
        duration = Duration.parse(text)
    except EfficiencyRulesError:
        duration = None
    seconds = {TimeUnit.MINUTES: 60, TimeUnit.HOURS: 3600, TimeUnit.NATURAL_DAYS: 86400}
    if duration is None or duration.unit not in seconds:
        raise click.BadParameter(f"{text!r} is not an elapsed time like 30min, 2h or 1d", param_hint=option)
    return dt.timedelta(seconds=float(duration.amount) * seconds[duration.unit])


class _Progress:
    """Events read, their rate and the time taken, on standard error while a terminal shows it."""

    def __init__(self, path: str, *, zh: bool, quiet: bool) -> None:
        stream = sys.stderr
        self.shown = not quiet and stream.isatty()
        self.zh = zh
        self.bar: Any = None
        if self.shown:
            with open(path, "rb") as lines:
                total = sum(chunk.count(b"\n") for chunk in iter(lambda: lines.read(1 << 20), b""))
            self.bar = click.progressbar(length=max(total, 1), label="判定事件" if zh else "judging events", file=stream,
                                         show_eta=True, show_percent=True, item_show_func=self._rate)
        self.started = time.monotonic()
        self.read = 0

    def _rate(self, _: Any) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = self.read / elapsed
        return (f"{self.read:,}个事件，每秒{rate:,.0f}个，用时{elapsed:,.0f}秒" if self.zh
                else f"{self.read:,} events, {rate:,.0f}/s, {elapsed:,.0f} s")

    def count(self, events: Any) -> Any:
        for event in events:
            self.read += 1
            if self.bar is not None and not self.read % 1000:
                self.bar.update(1000, self.read)
            yield event

    def __enter__(self) -> Self:
        if self.bar is not None:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


def _aware(text: str, option: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a datetime like 2024-11-01T00:00+08:00", param_hint=option) from None
    if moment.tzinfo is None:
        raise click.BadParameter(f"{text!r} has no UTC offset: write it like 2024-11-01T00:00+08:00", param_hint=option)
    if not 1 < moment.year < 9999:
        raise click.BadParameter(f"{text!r} is outside the years a time can be converted in (2 to 9998)", param_hint=option)
    return moment


@cli.command("explain")
@click.argument("case_id")
@click.option("--events", "events_path", required=True, type=click.Path(exists=True, dir_okay=False), help="JSON Lines file of events.")
@click.option("--ruleset", "rulesets", required=True, multiple=True, help="Ruleset file, directory or shipped id such as cn.xzxk (repeatable).")
@click.option("--as-of", "as_of", required=True, help="Explain as of this aware datetime, e.g. 2024-11-01T00:00+08:00.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--for", "audience", type=click.Choice(["office", "applicant"]), default="office", show_default=True,
              help="office: the timeline and verdicts; applicant: the notice a portal shows the applicant.")
@_reports_errors
def explain(case_id: str, events_path: str, rulesets: tuple[str, ...], as_of: str, lang: str, audience: str) -> None:
    """Print one case's timeline (received, accepted, pauses, holidays, extensions, deadline, completion) and verdicts."""
    from ._engine import Engine
    from ._jsonl import read_events

    moment = _aware(as_of, "--as-of")
    engine = Engine(rulesets)
    events = read_events(events_path, registry=engine.registry)
    if audience == "applicant":
        click.echo(engine.notice(events, case=case_id, as_of=moment, language=lang), nl=False)
    else:
        click.echo(engine.explain(events, case=case_id, as_of=moment, language=lang), nl=False)


@cli.command("test")
@click.argument("paths", nargs=-1, required=True, metavar="SCENARIOS...")
@click.option("--backend", type=click.Choice(["native", "durable"]), default="native", show_default=True)
@click.option("-q", "--quiet", is_flag=True, help="Print only failures and the summary.")
@_reports_errors
def test_command(paths: tuple[str, ...], backend: str, quiet: bool) -> None:
    """Run scenario files (*.test.yaml, or directories of them) against their rulesets; a shipped id (cn.xzxk) runs its shipped scenarios."""
    from .testing._scenarios import run_scenario_file, scenario_files

    passed = failed = 0
    files = list(scenario_files(paths))
    if not files:
        click.echo("efficiency-rules: no scenario files (*.test.yaml) found", err=True)
        raise SystemExit(2)
    for file in files:
        for result in run_scenario_file(file, backend=backend):
            if result.passed:
                passed += 1
                if not quiet:
                    click.echo(f"PASS {result.scenario.location}: {result.scenario.name}")
            else:
                failed += 1
                click.echo(f"FAIL {result.describe()}")
    click.echo(f"{passed} passed, {failed} failed")
    if failed:
        raise SystemExit(1)


def _add_ruleset_commands() -> None:
    from ._cli_rulesets import book_command, new_command, rulesets_group

    cli.add_command(rulesets_group)
    cli.add_command(new_command)
    cli.add_command(book_command)
    from ._cli_compare import compare_command

    cli.add_command(compare_command)


_add_ruleset_commands()
