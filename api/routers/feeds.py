"""Calendar feeds: a secret URL per delegation and room, served with no other authentication.

A feed read is one indexed lookup of bytes made at publish time. Unknown and rotated tokens are 404.
The URL is a secret: it never appears in a log line (see api.app's access-log filter).
"""

from __future__ import annotations

from email.utils import format_datetime

from fastapi import APIRouter, Request, Response, status
from sqlalchemy import select

from api import feeds
from api.auth import Member, forbidden, now
from api.problems import unprocessable
from api.schemas import FeedLink
from api.storage import repo
from api.storage.models import EventRow, FeedTokenRow, VersionFileRow

router = APIRouter(tags=["feeds"])
CALENDAR = "text/calendar; charset=utf-8"


def _link(settings, feed: feeds.Feed) -> FeedLink:
    https, webcal = feeds.urls(settings.public_url, feed.token)
    return FeedLink(kind=feed.kind, subject=feed.subject, https=https, webcal=webcal)


@router.get("/events/{event_id}/feeds", response_model=list[FeedLink])
def list_feeds(event_id: str, caller: Member, request: Request) -> list[FeedLink]:
    """The feed URLs (https and webcal://): the host every delegation's, room's and the event's; a liaison
    its own delegation's."""
    settings = request.app.state.settings
    with request.app.state.db.reading() as session:
        repo.event_or_404(session, event_id)
        live = feeds.live_feeds(session, settings.installation_secret(), event_id)
    visible = [f for f in live if caller.is_host or (f.kind == "delegation" and f.subject == caller.delegation)]
    return [_link(settings, f) for f in visible]


@router.post("/events/{event_id}/{kind}/{subject}/feed-token", response_model=FeedLink,
             responses={status.HTTP_201_CREATED: {"model": FeedLink}}, status_code=status.HTTP_201_CREATED)
def rotate_feed(event_id: str, kind: str, subject: str, caller: Member, request: Request) -> FeedLink:
    """A new secret URL for a delegation's (`delegations`) or a room's (`rooms`) feed; the old one stops
    working at once. A liaison rotates its own delegation's only."""
    kinds = {"delegations": "delegation", "rooms": "room"}
    if kind not in kinds:
        raise unprocessable((["path", "kind"], "expected 'delegations' or 'rooms'"))
    feed_kind = kinds[kind]
    if not caller.is_host and not (feed_kind == "delegation" and subject == caller.delegation):
        raise forbidden("a liaison rotates its own delegation's feed only")
    settings = request.app.state.settings
    at = now()
    with request.app.state.db.writing() as session:
        event = repo.event_or_404(session, event_id)
        known = {d["id"] for d in event.setting["delegations"]} if feed_kind == "delegation" else {
            r["id"] for r in event.setting["rooms"]}
        if subject not in known:
            raise unprocessable((["path", "subject"], f"no {feed_kind} {subject!r} in this event"))
        feed = feeds.issue(session, settings.installation_secret(), event_id, feed_kind, subject, at)
        repo.record(session, caller, event_id, "feed.rotate", f"{feed_kind} {subject}", at)
    return _link(settings, feed)


@router.get("/feeds/{token}.ics", response_model=None, responses={
    200: {"content": {"text/calendar": {"schema": {"type": "string"}}}, "description": "the feed"},
    304: {"description": "unchanged since the ETag sent"},
    404: {"description": "unknown or rotated URL, or nothing published yet"},
})
async def read_feed(token: str, request: Request) -> Response:
    """A delegation's, room's or the event's calendar (RFC 5545), as of the last publication.

    One indexed query, run on the event loop: it takes well under a millisecond, and skipping the thread
    pool keeps feed reads fast while a solve keeps the machine busy."""
    found = _FEED.where(FeedTokenRow.token_hash == feeds.token_hash(token), FeedTokenRow.revoked_at.is_(None))
    with request.app.state.db.read_engine.connect() as connection:
        row = connection.execute(found).first()
    if row is None:
        return Response(status_code=status.HTTP_404_NOT_FOUND, media_type="application/json",
                        content='{"detail":[{"loc":["path","token"],"msg":"no such feed","type":"not_found"}]}')
    headers = {"ETag": row.etag, "Cache-Control": "private, max-age=300",
               "Last-Modified": format_datetime(row.last_modified, usegmt=True)}
    if row.etag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(content=row.content, media_type=CALENDAR, headers=headers)


_FEED = (
    select(VersionFileRow.content, VersionFileRow.etag, VersionFileRow.last_modified)
    .select_from(FeedTokenRow)
    .join(EventRow, EventRow.id == FeedTokenRow.event_id)
    .join(VersionFileRow, (VersionFileRow.event_id == EventRow.id)
          & (VersionFileRow.number == EventRow.published_version) & (VersionFileRow.name == FeedTokenRow.file))
)
