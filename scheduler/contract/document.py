"""The schedule document: `schedule.json` as bilateral writes it and reads it back, as typed, immutable data.

The contract fixes its top level (`status`, the figures, `meetings`, `unscheduled`); bilateral adds
optional fields the contract allows: per meeting `sequence` and `last_modified` and a top-level `cancelled`
list (calendar identity, see `scheduler.publish.revisions`), per unscheduled request `party_reason` (the reason in
words that may be shown to its parties, see `scheduler.explain.reasons`) and a `solve` block of statistics.

Choices:
- Keys a model does not know are kept, not refused: a document from an older or another writer reads,
  and writing it again loses nothing. A known key with a wrong type is refused, naming its JSON path.
- Times stay the text that was written (ISO 8601 with the UTC offset, checked when read), so a document
  read and written again says exactly the same; `starts_at`/`ends_at` give them as aware datetimes.
- An optional field that is absent is left out when writing (not written as null), so a first solve's
  document has no identity fields and a document read back is written with the keys it had.
- Pure data: no I/O, no clock, nothing of the solver; the independent validator may import it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    Strict,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    model_serializer,
)

from scheduler.contract.problems import Problem, json_path
from scheduler.contract.strict_json import NotStrictJson, strict_loads

Status = Literal["optimal", "feasible"]
NO_PARTY_REASON = "no time and room could be found for it"
"""What the parties are told when a document (from an older writer) has no `party_reason`."""


def _aware(text: str) -> str:
    """An ISO 8601 date and time with its UTC offset, kept as written."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not an ISO 8601 date and time: {text!r}") from None
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset")
    return text


Moment = Annotated[StrictStr, AfterValidator(_aware)]
Seconds = Annotated[float, Strict()]  # a JSON integer is a number of seconds too


class _Part(BaseModel):
    """Frozen; unknown keys kept; the optional fields named in `_absent_when_none` left out when None."""

    model_config = ConfigDict(frozen=True, extra="allow")
    _absent_when_none: ClassVar[frozenset[str]] = frozenset()

    @model_serializer(mode="wrap")
    def _leave_out_absent(self, handler: SerializerFunctionWrapHandler):
        data = handler(self)
        return {k: v for k, v in data.items() if v is not None or k not in self._absent_when_none}


Change = Literal["unchanged", "moved", "new"]


class MovedFrom(_Part):
    """Where a moved meeting was in the previous publication."""

    room: StrictStr
    start: Moment
    end: Moment


class ScheduledMeeting(_Part):
    """A meeting as schedule.json states it; `sequence`/`last_modified` once it has been published, and
    `change` (with `moved_from`) against the previous publication when there was one."""

    _absent_when_none = frozenset(
        {"sequence", "last_modified", "change", "moved_from", "change_reason", "change_party_reason"})

    request: StrictStr
    parties: tuple[StrictStr, ...]
    room: StrictStr
    start: Moment
    end: Moment
    sequence: Annotated[StrictInt, Field(ge=0)] | None = None
    last_modified: Moment | None = None
    change: Change | None = None
    moved_from: MovedFrom | None = None
    # why it moved, is new, or (a cancelled meeting) was dropped: in the office's words and in words its
    # parties may read (scheduler.publish.why_changed)
    change_reason: StrictStr | None = None
    change_party_reason: StrictStr | None = None

    @property
    def starts_at(self) -> datetime:
        return datetime.fromisoformat(self.start)

    @property
    def ends_at(self) -> datetime:
        return datetime.fromisoformat(self.end)

    @property
    def modified_at(self) -> datetime | None:
        """`last_modified` as an aware UTC datetime (None before the first publication)."""
        return None if self.last_modified is None else datetime.fromisoformat(self.last_modified).astimezone(UTC)

    @property
    def has_identity(self) -> bool:
        return self.sequence is not None and self.last_modified is not None


class CancelledMeeting(ScheduledMeeting):
    """A meeting of an earlier publication that is no longer scheduled: it always has its identity."""

    sequence: Annotated[StrictInt, Field(ge=0)]
    last_modified: Moment


