"""A greedy first-fit schedule: what an office does by hand, and the solver's starting point.

Requests are taken by importance (pinned, then mandatory, then by priority) and each is put at the
earliest start, in the smallest suitable room, that breaks no rule with the meetings already placed.
It always returns a valid schedule, however little time there is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from scheduler.contract.domain import Conference, History, Meeting, peak_overlap
from scheduler.rules.placement import Placement, apart, day_of_start


class _Board:
    """The meetings placed so far, indexed by delegation, room, day and interpretation."""

    def __init__(self, conference: Conference):
        self.conference = conference
        self.by_party: dict[str, list[Meeting]] = defaultdict(list)
        self.by_room: dict[str, list[Meeting]] = defaultdict(list)
        self.per_day: dict[tuple[str, int], int] = defaultdict(int)
        self.interpreting: list[Meeting] = []
        self.meetings: list[Meeting] = []

    def fits(self, placement: Placement, room: str, start: int) -> bool:
        event = self.conference.event
        request = placement.request
        end = start + request.duration
        for party in request.parties:
            if any(not apart(start, end, m.start, m.end, event.changeover_minutes) for m in self.by_party[party]):
                return False
        if any(not apart(start, end, m.start, m.end, event.room_turnover_minutes) for m in self.by_room[room]):
            return False
        day = day_of_start(self.conference, start).index
        for party in request.parties:
            limit = self.conference.delegation(party).max_meetings_per_day
            if limit is not None and self.per_day[party, day] >= limit:
                return False
        if placement.needs_interpretation and event.interpreter_teams is not None:
            spans = [(m.start, m.end) for m in self.interpreting]
            return peak_overlap(spans, start, end) < event.interpreter_teams
        return True

    def add(self, placement: Placement, room: str, start: int) -> None:
        request = placement.request
        meeting = Meeting(request.id, request.parties, room, start, start + request.duration)
        self.meetings.append(meeting)
        self._occupy(meeting, placement.needs_interpretation)

    def _occupy(self, meeting: Meeting, interpreted: bool) -> None:
        self.by_room[meeting.room].append(meeting)
        day = day_of_start(self.conference, meeting.start).index
        for party in meeting.parties:
            self.by_party[party].append(meeting)
            self.per_day[party, day] += 1
        if interpreted:
            self.interpreting.append(meeting)

    def hold(self, history: History) -> None:
        """Count the meetings already held (a re-plan's history) without listing them as placed."""
        for meeting in history.meetings:
            self._occupy(meeting, meeting.request in history.interpreted)


def greedy_schedule(
    conference: Conference,
    placements: dict[str, Placement],
    placed: Iterable[Meeting] = (),
    history: History = History(),
    prefer: Iterable[Meeting] = (),
) -> list[Meeting]:
    """A valid schedule built first-fit by importance around meetings already `placed` (kept as they are)
    and the `history` of a re-plan (counted, not returned); the `prefer`red meetings (a previous schedule)
    are kept where they are when they still fit, in the order given, before the rest is placed.

    Must-happen requests may be left out when they clash: the caller checks.
    """
    board = _Board(conference)
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
        for start, _, room in options:
            if board.fits(placement, room, start):
                board.add(placement, room, start)
                break
    return board.meetings
