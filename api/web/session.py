"""Signing in to the protocol desk, sessions and CSRF tokens.

A browser signs in with an API key once; it then holds only an HttpOnly, SameSite=Strict session cookie
(`Secure` over https). The server keeps the session (its token's SHA-256, the key it stands for, the secret
of its CSRF tokens), so signing out ends it here. The desk calls the service's own HTTP API with the
session's token (`api.auth` takes it like the key it stands for), so a page shows exactly what the API lets
that key read. Every form carries a CSRF token (an HMAC of the session's secret); a post without it is 403.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request, Response
from sqlalchemy import select

from api.identity import SESSION_PREFIX, Identity, hash_secret, now
from api.storage.models import KeyRow, SessionRow

COOKIE = "bilateral_session"
SIGN_IN_COOKIE = "bilateral_sign_in"  # double-submit token of the sign-in form (there is no session yet)


@dataclass(frozen=True)
class Desk:
    """A signed-in browser: who it is, the token the desk calls the API with, its CSRF token."""

    identity: Identity
    token: str
    csrf: str


def _csrf(secret: str) -> str:
    return hmac.new(secret.encode(), b"csrf", hashlib.sha256).hexdigest()


def open_session(request: Request, key: str) -> str | None:
    """A new session for a valid key (its token), or None for an unknown or revoked key."""
    db = request.app.state.db
    with db.writing() as session:
        row = session.scalars(select(KeyRow).where(KeyRow.secret_hash == hash_secret(key.strip()))).first()
        if row is None or row.revoked_at is not None or row.role == "admin":
            return None
        token = SESSION_PREFIX + secrets.token_urlsafe(32)
        session.add(SessionRow(token_hash=hash_secret(token), key_id=row.id, csrf_secret=secrets.token_hex(32),
                               created_at=now()))
    return token


def current_desk(request: Request) -> Desk | None:
    token = request.cookies.get(COOKIE)
    if not token or not token.startswith(SESSION_PREFIX):
        return None
    with request.app.state.db.reading() as session:
        found = session.execute(
            select(SessionRow, KeyRow).join(KeyRow, KeyRow.id == SessionRow.key_id)
            .where(SessionRow.token_hash == hash_secret(token), SessionRow.ended_at.is_(None),
                   KeyRow.revoked_at.is_(None))
        ).first()
    if found is None:
        return None
    stored, key = found
    return Desk(Identity(key.id, key.role, key.event_id, key.delegation), token, _csrf(stored.csrf_secret))


def end_session(request: Request, desk: Desk) -> None:
    with request.app.state.db.writing() as session:
        row = session.get(SessionRow, hash_secret(desk.token))
        if row is not None and row.ended_at is None:
            row.ended_at = now()


def csrf_ok(desk: Desk, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(desk.csrf, sent)


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    response.set_cookie(name, value, httponly=True, samesite="strict", secure=request.url.scheme == "https",
                        path="/")


def sign_in_token(request: Request) -> str:
    return request.cookies.get(SIGN_IN_COOKIE) or secrets.token_urlsafe(24)
