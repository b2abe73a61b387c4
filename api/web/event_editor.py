"""The host's event editor: the event at a glance, and a form for each delegation, room and programme item.

Each form saves its item whole through the API (PUT /events/{e}/delegations/{id}, …) with If-Match on the
event revision the form was made from, so that a change made meanwhile is never overwritten; the API's 422
goes next to the field it names. Times are the event's wall-clock time written "31 Oct 14:15": a day chosen
from the event's days and a time typed HH:MM, never the browser's date picker (whose format and zone follow
the browser's locale, not the event's). A room's closures are shown and typed as closures ("closed 31 Oct
14:00-18:00"), the office's way; the contract keeps a room's open hours, so the form turns one into the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.services.proposal_checks import day_label as written_day
from api.web.session import Desk
from api.web.shared import (
    api,
    call_ok,
    checked_form,
    desk_of,
    event_path,
    field_errors,
    page_context,
    refusal,
    render,
    templates,
)

router = APIRouter(include_in_schema=False)

SPARE_ROWS = 3  # empty rows under a form's windows, to add one
TIME = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")
WHOLE = re.compile(r"[0-9]{1,9}")
CHANGED_MEANWHILE = "Someone changed the event meanwhile; here it is as it is now: repeat your change."
BAD_TIME = "write the times as HH:MM, e.g. 14:15"


@dataclass(frozen=True)
class Kind:
    """A list of the event's setting that the editor edits: the API's path, the office's word, its form."""

    path: str  # the setting's list and the API's path: "delegations"
    one: str  # the word of one, the anchor's and the audit's: "delegation"
    template: str
    fields: tuple[str, ...]  # the fields of its form a 422 may name


DELEGATIONS = Kind("delegations", "delegation", "event_delegation.html",
                   ("name", "head", "size", "level", "languages", "max_meetings_per_day", "home_room", "available"))
ROOMS = Kind("rooms", "room", "event_room.html",
             ("id", "name", "capacity", "level", "features", "reserved_for", "available"))
PROGRAMME = Kind("programme", "programme", "event_programme.html",
                 ("id", "title", "start", "end", "attendees", "room"))

# what the office calls the fields, in the line that confirms a save
FIELD_WORDS = {"available": "arrival and departure", "max_meetings_per_day": "daily limit", "home_room": "home room",
               "reserved_for": "reserved salon", "start": "time", "end": "time", "attendees": "attendees"}
ROOM_FIELD_WORDS = {"available": "closures"}


# --- times as the office writes them -------------------------------------------------------------------


LOCAL_MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}")


def day_label(day: str) -> str:
    """"2024-10-31" -> "31 Oct" (the desk's one way of writing a day: `proposal_checks.day_label`)."""
    return written_day(date.fromisoformat(day[:10]))


def event_time(moment: str) -> str:
    """"2024-10-31T14:15" (the event's wall-clock time, as the contract writes it) -> "31 Oct 14:15"."""
    return f"{day_label(moment)} {datetime.fromisoformat(moment):%H:%M}"


def window_text(window: dict) -> str:
    """"31 Oct 14:15–17:00", or "31 Oct 18:00 – 01 Nov 12:00" across midnight."""
    start, end = window["start"], window["end"]
    if start[:10] == end[:10]:
        return f"{event_time(start)}–{end[11:16]}"
    return f"{event_time(start)} – {event_time(end)}"


templates.env.filters["event_time"] = event_time
templates.env.filters["window_text"] = window_text
templates.env.filters["day_label"] = day_label


def form_days(event: dict, *items: dict) -> list[dict]:
    """The days a form offers: the event's, and any other date an item's windows already use (an arrival the
    evening before), in order."""
    dates = {d["date"] for d in event["event"]["days"]}
    for item in items:
        for window in item.get("available") or []:
            dates |= {window["start"][:10], window["end"][:10]}
        for key in ("start", "end"):
            if isinstance(item.get(key), str):
                dates.add(item[key][:10])
    return [{"value": d, "label": day_label(d)} for d in sorted(dates)]


