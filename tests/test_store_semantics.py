"""One semantics through a state store: a history judged event by event, each thread's state
loaded from and saved to the store around every event, gives the verdicts, case clocks and scores
of Engine.evaluate — in order, out of order within a tolerance, with time advanced between events."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from efficiency_rules import (
    DuplicateEventError,
    Engine,
    EventError,
    StoreError,
    UsageError,
)
from efficiency_rules.stores import SQLiteStore, case_light

if TYPE_CHECKING:  # the sibling test module, as the type checker names it
    from tests.test_one_semantics import (
        AS_OF,
        CLOCKS,
        ENGINES,
        FIRST_INQUIRY,
        HISTORIES,
        SLOW,
        WIDE,
        ordered,
)
else:
    from test_one_semantics import (
        AS_OF,
        CLOCKS,
        ENGINES,
        FIRST_INQUIRY,
        HISTORIES,
        SLOW,
        WIDE,
        ordered,
)

OPENED: list[SQLiteStore] = []


class Tracked(SQLiteStore):
    """A store closed after the test (a connection left open is a ResourceWarning on Python 3.13)."""

    def __init__(self, *args: Any, **options: Any) -> None:
        super().__init__(*args, **options)
        OPENED.append(self)


@pytest.fixture(autouse=True)
def _close_stores() -> Iterator[None]:
    yield
    while OPENED:
        OPENED.pop().close()


def stored(engine: Engine, events: list[dict[str, Any]], tolerance: dt.timedelta = dt.timedelta(0),
           advance: set[int] | None = None, key: bytes | None = None) -> SQLiteStore:
    store = Tracked(engine, ":memory:", tolerance=tolerance, key=key)
    for i, event in enumerate(events):
        if advance and i in advance:
            store.advance(dt.datetime.fromisoformat(event["at"]))  # up to the next event: it still comes in time
        store.add(event)
    return store


@pytest.mark.parametrize("name", sorted(ENGINES))
def test_the_store_gives_the_batch_verdicts(name: str) -> None:
    engine = ENGINES[name]

    @SLOW
    @given(HISTORIES[name], st.randoms(use_true_random=False), st.sets(st.integers(0, 25), max_size=4))
    def check(events: list[dict[str, Any]], rnd: random.Random, advance: set[int]) -> None:
        batch = engine.evaluate(events, as_of=AS_OF)
        in_order = stored(engine, ordered(events), advance=advance, key=b"k" * 32)
        report = in_order.report(AS_OF)
        assert report.verdicts == batch.verdicts
        assert report.cases == batch.cases and report.scores == batch.scores and report.aggregates == batch.aggregates
        assert report.events == batch.events
        # what add and advance gave (saved in the verdicts table) is what the batch gives, less
        # what falls due only by AS_OF: advancing the store to AS_OF gives that
        in_order.advance(AS_OF)
        given_ = {v.id for v in in_order.verdicts()}
        assert given_ == {v.id for v in batch.verdicts if not v.thread.startswith(("staff:", "unit:", "deputy:", "principal:"))}
        assert in_order.report(AS_OF).verdicts == batch.verdicts  # a report does not move the store, nor advance it
        shuffled = list(events)
        rnd.shuffle(shuffled)
        assert stored(engine, shuffled, WIDE).report(AS_OF).verdicts == batch.verdicts
        try:
            strict = stored(engine, shuffled)
        except EventError as error:
            assert error.event_id in {e["id"] for e in events}
        else:
            assert strict.report(AS_OF).verdicts == batch.verdicts

    check()


CST = dt.timezone(dt.timedelta(hours=8))


def inquiry(event_id: str, at: str, inquiry_id: str = "Q1", **more: Any) -> dict[str, Any]:
    return {"id": event_id, "type": "inquiry.received", "at": at, "inquiry_id": inquiry_id, "in_scope": True,
            "actor": "s1", "unit": "u1", **more}


def test_a_deadline_passed_is_given_by_advance_once() -> None:
    store = Tracked(FIRST_INQUIRY, ":memory:")
    assert store.add(inquiry("q1", "2024-09-27T10:00:00+08:00")).verdicts == []
    assert store.advance(dt.datetime(2024, 9, 29, 17, 30, tzinfo=CST)) == []  # the deadline itself has not passed
    (missed,) = store.advance(dt.datetime(2024, 9, 29, 17, 31, tzinfo=CST))
    assert (missed.rule, missed.at.isoformat()) == ("answer-within-one-day", "2024-09-29T17:30:00+08:00")
    assert missed.explanation.message_zh == "首问未在1个工作日内答复"
    assert store.advance(dt.datetime(2024, 10, 9, tzinfo=CST)) == []
    assert [v.id for v in store.verdicts("inquiry:Q1")] == [missed.id]
    assert store.due_threads(float("inf")) == []
    # the thread is at the time it was advanced to: an event dated before is too late for it
    with pytest.raises(EventError, match="earlier than events already judged"):
        store.add({"id": "a1", "type": "inquiry.answered", "at": "2024-09-29T12:00:00+08:00", "inquiry_id": "Q1",
                   "outcome": "handled"})
    assert store.counts() == {"threads": 1, "events": 1, "verdicts": 1}


def test_ids_are_unique_across_threads_and_repeats_are_ignored() -> None:
    store = Tracked(FIRST_INQUIRY, ":memory:")
    store.add(inquiry("q1", "2024-09-27T10:00:00+08:00"))
    again = store.add(inquiry("q1", "2024-09-27T10:00:00+08:00"))
    assert (again.repeat, again.verdicts, again.thread) == (True, [], "inquiry:Q1")
    with pytest.raises(DuplicateEventError, match="same id as an event of inquiry:Q1 already stored") as caught:
        store.add(inquiry("q1", "2024-09-27T10:00:00+08:00", inquiry_id="Q2"))
    assert caught.value.event_id == "q1"
    with pytest.raises(DuplicateEventError, match="of the same thread"):
        store.add(inquiry("q1", "2024-09-27T11:00:00+08:00"))
    assert store.counts() == {"threads": 1, "events": 1, "verdicts": 0}


CASE = [
    {"id": "c1", "type": "case.received", "at": "2024-10-08T09:30:00+08:00", "case_id": "K1", "matter": "licence",
     "actor": "s1", "unit": "u1"},
    {"id": "c2", "type": "case.accepted", "at": "2024-10-08T10:00:00+08:00", "case_id": "K1", "actor": "s1", "unit": "u1"},
]


def test_the_light_follows_the_case_clock() -> None:
    engine = ENGINES["city"]
    store = Tracked(engine, ":memory:")
    store.add(CASE[0])
    judged = store.add(CASE[1])
    assert (judged.light, judged.light_zh, judged.as_of) == ("green", "绿灯", dt.datetime(2024, 10, 8, 10, 0, tzinfo=CST))
    statuses = {case.status for case in judged.cases}
    assert statuses == {"running"}
    late = store.light("case:K1", dt.datetime(2024, 12, 20, tzinfo=CST))
    assert (late.light, late.light_zh) == ("red", "红灯")
    assert "overdue" in {case.status for case in late.cases}
    assert store.light("case:K1").light == "green"  # reading the light later moved nothing
    with pytest.raises(StoreError, match="no thread 'K1' in the store: thread keys look like 'case:XK-1'"):
        store.light("K1")
    # the light at the portal's time, given with the event; an earlier time gives it at the event's
    paused = {"id": "c3", "type": "case.paused", "at": "2024-12-02T09:00:00+08:00", "case_id": "K1", "reason": "hearing"}
    later = store.add(paused, as_of=dt.datetime(2024, 12, 3, tzinfo=CST))
    assert (later.light, later.as_of) == ("red", dt.datetime(2024, 12, 3, tzinfo=CST))
    again = store.add({**paused, "id": "c4", "at": "2024-12-02T10:00:00+08:00", "type": "case.resumed"},
                      as_of=dt.datetime(2024, 10, 1, tzinfo=CST))
    assert again.as_of == dt.datetime(2024, 12, 2, 10, 0, tzinfo=CST)
    assert store.counts()["events"] == 4


def test_case_light_from_statuses() -> None:
    from efficiency_rules import CaseState

    def case(status: str) -> CaseState:
        return CaseState(thread="case:1", ruleset="r", ruleset_version="1", time_limit="t", status=status)

    assert case_light([]) is None
    assert case_light([case("running"), case("completed_on_time")]) == "green"
    assert case_light([case("running"), case("warning")]) == "yellow"
    assert case_light([case("warning"), case("completed_late")]) == "red"
    assert case_light([case("overdue")]) == "red"


def test_a_changed_or_moved_state_is_refused_with_a_key(tmp_path: Any) -> None:
    key = b"s" * 32
    path = tmp_path / "state.db"
    store = Tracked(FIRST_INQUIRY, path, key=key)
    store.add(inquiry("q1", "2024-09-27T10:00:00+08:00"))
    store.add(inquiry("q2", "2024-09-27T10:00:00+08:00", inquiry_id="Q2"))
    db = store._db
    state = json.loads(db.execute("SELECT state FROM er_threads WHERE thread = 'inquiry:Q1'").fetchone()[0])
    state["state"]["threads"][0]["pending"] = []
    db.execute("UPDATE er_threads SET state = ? WHERE thread = 'inquiry:Q1'", (json.dumps(state).encode(),))
    with pytest.raises(StoreError, match=r"thread 'inquiry:Q1' \(row version 1\): its stored state cannot be used: "
                                         "snapshot: its MAC does not match"):
        store.advance(dt.datetime(2024, 10, 9, tzinfo=CST))
    # the state of another thread, signed with the same key, is refused too
    other = db.execute("SELECT state FROM er_threads WHERE thread = 'inquiry:Q2'").fetchone()[0]
    db.execute("UPDATE er_threads SET state = ? WHERE thread = 'inquiry:Q1'", (other,))
    with pytest.raises(StoreError, match="MAC does not match"):
        store.light("inquiry:Q1")
    # without a key the move is seen, not a change of content
    plain = Tracked(FIRST_INQUIRY, tmp_path / "plain.db")
    plain.add(inquiry("q1", "2024-09-27T10:00:00+08:00"))
    plain.add(inquiry("q2", "2024-09-27T10:00:00+08:00", inquiry_id="Q2"))
    other = plain._db.execute("SELECT state FROM er_threads WHERE thread = 'inquiry:Q2'").fetchone()[0]
    plain._db.execute("UPDATE er_threads SET state = ? WHERE thread = 'inquiry:Q1'", (other,))
    with pytest.raises(StoreError, match="its stored state is of 'inquiry:Q2'"):
        plain.light("inquiry:Q1")


def test_the_schema_version_is_recorded_and_a_newer_one_refused(tmp_path: Any) -> None:
    path = tmp_path / "state.db"
    store = Tracked(CLOCKS, path)
    assert store.schema_version == 1
    store._db.execute("INSERT INTO er_schema (version) VALUES (2)")
    store.close()
    with pytest.raises(StoreError, match="its tables are at version 2, written by a newer version of efficiency_rules"):
        Tracked(CLOCKS, path)


def test_bad_arguments_are_usage_errors(tmp_path: Any) -> None:
    with pytest.raises(UsageError, match="at least 16 of them"):
        Tracked(CLOCKS, ":memory:", key=b"short")
    with pytest.raises(UsageError, match="tolerance must be a timedelta"):
        Tracked(CLOCKS, ":memory:", tolerance=dt.timedelta(seconds=-1))
    with pytest.raises(StoreError, match="cannot open it"):
        Tracked(CLOCKS, tmp_path / "no such directory" / "state.db")


def test_a_write_that_meets_another_is_judged_again(tmp_path: Any) -> None:
    path = tmp_path / "state.db"
    hour = dt.timedelta(hours=1)
    other = Tracked(FIRST_INQUIRY, path, tolerance=hour)

    class Racing(Tracked):
        raced = False

        def write_thread(self, write: Any) -> None:
            if not self.raced:  # another worker saves the same thread between this one's load and write
                self.raced = True
                other.add(inquiry("q2", "2024-09-27T10:30:00+08:00"))
            super().write_thread(write)

    store = Racing(FIRST_INQUIRY, path, tolerance=hour)
    first = store.add(inquiry("q1", "2024-09-27T10:00:00+08:00"))  # its write meets q2's: judged again with it
    assert (store.raced, first.attempts, first.held) == (True, 2, True)
    judged = store.add(inquiry("q3", "2024-09-27T11:00:00+08:00"))
    assert judged.attempts == 1
    events = [inquiry("q1", "2024-09-27T10:00:00+08:00"), inquiry("q2", "2024-09-27T10:30:00+08:00"),
              inquiry("q3", "2024-09-27T11:00:00+08:00")]
    assert store.report(AS_OF).verdicts == FIRST_INQUIRY.evaluate(events, as_of=AS_OF).verdicts
    assert store.counts() == {"threads": 1, "events": 3, "verdicts": 0}


def test_a_write_that_keeps_meeting_others_is_a_conflict_error(tmp_path: Any) -> None:
    from efficiency_rules import StoreConflictError

    class Busy(Tracked):
        def write_thread(self, write: Any) -> None:
            raise StoreConflictError(f"{write.thread}: the row is no longer at version {write.version - 1}")

    store = Busy(FIRST_INQUIRY, tmp_path / "state.db", retries=2)
    with pytest.raises(StoreConflictError, match=r"event 'q1' of inquiry:Q1: the thread's row changed under each of 3 "
                                                 r"attempts to save it .*nothing was stored: add the event again"):
        store.add(inquiry("q1", "2024-09-27T10:00:00+08:00"))
    assert store.counts() == {"threads": 0, "events": 0, "verdicts": 0}


def test_a_restore_does_not_give_late_what_a_later_event_moved_into_the_past() -> None:
    # accepted after hours; the matter, received the next day, sets a 1wd limit: its warning moment
    # (a working day before the deadline) falls before the acceptance, which no look saw coming
    from efficiency_rules import Session

    events = [{"id": "e0", "type": "case.accepted", "at": "2024-09-23T17:42:00+08:00", "case_id": "T0"},
              {"id": "e1", "type": "case.received", "at": "2024-09-24T17:31:00+08:00", "case_id": "T0",
               "matter": "housing-sale"}]
    batch = CLOCKS.evaluate(events, as_of=AS_OF)
    assert "licence.yellow-light" not in {v.rule for v in batch.verdicts}
    session = CLOCKS.session()
    for event in events:
        session.add(event)
    assert Session.restore(CLOCKS, session.snapshot()).report(AS_OF).verdicts == batch.verdicts
    assert stored(CLOCKS, events).report(AS_OF).verdicts == batch.verdicts
