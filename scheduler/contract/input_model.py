"""The input file as the contract writes it: pydantic models that check shape and types.

These models mirror the JSON one to one (same field names, same defaults) so that the exported JSON
Schema documents the file format. Checks that need the whole file (unknown ids, times that do not
exist, a pin off the grid) live in `scheduler.contract.parse`, which turns these models into domain objects.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

# Dates a conference can have: the calendar writer and the time zone conversions overflow near year 9999, and
# a date outside these is a typing slip, never an event (bad input, like any value out of its range).
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def in_date_range(day: date) -> None:
    """Refuse a date outside EARLIEST..LATEST (a pydantic error, so that the field is named)."""
    if not EARLIEST <= day <= LATEST:
        raise PydanticCustomError("date_out_of_range", f"outside the dates accepted, {EARLIEST} to {LATEST}")


def _date_in_range(text: str) -> str:
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:  # not a real date: `parse` says so, with the file's other problems
        return text
    in_date_range(day)
    return text


def _not_only_dots(text: str) -> str:
    # "." and ".." are path steps, not names: an id made of them cannot be reached in a URL or a file name
    if not text.strip("."):
        raise PydanticCustomError("id_only_dots", "an id cannot be made only of dots")
    return text


Id = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,64}$"),
    AfterValidator(_not_only_dots),
    Field(description="1 to 64 letters, digits, '_', '.' or '-', not only dots; unique in its list ignoring case"),
]
LocalDateTime = Annotated[
    str,
    StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$"),
    AfterValidator(_date_in_range),
    Field(
        description="local wall-clock time in event.timezone, exactly YYYY-MM-DDTHH:MM, dated 2000-01-01 to "
        "2100-12-31",
        examples=["2024-10-31T09:00"],
    ),
]
LocalTime = Annotated[
    str,
    StringConstraints(pattern=r"^\d{2}:\d{2}$"),
    Field(description="local wall-clock time of day, HH:MM", examples=["09:00"]),
]
LocalDate = Annotated[
    str,
    StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$"),
    AfterValidator(_date_in_range),
    Field(description="a calendar date, YYYY-MM-DD, from 2000-01-01 to 2100-12-31", examples=["2024-10-31"]),
]
# Upper limits keep every sum the solver forms inside 64-bit integers; they are far beyond any conference.
LIMIT = 10**6
PositiveInt = Annotated[int, Field(gt=0, le=LIMIT)]
NonNegativeInt = Annotated[int, Field(ge=0, le=LIMIT)]


class _Strict(BaseModel):
    """No unknown keys, no silent type coercion ("5" is not 5), immutable once read."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class WindowIn(_Strict):
    """A half-open span of local time [start, end); end must be after start."""

    start: LocalDateTime
    end: LocalDateTime


class DayIn(_Strict):
    """The hours of one conference day in which bilaterals may be held."""

    date: LocalDate
    start: LocalTime
    end: LocalTime


class EventIn(_Strict):
    """The conference itself: where its clock runs and how meetings are laid on it."""

    id: Id | None = Field(None, description="stable identity used in calendar UIDs; default derived from name")
    name: str
    timezone: str = Field(description="IANA time zone name, e.g. Europe/Minsk")
    slot_minutes: PositiveInt = Field(5, description="meetings start a whole number of slots after a day's start")
    days: list[DayIn] = Field(min_length=1)
    changeover_minutes: NonNegativeInt = Field(0, description="minimum gap between two commitments of one delegation")
    room_turnover_minutes: NonNegativeInt = Field(0, description="minimum gap between two meetings in one room")
    interpreter_teams: NonNegativeInt | None = Field(
        None, description="how many meetings needing interpretation may run at once; null = unlimited"
    )


class ProgrammeItemIn(_Strict):
    """An official programme item (plenary, lunch, side session) that blocks its attendees and its room."""

    id: Id
    title: str
    start: LocalDateTime
    end: LocalDateTime
    attendees: list[Id] | None = Field(None, description="delegation ids; omitted = every delegation")
    room: Id | None = Field(None, description="room held by the item; no meeting there meanwhile")


class RoomIn(_Strict):
    """A room in the venue."""

    id: Id
    name: str
    capacity: PositiveInt
    features: list[str] = Field(default_factory=list, description='e.g. "interpretation"')
    level: NonNegativeInt = Field(0, description="protocol level; hosts parties up to this level")
    available: list[WindowIn] | None = Field(None, description="omitted = always; [] = never")
    reserved_for: Id | None = Field(
        None,
        description="v1.1: a delegation id; the room (its salon) holds only meetings of which it is a party (rule 13)",
    )


class DelegationIn(_Strict):
    """A country or organisation taking part, with its head of delegation."""

    id: Id
    name: str
    head: str
    level: NonNegativeInt = 0
    size: PositiveInt = Field(2, description="seats the delegation takes at a meeting")
    languages: list[str] = Field(default_factory=list)
    available: list[WindowIn] | None = Field(None, description="omitted = always; [] = never")
    max_meetings_per_day: NonNegativeInt | None = None
    home_room: Id | None = Field(None, description="the room where this delegation receives its guests")


class FixedIn(_Strict):
    """A pin: the meeting is held exactly at this start (and in this room, if given)."""

    start: LocalDateTime
    room: Id | None = None


class RequestIn(_Strict):
    """A requested bilateral (or trilateral, ...) meeting."""

    id: Id
    parties: list[Id] = Field(min_length=2, description="two or more distinct delegation ids")
    duration_minutes: PositiveInt
    priority: Annotated[int, Field(ge=1, le=LIMIT)] = 1
    mandatory: bool = False
    requires: list[str] = Field(default_factory=list, description="room features the meeting needs")
    seats: PositiveInt | None = Field(None, description="default: the sum of the parties' sizes")
    window: list[WindowIn] | None = Field(None, description="the meeting must lie inside one; omitted = any time")
    preferred: list[WindowIn] | None = Field(None, description="soft: windows the parties would like")
    fixed: FixedIn | None = None
    host: Id | None = Field(None, description="the party that receives (its home room is used)")


class ScheduleInput(_Strict):
    """One scheduling problem: the contract's input file."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        title="bilateral scheduler input (contract v1.1)",
    )

    event: EventIn
    programme: list[ProgrammeItemIn] = Field(default_factory=list)
    rooms: list[RoomIn]
    delegations: list[DelegationIn]
    requests: list[RequestIn]


def input_json_schema() -> dict:
    """The JSON Schema of the input file, for editors and for `scheduler schema`."""
    schema = ScheduleInput.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
