"""The protocol desk: server-rendered pages over the service's own HTTP API.

Every page reads and writes through the public API (in process, with the session's token), never through
the database: a liaison's page can show only what the API lets that liaison read. Forms post back here,
with a CSRF token; the API's 422 messages are shown next to the fields they name.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import jinja2
import segno
from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.web.session import (
    COOKIE,
    SIGN_IN_COOKIE,
    Desk,
    csrf_ok,
    current_desk,
    end_session,
    open_session,
    set_cookie,
    sign_in_token,
)
from scheduler.contract.document import ScheduledMeeting
from scheduler.publish.revisions import difference, room_and_start

HERE = Path(__file__).parent
STATIC = HERE / "static"
# autoescape everywhere: a delegation named "<script>" is shown as text
templates = Jinja2Templates(env=jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                                                   autoescape=True))
templates.env.filters["number"] = lambda v: f"{v:g}" if isinstance(v, float) else v  # 12.0 reads 12
router = APIRouter(include_in_schema=False)
SORTS = (("id", "request"), ("priority", "priority, highest first"), ("status", "status"), ("duration", "minutes"))


# --- plumbing ------------------------------------------------------------------------------------------


class _Away(HTTPException):
    """Send the browser elsewhere (sign-in, or its own home)."""

    def __init__(self, to: str):
        super().__init__(status.HTTP_303_SEE_OTHER, headers={"Location": to})


def _desk(request: Request, host: bool | None = None) -> Desk:
    desk = current_desk(request)
    if desk is None:
        raise _Away("/desk/sign-in")
    if host is not None and desk.identity.is_host != host:
        raise _Away("/desk")
    return desk


async def _form(request: Request, desk: Desk) -> dict[str, Any]:
    form = await request.form()
    if not csrf_ok(desk, form.get("csrf")):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=[{"loc": ["body", "csrf"],
                                                                 "msg": "the form's CSRF token is missing or wrong",
                                                                 "type": "csrf"}])
    return {"multi": form, **{k: form.get(k) for k in form}}


async def api(request: Request, desk: Desk, method: str, path: str, **kwargs) -> httpx.Response:
    """Call the service's public API as this session's key."""
    headers = {"Authorization": f"Bearer {desk.token}", **kwargs.pop("headers", {})}
    transport = httpx.ASGITransport(app=request.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://desk.internal") as client:
        return await client.request(method, path, headers=headers, **kwargs)


async def _ok(request: Request, desk: Desk, method: str, path: str, **kwargs) -> Any:
    response = await api(request, desk, method, path, **kwargs)
    if response.status_code >= 400:
        raise HTTPException(response.status_code, detail=response.json().get("detail"))
    return response.json() if response.content else None


def _event_path(desk: Desk, rest: str = "") -> str:
    return f"/events/{desk.identity.event_id}{rest}"


async def _context(request: Request, desk: Desk, page: str, **more: Any) -> dict[str, Any]:
    event = await _ok(request, desk, "GET", _event_path(desk))
    names = {d["id"]: d["name"] for d in event["delegations"]}
    own = names.get(desk.identity.delegation or "", "")
    return {"request": request, "desk": desk, "event": event, "page": page, "names": names,
            "delegation_name": own, "title": more.pop("title", page.capitalize()), **more}


def _render(name: str, context: dict[str, Any], code: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(context["request"], name, context, status_code=code)


def _local(iso: str, zone: str, fmt: str = "%a %d %b %H:%M") -> str:
    return datetime.fromisoformat(iso).astimezone(ZoneInfo(zone)).strftime(fmt)


def _field_errors(detail: list[dict]) -> dict[str, str]:
    """The API's 422 items by the form field they name ("other" for the rest)."""
    errors: dict[str, str] = {}
    for item in detail or []:
        loc = item.get("loc") or []
        field = loc[1] if len(loc) > 1 and loc[0] == "body" else "other"
        field = {"window": "preferred", "id": "other"}.get(field, field)
        errors.setdefault(field if field in ("parties", "duration_minutes", "priority", "preferred") else "other",
                          item.get("msg", ""))
    return errors


# --- signing in and out --------------------------------------------------------------------------------


@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse("/desk", status.HTTP_303_SEE_OTHER)


@router.get("/desk")
async def desk_home(request: Request) -> RedirectResponse:
    desk = _desk(request)
    return RedirectResponse("/desk/requests" if desk.identity.is_host else "/desk/proposals", status.HTTP_303_SEE_OTHER)


