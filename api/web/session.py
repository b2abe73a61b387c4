"""Signing in to the protocol desk, sessions and CSRF tokens.

A browser signs in with an API key once; it then holds only an HttpOnly, SameSite=Strict session cookie
(`Secure` over https). The server keeps the session (its token's SHA-256, the key it stands for, the secret
of its CSRF tokens), so signing out ends it here. The desk calls the service's own HTTP API with the
session's token (`api.auth` takes it like the key it stands for), so a page shows exactly what the API lets
that key read. Every form carries a CSRF token (an HMAC of the session's secret); a post without it is 403.

Sessions expire: after `session_idle_seconds` unused, and `session_max_seconds` after sign-in however busy
(Settings; 8 h and 24 h by default). An expired session is ended in the database and the browser is sent to
the sign-in page. Its last use is written at most once a minute (`SEEN_EVERY`), not on every page.

The sign-in form has no session yet: its CSRF token is bound to a pre-session instead. The browser gets a
random pre-session id (HttpOnly, SameSite=Strict, stamped with its time, good for `SIGN_IN_SECONDS`); the
form's token is an HMAC of that id under a key derived from the installation secret. So a cookie and token
that an attacker makes up are refused (403): nobody without the secret can make a token for a given id, and
no table is needed. An attacker can still fetch the form, get a genuine pair and try to plant both in a
victim's browser (login CSRF: the victim signed in as the attacker). That needs a cookie written into our
origin from elsewhere (a sibling subdomain, or plain http on the path); the post that follows is then
cross-site or same-site, never same-origin, and is refused by its `Sec-Fetch-Site` (which browsers set and
pages cannot); the SameSite=Strict cookie is not sent on a cross-site post in the first place.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import Request, Response
from sqlalchemy import select

from api.identity import SESSION_PREFIX, Identity, hash_secret, now, session_expired
from api.storage.models import KeyRow, SessionRow

COOKIE = "bilateral_session"
SIGN_IN_COOKIE = "bilateral_sign_in"  # the pre-session of the sign-in form (there is no session yet)
SIGN_IN_SECONDS = 3600  # a sign-in form is good for an hour
SEEN_EVERY = timedelta(minutes=1)  # a session's last use is written at most this often


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
    """The signed-in browser, or None (no session, ended, expired — then ended here —, or its key revoked)."""
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
    at, settings = now(), request.app.state.settings
    if session_expired(stored.created_at, stored.last_seen_at, at, settings.session_idle_seconds,
                       settings.session_max_seconds):
        _end(request, stored.token_hash, at)
        return None
    if stored.last_seen_at is None or at - stored.last_seen_at >= SEEN_EVERY:
        _seen(request, stored.token_hash, at)
    return Desk(Identity(key.id, key.role, key.event_id, key.delegation), token, _csrf(stored.csrf_secret))


def _seen(request: Request, token_hash: str, at: datetime) -> None:
    with request.app.state.db.writing() as session:
        row = session.get(SessionRow, token_hash)
        if row is not None:
            row.last_seen_at = max(at, row.last_seen_at or at)


def _end(request: Request, token_hash: str, at: datetime) -> None:
    with request.app.state.db.writing() as session:
        row = session.get(SessionRow, token_hash)
        if row is not None and row.ended_at is None:
            row.ended_at = at


def end_session(request: Request, desk: Desk) -> None:
    _end(request, hash_secret(desk.token), now())


def csrf_ok(desk: Desk, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(desk.csrf, sent)


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    response.set_cookie(name, value, httponly=True, samesite="strict", secure=request.url.scheme == "https",
                        path="/")


def _sign_in_mac(request: Request, pre_session: str) -> str:
    # a key of its own, derived from the installation secret (which also derives feed tokens)
    key = hmac.new(request.app.state.settings.installation_secret(), b"desk sign-in", hashlib.sha256).digest()
    return hmac.new(key, pre_session.encode(), hashlib.sha256).hexdigest()


def _fresh(pre_session: str | None) -> bool:
    stamp = (pre_session or "").partition(".")[0]
    return stamp.isdigit() and 0 <= now().timestamp() - int(stamp) < SIGN_IN_SECONDS


def sign_in_form(request: Request) -> tuple[str, str]:
    """(pre-session id for the cookie, the form's token): the browser's own pre-session while it is fresh."""
    pre_session = request.cookies.get(SIGN_IN_COOKIE)
    if not _fresh(pre_session):
        pre_session = f"{int(now().timestamp())}.{secrets.token_urlsafe(24)}"
    return pre_session, _sign_in_mac(request, pre_session)


def sign_in_ok(request: Request, sent: str | None) -> bool:
    """The form's token was made here for this browser's pre-session, which is fresh, and the post comes from
    one of our own pages (a browser says so in Sec-Fetch-Site; a client that sends none relies on the rest)."""
    pre_session = request.cookies.get(SIGN_IN_COOKIE)
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    return bool(sent) and _fresh(pre_session) and hmac.compare_digest(_sign_in_mac(request, pre_session), sent)
