"""Typed events: the core models, the registry, and the errors a portal developer sees."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, ValidationError

from efficiency_rules import (
    CORE_EVENT_TYPES,
    CaseAccepted,
    CaseEvent,
    CaseExtensionGranted,
    CaseReceived,
    CaseSupplementRequested,
    CoreEvent,
    Duration,
    Event,
    EventError,
    EventRegistry,
    EventTypeDefinitionError,
    InquiryReceived,
    InquiryReferred,
    NaiveDatetimeError,
    TimeUnit,
    UnknownEventTypeError,
    parse_event,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
AT = "2024-03-01T09:30:00+08:00"

# One valid example per core type: the fields beyond id / type / at.
EXAMPLES: dict[str, dict[str, Any]] = {
    "case.received": {"case_id": "c1", "matter": "食品经营许可", "channel": "web"},
    "case.supplement_requested": {
        "case_id": "c1",
        "items": ["营业执照", "场地证明"],
        "caused_by_supplement": ["场地证明"],
    },
    "case.supplement_received": {"case_id": "c1"},
    "case.accepted": {"case_id": "c1", "matter": "食品经营许可"},
    "case.rejected": {"case_id": "c1", "reason": "不属于本机关职权范围"},
    "case.paused": {"case_id": "c1", "reason": "expert_review"},
    "case.resumed": {"case_id": "c1", "reason": "expert_review"},
    "case.extension_requested": {"case_id": "c1", "duration": "10wd", "approver": "leader-1", "reason": "情况复杂"},
    "case.extension_granted": {"case_id": "c1", "duration": "10wd", "approver": "leader-1"},
    "case.completed": {"case_id": "c1", "outcome": "approved"},
    "case.delivered": {"case_id": "c1"},
    "case.withdrawn": {"case_id": "c1"},
    "inquiry.received": {"inquiry_id": "q1", "in_scope": False},
    "inquiry.answered": {"inquiry_id": "q1", "outcome": "explained"},
    "inquiry.referred": {"inquiry_id": "q1", "to_unit": "unit-7"},
    "evaluation.submitted": {"rating": "basically_satisfied", "target_unit": "unit-7", "case_id": "c1"},
    "complaint.filed": {"complaint_id": "t1", "against_unit": "unit-7", "against_actor": "staff-3"},
    "complaint.verified": {"complaint_id": "t1", "against_unit": "unit-7"},
    "complaint.dismissed": {"complaint_id": "t1", "against_actor": "staff-3"},
    "ranking.published": {"period": "2024-Q1", "metric": "on_time_rate", "order": ["unit-2", "unit-7", "unit-1"]},
    "interview.held": {"subject": "unit-7"},
    "org.staff_assigned": {"staff": "staff-3", "unit": "unit-7"},
    "org.unit_leaders": {"unit": "unit-7", "deputy": "leader-2", "principal": "leader-1"},
    "verdict.revoked": {"verdict_id": "v-0123456789abcdef0123", "reason": "申诉成立"},
}
CORE_NAMES = sorted(EXAMPLES)


def event(type_: str, id_: str = "e1", **fields: Any) -> dict[str, Any]:
    """A valid event of ``type_`` as a dict, with ``fields`` overriding the example."""
    return {"id": id_, "type": type_, "at": AT, "unit": "unit-7", "actor": "staff-3", **EXAMPLES[type_], **fields}


def text(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)


# --- the core types -----------------------------------------------------------------------


def test_core_types_are_the_design_table() -> None:
    assert EventRegistry.core().types == tuple(CORE_NAMES)
    assert len(CORE_EVENT_TYPES) == 24


@pytest.mark.parametrize("type_", CORE_NAMES)
@pytest.mark.parametrize("form", ["dict", "str", "bytes"])
def test_every_core_type_parses_a_valid_example(type_: str, form: str) -> None:
    data = event(type_)
    given_: Any = {"dict": data, "str": text(data), "bytes": text(data).encode()}[form]
    parsed = parse_event(given_)
    cls = EventRegistry.core()[type_]
    assert type(parsed) is cls
    assert parsed.type == type_
    assert parsed.at == datetime(2024, 3, 1, 9, 30, tzinfo=SHANGHAI)
    assert parsed.at.utcoffset() == timedelta(hours=8)
    for name, value in EXAMPLES[type_].items():
        got = getattr(parsed, name)
        assert (str(got) if isinstance(got, Duration) else got) == value


@pytest.mark.parametrize("type_", CORE_NAMES)
def test_round_trip_through_json(type_: str) -> None:
    parsed = parse_event(event(type_, meta={"source": "一网通办", "n": [1, 2.5, None]}))
    again = parse_event(parsed.model_dump_json())
    assert again == parsed
    assert again.model_dump() == parsed.model_dump()


def test_optional_fields_default_to_none_or_empty() -> None:
    parsed = parse_event({"id": "e1", "type": "case.supplement_requested", "at": AT, "case_id": "c1", "items": ["x"]})
    assert isinstance(parsed, CaseSupplementRequested)
    assert (parsed.unit, parsed.actor, parsed.meta, parsed.caused_by_supplement) == (None, None, {}, [])


def test_a_referral_without_a_unit_is_representable() -> None:
    parsed = parse_event({"id": "e1", "type": "inquiry.referred", "at": AT, "inquiry_id": "q1"})
    assert isinstance(parsed, InquiryReferred)
    assert parsed.to_unit is None


def test_duration_field_reads_policy_amounts() -> None:
    parsed = parse_event(event("case.extension_granted", duration="2.5wd"))
    assert isinstance(parsed, CaseExtensionGranted)
    assert parsed.duration == Duration(Decimal("2.5"), TimeUnit.WORKING_DAYS)
    assert json.loads(parsed.model_dump_json())["duration"] == "2.5wd"


def test_models_can_be_built_in_python_without_repeating_the_type() -> None:
    built = CaseAccepted(id="e1", at=datetime(2024, 3, 1, 9, 30, tzinfo=SHANGHAI), case_id="c1")
    assert built.type == "case.accepted"
    assert isinstance(built, CaseEvent)
    assert parse_event(built.model_dump_json()) == built


def test_events_are_frozen_and_hashable_with_meta() -> None:
    parsed = parse_event(event("case.accepted", meta={"k": [1]}))
    with pytest.raises(ValidationError, match="frozen"):
        parsed.case_id = "c2"  # type: ignore[attr-defined]
    assert hash(parsed) == hash(("case.accepted", "e1"))
    assert len({parsed, parse_event(text(event("case.accepted", meta={"k": [1]})))}) == 1


def test_every_model_and_field_is_documented() -> None:
    classes: list[type[Event]] = [Event, *CORE_EVENT_TYPES]
    undocumented = [cls.__name__ for cls in classes if not cls.__doc__ or cls.__doc__ == BaseModel.__doc__]
    assert undocumented == []
    missing = [f"{cls.__name__}.{name}" for cls in classes for name, f in cls.model_fields.items() if not f.description]
    assert missing == []


# --- errors -------------------------------------------------------------------------------


def raised(data: Any, **kw: Any) -> EventError:
    with pytest.raises(EventError) as info:
        parse_event(data, **kw)
    error = info.value
    assert isinstance(error, ValueError)
    return error


def test_unknown_type_suggests_the_closest_and_lists_known_types() -> None:
    error = raised(text(event("case.accepted", type="case.acepted")))
    assert type(error) is UnknownEventTypeError
    assert isinstance(error, LookupError)
    assert str(error) == (
        "event 'e1': unknown event type 'case.acepted' — did you mean 'case.accepted'? Known types: "
        + ", ".join(CORE_NAMES)
        + "."
    )
    assert (error.suggestion, error.known, error.field, error.value) == (
        "case.accepted",
        CORE_NAMES,
        "type",
        "case.acepted",
    )
    assert isinstance(error.__cause__, ValidationError)
    assert error.errors()[0]["type"] == "union_tag_invalid"


def test_unknown_type_with_nothing_close() -> None:
    error = raised({"id": "e1", "type": "weather.changed", "at": AT})
    assert isinstance(error, UnknownEventTypeError)
    assert error.suggestion is None
    assert str(error).startswith("event 'e1': unknown event type 'weather.changed'. Known types: case.accepted, ")


def test_missing_type_names_the_field() -> None:
    error = raised('{"id": "e9", "at": "2024-03-01T09:30:00+08:00", "case_id": "c1"}')
    assert type(error) is EventError
    assert (
        str(error) == "event 'e9': field 'type': missing (expected an event type name: " + ", ".join(CORE_NAMES) + ")"
    )
    assert error.field == "type"
    assert error.errors()[0]["type"] == "union_tag_not_found"


def test_type_that_is_not_a_string() -> None:
    error = raised({"id": "e9", "type": 5, "at": AT})
    assert type(error) is EventError
    assert str(error) == "event 'e9': field 'type': expected an event type name: " + ", ".join(CORE_NAMES) + "; got 5"


def test_wrong_boolean_names_event_field_value_and_expectation() -> None:
    error = raised(text(event("inquiry.received", id_="e17", in_scope="yes")))
    assert type(error) is EventError
    assert str(error) == "event 'e17': field 'in_scope': expected a boolean (true or false), got 'yes'"
    assert (error.event_id, error.field, error.value, error.expected) == (
        "e17",
        "in_scope",
        "yes",
        "a boolean (true or false)",
    )
    assert isinstance(error.validation_error, ValidationError)
    assert error.__cause__ is error.validation_error
    assert [e["loc"] for e in error.errors()] == [("inquiry.received", "in_scope")]


@pytest.mark.parametrize("value", ["yes", "true", 1, 0, None])
def test_booleans_are_strict_in_dicts_too(value: Any) -> None:
    error = raised(event("inquiry.received", in_scope=value))
    assert error.field == "in_scope"
    assert error.expected == "a boolean (true or false)"


def test_missing_field() -> None:
    data = event("case.accepted")
    del data["case_id"]
    error = raised(text(data))
    assert str(error) == "event 'e1': field 'case_id': missing (expected a string)"
    assert (error.field, error.value, error.expected) == ("case_id", None, "a string")


def test_misspelt_field_suggests_the_right_name() -> None:
    data = event("inquiry.received")
    data["in_scoep"] = data.pop("in_scope")
    error = raised(text(data))
    assert str(error) == (
        "event 'e1': 2 problems: field 'in_scope': missing (expected a boolean (true or false)); "
        "field 'in_scoep': unknown field for inquiry.received — did you mean 'in_scope'?"
    )
    assert error.field == "in_scope"  # the first problem


def test_unknown_field_with_nothing_close_lists_the_fields() -> None:
    error = raised(event("case.delivered", courier="EMS"))
    assert str(error) == (
        "event 'e1': field 'courier': unknown field for case.delivered "
        "(its fields are id, type, at, unit, actor, meta, case_id)"
    )
    assert (error.field, error.value) == ("courier", "EMS")


def test_several_errors_are_all_reported_first_in_attributes() -> None:
    error = raised(text(event("case.supplement_requested", id_="e5", at="tomorrow", items=["ok", 7], case_id="")))
    assert str(error) == (
        "event 'e5': 3 problems: "
        "field 'at': expected an ISO 8601 date and time with a UTC offset, such as '2024-03-01T09:30:00+08:00', "
        "got 'tomorrow'; "
        "field 'case_id': expected a non-empty string, got ''; "
        "field 'items.1': expected a string, got 7"
    )
    assert (error.field, error.value) == ("at", "tomorrow")
    assert len(error.errors()) == 3


def test_list_needs_at_least_one_item() -> None:
    error = raised(event("case.supplement_requested", items=[]))
    assert str(error) == "event 'e1': field 'items': expected a list of at least 1 item, got []"


def test_choice_suggests_the_closest_value() -> None:
    error = raised(event("evaluation.submitted", rating="satisfed"))
    assert str(error) == (
        "event 'e1': field 'rating': expected 'satisfied', 'basically_satisfied', 'unsatisfied' or 'unresolved', "
        "got 'satisfed' — did you mean 'satisfied'?"
    )


def test_bad_duration_keeps_durations_own_explanation() -> None:
    error = raised(event("case.extension_granted", duration="10 weeks"))
    assert str(error) == (
        "event 'e1': field 'duration': unknown unit 'weeks' in duration '10 weeks'; units are wd, d, mo, h, wh, min"
    )
    assert error.expected == "a duration such as '10wd', '15d' or '24h'"


def test_empty_id_is_an_error_without_an_event_id() -> None:
    error = raised(event("case.accepted", id_=""))
    assert str(error) == "field 'id': expected a non-empty string, got ''"
    assert error.event_id is None


def test_invalid_json_says_so_with_the_position() -> None:
    error = raised('{"id": "e1", "type": "case.accepted",')
    assert type(error) is EventError
    assert str(error) == "invalid JSON: EOF while parsing a value at column 37"
    assert error.errors()[0]["type"] == "json_invalid"
    multiline = raised(b'{"id": "e1",\n "type": "case.accepted" "at": 1}')
    assert str(multiline) == "invalid JSON: expected `,` or `}` at line 2 column 26"


@pytest.mark.parametrize("data", ["[1, 2]", b'"case.accepted"', ["not", "a", "dict"]])
def test_an_event_must_be_an_object(data: Any) -> None:
    error = raised(data)
    assert str(error).startswith("expected an event: a JSON object, got ")


def test_naive_time_says_how_to_fix_it() -> None:
    error = raised(text(event("case.accepted", id_="e3", at="2024-03-01T09:30:00")))
    assert type(error) is NaiveDatetimeError
    assert str(error) == (
        "event 'e3': field 'at': time '2024-03-01T09:30:00' has no UTC offset; add a UTC offset "
        "(e.g. '2024-03-01T09:30:00+08:00') or pass default_tz=ZoneInfo(\"Asia/Shanghai\") "
        "to read times without one in that zone"
    )
    assert (error.event_id, error.field, error.value) == ("e3", "at", "2024-03-01T09:30:00")


# --- default timezone ---------------------------------------------------------------------


@pytest.mark.parametrize("naive", ["2024-03-01T09:30:00", "2024-03-01 09:30", datetime(2024, 3, 1, 9, 30)])
def test_default_tz_reads_naive_times_in_that_zone(naive: Any) -> None:
    data = event("case.accepted", at=naive)
    given_ = data if isinstance(naive, datetime) else text(data)
    parsed = parse_event(given_, default_tz=SHANGHAI)
    assert parsed.at.utcoffset() == timedelta(hours=8)
    assert parsed.at.tzinfo is SHANGHAI
    assert parsed.at.astimezone(UTC) == datetime(2024, 3, 1, 1, 30, tzinfo=UTC)
    assert json.loads(parsed.model_dump_json())["at"] == "2024-03-01T09:30:00+08:00"
    assert data["at"] == naive  # the caller's dict is not modified


def test_default_tz_leaves_times_with_an_offset_alone() -> None:
    parsed = parse_event(event("case.accepted", at="2024-03-01T01:30:00Z"), default_tz=SHANGHAI)
    assert parsed.at.utcoffset() == timedelta(0)


def test_default_tz_still_reports_other_problems() -> None:
    error = raised(event("inquiry.received", at="2024-03-01T09:30:00", in_scope="yes"), default_tz=SHANGHAI)
    assert type(error) is EventError
    assert str(error) == "event 'e1': field 'in_scope': expected a boolean (true or false), got 'yes'"


# --- the registry -------------------------------------------------------------------------


class PermitInspected(Event):
    """A business's premises were inspected (涉企检查)."""

    type: Literal["permit.inspected"] = "permit.inspected"
    permit_id: str
    on_site: StrictBool
    findings: list[str] = Field(default_factory=list)


