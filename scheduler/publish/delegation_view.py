"""What one delegation may see of a published version: the one place that decides it.

A delegation's liaison officer (and the agenda handed to its delegates) learns its own meetings, its own
cancelled ones, its own requests that were left out with the reason in words that name no other delegation,
no other meeting and no priority (`party_reason`), and what changed for its meetings against the previous
version. Never another delegation's meetings, requests or priorities, nor the office's own reasons: the
view holds no field that could carry them, so a caller cannot hand them on by mistake.

The service's liaison schedule (and through it the desk's liaison pages) and the CLI's agendas are all
built from `delegation_view`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from scheduler.contract.document import (
    NO_PARTY_REASON,
    CancelledMeeting,
    Change,
    ScheduledMeeting,
    ScheduleDocument,
    UnscheduledRequest,
)

M = TypeVar("M", bound=ScheduledMeeting)


@dataclass(frozen=True)
class LeftOut:
    """A request of the delegation that was left out, as its parties are told: never the office's reason."""

    request: str
    reason: str
    confirmed: bool | None
    what_if: tuple[str, ...]


@dataclass(frozen=True)
class DelegationView:
    """One delegation's part of a published version, in the document's order.

    `cancelled`: its meetings no longer scheduled; `departed`: earlier placements of meetings that are still
    scheduled but no longer with it (their parties changed), which are cancelled for it too."""

    delegation: str
    meetings: tuple[ScheduledMeeting, ...]
    cancelled: tuple[CancelledMeeting, ...]
    departed: tuple[CancelledMeeting, ...]
    left_out: tuple[LeftOut, ...]

    @property
    def no_longer_held(self) -> tuple[CancelledMeeting, ...]:
        """Every meeting it will not hold, each request once (the cancelled entry wins over a departed one)."""
        by_request = {m.request: m for m in (*self.departed, *self.cancelled)}
        return tuple(by_request.values())

    @property
    def changes(self) -> dict[str, Change]:
        """What changed for each of its meetings against the previous version (none on a first publication)."""
        return {m.request: m.change for m in self.meetings if m.change is not None}

    def left_out_of(self, request: str) -> LeftOut | None:
        return next((u for u in self.left_out if u.request == request), None)


def delegation_view(
    document: ScheduleDocument, delegation: str, parties: Mapping[str, Sequence[str]],
    unexplained: str = NO_PARTY_REASON,
) -> DelegationView:
    """What `delegation` may see of `document`. `parties` gives each request's parties as solved (a request
    left out has no meeting to name them); `unexplained` is what its parties read of a request left out
    without a `party_reason` (a document of an older writer)."""
    meetings = tuple(_without_office_words(m) for m in document.meetings if delegation in m.parties)
    own = {m.request for m in meetings}
    departed = tuple(_without_office_words(d) for d in document.departed or ()
                     if delegation in d.parties and d.request not in own)
    cancelled = tuple(_without_office_words(c) for c in document.cancelled or () if delegation in c.parties)
    left_out = tuple(
        _told(u, unexplained) for u in document.unscheduled
        if delegation in parties.get(u.request, ()) and u.request not in own
    )
    return DelegationView(delegation, meetings, cancelled, departed, left_out)


def _without_office_words(meeting: M) -> M:
    """A meeting as its parties see it: why it changed in their words only (the office's may name other
    meetings: `scheduler.publish.why_changed`)."""
    return meeting if meeting.change_reason is None else meeting.model_copy(update={"change_reason": None})


def _told(request: UnscheduledRequest, unexplained: str) -> LeftOut:
    # never `reason` nor `what_if`: the office's words may name other delegations and their meetings
    return LeftOut(request.request, request.party_reason or unexplained, request.confirmed,
                   tuple(request.party_what_if or ()))
