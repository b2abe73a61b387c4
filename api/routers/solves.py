"""Solves: the host asks for one (it runs on a worker), watches it, cancels it, publishes its result (HTTP
only: `api.services.solves` and `api.services.publication`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import HTMLResponse

from api.deps import DatabaseDep, Host, QueueDep, SettingsDep
from api.schemas import ChoiceOut, Published, SolveCreate, SolvePublic
from api.security import document_headers
from api.services import preview, solves
from api.services.publication import publish_solve

router = APIRouter(tags=["solves"])
Choice = Annotated[str | None, Query(max_length=64, description="a choice of a re-plan side by side (any of its "
                                     "names, see …/choices): publish it instead of the solve's result")]


@router.post("/events/{event_id}/solves", status_code=status.HTTP_202_ACCEPTED, response_model=SolvePublic)
def start_solve(event_id: str, body: SolveCreate, caller: Host, db: DatabaseDep, queue: QueueDep,
                response: Response) -> SolvePublic:
    """Queue a solve of the event's accepted requests as they are now; a worker runs it."""
    out = solves.start(db, queue, caller, event_id, body)
    response.headers["Location"] = f"/events/{event_id}/solves/{out.id}"
    return out


@router.get("/events/{event_id}/solves", response_model=list[SolvePublic])
def list_solves(event_id: str, caller: Host, db: DatabaseDep, settings: SettingsDep) -> list[SolvePublic]:
    return solves.list_all(db, settings.stale_after_seconds, event_id)


@router.get("/events/{event_id}/solves/{solve_id}", response_model=SolvePublic)
def read_solve(event_id: str, solve_id: str, caller: Host, db: DatabaseDep, settings: SettingsDep) -> SolvePublic:
    """State, live progress (in words, with the time spent and left), what changed since it read the event,
    then the result and its reasons."""
    return solves.read(db, settings.stale_after_seconds, event_id, solve_id)


@router.get("/events/{event_id}/solves/{solve_id}/schedule", response_model=dict,
            responses={409: {"description": "the solve has no schedule (yet)"}})
def solve_schedule(event_id: str, solve_id: str, caller: Host, db: DatabaseDep, choice: Choice = None) -> dict:
    """The schedule this solve found (schedule.json, unpublished), or its `choice`, to compare with the
    published version."""
    return solves.schedule_found(db, event_id, solve_id, choice)


@router.get("/events/{event_id}/solves/{solve_id}/choices", response_model=list[ChoiceOut],
            responses={409: {"description": "the solve has no choices: not a re-plan side by side, or not done"}})
def solve_choices(event_id: str, solve_id: str, caller: Host, db: DatabaseDep) -> list[ChoiceOut]:
    """A re-plan side by side: each choice's figures (priority, bound, unchanged, moved, new, cancelled) and
    the meetings it moves, with why, most stable first; publish one with `publish?choice=` its name."""
    return solves.choices_of(db, event_id, solve_id)


@router.delete("/events/{event_id}/solves/{solve_id}", response_model=SolvePublic,
               responses={202: {"description": "cancel requested; the worker stops within seconds"}})
def cancel_solve(event_id: str, solve_id: str, caller: Host, db: DatabaseDep, response: Response) -> SolvePublic:
    """Cancel: a queued solve at once, a running one within seconds (its worker polls the flag)."""
    out = solves.cancel(db, caller, event_id, solve_id)
    if out.pending:
        response.status_code = status.HTTP_202_ACCEPTED
    return out.solve


@router.post("/events/{event_id}/solves/{solve_id}/publish", status_code=status.HTTP_201_CREATED,
             response_model=Published,
             responses={409: {"description": "the solve has no schedule to publish (or no choices, given `choice`), "
                              "or it is not of the event as it is now: the message names what changed since "
                              "(solve again), or the version it was already published as"}})
def publish(event_id: str, solve_id: str, caller: Host, db: DatabaseDep, choice: Choice = None) -> Published:
    """Make this solve's schedule version N+1: calendar identity carried from version N (a moved meeting's
    SEQUENCE grows, a dropped one is CANCELLED), feeds made now so that reading one is a lookup. A re-plan
    side by side publishes its balanced choice, or the one `choice` names. Only a solve of the event as it is
    now is published: one that read an older setting, fewer or other accepted requests, or an earlier version
    (or that is published already) is refused, naming what changed."""
    return publish_solve(db, caller, event_id, solve_id, choice)


HTML = {200: {"content": {"text/html": {"schema": {"type": "string"}}}, "description": "a printable page"},
        409: {"description": "the solve has no schedule (yet)"}}


@router.get("/events/{event_id}/solves/{solve_id}/grid", response_model=None, responses=HTML)
def proposed_room_plan(event_id: str, solve_id: str, caller: Host, db: DatabaseDep,
                       choice: Choice = None) -> HTMLResponse:
    """The room plan this solve's result (or its `choice`) would publish, moves and new meetings marked
    against the published version: what the office looks at before publishing."""
    html = preview.room_plan(db, event_id, solve_id, choice)
    return HTMLResponse(html, headers={"Cache-Control": "private, no-store", **document_headers(html)})


@router.get("/events/{event_id}/solves/{solve_id}/agendas/{delegation}", response_model=None, responses=HTML)
def proposed_agenda(event_id: str, solve_id: str, delegation: str, caller: Host, db: DatabaseDep,
                    choice: Choice = None) -> HTMLResponse:
    """One delegation's agenda as this solve's result (or its `choice`) would publish it (404: no such
    delegation in what was solved)."""
    html = preview.agenda(db, event_id, solve_id, delegation, choice)
    return HTMLResponse(html, headers={"Cache-Control": "private, no-store", **document_headers(html)})
