"""The benchmark data generator (tests/benchmarks/synth.py) makes valid, ordered, realistic events.

pytest ignores tests/benchmarks, so the module is loaded from its path here.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
import itertools
import json
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from efficiency_rules import CORE_EVENT_TYPES, Calendar, load_ruleset, read_events

_PATH = Path(__file__).parent / "benchmarks" / "synth.py"
_RULESETS = Path(__file__).parent.parent / "rulesets"


def _load_synth():
    spec = importlib.util.spec_from_file_location("_benchmarks_synth", _PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up by name
    spec.loader.exec_module(module)
    return module


synth = _load_synth()
CORE_TYPES = {cls.model_fields["type"].default for cls in CORE_EVENT_TYPES}


@pytest.fixture(scope="module")
def year_of_events() -> list[dict]:
    """A moderate year: 2,000 cases and their inquiries, evaluations, complaints, rankings."""
    return list(synth.generate(cases=2_000, seed=7))


def _lines(events: list[dict]) -> list[str]:
    return [json.dumps(e, ensure_ascii=False, separators=(",", ":")) for e in events]


def test_every_event_validates_through_read_events(year_of_events: list[dict]) -> None:
    problems: list = []
    events = list(read_events(_lines(year_of_events), errors=problems))
    assert problems == []
    assert len(events) == len(year_of_events)  # nothing deduplicated away
    assert [e.id for e in events] == [e["id"] for e in year_of_events]


def test_ids_are_unique_and_order_is_by_time_then_id(year_of_events: list[dict]) -> None:
    ids = [e["id"] for e in year_of_events]
    assert len(set(ids)) == len(ids)
    keys = [(dt.datetime.fromisoformat(e["at"]), e["id"]) for e in year_of_events]
    assert all(a <= b for a, b in itertools.pairwise(keys))


def test_times_are_inside_business_hours_on_working_days(year_of_events: list[dict]) -> None:
    cal = Calendar.china()
    sessions = cal.business_hours.sessions
    for event in year_of_events:
        at = dt.datetime.fromisoformat(event["at"])
        assert event["at"].endswith("+08:00"), event
        assert at.year == 2025, event
        assert cal.is_working_day(at.date()), event
        assert any(start <= at.time() <= end for start, end in sessions), event


def test_the_mix_has_every_core_event_type(year_of_events: list[dict]) -> None:
    counts = Counter(e["type"] for e in year_of_events)
    assert set(counts) == CORE_TYPES - {"verdict.revoked"}  # revocations name verdicts: a ruleset's, not the generator's
    assert counts["org.staff_assigned"] == 30 * 10 + 1  # thirty units of ten staff, and one move in July
    assert counts["org.unit_leaders"] == 30
    assert counts["case.received"] == 2_000
    assert counts["inquiry.received"] == 600
    assert counts["ranking.published"] == 22  # two metrics a month, January to November
    # The variations the rules must see.
    requests = [e for e in year_of_events if e["type"] == "case.supplement_requested"]
    assert any(e.get("caused_by_supplement") for e in requests)
    assert any(not e.get("caused_by_supplement") for e in requests)
    reasons = {e["reason"] for e in year_of_events if e["type"] == "case.paused"}
    assert reasons & {r for r, _, _ in synth.PAUSE_REASONS}
    assert reasons & set(synth.OFF_LIST_PAUSE_REASONS)
    referrals = [e for e in year_of_events if e["type"] == "inquiry.referred"]
    assert any("to_unit" not in e for e in referrals) and any("to_unit" in e for e in referrals)
    assert Counter(e["inquiry_id"] for e in referrals).most_common(1)[0][1] >= 2  # referred several times
    ratings = {e["rating"] for e in year_of_events if e["type"] == "evaluation.submitted"}
    assert ratings == {"satisfied", "basically_satisfied", "unsatisfied", "unresolved"}
    assert {e["matter"] for e in year_of_events if e["type"] == "case.received"} == {m.id for m in synth.MATTERS}


def test_the_shares_of_cases_are_roughly_as_intended(year_of_events: list[dict]) -> None:
    by_case: dict[str, set[str]] = {}
    for e in year_of_events:
        if e["type"].startswith("case."):
            by_case.setdefault(e["case_id"], set()).add(e["type"])
    n = len(by_case)

    def share(kind: str) -> float:
        return sum(kind in types for types in by_case.values()) / n

    assert 0.11 < share("case.supplement_requested") < 0.19
    assert 0.05 < share("case.paused") < 0.11
    assert 0.01 < share("case.extension_requested") < 0.05
    assert 0.003 < share("case.withdrawn") < 0.02
    assert 0.003 < share("case.rejected") < 0.02
    still_open = (
        sum(not types & {"case.completed", "case.withdrawn", "case.rejected"} for types in by_case.values()) / n
    )
    assert 0.03 < still_open < 0.08


@functools.cache
def _catalogues() -> dict[str, Any]:
    """Every shipped ruleset's time limits, by ``ruleset id/time limit``."""
    found = {}
    for path in sorted(_RULESETS.glob("*/*.yaml")):
        if path.name.endswith(".test.yaml"):
            continue
        ruleset = load_ruleset(path)
        for name, spec in ruleset.spec.time_limits.items():
            found[f"{ruleset.id}/{name}"] = spec
    return found


