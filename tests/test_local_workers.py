"""``evaluate --workers N``: the file judged by N local processes gives what one process gives."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner

from efficiency_rules import Engine, OutputError, _local, read_events
from efficiency_rules._cli import cli
from efficiency_rules._local import PARTITIONS_PER_WORKER
from efficiency_rules._partition import _bucket

if TYPE_CHECKING:  # the sibling module, as the type checker names it
    from tests.benchmark_modules import load as load_benchmark
else:
    from benchmark_modules import load as load_benchmark

ROOT = Path(__file__).resolve().parents[1]


synth = load_benchmark("synth")
CITY = [str(path) for path in load_benchmark("bench_realistic").RULESETS]
AS_OF = "2026-01-05T00:00+08:00"

BAD = [
    "{not json",
    json.dumps({"id": "x1", "type": "case.teleported", "at": "2025-03-03T10:00:00+08:00", "case_id": "Z1"}),
    json.dumps({"id": "x2", "type": "case.accepted", "at": "2025-03-03T10:00:00", "case_id": "Z1"}),
]


def _events(tmp_path: Path, cases: int = 30, bad: bool = False) -> tuple[Path, list[str]]:
    lines = [json.dumps(e, ensure_ascii=False) for e in synth.generate(cases=cases, seed=4, year=2025)]
    if bad:
        # an id used again in another thread, with other content: refused at its line, as one process refuses it
        reused = json.loads(lines[5])
        reused["case_id"] = "ELSEWHERE"
        lines[40:40] = [BAD[0], json.dumps(reused, ensure_ascii=False), BAD[1], "", BAD[2], lines[3]]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, lines


# forked here even if the test process runs other threads (the command would spawn then), which Python 3.12 and later
# warn about
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_the_report_is_the_same_on_two_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, method: str) -> None:
    import multiprocessing

    monkeypatch.setattr(_local, "_context", lambda: multiprocessing.get_context(method))
    path, _ = _events(tmp_path, bad=True)
    runner = CliRunner()
    base = ["evaluate", *CITY, "--events", str(path), "--as-of", AS_OF, "--keep-going"]
    for extra in (["--format", "json"], ["--lang", "en"]):
        one = runner.invoke(cli, base + extra)
        two = runner.invoke(cli, [*base, *extra, "--workers", "2"])
        assert one.exit_code == two.exit_code == 1, (two.output, repr(two.exception))
        assert one.stdout == two.stdout
        assert one.stderr == two.stderr
        assert "efficiency-rules: 4 invalid event(s) not judged" in two.stderr
    report = json.loads(runner.invoke(cli, [*base, "--format", "json", "--workers", "3"]).stdout)
    assert report == json.loads(runner.invoke(cli, [*base, "--format", "json"]).stdout)
    assert len(report["verdicts"]) > 50 and report["scores"]


def test_a_bad_event_stops_before_judging_with_the_error_of_one_process(tmp_path: Path) -> None:
    path, _ = _events(tmp_path, bad=True)
    runner = CliRunner()
    base = ["evaluate", *CITY, "--events", str(path), "--as-of", AS_OF]
    one = runner.invoke(cli, base)
    two = runner.invoke(cli, [*base, "--workers", "2", "--verdicts", str(tmp_path / "out.jsonl")])
    assert one.exit_code == two.exit_code == 1
    assert two.stderr == one.stderr
    assert two.stderr == f"efficiency-rules: error: {path}:41: invalid JSON: key must be a string at column 2\n"
    assert not (tmp_path / "out.jsonl").exists()


def test_verdicts_written_by_two_processes_are_the_stream_s(tmp_path: Path) -> None:
    path, _ = _events(tmp_path)
    runner = CliRunner()
    base = ["evaluate", *CITY, "--events", str(path), "--as-of", AS_OF]
    two = runner.invoke(cli, [*base, "--workers", "2", "--verdicts", str(tmp_path / "two.jsonl")])
    one = runner.invoke(cli, [*base, "--verdicts", str(tmp_path / "one.jsonl")])
    assert two.exit_code == one.exit_code == 0, two.output
    assert two.stderr == one.stderr.replace("one.jsonl", "two.jsonl")
    written = (tmp_path / "two.jsonl").read_text(encoding="utf-8").splitlines()
    assert sorted(written) == sorted((tmp_path / "one.jsonl").read_text(encoding="utf-8").splitlines())
    rows = [json.loads(line) for line in written]
    report = json.loads(runner.invoke(cli, [*base, "--format", "json"]).stdout)
    accountability = {v["id"] for v in report["verdicts"] if v["kind"] in ("card", "escalation", "sanction")}
    threads = [r for r in rows if r["id"] not in accountability]
    # the rule and clock verdicts partition by partition, each in order of time, then id; then those
    # accountability gives
    assert rows[:len(threads)] == threads
    # partitions of threads (a CRC-32 of the thread key), four a worker, one after another
    parts = [_bucket(r["thread"], 2 * PARTITIONS_PER_WORKER) for r in threads]
    assert parts == sorted(parts) and len(set(parts)) > 2
    for part in set(parts):
        keys = [(dt.datetime.fromisoformat(r["at"]), r["id"]) for r, p in zip(threads, parts, strict=True) if p == part]
        assert keys == sorted(keys)
    assert len(rows) == len(report["verdicts"])


def test_workers_need_no_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if the dask extra were not installed
    monkeypatch.setitem(sys.modules, "dask", None)
    path, _ = _events(tmp_path, cases=5)
    base = ["evaluate", *CITY, "--events", str(path), "--as-of", AS_OF, "--format", "json"]
    runner = CliRunner()
    two = runner.invoke(cli, [*base, "--workers", "2"])
    assert two.exit_code == 0, two.output
    assert two.stdout == runner.invoke(cli, base).stdout
    scheduler = runner.invoke(cli, [*base, "--scheduler", "tcp://127.0.0.1:8786"])
    assert scheduler.exit_code == 2
    assert ("--scheduler tcp://127.0.0.1:8786 needs the 'dask' extra, which is not installed: "
            "pip install 'efficiency-rules[dask]'") in scheduler.stderr


def test_an_error_met_while_judging_names_the_line_as_in_one_process(tmp_path: Path) -> None:
    # C1 is done in 2025 (no clock of it runs on); C2's receipt in 2040 needs holiday data no one has yet
    path = tmp_path / "events.jsonl"
    path.write_text(
        json.dumps({"id": "r1", "type": "case.received", "at": "2025-09-19T10:00:00+08:00", "case_id": "C1",
                    "matter": "enterprise-registration"}) + "\n"
        + json.dumps({"id": "w1", "type": "case.withdrawn", "at": "2025-09-19T11:00:00+08:00", "case_id": "C1"}) + "\n"
        + json.dumps({"id": "r2", "type": "case.received", "at": "2040-09-20T10:00:00+08:00", "case_id": "C2",
                      "matter": "enterprise-registration"}) + "\n", encoding="utf-8")
    runner = CliRunner()
    base = ["evaluate", *CITY, "--events", str(path), "--as-of", "2041-01-01T00:00+08:00"]
    one = runner.invoke(cli, base)
    two = runner.invoke(cli, [*base, "--workers", "2"])
    assert one.exit_code == two.exit_code == 1
    assert two.stderr == one.stderr
    assert two.stderr.startswith(f"efficiency-rules: error: {path}:3, event 'r2': ")
    assert "is outside the holiday data, which covers 2004–2026" in two.stderr


def test_errors_cross_processes_whole() -> None:
    import pickle

    from efficiency_rules import DateNotCoveredError, DuplicateEventError, EfficiencyRulesError, SourceError

    errors: list[EfficiencyRulesError] = [
        DateNotCoveredError("2040-09-20 is outside the holiday data", date="2040-09-20", covered=(2004, 2026)).for_event(
            "r2", line=2, source="events.jsonl"),
        SourceError("bad", None),
        EfficiencyRulesError("plain"),
    ]
    try:
        from efficiency_rules import Engine, read_events

        list(read_events(['{"id": "a", "type": "case.received", "at": "2025-01-02T10:00:00+08:00", "case_id": "C", "matter": "m"}',
                          '{"id": "a", "type": "case.received", "at": "2025-01-03T10:00:00+08:00", "case_id": "C", "matter": "m"}'],
                         registry=Engine(CITY).registry))
    except DuplicateEventError as duplicate:
        errors.append(duplicate)
    assert len(errors) == 4
    for sent in errors:
        again = pickle.loads(pickle.dumps(sent))
        assert type(again) is type(sent)
        assert str(again) == str(sent)
        assert again.__dict__ == sent.__dict__


def test_on_a_terminal_progress_counts_the_events_judged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt
    import io

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    shown = Terminal()
    monkeypatch.setattr(sys, "stderr", shown)
    path, _ = _events(tmp_path, cases=400)
    _, problems, counts, written = _local.evaluate_local(
        tuple(CITY), str(path), dt.datetime.fromisoformat(AS_OF), backend="native", keep_going=False,
        verdicts_path=str(tmp_path / "out.jsonl"), workers=2, zh=True, quiet=False)
    assert problems == [] and written > 0
    text = shown.getvalue()
    assert "判定事件" in text and "100%" in text
    assert f"{counts['judged']:,}个事件，每秒" in text


COUNT_RULESET = ROOT / "tests" / "data" / "count-without-clock.yaml"  # counts a case's events, no clock


def test_retention_is_an_option_of_every_path(tmp_path: Path) -> None:
    """A case accepted, then completed 32 days later: with the default retention its thread was closed in
    between (no clock holds it), so the completion finds no acceptance; kept for 60 days, it does."""
    rules = COUNT_RULESET
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in (
        {"id": "b1", "type": "case.received", "at": "2025-07-01T10:00:00+08:00", "case_id": "B", "unit": "u1", "matter": "m"},
        {"id": "b2", "type": "case.accepted", "at": "2025-07-01T10:00:00+08:00", "case_id": "B", "unit": "u1"},
        {"id": "b3", "type": "case.completed", "at": "2025-08-02T10:00:00+08:00", "case_id": "B", "unit": "u1"},
    )) + "\n", encoding="utf-8")
    runner = CliRunner()
    base = ["evaluate", str(rules), "--events", str(events), "--as-of", AS_OF, "--format", "json"]
    for extra in ([], ["--workers", "2"]):
        closed = json.loads(runner.invoke(cli, [*base, *extra]).stdout)
        assert [v["rule"] for v in closed["verdicts"]] == ["completed-without-acceptance"]
        kept = runner.invoke(cli, [*base, *extra, "--retention", "60d"])
        assert kept.exit_code == 0, kept.output
        assert json.loads(kept.stdout)["verdicts"] == []
    wrong = runner.invoke(cli, [*base, "--retention", "2wd"])
    assert wrong.exit_code == 2
    assert "Invalid value for --retention: '2wd' is not an elapsed time like 30min, 2h or 1d" in wrong.stderr


def test_a_file_of_many_blocks_gives_what_one_process_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of at most 4 KiB (dozens for two workers) and partitions of 8 KiB of the file: events, bad lines and
    repeats meet across blocks through the workers' files, and the report, the problems and their lines are those
    of one process."""
    monkeypatch.setattr(_local, "BLOCK_BYTES", 4096)
    monkeypatch.setattr(_local, "PARTITION_BYTES", 8192)  # and a partition per 8 KiB: a dozen, not 2 x 4
    path, lines = _events(tmp_path, cases=60, bad=True)
    lines.append(lines[10])  # an exact repeat at the end of the file, in another block than the first
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size > 20 * 4096
    runner = CliRunner()
    base = ["evaluate", *CITY, "--events", str(path), "--as-of", AS_OF, "--keep-going", "--format", "json"]
    one = runner.invoke(cli, base)
    two = runner.invoke(cli, [*base, "--workers", "2"])
    assert one.exit_code == two.exit_code == 1, (two.output, repr(two.exception))
    assert two.stdout == one.stdout
    assert two.stderr == one.stderr
    report = json.loads(two.stdout)
    problems: list[Any] = []
    read = sum(1 for _ in read_events(path, registry=Engine(CITY).registry, errors=problems))  # repeats skipped
    assert (report["events"], len(problems)) == (read, 4) and len(report["verdicts"]) > 100
    assert "efficiency-rules: 4 invalid event(s) not judged" in two.stderr
    # written partition by partition: the report's verdicts (the file is not in time order, which a stream needs)
    written = runner.invoke(cli, [*base[:-2], "--workers", "2", "--verdicts", str(tmp_path / "two.jsonl")])
    assert written.exit_code == 1 and f"{len(report['verdicts'])}条结论写入" in written.stderr
    rows = [json.loads(line) for line in (tmp_path / "two.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(json.dumps(r, sort_keys=True) for r in rows) == sorted(json.dumps(v, sort_keys=True) for v in report["verdicts"])
    # one partition per 8 KiB of the file, written one after another: more than two workers' four each
    count = -(-path.stat().st_size // 8192)
    parts = [_bucket(r["thread"], count) for r in rows if r["thread"].split(":")[0] in ("case", "inquiry", "complaint")]
    assert parts == sorted(parts) and len(set(parts)) > 2 * PARTITIONS_PER_WORKER


def test_no_room_for_the_work_files_is_one_line_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    path, _ = _events(tmp_path)
    runner = CliRunner()
    base = ["evaluate", *CITY, "--events", str(path), "--as-of", AS_OF, "--workers", "2"]
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "gone"))
    done = runner.invoke(cli, base)
    assert done.exit_code == 4
    assert done.stderr == (f"efficiency-rules: error: cannot make a work directory in {tmp_path / 'gone'}: "
                           "No such file or directory; set TMPDIR to a writable directory\n")
    with pytest.raises(OutputError, match=r"^cannot write the work file .*/gone/read-0: No such file or directory; the workers"):
        _local._dump([[]], str(tmp_path / "gone" / "read-0"))
