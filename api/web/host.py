"""The host's desk pages: the requests table, keys and feeds (solving and publishing: `api.web.solving`)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.web.event_editor import BAD_TIME, LOCAL_MOMENT, event_time, form_days, hhmm
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
async def edit_request_page(request: Request, request_id: str, pin_start: str = "", pin_room: str = "",
                            duration_minutes: str = "") -> HTMLResponse:
    """The host's request: minutes, priority, mandatory and its pin. `pin_start` (the event's wall-clock time,
    2024-10-31T17:45) and `pin_room` fill in a pin suggested by the last solve, `duration_minutes` a shorter
    meeting it showed would fit; neither is saved until the officer saves."""
    desk = await desk_of(request, host=True)
    return await _request_page(request, desk, request_id, suggested=(pin_start, pin_room) if pin_start else None,
                               shorter=duration_minutes)


REQUEST_FIELDS = ("duration_minutes", "priority", "mandatory", "fixed")


async def _request_page(request: Request, desk: Desk, request_id: str, values: dict | None = None,
                        errors: dict | None = None, code: int = 200, notice: str | None = None,
                        suggested: tuple[str, str] | None = None, shorter: str = "") -> HTMLResponse:
    row = await call_ok(request, desk, "GET", event_path(desk, f"/requests/{request_id}"))
    context = await page_context(request, desk, "requests", title=f"Request {request_id}")
    event = context["event"]
    values = values or _request_values(row)
    if suggested is not None:
        values, notice = _suggested_pin(event, values, *suggested)
    elif re.fullmatch(r"[0-9]{1,4}", shorter) and 0 < int(shorter) < row["duration_minutes"]:
        values = {**values, "duration_minutes": int(shorter)}
        notice = (f"Suggested by the last solve: {shorter} min instead of {row['duration_minutes']}. Not saved "
                  "yet: check it and save.")
    return render("host_request.html", {**context, "row": row, "values": values, "errors": errors or {},
                                        "notice": notice, "days": form_days(event, {"start": values["pin_start"]}
                                                                            if values["pin_start"] else {}),
                                        "room_options": [(r["id"], r["name"]) for r in event["rooms"]]}, code)


def _request_values(row: dict) -> dict:
    fixed = row.get("fixed") or {}
    start = fixed.get("start") or ""
    return {"duration_minutes": row["duration_minutes"], "priority": row["priority"], "mandatory": row["mandatory"],
            "pin_start": start, "pin_day": start[:10], "pin_time": start[11:16], "pin_room": fixed.get("room") or ""}


def _suggested_pin(event: dict, values: dict, start: str, room: str) -> tuple[dict, str]:
    """The pin filled in as suggested, and the line that says so (in the event's words, never the URL's):
    only a start on one of the event's days and one of its rooms are taken."""
    rooms = {r["id"]: r["name"] for r in event["rooms"]}
    days = {d["date"] for d in event["event"]["days"]}
    readable = LOCAL_MOMENT.fullmatch(start) is not None and start[:10] in days and hhmm(start[11:]) is not None
    if not readable or (room and room not in rooms):
        return values, "The suggested pin is not a time and room of this event: nothing is filled in."
    where = f" in {rooms[room]}" if room else ""
    line = f"Suggested by the last solve: pin at {event_time(start)}{where}. Not saved yet: check it and save."
    return {**values, "pin_start": start, "pin_day": start[:10], "pin_time": start[11:16], "pin_room": room}, line


@router.post("/desk/requests/{request_id}")
async def edit_request(request: Request, request_id: str) -> Response:
    """Save the request's minutes, priority, mandatory and pin (or clear the pin); the API's words go next to
    the fields, and a change made meanwhile gives the page as the request is now."""
    desk = await desk_of(request, host=True)
    form = await checked_form(request, desk)
    # the numbers as typed: the API reads them and names the field when one is none ("abc", "²")
    body: dict[str, Any] = {"duration_minutes": form.get("duration_minutes", ""), "priority": form.get("priority", ""),
                            "mandatory": bool(form.get("mandatory"))}
    values = {**{k: form.get(k) or "" for k in ("duration_minutes", "priority", "pin_day", "pin_time", "pin_room")},
              "mandatory": bool(form.get("mandatory"))}
    values["pin_day"] = _a_date(values["pin_day"])
    values["pin_start"] = f"{values['pin_day']}T{values['pin_time']}" if values["pin_day"] else ""
    errors: dict[str, str] = {}
    body["fixed"] = None if form.get("clear_pin") else _pin(values, errors)
    if errors:
        return await _request_page(request, desk, request_id, values, errors, status.HTTP_422_UNPROCESSABLE_CONTENT)
    response = await api(request, desk, "PATCH", event_path(desk, f"/requests/{request_id}"), json=body,
                         headers={"If-Match": f'"{form.get("revision")}"'})
    if response.status_code == 200:
        return noticed(request, desk, f"/desk/requests#request-{response.json()['id']}", f"{request_id} saved.")
    if response.status_code == status.HTTP_422_UNPROCESSABLE_CONTENT:
        errors = field_errors(response.json().get("detail"), REQUEST_FIELDS)
        return await _request_page(request, desk, request_id, values, errors, response.status_code)
    if response.status_code == status.HTTP_412_PRECONDITION_FAILED:
        return await _request_page(request, desk, request_id, code=response.status_code,
                                   notice="Someone changed this request meanwhile; here it is as it is now: "
                                          "repeat your change.")
    raise refusal(response)


def _a_date(text: str) -> str:
    """A date as the day select sends it ("2024-10-31"), or "" for anything else."""
    try:
        return text if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text) and date.fromisoformat(text) else ""
    except ValueError:
        return ""


def _pin(values: dict, errors: dict[str, str]) -> dict | None:
    """The pin as the API takes it (None: not pinned, both left empty); a time the desk cannot read is said
    beside the field."""
    day, typed, room = values["pin_day"], str(values["pin_time"]).strip(), values["pin_room"]
    if not day and not typed:
        return None
    time = hhmm(typed)
    if not day or time is None:
        errors["fixed"] = "choose the pin's day" if not day else BAD_TIME
        return None
    return {"start": f"{day}T{time}", **({"room": room} if room else {})}


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
