"""The rule registry: every rule has all its parts, and every rule binds (none is dead code).

For each rule a tiny binding instance: its optimum with every rule differs from its optimum with that one
rule left out of the solver (placement steps and model part alike), and the independent validator names
exactly that rule on the schedule found without it. Each runs with the model's strengthening on and off,
since redundant constraints can hide a rule that lost its teeth.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re

import pytest

from scheduler.check import validator as check
from scheduler.contract import rule_names
from scheduler.contract.domain import Meeting
from scheduler.contract.input_model import input_json_schema
from scheduler.contract.parse import load_conference
from scheduler.explain import reasons
from scheduler.explain.infeasibility import Conflict, solve_must_happen
from scheduler.explain.reasons import unscheduled_reasons
from scheduler.explain.why import Cause, explain
from scheduler.model.variables import STRENGTHENING
from scheduler.publish.from_outcome import schedule_document
from scheduler.registry import ALL_RULES, BY_NAME, CLASH_FAMILIES, RULES, blocking, placement_rules, rule_table
from scheduler.rules import between
from scheduler.rules import words as rule_words
from scheduler.rules.placement import RoomStep, RoomTimeStep, TimeStep, placements
from scheduler.search.greedy import greedy_schedule
from scheduler.solve.options import SolveOptions
from scheduler.solve.solver import solve
from tests.support.instances import instance, meetings_report, request
from tests.support.paths import ROOT
from tests.support.rule_instances import BINDING, delegations, room

STRENGTHENINGS = {"strengthened": STRENGTHENING, "plain": frozenset()}


def _optimum(data: dict, rules: frozenset[str], strengthening: frozenset[str]):
    conference = load_conference(json.dumps(data))
    options = SolveOptions(
        time_limit=60, workers=1, seed=1, deterministic_time=20, secondary=False, rules=rules,
        strengthening=strengthening,
    )
    outcome = solve(conference, options)
    assert outcome.status == "optimal", outcome.status
    return conference, outcome


# --- every rule has every part --------------------------------------------------------------------------


def test_rules_are_numbered_as_in_the_contract_and_named_in_rule_names() -> None:
    assert [r.number for r in RULES] == list(range(1, len(RULES) + 1))
    names = {v for k, v in vars(rule_names).items() if k.isupper() and isinstance(v, str)}
    assert names == ALL_RULES == set(BY_NAME)
    assert len(RULES) == 13
    for rule in RULES:
        assert rule.text and "\n" not in rule.text, rule.name


def test_every_rule_has_a_validator_check_of_its_name_and_the_validator_runs_all_of_them() -> None:
    for rule in RULES:
        assert rule.check.__name__ == rule.name
    assert [r.check for r in RULES] == sorted(check.RULE_CHECKS, key=lambda f: BY_NAME[f.__name__].number)
    assert len(check.RULE_CHECKS) == len(RULES)


def test_every_rule_is_held_by_the_solver_under_its_own_name() -> None:
    for rule in RULES:
        assert rule.placement or rule.model is not None, f"{rule.name} is held nowhere in the solver"
        for step in rule.placement:
            assert isinstance(step, RoomStep | TimeStep | RoomTimeStep)
            assert step.rule == rule.name
            assert step.keeps.__name__.startswith(rule.name), step.keeps.__name__
            assert step.words.__name__.startswith(rule.name), step.words.__name__
        if rule.model is not None:
            assert rule.model.add.__name__ == rule.name
            assert rule.model.relaxed is not None, f"{rule.name} has no rows in the LP relaxation"
            assert rule.model.relaxed.__name__ == rule.name


def test_every_rule_of_the_model_has_words_for_explanations_and_exit_3() -> None:
    """A rule between meetings says why it kept a request out (obstacle) and why must-happen requests clash
    (clash); rules 1 and 12 say instead why a request must happen (demand)."""
    for rule in RULES:
        if rule.model is None:
            continue
        if rule.demand is not None:
            assert rule.obstacle is None and rule.clash is None, rule.name
        else:
            assert rule.obstacle is not None and rule.clash is not None, rule.name
            assert rule.obstacle.__name__ == f"{rule.name}_obstacle"
            assert rule.clash.__name__ == f"{rule.name}_clash"
    assert tuple(r.name for r in RULES if r.clash is not None) == CLASH_FAMILIES


def test_every_rule_between_meetings_says_what_blocks_a_room_and_start() -> None:
    """A rule with a model part between meetings (all but rules 1 and 12, which say what must happen) binds
    the function of `scheduler.rules.between` named after it, which the greedy, the reasons, the explanations
    and exit 3 ask; the rules it weighs as families are exactly those."""
    for rule in RULES:
        if rule.model is None or rule.demand is not None:
            assert rule.blocks is None, rule.name
            continue
        assert rule.blocks is not None, f"{rule.name} does not say what blocks a room and start"
        assert rule.blocks.rule == rule.name
        assert rule.blocks.find.__name__ == rule.name
        assert rule.blocks.find.__module__ == between.__name__
    assert tuple(r.name for r in RULES if r.blocks is not None) == CLASH_FAMILIES
    assert tuple(b.rule for b in blocking()) == CLASH_FAMILIES


def test_every_rule_that_explains_a_left_out_request_also_says_it_to_the_parties() -> None:
    """An agenda is handed to its delegation as it is: a rule with an `obstacle` (which names the meetings in
    the way and their priorities) has `party_obstacle` words too, and a placement step has `party_words`
    where its words name another delegation."""
    for rule in RULES:
        if rule.obstacle is not None:
            assert rule.party_obstacle is not None, f"{rule.name} has no party_obstacle"
            assert rule.party_obstacle.__name__ == f"{rule.name}_party_obstacle"
        else:
            assert rule.party_obstacle is None, rule.name
        for step in rule.placement:
            if step.party_words is not None:
                assert step.party_words.__name__ == f"{rule.name}_party_words"
    assert [r.name for r in RULES if any(s.party_words for s in r.placement)] == [rule_names.RESERVED_ROOMS]


# who or what a rule between meetings says is in the way
SUBJECTS = {"one_place_at_a_time": "A", "room_use": "rooms", "daily_load": "A", "interpreters": "teams"}
PARTY_WORDS_CASE = instance(
    rooms=[room("R1"), room("R2", reserved_for="C")],
    event_interpreter_teams=1,
    delegations=delegations(A={"max_meetings_per_day": 2}),
    requests=[request("AB", "AB", 60), request("CD", "CD", 60, 7)],
)


def test_party_obstacles_name_no_third_delegation_no_other_meeting_and_no_priority() -> None:
    """Each rule's obstacle for AB, with CD (priority 7, parties C and D) in the way: the office's words may
    name CD and its priority; the parties' words name neither, nor C and D."""
    conference = load_conference(json.dumps(PARTY_WORDS_CASE))
    blockers = frozenset({"CD", "@R1"})
    for rule in RULES:
        if rule.obstacle is None:
            continue
        obstacle = rule_words.Obstacle(conference, SUBJECTS[rule.name], blockers, "31 Oct", 1)
        said = rule.party_obstacle(obstacle)
        assert said and "31 Oct" in said, rule.name
        for secret in (r"\bCD\b", r"\bC\b", r"\bD\b", "priority", "7"):
            assert not re.search(secret, said), (rule.name, said)
    office = BY_NAME[rule_names.ONE_PLACE_AT_A_TIME].obstacle(
        rule_words.Obstacle(conference, "A", blockers, "31 Oct", 1)
    )
    assert "CD (priority 7)" in office  # the premise: the office is told