def hhmm(text: str) -> str | None:
    """"9:05" or "09:05" -> "09:05"; None when it is no time of day."""
    found = TIME.fullmatch(text.strip())
    return f"{int(found.group(1)):02d}:{found.group(2)}" if found else None


def _number(text: str | None, optional: bool = False) -> int | str | None:
    """A whole number as typed; anything else is sent as typed, for the API to name the field."""
    text = (text or "").strip()
    if optional and not text:
        return None
    return int(text) if WHOLE.fullmatch(text) else text


def _words(text: str | None) -> list[str]:
    """"ru, en" -> ["ru", "en"]."""
    return [w.strip() for w in (text or "").split(",") if w.strip()]


# --- windows: rows of a form ---------------------------------------------------------------------------


def _rows_of(windows: list[dict] | None, first_day: str) -> list[dict]:
    rows = [{"day": w["start"][:10], "start": w["start"][11:16], "end": w["end"][11:16],
             "end_day": "" if w["end"][:10] == w["start"][:10] else w["end"][:10]} for w in windows or []]
    return rows + [{"day": first_day, "start": "", "end": "", "end_day": ""} for _ in range(SPARE_ROWS)]


def _posted_rows(form: dict, prefix: str, days: set[str]) -> list[dict]:
    """The rows as typed, in their order on the page (at most 60)."""
    indices = sorted(int(m.group(1)) for k in form if (m := re.fullmatch(rf"{prefix}-([0-9]{{1,2}})-day", k)))
    return [{"day": form.get(f"{prefix}-{i}-day") if form.get(f"{prefix}-{i}-day") in days else "",
             "start": str(form.get(f"{prefix}-{i}-start") or "").strip(),
             "end": str(form.get(f"{prefix}-{i}-end") or "").strip(),
             "end_day": form.get(f"{prefix}-{i}-end_day") if form.get(f"{prefix}-{i}-end_day") in days else ""}
            for i in indices]


def _windows(rows: list[dict], prefix: str, errors: dict[str, str]) -> tuple[list[dict], list[int]]:
    """The windows of the filled rows (an empty row is ignored), and the row of each: a row whose times are
    not HH:MM gets its message in `errors`, under "<prefix>-<row>"."""
    windows, row_of = [], []
    for i, row in enumerate(rows):
        if not row["start"] and not row["end"]:
            continue
        start, end = hhmm(row["start"]), hhmm(row["end"])
        if start is None or end is None or not row["day"]:
            errors[f"{prefix}-{i}"] = BAD_TIME if row["day"] else "choose a day"
            continue
        windows.append({"start": f"{row['day']}T{start}", "end": f"{row['end_day'] or row['day']}T{end}"})
        row_of.append(i)
    return windows, row_of