@router.get("/desk/sign-in")
async def sign_in_page(request: Request, error: str = "") -> Response:
    if current_desk(request) is not None:
        return RedirectResponse("/desk", status.HTTP_303_SEE_OTHER)
    token = sign_in_token(request)
    response = _render("sign_in.html", {"request": request, "csrf": token, "title": "Sign in", "error": error},
                       status.HTTP_401_UNAUTHORIZED if error else 200)
    set_cookie(request, response, SIGN_IN_COOKIE, token)
    return response


@router.post("/desk/sign-in")
async def sign_in(request: Request) -> Response:
    form = await request.form()
    sent, expected = form.get("csrf"), request.cookies.get(SIGN_IN_COOKIE)
    if not sent or not expected or sent != expected:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=[{"loc": ["body", "csrf"],
                                                                 "msg": "the sign-in form's token is missing or wrong",
                                                                 "type": "csrf"}])
    token = open_session(request, str(form.get("key") or ""))
    if token is None:
        return await sign_in_page(request, error="This key is unknown or revoked.")
    response = RedirectResponse("/desk", status.HTTP_303_SEE_OTHER)
    set_cookie(request, response, COOKIE, token)
    response.delete_cookie(SIGN_IN_COOKIE, path="/")
    return response


@router.post("/desk/sign-out")
async def sign_out(request: Request) -> RedirectResponse:
    desk = _desk(request)
    await _form(request, desk)
    end_session(request, desk)
    response = RedirectResponse("/desk/sign-in", status.HTTP_303_SEE_OTHER)
    response.delete_cookie(COOKIE, path="/")
    return response


# --- requests: the host's table, the liaison's proposals -----------------------------------------------


@router.get("/desk/requests")
async def host_requests(request: Request, status_: str = "", delegation: str = "", priority: str = "",
                        sort: str = "id") -> HTMLResponse:
    desk = _desk(request, host=True)
    status_ = request.query_params.get("status", status_)
    return await _host_requests_page(request, desk, {"status": status_, "delegation": delegation,
                                                     "priority": priority, "sort": sort})


async def _host_requests_page(request: Request, desk: Desk, filters: dict, form: dict | None = None,
                              errors: dict | None = None, code: int = 200) -> HTMLResponse:
    params = {"status": filters["status"]} if filters.get("status") else {}
    rows = await _ok(request, desk, "GET", _event_path(desk, "/requests"), params=params)
    context = await _context(request, desk, "requests", title="Requests")
    if filters.get("delegation"):
        rows = [r for r in rows if filters["delegation"] in r["parties"]]
    if str(filters.get("priority") or "").isdigit():
        rows = [r for r in rows if r["priority"] >= int(filters["priority"])]
    key = {"priority": lambda r: (-r["priority"], r["id"]), "status": lambda r: (r["status"], r["id"]),
           "duration": lambda r: (r["duration_minutes"], r["id"])}.get(filters.get("sort"), lambda r: r["id"])
    for r in rows:
        r["party_names"] = [context["names"].get(p, p) for p in r["parties"]]
    context.update(rows=sorted(rows, key=key), filters=filters, sorts=SORTS, form=form or {}, errors=errors or {},
                   counterparts=context["event"]["delegations"], party_fields=3, required_parties=2,
                   form_action="/desk/requests")
    return _render("host_requests.html", context, code)


def _request_body(form: dict, desk: Desk) -> dict:
    parties = [p for p in form["multi"].getlist("party") if p]
    if not desk.identity.is_host:
        parties = [desk.identity.delegation, *[p for p in parties if p != desk.identity.delegation]]
    body: dict[str, Any] = {"parties": parties}
    for name in ("duration_minutes", "priority"):
        value = form.get(name)
        body[name] = int(value) if str(value or "").isdigit() else value
    if form.get("preferred_start") or form.get("preferred_end"):
        body["preferred"] = [{"start": form.get("preferred_start", "")[:16], "end": form.get("preferred_end", "")[:16]}]
    if desk.identity.is_host and form.get("mandatory"):
        body["mandatory"] = True
    return body


@router.post("/desk/requests")
async def create_request(request: Request) -> Response:
    """The host adds a request, or a liaison proposes one; the API's messages go next to the fields."""
    desk = _desk(request)
    form = await _form(request, desk)
    response = await api(request, desk, "POST", _event_path(desk, "/requests"), json=_request_body(form, desk))
    home = "/desk/requests" if desk.identity.is_host else "/desk/proposals"
    if response.status_code == 201:
        return RedirectResponse(home, status.HTTP_303_SEE_OTHER)
    errors = _field_errors(response.json().get("detail"))
    shown = {"parties": [p for p in form["multi"].getlist("party") if p], **{k: form.get(k) for k in form if k}}
    if desk.identity.is_host:
        empty = {"status": "", "delegation": "", "priority": "", "sort": "id"}
        return await _host_requests_page(request, desk, empty, shown, errors, response.status_code)
    return await _proposals_page(request, desk, shown, errors, response.status_code)