def test_every_rule_between_meetings_says_what_a_solve_found_in_the_way() -> None:
    """The confirmed explanation names the meetings in the way in each rule's own words, for the office and
    for the request's parties."""
    for rule in RULES:
        if rule.blocks is None:
            assert rule.in_the_way is None and rule.party_in_the_way is None, rule.name
            continue
        assert rule.in_the_way is not None and rule.in_the_way.__name__ == f"{rule.name}_in_the_way"
        assert rule.party_in_the_way is not None
        assert rule.party_in_the_way.__name__ == f"{rule.name}_party_in_the_way"


def test_party_words_of_the_meetings_in_the_way_name_no_third_delegation_no_other_meeting_and_no_priority() -> None:
    conference = load_conference(json.dumps(PARTY_WORDS_CASE))
    cd = Meeting("CD", ("C", "D"), "R1", 0, 60)
    for rule in RULES:
        if rule.in_the_way is None:
            continue
        in_the_way = rule_words.InTheWay(conference, SUBJECTS[rule.name], (cd,), "CD (priority 7) at 31 Oct 09:00")
        said = rule.party_in_the_way(in_the_way)
        assert said, rule.name
        for secret in (r"\bCD\b", r"\bC\b", r"\bD\b", "priority", "7"):
            assert not re.search(secret, said), (rule.name, said)
        assert "CD (priority 7)" in rule.in_the_way(in_the_way), rule.name  # the premise: the office is told


def test_a_salon_of_another_delegation_is_not_named_to_the_parties() -> None:
    data = instance(rooms=[room("R1", reserved_for="C"), room("R2", reserved_for="D")], requests=[request("AB", "AB")])
    conference = load_conference(json.dumps(data))
    outcome = solve(conference, SolveOptions(time_limit=10, workers=1, seed=1))
    [left_out] = outcome.unscheduled
    assert left_out.reason == "R1 is reserved for C and R2 is reserved for D"
    assert left_out.party_reason == "the rooms that could host it are other delegations' own salons"


