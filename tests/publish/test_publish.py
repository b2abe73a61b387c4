"""One publication path: `scheduler.publish.publication` makes the document and every file the CLI writes, from a solve
or from a stored document, refuses a schedule the validator rejects, and hands each delegation only what
it may learn."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from icalendar import Calendar
from typer.testing import CliRunner

from scheduler.check.validator import check_schedule
from scheduler.cli import app
from scheduler.contract.document import read_document
from scheduler.contract.domain import Conference
from scheduler.contract.parse import load_conference
from scheduler.publish.folders import MARKER
from scheduler.publish.from_outcome import schedule_document
from scheduler.publish.publication import Publication, PublicationRefused, publish, read_previous
from scheduler.publish.revisions import BadPrevious
from scheduler.solve.options import SolveOptions
from scheduler.solve.solver import solve
from scheduler.solve.types import Outcome
from tests.support.instances import DETERMINISTIC, instance, request
from tests.support.paths import ROOT
from tests.support.publications import leaks

MINSK = ROOT / "examples" / "minsk-2024.json"
TINY = ROOT / "examples" / "tiny.json"
FIRST = datetime(2024, 10, 20, 12, 0, tzinfo=UTC)
LATER = FIRST + timedelta(days=5)


@pytest.fixture(scope="module")
def tiny() -> tuple[Conference, Outcome]:
    conference = load_conference(TINY.read_bytes())
    return conference, solve(conference, DETERMINISTIC)


def test_publish_makes_exactly_the_files_solve_writes(tiny, tmp_path: Path) -> None:
    conference, _ = tiny
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["solve", str(TINY), "--out", str(out), "--quiet", "--workers", "1", "--seed", "7",
         "--published-at", "2024-10-20T12:00:00Z"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    written = {
        str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file() and p.name != MARKER
    }
    # the same schedule, published in the library, gives the same files byte for byte
    document = read_document(written["schedule.json"])
    publication = publish(conference, document, None, FIRST)
    assert publication.files == written
    assert publication.document == document
    assert {name.split("/")[0] for name in written} >= {"schedule.json", "schedule.csv", "agendas", "calendars"}


def test_a_stored_document_publishes_like_the_solve_it_came_from(tiny) -> None:
    """A service stores a solve's unpublished document and publishes it later: nothing is lost on the way."""
    conference, outcome = tiny
    stored = read_document(schedule_document(conference, outcome).to_json())
    assert not stored.has_identity and stored.cancelled is None
    direct, later = publish(conference, outcome, None, FIRST), publish(conference, stored, None, FIRST)
    assert later == direct
    assert direct.document.has_identity and direct.document.cancelled == ()
    assert json.loads(direct.files["schedule.json"])["meetings"][0]["last_modified"] == "2024-10-20T12:00:00Z"


def test_identity_is_carried_from_the_previous_publication_and_kept_without_one(tiny) -> None:
    conference, outcome = tiny
    first = publish(conference, outcome, None, FIRST)
    # the next publication drops a meeting: it is cancelled, the others keep their identity
    document = schedule_document(conference, outcome)
    dropped = next(m for m in document.meetings if not conference.request(m.request).must_happen)
    kept = [m for m in document.meetings if m != dropped]
    unscheduled = (*document.unscheduled, document.unscheduled[0].model_copy(update={"request": dropped.request}))
    second_input = document.model_copy(update={"meetings": tuple(kept), "unscheduled": unscheduled})
    figures = check_schedule(conference, second_input)  # the figures of the smaller schedule
    second_input = second_input.model_copy(
        update={
            "status": "feasible",
            "scheduled_priority": figures.scheduled_priority,
            "preferred_met": figures.preferred_met,
            "breaks": figures.breaks,
        }
    )
    second = publish(conference, second_input, read_previous(first.files["schedule.json"]), LATER)
    assert [(c.request, c.sequence, c.last_modified) for c in second.document.cancelled] == [
        (dropped.request, 1, "2024-10-25T12:00:00Z")
    ]
    assert {m.request: m.last_modified for m in second.document.meetings} == {
        m.request: "2024-10-20T12:00:00Z" for m in kept
    }
    # publishing a publication again, with no previous, keeps its identity: the same bytes
    again = publish(conference, read_document(second.files["schedule.json"]), None, LATER + timedelta(days=1))
    assert again.files == second.files


def test_a_schedule_that_fails_the_check_is_refused(tiny) -> None:
    conference, outcome = tiny
    document = schedule_document(conference, outcome)
    first, second, *rest = document.meetings
    clash = second.model_copy(update={"room": first.room, "start": first.start, "end": first.end})
    with pytest.raises(PublicationRefused) as refused:
        publish(conference, document.model_copy(update={"meetings": (first, clash, *rest)}), None, FIRST)
    assert refused.value.violations and all(str(v) for v in refused.value.violations)
    lying = document.model_copy(update={"scheduled_priority": document.scheduled_priority + 1})
    with pytest.raises(PublicationRefused, match="figures"):
        publish(conference, lying, None, FIRST)


def test_what_cannot_be_published(tiny) -> None:
    conference, outcome = tiny
    with pytest.raises(ValueError, match="no schedule"):
        publish(conference, Outcome("no_schedule"), None, FIRST)
    with pytest.raises(ValueError, match="no time zone"):
        publish(conference, outcome, None, datetime(2024, 10, 20, 12))
    first = publish(conference, outcome, None, LATER)
    with pytest.raises(ValueError, match="before a change already published"):
        publish(conference, outcome, first.document, FIRST)
    with pytest.raises(BadPrevious) as bad:
        read_previous("[]")
    assert [(p.path, p.message) for p in bad.value.problems] == [("", "a schedule must be a JSON object, not list")]


