"""Snapshots of a session: the stored format, its integrity check, and the checks a restore makes.

:meth:`Session.snapshot` builds the session's *state* (a dict of JSON values) and :func:`dump`
writes it; :meth:`Session.restore` gets it back from :func:`load`, checked through, and only then
builds the session. docs/rulesets.md describes the format for portal developers.

Format 3, the one this version writes, is one JSON object (UTF-8, keys sorted, no spaces)::

    {"format": 3, "mac": "<64 hex digits>" or null, "state": {...}}

``mac`` is HMAC-SHA256, keyed with the portal's key, of ``MAC_CONTEXT`` followed by the state's
canonical bytes (:func:`canonical`); it is ``null`` for a snapshot taken without a key. The rules:

* a snapshot taken with a key restores only with the same key; any change to it, or another key,
  is a :class:`SnapshotError` saying so;
* a signed snapshot restored without a key is refused (the error asks for the key);
* an unsigned snapshot restored with a key is refused, and so are formats 1 and 2 (never signed):
  a portal that passes a key relies on integrity, and accepting unsigned data then would let
  anyone who can write the store drop the signature along with the penalties;
* formats 1 and 2 (the state itself, with its ``"format"`` inside) still restore without a key.

Whatever the input, a restore raises :class:`SnapshotError` and nothing else for a snapshot it
cannot use; the message says what is wrong and where (``threads[3].versions[0]``, a path in the
state).

>>> canonical({"b": [1, 2.5], "a": None})
b'{"a":null,"b":[1,2.5]}'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ._aggregates import ClockFigure
from ._errors import EfficiencyRulesError, SnapshotError
from ._verdicts import CaseState, Verdict

if TYPE_CHECKING:
    from ._engine import Engine

__all__ = ["FORMAT", "MAC_CONTEXT", "READS", "canonical", "dump", "load", "mac"]

FORMAT = 3
READS = (1, 2, 3)
# What the MAC is taken over begins with this, so that a MAC made with the same key for anything
# else (another format, another use of the key) is never a snapshot's.
MAC_CONTEXT = b"efficiency_rules snapshot 3\n"
MIN_KEY_BYTES = 16
_MAX_INT = 2**63 - 1  # counts and the like: larger than any session reaches
_HEX = re.compile(r"[0-9a-f]+")
_DIGEST_HEX = 16  # an 8-byte fingerprint or content digest (_dedupe)
CONTENT_TEXT = "content:"  # the mark of a digest of an event's content (format 1) in a thread's `seen`
_MAC_HEX = 64
_ENVELOPE = ("format", "mac", "state")
_STATE_KEYS = ("aggregate_figures", "closed_cases", "events", "held", "judged", "ledger", "now", "rulesets", "threads", "tolerance_seconds", "verdicts")
_THREAD_KEYS = ("counts", "emitted", "firsts", "key", "last_at", "lasts", "log", "pending", "seen", "versions")
# older sessions did not keep these
_OPTIONAL_BEFORE_3 = frozenset(("ledger", "log", "firsts", "lasts", "closed_cases", "held", "judged", "tolerance_seconds"))
# keys a snapshot has only when there is something under them (in any format)
_OPTIONAL = frozenset(("aggregate_figures",))
_FIGURE_FIELDS = ("thread, ruleset, time limit, matter, unit, actor, stopped at, on time, elapsed seconds, "
                  "seconds per day, working")
_PENDING_FIELDS = "deadline, rule, version, start event id, start time, actor, unit"


# -- writing ------------------------------------------------------------------------------------


def canonical(state: Any) -> bytes:
    """The bytes a snapshot's MAC covers: JSON with keys sorted, no spaces, UTF-8, no NaN or infinity."""
    return json.dumps(state, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def mac(key: bytes, body: bytes) -> str:
    """HMAC-SHA256 of ``MAC_CONTEXT`` + ``body`` under ``key``, as 64 lower-case hex digits."""
    return hmac.new(key, MAC_CONTEXT + body, hashlib.sha256).hexdigest()


def dump(state: Mapping[str, Any], *, key: bytes | None = None) -> bytes:
    """A format-3 snapshot of ``state`` (signed when ``key`` is given)."""
    _check_key(key)
    body = canonical(state)
    signature = "null" if key is None else json.dumps(mac(bytes(key), body))
    return b'{"format":%d,"mac":%s,"state":%s}' % (FORMAT, signature.encode(), body)


def _check_key(key: Any) -> None:
    if key is None:
        return
    if not isinstance(key, (bytes, bytearray)):
        raise SnapshotError(
            f"snapshot: the key must be bytes, got {type(key).__name__} (encode a text key, or better use "
            f"secrets.token_bytes(32))"
        )
    if len(key) < MIN_KEY_BYTES:
        raise SnapshotError(
            f"snapshot: the key is {len(key)} bytes; it must be at least {MIN_KEY_BYTES} "
            "(32 random bytes, such as secrets.token_bytes(32), are recommended)"
        )


# -- reading ------------------------------------------------------------------------------------


def load(engine: Engine, data: Any, *, key: bytes | None = None) -> dict[str, Any]:
    """The state a snapshot holds, checked through, for ``engine``; raises :class:`SnapshotError`.

    The state is returned as :meth:`Session.snapshot` built it, with ``"format"`` set to the
    format the snapshot was written in (1, 2 or 3: format 1's digests are of another kind), and
    with the events of its threads' logs and of its ledger, and its verdicts, already validated:
    :class:`Event` and :class:`Verdict` objects (``Engine.parse`` and ``Verdict.model_validate``
    take them as they are).
    """
    _check_key(key)
    top = _parse(data)
    if not isinstance(top, dict):
        raise SnapshotError(f"snapshot: expected a JSON object, got {_show(top)}")
    if "format" not in top:
        raise SnapshotError("snapshot: it has no \"format\": it is not a snapshot")
    number = top["format"]
    if type(number) is not int or number not in READS:
        raise SnapshotError(
            f"snapshot format {_show(number)} is not one this version reads (1, 2 or 3): take it again with this version"
        )
    if number == FORMAT:
        state = _open(top, key)
    else:
        if key is not None:
            raise SnapshotError(
                f"snapshot: it is in format {number}, which is never signed, and a key was given: a restore with a key "
                "takes only snapshots signed with it (restore it without a key only if nobody else can have changed it)"
            )
        state = {name: value for name, value in top.items() if name != "format"}
    _Checker(engine, number).state(state)
    return {**state, "format": number}


def _parse(data: Any) -> Any:
    if isinstance(data, (bytes, bytearray, memoryview)):
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SnapshotError(
                f"snapshot: it is not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start})"
            ) from None
    elif isinstance(data, str):
        text = data
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise SnapshotError(f"snapshot: it is not Unicode text (a lone surrogate at offset {exc.start})") from None
    else:
        raise SnapshotError(f"snapshot: expected the bytes (or text) Session.snapshot returned, got {type(data).__name__}")
    try:
        value = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
        if _SURROGATE.search(text):  # an escape such as \\ud800: what it stands for must be Unicode text
            canonical(value)
        return value
    except UnicodeEncodeError:
        raise SnapshotError("snapshot: it holds a lone surrogate escape (\\ud800 to \\udfff): it is not Unicode text") from None
    except json.JSONDecodeError as exc:
        raise SnapshotError(f"snapshot: it is not JSON: {exc}") from None
    except _NotFinite as exc:
        raise SnapshotError(f"snapshot: it holds {exc}, which is not a number a snapshot holds") from None
    except RecursionError:
        raise SnapshotError("snapshot: it is nested too deeply to be a snapshot") from None
    except ValueError as exc:  # an integer of more digits than Python converts
        raise SnapshotError(f"snapshot: it holds a number that cannot be read ({exc})") from None


_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class _NotFinite(Exception):  # noqa: N818 - a signal, not an error
    pass


def _no_constant(text: str) -> Any:
    raise _NotFinite(text)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotFinite(text)
    return value


def _open(top: dict[str, Any], key: bytes | None) -> dict[str, Any]:
    """The state of a format-3 snapshot, once its envelope and MAC are as they should be."""
    for name in top:
        if name not in _ENVELOPE:
            raise SnapshotError(f"snapshot: unexpected key {_show(name)} (a format-3 snapshot has format, mac and state)")
    for name in _ENVELOPE:
        if name not in top:
            raise SnapshotError(f"snapshot: {name}: missing", path=name)
    signature = top["mac"]
    if signature is not None and not (isinstance(signature, str) and len(signature) == _MAC_HEX and _HEX.fullmatch(signature)):
        raise SnapshotError(f"snapshot: mac: expected null or {_MAC_HEX} lower-case hex digits (HMAC-SHA256), got {_show(signature)}",
                            path="mac")
    if signature is None and key is not None:
        raise SnapshotError(
            "snapshot: it is not signed, and a key was given: a restore with a key takes only snapshots signed with it "
            "(restore it without a key only if nobody else can have changed it)"
        )
    if signature is not None and key is None:
        raise SnapshotError("snapshot: it is signed: pass the key it was taken with (Session.restore(engine, data, key=...))")
    state = top["state"]
    if key is not None and signature is not None:  # both or neither, by the checks above
        try:
            body = canonical(state)
        except (ValueError, RecursionError):  # a lone surrogate cannot be UTF-8; too deep to write
            body = b""
        if not body or not hmac.compare_digest(mac(bytes(key), body), signature):
            raise SnapshotError(
                "snapshot: its MAC does not match: the snapshot was changed after it was taken, or it was taken with another key"
            )
    if not isinstance(state, dict):
        raise SnapshotError(f"snapshot: state: expected an object, got {_show(state)}", path="state")
    return state


# -- checking the state -------------------------------------------------------------------------

# A place in the state, as a message names it: field names, array indexes and mapping keys
# (``_Key``), formatted only when there is an error to report.
_Path = tuple[Any, ...]


class _Key(str):
    """A mapping's key in a path (shown as ``["key"]``, where a field name is ``.name``)."""

    __slots__ = ()


def _where(path: _Path) -> str:
    """``("threads", 3, "versions", 0)`` as ``threads[3].versions[0]``."""
    text = ""
    for part in path:
        if isinstance(part, _Key):
            text += "[" + _show(str(part)) + "]"
        elif isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "state"


def _show(value: Any) -> str:
    """A value as a message shows it: JSON, shortened; containers by their kind."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return f"an array of {len(value)}"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int) and abs(value) > 10**18:
        return f"a {len(str(abs(value)))}-digit integer"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…" + text[-1]


def _fail(path: _Path, message: str) -> SnapshotError:
    where = _where(path)
    return SnapshotError(f"snapshot: {where}: {message}", path=where)


# The times a calendar can judge: [from, to) as POSIX timestamps, their first and last years, and
# whose years they are (for messages).
_Span = tuple[float, float, int, int, str]


class _Checker:
    """Checks a snapshot's state against the engine it is restored on, before anything is built from it.

    Log and ledger entries are replaced by the events they parse to, and verdicts by
    :class:`Verdict` objects, so that the restore does not validate them twice. Each check is done
    cheaply first; where it fails, the message is worked out.
    """

    def __init__(self, engine: Engine, number: int) -> None:
        self.engine = engine
        self.number = number
        versions = engine._versions
        self.rulesets = [version.ruleset for version in versions]
        self.rules = [{rule.id: rule.expect is not None for rule in ruleset.rules} for ruleset in self.rulesets]
        self.spans = [_span(version.calendar, f"the calendar of {version.ruleset.id} {version.ruleset.version} covers")
                      for version in versions]
        self.clocked = [bool(version.clocks) for version in versions]
        if self.spans:
            self.span: _Span = (min(s[0] for s in self.spans), max(s[1] for s in self.spans),
                                min(s[2] for s in self.spans), max(s[3] for s in self.spans), "this engine's calendars cover")
        else:
            self.span = (dt.datetime(1900, 1, 1, tzinfo=dt.UTC).timestamp(),
                         dt.datetime(3000, 1, 1, tzinfo=dt.UTC).timestamp(), 1900, 2999, "a snapshot may hold")
        self.now: dt.datetime | None = None
        self.now_ts = -math.inf

    # -- the parts --------------------------------------------------------------------------

    def keys(self, value: dict[str, Any], path: _Path, known: tuple[str, ...]) -> None:
        """``value`` has every key in ``known`` (some optional before format 3) and, in format 3, no other."""
        for name in known:
            if name not in value and name not in _OPTIONAL and (self.number == FORMAT or name not in _OPTIONAL_BEFORE_3):
                raise _fail((*path, name), "missing")
        if self.number == FORMAT and any(name not in known for name in value):
            extra = next(name for name in value if name not in known)
            raise _fail(path, f"unexpected key {_show(extra)} (expected {', '.join(k for k in known if k not in _OPTIONAL)})")

    @staticmethod
    def object(value: Any, path: _Path) -> dict[str, Any]:
        if type(value) is not dict:
            raise _fail(path, f"expected an object, got {_show(value)}")
        return value

    @staticmethod
    def array(value: Any, path: _Path) -> list[Any]:
        if type(value) is not list:
            raise _fail(path, f"expected an array, got {_show(value)}")
        return value

    @staticmethod
    def text(value: Any, path: _Path) -> str:
        if type(value) is not str:
            raise _fail(path, f"expected a string, got {_show(value)}")
        return value

    @staticmethod
    def count(value: Any, path: _Path) -> int:
        if type(value) is not int:
            raise _fail(path, f"expected a whole number, got {_show(value)}")
        if not 0 <= value <= _MAX_INT:
            raise _fail(path, f"{_show(value)} is out of range (0 to 2**63 - 1)")
        return value

    @staticmethod
    def scalar(value: Any, path: _Path) -> None:
        if value is not None and type(value) not in _SCALARS:
            raise _fail(path, f"expected a string, number, boolean or null, got {_show(value)}")

    def time(self, value: Any, path: _Path, span: _Span | None = None) -> tuple[dt.datetime, float]:
        """A time as snapshots write it, and its timestamp: ISO 8601 with a UTC offset, in the years the calendars cover."""
        if type(value) is not str:
            raise _fail(path, f"expected a time (ISO 8601 text), got {_show(value)}")
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            raise _fail(path, f"{_show(value)} is not an ISO 8601 time") from None
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise _fail(path, f"{_show(value)} has no UTC offset")
        return moment, self.within(moment, path, span)

    def within(self, moment: dt.datetime, path: _Path, span: _Span | None = None) -> float:
        """``moment``'s timestamp, once it is in the years of ``span`` (by default, the engine's)."""
        first, end, first_year, last_year, whose = span or self.span
        ts = moment.timestamp()
        if not first <= ts < end:
            raise _fail(path, f"{moment.isoformat()} is outside the years {whose} ({first_year}–{last_year})")
        return ts

    def not_after_now(self, moment: dt.datetime, ts: float, path: _Path) -> None:
        if ts > self.now_ts:
            if self.now is None:
                raise _fail(path, f"{moment.isoformat()}, but the session's time (now) is null")
            raise _fail(path, f"{moment.isoformat()} is after the session's time (now, {self.now.isoformat()})")

    def event(self, value: Any, path: _Path) -> Any:
        """An event as the engine reads it (its errors become the snapshot's)."""
        if type(value) is not dict:
            self.object(value, path)
        try:
            return self.engine.parse(value)
        except EfficiencyRulesError as exc:
            raise _fail(path, str(exc)) from None
        except RecursionError:
            raise _fail(path, "nested too deeply") from None

    # -- the state --------------------------------------------------------------------------

    def state(self, state: dict[str, Any]) -> None:
        """Check ``state`` through (see the module's docstring), replacing its events and verdicts by objects."""
        self.keys(state, (), _STATE_KEYS)
        self.ruleset_versions(state["rulesets"])
        if state["now"] is not None:
            self.now, self.now_ts = self.time(state["now"], ("now",))
        self.count(state["events"], ("events",))
        threads = self.array(state["threads"], ("threads",))
        if threads and self.now is None:
            raise _fail(("now",), "null, but the session holds threads")
        keys: dict[str, int] = {}
        state["threads"] = [self.thread(item, ("threads", index), keys) for index, item in enumerate(threads)]
        ids: dict[str, int] = {}
        state["verdicts"] = [self.verdict(item, ("verdicts", index), ids)
                             for index, item in enumerate(self.array(state["verdicts"], ("verdicts",)))]
        if "tolerance_seconds" in state:
            tolerance = state["tolerance_seconds"]
            if type(tolerance) not in (int, float) or not 0 <= tolerance <= 10 * 366 * 86400:
                raise _fail(("tolerance_seconds",), f"{_show(tolerance)} is not a number of seconds from 0 to ten years")
        if "judged" in state:
            judged = self.array(state["judged"], ("judged",))
            if len(judged) != 2 or type(judged[1]) is not str:
                raise _fail(("judged",), "expected [the time of the last event judged (a number or null), its id]")
            if judged[0] is not None and (type(judged[0]) not in (int, float) or not math.isfinite(judged[0])):
                raise _fail(("judged", 0), f"{_show(judged[0])} is not a POSIX time")
        if "held" in state:
            held = []
            for index, item in enumerate(self.array(state["held"], ("held",))):
                event = self.event(item, ("held", index))
                self.within(event.at, ("held", index, "at"))
                held.append(event)
            state["held"] = held
        if "closed_cases" in state:
            cases = []
            for index, item in enumerate(self.array(state["closed_cases"], ("closed_cases",))):
                self.object(item, ("closed_cases", index))
                try:
                    cases.append(CaseState.model_validate(item))
                except ValidationError as exc:
                    errors = exc.errors()
                    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
                    raise _fail(("closed_cases", index, *errors[0]["loc"]), f"{errors[0]['msg']}{more}") from None
            state["closed_cases"] = cases
        if "aggregate_figures" in state:
            figures = []
            for index, item in enumerate(self.array(state["aggregate_figures"], ("aggregate_figures",))):
                row = self.array(item, ("aggregate_figures", index))
                try:
                    if len(row) != 11 or not all(type(row[i]) is str for i in (0, 1, 2, 6)) \
                            or not all(row[i] is None or type(row[i]) is str for i in (3, 4, 5)) \
                            or type(row[7]) is not bool or type(row[10]) is not bool \
                            or type(row[8]) is not int or type(row[9]) is not int or row[8] < 0 or row[9] <= 0:
                        raise ValueError
                    figure = ClockFigure.from_json(row)
                    if figure.stopped_at.tzinfo is None:
                        raise ValueError
                except ValueError:
                    raise _fail(("aggregate_figures", index), f"expected [{_FIGURE_FIELDS}]") from None
                figures.append(figure)
            state["aggregate_figures"] = figures
        if "ledger" in state:
            ledger = []
            for index, item in enumerate(self.array(state["ledger"], ("ledger",))):
                event = self.event(item, ("ledger", index))
                ts = self.within(event.at, ("ledger", index, "at"))
                self.not_after_now(event.at, ts, ("ledger", index, "at"))
                ledger.append(event)
            state["ledger"] = ledger

    def ruleset_versions(self, value: Any) -> None:
        expected = [[ruleset.id, ruleset.version] for ruleset in self.rulesets]
        pairs = self.array(value, ("rulesets",))
        for index, pair in enumerate(pairs):
            if not (type(pair) is list and len(pair) == 2 and all(type(part) is str for part in pair)):
                raise _fail(("rulesets", index), f"expected [ruleset id, version], got {_show(pair)}")
        if pairs != expected:
            raise SnapshotError(
                f"snapshot was taken with rulesets {pairs}, this engine has {expected}: restore it on the same versions",
                path="rulesets",
            )

    def thread(self, item: Any, path: _Path, keys: dict[str, int]) -> dict[str, Any]:
        thread = dict(self.object(item, path))
        self.keys(thread, path, _THREAD_KEYS)
        key = thread["key"]
        if type(key) is not str or not key or key in keys:
            self.text(key, (*path, "key"))
            if not key:
                raise _fail((*path, "key"), "expected a thread's key, got \"\"")
            raise _fail((*path, "key"), f"{_show(key)} is the key of threads[{keys[key]}] too")
        keys[key] = path[-1]
        versions = self.versions(thread["versions"], (*path, "versions"))
        # the times this thread's calendars read must be in the years all of them cover
        if versions:
            spans = [self.spans[index] for index in versions]
            span: _Span | None = (max(s[0] for s in spans), min(s[1] for s in spans), max(s[2] for s in spans),
                                  min(s[3] for s in spans), "its rulesets' calendars cover")
        else:
            span = None
        counts = self.object(thread["counts"], (*path, "counts"))
        registry = self.engine.registry
        for name, value in counts.items():
            if name not in registry or type(value) is not int or not 0 <= value <= _MAX_INT:
                where = (*path, "counts", _Key(name))
                if name not in registry:
                    raise _fail(where, "not an event type this engine knows")
                self.count(value, where)
        if thread["last_at"] is not None:
            last_at, ts = self.time(thread["last_at"], (*path, "last_at"))
            self.not_after_now(last_at, ts, (*path, "last_at"))
        seen = self.object(thread["seen"], (*path, "seen"))
        match = _DIGEST.fullmatch
        for event_id, digest in seen.items():
            if type(digest) is not str or not match(digest):
                raise _fail((*path, "seen", _Key(event_id)),
                            f"expected {_DIGEST_HEX} lower-case hex digits (or \"content:\" and {_DIGEST_HEX}), got {_show(digest)}")
        for index, vid in enumerate(self.array(thread["emitted"], (*path, "emitted"))):
            if type(vid) is not str:
                self.text(vid, (*path, "emitted", index))
        if "log" in thread:
            thread["log"] = self.log(thread["log"], (*path, "log"), seen, span)
            if thread["log"] and span is not None and any(self.clocked[index] for index in versions):
                # its clocks run as of now when it is restored
                self.within(self.now, ("now",), (*span[:4], f"the calendars of {_where(path)} cover"))  # type: ignore[arg-type]  # a snapshot with threads has a now (checked before them)
        for name, values in self.object(thread.get("firsts", {}), (*path, "firsts")).items():
            for index, value in enumerate(self.array(values, (*path, "firsts", _Key(name)))):
                if value is not None and type(value) not in _SCALARS:
                    self.scalar(value, (*path, "firsts", _Key(name), index))
        for name, fields in self.object(thread.get("lasts", {}), (*path, "lasts")).items():
            for field_name, value in self.object(fields, (*path, "lasts", _Key(name))).items():
                if value is not None and type(value) not in _SCALARS:
                    self.scalar(value, (*path, "lasts", _Key(name), _Key(field_name)))
        for index, entry in enumerate(self.array(thread["pending"], (*path, "pending"))):
            self.pending(entry, (*path, "pending", index), versions, seen)
        return thread

    def versions(self, value: Any, path: _Path) -> list[int]:
        """A thread's ruleset versions: numbers of this engine's, one per ruleset at most."""
        versions = self.array(value, path)
        owners: dict[str, int] = {}
        for position, index in enumerate(versions):
            if type(index) is not int:
                raise _fail((*path, position), f"expected a ruleset version's number, got {_show(index)}")
            if not 0 <= index < len(self.rulesets):
                within = f"0..{len(self.rulesets) - 1}" if self.rulesets else "it has none"
                raise _fail((*path, position), f"{_show(index)} is not a ruleset version of this engine ({within})")
            ruleset = self.rulesets[index].id
            if ruleset in owners:
                raise _fail((*path, position), f"a second version of ruleset {ruleset!r} (the first is versions[{owners[ruleset]}])")
            owners[ruleset] = position
        return versions

    def log(self, value: Any, path: _Path, seen: dict[str, Any], span: _Span | None) -> list[Any]:
        """The events a thread's clocks read: in time order, each one the thread has seen."""
        first, end = (span or self.span)[:2]
        now = self.now_ts
        events = []
        previous = -math.inf
        for index, raw in enumerate(self.array(value, path)):
            event = self.event(raw, (*path, index))
            ts = event.at.timestamp()
            if not (first <= ts < end and previous <= ts <= now and event.id in seen):
                where = (*path, index, "at")
                self.within(event.at, where, span)
                self.not_after_now(event.at, ts, where)
                if ts < previous:
                    raise _fail(where, f"{event.at.isoformat()} is before the event logged before it")
                raise _fail((*path, index, "id"), f"{_show(event.id)} is not among the thread's seen events")
            previous = ts
            events.append(event)
        return events

    def pending(self, entry: Any, path: _Path, versions: list[int], seen: dict[str, Any]) -> None:
        """``[deadline, rule, version, start event id, start time, actor, unit]``, and the start event's
        fields its message names (``{name: [Chinese, English]}``) where it names some."""
        if type(entry) is not list or len(entry) not in (7, 8):
            raise _fail(path, f"expected [{_PENDING_FIELDS}] (and the fields its message names), got {_show(entry)}")
        deadline_text, rule, index, start_id, start_text, actor, unit, *named = entry
        if named:
            fields = self.object(named[0], (*path, 7))
            for name, texts in fields.items():
                if type(texts) is not list or len(texts) != 2 or not all(type(t) is str for t in texts):
                    raise _fail((*path, 7, _Key(name)), f"expected [the field in Chinese, in English], got {_show(texts)}")
        if type(index) is not int:
            raise _fail((*path, 2), f"expected a ruleset version's number, got {_show(index)}")
        if index not in versions:
            raise _fail((*path, 2), f"{_show(index)} is not one of the thread's ruleset versions {versions}")
        ruleset = self.rulesets[index]
        self.text(rule, (*path, 1))
        expects = self.rules[index].get(rule)
        if not expects:
            what = "is not a rule" if expects is None else "is not an expectation (expect) rule"
            raise _fail((*path, 1), f"{_show(rule)} {what} of {ruleset.id} {ruleset.version}")
        self.text(start_id, (*path, 3))
        if start_id not in seen:
            raise _fail((*path, 3), f"{_show(start_id)} is not among the thread's seen events")
        span = self.spans[index]
        start, start_ts = self.time(start_text, (*path, 4), span)
        self.not_after_now(start, start_ts, (*path, 4))
        deadline, deadline_ts = self.time(deadline_text, (*path, 0), span)
        if deadline_ts < start_ts:
            raise _fail((*path, 0), f"{deadline.isoformat()} is before the expectation started ({start.isoformat()})")
        for position, value in ((5, actor), (6, unit)):
            if value is not None:
                self.text(value, (*path, position))

    def verdict(self, item: Any, path: _Path, ids: dict[str, int]) -> Verdict:
        self.object(item, path)
        try:
            verdict = Verdict.model_validate(item)
        except ValidationError as exc:
            errors = exc.errors()
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            raise _fail((*path, *errors[0]["loc"]), f"{errors[0]['msg']}{more}") from None
        except RecursionError:
            raise _fail(path, "nested too deeply") from None
        if verdict.id in ids:
            raise _fail((*path, "id"), f"{_show(verdict.id)} is the id of verdicts[{ids[verdict.id]}] too")
        ids[verdict.id] = path[-1]
        if not any(r.id == verdict.ruleset and r.version == verdict.ruleset_version for r in self.rulesets):
            raise _fail((*path, "ruleset"), f"{verdict.ruleset} {verdict.ruleset_version} is not a ruleset version of this engine")
        ts = self.within(verdict.at, (*path, "at"))
        self.not_after_now(verdict.at, ts, (*path, "at"))
        return verdict


_SCALARS = frozenset((str, int, float, bool))
_DIGEST = re.compile(f"(?:{CONTENT_TEXT})?[0-9a-f]{{{_DIGEST_HEX}}}")


def _span(calendar: Any, whose: str) -> _Span:
    """The times ``calendar`` can judge: from its first year's start to its last year's end, in its zone."""
    zone = calendar.timezone
    return (dt.datetime(calendar.first_year, 1, 1, tzinfo=zone).timestamp(),
            dt.datetime(calendar.last_year + 1, 1, 1, tzinfo=zone).timestamp(), calendar.first_year, calendar.last_year, whose)