def test_custom_type_is_read_with_the_same_error_quality() -> None:
    registry = EventRegistry.core()
    assert registry.register(PermitInspected) is PermitInspected
    good = {"id": "p1", "type": "permit.inspected", "at": AT, "permit_id": "x9", "on_site": True}
    parsed = registry.parse(text(good))
    assert isinstance(parsed, PermitInspected)
    assert (parsed.permit_id, parsed.on_site, parsed.findings) == ("x9", True, [])
    assert registry.parse(good) == parsed
    assert registry.types == tuple(sorted([*CORE_NAMES, "permit.inspected"]))

    with pytest.raises(EventError) as info:
        registry.parse(text({**good, "on_site": "yes", "permitid": "x9"}))
    assert str(info.value) == (
        "event 'p1': 2 problems: field 'on_site': expected a boolean (true or false), got 'yes'; "
        "field 'permitid': unknown field for permit.inspected — did you mean 'permit_id'?"
    )
    with pytest.raises(UnknownEventTypeError) as unknown:
        registry.parse({**good, "type": "permit.inspectd"})
    assert unknown.value.suggestion == "permit.inspected"


def test_registering_works_as_a_decorator_and_after_parsing() -> None:
    registry = EventRegistry()
    assert registry.types == ()
    with pytest.raises(UnknownEventTypeError) as info:
        registry.parse({"id": "e1", "type": "stamp.affixed", "at": AT})
    assert str(info.value) == "event 'e1': unknown event type 'stamp.affixed'. No event types are registered."

    @registry.register
    class StampAffixed(Event):
        """A seal was affixed (用印)."""

        type: Literal["stamp.affixed"] = "stamp.affixed"

    assert registry.parse({"id": "e1", "type": "stamp.affixed", "at": AT}) == StampAffixed(id="e1", at=AT)
    assert registry["stamp.affixed"] is StampAffixed
    assert list(registry) == [StampAffixed]