@router.get("/desk/requests/{request_id}")
async def edit_request_page(request: Request, request_id: str) -> HTMLResponse:
    desk = _desk(request, host=True)
    row = await _ok(request, desk, "GET", _event_path(desk, f"/requests/{request_id}"))
    context = await _context(request, desk, "requests", title=f"Request {request_id}")
    return _render("host_request.html", {**context, "row": row, "errors": []})


@router.post("/desk/requests/{request_id}")
async def edit_request(request: Request, request_id: str) -> Response:
    desk = _desk(request, host=True)
    form = await _form(request, desk)
    body = {"duration_minutes": int(form.get("duration_minutes") or 0), "priority": int(form.get("priority") or 0),
            "mandatory": bool(form.get("mandatory"))}
    response = await api(request, desk, "PATCH", _event_path(desk, f"/requests/{request_id}"), json=body,
                         headers={"If-Match": f'"{form.get("revision")}"'})
    if response.status_code == 200:
        return RedirectResponse("/desk/requests", status.HTTP_303_SEE_OTHER)
    raise HTTPException(response.status_code, detail=response.json().get("detail"))


@router.post("/desk/requests/{request_id}/{action}")
async def answer_request(request: Request, request_id: str, action: str) -> Response:
    """Accept, decline or withdraw (the API says who may)."""
    desk = _desk(request)
    form = await _form(request, desk)
    if action not in ("accept", "decline", "delete"):
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    method, path = ("DELETE", "") if action == "delete" else ("POST", f"/{action}")
    response = await api(request, desk, method, _event_path(desk, f"/requests/{request_id}{path}"),
                         headers={"If-Match": f'"{form.get("revision")}"'})
    if response.status_code >= 400:
        raise HTTPException(response.status_code, detail=response.json().get("detail"))
    return RedirectResponse("/desk/requests" if desk.identity.is_host else "/desk/proposals",
                            status.HTTP_303_SEE_OTHER)


@router.get("/desk/proposals")
async def proposals(request: Request) -> HTMLResponse:
    return await _proposals_page(request, _desk(request, host=False))


async def _proposals_page(request: Request, desk: Desk, form: dict | None = None, errors: dict | None = None,
                          code: int = 200) -> HTMLResponse:
    rows = await _ok(request, desk, "GET", _event_path(desk, "/requests"))
    context = await _context(request, desk, "proposals", title="Requests")
    me, names = desk.identity.delegation, context["names"]
    for r in rows:
        r["others"] = [names.get(p, p) for p in r["parties"] if p != me]
        r["proposer"] = names.get(r["proposed_by"], r["proposed_by"])
    waiting = [r for r in rows if r["status"] == "proposed" and me not in r["accepted_by"]]
    counterparts = [d for d in context["event"]["delegations"] if d["id"] != me]
    context.update(rows=rows, waiting=waiting, form=form or {}, errors=errors or {}, counterparts=counterparts,
                   party_fields=2, required_parties=1, form_action="/desk/requests")
    return _render("proposals.html", context, code)


# --- solving and publishing (host) ---------------------------------------------------------------------


@router.get("/desk/solve")
async def solve_page(request: Request) -> HTMLResponse:
    desk = _desk(request, host=True)
    context = await _context(request, desk, "solve", title="Solve")
    solves = await _ok(request, desk, "GET", _event_path(desk, "/solves"))
    zone = context["event"]["event"]["timezone"]
    for s in solves:
        s["created_local"] = _local(s["created_at"], zone)
    return _render("solve.html", {**context, "solves": list(reversed(solves))})


@router.post("/desk/solve")
async def start_solve(request: Request) -> Response:
    desk = _desk(request, host=True)
    form = await _form(request, desk)
    body: dict[str, Any] = {"time_limit": float(form.get("time_limit") or 60)}
    if form.get("stability"):
        body["stability"] = form["stability"]
    if form.get("freeze_before"):
        # the page asks in the event's own time; the API takes an aware instant
        zone = (await _ok(request, desk, "GET", _event_path(desk)))["event"]["timezone"]
        try:
            local = datetime.fromisoformat(form["freeze_before"])
        except ValueError:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=[{
                "loc": ["body", "freeze_before"], "msg": f"not a date and time: {form['freeze_before']!r}",
                "type": "value_error"}]) from None
        body["freeze_before"] = local.replace(tzinfo=ZoneInfo(zone)).isoformat()
    solve = await _ok(request, desk, "POST", _event_path(desk, "/solves"), json=body)
    return RedirectResponse(f"/desk/solves/{solve['id']}", status.HTTP_303_SEE_OTHER)


