"""API keys of an event: the host issues host and liaison keys, lists them (never the secret), revokes them."""

from __future__ import annotations

from api.bad_input import unprocessable
from api.identity import Identity, new_key, now
from api.schemas import KeyCreate, KeyIssued, KeyPublic
from api.storage import repo
from api.storage.db import Database
from api.storage.models import KeyRow


def public(row: KeyRow) -> KeyPublic:
    return KeyPublic(id=row.id, role=row.role, event_id=row.event_id, delegation=row.delegation, label=row.label,
                     created_at=row.created_at, revoked_at=row.revoked_at)


def issue(db: Database, caller: Identity, event_id: str, body: KeyCreate) -> KeyIssued:
    """A new key for this event: `host`, or `liaison` of one of its delegations. The secret is shown once."""
    at = now()
    with db.writing() as session:
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
    return KeyIssued(**public(row).model_dump(), key=secret)


def list_all(db: Database, event_id: str) -> list[KeyPublic]:
    with db.reading() as session:
        return [public(r) for r in repo.keys_of(session, event_id)]


def revoke(db: Database, caller: Identity, event_id: str, key_id: str) -> None:
    """Revoke a key of this event at once (its next request is 401); revoking it again changes nothing."""
    at = now()
    with db.writing() as session:
        row = repo.key_of(session, event_id, key_id)
        if row.revoked_at is None:
            row.revoked_at = at
            repo.record(session, caller, event_id, "key.revoke", key_id, at)