class WhatIfEdit(_Part):
    """The one edit a confirmed what-if stands for (bilateral's own, for the office): `pin` the request
    (`subject`) at `start` in `room`; give it `minutes` (`duration`); widen a delegation's (`subject`)
    `availability` by [`start`, `end`); change a `room` (`subject`) as `words` say."""

    _absent_when_none = frozenset({"start", "end", "room", "minutes"})

    kind: Literal["pin", "duration", "availability", "room"]
    subject: StrictStr
    words: StrictStr
    start: Moment | None = None
    end: Moment | None = None
    room: StrictStr | None = None
    minutes: StrictInt | None = None


class UnscheduledRequest(_Part):
    """A request left out: `reason` in the office's words, `party_reason` in words its parties may read.

    `confirmed` says whether a solve confirmed the reason (`scheduler.explain.why`): the causes named really keep
    the request out. `what_if` (office) and `party_what_if` (parties) are changes that a solve showed would
    let it in. bilateral's own, for the office: `cause`, the rule that keeps it out most (its name in the
    registry, or "not_reached"), and `edits`, the what-ifs that are one edit each."""

    _absent_when_none = frozenset({"party_reason", "confirmed", "what_if", "party_what_if", "cause", "edits"})

    request: StrictStr
    reason: StrictStr
    party_reason: StrictStr | None = None
    confirmed: StrictBool | None = None
    what_if: tuple[StrictStr, ...] | None = None
    party_what_if: tuple[StrictStr, ...] | None = None
    cause: StrictStr | None = None
    edits: tuple[WhatIfEdit, ...] | None = None

    @property
    def reason_for_parties(self) -> str:
        """The reason an agenda shows: it names no other delegation, no other meeting and no priority."""
        return NO_PARTY_REASON if self.party_reason is None else self.party_reason


class NeighbourhoodYield(_Part):
    """What one kind of neighbourhood brought in the neighbourhood search (see `scheduler.search.neighbourhoods`)."""

    steps: StrictInt
    improved: StrictInt
    gained: StrictInt
    seconds: Seconds


class SolvePhase(_Part):
    """What one phase of the solve reached (see `scheduler.solve.solver`)."""

    _absent_when_none = frozenset(
        {"value", "bound", "kept", "ended_seconds", "stalled", "gained", "yields", "engine", "rounded"}
    )

    phase: StrictStr
    status: StrictStr
    value: StrictInt | None = None
    bound: StrictInt | None = None
    kept: StrictInt | None = None
    ended_seconds: Seconds | None = None  # when it ended, from the start of the solve
    stalled: StrictBool | None = None  # true when it stopped because it stopped improving
    gained: StrictInt | None = None  # the neighbourhood search: the priority it added
    yields: dict[str, NeighbourhoodYield] | None = None  # the neighbourhood search: by kind of neighbourhood
    engine: StrictStr | None = None  # "maxsat" when the breaks were proven by MaxSAT, else CP-SAT
    rounded: StrictInt | None = None  # the relaxation: the priority of the schedule rounded from its solution


class Changes(_Part):
    """Against the previous publication: meetings kept, moved, new, and newly cancelled."""

    unchanged: StrictInt
    moved: StrictInt
    new: StrictInt
    cancelled: StrictInt

    def line(self) -> str:
        return f"{self.unchanged} unchanged, {self.moved} moved, {self.new} new, {self.cancelled} cancelled"


class MoveCostFigures(_Part):
    """A balanced re-plan's price of a change (points per point of the moved meeting's own priority), and the
    value of its objective, the priority less that price, with the bound proven on it."""

    _absent_when_none = frozenset({"value", "bound"})

    level: StrictStr  # low, normal, high or custom
    time: Seconds  # a new time or day
    room: Seconds  # the same time, another room
    cancel: Seconds  # dropped (on top of the priority lost)
    value: Seconds | None = None
    bound: Seconds | None = None


