"""The objective's figures recomputed from the meetings, breaks as the contract defines them.
"""

from __future__ import annotations

from itertools import pairwise

from scheduler.check.reading import Placed, Stated
from scheduler.check.report import FIGURES, Violation
from scheduler.contract.domain import Conference, Delegation, inside_union


def count_breaks(conference: Conference, meetings: list[tuple[str, tuple[str, ...], int, int]]) -> int:
    """Breaks as the contract defines them; meetings are (request id, parties, start, end) in minutes."""
    return sum(_breaks_of(conference, d, meetings) for d in conference.delegations)


def _breaks_of(conf: Conference, d: Delegation, meetings: list[tuple[str, tuple[str, ...], int, int]]) -> int:
    commitments = [(s, e, True) for _, parties, s, e in meetings if d.id in parties]
    commitments += [(p.start, p.end, False) for p in conf.programme_of(d.id)]
    need = conf.event.changeover_minutes + conf.event.slot_minutes
    total = 0
    for day in conf.event.days:
        blocks = _blocks([c for c in commitments if c[0] < day.end and c[1] > day.start])
        total += sum(1 for a, b in pairwise(blocks) if (a[2] or b[2]) and b[0] - a[1] >= need)
    return total


def _blocks(commitments: list[tuple[int, int, bool]]) -> list[tuple[int, int, bool]]:
    """Time-ordered, with overlapping commitments merged; a block is a meeting if it holds one."""
    blocks: list[tuple[int, int, bool]] = []
    for start, end, is_meeting in sorted(commitments):
        if blocks and start < blocks[-1][1]:
            s, e, m = blocks[-1]
            blocks[-1] = (s, max(e, end), m or is_meeting)
        else:
            blocks.append((start, end, is_meeting))
    return blocks


def figures_of(conf: Conference, placed: list[Placed]) -> tuple[int, int, int]:
    """(scheduled_priority, preferred_met, breaks) recomputed; a request scheduled twice counts once."""
    first = {m.request.id: m for m in reversed(placed)}
    priority = sum(m.request.priority for m in first.values())
    preferred = sum(
        m.request.priority
        for m in first.values()
        if m.request.preferred is not None and inside_union(m.request.preferred, m.start, m.end)
    )
    breaks = count_breaks(conf, [(m.request.id, m.request.parties, m.start, m.end) for m in placed])
    return priority, preferred, breaks


def figure_violations(stated: Stated, recomputed: dict[str, int]) -> list[Violation]:
    return [
        Violation(FIGURES, f"{key} is reported as {stated.figures[key]} but the meetings give {value}")
        for key, value in recomputed.items()
        if stated.figures[key] != value
    ]
