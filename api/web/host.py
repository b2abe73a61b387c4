"""The host's desk pages: the requests table, solving and publishing, the room plan, keys and feeds."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from api.security import document_headers
from api.web.session import Desk
from api.web.shared import (
    act,
    api,
    call_ok,
    checked_form,
    day_choices,
    desk_of,
    event_path,
    field_errors,
    local_time,
    noticed,
    page_context,
    refusal,
    render,
)
from scheduler.contract.document import ScheduledMeeting
from scheduler.publish.revisions import difference, room_and_start

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
                   form_action="/desk/requests", days=day_choices(context["event"]))
    return render("host_requests.html", context, code)


@router.get("/desk/requests/{request_id}")
async def edit_request_page(request: Request, request_id: str) -> HTMLResponse:
    desk = await desk_of(request, host=True)
    return await _edit_page(request, desk, request_id)


EDIT_FIELDS = ("duration_minutes", "priority", "mandatory")


async def _edit_page(request: Request, desk: Desk, request_id: str, typed: dict | None = None,
                     errors: dict | None = None, code: int = 200) -> HTMLResponse:
    """The host's page of one request; after a refusal, the values as typed with the words beside them."""
    row = await call_ok(request, desk, "GET", event_path(desk, f"/requests/{request_id}"))
    context = await page_context(request, desk, "requests", title=f"Request {request_id}")
    form = {**{k: row[k] for k in EDIT_FIELDS}, **(typed or {})}
    return render("host_request.html", {**context, "row": row, "form": form, "errors": errors or {}}, code)


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
        return noticed(request, desk, f"/desk/requests#request-{response.json()['id']}", f"{request_id} saved.")
    if response.status_code != status.HTTP_422_UNPROCESSABLE_CONTENT:
        raise refusal(response)
    errors = field_errors(response.json().get("detail"), EDIT_FIELDS)
    typed = {"duration_minutes": form.get("duration_minutes", ""), "priority": form.get("priority", ""),
             "mandatory": bool(form.get("mandatory"))}
    return await _edit_page(request, desk, request_id, typed, errors, response.status_code)


# --- solving and publishing (host) ---------------------------------------------------------------------


@router.get("/desk/solve")
async def solve_page(request: Request) -> HTMLResponse:
    desk = await desk_of(request, host=True)
    return await _solve_page(request, desk)


async def _solve_page(request: Request, desk: Desk, form: dict | None = None, errors: dict | None = None,
                      code: int = 200) -> HTMLResponse:
    context = await page_context(request, desk, "solve", title="Solve")
    solves = await call_ok(request, desk, "GET", event_path(desk, "/solves"))
    zone = context["event"]["event"]["timezone"]
    for s in solves:
        s["created_local"] = local_time(s["created_at"], zone)
    return render("solve.html", {**context, "solves": list(reversed(solves)), "form": form or {},
                                 "errors": errors or {}}, code)


SOLVE_FIELDS = ("time_limit", "stability", "freeze_before", "move_cost", "choices")


@router.post("/desk/solve")
async def start_solve(request: Request) -> Response:
    desk = await desk_of(request, host=True)
    form = await checked_form(request, desk)
    # the text as typed: the API reads the number and names the field when it is none ("abc", "nan")
    body: dict[str, Any] = {"time_limit": form.get("time_limit") or 60}
    for field in ("stability", "move_cost"):
        if form.get(field):
            body[field] = form[field]
    body["choices"] = bool(form.get("choices"))
    if form.get("freeze_before"):
        # the page asks in the event's own time, as the API takes it: one reading of it, the API's, which
        # refuses a time the clocks skip or show twice
        body["freeze_before"] = form["freeze_before"]
    response = await api(request, desk, "POST", event_path(desk, "/solves"), json=body)
    if response.status_code == status.HTTP_422_UNPROCESSABLE_CONTENT:  # the words go next to the field they name
        errors = field_errors(response.json().get("detail"), SOLVE_FIELDS)
        return await _solve_page(request, desk, {k: form.get(k) for k in SOLVE_FIELDS}, errors, 422)
    if response.status_code >= 400:
        raise refusal(response)
    return RedirectResponse(f"/desk/solves/{response.json()['id']}", status.HTTP_303_SEE_OTHER)