def test_registries_do_not_share_types() -> None:
    first, second = EventRegistry.core(), EventRegistry.core()
    first.register(PermitInspected)
    assert "permit.inspected" in first
    assert "permit.inspected" not in second
    assert len(first) == len(second) + 1
    with pytest.raises(UnknownEventTypeError):
        parse_event({"id": "p1", "type": "permit.inspected", "at": AT, "permit_id": "x", "on_site": True})


def test_lookup_by_type_name() -> None:
    registry = EventRegistry.core()
    assert registry["case.accepted"] is CaseAccepted
    assert registry.get("case.accepted") is CaseAccepted
    assert registry.get("case.acepted") is None
    with pytest.raises(UnknownEventTypeError) as info:
        registry["case.acepted"]
    assert info.value.suggestion == "case.accepted"


def test_parse_event_with_a_registry() -> None:
    registry = EventRegistry([PermitInspected])
    parsed = parse_event(
        {"id": "p1", "type": "permit.inspected", "at": AT, "permit_id": "x", "on_site": False}, registry=registry
    )
    assert isinstance(parsed, PermitInspected)


def test_registry_rejects_what_is_not_an_event() -> None:
    class NotAnEvent(BaseModel):
        type: Literal["x.y"] = "x.y"

    with pytest.raises(TypeError) as info:
        EventRegistry().register(NotAnEvent)  # type: ignore[arg-type]
    assert str(info.value) == f"only subclasses of efficiency_rules.Event can be registered, got {NotAnEvent!r}"
    with pytest.raises(
        TypeError, match=r"^only subclasses of efficiency_rules\.Event can be registered, got 'case\.accepted'$"
    ):
        EventRegistry().register("case.accepted")  # type: ignore[arg-type]