def _minus(span: tuple[datetime, datetime], cuts: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    pieces = [span]
    for cut_start, cut_end in sorted(cuts):
        left = []
        for start, end in pieces:
            if cut_end <= start or cut_start >= end:
                left.append((start, end))
                continue
            if start < cut_start:
                left.append((start, cut_start))
            if cut_end < end:
                left.append((cut_end, end))
        pieces = left
    return pieces


def _day_spans(event: dict) -> list[tuple[datetime, datetime]]:
    return [(datetime.fromisoformat(f"{d['date']}T{d['start']}"), datetime.fromisoformat(f"{d['date']}T{d['end']}"))
            for d in event["event"]["days"]]


def _spans(windows: list[dict]) -> list[tuple[datetime, datetime]]:
    return [(datetime.fromisoformat(w["start"]), datetime.fromisoformat(w["end"])) for w in windows]


def _as_windows(spans: list[tuple[datetime, datetime]]) -> list[dict]:
    return [{"start": f"{s:%Y-%m-%dT%H:%M}", "end": f"{e:%Y-%m-%dT%H:%M}"} for s, e in spans]


def closures_of(available: list[dict] | None, event: dict) -> list[dict]:
    """A room's closures: the hours of each day in which it is not open (none when it is always open). Only
    the days' hours count: no meeting is held outside them (rule 2)."""
    if available is None:
        return []
    open_hours = _spans(available)
    return _as_windows([piece for day in _day_spans(event) for piece in _minus(day, open_hours)])


def available_of(closures: list[dict], event: dict) -> list[dict] | None:
    """A room's open hours from its closures: each day's hours but the closures (None: always open)."""
    if not closures:
        return None
    return _as_windows([piece for day in _day_spans(event) for piece in _minus(day, _spans(closures))])


# --- the event at a glance -----------------------------------------------------------------------------


def anchor(kind: Kind, item_id: str) -> str:
    return f"{kind.one}-{item_id}"


@router.get("/desk/event")
async def event_page(request: Request, saved: str = "") -> HTMLResponse:
    """Delegations, rooms and programme items, each with its Edit link; after a save, a line saying what
    was saved (built from the event and its audit trail: the URL names only the row)."""
    desk = await desk_of(request, host=True)
    context = await page_context(request, desk, "event", title="Event")
    event = context["event"]
    rooms = {r["id"]: r["name"] for r in event["rooms"]}
    for room in event["rooms"]:
        room["closures"] = closures_of(room.get("available"), event)
    notice = await _saved_line(request, desk, event, saved) if saved else None
    return render("event.html", {**context, "room_names": rooms, "notice": notice})


async def _saved_line(request: Request, desk: Desk, event: dict, saved: str) -> str | None:
    for kind in (DELEGATIONS, ROOMS, PROGRAMME):
        item = next((i for i in event[kind.path] if anchor(kind, i["id"]) == saved), None)
        if item is not None:
            break
    else:
        return None
    entries = await call_ok(request, desk, "GET", event_path(desk, "/audit"), params={"limit": 50})
    entry = next((e for e in entries if e["target"] == item["id"] and e["action"] in
                  (f"{kind.one}.update", f"{kind.one}.add")), None)
    words = {**FIELD_WORDS, **(ROOM_FIELD_WORDS if kind is ROOMS else {})}
    changed = (entry or {}).get("detail", {}).get("fields", [])
    fields = list(dict.fromkeys(words.get(f, f.replace("_", " ")) for f in changed if f != "id"))
    what = f"{item.get('name') or item.get('title')} ({item['id']})"
    if entry is not None and entry["action"].endswith(".add"):
        return f"Added {what}."
    return f"Saved {what}" + (f": {', '.join(fields)}." if fields else ".")


# --- the forms -----------------------------------------------------------------------------------------


def _item(event: dict, kind: Kind, item_id: str) -> dict:
    item = next((i for i in event[kind.path] if i["id"] == item_id), None)
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=[{"loc": ["path"], "msg": f"{kind.one} {item_id!r} "
                                                                "not found", "type": "not_found"}])
    return item


def _values(kind: Kind, item: dict, event: dict) -> dict[str, Any]:
    """What a form shows of a stored item, as text."""
    first_day = event["event"]["days"][0]["date"]
    if kind is DELEGATIONS:
        limit = item.get("max_meetings_per_day")
        return {"name": item["name"], "head": item.get("head", ""), "size": item.get("size", 2),
                "level": item.get("level", 0), "languages": ", ".join(item.get("languages") or []),
                "max_meetings_per_day": "" if limit is None else limit,
                "home_room": item.get("home_room") or "",
                "available_mode": "always" if item.get("available") is None else "windows",
                "available": _rows_of(item.get("available"), first_day)}
    if kind is ROOMS:
        return {"id": item["id"], "name": item["name"], "capacity": item.get("capacity", ""),
                "level": item.get("level", 0),
                "features": ", ".join(item.get("features") or []), "reserved_for": item.get("reserved_for") or "",
                "closures": _rows_of(closures_of(item.get("available"), event), first_day)}
    return {"id": item["id"], "title": item["title"], "start_day": item["start"][:10], "start": item["start"][11:16],
            "end_day": item["end"][:10], "end": item["end"][11:16],
            "attendees_mode": "everyone" if item.get("attendees") is None else "these",
            "attendees": list(item.get("attendees") or []), "room": item.get("room") or ""}


