"""`freeze_before` in the event's own wall-clock time, through the API and the desk's solve form: read in the
event's zone (as `--freeze-before` is, by the one function scheduler.contract.local_time.event_instant), stored as
the UTC instant; a local time the clocks skip or show twice there is a 422 naming `freeze_before`, next to the
desk's field."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.service import Service, base_input, publish_a_schedule, settings_for, start_service

BERLIN_DAYS = [{"date": d, "start": "09:00", "end": "13:00"} for d in ("2024-03-31", "2024-10-27")]
SKIPPED = (
    "2024-03-31T02:30",
    "does not exist in Europe/Berlin: the clocks go forward from 02:00 to 03:00 that day; give the offset",
)
REPEATED = (
    "2024-10-27T02:30",
    "happens twice in Europe/Berlin (the clocks go back from 03:00 to 02:00 that day): "
    "give the offset, +02:00 (the first time) or +01:00 (the second)",
)


def _berlin(tmp_path: Path) -> Service:
    event = {**base_input()["event"], "timezone": "Europe/Berlin", "days": BERLIN_DAYS}
    return start_service(settings_for(tmp_path), base_input(event=event, programme=[]))


@pytest.fixture
def berlin(tmp_path: Path) -> Iterator[Service]:
    service = _berlin(tmp_path)
    yield service
    service.client.close()


def _freeze(service: Service, given: str):
    return service.post("host", "/events/conf/solves", json={"time_limit": 3, "freeze_before": given})


@pytest.mark.parametrize(("given", "words"), [SKIPPED, REPEATED], ids=["skipped", "repeated"])
def test_a_local_time_the_clocks_skip_or_repeat_is_422_naming_freeze_before(berlin: Service, given, words) -> None:
    answer = _freeze(berlin, given)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"] == [
        {"loc": ["body", "freeze_before"], "msg": f"{given} {words}", "type": "value_error"}
    ]
    assert berlin.get("host", "/events/conf/solves").json() == []


def test_a_local_time_is_read_as_the_same_moment_as_with_its_offset(berlin: Service) -> None:
    """Read, not refused for want of an offset: with nothing published, each form gets the same answer (the
    skipped and repeated times with their offset too)."""
    for given in (
        "2024-10-27T10:00",
        "2024-10-27T10:00+01:00",
        "2024-10-27T09:00Z",
        "2024-10-27T02:30+02:00",
        "2024-03-31T02:30+01:00",
    ):
        answer = _freeze(berlin, given)
        assert answer.status_code == 422, (given, answer.text)
        assert answer.json()["detail"][0]["loc"] == ["body", "freeze_before"]
        assert "nothing is published yet" in answer.json()["detail"][0]["msg"], given


@pytest.mark.slow
def test_after_a_publication_a_local_freeze_is_stored_as_its_utc_instant_and_the_desk_names_an_unclear_one(
    tmp_path: Path,
) -> None:
    service = _berlin(tmp_path)
    try:
        publish_a_schedule(service, tmp_path)  # no worker from here on: the solves below stay queued
        stored = {}
        for given in ("2024-10-27T10:00", "2024-10-27T10:00+01:00", "2024-10-27T09:00Z"):
            answer = _freeze(service, given)
            assert answer.status_code == 202, answer.text
            stored[given] = service.get("host", f"/events/conf/solves/{answer.json()['id']}").json()["freeze_before"]
        assert set(stored.values()) == {"2024-10-27T09:00:00Z"}, stored
        for given, _ in (SKIPPED, REPEATED):
            assert _freeze(service, given).status_code == 422
        # the desk passes the form's text on as typed: the API's reading, its words next to the field
        client = service.client
        client.cookies.clear()
        form = client.get("/desk/sign-in")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        client.post("/desk/sign-in", data={"csrf": csrf, "key": service.keys["host"]})
        page = client.get("/desk/solve")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        for given, words in (SKIPPED, REPEATED):
            typed = {"freeze_day": given[:10], "freeze_time": given[11:16]}  # a day of the event and HH:MM
            refused = client.post(
                "/desk/solve", data={"csrf": csrf, "time_limit": "3", **typed}, follow_redirects=False
            )
            assert refused.status_code == 422, refused.text[:500]
            shown = re.search(r'<span id="freeze-before-error" class="error">([^<]*)</span>', refused.text)
            assert shown and shown.group(1) == f"{given} {words}", refused.text[:2000]
            assert f'value="{given[11:16]}" aria-invalid="true"' in refused.text  # the time as typed, kept
        solves = len(service.get("host", "/events/conf/solves").json())
        done = client.post(
            "/desk/solve",
            data={"csrf": csrf, "time_limit": "3", "freeze_day": "2024-10-27", "freeze_time": "10:00"},
            follow_redirects=False,
        )
        assert done.status_code == 303, done.text[:500]
        queued = service.get("host", "/events/conf/solves").json()
        assert len(queued) == solves + 1 and queued[-1]["freeze_before"] == "2024-10-27T09:00:00Z"
    finally:
        service.client.close()
