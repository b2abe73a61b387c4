"""The published schedule as each caller may read it, and why a request is not in it.

The host reads the whole document and the office's reasons; a liaison its delegation's part, as
`scheduler.publish.delegation_view` decides it, in words that name no other delegation, meeting or priority.
Nothing is solved here: every answer is read from a stored schedule.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.errors import Conflict, Forbidden, NotFound
from api.identity import Identity
from api.schemas import (
    MeetingOut,
    ScheduleForHost,
    ScheduleForLiaison,
    UnscheduledForLiaison,
    WhyForHost,
    WhyForLiaison,
)
from api.services.requests import visible
from api.storage import repo
from api.storage.db import Database
from api.storage.models import VersionFileRow, VersionRow
from scheduler.contract.document import ScheduledMeeting, ScheduleDocument
from scheduler.publish.delegation_view import DelegationView, delegation_view

NO_REASON = "it could not be placed; the host's protocol office can tell you more"
ROOM_PLAN = "room-grid.html"


@dataclass(frozen=True)
class Read:
    """A published version as the caller may read it, and the version it is (its ETag)."""

    number: int
    schedule: ScheduleForHost | ScheduleForLiaison


def _view(document: dict, parties: dict[str, list[str]], delegation: str) -> DelegationView:
    return delegation_view(ScheduleDocument.model_validate(document), delegation, parties, NO_REASON)


def liaison_view(document: dict, parties: dict[str, list[str]], delegation: str, version: int,
                 published_at) -> ScheduleForLiaison:
    """The liaison's part of a published version."""
    view = _view(document, parties, delegation)
    return ScheduleForLiaison(
        version=version, published_at=published_at, meetings=[_meeting(m) for m in view.meetings],
        unscheduled=[UnscheduledForLiaison(request=u.request, reason=u.reason, confirmed=u.confirmed,
                                           what_if=list(u.what_if)) for u in view.left_out],
        cancelled=[_meeting(m) for m in view.no_longer_held])


def _meeting(meeting: ScheduledMeeting) -> MeetingOut:
    return MeetingOut(**{k: getattr(meeting, k) for k in MeetingOut.model_fields})


def _published(session: Session, event_id: str) -> VersionRow:
    version = repo.latest_version(session, repo.event_or_404(session, event_id))
    if version is None:
        raise NotFound("a published schedule")
    return version


def published(db: Database, caller: Identity, event_id: str) -> Read:
    """The published version: the host the whole schedule.json; a liaison its own part of it."""
    with db.reading() as session:
        version = _published(session, event_id)
        parties = repo.parties_solved(session, version.solve_id)
    if caller.is_host:
        return Read(version.number, ScheduleForHost(version=version.number, published_at=version.published_at,
                                                    document=version.document))
    assert caller.delegation is not None
    return Read(version.number, liaison_view(version.document, parties, caller.delegation, version.number,
                                             version.published_at))


def room_plan(db: Database, event_id: str) -> VersionFileRow:
    """The published room plan (a printable HTML page)."""
    with db.reading() as session:
        version = _published(session, event_id)
        page = session.get(VersionFileRow, (event_id, version.number, ROOM_PLAN))
    if page is None:
        raise NotFound("the room plan")
    return page


# --- why a request is not in the schedule ---------------------------------------------------------------


def why_not(db: Database, caller: Identity, event_id: str, request_id: str,
            solve_id: str | None = None) -> WhyForHost | WhyForLiaison:
    """Why a request is not in the schedule, and what would let it in, as the solve confirmed them. The host
    reads the office's words (also of an unpublished solve); a liaison, for its own delegation's requests
    only, words that name no other delegation, meeting or priority."""
    with db.reading() as session:
        visible(session, event_id, request_id, caller)
        document, solved, number = _schedule_read(session, event_id, solve_id, caller)
    parties = {r["id"]: r["parties"] for r in solved["requests"]}
    if request_id not in parties or not caller.is_party(parties[request_id]):
        where = f"version {number}" if number is not None else f"solve {solve_id}"
        raise Conflict(f"request {request_id} was not among the accepted requests solved for {where}",
                       ["path", "request_id"])
    scheduled = any(m["request"] == request_id for m in document["meetings"])
    if caller.is_host:
        left_out = next((u for u in document["unscheduled"] if u["request"] == request_id), {})
        return WhyForHost(request=request_id, version=number, scheduled=scheduled, reason=left_out.get("reason"),
                          confirmed=left_out.get("confirmed"), what_if=left_out.get("what_if") or [])
    assert number is not None and caller.delegation is not None
    told = _view(document, parties, caller.delegation).left_out_of(request_id)
    return WhyForLiaison(request=request_id, version=number, scheduled=scheduled,
                         reason=None if scheduled else told.reason if told else NO_REASON,
                         confirmed=told.confirmed if told else None, what_if=list(told.what_if) if told else [])


def _schedule_read(session: Session, event_id: str, solve_id: str | None,
                   caller: Identity) -> tuple[dict, dict, int | None]:
    """The schedule document asked about, the input it was solved from, and its version (None: unpublished)."""
    if solve_id is not None:
        if not caller.is_host:
            raise Forbidden("only the host reads an unpublished solve")
        row = repo.solve_of(session, event_id, solve_id)
        if not row.result:
            raise Conflict(f"solve {solve_id} is {row.state}: no schedule", ["query", "solve"])
        return row.result, row.input, None
    version = repo.latest_version(session, repo.event_or_404(session, event_id))
    if version is None:
        raise Conflict("nothing is published yet", ["path", "event_id"])
    return version.document, repo.input_solved(session, version.solve_id), version.number
