"""The request forms that both roles post: the host adds a request, a liaison proposes one; either accepts,
declines or withdraws (the API says who may)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response

from api.web.host import host_requests_page
from api.web.liaison import proposals_page
from api.web.session import Desk
from api.web.shared import api, checked_form, desk_of, event_path, field_errors, refusal

router = APIRouter(include_in_schema=False)


def _request_body(form: dict, desk: Desk) -> dict:
    parties = [p for p in form["multi"].getlist("party") if p]
    if not desk.identity.is_host:
        parties = [desk.identity.delegation, *[p for p in parties if p != desk.identity.delegation]]
    body: dict[str, Any] = {"parties": parties}
    for name in ("duration_minutes", "priority"):
        body[name] = form.get(name)  # as typed: the API reads the number, or names the field ("abc", "²")
    if form.get("preferred_start") or form.get("preferred_end"):
        body["preferred"] = [{"start": form.get("preferred_start", "")[:16], "end": form.get("preferred_end", "")[:16]}]
    if desk.identity.is_host and form.get("mandatory"):
        body["mandatory"] = True
    return body


@router.post("/desk/requests")
async def create_request(request: Request) -> Response:
    """The host adds a request, or a liaison proposes one; the API's messages go next to the fields."""
    desk = await desk_of(request)
    form = await checked_form(request, desk)
    response = await api(request, desk, "POST", event_path(desk, "/requests"), json=_request_body(form, desk))
    home = "/desk/requests" if desk.identity.is_host else "/desk/proposals"
    if response.status_code == 201:
        return RedirectResponse(home, status.HTTP_303_SEE_OTHER)
    errors = field_errors(response.json().get("detail"), ("parties", "duration_minutes", "priority", "preferred"),
                          {"window": "preferred", "id": "other"})
    shown = {"parties": [p for p in form["multi"].getlist("party") if p], **{k: form.get(k) for k in form if k}}
    if desk.identity.is_host:
        empty = {"status": "", "delegation": "", "priority": "", "sort": "id"}
        return await host_requests_page(request, desk, empty, shown, errors, response.status_code)
    return await proposals_page(request, desk, shown, errors, response.status_code)


@router.post("/desk/requests/{request_id}/{action}")
async def answer_request(request: Request, request_id: str, action: str) -> Response:
    """Accept, decline or withdraw (the API says who may)."""
    desk = await desk_of(request)
    form = await checked_form(request, desk)
    if action not in ("accept", "decline", "delete"):
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    method, path = ("DELETE", "") if action == "delete" else ("POST", f"/{action}")
    response = await api(request, desk, method, event_path(desk, f"/requests/{request_id}{path}"),
                         headers={"If-Match": f'"{form.get("revision")}"'})
    if response.status_code >= 400:
        raise refusal(response)
    return RedirectResponse("/desk/requests" if desk.identity.is_host else "/desk/proposals",
                            status.HTTP_303_SEE_OTHER)
