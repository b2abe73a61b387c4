"""The registry of the contract's hard rules: each rule once, with every piece of code that speaks for it.

A rule is held in three places: where one meeting alone could go (`placement` steps), between meetings in
the CP-SAT model (`model`), and in the independent validator (`check`). A rule between meetings also says
which meetings already placed keep a request out of a room and start (`blocks`): the greedy, the reasons of
left-out requests, the confirmed explanations and exit 3 ask it there. It is put into words in three
places too: the reason a request has no place at all (its placement steps' words), the reason a placeable
request was left out (`obstacle`, and `in_the_way` once a solve confirmed it), and the exit-3 message when
mandatory and pinned requests clash (`clash`; rules 1 and 12 describe what must happen with `demand`). A
left-out request's reason is also said in words its parties may read in their agendas (`party_obstacle`,
`party_in_the_way`, and a placement step's `party_words` where its words name another delegation): they
name no other delegation, no other meeting and no priority.
Adding a rule means adding one entry here; `tests/rules/test_registry.py` fails when an entry lacks a part, when
leaving a rule out of the solver would not change the optimum of its binding instance, or when leaving a rule
between meetings out of the greedy would not break it there.

Everything that needs "all the rules" derives it from `RULES`: `ALL_RULES`, the placement steps, the model
parts, what blocks between meetings (`blocking`), the families weighed in infeasibility analysis and in the
explanations (`CLASH_FAMILIES`) and the README's rule table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from scheduler.check import rules as check
from scheduler.contract import rule_names as names
from scheduler.contract.domain import Conference, Request
from scheduler.model import relaxation, rule_parts, strengthening
from scheduler.model.variables import ModelPart
from scheduler.rules import between
from scheduler.rules import placement as place
from scheduler.rules import words as rule_words
from scheduler.rules.between import Blocking
from scheduler.rules.placement import PlacementRules, PlacementStep, RoomStep, RoomTimeStep, TimeStep


@dataclass(frozen=True)
class Rule:
    """One hard rule of the contract and the code that holds it, checks it and explains it."""

    number: int
    name: str
    text: str  # one line, as in the README's table
    check: Callable[[Conference, list[check.Placed]], list[check.Violation]]
    placement: tuple[PlacementStep, ...] = ()
    model: ModelPart | None = None
    # which placed meetings keep a request out of a room and start: for the greedy, the reasons, the
    # explanations and exit 3 (every rule with a model part between meetings has one)
    blocks: Blocking | None = None
    obstacle: Callable[[rule_words.Obstacle], str] | None = None
    party_obstacle: Callable[[rule_words.Obstacle], str] | None = None
    # the meetings a confirmed explanation found in the way under the rule, for the office and the parties
    in_the_way: Callable[[rule_words.InTheWay], str] | None = None
    party_in_the_way: Callable[[rule_words.InTheWay], str] | None = None
    clash: Callable[[rule_words.Clash], str] | None = None
    demand: Callable[[Conference, Request], str | None] | None = None


RULES: tuple[Rule, ...] = (
    Rule(
        1,
        names.ONCE,
        "Each request is scheduled at most once; a mandatory one exactly once.",
        check=check.once,
        model=ModelPart(rule_parts.once, relaxed=relaxation.once),
        demand=rule_words.once_demand,
    ),
    Rule(
        2,
        names.DAY_HOURS_AND_GRID,
        "A meeting lies inside one day's hours and starts on that day's slot grid.",
        check=check.day_hours_and_grid,
        placement=(TimeStep(names.DAY_HOURS_AND_GRID, place.day_hours_and_grid, place.day_hours_and_grid_words),),
    ),
    Rule(
        3,
        names.PRESENCE,
        "A meeting lies inside every party's available windows and the request's windows.",
        check=check.presence,
        placement=(TimeStep(names.PRESENCE, place.presence, place.presence_words),),
    ),
    Rule(
        4,
        names.ONE_PLACE_AT_A_TIME,
        "A delegation's commitments (meetings, programme items it attends) are apart by at least the changeover.",
        check=check.one_place_at_a_time,
        placement=(
            TimeStep(names.ONE_PLACE_AT_A_TIME, place.one_place_at_a_time, place.one_place_at_a_time_words),
        ),
        model=ModelPart(
            rule_parts.one_place_at_a_time,
            (strengthening.DELEGATION_DAY_ENERGY,),
            relaxed=relaxation.one_place_at_a_time,
        ),
        blocks=Blocking(names.ONE_PLACE_AT_A_TIME, between.one_place_at_a_time),
        obstacle=rule_words.one_place_at_a_time_obstacle,
        party_obstacle=rule_words.one_place_at_a_time_party_obstacle,
        in_the_way=rule_words.one_place_at_a_time_in_the_way,
        party_in_the_way=rule_words.one_place_at_a_time_party_in_the_way,
        clash=rule_words.one_place_at_a_time_clash,
    ),
    Rule(
        5,
        names.ROOM_USE,
        "Meetings in one room (and programme items held there) are apart by the turnover, inside the room's hours.",
        check=check.room_use,
        placement=(RoomTimeStep(names.ROOM_USE, place.room_use, place.room_use_words),),
        model=ModelPart(rule_parts.room_use, (strengthening.ROOM_SET_ENERGY,), relaxed=relaxation.room_use),
        blocks=Blocking(names.ROOM_USE, between.room_use, by_room=True),
        obstacle=rule_words.room_use_obstacle,
        party_obstacle=rule_words.room_use_party_obstacle,
        in_the_way=rule_words.room_use_in_the_way,
        party_in_the_way=rule_words.room_use_party_in_the_way,
        clash=rule_words.room_use_clash,
    ),
    Rule(
        6,
        names.SEATS,
        "The room seats the meeting.",
        check=check.seats,
        placement=(RoomStep(names.SEATS, place.seats, place.seats_words),),
    ),
    Rule(
        7,
        names.FEATURES,
        "The room has every required feature, and interpretation when the parties share no language.",
        check=check.features,
        placement=(RoomStep(names.FEATURES, place.features, place.features_words),),
    ),
    Rule(
        8,
        names.PROTOCOL_LEVEL,
        "The room's level is at least the highest level among the parties.",
        check=check.protocol_level,
        placement=(RoomStep(names.PROTOCOL_LEVEL, place.protocol_level, place.protocol_level_words),),
    ),
    Rule(
        9,
        names.HOME_ROOMS,
        "A meeting is held in the host's home room, else in one of the parties' home rooms.",
        check=check.home_rooms,
        placement=(RoomStep(names.HOME_ROOMS, place.home_rooms, place.home_rooms_words),),
    ),
    Rule(
        10,
        names.DAILY_LOAD,
        "A delegation has at most max_meetings_per_day meetings on each day.",
        check=check.daily_load,
        model=ModelPart(rule_parts.daily_load, relaxed=relaxation.daily_load),
        blocks=Blocking(names.DAILY_LOAD, between.daily_load),
        obstacle=rule_words.daily_load_obstacle,
        party_obstacle=rule_words.daily_load_party_obstacle,
        in_the_way=rule_words.daily_load_in_the_way,
        party_in_the_way=rule_words.daily_load_party_in_the_way,
        clash=rule_words.daily_load_clash,
    ),
    Rule(
        11,
        names.INTERPRETERS,
        "At no instant run more meetings needing interpretation than interpreter teams.",
        check=check.interpreters,
        placement=(RoomStep(names.INTERPRETERS, place.interpreters, place.interpreters_words),),
        model=ModelPart(rule_parts.interpreters, relaxed=relaxation.interpreters),
        blocks=Blocking(names.INTERPRETERS, between.interpreters),
        obstacle=rule_words.interpreters_obstacle,
        party_obstacle=rule_words.interpreters_party_obstacle,
        in_the_way=rule_words.interpreters_in_the_way,
        party_in_the_way=rule_words.interpreters_party_in_the_way,
        clash=rule_words.interpreters_clash,
    ),
    Rule(
        12,
        names.PINNED,
        "A pinned request is always scheduled, exactly at its fixed start (and in its fixed room).",
        check=check.pinned,
        # the pin narrows the candidates first, so a pin that breaks a rule is blamed on that rule
        placement=(
            RoomStep(names.PINNED, place.pinned_room, place.pinned_room_words, first=True),
            TimeStep(names.PINNED, place.pinned, place.pinned_words, first=True),
        ),
        model=ModelPart(rule_parts.pinned, relaxed=relaxation.pinned),
        demand=rule_words.pinned_demand,
    ),
    Rule(
        13,
        names.RESERVED_ROOMS,
        "A room reserved for a delegation (its salon) holds only meetings of which it is a party.",
        check=check.reserved_rooms,
        placement=(
            RoomStep(
                names.RESERVED_ROOMS,
                place.reserved_rooms,
                place.reserved_rooms_words,
                party_words=place.reserved_rooms_party_words,
            ),
        ),
    ),
)

BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES}
ALL_RULES: frozenset[str] = frozenset(BY_NAME)
# the rules that arbitrate between meetings, as their `blocks` say: infeasibility analysis leaves each out in
# turn to find the culprit, and the explanations weigh each as a whole
CLASH_FAMILIES: tuple[str, ...] = tuple(rule.name for rule in RULES if rule.blocks is not None)


def _chosen(enabled: Iterable[str]) -> list[Rule]:
    enabled = frozenset(enabled)
    unknown = enabled - ALL_RULES
    if unknown:
        raise ValueError(f"unknown rules: {', '.join(sorted(unknown))}")
    return [rule for rule in RULES if rule.name in enabled]


def placement_rules(enabled: Iterable[str] = ALL_RULES) -> PlacementRules:
    """The placement steps of the enabled rules, in the order they are applied."""
    return PlacementRules.of(step for rule in _chosen(enabled) for step in rule.placement)


def model_parts(enabled: Iterable[str] = ALL_RULES) -> list[ModelPart]:
    """The model parts of the enabled rules."""
    return [rule.model for rule in _chosen(enabled) if rule.model is not None]


def blocking(enabled: Iterable[str] = ALL_RULES) -> tuple[Blocking, ...]:
    """What blocks a room and start under each enabled rule between meetings, in the registry's order."""
    return tuple(rule.blocks for rule in _chosen(enabled) if rule.blocks is not None)


def describe_demand(conference: Conference, request: Request) -> str:
    """Why a request must happen, in the words of rules 1 and 12: "mandatory", "pinned at 31 Oct 10:00"."""
    words = [w for rule in RULES if rule.demand is not None and (w := rule.demand(conference, request))]
    return ", ".join(words)


def rule_table() -> str:
    """The README's table of the rules, one row per rule."""
    rows = ["| # | rule | what it says |", "|---|---|---|"]
    rows += [f"| {rule.number} | `{rule.name}` | {rule.text} |" for rule in RULES]
    return "\n".join(rows) + "\n"

