"""The published schedule: the host's whole document and room plan; a liaison's own meetings only."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from api.auth import Host, Identity, Member, not_found
from api.schemas import MeetingOut, ScheduleForHost, ScheduleForLiaison, UnscheduledForLiaison
from api.storage import repo
from api.storage.models import SolveRow, VersionFileRow
from scheduler.contract.document import ScheduledMeeting, ScheduleDocument
from scheduler.publish.delegation_view import delegation_view

router = APIRouter(tags=["schedule"])
ROOM_PLAN = "room-grid.html"
NO_REASON = "it could not be placed; the host's protocol office can tell you more"


def liaison_view(document: dict, parties: dict[str, list[str]], delegation: str, version: int,
                 published_at) -> ScheduleForLiaison:
    """The liaison's part of a published version, as `scheduler.publish.delegation_view` decides it."""
    view = delegation_view(ScheduleDocument.model_validate(document), delegation, parties, NO_REASON)
    return ScheduleForLiaison(
        version=version, published_at=published_at, meetings=[_meeting(m) for m in view.meetings],
        unscheduled=[UnscheduledForLiaison(request=u.request, reason=u.reason, confirmed=u.confirmed,
                                           what_if=list(u.what_if)) for u in view.left_out],
        cancelled=[_meeting(m) for m in view.no_longer_held])


def _meeting(meeting: ScheduledMeeting) -> MeetingOut:
    return MeetingOut(**{k: getattr(meeting, k) for k in MeetingOut.model_fields})


def _published(session, event_id: str):
    event = repo.event_or_404(session, event_id)
    version = repo.latest_version(session, event)
    if version is None:
        raise not_found("a published schedule")
    return version


@router.get("/events/{event_id}/schedule", response_model=ScheduleForHost | ScheduleForLiaison)
def read_schedule(event_id: str, caller: Member, request: Request,
                  response: Response) -> ScheduleForHost | ScheduleForLiaison:
    """The published version: the host sees the whole schedule.json; a liaison its own part of it."""
    with request.app.state.db.reading() as session:
        version = _published(session, event_id)
        solved = session.get(SolveRow, version.solve_id)
        parties = {r["id"]: r["parties"] for r in solved.input["requests"]} if solved else {}
    response.headers["ETag"] = f'"v{version.number}"'
    if caller.is_host:
        return ScheduleForHost(version=version.number, published_at=version.published_at, document=version.document)
    return liaison_view(version.document, parties, _delegation(caller), version.number, version.published_at)


def _delegation(caller: Identity) -> str:
    assert caller.delegation is not None
    return caller.delegation


@router.get("/events/{event_id}/grid", response_model=None, responses={
    200: {"content": {"text/html": {"schema": {"type": "string"}}}, "description": "the room plan"}})
def room_plan(event_id: str, caller: Host, request: Request) -> HTMLResponse:
    """The published room plan (rooms × times, one table per day) as a printable HTML page."""
    with request.app.state.db.reading() as session:
        version = _published(session, event_id)
        page = session.get(VersionFileRow, (event_id, version.number, ROOM_PLAN))
    if page is None:
        raise not_found("the room plan")
    return HTMLResponse(page.content.decode(), headers={"ETag": page.etag, "Cache-Control": "private"})
