"""Wire models, per resource: what may be sent (Create / Update) and what is shown (Public).

A liaison's views are models of their own (`*ForLiaison`), so that a field a liaison may not see cannot
leak by default. Every input model forbids unknown fields and bounds its lists and strings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from scheduler.contract.input_model import FixedIn, Id, WindowIn, in_date_range
from scheduler.solve.move_cost import move_cost_of

Text = Annotated[str, StringConstraints(max_length=500)]
Windows = Annotated[list[WindowIn], Field(max_length=50)]
Features = Annotated[list[Annotated[str, StringConstraints(max_length=64)]], Field(max_length=20)]
Priority = Annotated[int, Field(ge=1, le=1_000_000)]


def _instant_in_range(instant: datetime) -> datetime:
    in_date_range(instant.date())
    return instant


# the office's own way to write a moment: the event's wall-clock time, or with an offset (made an instant by
# scheduler.contract.local_time.event_instant where the event's zone is known)
EventTime = Annotated[datetime, AfterValidator(_instant_in_range)]


class _In(BaseModel):
    # no NaN or infinity even where a form's text is read as a number ("nan" is a float to pydantic)
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


# --- events ------------------------------------------------------------------------------------------


class EventCreated(BaseModel):
    id: str
    name: str
    requests: int
    revision: int


class EventSetting(_In):
    """The contract input without its requests: event, programme, rooms and delegations (PUT replaces it
    whole; the requests are their own resource). Checked by the scheduler's own input model."""

    event: dict[str, Any]
    programme: Annotated[list[dict[str, Any]], Field(max_length=500)] = []
    rooms: Annotated[list[dict[str, Any]], Field(max_length=500)]
    delegations: Annotated[list[dict[str, Any]], Field(max_length=1000)]


class DelegationName(BaseModel):
    id: str
    name: str


class EventForLiaison(BaseModel):
    """What a liaison sees of its event: the setting everyone shares, and its own delegation."""

    id: str
    event: dict[str, Any]
    programme: list[dict[str, Any]]
    rooms: list[dict[str, Any]]
    delegations: list[DelegationName]
    delegation: dict[str, Any]
    published_version: int


class EventForHost(BaseModel):
    id: str
    event: dict[str, Any]
    programme: list[dict[str, Any]]
    rooms: list[dict[str, Any]]
    delegations: list[dict[str, Any]]
    revision: int
    published_version: int


# --- keys --------------------------------------------------------------------------------------------


class KeyCreate(_In):
    role: Literal["host", "liaison"]
    delegation: Id | None = None
    label: Text = ""


class KeyPublic(BaseModel):
    id: str
    role: str
    event_id: str | None
    delegation: str | None
    label: str
    created_at: datetime
    revoked_at: datetime | None


class KeyIssued(KeyPublic):
    key: str = Field(description="the secret key; shown only in this response")


# --- requests ----------------------------------------------------------------------------------------


class RequestCreate(_In):
    """A proposed meeting. `priority` is the proposer's wish (a liaison's) or the scheduled priority (the
    host's); only the host may set `mandatory` and `fixed`."""

    id: Id | None = Field(None, description="default: made from the parties")
    parties: Annotated[list[Id], Field(min_length=2, max_length=10)]
    duration_minutes: Annotated[int, Field(gt=0, le=1440)]
    priority: Priority = 1
    requires: Features = []
    seats: Annotated[int, Field(gt=0, le=1000)] | None = None
    window: Windows | None = None
    preferred: Windows | None = None
    host: Id | None = None
    mandatory: bool = False
    fixed: FixedIn | None = None


class RequestUpdate(_In):
    """The fields to change; the others stay."""

    parties: Annotated[list[Id], Field(min_length=2, max_length=10)] | None = None
    duration_minutes: Annotated[int, Field(gt=0, le=1440)] | None = None
    priority: Priority | None = None
    requires: Features | None = None
    seats: Annotated[int, Field(gt=0, le=1000)] | None = None
    window: Windows | None = None
    preferred: Windows | None = None
    host: Id | None = None
    mandatory: bool | None = None
    fixed: FixedIn | None = None


Status = Literal["proposed", "accepted", "declined"]


class _RequestShown(BaseModel):
    """What every party of a request may see of it (no priority: each view adds its own)."""

    id: str
    parties: list[str]
    duration_minutes: int
    requires: list[str]
    seats: int | None
    window: list[dict] | None
    preferred: list[dict] | None
    host: str | None
    mandatory: bool
    fixed: dict | None
    status: Status
    proposed_by: str
    accepted_by: list[str]
    declined_by: str | None
    revision: int
    same_parties: list[str] = Field([], description="the other live (proposed or accepted) requests between "
                                    "exactly these parties: allowed, and shown to every side")


