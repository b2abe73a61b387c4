"""The published schedule: the host's whole document and room plan; a liaison's own meetings only (HTTP
only: what each may read is `api.services.schedule`)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse

from api.deps import DatabaseDep, Host, Member
from api.schemas import ScheduleForHost, ScheduleForLiaison
from api.security import document_headers
from api.services import schedule

router = APIRouter(tags=["schedule"])


@router.get("/events/{event_id}/schedule", response_model=ScheduleForHost | ScheduleForLiaison)
def read_schedule(event_id: str, caller: Member, db: DatabaseDep,
                  response: Response) -> ScheduleForHost | ScheduleForLiaison:
    """The published version: the host sees the whole schedule.json; a liaison its own part of it."""
    read = schedule.published(db, caller, event_id)
    response.headers["ETag"] = f'"v{read.number}"'
    return read.schedule


@router.get("/events/{event_id}/grid", response_model=None, responses={
    200: {"content": {"text/html": {"schema": {"type": "string"}}}, "description": "the room plan"}})
def room_plan(event_id: str, caller: Host, db: DatabaseDep) -> HTMLResponse:
    """The published room plan (rooms × times, one table per day) as a printable HTML page."""
    page = schedule.room_plan(db, event_id)
    html = page.content.decode()
    return HTMLResponse(html, headers={"ETag": page.etag, "Cache-Control": "private", **document_headers(html)})
