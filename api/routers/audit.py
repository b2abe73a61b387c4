"""The audit trail of an event: every write, who made it and when. The host reads it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import DatabaseDep, Host
from api.schemas import AuditEntry
from api.services import audit

router = APIRouter(tags=["audit"])


@router.get("/events/{event_id}/audit", response_model=list[AuditEntry])
def read_audit(event_id: str, caller: Host, db: DatabaseDep,
               limit: Annotated[int, Query(ge=1, le=1000)] = 200,
               before: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="older than this id")] = None,
               ) -> list[AuditEntry]:
    """The newest entries first."""
    return audit.entries(db, event_id, limit, before)
