"""Tiny instances on which each rule binds, shared by the rule and registry tests."""

from __future__ import annotations

from scheduler.contract import rule_names
from tests.support.instances import instance, request

DAY = "2024-10-31"


def at(hhmm: str, day: str = DAY) -> str:
    return f"{day}T{hhmm}"


def delegations(**changes: dict) -> list[dict]:
    """Delegations A-D of the base instance, with fields changed per delegation: A={"level": 3}."""
    out = []
    for d in "ABCD":
        item = {"id": d, "name": d, "head": f"Head of {d}", "size": 2, "languages": ["ru"]}
        item.update(changes.get(d, {}))
        out.append(item)
    return out


def room(
    rid: str, capacity: int = 10, features: tuple[str, ...] = ("interpretation",), level: int = 2, **extra
) -> dict:
    return {
        "id": rid,
        "name": f"Room {rid[1:]}",
        "capacity": capacity,
        "features": list(features),
        "level": level,
        **extra,
    }


TWO_ROOMS = [room("R1"), room("R2")]


WHOLE_DAY = 180  # the base instance's day: 09:00-12:00


# One instance per rule in which that rule decides the optimum.
BINDING: dict[str, dict] = {
    rule_names.ONCE: instance(
        rooms=TWO_ROOMS,
        requests=[request("AB", "AB", WHOLE_DAY, 1, mandatory=True), request("AC", "AC", WHOLE_DAY, 5)],
    ),
    # a 60-min grid holds three 45-min meetings of A in three hours; any minute would hold four
    rule_names.DAY_HOURS_AND_GRID: instance(
        rooms=TWO_ROOMS,
        event_slot_minutes=60,
        requests=[request(f"A{p}{i}", f"A{p}", 45) for i, p in enumerate("BCDB")],
    ),
    rule_names.PRESENCE: instance(
        rooms=TWO_ROOMS,
        delegations=delegations(A={"available": [{"start": at("09:00"), "end": at("10:00")}]}),
        requests=[request("AB", "AB", 60), request("AC", "AC", 60)],
    ),
    # with a 15-min changeover AB (09:00 or 11:00) and AC (10:00) never fit together; the energy of A's day
    # (195 min for 150) does not see it, only the changeover between the two meetings does
    rule_names.ONE_PLACE_AT_A_TIME: instance(
        rooms=TWO_ROOMS,
        event_changeover_minutes=15,
        requests=[
            request("AB", "AB", 60, window=[{"start": at("09:00"), "end": at("10:00")},
                                            {"start": at("11:00"), "end": at("12:00")}]),
            request("AC", "AC", 60, window=[{"start": at("10:00"), "end": at("11:00")}]),
        ],
    ),
    rule_names.ROOM_USE: instance(
        event_room_turnover_minutes=15,
        event_days=[{"date": DAY, "start": "09:00", "end": "11:00"}],
        requests=[request("AB", "AB", 60), request("CD", "CD", 60)],
    ),
    rule_names.SEATS: instance(
        rooms=[room("R1"), room("R2", capacity=3)],
        requests=[request("AB", "AB", WHOLE_DAY), request("CD", "CD", WHOLE_DAY)],
    ),
    rule_names.FEATURES: instance(
        rooms=[room("R1", features=["interpretation", "press"]), room("R2")],
        requests=[
            request("AB", "AB", WHOLE_DAY, requires=["press"]),
            request("CD", "CD", WHOLE_DAY, requires=["press"]),
        ],
    ),
    rule_names.PROTOCOL_LEVEL: instance(
        rooms=[room("R1", level=3), room("R2", level=1)],
        delegations=delegations(A={"level": 3}, C={"level": 3}),
        requests=[request("AB", "AB", WHOLE_DAY), request("CD", "CD", WHOLE_DAY)],
    ),
    rule_names.HOME_ROOMS: instance(
        rooms=TWO_ROOMS,
        delegations=delegations(A={"home_room": "R1"}, C={"home_room": "R1"}),
        requests=[request("AB", "AB", WHOLE_DAY), request("CD", "CD", WHOLE_DAY)],
    ),
    rule_names.DAILY_LOAD: instance(
        rooms=TWO_ROOMS,
        delegations=delegations(A={"max_meetings_per_day": 1}),
        requests=[request("AB", "AB", 60), request("AC", "AC", 60)],
    ),
    rule_names.INTERPRETERS: instance(
        rooms=TWO_ROOMS,
        event_interpreter_teams=1,
        delegations=delegations(A={"languages": ["en"]}, C={"languages": ["fr"]}),
        requests=[request("AB", "AB", WHOLE_DAY), request("CD", "CD", WHOLE_DAY)],
    ),
    rule_names.PINNED: instance(
        rooms=TWO_ROOMS,
        requests=[
            request("AB", "AB", 30, 1, fixed={"start": at("10:00"), "room": "R2"}),
            request("AC", "AC", WHOLE_DAY, 5),
        ],
    ),
    rule_names.RESERVED_ROOMS: instance(
        rooms=[room("R1", reserved_for="A")],
        requests=[request("BC", "BC", 60)],
    ),
}
