"""Re-planning a published schedule (issue 10): the perturbations of `benchmarks.perturbations` under each
stability, `--freeze-before` (history kept exactly, nothing new before it), history that the new input
forbids, a previous schedule that cannot anchor the re-plan, and the CLI end to end.

Every solve is deterministic (one worker, a seed, a deterministic limit per phase, a wall limit far away),
so the figures asserted are the same on a busy machine; no timing is asserted."""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from benchmarks.perturbations import scenarios
from scheduler.check.validator import FIGURES, OUTPUT, check_schedule
from scheduler.cli import app
from scheduler.contract.document import ScheduleDocument, read_document
from scheduler.contract.domain import Conference, Meeting
from scheduler.contract.rule_names import DAILY_LOAD, PRESENCE
from scheduler.publish.from_outcome import schedule_document
from scheduler.publish.publication import publish
from scheduler.publish.revisions import carry_identity
from scheduler.solve.baseline import STABILITIES, BadAnchor, weighted_changes
from scheduler.solve.move_cost import DEFAULT, SCALE, price_of
from scheduler.solve.solver import replan, solve
from scheduler.solve.types import Outcome
from tests.support.instances import instance, request
from tests.support.replans import (
    FIRST,
    INSTANCES,
    MINSK,
    OPTIONS,
    SCENARIOS,
    SECOND,
    _conference,
    kept,
    perturbed,
    published,
    still_valid,
)

runner = CliRunner()


@cache
def replanned(name: str, scenario: str) -> tuple[Conference, dict[str, tuple[Outcome, ScheduleDocument]]]:
    """The perturbed conference and, per stability, the re-plan and its published document. The document is
    made as `publish` makes it (calendar identity carried from the previous one) without the files, which
    take seconds on Minsk; the tests check it as `publish` does before it writes anything. On Minsk the
    fresh solve (`off`) stops after the primary objective: its secondary goals cost seconds and change
    nothing about stability."""
    _, _, previous = published(name)
    conference = _conference(perturbed(name)[scenario])
    out = {}
    for stability in STABILITIES:
        options = dataclasses.replace(OPTIONS, secondary=False) if (name, stability) == ("minsk", "off") else OPTIONS
        outcome = replan(conference, previous, options, stability=stability)
        out[stability] = outcome, carry_identity(conference, schedule_document(conference, outcome), previous, SECOND)
    return conference, out


def as_schedule(conference: Conference, meetings: list[Meeting]) -> dict:
    """Meetings as a schedule.json (figures left for the validator to recompute; the rest unscheduled)."""
    clock, held = conference.clock, {m.request for m in meetings}
    return {
        "status": "feasible",
        "scheduled_priority": 0,
        "upper_bound": 10**6,
        "preferred_met": 0,
        "breaks": 0,
        "meetings": [
            {"request": m.request, "parties": list(m.parties), "room": m.room, "start": clock.to_iso(m.start),
             "end": clock.to_iso(m.end)}
            for m in meetings
        ],
        "unscheduled": [{"request": r.id, "reason": "left out"} for r in conference.requests if r.id not in held],
    }


def assert_change_marks(previous: ScheduleDocument, document: ScheduleDocument) -> None:
    """Each meeting's `change` tells the truth against the previous publication, and the counts add up."""
    before = {m.request: m for m in previous.meetings}
    for m in document.meetings:
        old = before.get(m.request)
        if m.change == "new":
            assert old is None, m.request
            assert m.moved_from is None
        elif m.change == "unchanged":
            assert old is not None, m.request
            assert (old.room, old.starts_at, old.ends_at) == (m.room, m.starts_at, m.ends_at), m.request
            assert m.moved_from is None
        elif m.change == "moved":
            assert old is not None, m.request
            assert (old.room, old.starts_at, old.ends_at) != (m.room, m.starts_at, m.ends_at), m.request
            assert m.moved_from is not None
            assert (m.moved_from.room, m.moved_from.start, m.moved_from.end) == (old.room, old.start, old.end)
        else:
            raise AssertionError(f"{m.request} has change {m.change!r}")
    now = {m.request for m in document.meetings}
    gone = {rid for rid in before if rid not in now}
    count = Counter(m.change for m in document.meetings)
    changes = document.solve.changes
    assert (changes.unchanged, changes.moved, changes.new, changes.cancelled) == (
        count["unchanged"], count["moved"], count["new"], len(gone))
    assert gone <= {c.request for c in document.cancelled}


