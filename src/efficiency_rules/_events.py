"""Typed events: the JSON contract portals write to (design §5).

An event is a frozen pydantic model. Every event has ``id``, ``type``, ``at`` (with a UTC offset),
optional ``unit``, ``actor`` and ``meta``; each type adds its own fields. A portal adds types of
its own by subclassing :class:`Event` and registering the class in an ``EventRegistry``
(``_registry.py``), which is also what reads events.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union, get_args

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
)

from ._duration import Duration

__all__ = [
    "CORE_EVENT_TYPES",
    "CaseAccepted",
    "CaseCompleted",
    "CaseDelivered",
    "CaseEvent",
    "CaseExtensionGranted",
    "CaseExtensionRequested",
    "CasePaused",
    "CaseReceived",
    "CaseRejected",
    "CaseResumed",
    "CaseSupplementReceived",
    "CaseSupplementRequested",
    "CaseWithdrawn",
    "ComplaintDismissed",
    "ComplaintEvent",
    "ComplaintFiled",
    "ComplaintVerified",
    "CoreEvent",
    "EvaluationSubmitted",
    "Event",
    "InquiryAnswered",
    "InquiryEvent",
    "InquiryReceived",
    "InquiryReferred",
    "InterviewHeld",
    "OrgStaffAssigned",
    "OrgUnitLeaders",
    "RankingPublished",
    "VerdictRevoked",
]

#: An identifier: a string with at least one character.
_Id = Annotated[str, Field(min_length=1)]


#: How deep ``meta`` may nest lists and objects.
META_DEPTH = 200
_INT_BITS = 14_000  # about 4,200 digits: Python refuses to write an integer of more than 4,300 as text


def _json_data(value: dict[str, Any]) -> dict[str, Any]:
    """``meta`` as JSON can hold it: objects with text keys, lists, text, numbers, true/false/null, nothing else.

    An event is written back as JSON (snapshots, reports, digests that tell a repeat from a
    conflict): a value JSON has no form for — an object, bytes, a lone surrogate, an integer too
    long to write — would fail there, far from where it came in.
    """
    if not value:
        return value
    stack: list[tuple[Any, str, int]] = [(value, "meta", 0)]
    while stack:
        item, where, depth = stack.pop()
        kind = type(item)
        if kind is str:
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError(f"{where} holds a lone surrogate, which UTF-8 text cannot hold") from None
        elif kind is int:
            if item.bit_length() > _INT_BITS:
                raise ValueError(f"{where} holds an integer of more than 4,000 digits: write it as text")
        elif item is None or kind in (bool, float):
            continue
        elif kind in (dict, list):
            if depth >= META_DEPTH:
                raise ValueError(f"meta nests lists and objects more than {META_DEPTH} levels deep")
            if kind is dict:
                for key, inner in item.items():
                    if type(key) is not str:
                        raise ValueError(f"{where} has a key that is not text (a {type(key).__name__}): JSON object keys are text")
                    stack.append((inner, f"{where}.{key}"[:200], depth + 1))
            else:
                stack.extend((inner, f"{where}[{i}]"[:200], depth + 1) for i, inner in enumerate(item))
        else:
            raise ValueError(f"{where} is a Python {kind.__name__} value, which JSON has no form for")
    return value


class Event(BaseModel):
    """One thing that happened, as a portal recorded it.

    Subclasses fix ``type`` to a single string literal and add their fields. Events are frozen
    (they are facts) and reject unknown fields (a misspelt field is an error, not lost data).
    Two events are equal when all their fields are; ``hash`` uses ``type`` and ``id`` only, so
    events with a ``meta`` dict can still go in sets.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: _Id = Field(description="Unique id of the event, chosen by the portal; the same id twice is one event.")
    type: str = Field(description="Event type name, such as 'case.accepted'; selects the model.")
    at: AwareDatetime = Field(
        description="When it happened: ISO 8601 with a UTC offset, e.g. '2024-03-01T09:30:00+08:00'."
    )
    unit: str | None = Field(default=None, description="Organisation unit (单位/部门) the event belongs to.")
    actor: str | None = Field(default=None, description="Staff member (工作人员) who acted, by the portal's id.")
    # default_factory, not ``= {}``: pydantic deep-copies a mutable default on every event (~1 µs).
    meta: Annotated[dict[str, Any], AfterValidator(_json_data)] = Field(
        default_factory=dict, description="Free data the portal wants to keep with the event; never interpreted."
    )

    def __hash__(self) -> int:
        return hash((self.type, self.id))


class CaseEvent(Event):
    """An event in the life of one application case (办件); ``case_id`` ties them together."""

    case_id: _Id = Field(description="The case (办件) this event belongs to.")


class CaseReceived(CaseEvent):
    """Application materials received (收件)."""

    type: Literal["case.received"] = Field("case.received", description="Always 'case.received'.")
    matter: str = Field(description="The matter (事项) applied for, by the portal's catalogue id.")
    channel: str | None = Field(default=None, description="How it arrived: counter, web, mobile, mail…")