def _posted(kind: Kind, form: dict, days: set[str]) -> dict[str, Any]:
    """What the form sent, as text (shown again as typed when the API refuses it)."""
    text = {k: str(v) for k, v in form.items() if k not in ("multi", "csrf") and isinstance(v, str)}
    if kind is DELEGATIONS:
        return {**text, "available": _posted_rows(form, "available", days)}
    if kind is ROOMS:
        return {**text, "closures": _posted_rows(form, "closures", days)}
    for key in ("start_day", "end_day"):
        text[key] = text.get(key) if text.get(key) in days else ""
    return {**text, "attendees": [a for a in form["multi"].getlist("attendees") if a]}


def _body(kind: Kind, values: dict, item: dict, event: dict, errors: dict[str, str]) -> tuple[dict, list[int]]:
    """The item whole as the API takes it: the stored item with the form's fields over it (the fields the
    form does not show stay as they are); the row of each window sent (for the API's messages)."""
    body = dict(item)
    if kind is DELEGATIONS:
        body.update(name=values.get("name", ""), head=values.get("head", ""), size=_number(values.get("size")),
                    level=_number(values.get("level")), languages=_words(values.get("languages")),
                    max_meetings_per_day=_number(values.get("max_meetings_per_day"), optional=True),
                    home_room=values.get("home_room") or None)
        windows, rows = _windows(values["available"], "available", errors)
        body["available"] = None if values.get("available_mode") != "windows" else windows
        return _without_nulls(body, ("home_room", "available"), item), rows
    if kind is ROOMS:
        body.update(name=values.get("name", ""), capacity=_number(values.get("capacity")),
                    level=_number(values.get("level")), features=_words(values.get("features")),
                    reserved_for=values.get("reserved_for") or None)
        closures, rows = _windows(values["closures"], "closures", errors)
        for row, closure in zip(rows, closures, strict=True):
            if closure["end"] <= closure["start"]:
                errors[f"closures-{row}"] = "the closure's end is not after its start"
        if closures == closures_of(item.get("available"), event):
            body["available"] = item.get("available")  # unchanged: kept as written
        else:
            body["available"] = available_of(closures, event)
        return _without_nulls(body, ("reserved_for", "available"), item), []
    start, end = hhmm(values.get("start", "")), hhmm(values.get("end", ""))
    for field, typed in (("start", start), ("end", end)):
        if typed is None:
            errors[field] = BAD_TIME
    if not values.get("start_day"):
        errors["start"] = "choose a day"
    body.update(title=values.get("title", ""), start=f"{values.get('start_day')}T{start}",
                end=f"{values.get('end_day') or values.get('start_day')}T{end}", room=values.get("room") or None,
                attendees=values["attendees"] if values.get("attendees_mode") == "these" else None)
    return _without_nulls(body, ("room", "attendees"), item), []


# the contract's defaults: a field the item did not write and the form leaves at its default stays unwritten
# (so that the audit names only what the host changed)
DEFAULTS = {"level": 0, "size": 2, "languages": [], "features": [], "max_meetings_per_day": None}


def _without_nulls(body: dict, optional: tuple[str, ...], item: dict) -> dict:
    """An optional field left empty is left out (the contract's "omitted"), never sent as null; a default
    the item did not write stays unwritten."""
    return {k: v for k, v in body.items() if not (k in optional and v is None)
            and not (k not in item and k in DEFAULTS and v == DEFAULTS[k])}


