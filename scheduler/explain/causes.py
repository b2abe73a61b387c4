"""What an explanation of a left-out request is made of: its causes, its what-ifs and the whole answer.

A `Cause` is one thing that keeps a request out (a rule about the meeting alone, or a meeting of the
schedule staying where it is); `scheduler.explain.why` finds a set of them that a solve confirms, and the
what-ifs (`scheduler.explain.what_ifs`) that a solve shows would let the request in.
"""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.contract.domain import Conference, WhatIfChange


@dataclass(frozen=True)
class Cause:
    """One thing that keeps a request out: a rule about the meeting alone (`subject`: a party, a room, a
    programme item or "" for the request itself) or a meeting of the schedule staying where it is."""

    rule: str
    subject: str = ""
    meeting: str | None = None  # the id of the meeting in the way


@dataclass(frozen=True)
class WhatIf:
    """A change that a solve showed would let the request in: `office` names everything, `party` only the
    request's own parties, rooms and times (None when it cannot be said without naming others); `change`, the
    one edit it stands for (an office's tool opens it with its value)."""

    office: str
    party: str | None
    change: WhatIfChange | None = None


@dataclass(frozen=True)
class Explanation:
    request: str
    confirmed: bool
    causes: tuple[Cause, ...]
    reason: str  # the office's words
    party_reason: str  # words the request's parties may read
    what_ifs: tuple[WhatIf, ...] = ()

    def paragraph(self, conference: Conference) -> str:
        """The whole answer, as `scheduler explain` prints it."""
        r = conference.request(self.request)
        head = f"{r.id} ({r.duration} min, priority {r.priority}) cannot be placed: {self.reason}"
        tail = [w.office for w in self.what_ifs]
        return head + ("" if self.confirmed else " (not confirmed by a solve)") + "".join(f"\n- {t}" for t in tail)