# --- 1. the perturbations under each stability ---------------------------------------------------------------


CASES = [pytest.param(name, s, id=f"{name}-{s}") for name in INSTANCES for s in SCENARIOS]


@pytest.mark.slow
def test_every_scenario_applies_to_both_instances():
    for name in INSTANCES:
        assert tuple(perturbed(name)) == SCENARIOS


@pytest.mark.slow
@pytest.mark.parametrize(("name", "scenario"), CASES)
def test_strict_keeps_every_still_valid_meeting_where_it_was(name, scenario):
    _, _, previous = published(name)
    conference, runs = replanned(name, scenario)
    valid = still_valid(conference, previous)
    assert valid
    outcome, document = runs["strict"]
    assert kept(valid, outcome) == valid
    assert document.solve.stability == "strict"
    assert check_schedule(conference, document).ok


@pytest.mark.slow
@pytest.mark.parametrize(("name", "scenario"), CASES)
def test_priority_first_loses_no_value_and_moves_no_more_than_a_fresh_solve(name, scenario):
    _, _, previous = published(name)
    conference, runs = replanned(name, scenario)
    (off, _), (balanced, _), (strict, _) = runs["off"], runs["priority"], runs["strict"]
    assert balanced.status == off.status == "optimal"
    assert balanced.scheduled_priority == off.scheduled_priority >= strict.scheduled_priority
    # never below what keeping every still-valid meeting gives (they are jointly valid here)
    valid = still_valid(conference, previous)
    report = check_schedule(conference, as_schedule(conference, valid))
    assert [v for v in report.violations if v.rule not in (FIGURES, OUTPUT)] == []
    assert balanced.scheduled_priority >= report.scheduled_priority
    # same value as the fresh solve, so its changes weigh no more, and it keeps at least as many meetings
    # (counted meeting by meeting in Python, not by the model's expression)
    changes = {run: weighted_changes(conference, previous, outcome.meetings) for run, outcome in
               (("balanced", balanced), ("off", off))}  # fmt: skip
    assert changes["balanced"] <= changes["off"]
    assert len(kept(valid, balanced)) >= len(kept(valid, off))


@pytest.mark.slow
@pytest.mark.parametrize(("name", "scenario"), CASES)
def test_balanced_moves_a_published_meeting_only_where_the_priority_gained_pays_the_rate(name, scenario):
    """Counted in Python from the schedules, not by the model: the balanced re-plan's priority less the price
    of its changes is no less than the strict one's (which moves nothing it need not, so pays nothing); its
    priority is no less than strict's; and every published meeting it moves or drops either had to (the new
    input no longer allows it where it was) or is priced."""
    _, _, previous = published(name)
    conference, runs = replanned(name, scenario)
    (balanced, document), (strict, _) = runs["balanced"], runs["strict"]
    valid = {m.request: m for m in still_valid(conference, previous)}
    priority = {r.id: r.priority for r in conference.requests}

    def net(outcome: Outcome) -> int:
        return SCALE * outcome.scheduled_priority - price_of(DEFAULT, valid, priority, outcome.meetings)

    assert price_of(DEFAULT, valid, priority, strict.meetings) == 0
    assert net(balanced) >= net(strict)
    assert balanced.scheduled_priority >= strict.scheduled_priority
    assert document.solve.move_cost.level == "normal" and document.solve.move_cost.time == 1.0
    assert document.solve.move_cost.value == net(balanced) / SCALE
    # a meeting that had to move says which rule forced it; one moved by choice says what it made room for
    for m in document.meetings:
        if m.change == "moved":
            forced = m.request not in valid
            assert m.change_reason.startswith("had to move: ") == forced, (m.request, m.change_reason)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "scenario"), CASES)
def test_change_marks_tell_the_truth(name, scenario):
    _, _, previous = published(name)
    conference, runs = replanned(name, scenario)
    for stability, (outcome, document) in runs.items():
        assert check_schedule(conference, document).ok, stability
        assert document.solve.stability == stability
        assert [m.request for m in document.meetings] == [m.request for m in outcome.meetings]
        assert_change_marks(previous, document)


