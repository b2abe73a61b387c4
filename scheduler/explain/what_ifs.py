"""What would let a left-out request in, each change confirmed by a solve and then by the independent
validator on the changed schedule: the cheapest meetings to displace (and whether that is worth the
request's priority), the longest shorter duration that fits, the smallest extension of a party's
availability, and a room change."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.check.validator import check_schedule
from scheduler.contract import figures
from scheduler.contract import rule_names as names
from scheduler.contract.domain import Conference, Meeting, Request, Room, WhatIfChange, Window, merge_windows
from scheduler.explain.budget import Budget
from scheduler.explain.causes import Cause, WhatIf
from scheduler.explain.forced_in import ForcedIn, Option
from scheduler.explain.why_words import span, when
from scheduler.rules.placement import Placement, max_level
from scheduler.rules.words import join
from scheduler.search.greedy import greedy_schedule


@dataclass(frozen=True)
class Case:
    """Everything a what-if looks at: the request left out of the schedule, and the causes found."""

    conference: Conference
    request: Request
    meetings: list[Meeting]
    where: dict[str, Placement]
    forced: ForcedIn
    core: list[Cause]
    freeze: int | None
    budget: Budget


def what_ifs(case: Case) -> list[WhatIf]:
    """Each kind of change that a solve and the validator confirm would let the request in, as far as the
    time allows."""
    out = []
    for find in (_displace, _shorter, _available_longer, _other_room):
        try:
            found = find(case)
        except TimeoutError:
            break
        if found is not None:
            out.append(found)
    return out


def _valid(conference: Conference, meetings: list[Meeting]) -> bool:
    """The independent validator's verdict on a schedule of these meetings (the figures recomputed)."""
    clock = conference.clock
    held = {m.request for m in meetings}
    value = figures.scheduled_priority(conference, meetings)
    document = {
        "status": "feasible",
        "scheduled_priority": value,
        "upper_bound": value,
        "preferred_met": figures.preferred_met(conference, meetings),
        "breaks": figures.breaks(conference, meetings),
        "meetings": [
            {
                "request": m.request,
                "parties": list(m.parties),
                "room": m.room,
                "start": clock.to_iso(m.start),
                "end": clock.to_iso(m.end),
            }
            for m in meetings
        ],
        "unscheduled": [{"request": r.id, "reason": "-"} for r in conference.requests if r.id not in held],
    }
    return check_schedule(conference, document).ok


def _placed(request: Request, option: Option) -> Meeting:
    return Meeting(request.id, request.parties, option.room, option.start, option.start + request.duration)


def _displace(case: Case) -> WhatIf | None:
    """The cheapest meetings to drop so that the request fits (every rule kept), then each dropped meeting
    re-placed elsewhere if it still fits: confirmed by the validator."""
    if not any(c.meeting for c in case.core):
        return None
    # a mandatory or pinned meeting stays (it may move, never go), and so does what has been held
    held = {m.request for m in case.meetings if case.freeze is not None and m.start < case.freeze}
    fixed = [
        c
        for c in case.forced.causes
        if c.meeting is None or case.conference.request(c.meeting).must_happen or c.meeting in held
    ]
    stays = {c: case.forced.lits[c] for c in case.forced.causes if c not in fixed}
    case.forced.model.minimize(sum(case.conference.request(c.meeting).priority * (1 - lit) for c, lit in stays.items()))
    status, solver = case.forced.solve(fixed, case.budget)
    case.forced.model.clear_objective()
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    option = case.forced.option_of(solver)
    dropped = [c.meeting for c, lit in stays.items() if not solver.value(lit)]
    kept = [m for m in case.meetings if m.request not in dropped] + [_placed(case.request, option)]
    where = {m.request: case.where[m.request] for m in kept}
    where.update({rid: _after(case.where[rid], case.freeze) for rid in dropped})
    again = greedy_schedule(case.conference, where, placed=kept)
    if not _valid(case.conference, again):
        return None
    lost = [rid for rid in dropped if rid not in {m.request for m in again}]
    moved = [m for m in again if m.request in dropped]
    cost = sum(case.conference.request(rid).priority for rid in lost)
    at = f"{when(case.conference, option.start)} in {case.conference.room(option.room).name}"
    moves = join(
        [f"{m.request} to {when(case.conference, m.start)} in {case.conference.room(m.room).name}" for m in moved]
        or [""]
    )
    if not lost:
        office = f"moving {moves} would place it at {at} at no cost"
        return WhatIf(office, f"it could be placed at {at} if another meeting moved", _pin(case, option, office))
    listed = join([f"{rid} ({case.conference.request(rid).priority})" for rid in lost])
    verdict = "worth it" if cost < case.request.priority else "not worth it"
    office = (
        f"placing it at {at} would displace {listed}"
        + (f" (and move {moves})" if moved else "")
        + f": a cost of {cost} for its priority {case.request.priority}, {verdict}"
    )
    return WhatIf(office, None, _pin(case, option, office))


def _pin(case: Case, option: Option, words: str) -> WhatIfChange:
    """Pinning the request where the what-if placed it: the solve then moves (or drops) what is in the way."""
    return WhatIfChange("pin", case.request.id, words, start=option.start, room=option.room)


def _after(placement: Placement, freeze: int | None) -> Placement:
    """A placement cut to the starts from `freeze` on (a re-plan places nothing new before it)."""
    return placement if freeze is None else placement.narrowed(lambda room, s: s >= freeze)


