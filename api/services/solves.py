"""Solves: the host asks for one (a worker runs it, never the web process), watches it, cancels it.

A solve after a publication re-plans from it; the anchor is checked here (quick), the solving is the
worker's. A solve whose worker went silent is marked failed whenever the solves are looked at.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC

from api import progress_words as words
from api.bad_input import check_contract, unprocessable
from api.errors import Conflict, Unavailable
from api.identity import Identity, now
from api.queue import Queue
from api.schemas import ChoiceOut, Progress, SolveCreate, SolvePublic, Suggestion, UnscheduledOut
from api.services.solve_documents import chosen_document, no_choices
from api.services.staleness import Now
from api.stale import sweep_stale
from api.storage import repo
from api.storage.db import Database
from api.storage.models import SolveRow, VersionRow
from scheduler.contract.document import Changes, ScheduleDocument
from scheduler.contract.domain import Conference
from scheduler.contract.left_out import left_out_heading
from scheduler.contract.local_time import UnclearLocalTime, event_instant
from scheduler.solve.baseline import Anchor, BadAnchor


def public(row: SolveRow, state: Now) -> SolvePublic:
    """The solve as the host reads it, with what changed since it read the event (`state`: the event now)."""
    result = row.result or {}
    changed = state.changes(row)
    return SolvePublic(
        id=row.id, event_id=row.event_id, state=row.state, time_limit=row.time_limit, created_at=row.created_at,
        started_at=row.started_at, finished_at=row.finished_at,
        progress=progress_in_words(row) if row.progress else None, status=row.status,
        scheduled_priority=result.get("scheduled_priority"), upper_bound=result.get("upper_bound"),
        meetings=len(result["meetings"]) if "meetings" in result else None,
        unscheduled=[_left_out(u) for u in result.get("unscheduled", [])] if result else None,
        message=row.message,
        previous_version=row.previous_version, stability=row.stability, freeze_before=row.freeze_before,
        changes=_changes_line(result), move_cost=row.move_cost,
        choices=[c["name"] for c in row.choices] if row.choices else None,
        setting_revision=row.setting_revision, changed_since=changed, current=not changed,
        published_as=state.published.get(row.id),
        suggestions=[Suggestion(**s) for s in row.suggestions] if row.suggestions is not None else None,
    )


def progress_in_words(row: SolveRow) -> Progress:
    """The stored figures in words, with the time spent and left by the service's clock (a solve that ended
    spent its time: the bar is full)."""
    stored = row.progress
    figures = {k: stored.get(k) for k in ("phase", "elapsed", "incumbent", "bound", "placed")}
    requests = len(row.input.get("requests") or []) if row.input else None
    ended = row.state in ("done", "failed", "cancelled")
    spent = words.seconds_between(row.started_at, (row.finished_at if ended and row.finished_at else now()))
    return Progress(
        **figures, gap=words.gap(figures["incumbent"], figures["bound"]), requests=requests,
        words=words.figures_words(figures["placed"], requests, figures["incumbent"], figures["bound"]),
        phase_words=words.phase_words(figures["phase"]), elapsed_seconds=spent,
        remaining_seconds=0.0 if ended else None if spent is None else round(max(0.0, row.time_limit - spent), 1),
        time_share=1.0 if ended else words.share(spent, row.time_limit),
    )


def _left_out(u: dict) -> UnscheduledOut:
    return UnscheduledOut(request=u["request"], reason=u["reason"], confirmed=u.get("confirmed"),
                          what_if=u.get("what_if") or [], cause=u.get("cause"),
                          heading=left_out_heading(u.get("cause")), edits=u.get("edits") or [])


def _changes_line(result: dict) -> str | None:
    changes = (result.get("solve") or {}).get("changes")
    return Changes.model_validate(changes).line() if changes else None


def _check_anchor(conference: Conference, previous: VersionRow | None, body: SolveCreate) -> None:
    """A solve after a publication re-plans from it: bad input when the published version cannot anchor it (a
    meeting held before `freeze_before` that the requests no longer allow) or when there is nothing to freeze."""
    if previous is None:
        if body.freeze_before is not None:
            raise unprocessable((["body", "freeze_before"], "nothing is published yet: there is no history to freeze"))
        if body.choices:
            raise unprocessable((["body", "choices"], "nothing is published yet: choices re-plan a published "
                                 "version, side by side; solve and publish first"))
        return
    try:
        Anchor.of(conference, ScheduleDocument.model_validate(previous.document), body.stability, body.freeze_before)
    except BadAnchor as exc:
        raise unprocessable(*[
            (["body", "freeze_before"], f"published version {previous.number}, {problem}") for problem in exc.problems
        ]) from None


def _freeze_instant(conference: Conference, body: SolveCreate) -> SolveCreate:
    """The body with `freeze_before` an aware instant: written in the event's time it is read in the event's zone
    (the office's way); a local time the clocks skip or show twice there is bad input naming the field."""
    if body.freeze_before is None or body.freeze_before.tzinfo is not None:
        return body
    try:
        instant = event_instant(body.freeze_before, conference.clock.timezone)
    except UnclearLocalTime as exc:
        raise unprocessable((["body", "freeze_before"], str(exc))) from None
    return body.model_copy(update={"freeze_before": instant})


def start(db: Database, queue: Queue, caller: Identity, event_id: str, body: SolveCreate) -> SolvePublic:
    """Queue a solve of the event's accepted requests as they are now; a worker runs it."""
    with db.writing() as session:
        event = repo.event_or_404(session, event_id)
        data = repo.contract_input(event, repo.requests_of(session, event_id, ("accepted",)))
        conference = check_contract(data)
        previous = repo.latest_version(session, event)
        body = _freeze_instant(conference, body)
        _check_anchor(conference, previous, body)
        at = now()
        row = SolveRow(id="s_" + secrets.token_hex(8), event_id=event_id, state="queued", time_limit=body.time_limit,
                       input=data, created_at=at, cancel_requested=False,
                       previous_version=previous.number if previous else None,
                       stability=body.stability if previous else None,
                       freeze_before=body.freeze_before.astimezone(UTC) if previous and body.freeze_before else None,
                       move_cost=body.move_cost if previous else None, with_choices=body.choices,
                       setting_revision=event.revision)
        session.add(row)
        repo.record(session, caller, event_id, "solve.start", row.id, at, time_limit=body.time_limit,
                    requests=len(data["requests"]), previous_version=row.previous_version, stability=row.stability,
                    freeze_before=body.freeze_before.isoformat() if body.freeze_before else None,
                    move_cost=row.move_cost, choices=body.choices)
    try:
        queue.enqueue_solve(row.id)
    except Exception as exc:  # the queue is down: say so rather than leave the solve queued forever
        with db.writing() as session:
            stored = session.get(SolveRow, row.id)
            stored.state, stored.message, stored.finished_at = "failed", f"could not be queued: {exc}", now()
        raise Unavailable("the solve queue is not reachable; try again") from None
    return public(row, Now(event, data, {}))  # made from the event as it is: nothing changed since


def list_all(db: Database, stale_after_seconds: float, event_id: str) -> list[SolvePublic]:
    """The event's solves, oldest first."""
    sweep_stale(db, stale_after_seconds)
    with db.reading() as session:
        rows = repo.solves_of(session, event_id)
        if not rows:
            return []
        state = Now.read(session, repo.event_or_404(session, event_id))
        return [public(r, state) for r in rows]


def read(db: Database, stale_after_seconds: float, event_id: str, solve_id: str) -> SolvePublic:
    """State, live progress (in words, with the time spent and left), what changed since it read the event,
    then the result and its reasons."""
    sweep_stale(db, stale_after_seconds)
    with db.reading() as session:
        row = repo.solve_of(session, event_id, solve_id)
        return public(row, Now.read(session, repo.event_or_404(session, event_id)))


def schedule_found(db: Database, event_id: str, solve_id: str, choice: str | None = None) -> dict:
    """The schedule this solve found (schedule.json, unpublished), or its choice named `choice`, to compare
    with the published version."""
    with db.reading() as session:
        row = repo.solve_of(session, event_id, solve_id)
    if not row.result:
        raise Conflict(f"solve {solve_id} is {row.state}: no schedule", ["path", "solve_id"])
    return chosen_document(row, choice)


def choices_of(db: Database, event_id: str, solve_id: str) -> list[ChoiceOut]:
    """A re-plan side by side: each choice's figures and what it moves, most stable first."""
    with db.reading() as session:
        row = repo.solve_of(session, event_id, solve_id)
    if not row.choices:
        raise Conflict(no_choices(row), ["path", "solve_id"])
    return [ChoiceOut.model_validate(c["summary"]) for c in row.choices]


@dataclass(frozen=True)
class Cancelled:
    solve: SolvePublic
    pending: bool  # a running solve: its worker stops within seconds


def cancel(db: Database, caller: Identity, event_id: str, solve_id: str) -> Cancelled:
    """Cancel: a queued solve at once, a running one within seconds (its worker polls the flag)."""
    with db.writing() as session:
        row = repo.solve_of(session, event_id, solve_id)
        at = now()
        pending = row.state == "running"
        if row.state == "queued":
            row.state, row.finished_at = "cancelled", at
        elif pending:
            row.cancel_requested = True
        repo.record(session, caller, event_id, "solve.cancel", solve_id, at, state=row.state)
        return Cancelled(public(row, Now.read(session, repo.event_or_404(session, event_id))), pending)