def test_registry_rejects_a_type_that_is_not_one_string_literal() -> None:
    class Vague(Event):
        """No fixed type."""

    class Two(Event):
        """Two type names."""

        type: Literal["a.b", "c.d"] = "a.b"

    with pytest.raises(TypeError) as info:
        EventRegistry().register(Vague)
    assert str(info.value) == (
        "test_registry_rejects_a_type_that_is_not_one_string_literal.<locals>.Vague.type must be declared as one "
        "string Literal, such as type: Literal['permit.inspected'] = 'permit.inspected'; got <class 'str'>"
    )
    with pytest.raises(
        TypeError, match=r"Two\.type must be declared as one string Literal.*got typing.Literal\['a.b', 'c.d'\]$"
    ):
        EventRegistry().register(Two)
    with pytest.raises(TypeError, match=r"CaseEvent\.type must be declared as one string Literal"):
        EventRegistry().register(CaseEvent)


def test_registry_rejects_a_name_already_registered() -> None:
    class MyAccepted(Event):
        """A portal's own idea of acceptance."""

        type: Literal["case.accepted"] = "case.accepted"

    registry = EventRegistry.core()
    with pytest.raises(ValueError) as info:
        registry.register(MyAccepted)
    assert str(info.value) == (
        "event type 'case.accepted' is already registered (by efficiency_rules._events.CaseAccepted); cannot "
        f"register {MyAccepted.__module__}.{MyAccepted.__qualname__} under the same name"
    )
    with pytest.raises(ValueError, match=r"^event type 'case\.accepted' is already registered"):
        registry.register(CaseAccepted)
    assert registry["case.accepted"] is CaseAccepted


