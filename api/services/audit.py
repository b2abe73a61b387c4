"""The audit trail of an event: every write, who made it and when (the host reads it)."""

from __future__ import annotations

from api.schemas import AuditEntry
from api.storage import repo
from api.storage.db import Database


def entries(db: Database, event_id: str, limit: int, before: int | None = None) -> list[AuditEntry]:
    """The newest entries first (older than entry `before`)."""
    with db.reading() as session:
        return [AuditEntry(id=r.id, at=r.at, key_id=r.key_id, role=r.role, delegation=r.delegation,
                           action=r.action, target=r.target, detail=r.detail)
                for r in repo.audit_of(session, event_id, limit, before)]
