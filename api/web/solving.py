"""The host's solving pages: ask for a solve, watch it in words, read its result (the proposed schedule, what
would change against the published version, the left-out requests grouped by cause with the edits that would
let them in) and publish it after a confirmation that says what will reach which delegations.

A result solved from an older state of the event (the API's `changed_since`) cannot be published: its page
says what changed since and offers to solve again with the same options.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from api.progress_words import figures_words
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
SOLVE_FIELDS = ("time_limit", "stability", "freeze_before", "move_cost", "choices")


# --- asking for a solve --------------------------------------------------------------------------------


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
                                 "errors": errors or {}, "days": day_choices(context["event"])}, code)


def _freeze_before(form: dict) -> tuple[str | None, str | None]:
    """The held-already time as the API takes it (event time, `2024-11-01T13:00`) from the day and the time
    typed, or the words that say what is missing; the API reads the time itself and names what it refuses."""
    day, time = str(form.get("freeze_day") or ""), str(form.get("freeze_time") or "").strip()
    if not day and not time:
        return None, None
    if not day or not time:
        return None, "give both the day and the time (HH:MM, e.g. 13:00), or neither"
    if not re.fullmatch(r"[0-2][0-9]:[0-5][0-9]", time):
        return None, f"write the time as HH:MM on the 24-hour clock, e.g. 13:00 (not {time!r})"
    return f"{day}T{time}", None


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
    freeze, wrong = _freeze_before(form)
    if wrong is not None:
        shown = {k: form.get(k) for k in (*SOLVE_FIELDS, "freeze_day", "freeze_time")}
        return await _solve_page(request, desk, shown, {"freeze_before": wrong}, 422)
    if freeze is not None:
        # in the event's own time, as the API takes it: one reading of it, the API's, which refuses a time the
        # clocks skip or show twice
        body["freeze_before"] = freeze
    return await _started(request, desk, body, form)


async def _started(request: Request, desk: Desk, body: dict, form: dict) -> Response:
    response = await api(request, desk, "POST", event_path(desk, "/solves"), json=body)
    if response.status_code == status.HTTP_422_UNPROCESSABLE_CONTENT:  # the words go next to the field they name
        errors = field_errors(response.json().get("detail"), SOLVE_FIELDS)
        shown = {k: form.get(k) for k in (*SOLVE_FIELDS, "freeze_day", "freeze_time")}
        return await _solve_page(request, desk, shown, errors, 422)
    if response.status_code >= 400:
        raise refusal(response)
    return RedirectResponse(f"/desk/solves/{response.json()['id']}", status.HTTP_303_SEE_OTHER)


@router.post("/desk/solves/{solve_id}/again")
async def solve_again(request: Request, solve_id: str) -> Response:
    """A new solve of the event as it is now, with the options of this one (its result was solved from an
    older state)."""
    desk = await desk_of(request, host=True)
    form = await checked_form(request, desk)
    old = await call_ok(request, desk, "GET", event_path(desk, f"/solves/{solve_id}"))
    body: dict[str, Any] = {"time_limit": old["time_limit"], "choices": bool(old.get("choices"))}
    if old.get("stability"):
        body["stability"] = old["stability"]
    if old.get("move_cost"):
        body["move_cost"] = old["move_cost"]
    if old.get("freeze_before"):
        body["freeze_before"] = old["freeze_before"]
    if not (await call_ok(request, desk, "GET", event_path(desk)))["published_version"]:
        body = {k: v for k, v in body.items() if k in ("time_limit",)}  # nothing to keep to any more
    return await _started(request, desk, body, form)


# --- watching it and reading its result ----------------------------------------------------------------


@router.get("/desk/solves/{solve_id}")
async def solve_result(request: Request, solve_id: str) -> HTMLResponse:
    desk = await desk_of(request, host=True)
    solve = await call_ok(request, desk, "GET", event_path(desk, f"/solves/{solve_id}"))
    context = await page_context(request, desk, "solve", title=f"Solve {solve_id}")
    zone = context["event"]["event"]["timezone"]
    solve["created_local"] = local_time(solve["created_at"], zone)
    if solve.get("freeze_before"):
        solve["freeze_local"] = local_time(solve["freeze_before"], zone)
    diff, choices, left_out = None, [], []
    if solve["state"] == "done" and solve["scheduled_priority"] is not None:
        found = await call_ok(request, desk, "GET", event_path(desk, f"/solves/{solve_id}/schedule"))
        diff = _difference(await _published_meetings(request, desk), found["meetings"], context)
    if solve.get("choices"):
        choices = await call_ok(request, desk, "GET", event_path(desk, f"/solves/{solve_id}/choices"))
    if solve.get("unscheduled"):
        left_out = await _left_out_groups(request, desk, solve["unscheduled"], context)
    delegation = request.query_params.get("delegation", "")
    return render("solve_result.html", {
        **context, "solve": solve, "diff": diff, "choices": choices, "left_out": left_out,
        "published_version": context["event"]["published_version"], "summary": result_summary(solve),
        "stale": changed_since_solved(solve),
        "delegation": delegation if delegation in context["names"] else "",
    })


def changed_since_solved(solve: dict) -> list[str]:
    """What changed in the event since the solve read it, less its own publication: the API lists that first
    in `changed_since` (publishing it again is refused), and a page says it on its own ("Published as …")."""
    changes = solve.get("changed_since") or []
    return changes[1:] if solve.get("published_as") else changes


def result_summary(solve: dict) -> str | None:
    """"118 of 120 meetings placed · priority 338 · best possible: proven", in the words of its progress."""
    if solve.get("scheduled_priority") is None or solve.get("meetings") is None:
        return None
    asked = solve["meetings"] + len(solve.get("unscheduled") or [])
    return figures_words(solve["meetings"], asked, solve["scheduled_priority"], solve["upper_bound"])


async def _published_meetings(request: Request, desk: Desk) -> list[dict]:
    published = await api(request, desk, "GET", event_path(desk, "/schedule"))
    return published.json()["document"]["meetings"] if published.status_code == 200 else []


def _difference(before: list[dict], after: list[dict], context: dict) -> dict:
    """Moved, new and cancelled meetings of a solve against the published version, and how many of each
    every delegation would see (what a publication reaches)."""
    zone = context["event"]["event"]["timezone"]
    rooms = {r["id"]: r["name"] for r in context["event"]["rooms"]}

    def where(m: ScheduledMeeting | None) -> str:
        return f"{local_time(m.start, zone)}, {rooms.get(m.room, m.room)}" if m else ""

    def typed(meetings: list[dict]) -> list[ScheduledMeeting]:
        return [ScheduledMeeting.model_validate(m) for m in meetings]

    diff = difference(typed(before), typed(after), room_and_start)
    changed = [c for c in diff.changes if c.kind != "unchanged"]
    rows = [{"request": c.request, "change": c.kind, "before": where(c.before), "after": where(c.after),
             "parties": ", ".join(context["names"].get(p, p) for p in (c.after or c.before).parties)}
            for c in changed]
    reach: dict[str, Counter] = defaultdict(Counter)
    for c in changed:
        for party in (c.after or c.before).parties:
            reach[party][c.kind] += 1
    reached = [{"delegation": d, "name": context["names"].get(d, d), **reach[d]} for d in sorted(reach)]
    counts = {kind: len(list(diff.of(kind))) for kind in ("unchanged", "moved", "new", "cancelled")}
    return {**counts, "rows": rows, "reached": reached, "meetings": len(after)}


async def _left_out_groups(request: Request, desk: Desk, unscheduled: list[dict], context: dict) -> list[dict]:
    """The left-out requests grouped by what keeps them out most (largest group first), each with its
    parties and its edits as links into the desk's forms."""
    rows = await call_ok(request, desk, "GET", event_path(desk, "/requests"))
    parties = {r["id"]: r["parties"] for r in rows}
    groups: dict[str, list[dict]] = defaultdict(list)
    for u in unscheduled:
        who = ", ".join(context["names"].get(p, p) for p in parties.get(u["request"], []))
        actions = [edit_action(e, context) for e in u.get("edits") or []]
        said = {a["words"] for a in actions}
        groups[u["heading"]].append({**u, "who": who, "actions": actions,
                                     "other_what_if": [w for w in u.get("what_if") or [] if w not in said]})
    return [{"heading": h, "items": items} for h, items in sorted(groups.items(), key=lambda g: (-len(g[1]), g[0]))]