def _entry_on(entry, day: dt.date) -> str | None:
    """A catalogue entry's limit for a clock started on ``day`` (None: no entry in force)."""
    if not isinstance(entry, list) and not hasattr(entry, "limit"):  # a plain duration
        return str(entry)
    for item in entry if isinstance(entry, list) else [entry]:
        if (item.from_ is None or item.from_ <= day) and (item.to is None or day <= item.to):
            return str(item.limit)
    return None


_LOCAL = "shijiazhuang.efficiency-revolution-2019/"  # the city's catalogue: its promised limits are the ones units work to


def test_matter_ids_are_those_of_the_shipped_catalogues() -> None:
    catalogues = _catalogues()
    listed = {m for spec in catalogues.values() for m in spec.matters}
    ids = [m.id for m in synth.MATTERS]
    assert len(set(ids)) == len(ids) and len({m.prefix for m in synth.MATTERS}) == len(ids)
    # Every matter is in a catalogue, but ``licence``: a licence with no entry, timed by the default 20 working days.
    assert set(ids) - listed == {"licence"}
    assert "20wd" == str(catalogues["cn.xzxk/licence"].limit)
    # Every catalogue entry is generated, but cn.xinfang's ``petition`` (Shijiazhuang's petition ids describe those
    # cases) and Shijiazhuang's power connections, which only a yearly average judges (their scenarios do).
    assert listed - set(ids) == {"petition", "power-low-voltage", "power-high-voltage"}
    # Each time limit with a catalogue gets cases (but cn.xinfang's, whose one matter is ``petition``, and the power
    # connections'): among them the 14 matter-specific clocks of the seven rulesets a city portal loads
    # (tests/benchmarks/bench_realistic.py), the temporary ID card's two among them (made by the police station
    # until 2019-02-11, collected at once after).
    with_cases = {key for key, spec in catalogues.items() if set(spec.matters) & set(ids)}
    assert {key for key, spec in catalogues.items() if spec.matters} - with_cases == {
        "cn.xinfang/petition", "shijiazhuang.efficiency-revolution-2019/power-connection"}
    city = {key for key in with_cases if key.startswith(("shijiazhuang.", "cn.xzxk/", "county.", "changde."))}
    assert len(city) == 14


@pytest.mark.parametrize("day", ["2018-06-01", "2019-02-11", "2019-02-12", "2019-05-14", "2019-05-15", "2019-06-30",
                                 "2019-07-01", "2025-06-02"])
def test_limits_are_the_catalogue_entries_in_force_on_the_day(day: str) -> None:
    on = dt.date.fromisoformat(day)
    catalogues = _catalogues()
    for matter in synth.MATTERS:
        entries = {key: spec.matters[matter.id] for key, spec in catalogues.items() if matter.id in spec.matters}
        if not entries:  # licence: the national default
            assert matter.limit_on(on) == str(catalogues["cn.xzxk/licence"].limit)
            continue
        local = [key for key in entries if key.startswith(_LOCAL)]
        # the city's entry in force on the day (the temporary ID card is in two of its time limits, one each side of the cut)
        key = next((k for k in local if _entry_on(entries[k], on) is not None), local[0]) if local else min(entries)
        expected = _entry_on(entries[key], on)
        if expected is None:  # construction approvals before 2019-07-01: no figure; the national 20 working days
            assert matter.id == "construction-project-approval" and on < dt.date(2019, 7, 1)
            assert matter.limit_on(on) == "20wd"
        else:
            assert matter.limit_on(on) == expected, (matter.id, key)


