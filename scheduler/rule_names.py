"""The names of the contract's hard rules, shared by the model, the validator and the explanations.

A violation printed by `scheduler check`, a constraint function in the CP-SAT model, a test and an
explanation of an unscheduled request all speak of a rule by the same name.
"""

ONCE = "once"
DAY_HOURS_AND_GRID = "day_hours_and_grid"
PRESENCE = "presence"
ONE_PLACE_AT_A_TIME = "one_place_at_a_time"
ROOM_USE = "room_use"
SEATS = "seats"
FEATURES = "features"
PROTOCOL_LEVEL = "protocol_level"
HOME_ROOMS = "home_rooms"
DAILY_LOAD = "daily_load"
INTERPRETERS = "interpreters"
PINNED = "pinned"

RULES: dict[str, str] = {
    ONCE: "1. Each request is scheduled at most once; a mandatory one exactly once.",
    DAY_HOURS_AND_GRID: "2. A meeting lies inside one day's hours and starts on that day's slot grid.",
    PRESENCE: "3. A meeting lies inside every party's available windows and the request's windows.",
    ONE_PLACE_AT_A_TIME: "4. A delegation's commitments are apart by at least the changeover.",
    ROOM_USE: "5. Meetings in one room (and programme items held there) are apart by the turnover, "
    "inside the room's availability.",
    SEATS: "6. The room seats the meeting.",
    FEATURES: "7. The room has every required feature, and interpretation when the parties share no language.",
    PROTOCOL_LEVEL: "8. The room's level is at least the highest level among the parties.",
    HOME_ROOMS: "9. A meeting is held in the host's home room, else in one of the parties' home rooms.",
    DAILY_LOAD: "10. A delegation has at most max_meetings_per_day meetings on each day.",
    INTERPRETERS: "11. At no instant run more meetings needing interpretation than interpreter teams.",
    PINNED: "12. A pinned request is scheduled exactly at its fixed start (and room).",
}
