"""Events: an admin creates one from a contract input file; its host replaces its setting; members read it.

A delegation taken out of the event loses its liaison keys at once, and every delegation and room has a
secret feed URL from the moment it is in the event until the moment it leaves it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from api import feeds
from api.bad_input import check_contract, unprocessable
from api.errors import Conflict, NotFound
from api.identity import Identity, new_key, now
from api.schemas import DelegationName, EventCreated, EventForHost, EventForLiaison, KeyIssued
from api.services.etags import require_match, view_revision
from api.settings import Settings
from api.storage import repo
from api.storage.db import Database
from api.storage.models import EventRow, KeyRow
from scheduler.contract.domain import Conference


class EventCreatedWithKey(EventCreated):
    host_key: KeyIssued


def add_event(db: Database, settings: Settings, caller: Identity, body: dict) -> EventCreatedWithKey:
    """The event of a contract input, stored with its requests, feeds and first host key."""
    conference = check_contract(body)
    at = now()
    event_id = conference.event.id
    caller_as_host = Identity(caller.key_id, "host", event_id, None)  # the file's requests are the host's
    with db.writing() as session:
        if session.get(EventRow, event_id) is not None:
            raise Conflict(f"event {event_id!r} exists", ["body", "event", "id"])
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


def _issue_missing_feeds(session: Session, secret: bytes, event_id: str, conference: Conference,
                         at: datetime) -> None:
    """A feed URL for every delegation and room (and the whole event) that has none yet."""
    have = {(f.kind, f.subject) for f in feeds.live_feeds(session, secret, event_id)}
    wanted = [("event", event_id)] + [("delegation", d.id) for d in conference.delegations]
    wanted += [("room", r.id) for r in conference.rooms]
    for kind, subject in wanted:
        if (kind, subject) not in have:
            feeds.issue(session, secret, event_id, kind, subject, at)


def _revoke_keys_of_departed(session: Session, event_id: str, delegations: set[str], at: datetime) -> list[str]:
    """A delegation taken out of the event loses its liaison keys at once (they would open nothing sensible)."""
    gone = [k for k in repo.live_liaison_keys(session, event_id) if k.delegation not in delegations]
    for key in gone:
        key.revoked_at = at
    return [k.id for k in gone]


def _for_host(event: EventRow) -> EventForHost:
    return EventForHost(id=event.id, revision=event.revision, published_version=event.published_version,
                        **{k: event.setting.get(k, []) for k in repo.SETTING_KEYS})


def read(db: Database, caller: Identity, event_id: str) -> tuple[int, EventForHost | EventForLiaison]:
    """The revision of the caller's view (its ETag), and the setting as the caller may read it: the host the
    whole setting (at the stored revision); a liaison the shared setting, the delegations' names and its own
    (a revision made from that view, so that another delegation's details never move it)."""
    with db.reading() as session:
        event = repo.event_or_404(session, event_id)
    if caller.is_host:
        return event.revision, _for_host(event)
    setting = event.setting
    own = next((d for d in setting["delegations"] if d["id"] == caller.delegation), None)
    if own is None:  # the host took the delegation out of the event: its key no longer opens it
        raise NotFound(f"event {event_id!r}")
    shown = EventForLiaison(
        id=event.id,
        event=setting["event"],
        programme=setting.get("programme", []),
        rooms=setting["rooms"],
        delegations=[DelegationName(id=d["id"], name=d["name"]) for d in setting["delegations"]],
        delegation=own,
        published_version=event.published_version,
    )
    return view_revision(0, shown.model_dump(mode="json")), shown


def replace_setting(db: Database, settings: Settings, caller: Identity, event_id: str, setting: dict,
                    if_match: str | None) -> EventForHost:
    """Replace the event's setting (event, programme, rooms, delegations) whole. The requests stay; the new
    setting must hold every proposed and accepted request, or nothing changes."""
    with db.writing() as session:
        event = repo.event_or_404(session, event_id, for_update=True)
        require_match(if_match, event.revision)
        live = repo.requests_of(session, event_id, ("proposed", "accepted"))
        setting["event"].setdefault("id", event_id)  # the event keeps its id (calendar UIDs are made of it)
        conference = check_contract({**setting, "requests": [repo.contract_request(r) for r in live]})
        if conference.event.id != event_id:
            raise unprocessable((["body", "event", "id"], f"the event's id is {event_id!r}; it cannot change"))
        at = now()
        event.setting, event.name, event.revision = setting, conference.event.name, event.revision + 1
        _issue_missing_feeds(session, settings.installation_secret(), event_id, conference, at)
        gone = _revoke_keys_of_departed(session, event_id, {d.id for d in conference.delegations}, at)
        feeds_gone = feeds.revoke_departed(session, event_id, {"delegation": {d.id for d in conference.delegations},
                                                               "room": {r.id for r in conference.rooms}}, at)
        repo.record(session, caller, event_id, "event.replace", event_id, at, revision=event.revision,
                    keys_revoked=gone, feeds_revoked=feeds_gone)
        return _for_host(event)