def _test_names(module: str) -> list[str]:
    tree = ast.parse((ROOT / "tests" / "rules" / module).read_text())
    return [node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")]


def test_every_rule_has_tests_under_its_name() -> None:
    tests = _test_names("test_rules.py")
    for rule in RULES:
        assert any(t.startswith(f"test_{rule.name}_") for t in tests), f"no test_{rule.name}_... in test_rules.py"
        assert rule.name in BINDING, f"no binding instance for {rule.name}"


def test_every_rule_between_meetings_has_a_test_of_what_blocks_it() -> None:
    tests = _test_names("test_between.py")
    for rule in RULES:
        if rule.blocks is not None:
            assert any(t.startswith(f"test_{rule.name}_") for t in tests), f"no test_{rule.name}_... in test_between.py"


def test_the_readme_shows_the_registrys_rule_table() -> None:
    assert rule_table() in (ROOT / "README.md").read_text()


def test_the_json_schema_shows_reserved_rooms() -> None:
    room_schema = input_json_schema()["$defs"]["RoomIn"]["properties"]
    assert "reserved_for" in room_schema and "rule 13" in room_schema["reserved_for"]["description"]


# --- every rule binds ---------------------------------------------------------------------------------


@pytest.mark.parametrize("strengthening", list(STRENGTHENINGS), ids=list(STRENGTHENINGS))
@pytest.mark.parametrize("rule", [r.name for r in RULES])
def test_leaving_a_rule_out_changes_the_optimum_and_the_validator_names_it(rule: str, strengthening: str) -> None:
    data = BINDING[rule]
    chosen = STRENGTHENINGS[strengthening]
    conference, held = _optimum(data, ALL_RULES, chosen)
    assert check.check_schedule(conference, schedule_document(conference, held)).ok
    _, without = _optimum(data, ALL_RULES - {rule}, chosen)
    assert without.scheduled_priority != held.scheduled_priority
    report = check.check_schedule(conference, schedule_document(conference, without))
    assert {v.rule for v in report.violations} == {rule}, [str(v) for v in report.violations]


# --- every user of a rule between meetings asks it -----------------------------------------------------


def _binding(rule: str, must_happen: bool = False):
    data = json.loads(json.dumps(BINDING[rule]))
    for r in data["requests"]:
        r["mandatory"] = r.get("mandatory", False) or must_happen
    conference = load_conference(json.dumps(data))
    return conference, placements(conference, placement_rules())


@pytest.mark.parametrize("rule", CLASH_FAMILIES)
def test_the_greedy_without_a_rules_blocking_breaks_exactly_that_rule(rule: str) -> None:
    """The greedy asks each rule between meetings: with all of them its schedule is valid, without one the
    validator names exactly that rule (a rule added to the model but not to the registry's `blocks` would let
    the solver's warm start break it)."""
    conference, where = _binding(rule)
    assert meetings_report(conference, greedy_schedule(conference, where)).ok
    without = greedy_schedule(conference, where, rules=blocking(ALL_RULES - {rule}))
    report = meetings_report(conference, without)
    assert {v.rule for v in report.violations} == {rule}, [str(v) for v in report.violations]


@pytest.mark.parametrize("rule", CLASH_FAMILIES)
def test_the_explanations_and_exit_3_name_each_rule_between_meetings(rule: str, monkeypatch) -> None:
    """On its binding instance the greedy leaves one request out because of the rule: the reason is said in
    that rule's obstacle words, the confirmed explanation counts the rule among its causes, and when every
    request must happen exit 3 blames that rule alone."""
    conference, where = _binding(rule)
    meetings = greedy_schedule(conference, where)
    # each rule's obstacle words replaced by its name, to see whose words the reason is said in
    named = {r.name: dataclasses.replace(r, obstacle=lambda o, name=r.name: f"<{name}>") for r in RULES}
    monkeypatch.setattr(reasons, "BY_NAME", named)
    [left_out] = unscheduled_reasons(conference, where, meetings)
    assert left_out.reason == f"<{rule}>"
    assert Cause(rule) in explain(conference, meetings, left_out.request, where).causes
    conference, where = _binding(rule, must_happen=True)
    conflict = solve_must_happen(conference, where, seconds=10)
    assert isinstance(conflict, Conflict) and conflict.rules == (rule,), conflict


def test_unknown_rule_names_are_refused() -> None:
    from scheduler.registry import model_parts

    with pytest.raises(ValueError, match="no_such_rule"):
        model_parts(frozenset({"no_such_rule"}))
