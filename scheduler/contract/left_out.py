"""What keeps a left-out request out, as the groups an office reads its left-out requests in.

A left-out request's `cause` (`scheduler.explain.reasons`) is the name of the rule that closes most of the
times it could have had (`rule_names`), or NOT_REACHED when it still fits and the solver did not get to it in
the time. Every rule has its heading here (`tests/rules/test_registry.py` holds each rule of the registry to
one); the service reads them without loading the solver.
"""

from __future__ import annotations

from scheduler.contract import rule_names as names

NOT_REACHED = "not_reached"

HEADINGS: dict[str, str] = {
    names.ONCE: "Held at most once",
    names.DAY_HOURS_AND_GRID: "Outside the day's hours",
    names.PRESENCE: "Parties not there at the same time",
    names.ONE_PLACE_AT_A_TIME: "Parties' time taken by other meetings",
    names.ROOM_USE: "Rooms taken or closed then",
    names.SEATS: "No room large enough",
    names.FEATURES: "No room with what it needs",
    names.PROTOCOL_LEVEL: "No room of its protocol level",
    names.HOME_ROOMS: "Host's own salon not free",
    names.DAILY_LOAD: "Daily limit of meetings reached",
    names.INTERPRETERS: "Interpreters busy",
    names.PINNED: "Pinned where it cannot be held",
    names.RESERVED_ROOMS: "Rooms reserved for others",
    NOT_REACHED: "Still fit: not reached before the time limit",
}


def left_out_heading(cause: str | None) -> str:
    """The heading of a group of left-out requests by what keeps them out most (`Unscheduled.cause`)."""
    return HEADINGS.get(cause or "", "Other reasons")