def _errors(kind: Kind, detail: list[dict] | None, rows: list[int]) -> dict[str, str]:
    """The API's 422 by the form's field: a window's problem beside its row, the others by field."""
    errors: dict[str, str] = {}
    rest = []
    for item in detail or []:
        loc = item.get("loc") or []
        if kind is DELEGATIONS and loc[:2] == ["body", "available"] and len(loc) > 2 and isinstance(loc[2], int) \
                and loc[2] < len(rows):
            errors.setdefault(f"available-{rows[loc[2]]}", item.get("msg", ""))
        else:
            rest.append(item)
    renamed = {"available": "closures"} if kind is ROOMS else None
    fields = kind.fields + (("closures",) if kind is ROOMS else ())
    return {**field_errors(rest, fields, renamed), **errors}


def _blank(kind: Kind, event: dict) -> dict:
    """A new room or programme item, before the host fills it in (a programme item: the first day's hours)."""
    day = event["event"]["days"][0]
    if kind is ROOMS:
        return {"id": "", "name": "", "capacity": ""}
    return {"id": "", "title": "", "start": f"{day['date']}T{day['start']}", "end": f"{day['date']}T{day['end']}"}


NEW_PATHS = {ROOMS.path: "/desk/event/new-room", PROGRAMME.path: "/desk/event/new-programme"}


async def _form(request: Request, desk: Desk, kind: Kind, item_id: str | None, values: dict | None = None,
                errors: dict | None = None, code: int = 200, notice: str | None = None) -> HTMLResponse:
    """The item's form (`item_id` None: a new room or programme item, with its id to give)."""
    title = f"Edit {kind.one} {item_id}" if item_id is not None else f"New {kind.one}"
    context = await page_context(request, desk, "event", title=title)
    event = context["event"]
    item = _item(event, kind, item_id) if item_id is not None else _blank(kind, event)
    action = NEW_PATHS[kind.path] if item_id is None else f"/desk/event/{kind.path}/{quote(item_id, safe='')}"
    return render(kind.template, {**context, "item": item, "kind": kind, "days": form_days(event, item),
                                  "values": values or _values(kind, item, event), "errors": errors or {},
                                  "revision": event["revision"], "notice": notice, "new": item_id is None,
                                  "room_options": [(r["id"], r["name"]) for r in event["rooms"]],
                                  "delegation_options": [(d["id"], d["name"]) for d in event["delegations"]],
                                  "action": action}, code)


async def _save(request: Request, kind: Kind, item_id: str | None) -> Response:
    """Save the form through the API (`item_id` None: add a new one): back to the event's row on success;
    the form again, with the words beside the fields, on a 422 (or a 409: the id is taken); the form as the
    event is now on a 412."""
    desk = await desk_of(request, host=True)
    form = await checked_form(request, desk)
    event = await call_ok(request, desk, "GET", event_path(desk))
    item = _item(event, kind, item_id) if item_id is not None else _blank(kind, event)
    values = _posted(kind, form, {d["value"] for d in form_days(event, item)})
    errors: dict[str, str] = {}
    body, rows = _body(kind, values, item, event, errors)
    if item_id is None:
        body["id"] = str(values.get("id") or "").strip()
    if errors:  # times the desk cannot read: said beside their fields before anything is sent
        return await _form(request, desk, kind, item_id, values, errors, status.HTTP_422_UNPROCESSABLE_CONTENT)
    path = f"/{kind.path}" if item_id is None else f"/{kind.path}/{quote(item_id, safe='')}"
    response = await api(request, desk, "POST" if item_id is None else "PUT", event_path(desk, path), json=body,
                         headers={"If-Match": f'"{form.get("revision")}"'})
    if response.status_code in (status.HTTP_200_OK, status.HTTP_201_CREATED):
        saved = quote(anchor(kind, body["id"]), safe="")
        return RedirectResponse(f"/desk/event?saved={saved}#{saved}", status.HTTP_303_SEE_OTHER)
    if response.status_code in (status.HTTP_422_UNPROCESSABLE_CONTENT, status.HTTP_409_CONFLICT):
        errors = _errors(kind, response.json().get("detail"), rows)
        return await _form(request, desk, kind, item_id, values, errors, response.status_code)
    if response.status_code == status.HTTP_412_PRECONDITION_FAILED:
        fresh = values if item_id is None else None  # a new item's form keeps what was typed
        return await _form(request, desk, kind, item_id, fresh, code=response.status_code, notice=CHANGED_MEANWHILE)
    raise refusal(response)


