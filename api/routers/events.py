"""Events: an admin creates one from a contract input file; its host reads and replaces its setting (HTTP
only: `api.services.events`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response, status

from api.deps import Admin, DatabaseDep, Host, Member, SettingsDep
from api.http import if_match, set_etag
from api.identity import Identity
from api.schemas import EventForHost, EventForLiaison, EventSetting
from api.services import events
from api.services.events import EventCreatedWithKey
from api.settings import Settings
from api.storage.db import Database

router = APIRouter(tags=["events"])

ContractInput = Annotated[
    dict[str, Any],
    Body(description="a contract input file (`scheduler schema` prints its JSON Schema)"),
]


@router.post(
    "/events",
    status_code=status.HTTP_201_CREATED,
    response_model=EventCreatedWithKey,
    responses={409: {"description": "an event with this id exists"}, 422: {"description": "bad contract input"}},
)
def create_event(body: ContractInput, caller: Admin, db: DatabaseDep, settings: SettingsDep) -> EventCreatedWithKey:
    """Create an event from a contract input: its requests become accepted host requests; every delegation
    and room gets a secret feed URL; the response carries the event's first host key (shown once)."""
    return events.add_event(db, settings, caller, body)


@router.get("/events/{event_id}", response_model=EventForHost | EventForLiaison)
def read_event(event_id: str, caller: Member, db: DatabaseDep, response: Response) -> EventForHost | EventForLiaison:
    """The host sees the whole setting; a liaison the shared setting, the delegations' names and its own."""
    revision, out = events.read(db, caller, event_id)
    set_etag(response, revision)
    return out


@router.put(
    "/events/{event_id}",
    response_model=EventForHost,
    responses={412: {"description": "changed since read"}, 428: {"description": "If-Match missing"}},
)
def replace_setting(event_id: str, body: EventSetting, caller: Host, db: DatabaseDep, settings: SettingsDep,
                    request: Request, response: Response) -> EventForHost:
    """Replace the event's setting (event, programme, rooms, delegations) whole. The requests stay; the new
    setting must hold every proposed and accepted request, or nothing changes (422)."""
    out = events.replace_setting(db, settings, caller, event_id, body.model_dump(), if_match(request))
    set_etag(response, out.revision)
    return out


# --- one item of the setting: the host edits a delegation, a room or a programme item ---------------------

SettingItem = Annotated[
    dict[str, Any],
    Body(description="the item whole, as the contract writes it in its list (its `id` is the path's, or left out)"),
]
ITEM_WRITE = {404: {"description": "no such item"}, 412: {"description": "changed since read"},
              428: {"description": "If-Match missing"},
              422: {"description": "bad item, or one that would break another item or a live request; `loc` is "
                                   "inside the item (`[\"body\", \"available\", 0, \"end\"]`)"}}


def _replace_item(kind: str, event_id: str, item_id: str, body: dict, caller: Identity, db: Database,
                  settings: Settings, request: Request, response: Response) -> EventForHost:
    out = events.replace_item(db, settings, caller, event_id, kind, item_id, body, if_match(request))
    set_etag(response, out.revision)
    return out


@router.put("/events/{event_id}/delegations/{delegation_id}", response_model=EventForHost, responses=ITEM_WRITE)
def replace_delegation(event_id: str, delegation_id: str, body: SettingItem, caller: Host, db: DatabaseDep,
                       settings: SettingsDep, request: Request, response: Response) -> EventForHost:
    """Replace one delegation whole (arrival and departure as `available`, daily limit, home room, size,
    languages...): If-Match is the event's ETag; the answer is the event with its new one. Audited as
    `delegation.update`, naming the fields changed."""
    return _replace_item("delegations", event_id, delegation_id, body, caller, db, settings, request, response)


@router.put("/events/{event_id}/rooms/{room_id}", response_model=EventForHost, responses=ITEM_WRITE)
def replace_room(event_id: str, room_id: str, body: SettingItem, caller: Host, db: DatabaseDep,
                 settings: SettingsDep, request: Request, response: Response) -> EventForHost:
    """Replace one room whole (closures as the gaps in `available`, capacity, features, `reserved_for`):
    If-Match is the event's ETag. Audited as `room.update`."""
    return _replace_item("rooms", event_id, room_id, body, caller, db, settings, request, response)


@router.put("/events/{event_id}/programme/{item_id}", response_model=EventForHost, responses=ITEM_WRITE)
def replace_programme_item(event_id: str, item_id: str, body: SettingItem, caller: Host, db: DatabaseDep,
                           settings: SettingsDep, request: Request, response: Response) -> EventForHost:
    """Replace one programme item whole (time, attendees, room): If-Match is the event's ETag. Audited as
    `programme.update`."""
    return _replace_item("programme", event_id, item_id, body, caller, db, settings, request, response)


def _add_item(kind: str, event_id: str, body: dict, caller: Identity, db: Database, settings: Settings,
              request: Request, response: Response) -> EventForHost:
    out = events.add_item(db, settings, caller, event_id, kind, body, if_match(request))
    set_etag(response, out.revision)
    return out


ITEM_ADD = {**ITEM_WRITE, 404: {"description": "no such event"}, 409: {"description": "the id is taken"}}


@router.post("/events/{event_id}/rooms", status_code=status.HTTP_201_CREATED, response_model=EventForHost,
             responses=ITEM_ADD)
def add_room(event_id: str, body: SettingItem, caller: Host, db: DatabaseDep, settings: SettingsDep,
             request: Request, response: Response) -> EventForHost:
    """Add a room (it gets its feed URL at once): If-Match is the event's ETag. Audited as `room.add`."""
    return _add_item("rooms", event_id, body, caller, db, settings, request, response)


@router.post("/events/{event_id}/programme", status_code=status.HTTP_201_CREATED, response_model=EventForHost,
             responses=ITEM_ADD)
def add_programme_item(event_id: str, body: SettingItem, caller: Host, db: DatabaseDep, settings: SettingsDep,
                       request: Request, response: Response) -> EventForHost:
    """Add a programme item: If-Match is the event's ETag. Audited as `programme.add`."""
    return _add_item("programme", event_id, body, caller, db, settings, request, response)
