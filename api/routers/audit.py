"""The audit trail of an event: every write, who made it and when. The host reads it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from api.auth import Host
from api.schemas import AuditEntry
from api.storage.models import AuditRow

router = APIRouter(tags=["audit"])


@router.get("/events/{event_id}/audit", response_model=list[AuditEntry])
def read_audit(event_id: str, caller: Host, request: Request,
               limit: Annotated[int, Query(ge=1, le=1000)] = 200,
               before: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="older than this id")] = None,
               ) -> list[AuditEntry]:
    """The newest entries first."""
    query = select(AuditRow).where(AuditRow.event_id == event_id)
    if before is not None:
        query = query.where(AuditRow.id < before)
    with request.app.state.db.reading() as session:
        rows = session.scalars(query.order_by(AuditRow.id.desc()).limit(limit))
        return [AuditEntry(id=r.id, at=r.at, key_id=r.key_id, role=r.role, delegation=r.delegation,
                           action=r.action, target=r.target, detail=r.detail) for r in rows]