@router.get("/desk/event/new-room")
async def new_room_form(request: Request) -> HTMLResponse:
    return await _form(request, await desk_of(request, host=True), ROOMS, None)


@router.post("/desk/event/new-room")
async def add_room(request: Request) -> Response:
    return await _save(request, ROOMS, None)


@router.get("/desk/event/new-programme")
async def new_programme_form(request: Request) -> HTMLResponse:
    return await _form(request, await desk_of(request, host=True), PROGRAMME, None)


@router.post("/desk/event/new-programme")
async def add_programme_item(request: Request) -> Response:
    return await _save(request, PROGRAMME, None)


@router.get("/desk/event/delegations/{delegation_id}")
async def delegation_form(request: Request, delegation_id: str, add_start: str = "", add_end: str = ""
                          ) -> HTMLResponse:
    """A delegation's form; `add_start` and `add_end` (the event's wall-clock times) fill in a window a solve
    showed would let a left-out request in, not yet saved."""
    desk = await desk_of(request, host=True)
    if not add_start:
        return await _form(request, desk, DELEGATIONS, delegation_id)
    event = await call_ok(request, desk, "GET", event_path(desk))
    values = _values(DELEGATIONS, _item(event, DELEGATIONS, delegation_id), event)
    values, notice = _suggested_window(event, values, add_start, add_end)
    return await _form(request, desk, DELEGATIONS, delegation_id, values, notice=notice)


def _suggested_window(event: dict, values: dict, start: str, end: str) -> tuple[dict, str]:
    """The delegation's windows with the suggested one filled into the first empty row, and the line that says
    so (in the event's words, never the URL's): only times on one day of the event are taken."""
    days = {d["date"] for d in event["event"]["days"]}
    readable = all(LOCAL_MOMENT.fullmatch(t) and t[:10] in days and hhmm(t[11:]) for t in (start, end))
    if not readable or start[:10] != end[:10] or end <= start:
        return values, "The suggested window is not a time of this event: nothing is filled in."
    rows = [r for r in values["available"] if r["start"] or r["end"]]
    rows.append({"day": start[:10], "start": start[11:16], "end": end[11:16], "end_day": ""})
    spare = [{"day": start[:10], "start": "", "end": "", "end_day": ""} for _ in range(SPARE_ROWS - 1)]
    line = (f"Suggested by the last solve: also available {event_time(start)}–{end[11:16]}. Not saved yet: "
            "check it and save.")
    return {**values, "available_mode": "windows", "available": rows + spare}, line


@router.post("/desk/event/delegations/{delegation_id}")
async def save_delegation(request: Request, delegation_id: str) -> Response:
    return await _save(request, DELEGATIONS, delegation_id)


@router.get("/desk/event/rooms/{room_id}")
async def room_form(request: Request, room_id: str) -> HTMLResponse:
    return await _form(request, await desk_of(request, host=True), ROOMS, room_id)


@router.post("/desk/event/rooms/{room_id}")
async def save_room(request: Request, room_id: str) -> Response:
    return await _save(request, ROOMS, room_id)


@router.get("/desk/event/programme/{item_id}")
async def programme_form(request: Request, item_id: str) -> HTMLResponse:
    return await _form(request, await desk_of(request, host=True), PROGRAMME, item_id)


@router.post("/desk/event/programme/{item_id}")
async def save_programme_item(request: Request, item_id: str) -> Response:
    return await _save(request, PROGRAMME, item_id)
