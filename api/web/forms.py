"""The request forms that both roles post: the host adds a request, a liaison proposes one; either accepts,
declines or withdraws (the API says who may). After each, the page says what happened and is back at the
request's row (`#request-<id>`); a refusal of a new request is shown next to its fields, on the same form."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import Response

from api.web.host import host_requests_page
from api.web.liaison import proposals_page
from api.web.session import Desk
from api.web.shared import api, checked_form, desk_of, event_path, field_errors, noticed, refusal

router = APIRouter(include_in_schema=False)
HOUR = re.compile(r"([0-9]{1,2})[:.h]?([0-9]{2})")  # 9:30, 09:30, 9.30, 0930: the officer's way, read as HH:MM


def clock_time(typed: str) -> str:
    """A time as typed, as HH:MM when it reads as one (the API names the field when it does not)."""
    found = HOUR.fullmatch(typed.strip())
    return f"{int(found.group(1)):02d}:{found.group(2)}" if found else typed.strip()


def preferred_of(form: dict) -> list[dict] | None:
    """The preferred window of a form's day <select> and two "HH:MM" times, in the event's own time."""
    day, start, end = (str(form.get(k) or "").strip() for k in ("preferred_day", "preferred_from", "preferred_until"))
    if not (start or end):
        return None
    return [{"start": f"{day}T{clock_time(start)}", "end": f"{day}T{clock_time(end)}"}]


def _request_body(form: dict, desk: Desk) -> dict:
    parties = [p for p in form["multi"].getlist("party") if p]
    if not desk.identity.is_host:
        parties = [desk.identity.delegation, *[p for p in parties if p != desk.identity.delegation]]
    body: dict[str, Any] = {"parties": parties}
    for name in ("duration_minutes", "priority"):
        if form.get(name) is not None:  # as typed: the API reads the number, or names the field ("abc", "²")
            body[name] = form[name]
    preferred = preferred_of(form)
    if preferred:
        body["preferred"] = preferred
    if desk.identity.is_host and form.get("mandatory"):
        body["mandatory"] = True
    return body


def home_of(desk: Desk, request_id: str | None = None) -> str:
    """The page of the desk's requests, at the row of `request_id`."""
    page = "/desk/requests" if desk.identity.is_host else "/desk/proposals"
    return f"{page}#request-{request_id}" if request_id else page


def created_notice(desk: Desk, created: dict) -> str:
    said = f"{created['id']} added." if desk.identity.is_host else f"{created['id']} proposed."
    if created.get("same_parties"):
        said = (f"{said[:-1]}; note there is already a request between these delegations: "
                f"{', '.join(created['same_parties'])}.")
    return said


@router.post("/desk/requests")
async def create_request(request: Request) -> Response:
    """The host adds a request, or a liaison proposes one; the API's messages go next to the fields."""
    desk = await desk_of(request)
    form = await checked_form(request, desk)
    response = await api(request, desk, "POST", event_path(desk, "/requests"), json=_request_body(form, desk))
    if response.status_code == 201:
        created = response.json()
        return noticed(request, desk, home_of(desk, created["id"]), created_notice(desk, created))
    if response.status_code >= 500:
        raise refusal(response)
    errors = field_errors(response.json().get("detail"), ("parties", "duration_minutes", "priority", "preferred"),
                          {"window": "preferred", "id": "other"})
    shown = {"parties": [p for p in form["multi"].getlist("party") if p], **{k: form.get(k) for k in form if k}}
    if desk.identity.is_host:
        empty = {"status": "", "delegation": "", "priority": "", "sort": "id"}
        return await host_requests_page(request, desk, empty, shown, errors, response.status_code)
    return await proposals_page(request, desk, shown, errors, response.status_code)


DONE = {"accept": "accepted", "decline": "declined", "delete": "withdrawn"}


@router.post("/desk/requests/{request_id}/{action}")
async def answer_request(request: Request, request_id: str, action: str) -> Response:
    """Accept, decline or withdraw (the API says who may)."""
    desk = await desk_of(request)
    form = await checked_form(request, desk)
    if action not in DONE:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    method, path = ("DELETE", "") if action == "delete" else ("POST", f"/{action}")
    response = await api(request, desk, method, event_path(desk, f"/requests/{request_id}{path}"),
                         headers={"If-Match": f'"{form.get("revision")}"'})
    if response.status_code >= 400:
        raise refusal(response)
    said = f"{request_id} {DONE[action]}."
    if action == "accept" and response.json()["status"] == "proposed":
        said = f"{request_id} accepted by you; it waits for the other parties."
    return noticed(request, desk, home_of(desk, None if action == "delete" else request_id), said)
