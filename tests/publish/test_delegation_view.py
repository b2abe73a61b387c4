"""The one place that decides what a delegation sees of a published version, and the one difference of two
versions: pinned here on small documents written out by hand."""

from __future__ import annotations

import dataclasses

import pytest

from scheduler.contract.document import NO_PARTY_REASON, ScheduledMeeting, ScheduleDocument
from scheduler.publish.delegation_view import DelegationView, LeftOut, delegation_view
from scheduler.publish.revisions import calendar_event, difference, room_and_start

T = "2024-10-31T{}:00+03:00"


def meeting(request: str, parties: str, room: str, start: str, end: str, **more) -> dict:
    return {"request": request, "parties": list(parties), "room": room, "start": T.format(start),
            "end": T.format(end), **more}


def document(**parts) -> ScheduleDocument:
    data = {"status": "feasible", "scheduled_priority": 0, "upper_bound": 0, "preferred_met": 0, "breaks": 0,
            "meetings": [], "unscheduled": [], **parts}
    return ScheduleDocument.model_validate(data)


PARTIES = {"AB": ["A", "B"], "CD": ["C", "D"], "AC": ["A", "C"], "BD": ["B", "D"], "AD": ["A", "D"]}
PUBLISHED = document(
    meetings=[meeting("AB", "AB", "R1", "09:00", "10:00", sequence=1, last_modified="2024-10-30T12:00:00Z",
                      change="moved", moved_from={"room": "R2", "start": T.format("11:00"), "end": T.format("12:00")}),
              meeting("CD", "CD", "R2", "09:00", "10:00", sequence=0, last_modified="2024-10-30T12:00:00Z",
                      change="new"),
              meeting("AD", "BD", "R1", "10:00", "11:00", sequence=1, last_modified="2024-10-30T12:00:00Z",
                      change="unchanged")],
    unscheduled=[{"request": "AC", "reason": "C's time is taken by CD (priority 9)",
                  "party_reason": "no room was free at a time both could meet", "confirmed": True,
                  "what_if": ["drop CD"], "party_what_if": ["a shorter meeting would fit"]},
                 {"request": "BD", "reason": "D is busy with CD"}],
    cancelled=[meeting("XA", "AD", "R2", "12:00", "13:00", sequence=2, last_modified="2024-10-30T12:00:00Z"),
               meeting("XC", "CD", "R2", "12:00", "13:00", sequence=1, last_modified="2024-10-30T12:00:00Z")],
    departed=[meeting("AD", "AD", "R1", "10:00", "11:00", sequence=1, last_modified="2024-10-30T12:00:00Z")],
)


def test_a_delegation_sees_only_its_own_meetings_cancellations_and_requests() -> None:
    view = delegation_view(PUBLISHED, "A", PARTIES)
    assert [m.request for m in view.meetings] == ["AB"]
    assert [c.request for c in view.cancelled] == ["XA"]
    assert [d.request for d in view.departed] == ["AD"]  # its parties changed: A no longer meets there
    assert [u.request for u in view.left_out] == ["AC"]
    assert [m.request for m in view.no_longer_held] == ["AD", "XA"]
    others = delegation_view(PUBLISHED, "C", PARTIES)
    assert [m.request for m in others.meetings] == ["CD"] and [u.request for u in others.left_out] == ["AC"]
    assert [c.request for c in others.cancelled] == ["XC"] and others.departed == ()


def test_a_delegation_still_in_a_meeting_is_not_told_it_departed() -> None:
    view = delegation_view(PUBLISHED, "D", PARTIES)
    assert [m.request for m in view.meetings] == ["CD", "AD"]
    assert view.departed == () and [u.request for u in view.left_out] == ["BD"]


def test_reasons_are_the_parties_words_never_the_offices() -> None:
    view = delegation_view(PUBLISHED, "A", PARTIES)
    assert view.left_out == (LeftOut("AC", "no room was free at a time both could meet", True,
                                     ("a shorter meeting would fit",)),)
    # the view has no field that could carry the office's reason, its what-ifs or a priority
    assert {f.name for f in dataclasses.fields(LeftOut)} == {"request", "reason", "confirmed", "what_if"}
    assert "priority" not in repr(delegation_view(PUBLISHED, "D", PARTIES))


@pytest.mark.parametrize(("unexplained", "told"), [(None, NO_PARTY_REASON), ("ask the office", "ask the office")])
def test_a_request_left_out_without_party_words_gets_the_callers_plain_words(unexplained, told) -> None:
    given = {} if unexplained is None else {"unexplained": unexplained}
    [left_out] = delegation_view(PUBLISHED, "B", PARTIES, **given).left_out
    assert left_out == LeftOut("BD", told, None, ())


def test_what_changed_for_it_and_the_view_is_immutable() -> None:
    view = delegation_view(PUBLISHED, "B", PARTIES)
    assert view.changes == {"AB": "moved", "AD": "unchanged"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.meetings = ()  # type: ignore[misc]
    assert isinstance(view, DelegationView) and isinstance(view.meetings, tuple)


def test_a_request_of_unknown_parties_is_nobodys() -> None:
    assert delegation_view(PUBLISHED, "A", {}).left_out == ()


def _meetings(*rows: dict) -> list[ScheduledMeeting]:
    return [ScheduledMeeting.model_validate(r) for r in rows]


BEFORE = _meetings(meeting("AB", "AB", "R1", "09:00", "10:00"), meeting("CD", "CD", "R2", "09:00", "10:00"),
                   meeting("AC", "AC", "R1", "11:00", "12:00"), meeting("BD", "BD", "R2", "11:00", "12:00"))
AFTER = _meetings(meeting("AB", "AB", "R1", "09:00", "10:00"), meeting("CD", "CD", "R1", "10:00", "11:00"),
                  meeting("AC", "AC", "R1", "11:00", "11:45"), meeting("AD", "AD", "R2", "12:00", "13:00"),
                  meeting("BD", "BDA", "R2", "11:00", "12:00"))


def test_the_difference_classifies_each_request() -> None:
    diff = difference(BEFORE, AFTER)
    assert diff.of("unchanged") == ("AB", "BD") and diff.of("moved") == ("AC", "CD")
    assert diff.of("new") == ("AD",) and diff.of("cancelled") == ()
    assert [(c.request, c.kind) for c in diff.changes] == [
        ("AB", "unchanged"), ("AC", "moved"), ("AD", "new"), ("BD", "unchanged"), ("CD", "moved")]
    gone = difference(AFTER, BEFORE)
    assert gone.of("cancelled") == ("AD",) and gone.changes[2].before is AFTER[3] and gone.changes[2].after is None


def test_what_counts_as_the_same_place_is_the_callers() -> None:
    # the calendar sees a change of parties; the desk's table compares room and start only
    assert difference(BEFORE, AFTER, calendar_event).of("moved") == ("AC", "BD", "CD")
    assert difference(BEFORE, AFTER, room_and_start).of("moved") == ("CD",)