def test_registry_rejects_a_type_that_allows_extra_fields() -> None:
    class Loose(Event):
        """Accepts anything."""

        model_config = ConfigDict(extra="allow")
        type: Literal["loose.thing"] = "loose.thing"

    with pytest.raises(TypeError, match=r"Loose must keep Event's model_config \(frozen=True, extra='forbid'\)"):
        EventRegistry().register(Loose)


def test_registry_rejects_lax_booleans() -> None:
    class Lax(Event):
        """Would read "yes" as true."""

        type: Literal["lax.thing"] = "lax.thing"
        urgent: bool | None = None

    class LaxList(Event):
        """Would read ["yes"] as [true]."""

        type: Literal["lax.list"] = "lax.list"
        flags: list[bool]

    class Strict(Event):
        """Booleans declared as they should be."""

        type: Literal["strict.thing"] = "strict.thing"
        urgent: StrictBool | None = None
        flags: list[StrictBool] = Field(default_factory=list)
        level: Literal[True, "high"] = "high"

    with pytest.raises(TypeError) as info:
        EventRegistry().register(Lax)
    assert str(info.value) == (
        f"{Lax.__qualname__}.urgent: declare booleans as pydantic.StrictBool, so that 'yes' or 1 is an error "
        "as it is in the core types"
    )
    with pytest.raises(TypeError, match=r"LaxList\.flags: declare booleans as pydantic\.StrictBool"):
        EventRegistry().register(LaxList)
    registry = EventRegistry([Strict])
    with pytest.raises(EventError) as bad:
        registry.parse({"id": "s1", "type": "strict.thing", "at": AT, "flags": [True, "yes"]})
    assert str(bad.value) == "event 's1': field 'flags.1': expected a boolean (true or false), got 'yes'"


