"""The secondary objectives the solve phases build on demand: preferences met, compactness (a guide), breaks,
and the rooms each delegation uses.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model
from ortools.util.python.sorted_interval_list import Domain

from scheduler.contract.domain import inside_union
from scheduler.contract.figures import programme_blocks

if TYPE_CHECKING:
    from scheduler.model.variables import ConferenceModel, MeetingVars


def preferred_value(cm: ConferenceModel) -> cp_model.LinearExpr:
    """Secondary goal 1: the sum of priority over held requests lying wholly inside their preferred windows."""
    lits, weights = [], []
    for mv in cm.meetings.values():
        request = mv.request
        if request.preferred is None:
            continue
        good = [s for s in mv.placement.starts if inside_union(request.preferred, s, s + request.duration)]
        if not good:
            continue
        met = cm.model.new_bool_var(f"preferred_met[{request.id}]")
        cm.model.add_implication(met, mv.held)
        if len(good) < len(mv.placement.starts):
            cm.model.add_linear_expression_in_domain(mv.start, Domain.from_values(good)).only_enforce_if(met)
        lits.append(met)
        weights.append(request.priority)
    return cp_model.LinearExpr.weighted_sum(lits, weights)


@dataclass(frozen=True)
class _Node:
    """One commitment of a delegation on a day, in the successor graph of the breaks objective."""

    present: object  # literal, or True for a programme block
    start: object  # start variable or constant
    end_offset: int  # end = start + end_offset
    earliest: int
    latest_start: int
    is_meeting: bool


RUNS_LITERALS = 400  # per delegation and day; above it, the successor circuit is smaller


def breaks_model_size(cm: ConferenceModel) -> int:
    """Roughly how many constraints `breaks_value` would add (to skip it when time is short)."""
    size = 0
    for party, mvs in cm.of_delegation().items():
        for day in cm.conference.event.days:
            mine = [mv for mv in mvs if day.index in mv.on_day]
            starts = sum(sum(day.start <= s < day.end for s in mv.placement.starts) for mv in mine)
            blocks = programme_blocks(cm.conference, party, day)
            if mine and not blocks and starts <= RUNS_LITERALS:
                size += starts
            elif mine:
                size += 3 * (len(mine) + len(blocks)) ** 2
    return size


def breaks_value(cm: ConferenceModel) -> cp_model.LinearExpr:
    """Secondary goal 2: the number of breaks of every delegation on every day.

    On a day without programme items a delegation's breaks are its runs of back-to-back meetings less one
    (`_runs`); otherwise, and where that model would be large, a successor circuit orders its commitments
    (`_circuit`).
    """
    event = cm.conference.event
    threshold = event.changeover_minutes + event.slot_minutes
    breaks = []
    for party, mvs in cm.of_delegation().items():
        for day in event.days:
            mine = [mv for mv in mvs if day.index in mv.on_day]
            starts = sum(sum(day.start <= s < day.end for s in mv.placement.starts) for mv in mine)
            if not mine:
                continue
            if not programme_blocks(cm.conference, party, day) and starts <= RUNS_LITERALS:
                breaks.append(_runs(cm, mine, day, f"{party}@{day.index}"))
            else:
                breaks += _circuit(cm, _day_nodes(cm, party, mvs, day), threshold, f"{party}@{day.index}")
    _tables_per_slot(cm)
    return sum(breaks) if breaks else cp_model.LinearExpr.constant(0)


def _tables_per_slot(cm: ConferenceModel) -> None:
    """Implied by room use (rule 5): at any grid time no more meetings are in progress than there are rooms.
    Said over the start literals the breaks share (`held_at`), it is the B2B model's "busy participants per
    slot at most twice the tables", which the LP of the breaks cannot see from the rooms' own constraints."""
    if not cm.holds_room_use or "breaks_implied" not in cm.strengthening:
        return
    rooms = len(cm.conference.rooms)
    slot = cm.conference.event.slot_minutes
    for day in cm.conference.event.days:
        in_progress: dict[int, list] = defaultdict(list)
        for (rid, index), at in cm.starts_on_day.items():
            if index != day.index:
                continue
            duration = cm.meetings[rid].duration
            for s, lit in at.items():
                first = day.start + -(-(s - day.start) // slot) * slot  # the first grid time at or after s
                for t in range(first, min(s + duration, day.end), slot):
                    in_progress[t].append(lit)
        for lits in in_progress.values():
            if len(lits) > rooms:
                cm.model.add(sum(lits) <= rooms)


def _runs(cm: ConferenceModel, mine: list[MeetingVars], day, name: str) -> cp_model.IntVar:
    """Breaks of one delegation on a day without programme items, on the slot grid.

    Back-to-back meetings (next start = this start + extent, i.e. an idle time under changeover + slot)
    occupy consecutive grid positions, so the breaks are the runs of occupied positions less one.
    """
    m = cm.model
    slot = cm.conference.event.slot_minutes
    gap = cm.conference.event.changeover_minutes
    occupied: dict[int, list] = defaultdict(list)
    off_grid: set[int] = set()  # positions reached by a start off the grid (a pin), where two may share one
    for mv in mine:
        for s, lit in cm.held_at(mv, day).items():
            first = (s - day.start) // slot
            for position in range(first, first - (-(mv.duration + gap) // slot)):  # extent in whole slots
                occupied[position].append(lit)
                if (s - day.start) % slot:
                    off_grid.add(position)
    for position, lits in occupied.items():
        if "breaks_implied" in cm.strengthening and position not in off_grid and len(lits) > 1:
            # implied by one place at a time: said, it lets the LP see that a run cannot begin twice at once
            m.add(sum(lits) <= 1)
    run_starts = []
    for position in sorted(occupied):
        begins = m.new_bool_var(f"run[{name},{position}]")
        before = occupied.get(position - 1, [])
        m.add(begins >= sum(occupied[position]) - sum(before))
        run_starts.append(begins)
    breaks = m.new_int_var(0, len(run_starts), f"breaks[{name}]")
    m.add(breaks >= sum(run_starts) - 1)
    return breaks


def _day_nodes(cm: ConferenceModel, party: str, mvs: list[MeetingVars], day) -> list[_Node]:
    nodes = []
    for mv in mvs:
        if day.index in mv.on_day:
            starts = [s for s in mv.placement.starts if day.start <= s < day.end]
            nodes.append(_Node(mv.on_day[day.index], mv.start, mv.duration, starts[0], starts[-1], True))
    for start, end in programme_blocks(cm.conference, party, day):
        nodes.append(_Node(True, start, end - start, start, start, False))
    return nodes


def _circuit(cm: ConferenceModel, nodes: list[_Node], threshold: int, name: str) -> list:
    m = cm.model
    gap = cm.conference.event.changeover_minutes
    arcs = []
    breaks = []
    for i, node in enumerate(nodes, start=1):
        arcs.append((0, i, m.new_bool_var(f"first[{name},{i}]")))
        arcs.append((i, 0, m.new_bool_var(f"last[{name},{i}]")))
        if node.present is not True:
            arcs.append((i, i, ~node.present))
    if all(n.present is not True for n in nodes):
        arcs.append((0, 0, m.new_bool_var(f"empty[{name}]")))
    for i, a in enumerate(nodes, start=1):
        for j, b in enumerate(nodes, start=1):
            if i == j:
                continue
            need = gap if (a.is_meeting or b.is_meeting) else 0
            if b.latest_start < a.earliest + a.end_offset + need:
                continue  # b can never follow a
            lit = m.new_bool_var(f"next[{name},{i},{j}]")
            arcs.append((i, j, lit))
            m.add(b.start >= a.start + a.end_offset + need).only_enforce_if(lit)
            if a.is_meeting or b.is_meeting:
                brk = m.new_bool_var(f"break[{name},{i},{j}]")
                m.add_implication(brk, lit)
                m.add(b.start - a.start - a.end_offset <= threshold - 1).only_enforce_if([lit, ~brk])
                breaks.append(brk)
    m.add_circuit(arcs)
    return breaks


def compactness_value(cm: ConferenceModel) -> cp_model.LinearExpr:
    """A guide towards few breaks: the idle time inside each delegation's day, from its first meeting's start
    to its last meeting's end (with changeover, rounded to the grid), less its meetings' own extents.

    No idle time means no break; unlike breaks it has a useful linear relaxation. Days on which the
    delegation attends programme items are left to the exact breaks phase (a plenary between two meetings
    is idle time here, but no break).
    """
    event = cm.conference.event
    gap = event.changeover_minutes
    idle = []
    for party, mvs in cm.of_delegation().items():
        for day in event.days:
            mine = [mv for mv in mvs if day.index in mv.on_day]
            if len(mine) < 2 or programme_blocks(cm.conference, party, day):
                continue
            first = cm.model.new_int_var(day.start, day.end, f"first[{party}@{day.index}]")
            last = cm.model.new_int_var(day.start, day.end + max(cm.extent(mv, gap) for mv in mine), f"last[{party}]")
            if all(mv.request.must_happen and len(mv.on_day) == 1 for mv in mine):
                # all certainly held that day: exact first and last, which the solver propagates far better
                cm.model.add_min_equality(first, [mv.start for mv in mine])
                cm.model.add_max_equality(last, [mv.start + cm.extent(mv, gap) for mv in mine])
            for mv in mine:
                on = mv.on_day[day.index]
                cm.model.add(first <= mv.start).only_enforce_if(on)
                cm.model.add(last >= mv.start + cm.extent(mv, gap)).only_enforce_if(on)
            # never negative (the extents fit between first and last): saying so gives the LP its bound
            spare = cm.model.new_int_var(0, day.end - day.start + gap, f"idle[{party}@{day.index}]")
            cm.model.add(spare == last - first - sum(cm.extent(mv, gap) * mv.on_day[day.index] for mv in mine))
            idle.append(spare)
    return sum(idle) if idle else cp_model.LinearExpr.constant(0)


def rooms_used_value(cm: ConferenceModel) -> cp_model.LinearExpr:
    """Tie-breaker: the number of (delegation, room) pairs in use, so delegations change rooms less."""
    used_terms = []
    for party, mvs in cm.of_delegation().items():
        rooms = {r for mv in mvs for r in mv.in_room}
        if len(rooms) < 2:
            continue
        for room_id in sorted(rooms):  # in one order whatever the hash seed: a seeded solve repeats
            used = cm.model.new_bool_var(f"uses[{party},{room_id}]")
            for mv in mvs:
                if room_id in mv.in_room:
                    cm.model.add_implication(mv.in_room[room_id], used)
            used_terms.append(used)
    return sum(used_terms) if used_terms else cp_model.LinearExpr.constant(0)
