"""The host's desk pages: the requests table, keys and feeds (solving and publishing: `api.web.solving`)."""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.web.session import Desk
from api.web.shared import (
    act,
    api,
    call_ok,
    checked_form,
    desk_of,
    event_path,
    local_time,
    page_context,
    refusal,
    render,
)

router = APIRouter(include_in_schema=False)
SORTS = (("id", "request"), ("priority", "priority, highest first"), ("status", "status"), ("duration", "minutes"))


# --- requests: the host's table, the liaison's proposals -----------------------------------------------


@router.get("/desk/requests")
async def host_requests(request: Request, status_: str = "", delegation: str = "", priority: str = "",
                        sort: str = "id") -> HTMLResponse:
    desk = await desk_of(request, host=True)
    status_ = request.query_params.get("status", status_)
    return await host_requests_page(request, desk, {"status": status_, "delegation": delegation,
                                                     "priority": priority, "sort": sort})


async def host_requests_page(request: Request, desk: Desk, filters: dict, form: dict | None = None,
                              errors: dict | None = None, code: int = 200) -> HTMLResponse:
    params = {"status": filters["status"]} if filters.get("status") else {}
    rows = await call_ok(request, desk, "GET", event_path(desk, "/requests"), params=params)
    context = await page_context(request, desk, "requests", title="Requests")
    if filters.get("delegation"):
        rows = [r for r in rows if filters["delegation"] in r["parties"]]
    if re.fullmatch(r"[0-9]{1,9}", str(filters.get("priority") or "")):  # (str.isdigit takes "²" too)
        rows = [r for r in rows if r["priority"] >= int(filters["priority"])]
    key = {"priority": lambda r: (-r["priority"], r["id"]), "status": lambda r: (r["status"], r["id"]),
           "duration": lambda r: (r["duration_minutes"], r["id"])}.get(filters.get("sort"), lambda r: r["id"])
    for r in rows:
        r["party_names"] = [context["names"].get(p, p) for p in r["parties"]]
    context.update(rows=sorted(rows, key=key), filters=filters, sorts=SORTS, form=form or {}, errors=errors or {},
                   counterparts=context["event"]["delegations"], party_fields=3, required_parties=2,
                   form_action="/desk/requests")
    return render("host_requests.html", context, code)


@router.get("/desk/requests/{request_id}")
async def edit_request_page(request: Request, request_id: str) -> HTMLResponse:
    desk = await desk_of(request, host=True)
    row = await call_ok(request, desk, "GET", event_path(desk, f"/requests/{request_id}"))
    context = await page_context(request, desk, "requests", title=f"Request {request_id}")
    return render("host_request.html", {**context, "row": row, "errors": []})


@router.post("/desk/requests/{request_id}")
async def edit_request(request: Request, request_id: str) -> Response:
    desk = await desk_of(request, host=True)
    form = await checked_form(request, desk)
    # the numbers as typed: the API reads them and names the field when one is none ("abc", "²")
    body = {"duration_minutes": form.get("duration_minutes", ""), "priority": form.get("priority", ""),
            "mandatory": bool(form.get("mandatory"))}
    response = await api(request, desk, "PATCH", event_path(desk, f"/requests/{request_id}"), json=body,
                         headers={"If-Match": f'"{form.get("revision")}"'})
    if response.status_code == 200:
        return RedirectResponse("/desk/requests", status.HTTP_303_SEE_OTHER)
    raise refusal(response)


# --- keys and feeds (host) -----------------------------------------------------------------------------


@router.get("/desk/keys")
async def keys_page(request: Request, issued: dict | None = None) -> HTMLResponse:
    desk = await desk_of(request, host=True)
    context = await page_context(request, desk, "keys", title="Keys")
    keys = await call_ok(request, desk, "GET", event_path(desk, "/keys"))
    zone = context["event"]["event"]["timezone"]
    for k in keys:
        k["created_local"] = local_time(k["created_at"], zone)
        k["revoked_local"] = local_time(k["revoked_at"], zone) if k["revoked_at"] else ""
    return render("keys.html", {**context, "keys": keys, "issued": issued})


@router.post("/desk/keys")
async def issue_key(request: Request) -> HTMLResponse:
    desk = await desk_of(request, host=True)
    form = await checked_form(request, desk)
    body = {"role": form.get("role"), "label": form.get("label") or ""}
    if form.get("role") == "liaison":
        body["delegation"] = form.get("delegation") or None
    issued = await call_ok(request, desk, "POST", event_path(desk, "/keys"), json=body)
    return await keys_page(request, issued)


@router.post("/desk/keys/{key_id}/revoke")
async def revoke_key(request: Request, key_id: str) -> RedirectResponse:
    return await act(request, "DELETE", f"/keys/{key_id}", "/desk/keys")


@router.get("/desk/feeds")
async def feeds_page(request: Request) -> HTMLResponse:
    desk = await desk_of(request, host=True)
    context = await page_context(request, desk, "feeds", title="Feeds")
    rooms = {r["id"]: r["name"] for r in context["event"]["rooms"]}
    feeds = await call_ok(request, desk, "GET", event_path(desk, "/feeds"))
    for f in feeds:
        f["label"] = {"delegation": context["names"], "room": rooms}.get(f["kind"], {}).get(f["subject"], f["subject"])
    return render("feeds.html", {**context, "feeds": feeds})


# the API's path of each kind of feed's new link (the event-wide feed has its own route)
ROTATE_PATHS = {"delegation": "/delegations/{subject}/feed-token", "room": "/rooms/{subject}/feed-token",
                "event": "/feed-token"}


@router.post("/desk/feeds/rotate")
async def rotate_feed(request: Request) -> RedirectResponse:
    """A new link for one feed (a leaked one revoked): the old link stops working at once."""
    desk = await desk_of(request, host=True)
    form = await checked_form(request, desk)
    kind, subject = str(form.get("kind") or ""), str(form.get("subject") or "")
    if kind not in ROTATE_PATHS or (kind != "event" and not subject):
        which = "which feed? (a delegation's, a room's or the event's)"
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            detail=[{"loc": ["body", "kind"], "msg": which, "type": "value_error"}])
    await call_ok(request, desk, "POST", event_path(desk, ROTATE_PATHS[kind].format(subject=quote(subject, safe=""))))
    return RedirectResponse("/desk/feeds", status.HTTP_303_SEE_OTHER)
