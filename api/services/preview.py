"""What publishing a solve would show, before it is published: its room plan and each delegation's agenda,
made by the library's own publication step (moves and new meetings marked against the published version)."""

from __future__ import annotations

import json

from api.errors import NotFound
from api.identity import now
from api.services.solve_documents import chosen_document
from api.storage import repo
from api.storage.db import Database
from scheduler.contract.document import ScheduleDocument
from scheduler.contract.domain import Conference
from scheduler.contract.parse import load_conference
from scheduler.publish.office import delegation_agenda_html, room_grid_html
from scheduler.publish.publication import as_published


def _proposed(db: Database, event_id: str, solve_id: str, choice: str | None
              ) -> tuple[Conference, ScheduleDocument]:
    with db.reading() as session:
        event = repo.event_or_404(session, event_id)
        solve = repo.solve_of(session, event_id, solve_id)
        document = chosen_document(solve, choice)
        latest = repo.latest_version(session, event)
    conference = load_conference(json.dumps(solve.input))
    previous = ScheduleDocument.model_validate(latest.document) if latest else None
    return conference, as_published(conference, ScheduleDocument.model_validate(document), previous, now())


def room_plan(db: Database, event_id: str, solve_id: str, choice: str | None = None) -> str:
    """The room plan the solve's result (or its choice) would publish."""
    conference, document = _proposed(db, event_id, solve_id, choice)
    return room_grid_html(conference, document)


def agenda(db: Database, event_id: str, solve_id: str, delegation: str, choice: str | None = None) -> str:
    """One delegation's agenda as the solve's result (or its choice) would publish it."""
    conference, document = _proposed(db, event_id, solve_id, choice)
    if delegation not in {d.id for d in conference.delegations}:
        raise NotFound(f"delegation {delegation!r} in solve {solve_id}")
    return delegation_agenda_html(conference, document, delegation)
