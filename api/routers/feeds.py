"""Calendar feeds: a secret URL per delegation and room, served with no other authentication.

A feed read is one indexed lookup of bytes made at publish time. Unknown and rotated tokens are 404.
The URL is a secret: it never appears in a log line (see api.app's access-log filter).
"""

from __future__ import annotations

from email.utils import format_datetime

from fastapi import APIRouter, Request, Response, status

from api import feeds
from api.deps import DatabaseDep, Host, Member, SettingsDep
from api.schemas import FeedLink
from api.services import feeds as feed_links
from api.storage import repo

router = APIRouter(tags=["feeds"])
CALENDAR = "text/calendar; charset=utf-8"


@router.get("/events/{event_id}/feeds", response_model=list[FeedLink])
def list_feeds(event_id: str, caller: Member, db: DatabaseDep, settings: SettingsDep) -> list[FeedLink]:
    """The feed URLs (https and webcal://): the host every delegation's, room's and the event's; a liaison
    its own delegation's."""
    return feed_links.links(db, settings, caller, event_id)


@router.post("/events/{event_id}/{kind}/{subject}/feed-token", response_model=FeedLink,
             responses={status.HTTP_201_CREATED: {"model": FeedLink}}, status_code=status.HTTP_201_CREATED)
def rotate_feed(event_id: str, kind: str, subject: str, caller: Member, db: DatabaseDep,
                settings: SettingsDep) -> FeedLink:
    """A new secret URL for a delegation's (`delegations`) or a room's (`rooms`) feed; the old one stops
    working at once. A liaison rotates its own delegation's only."""
    return feed_links.rotate(db, settings, caller, event_id, kind, subject)


@router.post("/events/{event_id}/feed-token", response_model=FeedLink,
             responses={status.HTTP_201_CREATED: {"model": FeedLink}}, status_code=status.HTTP_201_CREATED)
def rotate_event_feed(event_id: str, caller: Host, db: DatabaseDep, settings: SettingsDep) -> FeedLink:
    """A new secret URL for the event-wide feed (`all.ics`: every meeting of every delegation); the old one
    stops working at once. The host's only."""
    return feed_links.rotate_event_feed(db, settings, caller, event_id)


@router.get("/feeds/{token}.ics", response_model=None, responses={
    200: {"content": {"text/calendar": {"schema": {"type": "string"}}}, "description": "the feed"},
    304: {"description": "unchanged since the ETag sent"},
    404: {"description": "unknown or rotated URL, or nothing published yet"},
})
def read_feed(token: str, request: Request, db: DatabaseDep) -> Response:
    """A delegation's, room's or the event's calendar (RFC 5545), as of the last publication.

    One indexed query, in the thread pool: a database that hangs holds one thread, never the event loop
    (and with it every other request of the process)."""
    row = repo.feed_file(db, feeds.token_hash(token))
    if row is None:
        return Response(status_code=status.HTTP_404_NOT_FOUND, media_type="application/json",
                        content='{"detail":[{"loc":["path","token"],"msg":"no such feed","type":"not_found"}]}')
    headers = {"ETag": row.etag, "Cache-Control": "private, max-age=300",
               "Last-Modified": format_datetime(row.last_modified, usegmt=True)}
    if row.etag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(content=row.content, media_type=CALENDAR, headers=headers)
