"""The audit trail of an event: every write, who made it and when. The host reads it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import DatabaseDep, Host
from api.schemas import AuditEntry
from api.storage import repo

router = APIRouter(tags=["audit"])


@router.get("/events/{event_id}/audit", response_model=list[AuditEntry])
def read_audit(event_id: str, caller: Host, db: DatabaseDep,
               limit: Annotated[int, Query(ge=1, le=1000)] = 200,
               before: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="older than this id")] = None,
               ) -> list[AuditEntry]:
    """The newest entries first."""
    with db.reading() as session:
        return [AuditEntry(id=r.id, at=r.at, key_id=r.key_id, role=r.role, delegation=r.delegation,
                           action=r.action, target=r.target, detail=r.detail)
                for r in repo.audit_of(session, event_id, limit, before)]
