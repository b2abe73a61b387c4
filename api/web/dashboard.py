"""The host's landing page: where the office stands and what to do next.

Pending proposals and whom they wait for, what changed since the last solve, the last solve's state, the
published version and its age, and one sentence naming the next thing to do. Read through the API like every
page of the desk; the service's clock (the API's `Date`) ages the publication, not the browser's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.web.shared import api, call_ok, desk_of, event_path, local_time, page_context, render
from api.web.solving import changed_since_solved

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class NextStep:
    words: str
    href: str
    action: str


@router.get("/desk/home")
async def dashboard(request: Request) -> HTMLResponse:
    desk = await desk_of(request, host=True)
    context = await page_context(request, desk, "home", title="Dashboard")
    zone = context["event"]["event"]["timezone"]
    rows = await call_ok(request, desk, "GET", event_path(desk, "/requests"))
    solves = await call_ok(request, desk, "GET", event_path(desk, "/solves"))
    published = await api(request, desk, "GET", event_path(desk, "/schedule"))
    names = context["names"]
    pending = [{"id": r["id"], "parties": ", ".join(names.get(p, p) for p in r["parties"]),
                "awaiting": ", ".join(names.get(p, p) for p in r["parties"] if p not in r["accepted_by"])
                or "the host"}
               for r in rows if r["status"] == "proposed"]
    latest = solves[-1] if solves else None
    if latest is not None:
        latest["created_local"] = local_time(latest["created_at"], zone)
        latest["changed"] = changed_since_solved(latest)
    version = None
    if published.status_code == 200:
        read = published.json()
        now = _service_time(published.headers.get("date"))
        version = {"number": read["version"], "at": local_time(read["published_at"], zone),
                   "age": age(datetime.fromisoformat(read["published_at"]), now),
                   "meetings": len(read["document"]["meetings"])}
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in ("accepted", "proposed", "declined")}
    return render("dashboard.html", {**context, "pending": pending, "latest": latest, "version": version,
                                      "counts": counts, "next": next_step(pending, latest, version)})


def _service_time(header: str | None) -> datetime:
    return parsedate_to_datetime(header) if header else datetime.now(UTC)


def age(then: datetime, now: datetime) -> str:
    """How long ago, in words an officer reads at a glance ("2 h 5 min ago")."""
    minutes = max(0, int((now - then).total_seconds() // 60))
    if minutes < 1:
        return "just now"
    days, hours, rest = minutes // 1440, minutes % 1440 // 60, minutes % 60
    parts = [f"{days} d"] if days else []
    parts += [f"{hours} h"] if hours else []
    parts += [f"{rest} min"] if rest and not days else []
    return " ".join(parts) + " ago"


def next_step(pending: list[dict], latest: dict | None, version: dict | None) -> NextStep:
    """The one thing the office should do now, in the order a day goes: answer, solve, wait, review, publish."""
    if pending:
        n = len(pending)
        return NextStep(f"{n} proposal{'s' if n != 1 else ''} wait{'' if n != 1 else 's'} for an answer.",
                        "/desk/requests?status=proposed", "Answer proposals")
    if latest is None:
        return NextStep("Nothing is solved yet: solve the accepted requests.", "/desk/solve", "Solve")
    if latest["state"] in ("queued", "running"):
        return NextStep("A solve is running: watch it, then review its result.", f"/desk/solves/{latest['id']}",
                        "Watch the solve")
    if changed_since_solved(latest):
        return NextStep("The event changed since the last solve: solve again before publishing.", "/desk/solve",
                        "Solve again")
    if latest["state"] != "done" or latest.get("scheduled_priority") is None:
        ended = latest["state"] + (f" ({latest['status']})" if latest.get("status") else "")
        return NextStep(f"The last solve ended {ended}: read why, change the event, solve again.",
                        f"/desk/solves/{latest['id']}", "Read the solve")
    if not latest.get("published_as"):
        return NextStep("The last solve is current and not published: review it and publish.",
                        f"/desk/solves/{latest['id']}", "Review and publish")
    return NextStep(f"Version {version['number']} is published and current: nothing waits.", "/desk/plan",
                    "See the room plan")
