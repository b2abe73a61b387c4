"""Calendar feed URLs: the host's of every delegation, room and the event; a liaison its own delegation's.
Rotating one makes a new secret URL; the old one stops working at once. The event-wide feed (every meeting
of every delegation) is the host's alone to rotate."""

from __future__ import annotations

from api import feeds
from api.bad_input import unprocessable
from api.errors import Forbidden
from api.identity import Identity, now
from api.schemas import FeedLink
from api.settings import Settings
from api.storage import repo
from api.storage.db import Database

KINDS = {"delegations": "delegation", "rooms": "room"}  # as the path names them -> the feed's kind


def _link(settings: Settings, feed: feeds.Feed) -> FeedLink:
    https, webcal = feeds.urls(settings.public_url, feed.token)
    return FeedLink(kind=feed.kind, subject=feed.subject, https=https, webcal=webcal)


def links(db: Database, settings: Settings, caller: Identity, event_id: str) -> list[FeedLink]:
    with db.reading() as session:
        repo.event_or_404(session, event_id)
        live = feeds.live_feeds(session, settings.installation_secret(), event_id)
    visible = [f for f in live if caller.is_host or (f.kind == "delegation" and f.subject == caller.delegation)]
    return [_link(settings, f) for f in visible]


def rotate(db: Database, settings: Settings, caller: Identity, event_id: str, kind: str, subject: str) -> FeedLink:
    """A new secret URL for a delegation's or a room's feed. A liaison rotates its own delegation's only."""
    if kind not in KINDS:
        raise unprocessable((["path", "kind"], "expected 'delegations' or 'rooms'"))
    feed_kind = KINDS[kind]
    if not caller.is_host and not (feed_kind == "delegation" and subject == caller.delegation):
        raise Forbidden("a liaison rotates its own delegation's feed only")
    return _reissue(db, settings, caller, event_id, feed_kind, subject)


def rotate_event_feed(db: Database, settings: Settings, caller: Identity, event_id: str) -> FeedLink:
    """A new secret URL for the event-wide feed (every meeting of every delegation): the host's alone."""
    if not caller.is_host:
        raise Forbidden("only the host rotates the event's feed")
    return _reissue(db, settings, caller, event_id, "event", event_id)


def _reissue(db: Database, settings: Settings, caller: Identity, event_id: str, feed_kind: str,
             subject: str) -> FeedLink:
    """Revoke the feed's URL and issue a new one, in one transaction, written to the audit trail. A
    delegation or room no longer in the event has no feed to rotate (its URL died when it left)."""
    at = now()
    with db.writing() as session:
        event = repo.event_or_404(session, event_id)
        if feed_kind != "event" and subject not in _subjects(event.setting, feed_kind):
            raise unprocessable((["path", "subject"], f"no {feed_kind} {subject!r} in this event"))
        feed = feeds.issue(session, settings.installation_secret(), event_id, feed_kind, subject, at)
        repo.record(session, caller, event_id, "feed.rotate", f"{feed_kind} {subject}", at)
    return _link(settings, feed)


def _subjects(setting: dict, feed_kind: str) -> set[str]:
    return {item["id"] for item in setting["delegations" if feed_kind == "delegation" else "rooms"]}
