"""Random small instances: every schedule passes the validator, and the optimum matches a brute force.

The brute force is built on the validator's own rule checks (scheduler.check), never on the model, so
the two are independent: it tries every room and grid start for every request and keeps the best
combination that breaks no rule.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler import check
from scheduler.domain import Conference
from scheduler.parse import load_conference
from scheduler.solve import SolveOptions
from tests.conftest import solve_checked

OPTIONS = SolveOptions(time_limit=60, workers=1, seed=3, deterministic_time=30)
SETTINGS = settings(
    max_examples=150, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def instances(draw, max_requests: int = 8, max_day_minutes: int = 180, slots=(15, 30)) -> dict:
    """A small, tight instance: few rooms, short days, windows, levels, languages, pins and limits."""
    slot = draw(st.sampled_from(slots))
    n_days = draw(st.integers(1, 2))
    day_length = draw(st.sampled_from([m for m in (90, 120, 150, 180) if m <= max_day_minutes]))
    dates = ["2024-10-31", "2024-11-01"][:n_days]
    days = [{"date": d, "start": "09:00", "end": _clock(9 * 60 + day_length)} for d in dates]
    event = {
        "name": "random",
        "timezone": draw(st.sampled_from(["Europe/Minsk", "Europe/Vienna", "America/New_York"])),
        "slot_minutes": slot,
        "days": days,
        "changeover_minutes": draw(st.sampled_from([0, 5, 10, 15])),
        "room_turnover_minutes": draw(st.sampled_from([0, 0, 10])),
        "interpreter_teams": draw(st.sampled_from([None, None, 0, 1, 2])),
    }

    def window(day: str) -> dict:
        a = draw(st.integers(0, day_length // 30 - 1)) * 30
        b = draw(st.integers(a // 30 + 1, day_length // 30)) * 30
        return {"start": f"{day}T{_clock(9 * 60 + a)}", "end": f"{day}T{_clock(9 * 60 + b)}"}

    n_rooms = draw(st.integers(1, 3))
    rooms = []
    for i in range(n_rooms):
        room = {
            "id": f"R{i}",
            "name": f"Room {i}",
            "capacity": draw(st.integers(4, 14)),
            "features": ["interpretation"] * draw(st.sampled_from([0, 1, 1, 1])) + ["press"] * draw(st.integers(0, 1)),
            "level": draw(st.sampled_from([0, 1, 2, 2])),
        }
        if draw(st.booleans()) and draw(st.booleans()):
            room["available"] = [window(draw(st.sampled_from(dates)))]
        if rooms and draw(st.booleans()):
            room = {**rooms[0], "id": room["id"], "name": room["name"]}  # interchangeable rooms form a pool
        rooms.append(room)
    n_delegations = draw(st.integers(2, 5))
    delegations = []
    for i in range(n_delegations):
        d = {
            "id": f"D{i}",
            "name": f"Delegation {i}",
            "head": f"Head {i}",
            "level": draw(st.sampled_from([0, 0, 1, 2])),
            "size": draw(st.integers(1, 3)),
            "languages": draw(st.sampled_from([["ru"], ["ru"], ["ru", "en"], ["en"], ["zh"], []])),
        }
        if draw(st.integers(0, 3)) == 1:
            d["available"] = [window(day) for day in dates]
        if draw(st.integers(0, 3)) == 1:
            d["max_meetings_per_day"] = draw(st.integers(0, 2))
        if draw(st.integers(0, 5)) == 1:
            d["home_room"] = f"R{draw(st.integers(0, n_rooms - 1))}"
        delegations.append(d)
    programme = []
    if draw(st.booleans()):
        item = {"id": "P0", "title": "Plenary", **window(dates[0])}
        if draw(st.booleans()):
            item["attendees"] = draw(st.lists(st.sampled_from([d["id"] for d in delegations]), unique=True))
        if draw(st.booleans()):
            item["room"] = "R0"
        programme.append(item)
    requests = []
    for i in range(draw(st.integers(1, max_requests))):
        parties = draw(st.lists(st.sampled_from([d["id"] for d in delegations]), min_size=2, max_size=3, unique=True))
        r = {
            "id": f"Q{i}",
            "parties": parties,
            "duration_minutes": draw(st.sampled_from([20, 30, 45, 60, 75])),
            "priority": draw(st.integers(1, 5)),
        }
        if draw(st.integers(0, 24)) == 1:
            r["mandatory"] = True
        if draw(st.integers(0, 24)) == 1:
            day = draw(st.sampled_from(dates))
            k = draw(st.integers(0, day_length // slot - 1))
            r["fixed"] = {"start": f"{day}T{_clock(9 * 60 + k * slot)}"}
            if draw(st.booleans()):
                r["fixed"]["room"] = f"R{draw(st.integers(0, n_rooms - 1))}"
        if draw(st.integers(0, 3)) == 1:
            r["window"] = [window(draw(st.sampled_from(dates)))]
        if draw(st.integers(0, 2)) == 1:
            r["preferred"] = [window(draw(st.sampled_from(dates)))]
        if draw(st.integers(0, 9)) == 1:
            r["requires"] = ["press"]
        if draw(st.integers(0, 4)) == 1:
            r["host"] = parties[0]
        requests.append(r)
    return {"event": event, "programme": programme, "rooms": rooms, "delegations": delegations, "requests": requests}


# --- brute force on the validator's rules ------------------------------------------------------------

PAIRWISE = [f for f in check.RULE_CHECKS if f not in (check.once, check.pinned)]


def _violations(conference: Conference, placed: list[check.Placed]) -> bool:
    return any(rule(conference, placed) for rule in PAIRWISE)


def meeting_options(conference: Conference) -> list[list[check.Placed | None]]:
    """Per request, every room and grid start at which it breaks no rule alone (None: not held)."""
    rooms = {r.id: r for r in conference.rooms}
    options: list[list[check.Placed | None]] = []
    for i, request in enumerate(conference.requests):
        mine: list[check.Placed | None] = [] if request.must_happen else [None]
        for day in conference.event.days:
            for start in range(day.start, day.end, conference.event.slot_minutes):
                for room_id, room in rooms.items():
                    m = check.Placed(i, request, room_id, room, start, start + request.duration)
                    if not _violations(conference, [m]) and not (request.pinned and _pin_broken(conference, m)):
                        mine.append(m)
        options.append(mine)
    return options


def brute_force_optimum(conference: Conference) -> int | None:
    """The best total priority over every valid combination (None: mandatory/pinned cannot all be met)."""
    options = meeting_options(conference)
    best: list[int | None] = [None]

    def search(i: int, chosen: list[check.Placed], value: int) -> None:
        if i == len(options):
            if best[0] is None or value > best[0]:
                best[0] = value
            return
        for option in options[i]:
            if option is None:
                search(i + 1, chosen, value)
            elif not _violations(conference, [*chosen, option]):
                search(i + 1, [*chosen, option], value + option.request.priority)

    search(0, [], 0)
    return best[0]


def _pin_broken(conference: Conference, m: check.Placed) -> bool:
    r = m.request
    return m.start != r.fixed_start or (r.fixed_room is not None and m.room_id != r.fixed_room)


# --- the properties ----------------------------------------------------------------------------------


@SETTINGS
@given(instances())
def test_every_schedule_passes_the_validator(data: dict) -> None:
    """Whatever comes back is valid (solve_checked runs the validator), or a clear infeasibility."""
    outcome = solve_checked(data, OPTIONS)
    assert outcome.status in ("optimal", "infeasible")
    if outcome.status == "infeasible":
        assert outcome.conflict is not None and outcome.conflict.requests
        assert outcome.conflict.message
    else:
        assert len(outcome.meetings) + len(outcome.unscheduled) == len(data["requests"])
        assert all(u.reason for u in outcome.unscheduled)


@SETTINGS
@given(instances(max_requests=4, max_day_minutes=120, slots=(30,)))
def test_optimum_matches_brute_force(data: dict) -> None:
    conference = load_conference(json.dumps(data))
    expected = brute_force_optimum(conference)
    outcome = solve_checked(data, OPTIONS)
    if expected is None:
        assert outcome.status == "infeasible"
    else:
        assert outcome.status == "optimal"
        assert outcome.scheduled_priority == expected == outcome.upper_bound