@router.get("/desk/solves/{solve_id}")
async def solve_result(request: Request, solve_id: str) -> HTMLResponse:
    desk = _desk(request, host=True)
    solve = await _ok(request, desk, "GET", _event_path(desk, f"/solves/{solve_id}"))
    context = await _context(request, desk, "solve", title=f"Solve {solve_id}")
    if solve.get("freeze_before"):
        solve["freeze_local"] = _local(solve["freeze_before"], context["event"]["event"]["timezone"])
    diff = None
    if solve["state"] == "done" and solve["scheduled_priority"] is not None:
        found = await _ok(request, desk, "GET", _event_path(desk, f"/solves/{solve_id}/schedule"))
        published = await api(request, desk, "GET", _event_path(desk, "/schedule"))
        before = published.json()["document"]["meetings"] if published.status_code == 200 else []
        diff = _difference(before, found["meetings"], context)
    return _render("solve_result.html", {**context, "solve": solve, "diff": diff,
                                         "published_version": context["event"]["published_version"]})


def _difference(before: list[dict], after: list[dict], context: dict) -> dict:
    """Moved, new and cancelled meetings of a solve against the published version."""
    zone = context["event"]["event"]["timezone"]
    rooms = {r["id"]: r["name"] for r in context["event"]["rooms"]}

    def where(m: ScheduledMeeting | None) -> str:
        return f"{_local(m.start, zone)}, {rooms.get(m.room, m.room)}" if m else ""

    def typed(meetings: list[dict]) -> list[ScheduledMeeting]:
        return [ScheduledMeeting.model_validate(m) for m in meetings]

    diff = difference(typed(before), typed(after), room_and_start)
    rows = [{"request": c.request, "change": c.kind, "before": where(c.before), "after": where(c.after)}
            for c in diff.changes if c.kind != "unchanged"]
    return {**{kind: list(diff.of(kind)) for kind in ("unchanged", "moved", "new", "cancelled")}, "rows": rows}


@router.get("/desk/solves/{solve_id}/state")
async def solve_state(request: Request, solve_id: str) -> JSONResponse:
    """The solve's state and progress, for the page's live view."""
    desk = _desk(request, host=True)
    return JSONResponse(await _ok(request, desk, "GET", _event_path(desk, f"/solves/{solve_id}")))


async def _act(request: Request, method: str, path: str, then: str, host: bool = True) -> RedirectResponse:
    """A button's form: check its token, make the one API call it stands for, go to the page to see next."""
    desk = _desk(request, host=host)
    await _form(request, desk)
    await _ok(request, desk, method, _event_path(desk, path))
    return RedirectResponse(then, status.HTTP_303_SEE_OTHER)


@router.post("/desk/solves/{solve_id}/cancel")
async def cancel_solve(request: Request, solve_id: str) -> RedirectResponse:
    return await _act(request, "DELETE", f"/solves/{solve_id}", f"/desk/solves/{solve_id}")


@router.post("/desk/solves/{solve_id}/publish")
async def publish(request: Request, solve_id: str) -> RedirectResponse:
    return await _act(request, "POST", f"/solves/{solve_id}/publish", "/desk/plan")


@router.get("/desk/plan")
async def plan(request: Request) -> HTMLResponse:
    desk = _desk(request, host=True)
    context = await _context(request, desk, "plan", title="Room plan")
    return _render("plan.html", {**context, "version": context["event"]["published_version"]})


@router.get("/desk/plan/grid")
async def plan_grid(request: Request) -> HTMLResponse:
    desk = _desk(request, host=True)
    response = await api(request, desk, "GET", _event_path(desk, "/grid"))
    if response.status_code != 200:
        raise HTTPException(response.status_code, detail=response.json().get("detail"))
    return HTMLResponse(response.text)


# --- keys and feeds (host) -----------------------------------------------------------------------------


@router.get("/desk/keys")
async def keys_page(request: Request, issued: dict | None = None) -> HTMLResponse:
    desk = _desk(request, host=True)
    context = await _context(request, desk, "keys", title="Keys")
    keys = await _ok(request, desk, "GET", _event_path(desk, "/keys"))
    zone = context["event"]["event"]["timezone"]
    for k in keys:
        k["created_local"] = _local(k["created_at"], zone)
        k["revoked_local"] = _local(k["revoked_at"], zone) if k["revoked_at"] else ""
    return _render("keys.html", {**context, "keys": keys, "issued": issued})