class CaseSupplementRequested(CaseEvent):
    """A notice listing the materials still missing (补正告知)."""

    type: Literal["case.supplement_requested"] = Field(
        "case.supplement_requested", description="Always 'case.supplement_requested'."
    )
    items: list[str] = Field(min_length=1, description="The missing materials; at least one.")
    caused_by_supplement: list[str] = Field(
        default_factory=list,
        description=(
            "Items made necessary by materials the applicant supplied after an earlier notice; "
            "a one-time notification (一次性告知) rule does not count these against the unit."
        ),
    )


class CaseSupplementReceived(CaseEvent):
    """The applicant supplied the missing materials."""

    type: Literal["case.supplement_received"] = Field(
        "case.supplement_received", description="Always 'case.supplement_received'."
    )


class CaseAccepted(CaseEvent):
    """The case was accepted (受理); the legal time limit usually starts here."""

    type: Literal["case.accepted"] = Field("case.accepted", description="Always 'case.accepted'.")
    matter: str | None = Field(default=None, description="The matter (事项), when not given at receipt.")


class CaseRejected(CaseEvent):
    """The case was not accepted (不予受理)."""

    type: Literal["case.rejected"] = Field("case.rejected", description="Always 'case.rejected'.")
    reason: str | None = Field(default=None, description="Why it was not accepted.")


class CasePaused(CaseEvent):
    """The clock stops for time the law excludes (hearing, testing, expert review, quarantine…)."""

    type: Literal["case.paused"] = Field("case.paused", description="Always 'case.paused'.")
    reason: str = Field(description="Why, e.g. hearing, tender, auction, inspection, testing, expert_review.")


class CaseResumed(CaseEvent):
    """The clock runs again after a pause."""

    type: Literal["case.resumed"] = Field("case.resumed", description="Always 'case.resumed'.")
    reason: str | None = Field(default=None, description="Why the pause ended, if recorded.")


class CaseExtensionRequested(CaseEvent):
    """An extension (延期) of the time limit was asked for."""

    type: Literal["case.extension_requested"] = Field(
        "case.extension_requested", description="Always 'case.extension_requested'."
    )
    duration: Duration = Field(description="How much more time, e.g. '10wd'.")
    approver: str | None = Field(default=None, description="Who is asked to approve it.")
    reason: str | None = Field(default=None, description="Why more time is needed.")


class CaseExtensionGranted(CaseEvent):
    """An extension (延期) was approved."""

    type: Literal["case.extension_granted"] = Field(
        "case.extension_granted", description="Always 'case.extension_granted'."
    )
    duration: Duration = Field(description="How much more time was granted, e.g. '10wd'.")
    approver: str = Field(description="Who approved it (the policy says who may).")


class CaseCompleted(CaseEvent):
    """The case was decided or completed (办结)."""

    type: Literal["case.completed"] = Field("case.completed", description="Always 'case.completed'.")
    outcome: str | None = Field(default=None, description="The decision, e.g. approved or refused.")


class CaseDelivered(CaseEvent):
    """The certificate or decision was delivered (送达)."""

    type: Literal["case.delivered"] = Field("case.delivered", description="Always 'case.delivered'.")


class CaseWithdrawn(CaseEvent):
    """The applicant withdrew (撤回): the clock stops and no verdict follows."""

    type: Literal["case.withdrawn"] = Field("case.withdrawn", description="Always 'case.withdrawn'.")


class InquiryEvent(Event):
    """An event in one inquiry thread under first-inquiry responsibility (首问负责)."""

    inquiry_id: _Id = Field(description="The inquiry thread this event belongs to.")


class InquiryReceived(InquiryEvent):
    """A first inquiry (首问) reached a member of staff."""

    type: Literal["inquiry.received"] = Field("inquiry.received", description="Always 'inquiry.received'.")
    in_scope: StrictBool = Field(
        description="Whether the matter is the receiving unit's own business (JSON true or false, nothing else)."
    )


class InquiryAnswered(InquiryEvent):
    """The inquiry was handled, or it was explained why it cannot be."""

    type: Literal["inquiry.answered"] = Field("inquiry.answered", description="Always 'inquiry.answered'.")
    outcome: Literal["handled", "explained"] = Field(description="'handled' (办理) or 'explained' (解释说明).")


class InquiryReferred(InquiryEvent):
    """The inquirer was told which unit handles the matter (引导/转办)."""

    type: Literal["inquiry.referred"] = Field("inquiry.referred", description="Always 'inquiry.referred'.")
    # Optional on purpose: a referral that names no unit is a violation the rules must be able to see.
    to_unit: str | None = Field(default=None, description="The unit the inquirer was referred to.")


