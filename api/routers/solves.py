"""Solves: the host asks for one (it runs on a worker), watches it, cancels it, publishes its result."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, HTTPException, Request, Response, status
from sqlalchemy import select

from api.auth import Host, not_found, now
from api.problems import check_contract, unprocessable
from api.publishing import publish_solve
from api.schemas import Progress, Published, SolveCreate, SolvePublic, UnscheduledOut
from api.storage import repo
from api.storage.models import SolveRow, VersionRow
from api.worker import sweep_stale
from scheduler.contract.document import Changes, ScheduleDocument
from scheduler.contract.domain import Conference
from scheduler.solve.baseline import Anchor, BadAnchor

router = APIRouter(tags=["solves"])


def public(row: SolveRow) -> SolvePublic:
    result = row.result or {}
    return SolvePublic(
        id=row.id, event_id=row.event_id, state=row.state, time_limit=row.time_limit, created_at=row.created_at,
        started_at=row.started_at, finished_at=row.finished_at,
        progress=Progress(**row.progress) if row.progress else None, status=row.status,
        scheduled_priority=result.get("scheduled_priority"), upper_bound=result.get("upper_bound"),
        meetings=len(result["meetings"]) if "meetings" in result else None,
        unscheduled=[UnscheduledOut(request=u["request"], reason=u["reason"], confirmed=u.get("confirmed"),
                                    what_if=u.get("what_if") or []) for u in result.get("unscheduled", [])]
        if result else None,
        message=row.message,
        previous_version=row.previous_version, stability=row.stability, freeze_before=row.freeze_before,
        changes=_changes_line(result),
    )


def _changes_line(result: dict) -> str | None:
    changes = (result.get("solve") or {}).get("changes")
    return Changes.model_validate(changes).line() if changes else None


def _check_anchor(conference: Conference, previous: VersionRow | None, body: SolveCreate) -> None:
    """A solve after a publication re-plans from it: 422 when the published version cannot anchor it (a
    meeting held before `freeze_before` that the requests no longer allow) or when there is nothing to freeze.
    Reading the version against the input is quick: the solving itself is the worker's."""
    if previous is None:
        if body.freeze_before is not None:
            raise unprocessable((["body", "freeze_before"], "nothing is published yet: there is no history to freeze"))
        return
    try:
        Anchor.of(conference, ScheduleDocument.model_validate(previous.document), body.stability, body.freeze_before)
    except BadAnchor as exc:
        raise unprocessable(*[
            (["body", "freeze_before"], f"published version {previous.number}, {problem}") for problem in exc.problems
        ]) from None


def _solve_or_404(session, event_id: str, solve_id: str) -> SolveRow:
    row = session.get(SolveRow, solve_id)
    if row is None or row.event_id != event_id:
        raise not_found(f"solve {solve_id!r}")
    return row


@router.post("/events/{event_id}/solves", status_code=status.HTTP_202_ACCEPTED, response_model=SolvePublic)
def start_solve(event_id: str, body: SolveCreate, caller: Host, request: Request, response: Response) -> SolvePublic:
    """Queue a solve of the event's accepted requests as they are now; a worker runs it."""
    app = request.app
    with app.state.db.writing() as session:
        event = repo.event_or_404(session, event_id)
        data = repo.contract_input(event, repo.requests_of(session, event_id, ("accepted",)))
        conference = check_contract(data)
        previous = repo.latest_version(session, event)
        _check_anchor(conference, previous, body)
        at = now()
        row = SolveRow(id="s_" + secrets.token_hex(8), event_id=event_id, state="queued", time_limit=body.time_limit,
                       input=data, created_at=at, cancel_requested=False,
                       previous_version=previous.number if previous else None,
                       stability=body.stability if previous else None,
                       freeze_before=body.freeze_before if previous else None)
        session.add(row)
        repo.record(session, caller, event_id, "solve.start", row.id, at, time_limit=body.time_limit,
                    requests=len(data["requests"]), previous_version=row.previous_version, stability=row.stability,
                    freeze_before=body.freeze_before.isoformat() if body.freeze_before else None)
    try:
        app.state.queue.enqueue_solve(row.id)
    except Exception as exc:  # the queue is down: say so rather than leave the solve queued forever
        with app.state.db.writing() as session:
            stored = session.get(SolveRow, row.id)
            stored.state, stored.message, stored.finished_at = "failed", f"could not be queued: {exc}", now()
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=[{
            "loc": [], "msg": "the solve queue is not reachable; try again", "type": "unavailable"}]) from None
    response.headers["Location"] = f"/events/{event_id}/solves/{row.id}"
    return public(row)


@router.get("/events/{event_id}/solves", response_model=list[SolvePublic])
def list_solves(event_id: str, caller: Host, request: Request) -> list[SolvePublic]:
    sweep_stale(request.app.state.db, request.app.state.settings.stale_after_seconds)
    with request.app.state.db.reading() as session:
        rows = session.scalars(select(SolveRow).where(SolveRow.event_id == event_id).order_by(SolveRow.created_at))
        return [public(r) for r in rows]


@router.get("/events/{event_id}/solves/{solve_id}", response_model=SolvePublic)
def read_solve(event_id: str, solve_id: str, caller: Host, request: Request) -> SolvePublic:
    """State, live progress (phase, best value, proven bound, gap), then the result and its reasons."""
    sweep_stale(request.app.state.db, request.app.state.settings.stale_after_seconds)
    with request.app.state.db.reading() as session:
        return public(_solve_or_404(session, event_id, solve_id))


@router.get("/events/{event_id}/solves/{solve_id}/schedule", response_model=dict,
            responses={409: {"description": "the solve has no schedule (yet)"}})
def solve_schedule(event_id: str, solve_id: str, caller: Host, request: Request) -> dict:
    """The schedule this solve found (schedule.json, unpublished), to compare with the published version."""
    with request.app.state.db.reading() as session:
        row = _solve_or_404(session, event_id, solve_id)
    if not row.result:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=[{"loc": ["path", "solve_id"],
                                                               "msg": f"solve {solve_id} is {row.state}: no schedule",
                                                               "type": "conflict"}])
    return row.result


@router.delete("/events/{event_id}/solves/{solve_id}", response_model=SolvePublic,
               responses={202: {"description": "cancel requested; the worker stops within seconds"}})
def cancel_solve(event_id: str, solve_id: str, caller: Host, request: Request, response: Response) -> SolvePublic:
    """Cancel: a queued solve at once, a running one within seconds (its worker polls the flag)."""
    with request.app.state.db.writing() as session:
        row = _solve_or_404(session, event_id, solve_id)
        at = now()
        if row.state == "queued":
            row.state, row.finished_at = "cancelled", at
        elif row.state == "running":
            row.cancel_requested = True
            response.status_code = status.HTTP_202_ACCEPTED
        repo.record(session, caller, event_id, "solve.cancel", solve_id, at, state=row.state)
        return public(row)


@router.post("/events/{event_id}/solves/{solve_id}/publish", status_code=status.HTTP_201_CREATED,
             response_model=Published, responses={409: {"description": "the solve has no schedule to publish"}})
def publish(event_id: str, solve_id: str, caller: Host, request: Request) -> Published:
    """Make this solve's schedule version N+1: calendar identity carried from version N (a moved meeting's
    SEQUENCE grows, a dropped one is CANCELLED), feeds made now so that reading one is a lookup."""
    return publish_solve(request.app, caller, event_id, solve_id)
