"""Evaluation on Dask (efficiency_rules.dask, ``evaluate --scheduler``) equals evaluation in one process.

Every test here runs on one LocalCluster of two worker processes (one thread each), started once
for the module: the events really are pickled, shuffled and judged in other processes.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

pytest.importorskip("distributed", reason="the 'dask' extra is not installed (pip install '.[dask]')")

from click.testing import CliRunner
from distributed import Client, LocalCluster
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from efficiency_rules import (
    DuplicateEventError,
    EfficiencyRulesError,
    Engine,
    EventError,
    Report,
    UsageError,
    read_events,
)
from efficiency_rules import dask as on_dask
from efficiency_rules.testing.strategies import event_histories

if TYPE_CHECKING:  # the sibling module, as the type checker names it
    from tests.benchmark_modules import load as load_benchmark
else:
    from benchmark_modules import load as load_benchmark

# distributed's scheduler can leave a listening socket to the garbage collector when a cluster starts
pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
ROOT = Path(__file__).resolve().parents[1]
CST = dt.timezone(dt.timedelta(hours=8))
AS_OF = dt.datetime(2024, 11, 29, 0, 0, tzinfo=CST)


synth = load_benchmark("synth")
bench = load_benchmark("bench_realistic")
CITY = [str(path) for path in bench.RULESETS]
CLOCKS = [str(ROOT / "tests" / "data" / "rulesets" / "good" / "clocks.yaml")]


@pytest.fixture(scope="module")
def client() -> Any:
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster) as connected:
        yield connected


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _one_process(rulesets: list[str], paths: list[Path], as_of: dt.datetime) -> tuple[Report, list[str]]:
    """What one process gives for the files read one after another with --keep-going."""
    engine = Engine(rulesets)
    problems: list[EventError] = []

    def events() -> Any:
        for path in paths:
            yield from read_events(path, registry=engine.registry, errors=problems)

    report = engine.evaluate(events(), as_of=as_of)
    return report, [str(p) for p in problems]


def _same(distributed: Report, single: Report) -> None:
    assert distributed.model_dump(mode="json") == single.model_dump(mode="json")  # every verdict's full content
    assert [v.id for v in distributed.verdicts] == [v.id for v in single.verdicts]
    assert distributed.scores == single.scores and distributed.cases == single.cases


# -- the synthetic year -------------------------------------------------------------------------------

def test_the_synthetic_year_equals_one_process(client: Any, tmp_path: Path) -> None:
    lines = [json.dumps(e, ensure_ascii=False, separators=(",", ":")) for e in synth.generate(cases=300, seed=5, year=2025)]
    path = _write(tmp_path / "year.jsonl", lines)
    as_of = bench.as_of_for(2025)
    single, problems = _one_process(CITY, [path], as_of)
    result = on_dask.evaluate(CITY, path, as_of=as_of, block_size=40_000, partitions=5)
    report, found, counts = result.gather(client)
    _same(report, single)
    assert problems == [] and found == []
    # the pinned figures of tests/test_realistic_oracle.py
    summary = bench.summarise(report.verdicts, bench.accountability_entries(Engine(CITY)))
    assert (summary["verdicts"], summary["rules"]["verdicts"], report.events) == (1_024, 966, 1_797)
    assert summary["full"] == "149585f08ef4a8e2b997ad6749381abc379fd484e677492a3367b6f5f373f3fa"
    assert counts == {"read": 1_797, "judged": 1_797, "repeats": 0, "bad": 0, "after_as_of": 0,
                      "open_threads": single.open_threads}
    assert len(report.scores) == len(single.scores) > 0


def test_the_parts_stay_in_the_cluster_until_asked(client: Any, tmp_path: Path) -> None:
    lines = [json.dumps(e, ensure_ascii=False) for e in synth.generate(cases=40, seed=3, year=2025)]
    path = _write(tmp_path / "year.jsonl", lines)
    as_of = bench.as_of_for(2025)
    single, _ = _one_process(CITY, [path], as_of)
    result = on_dask.evaluate(CITY, path, as_of=as_of, block_size=3_000, partitions=4)
    assert result.verdicts.npartitions == 5  # one per thread partition, and accountability's
    verdicts = client.compute(result.verdicts).result()
    assert sorted(v.id for v in verdicts) == sorted(v.id for v in single.verdicts)
    written = result.write_jsonl(tmp_path / "out", client)
    assert len(written["verdicts"]) == 5
    rows = [json.loads(line) for name in written["verdicts"] for line in Path(name).read_text(encoding="utf-8").splitlines()]
    assert sorted(r["id"] for r in rows) == sorted(v.id for v in single.verdicts)
    cases = [line for name in written["cases"] for line in Path(name).read_text(encoding="utf-8").splitlines()]
    assert len(cases) == len(single.cases)
    scores = [json.loads(line) for name in written["scores"] for line in Path(name).read_text(encoding="utf-8").splitlines()]
    assert scores == [s.model_dump(mode="json") for s in single.scores]


# -- the property: any events, any split -----------------------------------------------------------------

# the distributed client's own threads use the random module while Hypothesis draws the examples (jitter,
# key release); the strategies here do not
@pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")
@settings(max_examples=6, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                 HealthCheck.function_scoped_fixture], deadline=None)
@given(event_histories(Engine(CITY), max_events=30, threads=4, days=40, ties=True), st.randoms(use_true_random=False),
       st.integers(1, 4), st.integers(60, 2_000))
def test_any_events_split_any_way_give_the_verdicts_of_one_process(
    client: Any, tmp_path: Path, events: list[dict[str, Any]], rnd: random.Random, partitions: int, block: int,
) -> None:
    lines = [json.dumps(e, ensure_ascii=False) for e in events]
    rnd.shuffle(lines)
    cut = rnd.randint(0, len(lines))
    first = _write(tmp_path / "a.jsonl", lines[:cut])
    second = _write(tmp_path / "b.jsonl", lines[cut:])
    single, problems = _one_process(CITY, [first, second], AS_OF)
    result = on_dask.evaluate(CITY, [first, second], as_of=AS_OF, block_size=block, partitions=partitions, keep_going=True)
    report, found, counts = result.gather(client)
    _same(report, single)
    assert [str(p) for p in found] == problems  # ids reused across threads: refused at the same lines
    assert counts["read"] == counts["judged"] + counts["repeats"] + counts["bad"] + counts["after_as_of"] == len(lines)


# -- bad events, repeats, reused ids ---------------------------------------------------------------------

def _bad_log() -> list[str]:
    ok = [
        {"id": "r1", "type": "case.received", "at": "2024-09-20T10:00:00+08:00", "case_id": "C1", "matter": "licence-x"},
        {"id": "a1", "type": "case.accepted", "at": "2024-09-23T10:00:00+08:00", "case_id": "C1", "unit": "u1"},
        {"id": "r2", "type": "case.received", "at": "2024-09-20T11:00:00+08:00", "case_id": "C2", "matter": "licence-x"},
        {"id": "a2", "type": "case.accepted", "at": "2024-09-24T10:00:00+08:00", "case_id": "C2", "unit": "u2"},
        {"id": "late", "type": "case.received", "at": "2024-12-20T11:00:00+08:00", "case_id": "C3", "matter": "licence-x"},
    ]
    lines = [json.dumps(e) for e in ok]
    return [
        lines[0],
        "{not json",
        lines[1],
        "",
        json.dumps({"id": "x1", "type": "case.teleported", "at": "2024-09-23T10:00:00+08:00", "case_id": "C1"}),
        lines[2],
        json.dumps({"id": "x2", "type": "case.accepted", "at": "2024-09-23T10:00:00", "case_id": "C1"}),
        lines[0],  # the same event again: a repeat, skipped
        json.dumps(json.loads(lines[1]), indent=None, separators=(",", ":")),  # written otherwise: a repeat
        json.dumps({**json.loads(lines[1]), "unit": "u9"}),  # same id, same thread, other content
        json.dumps({**json.loads(lines[2]), "case_id": "C9"}),  # same id in another thread
        lines[3],
        lines[4],
    ]


@pytest.mark.parametrize("block", [16, 90, 10_000])
def test_bad_events_are_reported_at_their_line_and_nothing_is_lost(client: Any, tmp_path: Path, block: int) -> None:
    path = _write(tmp_path / "events.jsonl", _bad_log())
    single, problems = _one_process(CLOCKS, [path], AS_OF)
    result = on_dask.evaluate(CLOCKS, path, as_of=AS_OF, block_size=block, partitions=3, keep_going=True)
    report, found, counts = result.gather(client)
    _same(report, single)
    assert [str(p) for p in found] == problems
    assert [(p.line, p.kind) for p in found] == [
        (2, "EventError"), (5, "UnknownEventTypeError"), (7, "NaiveDatetimeError"),
        (10, "DuplicateEventError"), (11, "DuplicateEventError"),
    ]
    assert found[3].text == (f"{path}:10, event 'a1': same id as line 3 but different content (differs in 'unit')")
    assert counts == {"read": 12, "judged": 4, "repeats": 2, "bad": 5, "after_as_of": 1, "open_threads": 0}
    assert counts["read"] == counts["judged"] + counts["repeats"] + counts["bad"] + counts["after_as_of"]


def test_an_id_reused_in_another_file_names_the_first_file(client: Any, tmp_path: Path) -> None:
    log = _bad_log()
    first = _write(tmp_path / "a.jsonl", [log[0]])
    second = _write(tmp_path / "b.jsonl", [json.dumps({**json.loads(log[0]), "case_id": "C7"})])
    result = on_dask.evaluate(CLOCKS, str(tmp_path / "*.jsonl"), as_of=AS_OF, keep_going=True)
    _, found, counts = result.gather(client)
    assert [p.text for p in found] == [
        f"{second}:1, event 'r1': same id as {first}:1 but different content (differs in 'case_id')"
    ]
    assert counts["judged"] == 1 and counts["bad"] == 1


def test_without_keep_going_the_first_bad_event_is_raised(client: Any, tmp_path: Path) -> None:
    path = _write(tmp_path / "events.jsonl", _bad_log())
    result = on_dask.evaluate(CLOCKS, path, as_of=AS_OF, block_size=50, partitions=2)
    with pytest.raises(EventError) as info:
        result.to_report(client)
    assert (info.value.line, info.value.source) == (2, str(path))
    with pytest.raises(EventError) as first:
        list(read_events(path, registry=Engine(CLOCKS).registry))
    assert str(info.value) == str(first.value)


def test_a_conflicting_id_in_a_bag_is_refused(client: Any) -> None:
    import dask.bag as db

    events = [json.loads(line) for line in _bad_log()[:3] if line.startswith("{\"")]
    clash = {**events[0], "case_id": "C5"}
    bag = db.from_sequence([*events, clash], npartitions=2)
    with pytest.raises(DuplicateEventError) as info:
        on_dask.evaluate(CLOCKS, bag, as_of=AS_OF).to_report(client)
    assert info.value.event_id == "r1" and info.value.source == "<bag partition 1>"


def test_a_bag_and_a_dataframe_give_the_verdicts_of_one_process(client: Any) -> None:
    import dask.bag as db

    events = list(synth.generate(cases=30, seed=2, year=2025))
    as_of = bench.as_of_for(2025)
    single = Engine(CITY).evaluate(events, as_of=as_of)
    from_bag = on_dask.evaluate(CITY, db.from_sequence(events, npartitions=3), as_of=as_of, partitions=2).to_report(client)
    _same(from_bag, single)
    pd = pytest.importorskip("pandas", reason="dask.dataframe needs pandas")
    dd = pytest.importorskip("dask.dataframe", reason="dask.dataframe needs its own dependencies")
    import dask

    flat = [e for e in events if not any(isinstance(v, (list, dict)) for v in e.values())]  # a frame's cells are scalars
    with dask.config.set({"dataframe.convert-string": False}):  # keep mixed columns (booleans and nulls) as they are
        frame = dd.from_pandas(pd.DataFrame(flat), npartitions=2)
    from_frame = on_dask.evaluate(CITY, frame, as_of=as_of, partitions=2).to_report(client)
    _same(from_frame, Engine(CITY).evaluate(flat, as_of=as_of))


def test_what_cannot_be_sent_is_refused_before_anything_runs(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no events file"):
        on_dask.evaluate(CLOCKS, tmp_path / "missing-*.jsonl", as_of=AS_OF)
    with pytest.raises(UsageError, match="partitions must be a positive number"):
        on_dask.evaluate(CLOCKS, _write(tmp_path / "e.jsonl", []), as_of=AS_OF, partitions=0)
    with pytest.raises(EfficiencyRulesError, match="as_of must be a timezone-aware datetime"):
        on_dask.evaluate(CLOCKS, tmp_path / "e.jsonl", as_of=dt.datetime(2024, 1, 1))


# -- the command line ----------------------------------------------------------------------------------

def test_the_command_gives_the_same_output_on_a_scheduler(client: Any, tmp_path: Path) -> None:
    from efficiency_rules._cli import cli

    lines = [json.dumps(e, ensure_ascii=False) for e in synth.generate(cases=20, seed=4, year=2025)] + _bad_log()
    path = _write(tmp_path / "events.jsonl", lines)
    runner = CliRunner()
    base = ["evaluate", *CITY, "--events", str(path), "--as-of", "2026-01-05T00:00+08:00", "--keep-going"]
    for extra in (["--format", "json"], ["--lang", "en"]):
        one = runner.invoke(cli, base + extra)
        two = runner.invoke(cli, [*base, *extra, "--scheduler", client.scheduler.address])
        assert one.exit_code == two.exit_code == 1, (two.output, repr(two.exception))
        assert one.stdout == two.stdout and one.stderr == two.stderr
        assert "efficiency-rules: 5 invalid event(s) not judged" in two.stderr
    # --verdicts: the stream's verdicts (rules and clocks), here of a log in time order
    path = _write(tmp_path / "ordered.jsonl", lines[:-len(_bad_log())])
    base = ["evaluate", *CITY, "--events", str(path), "--as-of", "2026-01-05T00:00+08:00"]
    out = tmp_path / "verdicts.jsonl"
    two = runner.invoke(cli, [*base, "--scheduler", client.scheduler.address, "--verdicts", str(out)])
    stream = runner.invoke(cli, [*base, "--verdicts", str(tmp_path / "one.jsonl")])
    assert two.exit_code == stream.exit_code == 0
    assert two.stderr == stream.stderr.replace(str(tmp_path / "one.jsonl"), str(out))
    assert two.stderr.startswith("已判定")
    assert sorted(out.read_text(encoding="utf-8").splitlines()) == sorted(
        (tmp_path / "one.jsonl").read_text(encoding="utf-8").splitlines())
