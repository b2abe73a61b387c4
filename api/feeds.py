"""Secret feed URLs: one per delegation, per room and for the whole event.

A token is 256 bits: HMAC-SHA256 of the installation's secret and a random nonce kept with the token row,
so the host can list the URLs again while only the token's SHA-256 is stored for the lookup. Rotating a
feed replaces its nonce: the old URL answers 404 at once; so does the URL of a delegation or room taken out
of the event. A feed is served with no other authentication.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.storage.models import FeedTokenRow

KINDS = ("delegation", "room", "event")


def derive(secret: bytes, nonce: str) -> str:
    digest = hmac.new(secret, nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def file_name(kind: str, subject: str) -> str:
    """The publication's file that a feed serves."""
    return "calendars/all.ics" if kind == "event" else f"calendars/{kind}-{subject}.ics"


@dataclass(frozen=True)
class Feed:
    kind: str
    subject: str
    token: str


def issue(session: Session, secret: bytes, event_id: str, kind: str, subject: str, at: datetime) -> Feed:
    """A new token for a feed, revoking the one it had."""
    for old in session.scalars(_live(event_id, kind, subject)):
        old.revoked_at = at
    nonce = f"{event_id}/{kind}/{subject}/{secrets.token_hex(16)}"
    token = derive(secret, nonce)
    session.add(FeedTokenRow(token_hash=token_hash(token), event_id=event_id, kind=kind, subject=subject,
                             file=file_name(kind, subject), nonce=nonce, created_at=at))
    return Feed(kind, subject, token)


def revoke_departed(session: Session, event_id: str, kept: dict[str, set[str]], at: datetime) -> list[str]:
    """Revoke the feeds whose delegation or room is no longer in the event (`kept`: kind -> the subjects
    still in it): their URLs answer 404 at once, not at the next publication. Returns "kind subject"s."""
    gone = [row for row in session.scalars(_live(event_id))
            if row.kind in kept and row.subject not in kept[row.kind]]
    for row in gone:
        row.revoked_at = at
    return sorted(f"{row.kind} {row.subject}" for row in gone)


def _live(event_id: str, kind: str | None = None, subject: str | None = None):
    query = select(FeedTokenRow).where(FeedTokenRow.event_id == event_id, FeedTokenRow.revoked_at.is_(None))
    if kind is not None:
        query = query.where(FeedTokenRow.kind == kind, FeedTokenRow.subject == subject)
    return query


def live_feeds(session: Session, secret: bytes, event_id: str) -> list[Feed]:
    rows = session.scalars(_live(event_id).order_by(FeedTokenRow.kind, FeedTokenRow.subject))
    return [Feed(r.kind, r.subject, derive(secret, r.nonce)) for r in rows]


def urls(public_url: str, token: str) -> tuple[str, str]:
    """(https URL, webcal:// URL) of a feed."""
    base = public_url.rstrip("/")
    https = f"{base}/feeds/{token}.ics"
    parts = urlsplit(https)
    return https, urlunsplit(("webcal", *parts[1:]))
