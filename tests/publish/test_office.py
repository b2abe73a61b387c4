"""Office outputs: the room plan (HTML and PNG per day), printable agendas (HTML) and the Excel workbook."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from scheduler.cli import app
from scheduler.contract.parse import load_conference
from scheduler.publish.from_outcome import schedule_document
from scheduler.publish.office import (
    delegation_agenda_html,
    document_meetings,
    office_files,
    room_grid_html,
    room_grid_png,
    schedule_xlsx,
)
from scheduler.publish.revisions import carry_identity
from scheduler.solve.solver import solve
from tests.support.instances import DETERMINISTIC, instance, request
from tests.support.paths import ROOT
from tests.support.publications import parsed

TINY = ROOT / "examples" / "tiny.json"
PNG = b"\x89PNG\r\n\x1a\n"

HOSTILE = '<script>alert("x")</script> & Co; "quoted", Беларусь'


def hostile_instance() -> dict:
    """Names that must be escaped, two days, a programme item in a room and one for everybody."""
    return instance(
        event_name=HOSTILE,
        event_days=[
            {"date": "2024-10-31", "start": "09:00", "end": "12:00"},
            {"date": "2024-11-01", "start": "09:00", "end": "11:00"},
        ],
        programme=[
            {"id": "plenary", "title": "Plenary <b>all</b>", "start": "2024-10-31T11:30", "end": "2024-10-31T12:00"},
            {
                "id": "panel",
                "title": "Panel & talk",
                "start": "2024-11-01T10:30",
                "end": "2024-11-01T11:00",
                "room": "R1",
                "attendees": ["A"],
            },
        ],
        rooms=[
            {"id": "R1", "name": 'Room <1> & "big"', "capacity": 10, "features": ["interpretation"], "level": 2},
            {"id": "R2", "name": "Зал 2", "capacity": 10, "features": [], "level": 0},
        ],
        delegations=[
            {"id": "A", "name": HOSTILE, "head": "Head <A>", "languages": ["ru"]},
            {"id": "B", "name": "Hungary", "head": "Péter Szijjártó", "languages": ["ru"]},
            {"id": "C", "name": "中华人民共和国", "head": "王毅", "languages": ["zh"]},
            {"id": "D", "name": "Delta", "head": "Head D", "languages": ["ru"], "available": []},
        ],
        requests=[
            request("AB", "AB", 60, 3),
            request("AC", "AC", 45, 2),
            request("BC", "BC", 30, 2),
            request("ABC", "ABC", 30, 1),
            request("AD", "AD", 30, 1),  # D is never available: unscheduled, with a reason
        ],
    )


@pytest.fixture(scope="module")
def published():
    conference = load_conference(json.dumps(hostile_instance()))
    outcome = solve(conference, DETERMINISTIC)
    document = carry_identity(
        conference, schedule_document(conference, outcome), None, datetime(2024, 10, 20, tzinfo=UTC)
    )
    assert document.meetings and document.unscheduled
    return conference, document






def local(conference, iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(conference.clock.zone).strftime("%H:%M")


def test_room_grid_html_is_one_printable_escaped_file(published) -> None:
    conference, document = published
    html = room_grid_html(conference, document)
    page = parsed(html)
    assert "script" not in page.tags and "b" not in page.tags  # every input value escaped
    text = "".join(page.text)
    assert HOSTILE in text and 'Room <1> & "big"' in text and "Plenary <b>all</b>" in text
    assert "@media print" in html and "<link" not in html and "src=" not in html  # self-contained
    assert html.count('<section class="day">') == len(conference.event.days)
    for m in document.meetings:
        assert f"{local(conference, m.start)}–{local(conference, m.end)}" in text
    assert "Panel & talk" in text


def test_agenda_html_per_delegation_lists_only_its_meetings(published) -> None:
    conference, document = published
    names = {d.id: d.name for d in conference.delegations}
    for d in conference.delegations:
        page = parsed(delegation_agenda_html(conference, document, d.id))
        assert "script" not in page.tags
        text = "".join(page.text)
        assert d.name in text and d.head in text
        for m in document.meetings:
            shown = f"{local(conference, m.start)}–{local(conference, m.end)}"
            if d.id in m.parties:
                assert shown in text
                for p in m.parties:
                    if p != d.id:
                        assert names[p] in text
        for u in document.unscheduled:
            if d.id in conference.request(u.request).parties:
                assert u.party_reason in text
    agenda_a = "".join(parsed(delegation_agenda_html(conference, document, "A")).text)
    assert "Plenary <b>all</b>" in agenda_a and "Panel & talk" in agenda_a
    agenda_b = "".join(parsed(delegation_agenda_html(conference, document, "B")).text)
    assert "Panel & talk" not in agenda_b


def test_room_grid_png_per_day(published) -> None:
    from matplotlib.image import imread

    conference, document = published
    for day in conference.event.days:
        content = room_grid_png(conference, document, day)
        assert content.startswith(PNG)
        image = imread(io.BytesIO(content), format="png")
        assert image.shape[0] > 400 and image.shape[1] > 600


def test_workbook_holds_every_meeting_and_the_left_out(published) -> None:
    conference, document = published
    sheets = pd.read_excel(io.BytesIO(schedule_xlsx(conference, document)), sheet_name=None)
    assert set(sheets) == {"meetings", "unscheduled", "cancelled"}
    assert sorted(sheets["meetings"]["request"]) == sorted(m.request for m in document.meetings)
    assert list(sheets["meetings"]["start"]) == [
        local(conference, m.start) for m in sorted(document.meetings, key=lambda m: (m.starts_at, m.room))
    ]
    assert list(sheets["unscheduled"]["request"]) == [u.request for u in document.unscheduled]
    assert list(sheets["unscheduled"]["reason"]) == [u.reason for u in document.unscheduled]  # the office's words
    assert HOSTILE in set(sheets["meetings"]["parties"].str.split(" – ").sum())


def test_the_workbook_is_dated_by_the_schedules_last_change_not_by_the_clock(published) -> None:
    """openpyxl stamps the clock into the file: the same schedule would give other bytes at each publication."""
    import openpyxl

    conference, document = published
    content = schedule_xlsx(conference, document)
    properties = openpyxl.load_workbook(io.BytesIO(content)).properties
    assert properties.created == properties.modified == datetime(2024, 10, 20)  # the schedule's last_modified
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
        assert {info.date_time for info in archive.infolist()} == {(2024, 10, 20, 0, 0, 0)}


def test_document_meetings_read_back_the_minutes(published) -> None:
    conference, document = published
    meetings = document_meetings(conference, document)
    assert len(meetings) == len(document.meetings)
    for m in meetings:
        assert m.end - m.start == conference.request(m.request).duration


def test_office_files_names(published) -> None:
    conference, document = published
    files = office_files(conference, document)
    assert set(files) == {
        "room-grid.html",
        "room-grid-2024-10-31.png",
        "room-grid-2024-11-01.png",
        "schedule.xlsx",
        *(f"agendas/{d.id}.html" for d in conference.delegations),
    }


def test_solve_writes_the_office_outputs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["solve", str(TINY), "--out", str(out), "--quiet", "--workers", "1", "--seed", "1"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(TINY.read_text())
    assert (out / "room-grid.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (out / "room-grid-2024-10-31.png").read_bytes().startswith(PNG)
    for d in data["delegations"]:
        assert (out / "agendas" / f"{d['id']}.html").exists() and (out / "agendas" / f"{d['id']}.md").exists()
    schedule = json.loads((out / "schedule.json").read_text())
    assert len(pd.read_excel(out / "schedule.xlsx", sheet_name="meetings")) == len(schedule["meetings"])
