"""A greedy first-fit schedule: what an office does by hand, and the solver's starting point.

Requests are taken by importance (pinned, then mandatory, then by priority) and each is put at the
earliest start, in the smallest suitable room, that breaks no rule with the meetings already placed.
It always returns a valid schedule, however little time there is.
"""

from __future__ import annotations

from collections.abc import Iterable

from scheduler.contract.domain import Conference, History, Meeting
from scheduler.registry import blocking
from scheduler.rules.between import Blocking, Placed, blocked, by_time_and_room
from scheduler.rules.placement import Placement


class _Board:
    """The meetings placed so far, and the index that the registry's rules between meetings look up."""

    def __init__(self, conference: Conference, rules: tuple[Blocking, ...]):
        self.placed = Placed(conference)
        self.by_time, self.by_room = by_time_and_room(rules)
        self.meetings: list[Meeting] = []

    def fits(self, placement: Placement, room: str, start: int) -> bool:
        return self.first_fit(placement, [(start, 0, room)]) is not None

    def first_fit(self, placement: Placement, options: list[tuple[int, int, str]]) -> tuple[int, str] | None:
        """The first (start, room) of `options` (sorted by start) that no rule blocks. The rules about time
        alone are asked once per start, not once per room: nothing is placed in between."""
        last, closed = None, False
        for start, _, room in options:
            if start != last:
                last, closed = start, self._blocked(self.by_time, placement, room, start)
            if not closed and not self._blocked(self.by_room, placement, room, start):
                return start, room
        return None

    def _blocked(self, rules: tuple[Blocking, ...], placement: Placement, room: str, start: int) -> bool:
        return blocked(rules, self.placed, placement.request, placement.needs_interpretation, room, start)

    def add(self, placement: Placement, room: str, start: int) -> None:
        request = placement.request
        meeting = Meeting(request.id, request.parties, room, start, start + request.duration)
        self.meetings.append(meeting)
        self.placed.add(meeting, placement.needs_interpretation)

    def hold(self, history: History) -> None:
        """Count the meetings already held (a re-plan's history) without listing them as placed."""
        for meeting in history.meetings:
            self.placed.add(meeting, meeting.request in history.interpreted)


def greedy_schedule(
    conference: Conference,
    placements: dict[str, Placement],
    placed: Iterable[Meeting] = (),
    history: History = History(),
    prefer: Iterable[Meeting] = (),
    rules: tuple[Blocking, ...] | None = None,
) -> list[Meeting]:
    """A valid schedule built first-fit by importance around meetings already `placed` (kept as they are)
    and the `history` of a re-plan (counted, not returned); the `prefer`red meetings (a previous schedule)
    are kept where they are when they still fit, in the order given, before the rest is placed.

    Must-happen requests may be left out when they clash: the caller checks. `rules`: the rules between
    meetings it keeps (default: all of the registry's; a test leaves one out to see that it matters).
    """
    board = _Board(conference, blocking() if rules is None else rules)
    board.hold(history)
    for meeting in placed:
        board.add(placements[meeting.request], meeting.room, meeting.start)
    taken = {m.request for m in board.meetings}
    for meeting in prefer:
        placement = placements.get(meeting.request)
        if (
            placement is not None
            and meeting.request not in taken
            and meeting.start in placement.starts_by_room.get(meeting.room, ())
            and board.fits(placement, meeting.room, meeting.start)
        ):
            board.add(placement, meeting.room, meeting.start)
            taken.add(meeting.request)
    capacity = {r.id: (r.capacity, r.level, len(r.features)) for r in conference.rooms}
    order = sorted(
        (p for p in placements.values() if p.possible and p.request.id not in taken),
        key=lambda p: (not p.request.pinned, not p.request.mandatory, -p.request.priority, len(p.starts)),
    )
    for placement in order:
        # earliest first, then the smallest room, to keep big and ministerial rooms for those who need them
        rooms = sorted(placement.rooms, key=capacity.__getitem__)
        options = sorted((s, rank, room) for rank, room in enumerate(rooms) for s in placement.starts_by_room[room])
        found = board.first_fit(placement, options)
        if found is not None:
            board.add(placement, found[1], found[0])
    return board.meetings