class EvaluationSubmitted(Event):
    """A service evaluation (评价, 好差评) from an applicant."""

    type: Literal["evaluation.submitted"] = Field("evaluation.submitted", description="Always 'evaluation.submitted'.")
    rating: Literal["satisfied", "basically_satisfied", "unsatisfied", "unresolved"] = Field(
        description="满意 / 基本满意 / 不满意 / 未解决."
    )
    target_unit: str = Field(description="The unit evaluated.")
    case_id: str | None = Field(default=None, description="The case evaluated, if any.")


class ComplaintEvent(Event):
    """An event in one complaint (投诉) about a unit or a member of staff."""

    complaint_id: _Id = Field(description="The complaint this event belongs to.")
    against_unit: str | None = Field(default=None, description="The unit complained about.")
    against_actor: str | None = Field(default=None, description="The member of staff complained about.")


class ComplaintFiled(ComplaintEvent):
    """A complaint (投诉) was filed."""

    type: Literal["complaint.filed"] = Field("complaint.filed", description="Always 'complaint.filed'.")


class ComplaintVerified(ComplaintEvent):
    """A complaint was found true (查实)."""

    type: Literal["complaint.verified"] = Field("complaint.verified", description="Always 'complaint.verified'.")


class ComplaintDismissed(ComplaintEvent):
    """A complaint was found unfounded."""

    type: Literal["complaint.dismissed"] = Field("complaint.dismissed", description="Always 'complaint.dismissed'.")


class RankingPublished(Event):
    """A ranking of units was published (排名通报)."""

    type: Literal["ranking.published"] = Field("ranking.published", description="Always 'ranking.published'.")
    period: str = Field(description="The period ranked, e.g. '2024-Q1'.")
    metric: str = Field(description="What was ranked, e.g. 'on_time_rate'.")
    order: list[str] = Field(description="Unit ids, best first.")


class InterviewHeld(Event):
    """An accountability interview (约谈) was held."""

    type: Literal["interview.held"] = Field("interview.held", description="Always 'interview.held'.")
    subject: str = Field(description="Who was interviewed: a unit or a member of staff.")


class OrgStaffAssigned(Event):
    """From ``at`` on, a member of staff works in a unit (people move: a later assignment replaces it)."""

    type: Literal["org.staff_assigned"] = Field("org.staff_assigned", description="Always 'org.staff_assigned'.")
    staff: _Id = Field(description="The member of staff.")
    unit: _Id = Field(description="The unit they work in from now on.")


class OrgUnitLeaders(Event):
    """From ``at`` on, a unit's deputy in charge (分管负责人) and principal (主要负责人)."""

    type: Literal["org.unit_leaders"] = Field("org.unit_leaders", description="Always 'org.unit_leaders'.")
    unit: _Id = Field(description="The unit.")
    deputy: str | None = Field(default=None, description="The deputy in charge of it.")
    principal: str | None = Field(default=None, description="Its principal.")


class VerdictRevoked(Event):
    """A verdict was revoked (申诉成立、撤销): it leaves scores, ladders and counts, and what followed from it is recomputed."""

    type: Literal["verdict.revoked"] = Field("verdict.revoked", description="Always 'verdict.revoked'.")
    verdict_id: _Id = Field(description="The id of the verdict revoked.")
    reason: str | None = Field(default=None, description="Why, e.g. the appeal decision.")


#: Any core event, chosen by its ``type``; use it as a field type in a portal's own models::
#:
#:     class Upload(BaseModel):
#:         events: list[CoreEvent]
CoreEvent = Annotated[
    Union[  # noqa: UP007 - spelt out, so that type checkers see every member
        CaseReceived,
        CaseSupplementRequested,
        CaseSupplementReceived,
        CaseAccepted,
        CaseRejected,
        CasePaused,
        CaseResumed,
        CaseExtensionRequested,
        CaseExtensionGranted,
        CaseCompleted,
        CaseDelivered,
        CaseWithdrawn,
        InquiryReceived,
        InquiryAnswered,
        InquiryReferred,
        EvaluationSubmitted,
        ComplaintFiled,
        ComplaintVerified,
        ComplaintDismissed,
        RankingPublished,
        InterviewHeld,
        OrgStaffAssigned,
        OrgUnitLeaders,
        VerdictRevoked,
    ],
    Field(discriminator="type"),
]

#: The core event classes, in the order of the design table.
CORE_EVENT_TYPES: tuple[type[Event], ...] = get_args(get_args(CoreEvent)[0])


def lone_surrogate_field(event: Event) -> str | None:
    """The first text field of ``event`` holding a lone surrogate, which UTF-8 text cannot hold, or ``None``.

    Only a Python string or a JSON escape (``\\ud800`` to ``\\udfff``) can carry one; a snapshot or a
    report could not write it. ``meta`` is checked where it is validated. ``isascii`` passes most text at once.
    """
    for name, value in event.__dict__.items():
        if name == "meta":
            continue
        for text in value if type(value) is list or type(value) is tuple else (value,):
            if type(text) is str and not text.isascii():
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    return name
    return None
