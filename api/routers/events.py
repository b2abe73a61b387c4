"""Events: an admin creates one from a contract input file; its host reads and replaces its setting (HTTP
only: `api.services.events`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response, status

from api.deps import Admin, DatabaseDep, Host, Member, SettingsDep
from api.http import if_match, set_etag
from api.schemas import EventForHost, EventForLiaison, EventSetting
from api.services import events
from api.services.events import EventCreatedWithKey

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
