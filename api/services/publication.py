"""Publishing a solve's schedule as the event's next version, through the library's one publication step.

The files (feeds, room plan, agendas) are made outside the write transaction, since that takes a moment;
the version is then stored only if the solve is still of the event as it is (no change to the setting or the
accepted requests, no other publication, came in between): else the office is told what changed, and solves
again, rather than publish a schedule of a state that is gone.
"""

from __future__ import annotations

import hashlib
import json

from api.errors import Conflict
from api.identity import Identity, now
from api.schemas import Published
from api.services.solve_documents import chosen_document
from api.services.staleness import Now
from api.storage import repo
from api.storage.db import Database
from api.storage.models import SolveRow, VersionFileRow, VersionRow
from scheduler.contract.document import ScheduleDocument
from scheduler.contract.parse import load_conference
from scheduler.publish.publication import Publication, publish
from scheduler.publish.revisions import calendar_event, difference


def _conflict(message: str) -> Conflict:
    return Conflict(message, ["path", "solve_id"])


def publish_solve(db: Database, caller: Identity, event_id: str, solve_id: str, choice: str | None = None
                  ) -> Published:
    """Make the solve's schedule the event's next version: calendar identity carried from the latest one (a
    moved meeting's SEQUENCE grows, a dropped one is CANCELLED), the feeds' bytes made now. `choice` (any of
    its names) publishes that choice of a re-plan side by side instead of the solve's result. Only a solve
    of the event as it is now is published (409 naming what changed since, else)."""
    with db.reading() as session:
        event = repo.event_or_404(session, event_id)
        solve = repo.solve_of(session, event_id, solve_id)
        result = ScheduleDocument.model_validate(chosen_document(solve, choice))
        _refuse_if_stale(solve, Now.read(session, event))  # before the publication's work, which takes a moment
        base = event.published_version
        previous_row = repo.latest_version(session, event)
        previous = ScheduleDocument.model_validate(previous_row.document) if previous_row else None
        conference = load_conference(json.dumps(solve.input))
    at = now()
    publication = publish(conference, result, previous, at)
    with db.writing() as session:
        # again with the event locked: a change (or a publication) that landed meanwhile makes the solve stale
        event = repo.event_or_404(session, event_id, for_update=True)
        _refuse_if_stale(solve, Now.read(session, event))
        number = base + 1  # unchanged since the read: a version published meanwhile is a change (refused)
        document = publication.document.model_dump(mode="json")
        session.add(VersionRow(event_id=event_id, number=number, solve_id=solve_id, published_at=at,
                               published_by=caller.key_id, document=document))
        before = repo.version_files(session, event_id, base) if base else {}
        for name, content in publication.files.items():
            tag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
            unchanged = name in before and before[name].etag == tag
            session.add(VersionFileRow(event_id=event_id, number=number, name=name, content=content, etag=tag,
                                       last_modified=before[name].last_modified if unchanged else at))
        event.published_version = number
        counts = _counts(publication, previous, at)
        repo.record(session, caller, event_id, "schedule.publish", f"version {number}", at, solve=solve_id,
                    choice=result.solve.choice, **counts)
    return Published(version=number, published_at=at, **counts)


def _refuse_if_stale(solve: SolveRow, state: Now) -> None:
    """409 when the solve is not of the event as it is now: its schedule would undo what changed since
    (published twice, it would be a version identical to its own)."""
    changed = state.changes(solve)
    if not changed:
        return
    if (number := state.published.get(solve.id)) is not None:
        raise _conflict(f"solve {solve.id} is already published as version {number}; "
                        "solve again to publish anew")
    raise _conflict(f"solve {solve.id} was made from an older state: {'; '.join(changed)}. "
                    "Solve again to publish the current state.")


def _counts(publication: Publication, previous: ScheduleDocument | None, at) -> dict[str, int]:
    """How many meetings this publication keeps, moves, adds and cancels against the previous one. Moved
    counts every meeting whose calendar event changed (parties too); cancelled, the entries the feeds cancel
    now (stamped with this publication's time)."""
    meetings = publication.document.meetings
    diff = difference(previous.meetings if previous else (), meetings, calendar_event)
    stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    cancelled = sum(1 for c in publication.document.cancelled or [] if c.last_modified == stamp)
    return {"meetings": len(meetings), "moved": diff.count("moved"), "new": diff.count("new"), "cancelled": cancelled}