def edit_action(edit: dict, context: dict) -> dict[str, str]:
    """A confirmed what-if as a link that opens its form with the value filled in (nothing is saved until
    the officer saves it)."""
    zone = context["event"]["event"]["timezone"]

    def local(iso: str | None) -> str:
        return local_time(iso, zone, "%Y-%m-%dT%H:%M") if iso else ""

    subject, kind = edit["subject"], edit["kind"]
    rooms = {r["id"]: r["name"] for r in context["event"]["rooms"]}
    if kind == "pin":
        query = {"pin_start": local(edit["start"]), "pin_room": edit.get("room") or ""}
        label = f"Pin {subject} at {local_time(edit['start'], zone)} in {rooms.get(edit['room'], edit['room'])}"
        href = f"/desk/requests/{quote(subject)}?{urlencode(query)}"
    elif kind == "duration":
        label = f"Shorten {subject} to {edit['minutes']} min"
        href = f"/desk/requests/{quote(subject)}?{urlencode({'duration_minutes': edit['minutes']})}"
    elif kind == "availability":
        name = context["names"].get(subject, subject)
        label = f"Widen {name}'s stay: {local_time(edit['start'], zone)}–{local_time(edit['end'], zone, '%H:%M')}"
        query = {"add_start": local(edit["start"]), "add_end": local(edit["end"])}
        href = f"/desk/event/delegations/{quote(subject)}?{urlencode(query)}"
    else:
        label = f"Change {rooms.get(subject, subject)}"
        href = f"/desk/event/rooms/{quote(subject)}"
    return {"label": label, "href": href, "words": edit["words"]}


