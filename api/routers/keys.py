"""API keys of an event: the host issues host and liaison keys, lists them (never the secret), revokes them
(HTTP only: `api.services.keys`)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import DatabaseDep, Host
from api.schemas import KeyCreate, KeyIssued, KeyPublic
from api.services import keys

router = APIRouter(tags=["keys"])


@router.post("/events/{event_id}/keys", status_code=status.HTTP_201_CREATED, response_model=KeyIssued)
def issue_key(event_id: str, body: KeyCreate, caller: Host, db: DatabaseDep) -> KeyIssued:
    """A new key for this event: `host`, or `liaison` of one of its delegations. The secret is shown once."""
    return keys.issue(db, caller, event_id, body)


@router.get("/events/{event_id}/keys", response_model=list[KeyPublic])
def list_keys(event_id: str, caller: Host, db: DatabaseDep) -> list[KeyPublic]:
    return keys.list_all(db, event_id)


@router.delete("/events/{event_id}/keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_key(event_id: str, key_id: str, caller: Host, db: DatabaseDep) -> Response:
    """Revoke a key of this event at once (its next request is 401)."""
    keys.revoke(db, caller, event_id, key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
