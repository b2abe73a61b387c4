"""The figures reported with a schedule: scheduled priority, preferences met and breaks (contract, Objective)."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise

from scheduler.contract.domain import Conference, Day, Meeting, inside_union


def scheduled_priority(conference: Conference, meetings: Iterable[Meeting]) -> int:
    """The primary objective: the sum of priority over scheduled requests."""
    return sum(conference.request(m.request).priority for m in meetings)


def preferred_met(conference: Conference, meetings: Iterable[Meeting]) -> int:
    """Secondary goal 1: the sum of priority over meetings lying wholly inside their preferred windows."""
    total = 0
    for m in meetings:
        request = conference.request(m.request)
        if request.preferred is not None and inside_union(request.preferred, m.start, m.end):
            total += request.priority
    return total


def programme_blocks(conference: Conference, delegation: str, day: Day) -> list[tuple[int, int]]:
    """A delegation's programme items overlapping a day's hours, with overlapping items merged."""
    spans = sorted(
        (p.start, p.end) for p in conference.programme_of(delegation) if p.start < day.end and p.end > day.start
    )
    blocks: list[tuple[int, int]] = []
    for start, end in spans:
        if blocks and start < blocks[-1][1]:
            blocks[-1] = (blocks[-1][0], max(blocks[-1][1], end))
        else:
            blocks.append((start, end))
    return blocks


def breaks(conference: Conference, meetings: Iterable[Meeting]) -> int:
    """Secondary goal 2: idle gaps of at least changeover + slot between consecutive commitments, one a meeting."""
    event = conference.event
    threshold = event.changeover_minutes + event.slot_minutes
    meetings = list(meetings)
    total = 0
    for delegation in conference.delegations:
        own = [m for m in meetings if delegation.id in m.parties]
        for day in event.days:
            commitments = [(m.start, m.end, True) for m in own if day.start <= m.start < day.end]
            if not commitments:
                continue
            commitments += [(s, e, False) for s, e in programme_blocks(conference, delegation.id, day)]
            commitments.sort()
            for (_, prev_end, prev_meeting), (next_start, _, next_meeting) in pairwise(commitments):
                if (prev_meeting or next_meeting) and next_start - prev_end >= threshold:
                    total += 1
    return total