# --- what a delegation may learn --------------------------------------------------------------------------


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _html_text(content: bytes) -> str:
    parser = _Text()
    parser.feed(content.decode("utf-8"))
    return "".join(parser.parts)


def _ics_text(content: bytes) -> str:
    """Every property value of a feed, unescaped, as a client shows them."""
    calendar = Calendar.from_ical(content)
    return "\n".join(str(value) for component in calendar.walk() for _, value in component.property_items())






@pytest.fixture(scope="module")
def minsk() -> tuple[Conference, Publication]:
    conference = load_conference(MINSK.read_bytes())
    options = SolveOptions(time_limit=30, workers=1, seed=1, deterministic_time=1, secondary=False)
    return conference, publish(conference, solve(conference, options), None, FIRST)


@pytest.mark.slow
def test_each_delegation_is_handed_only_its_own_requests_and_meetings(minsk) -> None:
    conference, publication = minsk
    document = publication.document
    # the premise: the office's own words name other delegations' meetings and their priorities
    assert any("priority" in u.reason for u in document.unscheduled)
    assert any("reserved for" in u.reason for u in document.unscheduled)
    for d in conference.delegations:
        handed = {
            f"agendas/{d.id}.md": publication.files[f"agendas/{d.id}.md"].decode("utf-8"),
            f"agendas/{d.id}.html": _html_text(publication.files[f"agendas/{d.id}.html"]),
            f"calendars/delegation-{d.id}.ics": _ics_text(publication.files[f"calendars/delegation-{d.id}.ics"]),
        }
        for name, text in handed.items():
            assert leaks(conference, document, d.id, text) == [], name
        # and it is told every one of its requests left out, in the words meant for it
        for u in document.unscheduled:
            if d.id in conference.request(u.request).parties:
                assert f"{u.request}: {u.party_reason}" in handed[f"agendas/{d.id}.md"]


@pytest.mark.slow
def test_the_leak_check_finds_what_it_should(minsk) -> None:
    conference, publication = minsk
    document = publication.document
    u = next(u for u in document.unscheduled if "priority" in u.reason)
    party = conference.request(u.request).parties[0]
    assert any(f.startswith("priority") for f in leaks(conference, document, party, u.reason))
    # a delegation and a request it has nothing to do with
    reader, stranger = next(
        (d.id, r)
        for d in conference.delegations
        for r in conference.requests
        if not {p for own in conference.requests if d.id in own.parties for p in own.parties} & set(r.parties)
    )
    other = conference.delegation(stranger.parties[0])
    found = leaks(conference, document, reader, f"{stranger.id} between {other.id} ({other.name}) and others")
    assert found == [f"delegation {other.id}", f"the name of {other.id}: {other.name}", f"request {stranger.id}"]


@pytest.mark.slow
def test_agendas_list_programme_items_only_while_the_delegation_is_there(minsk) -> None:
    """Hungary leaves on 31 October: the closing plenary of 1 November is not on its agenda."""
    conference, publication = minsk
    closing = next(p for p in conference.programme if p.id == "closing-plenary")
    opening = next(p for p in conference.programme if p.id == "opening-plenary")
    hungary = publication.files["agendas/HUN.md"].decode()
    assert opening.title in hungary and closing.title not in hungary
    assert closing.title not in _html_text(publication.files["agendas/HUN.html"])
    assert closing.title in publication.files["agendas/BLR.md"].decode()  # Belarus has no `available`: always there


def test_the_programme_item_rule_on_a_small_instance() -> None:
    """A leaves after the first day, B arrives for the second; an item overlapping a window by a minute counts."""
    days = [{"date": "2024-10-31", "start": "09:00", "end": "12:00"}, {"date": "2024-11-01", "start": "09:00",
                                                                           "end": "12:00"}]
    data = instance(
        event_days=days,
        programme=[
            {"id": "p1", "title": "First-day item", "start": "2024-10-31T10:00", "end": "2024-10-31T11:00"},
            {"id": "p2", "title": "Second-day item", "start": "2024-11-01T10:00", "end": "2024-11-01T11:00"},
        ],
        delegations=[
            {"id": "A", "name": "A", "head": "Head A", "available": [
                {"start": "2024-10-31T09:00", "end": "2024-11-01T10:01"}]},
            {"id": "B", "name": "B", "head": "Head B", "available": [
                {"start": "2024-11-01T09:00", "end": "2024-11-01T12:00"}]},
            {"id": "C", "name": "C", "head": "Head C", "available": []},
        ],
        requests=[request("AB", "AB", 30)],
    )  # fmt: skip
    conference = load_conference(json.dumps(data))
    publication = publish(conference, solve(conference, DETERMINISTIC), None, FIRST)
    shown = {
        d: (publication.files[f"agendas/{d}.md"].decode(), _html_text(publication.files[f"agendas/{d}.html"]))
        for d in "ABC"
    }
    agenda_a, agenda_b, agenda_c = ("\n".join(shown[d]) for d in "ABC")  # the Markdown and the HTML agenda
    assert agenda_a.count("First-day item") == agenda_a.count("Second-day item") == 2  # 10:00-10:01 overlaps
    assert agenda_b.count("First-day item") == 0 and agenda_b.count("Second-day item") == 2
    assert "day item" not in agenda_c  # never there (`available: []`)
