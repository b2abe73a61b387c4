"""The liaison's desk pages: its delegation's requests and proposals, its published agenda, its calendar link.

The agenda shows what the API's liaison schedule holds, which `scheduler.publish.delegation_view` decides.
"""

from __future__ import annotations

from datetime import datetime

import segno
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.web.session import Desk
from api.web.shared import act, api, call_ok, day_choices, desk_of, event_path, local_time, page_context, render

router = APIRouter(include_in_schema=False)


@router.get("/desk/proposals")
async def proposals(request: Request) -> HTMLResponse:
    return await proposals_page(request, await desk_of(request, host=False))


async def proposals_page(request: Request, desk: Desk, form: dict | None = None, errors: dict | None = None,
                          code: int = 200) -> HTMLResponse:
    rows = await call_ok(request, desk, "GET", event_path(desk, "/requests"))
    context = await page_context(request, desk, "proposals", title="Requests")
    me, names = desk.identity.delegation, context["names"]
    for r in rows:
        r["others"] = [names.get(p, p) for p in r["parties"] if p != me]
        r["proposer"] = names.get(r["proposed_by"], r["proposed_by"])
    waiting = [r for r in rows if r["status"] == "proposed" and me not in r["accepted_by"]]
    counterparts = [d for d in context["event"]["delegations"] if d["id"] != me]
    context.update(rows=rows, waiting=waiting, form=form or {}, errors=errors or {}, counterparts=counterparts,
                   party_fields=2, required_parties=1, form_action="/desk/requests", days=day_choices(context["event"]))
    return render("proposals.html", context, code)


# --- the liaison's agenda and calendar link ------------------------------------------------------------


@router.get("/desk/agenda")
async def agenda(request: Request) -> HTMLResponse:
    desk = await desk_of(request, host=False)
    context = await page_context(request, desk, "agenda", title="Agenda")
    response = await api(request, desk, "GET", event_path(desk, "/schedule"))
    if response.status_code == 404:
        return render("agenda.html", {**context, "version": None})
    schedule = response.json()
    event = context["event"]
    zone, names = event["event"]["timezone"], context["names"]
    rooms = {r["id"]: r["name"] for r in event["rooms"]}
    days = []
    for day in event["event"]["days"]:
        entries = []
        for m, cancelled in [*((m, False) for m in schedule["meetings"]), *((m, True) for m in schedule["cancelled"])]:
            if local_time(m["start"], zone, "%Y-%m-%d") != day["date"]:
                continue
            others = [names.get(p, p) for p in m["parties"] if p != desk.identity.delegation]
            what = ("Cancelled: " if cancelled else "") + "Meeting with " + ", ".join(others)
            entries.append({"time": f"{local_time(m['start'], zone, '%H:%M')}–{local_time(m['end'], zone, '%H:%M')}",
                            "what": what, "room": rooms.get(m["room"], m["room"]), "cancelled": cancelled,
                            "order": m["start"]})
        title = datetime.fromisoformat(day["date"]).strftime("%A %d %B %Y")
        days.append({"title": title, "entries": sorted(entries, key=lambda e: e["order"])})
    return render("agenda.html", {**context, "version": schedule["version"], "days": days,
                                   "unscheduled": schedule["unscheduled"]})


@router.get("/desk/feed")
async def feed(request: Request) -> HTMLResponse:
    desk = await desk_of(request, host=False)
    context = await page_context(request, desk, "feed", title="Calendar link")
    links = await call_ok(request, desk, "GET", event_path(desk, "/feeds"))
    link = links[0]
    qr = segno.make(link["webcal"], error="m").svg_inline(scale=5, title="QR code of the calendar link")
    return render("feed.html", {**context, "feed": link, "qr": qr})


@router.post("/desk/feed/rotate")
async def rotate_feed(request: Request) -> RedirectResponse:
    desk = await desk_of(request, host=False)
    return await act(request, "POST", f"/delegations/{desk.identity.delegation}/feed-token", "/desk/feed", host=False,
                     notice="New link made: the old one no longer works. Subscribe again with the link below.")