def test_extension_approvers_are_mostly_ones_the_rulesets_accept(year_of_events: list[dict]) -> None:
    catalogues = _catalogues()
    accepted = {a for spec in catalogues.values() if spec.extensions for a in spec.extensions.approvers or ()}
    assert accepted == {"agency_head", "government_head", "disclosure_office_head"}
    assert not set(synth.INVALID_APPROVERS) & accepted
    by_matter = {m.id: m for m in synth.MATTERS}
    for matter in synth.MATTERS:
        assert set(matter.approvers) <= accepted
    for key in ("cn.xzxk/unified", "cn.xzxk/licence", "cn.xxgk/disclosure"):  # the approver the matter's law names
        approvers = set(catalogues[key].extensions.approvers)
        assert all(set(by_matter[m].approvers) == approvers for m in catalogues[key].matters if m in by_matter)
    matter_of = {e["case_id"]: e["matter"] for e in year_of_events if e["type"] == "case.received"}
    grants = [e for e in year_of_events if e["type"] == "case.extension_granted"]
    valid = [e for e in grants if e["approver"] in by_matter[matter_of[e["case_id"]]].approvers]
    invalid = [e for e in grants if e["approver"] in synth.INVALID_APPROVERS]
    assert len(valid) + len(invalid) == len(grants) == 72
    assert len(valid) == 63  # ~85 % intended; 87.5 % for this seed
    assert {e["approver"] for e in valid} == {"agency_head", "government_head", "disclosure_office_head"}
    assert {e["approver"] for e in invalid} == set(synth.INVALID_APPROVERS)
    requests = [e for e in year_of_events if e["type"] == "case.extension_requested" and "approver" in e]
    assert {e["approver"] for e in requests} & set(synth.INVALID_APPROVERS)
    durations = {e["case_id"]: e["duration"] for e in grants}
    assert all(d == by_matter[matter_of[c]].extension for c, d in durations.items())


def test_disclosure_pauses_and_heat_pauses_use_their_own_reasons(year_of_events: list[dict]) -> None:
    matter_of = {e["case_id"]: e["matter"] for e in year_of_events if e["type"] == "case.received"}
    lawful = {m.id: {r for r, _, _ in m.pauses} for m in synth.MATTERS}
    pauses = [e for e in year_of_events if e["type"] == "case.paused"]
    assert pauses
    for e in pauses:
        assert e["reason"] in lawful[matter_of[e["case_id"]]] | set(synth.OFF_LIST_PAUSE_REASONS), e
    assert {"consultation"} <= {e["reason"] for e in pauses}


def test_a_postal_delivery_is_always_delivered_after_completion(year_of_events: list[dict]) -> None:
    by_case: dict[str, list[str]] = {}
    for e in year_of_events:
        if e.get("case_id", "").startswith("JY-"):
            by_case.setdefault(e["case_id"], []).append(e["type"])
    assert by_case
    for types in by_case.values():
        if "case.completed" in types:
            assert "case.delivered" in types[types.index("case.completed"):] or types[-1] == "case.completed"


def test_deterministic_for_a_seed_and_different_across_seeds() -> None:
    first = list(synth.generate(cases=300, seed=11))
    assert first == list(synth.generate(cases=300, seed=11))
    assert first != list(synth.generate(cases=300, seed=12))


def test_generation_is_lazy() -> None:
    started = time.perf_counter()
    events = synth.generate(cases=1_000_000, seed=1)
    first = list(itertools.islice((e for e in events if not e["type"].startswith("org.")), 10))  # after the organisation
    assert time.perf_counter() - started < 1.0  # well under 0.1 s on a 2-core machine
    assert len(first) == 10
    assert {e["type"] for e in first} <= {"case.received", "inquiry.received"}  # the first arrivals of 2 January
    assert first[-1]["at"].startswith("2025-01-02T09:0")


def test_memory_is_bounded_by_open_cases_not_by_the_year() -> None:
    next(synth.generate(cases=1))  # the calendar is built once per process, outside the measurement
    tracemalloc.start()
    try:
        streamed = sum(1 for _ in synth.generate(cases=4_000, seed=3))
        _, streaming_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        held = list(synth.generate(cases=4_000, seed=3))
        _, holding_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert streamed == len(held)
    assert streaming_peak < holding_peak / 3


def test_arguments_are_checked_when_called() -> None:
    with pytest.raises(ValueError, match="outside the calendar's data"):
        synth.generate(cases=10, year=2027)
    with pytest.raises(ValueError, match="units"):
        synth.generate(cases=10, units=0)


def test_other_years_and_sizes_stay_valid() -> None:
    # 2026 is the last year of the built-in data: deadlines running into 2027 must not break it.
    for kwargs in ({"year": 2026}, {"year": 2004}, {"units": 3, "staff_per_unit": 1}, {"units": 45}):
        events = list(synth.generate(cases=400, seed=2, **kwargs))
        problems: list = []
        assert len(list(read_events(_lines(events), errors=problems))) == len(events)
        assert problems == []


def test_command_line_writes_json_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "year.jsonl"
    assert synth.main(["--cases", "200", "--seed", "1", "--out", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines == _lines(list(synth.generate(cases=200, seed=1)))
    printed = capsys.readouterr().out
    assert "case.received" in printed and "200" in printed and "bytes" in printed