@router.post("/desk/keys")
async def issue_key(request: Request) -> HTMLResponse:
    desk = _desk(request, host=True)
    form = await _form(request, desk)
    body = {"role": form.get("role"), "label": form.get("label") or ""}
    if form.get("role") == "liaison":
        body["delegation"] = form.get("delegation") or None
    issued = await _ok(request, desk, "POST", _event_path(desk, "/keys"), json=body)
    return await keys_page(request, issued)


@router.post("/desk/keys/{key_id}/revoke")
async def revoke_key(request: Request, key_id: str) -> RedirectResponse:
    return await _act(request, "DELETE", f"/keys/{key_id}", "/desk/keys")


@router.get("/desk/feeds")
async def feeds_page(request: Request) -> HTMLResponse:
    desk = _desk(request, host=True)
    context = await _context(request, desk, "feeds", title="Feeds")
    rooms = {r["id"]: r["name"] for r in context["event"]["rooms"]}
    feeds = await _ok(request, desk, "GET", _event_path(desk, "/feeds"))
    for f in feeds:
        f["label"] = {"delegation": context["names"], "room": rooms}.get(f["kind"], {}).get(f["subject"], f["subject"])
    return _render("feeds.html", {**context, "feeds": feeds})


# --- the liaison's agenda and calendar link ------------------------------------------------------------


@router.get("/desk/agenda")
async def agenda(request: Request) -> HTMLResponse:
    desk = _desk(request, host=False)
    context = await _context(request, desk, "agenda", title="Agenda")
    response = await api(request, desk, "GET", _event_path(desk, "/schedule"))
    if response.status_code == 404:
        return _render("agenda.html", {**context, "version": None})
    schedule = response.json()
    event = context["event"]
    zone, names = event["event"]["timezone"], context["names"]
    rooms = {r["id"]: r["name"] for r in event["rooms"]}
    days = []
    for day in event["event"]["days"]:
        entries = []
        for m, cancelled in [*((m, False) for m in schedule["meetings"]), *((m, True) for m in schedule["cancelled"])]:
            if _local(m["start"], zone, "%Y-%m-%d") != day["date"]:
                continue
            others = [names.get(p, p) for p in m["parties"] if p != desk.identity.delegation]
            what = ("Cancelled: " if cancelled else "") + "Meeting with " + ", ".join(others)
            entries.append({"time": f"{_local(m['start'], zone, '%H:%M')}–{_local(m['end'], zone, '%H:%M')}",
                            "what": what, "room": rooms.get(m["room"], m["room"]), "cancelled": cancelled,
                            "order": m["start"]})
        title = datetime.fromisoformat(day["date"]).strftime("%A %d %B %Y")
        days.append({"title": title, "entries": sorted(entries, key=lambda e: e["order"])})
    return _render("agenda.html", {**context, "version": schedule["version"], "days": days,
                                   "unscheduled": schedule["unscheduled"]})


@router.get("/desk/feed")
async def feed(request: Request) -> HTMLResponse:
    desk = _desk(request, host=False)
    context = await _context(request, desk, "feed", title="Calendar link")
    links = await _ok(request, desk, "GET", _event_path(desk, "/feeds"))
    link = links[0]
    qr = segno.make(link["webcal"], error="m").svg_inline(scale=5, title="QR code of the calendar link")
    return _render("feed.html", {**context, "feed": link, "qr": qr})


@router.post("/desk/feed/rotate")
async def rotate_feed(request: Request) -> RedirectResponse:
    desk = _desk(request, host=False)
    return await _act(request, "POST", f"/delegations/{desk.identity.delegation}/feed-token", "/desk/feed", host=False)


HEADINGS = {400: "That did not work", 403: "Not allowed", 404: "Not found", 409: "Not now", 412: "Changed meanwhile",
            422: "The service did not accept this"}


def error_page(request: Request, exc: HTTPException) -> Response:
    """Errors of the desk's pages as a page (its redirects as redirects)."""
    if 300 <= exc.status_code < 400:
        return Response(status_code=exc.status_code, headers=exc.headers)
    detail = exc.detail if isinstance(exc.detail, list) else [{"msg": str(exc.detail)}]
    messages = [d.get("msg", str(d)) if isinstance(d, dict) else str(d) for d in detail]
    if exc.status_code == 412:
        messages.append("Someone changed it since you opened the page: open it again and repeat your change.")
    context = {"request": request, "desk": current_desk(request), "title": "Error", "event": None,
               "heading": HEADINGS.get(exc.status_code, "Something went wrong"), "messages": messages}
    return _render("error.html", context, exc.status_code)