@router.get("/desk/solves/{solve_id}/state")
async def solve_state(request: Request, solve_id: str) -> JSONResponse:
    """The solve's state and progress, for the page's live view."""
    desk = await desk_of(request, host=True)
    return JSONResponse(await call_ok(request, desk, "GET", event_path(desk, f"/solves/{solve_id}")))


@router.post("/desk/solves/{solve_id}/cancel")
async def cancel_solve(request: Request, solve_id: str) -> RedirectResponse:
    return await act(request, "DELETE", f"/solves/{solve_id}", f"/desk/solves/{solve_id}")


@router.get("/desk/solves/{solve_id}/plan")
async def proposed_plan(request: Request, solve_id: str, choice: str = "") -> HTMLResponse:
    """The room plan the solve (or its choice) would publish, for the result page's frame."""
    desk = await desk_of(request, host=True)
    params = {"choice": choice} if choice else None
    return await _document(request, desk, f"/solves/{solve_id}/grid", params)


@router.get("/desk/solves/{solve_id}/agendas/{delegation}")
async def proposed_agenda(request: Request, solve_id: str, delegation: str) -> HTMLResponse:
    desk = await desk_of(request, host=True)
    return await _document(request, desk, f"/solves/{solve_id}/agendas/{quote(delegation, safe='')}")


async def _document(request: Request, desk: Desk, path: str, params: dict | None = None) -> HTMLResponse:
    response = await api(request, desk, "GET", event_path(desk, path), params=params)
    if response.status_code != 200:
        raise refusal(response)
    return HTMLResponse(response.text, headers=document_headers(response.text))


# --- publishing ----------------------------------------------------------------------------------------


@router.get("/desk/solves/{solve_id}/publish")
async def confirm_publish(request: Request, solve_id: str, choice: str = "") -> HTMLResponse:
    """Before publishing: what the new version holds and what reaches which delegations."""
    desk = await desk_of(request, host=True)
    return await _confirm_page(request, desk, solve_id, choice)


async def _confirm_page(request: Request, desk: Desk, solve_id: str, choice: str, problems: list[str] | None = None,
                        code: int = 200) -> HTMLResponse:
    solve = await call_ok(request, desk, "GET", event_path(desk, f"/solves/{solve_id}"))
    context = await page_context(request, desk, "solve", title="Publish?")
    diff = None
    if solve["state"] == "done" and solve["scheduled_priority"] is not None:
        params = {"choice": choice} if choice else None
        found = await call_ok(request, desk, "GET", event_path(desk, f"/solves/{solve_id}/schedule"), params=params)
        diff = _difference(await _published_meetings(request, desk), found["meetings"], context)
    version = context["event"]["published_version"] + 1
    return render("publish_confirm.html", {**context, "solve": solve, "diff": diff, "choice": choice,
                                            "version": version, "problems": problems or []}, code)


@router.post("/desk/solves/{solve_id}/publish")
async def publish(request: Request, solve_id: str) -> Response:
    """Publish the solve's result, or the choice the form names (a re-plan side by side); a refusal (the solve
    is from an older state, or someone published meanwhile) shows the confirmation page again with why."""
    desk = await desk_of(request, host=True)
    form = await checked_form(request, desk)
    choice = str(form.get("choice") or "")
    params = {"choice": choice} if choice else None
    response = await api(request, desk, "POST", event_path(desk, f"/solves/{solve_id}/publish"), params=params)
    if response.status_code in (status.HTTP_409_CONFLICT, status.HTTP_422_UNPROCESSABLE_CONTENT):
        messages = [d.get("msg", "") for d in response.json().get("detail") or []]
        return await _confirm_page(request, desk, solve_id, choice, messages, response.status_code)
    if response.status_code >= 400:
        raise refusal(response)
    return noticed(request, desk, "/desk/home", published_words(response.json()))


def published_words(done: dict) -> str:
    return (f"Version {done['version']} published: {done['meetings']} meetings; {done['moved']} moved, "
            f"{done['new']} new, {done['cancelled']} cancelled. Agendas and subscribed calendars show it now.")


# --- the published room plan ---------------------------------------------------------------------------


@router.get("/desk/plan")
async def plan(request: Request) -> HTMLResponse:
    desk = await desk_of(request, host=True)
    context = await page_context(request, desk, "plan", title="Room plan")
    return render("plan.html", {**context, "version": context["event"]["published_version"]})


@router.get("/desk/plan/grid")
async def plan_grid(request: Request) -> HTMLResponse:
    desk = await desk_of(request, host=True)
    return await _document(request, desk, "/grid")
