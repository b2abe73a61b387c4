"""The schedule document: schedule.json read and written as typed, immutable data."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from scheduler.contract.document import (
    NO_PARTY_REASON,
    BadDocument,
    ScheduleDocument,
    UnscheduledRequest,
    read_document,
)
from scheduler.contract.parse import load_conference
from scheduler.publish.from_outcome import schedule_document
from scheduler.publish.revisions import carry_identity
from scheduler.solve.solver import solve
from tests.support.instances import DETERMINISTIC, instance, request

PUBLISHED = datetime(2024, 10, 20, 12, tzinfo=UTC)
MEETING = {
    "request": "AB",
    "parties": ["A", "B"],
    "room": "R1",
    "start": "2024-10-31T09:00:00+03:00",
    "end": "2024-10-31T10:00:00+03:00",
}
SCHEDULE = {
    "status": "feasible",
    "scheduled_priority": 1,
    "upper_bound": 2,
    "preferred_met": 0,
    "breaks": 0,
    "meetings": [MEETING],
    "unscheduled": [{"request": "CD", "reason": "CD's time on 31 Oct is filled by AC (priority 3)"}],
}


def problems(text: str) -> list[str]:
    with pytest.raises(BadDocument) as raised:
        read_document(text)
    return [str(p) for p in raised.value.problems]


def test_what_a_solve_writes_reads_back_and_writes_again_byte_for_byte() -> None:
    data = instance(requests=[request("AB", "AB", 60, 2), request("AC", "AC", 180, 1), request("CD", "CD", 60)])
    conference = load_conference(json.dumps(data))
    document = schedule_document(conference, solve(conference, DETERMINISTIC))
    assert document.unscheduled and document.solve is not None
    for published in (document, carry_identity(conference, document, None, PUBLISHED)):
        text = published.to_json()
        assert read_document(text) == published
        assert read_document(text).to_json() == text
    written = json.loads(document.to_json())
    assert list(written) == ["status", "scheduled_priority", "upper_bound", "preferred_met", "breaks", "meetings",
                             "unscheduled", "solve"]  # fmt: skip
    assert list(written["meetings"][0]) == ["request", "parties", "room", "start", "end"]  # no identity yet
    assert list(written["unscheduled"][0])[:4] == ["request", "reason", "party_reason", "confirmed"]
    assert set(written["unscheduled"][0]) <= {"request", "reason", "party_reason", "confirmed", "what_if",
                                              "party_what_if", "cause", "edits"}  # fmt: skip
    assert list(written["solve"]) == ["gap", "time_to_best_seconds", "time_to_proof_seconds", "wall_time_seconds",
                                      "greedy_priority", "phases", "bound_source"]  # fmt: skip
    assert written["solve"]["bound_source"] in ("optimal", "cp-sat", "lp", "static")
    assert all("ended_seconds" in p or p["status"].startswith("skipped") for p in written["solve"]["phases"])


def test_keys_of_other_writers_are_kept_and_optional_fields_left_out() -> None:
    data = {**SCHEDULE, "generator": {"name": "other"}, "meetings": [{**MEETING, "note": "bring flags"}]}
    document = read_document(json.dumps(data))
    assert document.cancelled is None and document.solve is None and not document.has_identity
    assert document.unscheduled[0].party_reason is None
    assert json.loads(document.to_json()) == data  # nothing lost, nothing added (no nulls for absent fields)


def test_wrong_types_are_refused_with_their_json_paths() -> None:
    bad = {
        **SCHEDULE,
        "status": "optimal-ish",
        "breaks": True,  # JSON has no booleans for integers
        "upper_bound": "2",
        "meetings": [
            {**MEETING, "parties": "A,B", "start": "2024-10-31T09:00", "sequence": -1},
            {**MEETING, "end": "soon", "last_modified": 5},
            "AB",
        ],
        "unscheduled": [{"request": "CD"}],
        "cancelled": [MEETING],
    }
    assert problems(json.dumps(bad)) == [
        "status: expected 'optimal' or 'feasible', got \"optimal-ish\"",
        'upper_bound: expected an integer, got "2"',
        "breaks: expected an integer, got true",
        'meetings[0].parties: expected a list, got "A,B"',
        "meetings[0].start: '2024-10-31T09:00' has no UTC offset",
        "meetings[0].sequence: expected an integer >= 0, got -1",
        "meetings[1].end: not an ISO 8601 date and time: 'soon'",
        "meetings[1].last_modified: expected a string, got 5",
        'meetings[2]: expected an object, got "AB"',
        "unscheduled[0].reason: is required",
        "cancelled[0].sequence: is required",
        "cancelled[0].last_modified: is required",
    ]
    assert problems("{") == ["not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"]
    assert problems("[1]") == ["a schedule must be a JSON object, not list"]


def test_documents_are_immutable() -> None:
    document = read_document(json.dumps(SCHEDULE))
    with pytest.raises(ValidationError):
        document.status = "optimal"
    with pytest.raises(ValidationError):
        document.meetings[0].room = "R2"
    assert isinstance(document.meetings, tuple) and isinstance(document.meetings[0].parties, tuple)


def test_a_document_without_party_reasons_tells_the_parties_nothing_of_the_office_reason() -> None:
    """An older writer's document has only the office's reason: the agendas show neutral words instead."""
    old = UnscheduledRequest(request="CD", reason="CD's time on 31 Oct is filled by AC (priority 3)")
    assert old.reason_for_parties == NO_PARTY_REASON
    new = old.model_copy(update={"party_reason": "no suitable room was free on 31 Oct when the parties were"})
    assert new.reason_for_parties == new.party_reason


def test_the_json_schema_describes_the_fields() -> None:
    schema = ScheduleDocument.model_json_schema(mode="serialization")
    assert set(schema["required"]) == {
        "status", "scheduled_priority", "upper_bound", "preferred_met", "breaks", "meetings", "unscheduled"
    }  # fmt: skip
    meeting = schema["$defs"]["ScheduledMeeting"]["properties"]
    assert {"request", "parties", "room", "start", "end", "sequence", "last_modified"} <= set(meeting)
