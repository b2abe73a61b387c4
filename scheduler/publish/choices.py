"""Re-plan choices as the office weighs them: each choice's schedule document (marked against the published
version it re-plans) and its summary line (`ChoiceSummary`), the same in the CLI's `choices.json` and table
and in the service's list of a solve's choices."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from scheduler.contract.document import ScheduleDocument
from scheduler.contract.domain import Conference
from scheduler.publish.from_outcome import schedule_document
from scheduler.publish.revisions import carry_identity
from scheduler.solve.types import Choice


def choice_document(
    conference: Conference, choice: Choice, previous: ScheduleDocument, at: datetime
) -> ScheduleDocument:
    """The choice's schedule.json, marked against `previous` (moved from → to, new, cancelled, and why),
    naming the choice in its `solve` block."""
    document = schedule_document(conference, choice.outcome)
    document = document.model_copy(update={"solve": document.solve.model_copy(update={"choice": choice.name})})
    return carry_identity(conference, document, previous, at)


class Move(BaseModel):
    """A published meeting that the choice moves or drops, or a new one, with why (the office's words)."""

    request: str
    parties: list[str]
    change: str  # moved, new or cancelled
    before: str | None  # "31 Oct 14:15 salon-2" in the event's time
    after: str | None
    reason: str | None


class ChoiceSummary(BaseModel):
    """One choice's line: its names, what it means, its figures and its changes."""

    name: str
    names: list[str]
    label: str  # what the office calls it ("Nothing moves")
    also: list[str]  # what the office calls the other kinds of re-plan that came out the same
    words: str
    status: str
    scheduled_priority: int
    upper_bound: int
    unchanged: int
    moved: int
    new: int
    cancelled: int
    move_cost: dict | None  # a balanced choice: the rate, the value less the price of changes, its bound
    moves: list[Move]


def summary(conference: Conference, choice: Choice, document: ScheduleDocument) -> ChoiceSummary:
    """The choice's line for the office, from its document (marked against the version it re-plans)."""
    changes = document.solve.changes
    zone = conference.clock.zone
    rooms = {r.id: r.name for r in conference.rooms}

    def at(start: str, room: str) -> str:
        moment = datetime.fromisoformat(start).astimezone(zone)
        return f"{moment.day} {moment:%b %H:%M}, {rooms.get(room, room)}"  # a room gone since: its id

    moves = [Move(request=m.request, parties=list(m.parties), change=m.change,
                  before=at(m.moved_from.start, m.moved_from.room) if m.moved_from else None,
                  after=at(m.start, m.room), reason=m.change_reason)
             for m in document.meetings if m.change in ("moved", "new")]
    stamp = max((c.last_modified for c in document.cancelled or ()), default=None)
    moves += [Move(request=c.request, parties=list(c.parties), change="cancelled", before=at(c.start, c.room),
                   after=None, reason=c.change_reason)
              for c in document.cancelled or () if c.change_reason is not None and c.last_modified == stamp]
    return ChoiceSummary(
        name=choice.name, names=list(choice.names), label=choice.label or choice.name,
        also=list(choice.also or choice.names[1:]), words=choice.words,
        status=document.status,
        scheduled_priority=document.scheduled_priority, upper_bound=document.upper_bound,
        unchanged=changes.unchanged, moved=changes.moved, new=changes.new, cancelled=changes.cancelled,
        move_cost=None if document.solve.move_cost is None else document.solve.move_cost.model_dump(mode="json"),
        moves=moves,
    )
