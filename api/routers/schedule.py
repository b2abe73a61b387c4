"""The published schedule: the host's whole document and room plan; a liaison's own meetings only."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from api.auth import Host, Identity, Member, not_found
from api.schemas import MeetingOut, ScheduleForHost, ScheduleForLiaison, UnscheduledForLiaison
from api.storage import repo
from api.storage.models import SolveRow, VersionFileRow

router = APIRouter(tags=["schedule"])
ROOM_PLAN = "room-grid.html"
NO_REASON = "it could not be placed; the host's protocol office can tell you more"


def liaison_view(document: dict, delegation: str, version: int, published_at) -> ScheduleForLiaison:
    """Only the delegation's own meetings, cancelled meetings and left-out requests, each left-out request
    with the reason in words that name no other delegation and no other meeting."""
    own_requests = {m["request"] for m in document["meetings"] if delegation in m["parties"]}

    def mine(entries: list[dict]) -> list[MeetingOut]:
        return [MeetingOut(**{k: m.get(k) for k in MeetingOut.model_fields}) for m in entries
                if delegation in m["parties"]]

    parties = document.get("parties_of_unscheduled", {})
    unscheduled = [
        # never the office's `reason`: it may name other delegations and their meetings
        UnscheduledForLiaison(request=u["request"], reason=u.get("party_reason") or NO_REASON,
                              confirmed=u.get("confirmed"), what_if=u.get("party_what_if") or [])
        for u in document["unscheduled"]
        if delegation in parties.get(u["request"], []) and u["request"] not in own_requests
    ]
    # a meeting the delegation is no longer a party to (its parties changed) is cancelled for it too
    left = [d for d in document.get("departed") or [] if d["request"] not in own_requests]
    cancelled = {m.request: m for m in mine(left) + mine(document.get("cancelled") or [])}
    return ScheduleForLiaison(version=version, published_at=published_at, meetings=mine(document["meetings"]),
                              unscheduled=unscheduled, cancelled=list(cancelled.values()))


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
    return liaison_view({**version.document, "parties_of_unscheduled": parties}, _delegation(caller),
                        version.number, version.published_at)


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