def _shorter(case: Case) -> WhatIf | None:
    """The longest duration below the requested one that fits the schedule as it stands."""
    slot = case.conference.event.slot_minutes
    for duration in range(case.request.duration - slot, slot - 1, -slot):
        shorter = dataclasses.replace(case.request, duration=duration)
        changed = _with_request(case.conference, shorter)
        trial = ForcedIn(changed, shorter, case.meetings, case.freeze)
        status, solver = trial.solve(list(trial.lits), case.budget)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            option = trial.option_of(solver)
            if not _valid(changed, [*case.meetings, _placed(shorter, option)]):
                return None
            words = (
                f"at {duration} min instead of {case.request.duration} it would fit at "
                f"{when(case.conference, option.start)} in {case.conference.room(option.room).name}"
            )
            change = WhatIfChange("duration", case.request.id, words, start=option.start, room=option.room,
                                  minutes=duration)
            return WhatIf(words, words, change)
    return None


def _with_request(conference: Conference, request: Request) -> Conference:
    requests = tuple(request if r.id == request.id else r for r in conference.requests)
    return dataclasses.replace(conference, requests=requests, _index={})


def _available_longer(case: Case) -> WhatIf | None:
    """The smallest extension of one party's availability that lets the request in, the rest as it is."""
    best = None
    for cause in (c for c in case.core if c.rule == names.PRESENCE and c.subject):
        delegation = case.conference.delegation(cause.subject)
        others = [c for c in case.forced.causes if c != cause]
        outside = {}
        for x, o in zip(case.forced.x, case.forced.options, strict=True):
            outside[x] = _outside(delegation.available, o.start, o.start + case.request.duration)
        case.forced.model.minimize(sum(minutes * x for x, minutes in outside.items()))
        status, solver = case.forced.solve(others, case.budget)
        case.forced.model.clear_objective()
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue
        option = case.forced.option_of(solver)
        extra = _outside(delegation.available, option.start, option.start + case.request.duration)
        if best is None or extra < best[0]:
            best = (extra, cause.subject, option)
    if best is None:
        return None
    extra, party, option = best
    delegation = case.conference.delegation(party)
    wider = merge_windows([*(delegation.available or ()), Window(option.start, option.start + case.request.duration)])
    changed = dataclasses.replace(
        case.conference,
        delegations=tuple(
            dataclasses.replace(d, available=wider) if d.id == party else d for d in case.conference.delegations
        ),
        _index={},
    )
    if not _valid(changed, [*case.meetings, _placed(case.request, option)]):
        return None
    words = (
        f"if {party} were available {span(case.conference, option.start, option.start + case.request.duration)} "
        f"({extra} min more), it would fit then in {case.conference.room(option.room).name}"
    )
    end = option.start + case.request.duration
    return WhatIf(words, words, WhatIfChange("availability", party, words, start=option.start, end=end))


def _outside(windows, start: int, end: int) -> int:
    """Minutes of [start, end) outside the windows (None: always available)."""
    if windows is None:
        return 0
    inside = sum(max(0, min(end, w.end) - max(start, w.start)) for w in windows)
    return (end - start) - inside


ROOM_CHANGES = {
    names.SEATS: lambda r, room: f"seated {r.seats}",
    names.FEATURES: lambda r, room: (
        "had what it needs (" + ", ".join(sorted(r.requires)) + ")" if r.requires else "had interpretation booths"
    ),
    names.PROTOCOL_LEVEL: lambda r, room: "were of a higher protocol level",
    names.ROOM_USE: lambda r, room: "were open then",
}


def _other_room(case: Case) -> WhatIf | None:
    """One room's limit lifted (seats, features, level, hours) that lets the request in, the rest as it is."""
    candidates = [
        c for c in [*case.forced.background, *case.core] if c.rule in ROOM_CHANGES and c.subject and not c.meeting
    ]
    for cause in candidates:
        if case.forced.fits(case.forced.causes, lifted=cause) is None:
            continue  # cheap to rule out; a candidate that fits is then confirmed by CP-SAT and the validator
        status, solver = case.forced.solve(case.forced.causes, case.budget, lifted=cause)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            option = case.forced.option_of(solver)
            room = case.conference.room(cause.subject)
            changed = _room_lifted(case.conference, room, cause.rule, case.request, option)
            if not _valid(changed, [*case.meetings, _placed(case.request, option)]):
                continue
            words = (
                f"if {room.name} {ROOM_CHANGES[cause.rule](case.request, room)}, it would fit there at "
                f"{when(case.conference, option.start)}"
            )
            return WhatIf(words, words, WhatIfChange("room", room.id, words, start=option.start))
    return None


def _room_lifted(conference: Conference, room: Room, rule: str, request: Request, option: Option) -> Conference:
    """The conference with one room's limit lifted as the what-if says, for the validator to judge."""
    if rule == names.SEATS:
        lifted = dataclasses.replace(room, capacity=request.seats)
    elif rule == names.FEATURES:
        lifted = dataclasses.replace(room, features=room.features | request.requires | {"interpretation"})
    elif rule == names.PROTOCOL_LEVEL:
        lifted = dataclasses.replace(room, level=max_level(conference, request))
    else:
        hours = Window(option.start, option.start + request.duration)
        lifted = dataclasses.replace(
            room, available=None if room.available is None else merge_windows([*room.available, hours])
        )
    rooms = tuple(lifted if r.id == room.id else r for r in conference.rooms)
    return dataclasses.replace(conference, rooms=rooms, _index={})
