"""Who is calling, and what they may see: the one place that answers authorisation questions.

An API key (`Authorization: Bearer <key>`) has one role: `admin` (the installation: creates events),
`host` of one event (everything in it) or `liaison` of one delegation in one event (only what involves that
delegation). The delegation always comes from the key, never from the body or the path. Keys are shown once
and kept as SHA-256 hashes; a presented key is hashed and looked up, so nothing compares secrets byte by byte.

Answers: 401 without a valid key; 404 for an event (or another delegation's request) the key does not
belong to, so that probing learns nothing; 403 when the key belongs to the event but its role may not.
"""

from __future__ import annotations

import time
from typing import Annotated

import anyio
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import event, select

from api.errors import Forbidden, NotFound
from api.identity import SESSION_PREFIX, Identity, hash_secret, now, session_expired
from api.settings import Settings
from api.storage.db import Database
from api.storage.models import KeyRow, SessionRow

__all__ = ["Admin", "Caller", "Host", "Identity", "Member", "current_identity"]

def _unauthorised(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail=[{"loc": ["header", "Authorization"], "msg": detail, "type": "unauthorised"}],
        headers={"WWW-Authenticate": "Bearer"},
    )


bearer = HTTPBearer(auto_error=False, description="an API key: Authorization: Bearer <key>")


async def current_identity(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Identity:
    """The caller's identity. The lookup runs in a thread, never on the event loop: a database that hangs
    would otherwise hold every request, those that need no database (/openapi.json, /docs) included."""
    if credentials is None or not credentials.credentials.strip():
        raise _unauthorised("an API key is required: Authorization: Bearer <key>")
    secret = credentials.credentials.strip()
    digest = hash_secret(secret)
    if (known := _checked.get(digest)) is not None:
        return known
    state = request.app.state
    row = await anyio.to_thread.run_sync(_key_of, state.db, state.settings, secret)
    if row is None or row.revoked_at is not None:
        raise _unauthorised("unknown or revoked API key")
    identity = Identity(row.id, row.role, row.event_id, row.delegation)
    if not secret.startswith(SESSION_PREFIX):  # a desk session is looked up each time (its expiry is its own)
        _checked.put(digest, identity)
    return identity


class _Checked:
    """API keys found valid in the last KEY_CHECK_SECONDS, by hash: a key that calls again within it is
    not looked up again (under load the lookup was most of a listing's cost on the event loop). Revocation
    still holds within that second everywhere, and at once in the process that revoked it: setting any
    key's `revoked_at` forgets every key checked. Only valid keys are kept, so a new key works at once and
    unknown keys cannot fill it."""

    def __init__(self, seconds: float, most: int = 10_000):
        self.seconds, self.most = seconds, most
        self.found: dict[str, tuple[float, Identity]] = {}

    def get(self, digest: str) -> Identity | None:
        entry = self.found.get(digest)
        if entry is None or time.monotonic() - entry[0] >= self.seconds:
            return None
        return entry[1]

    def put(self, digest: str, identity: Identity) -> None:
        if len(self.found) >= self.most:
            self.forget()
        self.found[digest] = (time.monotonic(), identity)

    def forget(self, *_: object) -> None:
        self.found = {}


KEY_CHECK_SECONDS = 1.0  # how long a revoked key may still be taken by another web process, at most
_checked = _Checked(KEY_CHECK_SECONDS)
event.listen(KeyRow.revoked_at, "set", _checked.forget)  # whoever revokes a key in this process


def _key_of(db: Database, settings: Settings, secret: str) -> KeyRow | None:
    """The key a presented secret (an API key, or a live desk session's token) stands for."""
    digest = hash_secret(secret)
    with db.reading() as session:
        if secret.startswith(SESSION_PREFIX):  # the protocol desk calls the API with its session's token
            found = session.execute(select(KeyRow, SessionRow).join(SessionRow, SessionRow.key_id == KeyRow.id)
                                    .where(SessionRow.token_hash == digest, SessionRow.ended_at.is_(None))).first()
            return found[0] if found is not None and _alive(settings, found[1]) else None
        return session.scalars(select(KeyRow).where(KeyRow.secret_hash == digest)).first()


def _alive(settings: Settings, stored: SessionRow) -> bool:
    """An expired session is refused here too (the desk's own check, in api.web.session, also ends it)."""
    return not session_expired(stored.created_at, stored.last_seen_at, now(), settings.session_idle_seconds,
                               settings.session_max_seconds)


Caller = Annotated[Identity, Depends(current_identity)]


async def require_admin(caller: Caller) -> Identity:
    if caller.role != "admin":
        raise Forbidden("only an admin key may do this")
    return caller


async def member_of(event_id: str, caller: Caller) -> Identity:
    """The caller belongs to this event (host or liaison); anyone else learns nothing about it."""
    if caller.role == "admin" or caller.event_id != event_id:
        raise NotFound(f"event {event_id!r}")
    return caller


async def host_of(event_id: str, caller: Caller) -> Identity:
    member = await member_of(event_id, caller)
    if not member.is_host:
        raise Forbidden("only the event's host may do this")
    return member


Admin = Annotated[Identity, Depends(require_admin)]
Member = Annotated[Identity, Depends(member_of)]
Host = Annotated[Identity, Depends(host_of)]