# --- CoreEvent inside a portal's own models ---------------------------------------------------


class Batch(BaseModel):
    """A portal's upload: a batch of events."""

    portal: str
    events: list[CoreEvent]


def test_core_event_union_works_inside_a_user_model() -> None:
    payload = {
        "portal": "一网通办",
        "events": [event("case.received"), event("inquiry.received", id_="e2", in_scope=True)],
    }
    batch = Batch.model_validate_json(text(payload))
    assert [type(e) for e in batch.events] == [CaseReceived, InquiryReceived]
    assert batch.events[1].in_scope is True  # type: ignore[union-attr]
    assert Batch.model_validate_json(batch.model_dump_json()) == batch
    with pytest.raises(ValidationError) as info:
        Batch.model_validate({"portal": "p", "events": [event("case.received", type="case.recieved")]})
    assert info.value.errors()[0]["type"] == "union_tag_invalid"


# --- property: any core event round-trips through JSON ------------------------------------------

_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=8,
)
_TIMEZONES = st.sampled_from([SHANGHAI, UTC]) | st.builds(
    lambda minutes: timezone(timedelta(minutes=minutes)), st.integers(-14 * 60, 14 * 60)
)
_COUNTED_UNITS = [u for u in TimeUnit if u not in (TimeUnit.IMMEDIATE, TimeUnit.SAME_DAY)]
_DURATIONS = st.one_of(
    st.builds(Duration, st.decimals(0, 1000, places=1), st.sampled_from([TimeUnit.WORKING_DAYS, TimeUnit.HOURS])),
    st.builds(Duration, st.integers(0, 1000).map(Decimal), st.sampled_from(_COUNTED_UNITS)),
    # "immediate" and "same_day" carry no amount (Duration.parse gives 0).
    st.builds(Duration, st.just(Decimal(0)), st.sampled_from([TimeUnit.IMMEDIATE, TimeUnit.SAME_DAY])),
)


