"""Random small instances for the property tests (hypothesis strategies)."""

from __future__ import annotations

from hypothesis import strategies as st


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def instances(draw, max_requests: int = 8, max_day_minutes: int = 180, slots=(15, 30)) -> dict:
    """A small, tight instance: few rooms, short days, windows, levels, languages, pins and limits.

    Drawn so that most requests can be placed (the first choice of each draw, which hypothesis tries
    first and shrinks towards, is the placeable one: a room any meeting can use, a shared language, no
    limit of zero) and contend with each other (two or more requests, most of them involving D0, on
    short days), so that the rules between meetings decide the optimum."""
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
        "room_turnover_minutes": draw(st.sampled_from([0, 10, 0])),
        "interpreter_teams": draw(st.sampled_from([1, None, 2, None])),  # 0 teams: test_rules
    }

    def window(day: str, least: int = 30) -> dict:
        a = draw(st.integers(0, (day_length - least) // 30)) * 30
        b = draw(st.integers((a + least) // 30, day_length // 30)) * 30
        return {"start": f"{day}T{_clock(9 * 60 + a)}", "end": f"{day}T{_clock(9 * 60 + b)}"}

    n_rooms = draw(st.integers(1, 3))
    rooms = []
    for i in range(n_rooms):
        room = {
            "id": f"R{i}",
            "name": f"Room {i}",
            "capacity": draw(st.sampled_from([14, 10, 6, 4])),
            "features": ["interpretation"] * draw(st.sampled_from([1, 1, 1, 0])) + ["press"] * draw(st.integers(0, 1)),
            "level": draw(st.sampled_from([2, 2, 1, 0])),
        }
        if draw(st.booleans()) and draw(st.booleans()):
            room["available"] = [window(draw(st.sampled_from(dates)))]
        if rooms and draw(st.booleans()):
            room = {**rooms[0], "id": room["id"], "name": room["name"]}  # interchangeable rooms form a pool
        rooms.append(room)
    if draw(st.sampled_from([True, True, True, False])):  # a room any request can use, so most can be held
        rooms[0].update(capacity=14, features=["interpretation", "press"], level=2)
        rooms[0].pop("available", None)
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
            d["available"] = [window(day, least=60) for day in dates]
        if draw(st.integers(0, 3)) == 1:
            d["max_meetings_per_day"] = draw(st.sampled_from([1, 2]))  # a limit of 0: test_rules
        if draw(st.integers(0, 5)) == 1:
            d["home_room"] = f"R{draw(st.integers(0, n_rooms - 1))}"
        delegations.append(d)
    if n_rooms > 1 and draw(st.sampled_from([False, False, True])):  # a salon (rule 13), never the general room
        rooms[-1]["reserved_for"] = draw(st.sampled_from([d["id"] for d in delegations]))
    for d in delegations:  # a delegation cannot receive in another's salon (bad input)
        if d.get("home_room") and rooms[int(d["home_room"][1:])].get("reserved_for") not in (None, d["id"]):
            del d["home_room"]
    programme = []
    if draw(st.booleans()):  # a half-hour item: a whole-day plenary would leave nothing to schedule
        a = draw(st.integers(0, day_length // 30 - 1)) * 30
        item = {"id": "P0", "title": "Plenary", "start": f"{dates[0]}T{_clock(9 * 60 + a)}",
                "end": f"{dates[0]}T{_clock(9 * 60 + a + 30)}"}
        if draw(st.booleans()):
            item["attendees"] = draw(st.lists(st.sampled_from([d["id"] for d in delegations]), unique=True))
        if draw(st.booleans()):
            item["room"] = "R0"
        programme.append(item)
    requests = []
    ids = [d["id"] for d in delegations]
    # mandatory and pinned requests in a quarter of the instances (they make many of them infeasible)
    must_happen = draw(st.sampled_from([0, 0, 0, 6]))
    for i in range(draw(st.integers(2, max_requests))):
        parties = draw(st.lists(st.sampled_from(ids), min_size=2, max_size=3, unique=True))
        if "D0" not in parties and draw(st.sampled_from([True, True, False])):
            parties[-1] = "D0"  # most requests involve D0, so they contend for its time
        r = {
            "id": f"Q{i}",
            "parties": parties,
            "duration_minutes": draw(st.sampled_from([60, 45, 75, 30, 20])),
            "priority": draw(st.integers(1, 5)),
        }
        if must_happen and draw(st.integers(0, must_happen)) == 1:
            r["mandatory"] = True
        if must_happen and draw(st.integers(0, must_happen)) == 1:
            day = draw(st.sampled_from(dates))
            k = draw(st.integers(0, day_length // slot - 1))
            r["fixed"] = {"start": f"{day}T{_clock(9 * 60 + k * slot)}"}
            if draw(st.booleans()):
                r["fixed"]["room"] = f"R{draw(st.integers(0, n_rooms - 1))}"
        if draw(st.integers(0, 3)) == 1:
            r["window"] = [window(draw(st.sampled_from(dates)), least=60)]
        if draw(st.integers(0, 2)) == 1:
            r["preferred"] = [window(draw(st.sampled_from(dates)))]
        if draw(st.integers(0, 9)) == 1:
            r["requires"] = ["press"]
        if draw(st.integers(0, 4)) == 1:
            r["host"] = parties[0]
        requests.append(r)
    return {"event": event, "programme": programme, "rooms": rooms, "delegations": delegations, "requests": requests}
