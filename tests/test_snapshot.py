"""Snapshots (format 3): a restored session judges as if never interrupted; a signed snapshot
restores only unchanged and with its key; and whatever is restored, a snapshot that cannot be
used is a SnapshotError saying what and where — never another error, never a session that
fails later (docs/rulesets.md, "Snapshots")."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import random
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from efficiency_rules import EfficiencyRulesError, Engine, Session, SnapshotError, read_events

ROOT = Path(__file__).resolve().parents[1]
XZXK = ROOT / "rulesets" / "cn" / "xzxk.yaml"
FIRST_INQUIRY = ROOT / "rulesets" / "examples" / "first-inquiry.yaml"
CASES = ROOT / "examples" / "cases.jsonl"
INQUIRIES = ROOT / "examples" / "inquiries.jsonl"
CST = dt.timezone(dt.timedelta(hours=8))
AS_OF = dt.datetime(2024, 12, 31, tzinfo=CST)
KEY = b"portal-snapshot-key-0123456789ab"
MAC_MISMATCH = "snapshot: its MAC does not match: the snapshot was changed after it was taken, or it was taken with another key"


def events_of(path: Path) -> list[dict[str, Any]]:
    return [event.model_dump(mode="json") for event in sorted(read_events(path), key=lambda e: (e.at, e.id))]


@pytest.fixture(scope="module")
def cases() -> Engine:
    return Engine([XZXK])


@pytest.fixture(scope="module")
def inquiries() -> Engine:
    return Engine([FIRST_INQUIRY])


@pytest.fixture(scope="module")
def both() -> Engine:
    return Engine([XZXK, FIRST_INQUIRY])


def session_of(engine: Engine, events: list[dict[str, Any]], *, advance: dt.datetime | None = None) -> Session:
    session = engine.session()
    for event in events:
        session.add(event)
    if advance is not None:
        session.advance(advance)
    return session


def restore_error(engine: Engine, data: Any, key: bytes | None = None) -> SnapshotError:
    with pytest.raises(SnapshotError) as info:
        Session.restore(engine, data, key=key)
    assert type(info.value) is SnapshotError
    return info.value


# -- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [None, KEY], ids=["unsigned", "signed"])
@pytest.mark.parametrize("dataset", ["cases", "inquiries"])
def test_a_restored_session_gives_the_report_of_one_never_interrupted(dataset: str, key: bytes | None, request: Any) -> None:
    engine: Engine = request.getfixturevalue(dataset)
    events = events_of(CASES if dataset == "cases" else INQUIRIES)
    whole = session_of(engine, events).report(AS_OF)
    assert whole == engine.evaluate(events, as_of=AS_OF)
    assert whole.verdicts  # something to lose
    for cut in range(len(events) + 1):
        first = session_of(engine, events[:cut])
        data = first.snapshot(key=key)
        resumed = Session.restore(engine, data, key=key)
        assert resumed.snapshot(key=key) == data  # restoring loses nothing the snapshot holds
        for event in events[cut:]:
            resumed.add(event)
        assert resumed.report(AS_OF) == whole, f"cut after {cut} events"


def test_the_envelope_and_its_mac(inquiries: Engine) -> None:
    session = session_of(inquiries, events_of(INQUIRIES))
    unsigned, signed = json.loads(session.snapshot()), json.loads(session.snapshot(key=KEY))
    assert sorted(unsigned) == sorted(signed) == ["format", "mac", "state"]
    assert (unsigned["format"], unsigned["mac"]) == (3, None)
    assert unsigned["state"] == signed["state"]
    assert sorted(signed["state"]) == [
        "closed_cases", "events", "held", "judged", "ledger", "now", "rulesets", "threads", "tolerance_seconds", "verdicts",
    ]
    # what another program checks: HMAC-SHA256 of the context line and the state's canonical JSON
    body = json.dumps(signed["state"], ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    expected = hmac.new(KEY, b"efficiency_rules snapshot 3\n" + body, hashlib.sha256).hexdigest()
    assert signed["mac"] == expected
    assert session.snapshot(key=KEY) == b'{"format":3,"mac":"%s","state":%s}' % (expected.encode(), body)
    # the same content written otherwise (spaces, key order) is the same snapshot
    rewritten = json.dumps({"state": signed["state"], "mac": signed["mac"], "format": 3}, indent=1)
    assert Session.restore(inquiries, rewritten, key=KEY).report(AS_OF) == session.report(AS_OF)


# -- the key ----------------------------------------------------------------------------------


def test_a_signed_snapshot_needs_its_key(inquiries: Engine) -> None:
    data = session_of(inquiries, events_of(INQUIRIES)).snapshot(key=KEY)
    assert str(restore_error(inquiries, data)) == (
        "snapshot: it is signed: pass the key it was taken with (Session.restore(engine, data, key=...))"
    )
    assert str(restore_error(inquiries, data, key=b"another-key-0123456789abcdef")) == MAC_MISMATCH


def test_with_a_key_an_unsigned_snapshot_is_refused(inquiries: Engine) -> None:
    session = session_of(inquiries, events_of(INQUIRIES))
    assert str(restore_error(inquiries, session.snapshot(), key=KEY)) == (
        "snapshot: it is not signed, and a key was given: a restore with a key takes only snapshots signed with it "
        "(restore it without a key only if nobody else can have changed it)"
    )
    old = {**json.loads(session.snapshot())["state"], "format": 2}  # formats 1 and 2 were the state itself
    assert str(restore_error(inquiries, json.dumps(old), key=KEY)) == (
        "snapshot: it is in format 2, which is never signed, and a key was given: a restore with a key takes only "
        "snapshots signed with it (restore it without a key only if nobody else can have changed it)"
    )
    assert Session.restore(inquiries, json.dumps(old)).report(AS_OF) == session.report(AS_OF)  # without a key: as before


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("text key of some length", "snapshot: the key must be bytes, got str (encode a text key, or better use secrets.token_bytes(32))"),
        (b"short", "snapshot: the key is 5 bytes; it must be at least 16 (32 random bytes, such as secrets.token_bytes(32), are recommended)"),
    ],
)
def test_a_key_is_bytes_and_not_too_short(inquiries: Engine, key: Any, message: str) -> None:
    session = inquiries.session()
    with pytest.raises(SnapshotError) as taking:
        session.snapshot(key=key)
    assert str(taking.value) == message
    assert str(restore_error(inquiries, session.snapshot(), key=key)) == message


# -- tampering --------------------------------------------------------------------------------


def _no_verdicts(state: dict[str, Any]) -> None:
    state["verdicts"] = []


def _an_empty_log(state: dict[str, Any]) -> None:
    next(thread for thread in state["threads"] if thread["log"])["log"] = []


def _a_forged_verdict(state: dict[str, Any]) -> None:
    forged = {**state["verdicts"][0], "id": "v-00000000000000000000", "points": 100.0}
    state["verdicts"].append(forged)


@pytest.mark.parametrize("tamper", [_no_verdicts, _an_empty_log, _a_forged_verdict])
def test_a_signed_snapshot_changed_is_refused(cases: Engine, tamper: Callable[[dict[str, Any]], None]) -> None:
    session = session_of(cases, events_of(CASES), advance=AS_OF)
    honest = session.report(AS_OF)
    # unsigned, the change goes through and the report is not the session's: what the key is for
    unsigned = json.loads(session.snapshot())
    tamper(unsigned["state"])
    assert Session.restore(cases, json.dumps(unsigned)).report(AS_OF) != honest
    signed = json.loads(session.snapshot(key=KEY))
    tamper(signed["state"])
    error = restore_error(cases, json.dumps(signed, ensure_ascii=False).encode(), key=KEY)
    assert str(error) == MAC_MISMATCH
    assert error.path is None
    signed["mac"] = hmac.new(b"a guessed key of the portal", b"efficiency_rules snapshot 3\n", hashlib.sha256).hexdigest()
    assert str(restore_error(cases, json.dumps(signed), key=KEY)) == MAC_MISMATCH


# -- what a restore checks --------------------------------------------------------------------


def _state_edit(edit: Callable[[dict[str, Any]], None]) -> Callable[[bytes], bytes]:
    def apply(data: bytes) -> bytes:
        snapshot = json.loads(data)
        edit(snapshot["state"])
        return json.dumps(snapshot, ensure_ascii=False).encode()

    return apply


def _thread(state: dict[str, Any], key: str) -> dict[str, Any]:
    return next(t for t in state["threads"] if t["key"] == key)


def _set(path: str, value: Any) -> Callable[[bytes], bytes]:
    """Set the value at a path in the state: ``threads[inquiry:ZX-0927-01].pending[0][1]`` (threads by key)."""
    parts = re.findall(r"\[([^\]]+)\]|\.?([^.\[]+)", path)

    def edit(state: dict[str, Any]) -> None:
        node: Any = state
        steps = [index or name for index, name in parts]
        for i, step in enumerate(steps):
            last = i == len(steps) - 1
            if isinstance(node, list):
                step = int(step) if step.lstrip("-").isdigit() else next(j for j, t in enumerate(node) if t.get("key") == step)
            if last:
                node[step] = value
            else:
                node = node[step]

    return _state_edit(edit)


def _whole(text: str | bytes) -> Callable[[bytes], Any]:
    return lambda data: text


Q1 = "inquiry:ZX-1009-01"
CHECKS = [
    # the bytes
    (_whole(b"\xff{}"), "snapshot: it is not UTF-8 text (byte 0xff at offset 0)"),
    (_whole(b""), "snapshot: it is not JSON: Expecting value: line 1 column 1 (char 0)"),
    (lambda data: data[:100], "snapshot: it is not JSON: Expecting ',' delimiter: line 1 column 101 (char 100)"),
    (_whole('{"format": 3, "mac": null, "state": {"now": "\ud800"}}'), "snapshot: it is not Unicode text (a lone surrogate at offset 45)"),
    (lambda data: data.replace(b'"inquiry:ZX-0927-01"', b'"inquiry:\\udc00"', 1),
     "snapshot: it holds a lone surrogate escape (\\ud800 to \\udfff): it is not Unicode text"),
    (_whole(b'{"format": 3, "mac": null, "state": {"events": NaN}}'), "snapshot: it holds NaN, which is not a number a snapshot holds"),
    (_whole(b'{"format": 3, "mac": null, "state": {"events": 1e999}}'), "snapshot: it holds 1e999, which is not a number a snapshot holds"),
    (_whole(b"[" * 100_000 + b"]" * 100_000), "snapshot: it is nested too deeply to be a snapshot"),
    (_whole(b"[]"), "snapshot: expected a JSON object, got an array of 0"),
    (_whole(b"{}"), 'snapshot: it has no "format": it is not a snapshot'),
    # the envelope
    (lambda data: data.replace(b'"format":3', b'"format":4'),
     "snapshot format 4 is not one this version reads (1, 2 or 3): take it again with this version"),
    (lambda data: data.replace(b'"format":3', b'"format":true'),
     "snapshot format true is not one this version reads (1, 2 or 3): take it again with this version"),
    (lambda data: data.replace(b'"mac":null', b'"mac":"0bad"'),
     'snapshot: mac: expected null or 64 lower-case hex digits (HMAC-SHA256), got "0bad"'),
    (lambda data: data.replace(b'"mac":null', b'"mac":"%s"' % (b"0" * 64)),
     "snapshot: it is signed: pass the key it was taken with (Session.restore(engine, data, key=...))"),
    (lambda data: data.replace(b'"mac":null', b'"mac":null,"note":1'),
     'snapshot: unexpected key "note" (a format-3 snapshot has format, mac and state)'),
    (lambda data: data[: data.index(b',"state"')] + b',"state":[]}', "snapshot: state: expected an object, got an array of 0"),
    # the state
    (_state_edit(lambda s: s.pop("threads")), "snapshot: threads: missing"),
    (_set("tolerance_seconds", -1), "snapshot: tolerance_seconds: -1 is not a number of seconds from 0 to ten years"),
    (_set("judged", [1.5]), "snapshot: judged: expected [the time of the last event judged (a number or null), its id]"),
    (_set("judged", ["x", "e1"]), 'snapshot: judged[0]: "x" is not a POSIX time'),
    (_set("closed_cases", [{"thread": "case:1"}]), "snapshot: closed_cases[0].ruleset: Field required (and 3 more)"),
    (_set("extra", 1), 'snapshot: state: unexpected key "extra" (expected closed_cases, events, held, judged, ledger, now, rulesets, threads, tolerance_seconds, verdicts)'),
    (_set("rulesets", [["demo.first-inquiry", "2024.2"], ["cn.xzxk", "2019"]]),
     "snapshot was taken with rulesets [['demo.first-inquiry', '2024.2'], ['cn.xzxk', '2019']], this engine has "
     "[['cn.xzxk', '2019'], ['demo.first-inquiry', '2024.1']]: restore it on the same versions"),
    (_set("rulesets", [7]), "snapshot: rulesets[0]: expected [ruleset id, version], got 7"),
    (_set("events", True), "snapshot: events: expected a whole number, got true"),
    (_set("events", 10**30), "snapshot: events: a 31-digit integer is out of range (0 to 2**63 - 1)"),
    (_set("events", -1), "snapshot: events: -1 is out of range (0 to 2**63 - 1)"),
    (_set("now", None), "snapshot: now: null, but the session holds threads"),
    (_set("now", "2024-10-10T09:00:00"), 'snapshot: now: "2024-10-10T09:00:00" has no UTC offset'),
    (_set("now", "yesterday"), 'snapshot: now: "yesterday" is not an ISO 8601 time'),
    (_set("now", "2999-01-01T00:00:00+08:00"),
     "snapshot: now: 2999-01-01T00:00:00+08:00 is outside the years this engine's calendars cover (2004–2026)"),
    (_set("threads[1]", "case"), 'snapshot: threads[1]: expected an object, got "case"'),
    (_set(f"threads[{Q1}].key", "inquiry:ZX-0927-02"), 'snapshot: threads[9].key: "inquiry:ZX-0927-02" is the key of threads[6] too'),
    (_set(f"threads[{Q1}].versions", [7]), "snapshot: threads[9].versions[0]: 7 is not a ruleset version of this engine (0..1)"),
    (_set(f"threads[{Q1}].versions", ["1"]), 'snapshot: threads[9].versions[0]: expected a ruleset version\'s number, got "1"'),
    (_set(f"threads[{Q1}].versions", [1, 1]),
     "snapshot: threads[9].versions[1]: a second version of ruleset 'demo.first-inquiry' (the first is versions[0])"),
    (_set(f"threads[{Q1}].counts", {"inquiry.asked": 1}), 'snapshot: threads[9].counts["inquiry.asked"]: not an event type this engine knows'),
    (_set(f"threads[{Q1}].counts", {"inquiry.received": 1.0}), 'snapshot: threads[9].counts["inquiry.received"]: expected a whole number, got 1.0'),
    (_set(f"threads[{Q1}].last_at", "2024-10-11T09:00:00+08:00"),
     "snapshot: threads[9].last_at: 2024-10-11T09:00:00+08:00 is after the session's time (now, 2024-10-09T10:30:00+08:00)"),
    (_set(f"threads[{Q1}].seen", {"q9": "abc"}), 'snapshot: threads[9].seen["q9"]: expected 16 lower-case hex digits (or "content:" and 16), got "abc"'),
    (_set(f"threads[{Q1}].seen", {"q1": "0123456789abcdef"}), 'snapshot: threads[9].pending[0][3]: "q9" is not among the thread\'s seen events'),
    (_set(f"threads[{Q1}].emitted", [None]), "snapshot: threads[9].emitted[0]: expected a string, got null"),
    (_set(f"threads[{Q1}].firsts", {"inquiry.received|items": [{"a": 1}]}),
     'snapshot: threads[9].firsts["inquiry.received|items"][0]: expected a string, number, boolean or null, got an object'),
    (_set(f"threads[{Q1}].lasts", {"inquiry.received": []}), 'snapshot: threads[9].lasts["inquiry.received"]: expected an object, got an array of 0'),
    (_set(f"threads[{Q1}].pending[0]", []),
     "snapshot: threads[9].pending[0]: expected [deadline, rule, version, start event id, start time, actor, unit] (and the fields its message names), got an array of 0"),
    (_set(f"threads[{Q1}].pending[0][1]", "answer-within-a-day"),
     'snapshot: threads[9].pending[0][1]: "answer-within-a-day" is not a rule of demo.first-inquiry 2024.1'),
    (_set(f"threads[{Q1}].pending[0][1]", "referral-names-no-unit"),
     'snapshot: threads[9].pending[0][1]: "referral-names-no-unit" is not an expectation (expect) rule of demo.first-inquiry 2024.1'),
    (_set(f"threads[{Q1}].pending[0][2]", 5), "snapshot: threads[9].pending[0][2]: 5 is not one of the thread's ruleset versions [0, 1]"),
    (_set(f"threads[{Q1}].pending[0][0]", "2024-10-08T17:30:00+08:00"),
     "snapshot: threads[9].pending[0][0]: 2024-10-08T17:30:00+08:00 is before the expectation started (2024-10-09T09:00:00+08:00)"),
    (_set(f"threads[{Q1}].pending[0][4]", "2003-10-09T09:00:00+08:00"),
     "snapshot: threads[9].pending[0][4]: 2003-10-09T09:00:00+08:00 is outside the years the calendar of demo.first-inquiry 2024.1 "
     "covers (2004–2026)"),
    (_set(f"threads[{Q1}].pending[0][5]", 5), "snapshot: threads[9].pending[0][5]: expected a string, got 5"),
    (_set("threads[case:XK-2024-0917].log[1].at", "not a time"),
     "snapshot: threads[0].log[1]: event 'e07': field 'at': expected an ISO 8601 date and time with a UTC offset, such as "
     "'2024-03-01T09:30:00+08:00', got 'not a time'"),
    (_set("threads[case:XK-2024-0917].log[1].at", "2024-09-19T10:00:00+08:00"),
     "snapshot: threads[0].log[1].at: 2024-09-19T10:00:00+08:00 is before the event logged before it"),
    (_set("threads[case:XK-2024-0917].log[1].id", "e99"), 'snapshot: threads[0].log[1].id: "e99" is not among the thread\'s seen events'),
    (_set("threads[case:XK-2024-0917].log[1]", "{}"), 'snapshot: threads[0].log[1]: expected an object, got "{}"'),
    (_set("verdicts[0].kind", "bonus"),
     "snapshot: verdicts[0].kind: Input should be 'violation', 'warning', 'alarm', 'sanction' or 'compliance'"),
    (_set("verdicts[0].subjects", [{"role": "mayor"}]),
     "snapshot: verdicts[0].subjects[0].role: Input should be 'staff', 'unit', 'deputy' or 'principal' (and 1 more)"),
    (_set("verdicts[0].ruleset_version", "2099"), "snapshot: verdicts[0].ruleset: demo.first-inquiry 2099 is not a ruleset version of this engine"),
    (_set("verdicts[0].at", "2024-12-31T00:00:00+08:00"),
     "snapshot: verdicts[0].at: 2024-12-31T00:00:00+08:00 is after the session's time (now, 2024-10-09T10:30:00+08:00)"),
    (_set("ledger[0].staff", 5), "snapshot: ledger[0]: event 'o1': field 'staff': expected a string, got 5"),
]


def _fuzz_base(engine: Engine, *, key: bytes | None = None) -> bytes:
    """A snapshot with threads of both rulesets, logs, pending expectations, verdicts and a ledger."""
    events = events_of(CASES) + events_of(INQUIRIES)
    events += [
        {"id": "o1", "type": "org.staff_assigned", "at": "2024-09-01T09:00:00+08:00", "staff": "w-zhang", "unit": "housing-bureau"},
        {"id": "q9", "type": "inquiry.received", "at": "2024-10-09T09:00:00+08:00", "inquiry_id": "ZX-1009-01", "in_scope": True,
         "actor": "w-017", "unit": "审批局"},
    ]
    events.sort(key=lambda e: (engine.parse(e).at, e["id"]))
    session = session_of(engine, [e for e in events if e["at"] <= "2024-10-10T09:00:00+08:00"])
    return session.snapshot(key=key)


@pytest.mark.parametrize(("corrupt", "message"), CHECKS, ids=[f"check{i}" for i in range(len(CHECKS))])
def test_a_snapshot_that_cannot_be_used_says_what_and_where(both: Engine, corrupt: Callable[[bytes], Any], message: str) -> None:
    error = restore_error(both, corrupt(_fuzz_base(both)))
    assert str(error) == message
    assert isinstance(error, EfficiencyRulesError) and isinstance(error, ValueError)
    if message.startswith("snapshot: ") and message.count(": ") >= 2 and not message.startswith("snapshot: it "):
        where = message.removeprefix("snapshot: ").split(": ")[0]
        assert error.path == (None if " " in where else where)


def test_what_is_not_bytes_or_text_is_refused(both: Engine) -> None:
    assert str(restore_error(both, json.loads(_fuzz_base(both)))) == (
        "snapshot: expected the bytes (or text) Session.snapshot returned, got dict"
    )


# -- corrupted snapshots ----------------------------------------------------------------------

_TIME = re.compile(r"^\d{4}-\d\d-\d\dT")
_ODD_VALUES: list[Any] = [None, True, False, 0, -1, 7, 1.5, -0.0, "", "x", [], {}, [1], {"a": 1}, "0123456789abcdef", "case.received"]
_ODD_TIMES = ["1901-01-01T00:00:00+08:00", "2003-12-31T23:59:59+08:00", "2027-01-01T00:00:00+08:00", "9999-12-31T23:59:59+00:00",
              "0001-01-01T00:00:00-12:00", "2024-09-27T10:00:00", "2024-02-30T10:00:00+08:00", "2024-09-27", "T10:00"]
_HUGE = [2**63, -(2**63), 10**30, 1e308, -1e308, 2**1000]
_DEEP = "\x00deep\x00"


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if path else []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for name, child in items:
        found += _paths(child, (*path, name))
    return found


def _at(node: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        node = node[step]
    return node


def corrupt(rng: random.Random, data: bytes, kind: str) -> bytes:
    """``data`` corrupted in one way of ``kind``."""
    if kind == "flip":
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 3)):
            damaged[rng.randrange(len(damaged))] ^= 1 << rng.randrange(8)
        return bytes(damaged)
    if kind == "truncate":
        return data[: rng.randrange(len(data))]
    if kind == "non-utf8":
        at = rng.randrange(len(data))
        return data[:at] + rng.choice([b"\xff", b"\xc3", b"\x80", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80"]) + data[at:]
    doc = json.loads(data)
    paths = _paths(doc)
    if rng.random() < 0.6:  # mostly the parts the engine reads, rather than the text of verdicts
        paths = [p for p in paths if len(p) <= 6 and "explanation" not in p and "cites" not in p] or paths
    if kind == "date":
        paths = [p for p in paths if isinstance(_at(doc, p), str) and _TIME.match(_at(doc, p))]
    elif kind == "version":
        paths = [p for p in paths if len(p) > 2 and (p[-2] == "versions" or (p[-3] == "pending" and p[-1] == 2))]
    path = rng.choice(paths)
    parent, last = _at(doc, path[:-1]), path[-1]
    if kind == "delete":
        del parent[last]
    elif kind == "replace":
        parent[last] = rng.choice(_ODD_VALUES)
    elif kind == "huge":
        parent[last] = rng.choice(_HUGE)
    elif kind == "deep":
        parent[last] = _DEEP
    elif kind == "date":
        value = parent[last]
        parent[last] = rng.choice(_ODD_TIMES) if rng.random() < 0.5 else rng.choice(["1999", "2003", "2004", "2025", "2026", "2027"]) + value[4:]
    elif kind == "version":
        parent[last] = rng.choice([-1, 1, 2, 3, 7, 2**64, 0])
    elif kind == "extra":
        if isinstance(parent, dict):
            parent[rng.choice(["extra", "format", "mac", "key"])] = rng.choice(_ODD_VALUES)
        else:
            parent.insert(rng.randrange(len(parent) + 1), rng.choice([*parent, *_ODD_VALUES]))
    text = json.dumps(doc, ensure_ascii=False)
    if kind == "deep":
        depth = rng.choice([64, 1_000, 100_000])
        text = text.replace(json.dumps(_DEEP), "[" * depth + "1" + "]" * depth, 1)
    return text.encode()


KINDS = ["flip", "truncate", "non-utf8", "delete", "replace", "huge", "deep", "date", "version", "extra"]


def test_a_corrupted_snapshot_is_a_snapshot_error_or_a_session_that_works(both: Engine) -> None:
    base = _fuzz_base(both)
    rng = random.Random(20241008)
    outcomes: Counter[tuple[str, str]] = Counter()
    for n in range(1_200):
        kind = KINDS[n % len(KINDS)]
        data = corrupt(rng, base, kind)
        try:
            session = Session.restore(both, data)
        except SnapshotError as error:
            assert type(error) is SnapshotError and str(error).startswith("snapshot"), (kind, error)
            outcomes[kind, "refused"] += 1
            continue
        # restored: it must work like any session
        session.report(AS_OF)
        session.snapshot()
        outcomes[kind, "restored"] += 1
    assert all(outcomes[kind, "refused"] for kind in KINDS), outcomes
    assert sum(n for (_, outcome), n in outcomes.items() if outcome == "restored") > 50, outcomes


def test_with_a_key_every_corruption_is_refused(both: Engine) -> None:
    base = _fuzz_base(both, key=KEY)
    original = json.loads(base)
    rng = random.Random(20241009)
    tried = 0
    while tried < 1_200:
        kind = KINDS[tried % len(KINDS)]
        data = corrupt(rng, base, kind)
        try:
            if json.loads(data) == original:
                continue  # written otherwise, but the same snapshot (e.g. a value replaced by itself)
        except (ValueError, RecursionError):
            pass
        tried += 1
        with pytest.raises(SnapshotError) as info:
            Session.restore(both, data, key=KEY)
        assert type(info.value) is SnapshotError
    assert Session.restore(both, base, key=KEY).snapshot(key=KEY) == base