def _strategy(annotation: Any, metadata: list[Any]) -> st.SearchStrategy[Any]:
    min_size = next((m.min_length for m in metadata if hasattr(m, "min_length")), 0)
    origin = get_origin(annotation)
    if origin is Literal:
        return st.sampled_from(get_args(annotation))
    if origin is Union or origin is UnionType:
        options = [a for a in get_args(annotation) if a is not type(None)]
        return st.none() | st.one_of([_strategy(a, metadata) for a in options])
    if origin is list:
        return st.lists(_strategy(get_args(annotation)[0], []), min_size=min_size, max_size=4)
    if origin is dict:
        return st.dictionaries(_TEXT, _JSON, max_size=4)
    if annotation is AwareDatetime:
        return st.datetimes(datetime(1995, 1, 1), datetime(2099, 12, 31), timezones=_TIMEZONES)
    if annotation is Duration:
        return _DURATIONS
    if annotation is bool:
        return st.booleans()
    if annotation is str:
        return st.text(st.characters(exclude_categories=["Cs"]), min_size=min_size, max_size=12)
    raise NotImplementedError(annotation)  # a new field type needs a strategy here


def core_events() -> st.SearchStrategy[Event]:
    """Any core event, every field drawn from its annotation; shrinks towards short texts and early types."""

    def of(cls: type[Event]) -> st.SearchStrategy[Event]:
        fields = {name: _strategy(f.annotation, f.metadata) for name, f in cls.model_fields.items() if name != "type"}
        return st.fixed_dictionaries(fields).map(cls.model_validate)

    return st.one_of([of(cls) for cls in CORE_EVENT_TYPES])


@settings(max_examples=300, deadline=None)
@given(core_events())
def test_any_core_event_round_trips_through_json(original: Event) -> None:
    for data in (original.model_dump_json(), original.model_dump_json().encode(), original.model_dump(mode="json")):
        again = parse_event(data)
        assert type(again) is type(original)
        assert again == original


def test_an_unresolved_type_annotation_says_how_to_fix_it() -> None:
    namespace: dict[str, object] = {}
    code = (
        "from __future__ import annotations\n"
        "from efficiency_rules import Event\n"
        "class Late(Event):\n"
        "    type: Literal['late.type'] = 'late.type'  # Literal is imported only later\n"
    )
    exec(compile(code, "<portal>", "exec", dont_inherit=True), namespace)  # noqa: S102 - a portal's module, as Python loads it
    with pytest.raises(EventTypeDefinitionError) as info:
        EventRegistry.core().register(namespace["Late"])  # type: ignore[arg-type]
    assert str(info.value) == (
        "Late.type is the unresolved annotation ForwardRef(\"Literal['late.type']\"): pydantic could not resolve it "
        "where the class was defined; import Literal at module level, or call Late.model_rebuild() with the names "
        "it needs, before registering"
    )