@router.get("/desk/solves/{solve_id}")
async def solve_result(request: Request, solve_id: str) -> HTMLResponse:
    desk = await desk_of(request, host=True)
    solve = await call_ok(request, desk, "GET", event_path(desk, f"/solves/{solve_id}"))
    context = await page_context(request, desk, "solve", title=f"Solve {solve_id}")
    if solve.get("freeze_before"):
        solve["freeze_local"] = local_time(solve["freeze_before"], context["event"]["event"]["timezone"])
    diff = None
    if solve["state"] == "done" and solve["scheduled_priority"] is not None:
        found = await call_ok(request, desk, "GET", event_path(desk, f"/solves/{solve_id}/schedule"))
        published = await api(request, desk, "GET", event_path(desk, "/schedule"))
        before = published.json()["document"]["meetings"] if published.status_code == 200 else []
        diff = _difference(before, found["meetings"], context)
    choices = await call_ok(request, desk, "GET", event_path(desk, f"/solves/{solve_id}/choices")) \
        if solve.get("choices") else []
    return render("solve_result.html", {**context, "solve": solve, "diff": diff, "choices": choices,
                                         "published_version": context["event"]["published_version"]})


def _difference(before: list[dict], after: list[dict], context: dict) -> dict:
    """Moved, new and cancelled meetings of a solve against the published version."""
    zone = context["event"]["event"]["timezone"]
    rooms = {r["id"]: r["name"] for r in context["event"]["rooms"]}

    def where(m: ScheduledMeeting | None) -> str:
        return f"{local_time(m.start, zone)}, {rooms.get(m.room, m.room)}" if m else ""

    def typed(meetings: list[dict]) -> list[ScheduledMeeting]:
        return [ScheduledMeeting.model_validate(m) for m in meetings]

    diff = difference(typed(before), typed(after), room_and_start)
    rows = [{"request": c.request, "change": c.kind, "before": where(c.before), "after": where(c.after)}
            for c in diff.changes if c.kind != "unchanged"]
    return {**{kind: list(diff.of(kind)) for kind in ("unchanged", "moved", "new", "cancelled")}, "rows": rows}


@router.get("/desk/solves/{solve_id}/state")
async def solve_state(request: Request, solve_id: str) -> JSONResponse:
    """The solve's state and progress, for the page's live view."""
    desk = await desk_of(request, host=True)
    return JSONResponse(await call_ok(request, desk, "GET", event_path(desk, f"/solves/{solve_id}")))


@router.post("/desk/solves/{solve_id}/cancel")
async def cancel_solve(request: Request, solve_id: str) -> RedirectResponse:
    return await act(request, "DELETE", f"/solves/{solve_id}", f"/desk/solves/{solve_id}")


@router.post("/desk/solves/{solve_id}/publish")
async def publish(request: Request, solve_id: str) -> RedirectResponse:
    """Publish the solve's result, or the choice its button names (a re-plan side by side)."""
    desk = await desk_of(request, host=True)
    form = await checked_form(request, desk)
    params = {"choice": form["choice"]} if form.get("choice") else None
    await call_ok(request, desk, "POST", event_path(desk, f"/solves/{solve_id}/publish"), params=params)
    return RedirectResponse("/desk/plan", status.HTTP_303_SEE_OTHER)


@router.get("/desk/plan")
async def plan(request: Request) -> HTMLResponse:
    desk = await desk_of(request, host=True)
    context = await page_context(request, desk, "plan", title="Room plan")
    return render("plan.html", {**context, "version": context["event"]["published_version"]})