class RequestForHost(_RequestShown):
    priority: int = Field(description="the priority that is scheduled")
    wishes: dict[str, int] = Field(description="each party's own priority")


class RequestForLiaison(_RequestShown):
    """A request of the liaison's own delegation: its own wish, never another's priority."""

    my_priority: int | None = Field(description="this delegation's own wish")


# --- solves ------------------------------------------------------------------------------------------


class SolveCreate(_In):
    time_limit: Annotated[float, Field(gt=0, le=3600)] = 60.0
    stability: Literal["balanced", "strict", "priority", "off"] = Field(
        "balanced",
        description="once a version is published, how closely the solve keeps to it: balanced (a published meeting "
        "moves only where the priority gained pays the move cost), strict (the fewest changes, then the priority), "
        "priority (the most priority, then the fewest changes), off (a fresh solve)",
    )
    move_cost: Annotated[str, StringConstraints(max_length=32)] = Field(
        "normal",
        description="what a change of a published meeting costs a balanced re-plan: low, normal or high, or a "
        "number of priority points per point of the meeting's priority that a new time costs (0 to 1000)",
    )
    choices: bool = Field(False, description="re-plan several ways side by side; needs a published version")
    freeze_before: EventTime | None = Field(
        None,
        description="local time in the event's zone (e.g. 2024-11-01T00:00), or with an offset: the published "
        "meetings that start before it are history, kept exactly, and nothing new is placed before it (needs a "
        "published version; a local time the clocks skip or show twice is refused: give the offset)",
    )

    @field_validator("move_cost")
    @classmethod
    def _a_move_cost(cls, text: str) -> str:
        move_cost_of(text)  # its ValueError names the value and what is expected: a 422 naming the field
        return text


class Progress(BaseModel):
    """A solve's progress: the solver's figures of the priority placed, and the same in an officer's words with
    the time spent and left (by the service's clock)."""

    phase: str | None = Field(None, description="the solver's phase code (see phase_words for what to show)")
    elapsed: float | None = Field(None, description="the solver's seconds at its last report (not the time spent)")
    incumbent: float | None = Field(None, description="the priority of the best schedule found")
    bound: float | None = Field(None, description="the most priority any schedule can place (proven)")
    gap: float | None = Field(None, description="kept for compatibility: (bound - incumbent) / bound, within [0, "
                              "1]; words says it better")
    placed: int | None = Field(None, description="meetings the best schedule places")
    requests: int | None = Field(None, description="accepted requests in what the solve read")
    words: str | None = Field(None, description="\"67 of 120 meetings placed · priority 338 · best possible ≤ 352\" "
                              "(\"… · best possible: proven\" once reached)")
    phase_words: str | None = Field(None, description="what the solve is doing now: \"now reducing idle gaps\"")
    elapsed_seconds: float | None = Field(None, description="since the solve started (its end, once it ended)")
    remaining_seconds: float | None = Field(None, description="of its time limit (0 once it ended)")
    time_share: float | None = Field(None, description="elapsed_seconds of the time limit, within [0, 1]")


class EditOut(BaseModel):
    """A confirmed what-if that is one edit: `pin` the request `subject` at `start` in `room`; give it `minutes`
    (`duration`); widen delegation `subject`'s `availability` by [`start`, `end`); change `room` `subject`."""

    kind: Literal["pin", "duration", "availability", "room"]
    subject: str
    words: str
    start: str | None = None
    end: str | None = None
    room: str | None = None
    minutes: int | None = None


class UnscheduledOut(BaseModel):
    request: str
    reason: str
    confirmed: bool | None = Field(None, description="true when a solve confirmed the reason")
    what_if: list[str] = Field(default_factory=list, description="changes that would let it in, each checked")
    cause: str | None = Field(None, description="the rule that keeps it out most (or `not_reached`)")
    heading: str = Field("Other reasons", description="the group of left-out requests it belongs to, in words")
    edits: list[EditOut] = Field(default_factory=list, description="the what-ifs that are one edit each")


class Suggestion(BaseModel):
    """A change an infeasible solve found that lets the mandatory and pinned requests be held (checked by
    solving): pin `request` at `start` instead (in `room`, when its pin names one)."""

    request: str
    start: str = Field(description="the event's wall-clock time, as the contract writes it: 2024-10-31T17:45")
    room: str | None = Field(description="the pin's room (kept from the pin it moves), or none")
    words: str = Field(description="the explanation's own line: 'moving X to 31 Oct 17:45 would let … be held'")


