"""Events: an admin creates one from a contract input file; its host reads and replaces its setting."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Request, Response, status
from sqlalchemy import select

from api import feeds
from api.auth import Admin, Host, Identity, Member, new_key, not_found, now
from api.http import require_match, set_etag
from api.problems import check_contract, unprocessable
from api.schemas import DelegationName, EventCreated, EventForHost, EventForLiaison, EventSetting, KeyIssued
from api.storage import repo
from api.storage.models import EventRow, KeyRow

router = APIRouter(tags=["events"])

ContractInput = Annotated[
    dict[str, Any],
    Body(description="a contract input file (`scheduler schema` prints its JSON Schema)"),
]


class EventCreatedWithKey(EventCreated):
    host_key: KeyIssued


@router.post(
    "/events",
    status_code=status.HTTP_201_CREATED,
    response_model=EventCreatedWithKey,
    responses={409: {"description": "an event with this id exists"}, 422: {"description": "bad contract input"}},
)
def create_event(body: ContractInput, caller: Admin, request: Request) -> EventCreatedWithKey:
    """Create an event from a contract input: its requests become accepted host requests; every delegation
    and room gets a secret feed URL; the response carries the event's first host key (shown once)."""
    return add_event(request.app.state.db, request.app.state.settings, caller, body)


def add_event(db, settings, caller: Identity, body: dict) -> EventCreatedWithKey:
    """The event of a contract input, stored with its requests, feeds and first host key."""
    conference = check_contract(body)
    at = now()
    event_id = conference.event.id
    caller_as_host = Identity(caller.key_id, "host", event_id, None)  # the file's requests are the host's
    with db.writing() as session:
        if session.get(EventRow, event_id) is not None:
            raise HTTPException(status.HTTP_409_CONFLICT, detail=[{"loc": ["body", "event", "id"],
                                                                   "msg": f"event {event_id!r} exists",
                                                                   "type": "conflict"}])
        setting = {k: body.get(k, []) for k in repo.SETTING_KEYS}
        setting["event"] = {**setting["event"], "id": event_id}  # fixed now: calendar UIDs are made of it
        session.add(EventRow(id=event_id, name=conference.event.name, setting=setting, revision=1,
                             published_version=0, created_at=at))
        session.flush()
        for item in body.get("requests", []):
            session.add(repo.new_request(event_id, item, caller_as_host, at))
        _issue_missing_feeds(session, settings.installation_secret(), event_id, conference, at)
        key_id, secret, digest = new_key()
        key = KeyRow(id=key_id, secret_hash=digest, role="host", event_id=event_id, delegation=None,
                     label="first host key", created_at=at, created_by=caller.key_id)
        session.add(key)
        repo.record(session, caller, event_id, "event.create", event_id, at, requests=len(body.get("requests", [])))
    issued = KeyIssued(id=key.id, role="host", event_id=event_id, delegation=None, label=key.label, created_at=at,
                       revoked_at=None, key=secret)
    return EventCreatedWithKey(id=event_id, name=conference.event.name, requests=len(body.get("requests", [])),
                               revision=1, host_key=issued)


def _issue_missing_feeds(session, secret: bytes, event_id: str, conference, at) -> None:
    """A feed URL for every delegation and room (and the whole event) that has none yet."""
    have = {(f.kind, f.subject) for f in feeds.live_feeds(session, secret, event_id)}
    wanted = [("event", event_id)] + [("delegation", d.id) for d in conference.delegations]
    wanted += [("room", r.id) for r in conference.rooms]
    for kind, subject in wanted:
        if (kind, subject) not in have:
            feeds.issue(session, secret, event_id, kind, subject, at)


def _revoke_keys_of_departed(session, event_id: str, delegations: set[str], at) -> list[str]:
    """A delegation taken out of the event loses its liaison keys at once (they would open nothing sensible)."""
    keys = session.scalars(select(KeyRow).where(KeyRow.event_id == event_id, KeyRow.role == "liaison",
                                                KeyRow.revoked_at.is_(None)))
    gone = [k for k in keys if k.delegation not in delegations]
    for key in gone:
        key.revoked_at = at
    return [k.id for k in gone]


@router.get("/events/{event_id}", response_model=EventForHost | EventForLiaison)
def read_event(event_id: str, caller: Member, request: Request, response: Response) -> EventForHost | EventForLiaison:
    """The host sees the whole setting; a liaison the shared setting, the delegations' names and its own."""
    with request.app.state.db.reading() as session:
        event = repo.event_or_404(session, event_id)
    set_etag(response, event.revision)
    setting = event.setting
    if caller.is_host:
        return EventForHost(id=event.id, revision=event.revision, published_version=event.published_version,
                            **{k: setting.get(k, []) for k in repo.SETTING_KEYS})
    own = next((d for d in setting["delegations"] if d["id"] == caller.delegation), None)
    if own is None:  # the host took the delegation out of the event: its key no longer opens it
        raise not_found(f"event {event_id!r}")
    return EventForLiaison(
        id=event.id,
        event=setting["event"],
        programme=setting.get("programme", []),
        rooms=setting["rooms"],
        delegations=[DelegationName(id=d["id"], name=d["name"]) for d in setting["delegations"]],
        delegation=own,
        published_version=event.published_version,
    )


@router.put(
    "/events/{event_id}",
    response_model=EventForHost,
    responses={412: {"description": "changed since read"}, 428: {"description": "If-Match missing"}},
)
def replace_setting(event_id: str, body: EventSetting, caller: Host, request: Request,
                    response: Response) -> EventForHost:
    """Replace the event's setting (event, programme, rooms, delegations) whole. The requests stay; the new
    setting must hold every proposed and accepted request, or nothing changes (422)."""
    settings = request.app.state.settings
    with request.app.state.db.writing() as session:
        event = repo.event_or_404(session, event_id, for_update=True)
        require_match(request, event.revision)
        live = repo.requests_of(session, event_id, ("proposed", "accepted"))
        setting = body.model_dump()
        setting["event"].setdefault("id", event_id)  # the event keeps its id (calendar UIDs are made of it)
        conference = check_contract({**setting, "requests": [repo.contract_request(r) for r in live]})
        if conference.event.id != event_id:
            raise unprocessable((["body", "event", "id"], f"the event's id is {event_id!r}; it cannot change"))
        at = now()
        event.setting, event.name, event.revision = setting, conference.event.name, event.revision + 1
        _issue_missing_feeds(session, settings.installation_secret(), event_id, conference, at)
        gone = _revoke_keys_of_departed(session, event_id, {d.id for d in conference.delegations}, at)
        repo.record(session, caller, event_id, "event.replace", event_id, at, revision=event.revision,
                    keys_revoked=gone)
        out = EventForHost(id=event.id, revision=event.revision, published_version=event.published_version,
                           **{k: setting.get(k, []) for k in repo.SETTING_KEYS})
    set_etag(response, out.revision)
    return out