class SolveStatistics(_Part):
    """The `solve` block: how the schedule was found (times in seconds from the start of the solve)."""

    _absent_when_none = frozenset({"stability", "changes", "bound_source", "move_cost", "choice"})

    gap: Seconds
    # null when there is none (no proof in time): written as null, and read as None when left out
    time_to_best_seconds: Seconds | None = None
    time_to_proof_seconds: Seconds | None = None
    wall_time_seconds: Seconds | None = None
    greedy_priority: StrictInt
    phases: tuple[SolvePhase, ...]
    # which bound `upper_bound` is: optimal (the value itself), cp-sat (the solver's), lp (the LP relaxation's,
    # scheduler.model.relaxation), static (the sum of the priorities of the requests that could be placed at all)
    bound_source: StrictStr | None = None
    stability: StrictStr | None = None  # of a re-plan: strict, balanced, priority or off
    changes: Changes | None = None
    move_cost: MoveCostFigures | None = None  # of a balanced re-plan
    choice: StrictStr | None = None  # of a re-plan with choices: which one this is (scheduler.solve.choices)


class ScheduleDocument(_Part):
    """schedule.json: the contract's fields, then bilateral's optional ones, in the order they are written."""

    _absent_when_none = frozenset({"cancelled", "departed", "frozen_before", "solve"})

    status: Status
    scheduled_priority: StrictInt
    upper_bound: StrictInt
    preferred_met: StrictInt
    breaks: StrictInt
    meetings: tuple[ScheduledMeeting, ...]
    unscheduled: tuple[UnscheduledRequest, ...]
    cancelled: tuple[CancelledMeeting, ...] | None = None
    # a meeting that left a delegation's or a room's feed (its room or parties changed) but is still held:
    # its earlier placement, with the sequence of the change, so that feed shows it as cancelled
    departed: tuple[CancelledMeeting, ...] | None = None
    # of a re-plan: the meetings that started before this instant are history, kept as they were held
    frozen_before: Moment | None = None
    solve: SolveStatistics | None = None

    @property
    def has_identity(self) -> bool:
        """Every meeting carries `sequence` and `last_modified` (it has been published)."""
        return all(m.has_identity for m in self.meetings)

    def to_json(self) -> str:
        """The text of schedule.json: two-space indent, UTF-8 characters as they are, a final newline."""
        return json.dumps(self.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


class BadDocument(ValueError):
    """Text that is not a schedule document; `problems` say where and how, one each."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def read_document(text: str | bytes) -> ScheduleDocument:
    """A schedule document from the text of a schedule.json; raises BadDocument naming every problem."""
    try:
        data = strict_loads(text)
    except NotStrictJson as exc:
        raise BadDocument([Problem(json_path(p.path), f"not JSON: {p.message}") for p in exc.problems]) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadDocument([Problem("", f"not JSON: {exc}")]) from None
    if not isinstance(data, dict):
        raise BadDocument([Problem("", f"a schedule must be a JSON object, not {type(data).__name__}")])
    try:
        return ScheduleDocument.model_validate(data)
    except ValidationError as exc:
        raise BadDocument(validation_problems(exc)) from None


_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "float_type": "a number",
    "tuple_type": "a list",
    "list_type": "a list",
    "model_type": "an object",
    "dict_type": "an object",
    "model_attributes_type": "an object",
}


def validation_problems(error: ValidationError) -> list[Problem]:
    """Pydantic's errors in the words bilateral uses for files: "meetings[3].start: expected a string, got 5"."""
    problems = []
    for e in error.errors():
        loc = [p for p in e["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        problems.append(Problem(json_path(loc), _message(e)))
    return problems


def _message(e: Any) -> str:
    kind, ctx = e["type"], e.get("ctx", {})
    got = _shown(e.get("input"))
    if kind == "missing":
        return "is required"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {got}"
    if kind == "greater_than_equal":
        return f"expected an integer >= {ctx['ge']}, got {got}"
    if kind == "literal_error":
        return f"expected {ctx['expected']}, got {got}"
    if kind == "value_error":
        return str(ctx["error"])
    return f"{e['msg']} (got {got})"


def _shown(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."