@router.get("/desk/plan/grid")
async def plan_grid(request: Request) -> HTMLResponse:
    desk = await desk_of(request, host=True)
    response = await api(request, desk, "GET", event_path(desk, "/grid"))
    if response.status_code != 200:
        raise refusal(response)
    return HTMLResponse(response.text, headers=document_headers(response.text))


# --- keys and feeds (host) -----------------------------------------------------------------------------


@router.get("/desk/keys")
async def keys(request: Request) -> HTMLResponse:
    return await keys_page(request)


async def keys_page(request: Request, issued: dict | None = None, form: dict | None = None,
                    errors: dict | None = None, code: int = 200) -> HTMLResponse:
    """The keys of the event; the one just issued (its secret, shown once); the form's refusal in words."""
    desk = await desk_of(request, host=True)
    context = await page_context(request, desk, "keys", title="Keys")
    listed = await call_ok(request, desk, "GET", event_path(desk, "/keys"))
    zone = context["event"]["event"]["timezone"]
    for k in listed:
        k["created_local"] = local_time(k["created_at"], zone)
        k["revoked_local"] = local_time(k["revoked_at"], zone) if k["revoked_at"] else ""
    return render("keys.html", {**context, "keys": listed, "issued": issued, "form": form or {},
                                "errors": errors or {}}, code)


# the key form's refusals in words (the API's name the value it got: "..., not None")
KEY_WORDS = {"liaison": "choose the delegation this liaison key is for",
             "host": "a host key is for no delegation: leave Delegation empty"}


@router.post("/desk/keys")
async def issue_key(request: Request) -> HTMLResponse:
    desk = await desk_of(request, host=True)
    form = await checked_form(request, desk)
    body = {"role": form.get("role"), "label": form.get("label") or ""}
    if form.get("role") == "liaison":
        body["delegation"] = form.get("delegation") or None
    response = await api(request, desk, "POST", event_path(desk, "/keys"), json=body)
    if response.status_code == status.HTTP_422_UNPROCESSABLE_CONTENT:
        errors = field_errors(response.json().get("detail"), ("role", "delegation", "label"))
        if "delegation" in errors:
            errors["delegation"] = KEY_WORDS.get(str(form.get("role")), errors["delegation"])
        typed = {k: form.get(k) or "" for k in ("role", "delegation", "label")}
        return await keys_page(request, None, typed, errors, response.status_code)
    if response.status_code >= 400:
        raise refusal(response)
    return await keys_page(request, response.json())


@router.post("/desk/keys/{key_id}/revoke")
async def revoke_key(request: Request, key_id: str) -> RedirectResponse:
    return await act(request, "DELETE", f"/keys/{quote(key_id, safe='')}", f"/desk/keys#key-{quote(key_id, safe='')}",
                     notice=f"Key {key_id} revoked: whoever held it is signed out.")


@router.get("/desk/feeds")
async def feeds_page(request: Request) -> HTMLResponse:
    desk = await desk_of(request, host=True)
    context = await page_context(request, desk, "feeds", title="Feeds")
    rooms = {r["id"]: r["name"] for r in context["event"]["rooms"]}
    feeds = await call_ok(request, desk, "GET", event_path(desk, "/feeds"))
    for f in feeds:
        f["label"] = {"delegation": context["names"], "room": rooms}.get(f["kind"], {}).get(f["subject"], f["subject"])
    return render("feeds.html", {**context, "feeds": feeds})


def _feed_label(event: dict, kind: str, subject: str) -> str:
    """Hungary's feed, Room 1's feed, the event's feed: whose calendar it is, in words."""
    if kind == "event":
        return "the event's"
    names = {d["id"]: d["name"] for d in event["delegations"]} if kind == "delegation" else \
        {r["id"]: r["name"] for r in event["rooms"]}
    return f"{names.get(subject, subject)}'s"


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
    label = _feed_label(await call_ok(request, desk, "GET", event_path(desk)), kind, subject)
    return noticed(request, desk, f"/desk/feeds#feed-{kind}-{quote(subject, safe='')}",
                   f"New link made for {label} feed: the old one no longer works.")
