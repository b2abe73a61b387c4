"""The names of the contract's hard rules, shared by the model, the validator and the explanations.

A violation printed by `scheduler check`, a constraint function in the CP-SAT model, a test and an
explanation of an unscheduled request all speak of a rule by the same name. What each rule says, and the
code that holds it, is in the registry `scheduler.registry`; this module holds only the names, so that the
independent validator can use them without importing the solver.
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
RESERVED_ROOMS = "reserved_rooms"
