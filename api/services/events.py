"""Events: an admin creates one from a contract input file; its host replaces its setting; members read it.

A delegation taken out of the event loses its liaison keys at once, and every delegation and room has a
secret feed URL from the moment it is in the event until the moment it leaves it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from api import feeds
from api.bad_input import check_contract, unprocessable
from api.errors import Conflict, NotFound, Unprocessable
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
        setting["event"].setdefault("id", event_id)  # the event keeps its id (calendar UIDs are made of it)
        conference = _checked(session, event_id, setting, check_contract)
        return _store(session, settings, caller, event, setting, conference, "event.replace", event_id)


def _checked(session: Session, event_id: str, setting: dict, check: Callable[[dict], Conference]) -> Conference:
    """The setting as a conference with every live (proposed or accepted) request, or 422: one check for the
    whole setting and for one item of it, so that an edit of one delegation is held to the same rules."""
    live = repo.requests_of(session, event_id, ("proposed", "accepted"))
    conference = check({**setting, "requests": [repo.contract_request(r) for r in live]})
    if conference.event.id != event_id:
        raise unprocessable((["body", "event", "id"], f"the event's id is {event_id!r}; it cannot change"))
    return conference


def _store(session: Session, settings: Settings, caller: Identity, event: EventRow, setting: dict,
           conference: Conference, action: str, target: str, **detail: object) -> EventForHost:
    """The checked setting stored as the event's next revision, with its feeds and keys brought in line (a new
    room gets its feed; a delegation taken out loses its keys and feed), and audited."""
    at = now()
    event_id = event.id
    event.setting, event.name, event.revision = setting, conference.event.name, event.revision + 1
    _issue_missing_feeds(session, settings.installation_secret(), event_id, conference, at)
    gone = _revoke_keys_of_departed(session, event_id, {d.id for d in conference.delegations}, at)
    feeds_gone = feeds.revoke_departed(session, event_id, {"delegation": {d.id for d in conference.delegations},
                                                           "room": {r.id for r in conference.rooms}}, at)
    repo.record(session, caller, event_id, action, target, at, revision=event.revision, **detail,
                keys_revoked=gone, feeds_revoked=feeds_gone)
    return _for_host(event)


# --- one item of the setting: a delegation, a room, a programme item ------------------------------------

# the setting's lists an item is edited in, and what the office calls one of their items (audit: "room.update")
ITEM_KINDS = {"delegations": "delegation", "rooms": "room", "programme": "programme"}


def replace_item(db: Database, settings: Settings, caller: Identity, event_id: str, kind: str, item_id: str,
                 item: dict, if_match: str | None) -> EventForHost:
    """Replace one delegation, room or programme item whole (its id is the path's), checked with the whole
    setting and every live request as a PUT of the setting is; a 422 names the field inside the item."""
    if "id" in item and item["id"] != item_id:
        raise unprocessable((["body", "id"], f"the id is the path's, {item_id!r}; it cannot change here"))
    item = {"id": item_id, **{k: v for k, v in item.items() if k != "id"}}
    with db.writing() as session:
        event = repo.event_or_404(session, event_id, for_update=True)
        require_match(if_match, event.revision)
        setting = copy.deepcopy(event.setting)
        items = setting.setdefault(kind, [])
        index = next((i for i, old in enumerate(items) if old.get("id") == item_id), None)
        if index is None:
            raise NotFound(f"{ITEM_KINDS[kind]} {item_id!r}")
        before, items[index] = items[index], item
        conference = _checked(session, event_id, setting, lambda data: _check_item(data, kind, index))
        return _store(session, settings, caller, event, setting, conference, f"{ITEM_KINDS[kind]}.update", item_id,
                      fields=_fields_changed(before, item))


def add_item(db: Database, settings: Settings, caller: Identity, event_id: str, kind: str, item: dict,
             if_match: str | None) -> EventForHost:
    """Add one room or programme item, checked as `replace_item` checks one (409 when its id is taken)."""
    with db.writing() as session:
        event = repo.event_or_404(session, event_id, for_update=True)
        require_match(if_match, event.revision)
        setting = copy.deepcopy(event.setting)
        items = setting.setdefault(kind, [])
        item_id = item.get("id")
        if isinstance(item_id, str) and item_id.lower() in {str(old.get("id", "")).lower() for old in items}:
            raise Conflict(f"{ITEM_KINDS[kind]} {item_id!r} exists", ["body", "id"])
        items.append(item)
        conference = _checked(session, event_id, setting, lambda data: _check_item(data, kind, len(items) - 1))
        return _store(session, settings, caller, event, setting, conference, f"{ITEM_KINDS[kind]}.add",
                      str(item_id), fields=sorted(item))


def _fields_changed(before: dict, after: dict) -> list[str]:
    return sorted(k for k in {*before, *after} if before.get(k) != after.get(k))


def _check_item(data: dict, kind: str, index: int) -> Conference:
    """`check_contract` of the composed input, its problems told as the item's sender knows them: inside the
    item, loc relative to it (["body", "available", 0, "end"]); elsewhere (another item or a live request that
    the change would break), loc ["body"] and words naming that item by its id."""
    try:
        return check_contract(data, rename={f"{kind}[{index}]": ["body"]})
    except Unprocessable as exc:
        raise Unprocessable([_seen_from_item(problem, data) for problem in exc.detail]) from None


_LISTS = {"delegations": "delegation", "rooms": "room", "programme": "programme item", "requests": "request"}


def _seen_from_item(problem: dict, data: dict) -> dict:
    loc = problem["loc"]
    if not (len(loc) >= 3 and loc[1] in _LISTS and isinstance(loc[2], int)):
        return problem
    listed = data.get(loc[1]) or []
    subject = listed[loc[2]].get("id", loc[2]) if loc[2] < len(listed) else loc[2]
    field = "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in loc[3:]).lstrip(".")
    where = f"{_LISTS[loc[1]]} {subject}" + (f", {field}" if field else "")
    return {**problem, "loc": ["body"], "msg": f"{where}: {problem['msg']}"}