class SolvePublic(BaseModel):
    id: str
    event_id: str
    state: Literal["queued", "running", "done", "failed", "cancelled"]
    time_limit: float
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    progress: Progress | None
    status: str | None = Field(description="optimal | feasible | infeasible | no_schedule, when done")
    scheduled_priority: int | None
    upper_bound: int | None
    meetings: int | None
    unscheduled: list[UnscheduledOut] | None
    message: str | None
    previous_version: int | None = Field(None, description="the published version this solve re-plans from")
    stability: str | None = None
    freeze_before: datetime | None = None
    changes: str | None = Field(None, description="against the previous version: '61 unchanged, 3 moved, ...'")
    move_cost: str | None = Field(None, description="a re-plan's price of a change (a level or a number)")
    choices: list[str] | None = Field(None, description="a re-plan side by side: its choices' names, most stable "
                                      "first (None: not asked for, or not done)")
    setting_revision: int | None = Field(None, description="the event's setting revision this solve read (None: "
                                         "asked for before it was recorded)")
    changed_since: list[str] = Field(default_factory=list, description="what changed since this solve read the "
                                     "event, in words, each item named; empty: the solve is of the event as it is "
                                     "now. Publishing a solve with changes is refused (409) with these words")
    current: bool = Field(True, description="true when nothing changed since (changed_since is empty): publishable")
    published_as: int | None = Field(None, description="the version this solve was published as (its first "
                                     "publication), if it was: changed_since then says so first")
    suggestions: list[Suggestion] | None = Field(None, description="an infeasible solve: pins moved that would let "
                                                 "the mandatory and pinned requests be held (None: not infeasible)")


class MoveOut(BaseModel):
    """A meeting a choice moves, drops or adds, with why (in the event's time: "31 Oct 14:15 salon-2")."""

    request: str
    parties: list[str]
    change: Literal["moved", "new", "cancelled"]
    before: str | None
    after: str | None
    reason: str | None


class ChoiceOut(BaseModel):
    """One way of re-planning, to weigh against the others before publishing it (`?choice=` its name)."""

    name: str
    names: list[str] = Field(description="every kind of re-plan that gave this same schedule; any one publishes it")
    label: str | None = Field(None, description="what the office calls it (\"Nothing moves\")")
    also: list[str] | None = Field(None, description="what the office calls the other kinds that came out the same")
    words: str = Field(description="what the choice means")
    status: str
    scheduled_priority: int
    upper_bound: int
    unchanged: int
    moved: int
    new: int
    cancelled: int
    move_cost: dict[str, Any] | None = Field(description="a balanced choice: the rate it charged for a change")
    moves: list[MoveOut]


class Published(BaseModel):
    version: int
    published_at: datetime
    meetings: int
    moved: int
    new: int
    cancelled: int


# --- schedule and feeds ------------------------------------------------------------------------------


class MeetingOut(BaseModel):
    request: str
    parties: list[str]
    room: str
    start: str
    end: str
    sequence: int | None = None
    last_modified: str | None = None
    change: str | None = Field(None, description="against the previous version: unchanged, moved or new")
    change_party_reason: str | None = Field(
        None, description="why it moved, is new or was cancelled, in words its parties may read")


class ScheduleForHost(BaseModel):
    version: int
    published_at: datetime
    document: dict[str, Any]


class UnscheduledForLiaison(BaseModel):
    request: str
    reason: str = Field(description="in words that name no other delegation and no other meeting")
    confirmed: bool | None = None
    what_if: list[str] = Field(default_factory=list, description="in the same words, each checked by solving")


class WhyForHost(BaseModel):
    request: str
    version: int | None = Field(description="the published version read (None: an unpublished solve's result)")
    scheduled: bool
    reason: str | None = Field(description="why it is not in the schedule (None when it is)")
    confirmed: bool | None = Field(description="true when a solve confirmed the reason, false when it is read "
                                   "from the schedule only")
    what_if: list[str] = Field(description="changes that would let it in, each checked by solving")


class WhyForLiaison(BaseModel):
    request: str
    version: int
    scheduled: bool
    reason: str | None = Field(description="in words that name no other delegation and no other meeting")
    confirmed: bool | None
    what_if: list[str] = Field(description="in the same words: no other delegation, meeting or priority")


class ScheduleForLiaison(BaseModel):
    version: int
    published_at: datetime
    meetings: list[MeetingOut]
    unscheduled: list[UnscheduledForLiaison]
    cancelled: list[MeetingOut]


class FeedLink(BaseModel):
    kind: Literal["delegation", "room", "event"]
    subject: str
    https: str
    webcal: str


class AuditEntry(BaseModel):
    id: int
    at: datetime
    key_id: str | None
    role: str
    delegation: str | None
    action: str
    target: str
    detail: dict[str, Any]
