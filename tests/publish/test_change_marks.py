"""Change marks: against the previous publication, agendas say where a moved meeting was and which meetings
are new, the room plan marks them and counts the changes, the workbook gains two columns; a first
publication, and a meeting that stayed, look exactly as they did before."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pandas as pd
import pytest

from scheduler.contract.document import MovedFrom, ScheduledMeeting, ScheduleDocument
from scheduler.contract.domain import Conference
from scheduler.contract.parse import load_conference
from scheduler.publish.office import delegation_agenda_html, room_grid_html, schedule_xlsx
from scheduler.publish.publication import publish
from scheduler.publish.reports import change_note, delegation_agenda
from scheduler.publish.revisions import carry_identity
from scheduler.solve.solver import solve
from tests.support.instances import DETERMINISTIC, instance, request
from tests.support.publications import FIGURES, first_version, leaks, parsed, second_version

T1, T2, T3 = (datetime(2024, 10, d, 12, tzinfo=UTC) for d in (20, 25, 29))
HOSTILE_ROOM = 'Room <3> & "big"'


def conference() -> Conference:
    """Two mornings, three rooms (one with a name to escape), delegations A-D and one request per pair."""
    data = instance(
        event_days=[
            {"date": "2024-10-31", "start": "09:00", "end": "12:00"},
            {"date": "2024-11-01", "start": "09:00", "end": "12:00"},
        ],
        rooms=[
            {"id": "R1", "name": "Salon 1", "capacity": 10, "features": ["interpretation"], "level": 0},
            {"id": "R2", "name": "Salon 2", "capacity": 10, "features": ["interpretation"], "level": 0},
            {"id": "R3", "name": HOSTILE_ROOM, "capacity": 10, "features": ["interpretation"], "level": 0},
        ],
        requests=[request(pair, pair, 30) for pair in ("AB", "AC", "AD", "BC", "BD", "CD")],
    )
    return load_conference(json.dumps(data))


def meeting(rid: str, room: str, day: int, hhmm: str) -> ScheduledMeeting:
    """A 30-minute meeting of request `rid` (its parties are its letters); Minsk is UTC+3 all year."""
    start = f"2024-{'10-31' if day == 31 else '11-01'}T{hhmm}:00+03:00"
    hour, minute = int(hhmm[:2]), int(hhmm[3:])
    end = f"{start[:11]}{hour + (minute + 30) // 60:02d}:{(minute + 30) % 60:02d}:00+03:00"
    return ScheduledMeeting(request=rid, parties=tuple(rid), room=room, start=start, end=end)


def document(*meetings: ScheduledMeeting) -> ScheduleDocument:
    return ScheduleDocument(**FIGURES, meetings=meetings, unscheduled=())


FIRST = document(
    meeting("AB", "R1", 31, "09:00"),
    meeting("AC", "R1", 31, "10:00"),
    meeting("AD", "R2", 31, "09:00"),
    meeting("BD", "R2", 31, "10:00"),
    meeting("CD", "R3", 31, "11:00"),
)
SECOND = document(
    meeting("AB", "R1", 31, "09:00"),  # unchanged
    meeting("AC", "R2", 31, "10:00"),  # another room, same time
    meeting("AD", "R2", 1, "09:30"),  # same room, another day and time
    meeting("CD", "R2", 31, "11:30"),  # another room and time (C and D only)
    meeting("BC", "R1", 31, "11:00"),  # new; BD is cancelled
)


@pytest.fixture(scope="module")
def published() -> tuple[Conference, ScheduleDocument, ScheduleDocument]:
    conf = conference()
    first = carry_identity(conf, FIRST, None, T1)
    return conf, first, carry_identity(conf, SECOND, first, T2)


def row(markdown: str, needle: str) -> str:
    """The one agenda table row that holds `needle`."""
    [line] = [line for line in markdown.splitlines() if needle in line]
    return line


def html_text(html: str) -> str:
    return "".join(parsed(html).text)


# --- agendas ----------------------------------------------------------------------------------------------


def test_a_moved_meeting_says_only_what_differs_and_a_new_one_says_new(published) -> None:
    conf, _, second = published
    a, c = delegation_agenda(conf, second, "A"), delegation_agenda(conf, second, "C")
    # with why, in words the parties may read: BC, new, took C's earlier time; nothing took A's
    assert row(a, "Meeting with C") == (
        "| 10:00–10:30 | Meeting with C (Head of C) — Salon 2 (moved from Salon 1: moved by the re-plan) |"
    )
    assert row(a, "Meeting with D") == (
        "| 09:30–10:00 | Meeting with D (Head of D) — Salon 2 (moved from 31 Oct 09:00: moved by the re-plan) |"
    )
    assert row(c, "Meeting with D") == (
        f"| 11:30–12:00 | Meeting with D (Head of D) — Salon 2 (moved from 31 Oct 11:00, {HOSTILE_ROOM}: moved to "
        "make room for another meeting) |"
    )
    assert row(c, "Meeting with B") == "| 11:00–11:30 | Meeting with B (Head of B) — Salon 1 (new) |"


def test_the_html_agenda_says_the_same_escaped(published) -> None:
    conf, _, second = published
    html = delegation_agenda_html(conf, second, "C")
    assert "script" not in parsed(html).tags
    escaped = "Room &lt;3&gt; &amp; &quot;big&quot;"
    why = "moved to make room for another meeting"
    assert f'<td>Salon 2 <em class="change">(moved from 31 Oct 11:00, {escaped}: {why})</em></td>' in html
    assert '<td>Salon 1 <em class="change">(new)</em></td>' in html
    assert f"(moved from 31 Oct 11:00, {HOSTILE_ROOM}: moved to make room for another meeting)" in html_text(html)
    assert "em.change" in html  # the mark's style comes with the mark


def test_an_unchanged_meeting_reads_as_in_a_first_publication(published) -> None:
    conf, first, second = published
    assert first.meetings[0].change is None and second.meetings[0].change == "unchanged"
    before, after = delegation_agenda(conf, first, "B"), delegation_agenda(conf, second, "B")
    unchanged = "| 09:00–09:30 | Meeting with A (Head of A) — Salon 1 |"
    assert row(after, "Meeting with A") == row(before, "Meeting with A") == unchanged
    html_before, html_after = delegation_agenda_html(conf, first, "B"), delegation_agenda_html(conf, second, "B")
    ab_row = '<td class="time">09:00–09:30</td><td><strong>A</strong> (Head of A)</td><td>Salon 1</td></tr>'
    assert ab_row in html_before and ab_row in html_after


def test_a_first_publication_shows_no_mark_at_all(published) -> None:
    conf, first, _ = published
    for d in "ABCD":
        assert "moved" not in delegation_agenda(conf, first, d) and "(new)" not in delegation_agenda(conf, first, d)
        html = delegation_agenda_html(conf, first, d)
        assert "change" not in html and "moved" not in html
    plan = room_grid_html(conf, first)
    assert 'class="changes"' not in plan and ".key" not in plan and "meeting moved" not in plan


def test_an_agenda_never_names_another_delegations_moved_meeting(published) -> None:
    """CD moved, between C and D only: A's agenda tells A of its own moves (AC, AD), nothing of CD's."""
    conf, _, second = published
    for text in (delegation_agenda(conf, second, "A"), html_text(delegation_agenda_html(conf, second, "A"))):
        assert text.count("moved from") == 2
        assert "11:00" not in text and "11:30" not in text and HOSTILE_ROOM not in text
        assert leaks(conf, second, "A", text) == []
    b = delegation_agenda(conf, second, "B")  # B meets C (new) but not about C and D's meeting
    assert "moved from" not in b and HOSTILE_ROOM not in b


def test_a_change_of_length_names_the_earlier_end() -> None:
    conf = conference()
    now = meeting("AB", "R1", 31, "09:00")
    was = MovedFrom(room="R1", start=now.start, end="2024-10-31T10:00:00+03:00")
    assert change_note(conf, now.model_copy(update={"change": "moved", "moved_from": was})) == (
        "moved from 31 Oct 09:00–10:00"
    )
    assert change_note(conf, now.model_copy(update={"change": "unchanged"})) is None


# --- the room plan ----------------------------------------------------------------------------------------


def test_the_room_plan_marks_moved_and_new_meetings_and_counts_the_changes(published) -> None:
    conf, _, second = published
    plan = room_grid_html(conf, second)
    assert "script" not in parsed(plan).tags and "@media print" in plan
    assert (
        '<p class="changes">Since the previous publication: 1 unchanged, 3 moved, 1 new, 1 cancelled. '
        '<span class="key moved">moved</span> <span class="key new">new</span>'
    ) in plan
    assert plan.count('<div class="meeting moved"') == 3 and plan.count('<div class="meeting new"') == 1
    assert plan.count('<span class="mark">moved</span>') == 3 and plan.count('<span class="mark">new</span>') == 1
    assert 'title="AC — moved from Salon 1: moved by the re-plan"' in plan
    assert ('title="CD — moved from 31 Oct 11:00, Room &lt;3&gt; &amp; &quot;big&quot;: moved to make room for '
            'another meeting"') in plan
    assert 'title="BC — new"><span class="t">11:00–11:30</span> <span class="mark">new</span> B – C</div>' in plan
    assert 'title="AB"><span class="t">09:00–09:30</span> A – B</div>' in plan  # unchanged: as always
    assert '<div class="meeting" data-at=' in plan


def test_the_count_without_the_solves_leaves_out_earlier_cancellations(published) -> None:
    """A third publication only moves BC: BD was cancelled by the second, not by this one."""
    conf, _, second = published
    moved = tuple(meeting("BC", "R3", 31, "11:00") if m.request == "BC" else m for m in SECOND.meetings)
    third = carry_identity(conf, document(*moved), second, T3)
    assert [c.request for c in third.cancelled] == ["BD"]
    assert "Since the previous publication: 4 unchanged, 1 moved, 0 new, 0 cancelled." in room_grid_html(conf, third)


# --- the workbook -----------------------------------------------------------------------------------------


def test_the_workbook_gains_change_columns_only_against_a_previous_publication(published) -> None:
    conf, first, second = published
    before = pd.read_excel(io.BytesIO(schedule_xlsx(conf, first)), sheet_name="meetings")
    assert "change" not in before.columns and "moved from" not in before.columns
    after = pd.read_excel(io.BytesIO(schedule_xlsx(conf, second)), sheet_name="meetings").fillna("")
    assert list(after.columns[-2:]) == ["change", "moved from"]
    shown = {r["request"]: (r["change"], r["moved from"]) for _, r in after.iterrows()}
    assert shown == {
        "AB": ("unchanged", ""),
        "AC": ("moved", "2024-10-31 10:00–10:30, Salon 1"),
        "AD": ("moved", "2024-10-31 09:00–09:30, Salon 2"),
        "CD": ("moved", f"2024-10-31 11:00–11:30, {HOSTILE_ROOM}"),
        "BC": ("new", ""),
    }


# --- through a real publication ---------------------------------------------------------------------------


def test_a_re_published_solve_marks_its_move_and_counts_from_the_solve() -> None:
    """The revisions scenario: BD moves from 11:30 to 11:00 and CD is withdrawn (cancelled)."""
    one = load_conference(json.dumps(first_version()))
    first = publish(one, solve(one, DETERMINISTIC), None, T1)
    two = load_conference(json.dumps(second_version()))
    second = publish(two, solve(two, DETERMINISTIC), first.document, T2)
    assert second.document.solve is not None and second.document.solve.changes is not None
    b = second.files["agendas/B.md"].decode()
    # why, in the words B may read: the change to the event that forced it
    assert row(b, "Meeting with D") == ("| 11:00–11:30 | Meeting with D (Head of D) — Room 1 (moved from 31 Oct 11:30: "
                                        "had to move: a party is no longer available at the earlier time) |")
    assert row(b, "Meeting with A") == row(first.files["agendas/B.md"].decode(), "Meeting with A")
    plan = second.files["room-grid.html"].decode()
    assert "Since the previous publication: 1 unchanged, 1 moved, 0 new, 1 cancelled." in plan
    why = "had to move: a party is no longer available at the earlier time"
    assert f'title="BD — moved from 31 Oct 11:30: {why}"' in plan
