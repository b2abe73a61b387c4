"""API keys of an event: the host issues host and liaison keys, lists them (never the secret), revokes them."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status
from sqlalchemy import select

from api.auth import Host, new_key, not_found, now
from api.problems import unprocessable
from api.schemas import KeyCreate, KeyIssued, KeyPublic
from api.storage import repo
from api.storage.models import KeyRow

router = APIRouter(tags=["keys"])


def _public(row: KeyRow) -> KeyPublic:
    return KeyPublic(id=row.id, role=row.role, event_id=row.event_id, delegation=row.delegation, label=row.label,
                     created_at=row.created_at, revoked_at=row.revoked_at)


@router.post("/events/{event_id}/keys", status_code=status.HTTP_201_CREATED, response_model=KeyIssued)
def issue_key(event_id: str, body: KeyCreate, caller: Host, request: Request) -> KeyIssued:
    """A new key for this event: `host`, or `liaison` of one of its delegations. The secret is shown once."""
    at = now()
    with request.app.state.db.writing() as session:
        event = repo.event_or_404(session, event_id)
        delegations = {d["id"] for d in event.setting["delegations"]}
        if body.role == "liaison" and body.delegation not in delegations:
            raise unprocessable((["body", "delegation"], f"a liaison key needs one of the event's delegations, "
                                                         f"not {body.delegation!r}"))
        if body.role == "host" and body.delegation is not None:
            raise unprocessable((["body", "delegation"], "a host key has no delegation"))
        key_id, secret, digest = new_key()
        row = KeyRow(id=key_id, secret_hash=digest, role=body.role, event_id=event_id, delegation=body.delegation,
                     label=body.label, created_at=at, created_by=caller.key_id)
        session.add(row)
        repo.record(session, caller, event_id, "key.issue", key_id, at, role=body.role, delegation=body.delegation)
    return KeyIssued(**_public(row).model_dump(), key=secret)


@router.get("/events/{event_id}/keys", response_model=list[KeyPublic])
def list_keys(event_id: str, caller: Host, request: Request) -> list[KeyPublic]:
    with request.app.state.db.reading() as session:
        rows = session.scalars(select(KeyRow).where(KeyRow.event_id == event_id).order_by(KeyRow.created_at))
        return [_public(r) for r in rows]


@router.delete("/events/{event_id}/keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_key(event_id: str, key_id: str, caller: Host, request: Request) -> Response:
    """Revoke a key of this event at once (its next request is 401)."""
    at = now()
    with request.app.state.db.writing() as session:
        row = session.get(KeyRow, key_id)
        if row is None or row.event_id != event_id:
            raise not_found(f"key {key_id!r}")
        if row.revoked_at is None:
            row.revoked_at = at
            repo.record(session, caller, event_id, "key.revoke", key_id, at)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