def test_the_first_publication_has_no_change_marks():
    _, _, document = published("small")
    assert all(m.change is None and m.moved_from is None for m in document.meetings)
    assert document.solve.changes is None and document.solve.stability is None


# --- 2. --freeze-before: history kept exactly, nothing new before the instant -------------------------------


@cache
def _event_span() -> tuple[datetime, int, int]:
    """The first day's start (aware), the minutes to the last day's end, and the slot length."""
    data, _, _ = published("small")
    event, zone = data["event"], ZoneInfo(data["event"]["timezone"])
    first, last = event["days"][0], event["days"][-1]
    start = datetime.fromisoformat(f"{first['date']}T{first['start']}").replace(tzinfo=zone)
    end = datetime.fromisoformat(f"{last['date']}T{last['end']}").replace(tzinfo=zone)
    return start, int((end - start).total_seconds() // 60), event["slot_minutes"]


@st.composite
def instants(draw) -> datetime:
    """A minute from the first day's start to the last day's end, on the slot grid or not, in the event's
    zone or in UTC."""
    start, span, slot = _event_span()
    minute = draw(st.one_of(st.integers(0, span // slot).map(lambda k: k * slot), st.integers(0, span)))
    moment = start + timedelta(minutes=minute)
    return moment.astimezone(UTC) if draw(st.booleans()) else moment


@settings(max_examples=15, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@pytest.mark.slow
@given(instant=instants(), scenario=st.sampled_from(SCENARIOS), stability=st.sampled_from(STABILITIES))
def test_freeze_keeps_history_exactly_and_places_nothing_new_before_it(instant, scenario, stability):
    _, _, previous = published("small")
    conference = _conference(perturbed("small")[scenario])
    requests = {r.id for r in conference.requests}
    before = [m for m in previous.meetings if m.starts_at < instant]
    withdrawn = [i for i, m in enumerate(previous.meetings) if m.starts_at < instant and m.request not in requests]
    event("a held meeting withdrawn" if withdrawn else "some history" if before else "no history")
    if withdrawn:  # a meeting held cannot be withdrawn
        with pytest.raises(BadAnchor) as caught:
            replan(conference, previous, OPTIONS, stability=stability, freeze_before=instant)
        assert [p.path for p in caught.value.problems] == [f"meetings[{i}]" for i in withdrawn]
        return
    outcome = replan(conference, previous, OPTIONS, stability=stability, freeze_before=instant)
    assert outcome.has_schedule
    clock = conference.clock
    assert outcome.frozen_before == clock.to_minute(instant)
    now = {(m.request, m.parties, m.room, m.start, m.end) for m in outcome.meetings}
    for m in before:
        held = (m.request, m.parties, m.room, clock.to_minute(m.starts_at), clock.to_minute(m.ends_at))
        assert held in now, m.request
    early = {m.request for m in outcome.meetings if clock.to_datetime(m.start) < instant}
    assert early == {m.request for m in before}
    document = publish(conference, outcome, previous, SECOND).document  # not refused: the check passes
    assert datetime.fromisoformat(document.frozen_before) == instant
    assert all(m.change == "unchanged" for m in document.meetings if m.request in early)
    assert_change_marks(previous, document)


# --- 3. history that the new input forbids --------------------------------------------------------------------


def _tiny(requests: list[dict]) -> tuple[dict, Conference, ScheduleDocument]:
    data = instance(requests=requests)
    conference = _conference(data)
    outcome = solve(conference, OPTIONS)
    assert outcome.status == "optimal" and len(outcome.meetings) == len(requests)
    return data, conference, publish(conference, outcome, None, FIRST).document


def _meeting(document: ScheduleDocument, rid: str):
    return next(m for m in document.meetings if m.request == rid)


def test_a_held_meeting_outside_a_changed_availability_is_history_not_a_violation():
    data, _, previous = _tiny([request("AB", "AB", 60, 5), request("CD", "CD", 60, 3), request("AC", "AC", 30, 2)])
    ab = _meeting(previous, "AB")
    # A now arrives only after AB has started: AB, already under way, falls outside A's availability
    late = ab.starts_at + timedelta(minutes=30)
    data["delegations"][0]["available"] = [{"start": f"{late:%Y-%m-%dT%H:%M}", "end": "2024-10-31T12:00"}]
    conference = _conference(data)
    outcome = replan(conference, previous, OPTIONS, freeze_before=late)
    document = publish(conference, outcome, previous, SECOND).document
    assert _meeting(document, "AB").starts_at == ab.starts_at and _meeting(document, "AB").room == ab.room
    report = check_schedule(conference, document)
    assert report.ok, [str(v) for v in report.violations]
    assert [v.rule for v in report.history] == [PRESENCE]
    assert "AB" in report.history[0].message
    # the exemption is the freeze's: the same meetings without it fail, on that very rule
    unfrozen = check_schedule(conference, document.model_copy(update={"frozen_before": None}))
    assert not unfrozen.ok
    assert [v.rule for v in unfrozen.violations] == [PRESENCE] and "AB" in unfrozen.violations[0].message
    assert unfrozen.history == ()


def test_a_lowered_daily_load_keeps_what_was_held_and_adds_nothing_for_that_delegation():
    data, _, previous = _tiny([request(f"A{x}", f"A{x}", 30, 3 + i) for i, x in enumerate("BCD")])
    ordered = sorted(previous.meetings, key=lambda m: m.starts_at)
    freeze = ordered[1].starts_at + timedelta(minutes=1)  # two of A's meetings have started
    data["delegations"][0]["max_meetings_per_day"] = 1
    conference = _conference(data)
    outcome = replan(conference, previous, OPTIONS, freeze_before=freeze)
    document = publish(conference, outcome, previous, SECOND).document
    assert {m.request for m in document.meetings} == {ordered[0].request, ordered[1].request}
    assert [c.request for c in document.cancelled] == [ordered[2].request]
    report = check_schedule(conference, document)
    assert report.ok and [v.rule for v in report.history] == [DAILY_LOAD]
    unfrozen = check_schedule(conference, document.model_copy(update={"frozen_before": None}))
    assert [v.rule for v in unfrozen.violations] == [DAILY_LOAD]


def test_history_with_a_new_meeting_among_its_faults_fails_the_check():
    """A held meeting's fault is only exempt while no meeting after the freeze takes part in it."""
    data, _, previous = _tiny([request(f"A{x}", f"A{x}", 30, 3 + i) for i, x in enumerate("BCD")])
    ordered = sorted(previous.meetings, key=lambda m: m.starts_at)
    data["delegations"][0]["max_meetings_per_day"] = 1
    conference = _conference(data)
    stated = previous.model_dump(mode="json")
    stated["frozen_before"] = (ordered[1].starts_at + timedelta(minutes=1)).isoformat()
    report = check_schedule(conference, stated)  # all three meetings: the third, after the freeze, breaks the load
    assert DAILY_LOAD in {v.rule for v in report.violations}


# --- 4. a previous schedule that cannot anchor the re-plan, and bad options ----------------------------------


def test_a_withdrawn_request_held_before_the_freeze_is_a_bad_anchor_naming_the_meeting(tmp_path, cli):
    data, _, previous = _tiny([request("AB", "AB", 60, 5), request("CD", "CD", 60, 3), request("AC", "AC", 30, 2)])
    index = next(i for i, m in enumerate(previous.meetings) if m.request == "AB")
    freeze = previous.meetings[index].starts_at + timedelta(minutes=15)
    data["requests"] = [r for r in data["requests"] if r["id"] != "AB"]
    conference = _conference(data)
    with pytest.raises(BadAnchor) as caught:
        replan(conference, previous, OPTIONS, freeze_before=freeze)
    assert [p.path for p in caught.value.problems] == [f"meetings[{index}]"]
    assert "AB" in str(caught.value) and "withdrawn" in str(caught.value)
    # the same through the CLI: exit 2 with that line, nothing written
    old = tmp_path / "old.json"
    old.write_text(previous.to_json(), encoding="utf-8")
    code, output, out = cli(data, "--previous", str(old), "--freeze-before", freeze.isoformat())
    assert code == 2, output
    assert f"meetings[{index}]: AB was held before the freeze" in output and "cannot re-plan" in output
    assert not out.exists()
    # after the freeze the request may be withdrawn: it is simply cancelled
    code, output, out = cli(data, "--previous", str(old), "--freeze-before",
                            (previous.meetings[index].starts_at - timedelta(minutes=1)).isoformat())
    assert code == 0, output
    written = read_document((out / "schedule.json").read_text(encoding="utf-8"))
    assert "AB" in {c.request for c in written.cancelled}


def test_a_held_meeting_whose_room_is_gone_or_duration_changed_is_a_bad_anchor():
    data, _, previous = _tiny([request("AB", "AB", 60, 5), request("CD", "CD", 60, 3)])
    first = min(range(len(previous.meetings)), key=lambda i: previous.meetings[i].starts_at)
    freeze = previous.meetings[first].starts_at + timedelta(minutes=1)
    rid = previous.meetings[first].request
    longer = json.loads(json.dumps(data))
    next(r for r in longer["requests"] if r["id"] == rid)["duration_minutes"] = 90
    with pytest.raises(BadAnchor) as caught:
        replan(_conference(longer), previous, OPTIONS, freeze_before=freeze)
    assert [p.path for p in caught.value.problems] == [f"meetings[{first}]"] and "90 min" in str(caught.value)
    moved = json.loads(json.dumps(data))
    moved["rooms"][0]["id"] = "R2"
    with pytest.raises(BadAnchor) as caught:
        replan(_conference(moved), previous, OPTIONS, freeze_before=freeze)
    assert [p.path for p in caught.value.problems] == [f"meetings[{first}]"] and "'R1'" in str(caught.value)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--freeze-before", "2024-10-31T10:00+03:00"], "--freeze-before: needs --previous"),
        (["--previous", "{old}", "--stability", "wobbly"],
         "--stability: expected one of strict, balanced, priority, off"),
        (["--previous", "{old}", "--freeze-before", "tomorrow"], "not an ISO 8601 date and time"),
    ],
    ids=["freeze-without-previous", "unknown-stability", "freeze-not-a-moment"],
)
def test_bad_re_plan_options_are_exit_2_and_nothing_written(tmp_path, cli, args, words):
    data, _, previous = _tiny([request("AB", "AB", 60, 5)])
    old = tmp_path / "old.json"
    old.write_text(previous.to_json(), encoding="utf-8")
    code, output, out = cli(data, *(a.format(old=old) for a in args))
    assert code == 2, output
    assert words in output and "Traceback" not in output
    assert not out.exists()


# --- --freeze-before in the event's own wall-clock time ---------------------------------------------------------


def test_freeze_before_in_the_events_local_time_re_plans_as_the_same_moment_with_its_offset(tmp_path, cli):
    """The office writes every time in the event's zone (Minsk, UTC+3): `--freeze-before 2024-10-31T09:15` is
    09:15 there, the same re-plan as `2024-10-31T09:15+03:00` and as 06:15 UTC (all but the solve's timings)."""
    data, _, previous = _tiny([request("AB", "AB", 60, 5), request("CD", "CD", 60, 3), request("AC", "AC", 30, 2)])
    first = min(previous.meetings, key=lambda m: m.starts_at)
    freeze = first.starts_at + timedelta(minutes=15)  # the first meeting has started: history to keep
    local = f"{freeze.astimezone(ZoneInfo('Europe/Minsk')):%Y-%m-%dT%H:%M}"
    old = tmp_path / "old.json"
    old.write_text(previous.to_json(), encoding="utf-8")
    written = {}
    for typed in (local, f"{local}+03:00", f"{freeze.astimezone(UTC):%Y-%m-%dT%H:%M}Z"):
        code, output, out = cli(data, "--previous", str(old), "--freeze-before", typed,
                                "--published-at", "2024-10-30T12:00:00Z", "--replace")
        assert code == 0, output
        schedule = json.loads((out / "schedule.json").read_text(encoding="utf-8"))
        written[typed] = ({k: v for k, v in schedule.items() if k != "solve"}, schedule["solve"]["changes"])
    assert written[local] == written[f"{local}+03:00"] == written[f"{freeze.astimezone(UTC):%Y-%m-%dT%H:%M}Z"]
    document = read_document((out / "schedule.json").read_text(encoding="utf-8"))
    assert datetime.fromisoformat(document.frozen_before) == freeze
    assert _meeting(document, first.request).change == "unchanged"


def _berlin(tmp_path) -> tuple[dict, str]:
    """A small event in Berlin on the two days it changes its clocks in 2024, and its first publication."""
    days = [{"date": d, "start": "09:00", "end": "12:00"} for d in ("2024-03-31", "2024-10-27")]
    data = instance(event_timezone="Europe/Berlin", event_days=days, requests=[request("AB", "AB", 60, 5)])
    conference = _conference(data)
    old = tmp_path / "old.json"
    old.write_text(publish(conference, solve(conference, OPTIONS), None, FIRST).document.to_json(), encoding="utf-8")
    return data, str(old)


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("2024-03-31T02:30", "--freeze-before: 2024-03-31T02:30 does not exist in Europe/Berlin: the clocks go "
                             "forward from 02:00 to 03:00 that day; give the offset"),
        ("2024-10-27T02:30", "--freeze-before: 2024-10-27T02:30 happens twice in Europe/Berlin (the clocks go back "
                             "from 03:00 to 02:00 that day): give the offset, +02:00 (the first time) or +01:00"),
    ],
    ids=["skipped", "repeated"],
)
def test_freeze_before_at_a_local_time_the_clocks_skip_or_repeat_is_exit_2_naming_it(tmp_path, cli, typed, words):
    data, old = _berlin(tmp_path)
    code, output, out = cli(data, "--previous", old, "--freeze-before", typed)
    assert code == 2, output
    assert words in output and "Traceback" not in output and len(output.strip().splitlines()) == 1, output
    assert not out.exists()


def test_freeze_before_at_a_repeated_local_time_with_its_offset_is_the_moment_given(tmp_path, cli):
    data, old = _berlin(tmp_path)
    for typed in ("2024-10-27T02:30+02:00", "2024-10-27T02:30+01:00", "2024-03-31T01:30Z"):
        code, output, out = cli(data, "--previous", old, "--freeze-before", typed, "--replace",
                                "--published-at", "2024-10-30T12:00:00Z")
        assert code == 0, output
        frozen = read_document((out / "schedule.json").read_text(encoding="utf-8")).frozen_before
        assert datetime.fromisoformat(frozen) == datetime.fromisoformat(typed)


# --- 5. the CLI end to end on Minsk ----------------------------------------------------------------------------


@pytest.mark.slow
def test_cli_re_plans_minsk_with_change_marks_and_a_changes_line(tmp_path):
    first = tmp_path / "first"
    args = ["--workers", "1", "--seed", "0", "--time-limit", "4"]
    done = runner.invoke(app, ["solve", str(MINSK), "--out", str(first), "--quiet", *args,
                               "--published-at", "2024-10-30T12:00:00Z"])
    assert done.exit_code == 0, done.output
    schedule = json.loads((first / "schedule.json").read_text(encoding="utf-8"))
    assert all("change" not in m for m in schedule["meetings"])
    changed = tmp_path / "changed.json"
    data = json.loads(MINSK.read_text(encoding="utf-8"))
    changed.write_text(json.dumps(scenarios(data, schedule)["room_closed"]), encoding="utf-8")
    second = tmp_path / "second"
    done = runner.invoke(app, ["solve", str(changed), "--out", str(second), *args, "--previous",
                               str(first / "schedule.json"), "--published-at", "2024-10-30T18:00:00Z"])
    assert done.exit_code == 0, done.output
    line = re.search(r"^(\d+) unchanged, (\d+) moved, (\d+) new, (\d+) cancelled$", done.output, re.M)
    assert line, done.output
    again = json.loads((second / "schedule.json").read_text(encoding="utf-8"))
    assert again["solve"]["changes"] == dict(zip(("unchanged", "moved", "new", "cancelled"),
                                                  map(int, line.groups()), strict=True))
    assert again["solve"]["stability"] == "balanced"
    assert all(m["change"] in ("unchanged", "moved", "new") for m in again["meetings"])
    assert int(line[1]) > 0
    assert_change_marks(read_document((first / "schedule.json").read_text(encoding="utf-8")),
                        read_document((second / "schedule.json").read_text(encoding="utf-8")))
    checked = runner.invoke(app, ["check", str(changed), str(second / "schedule.json")])
    assert checked.exit_code == 0, checked.output
