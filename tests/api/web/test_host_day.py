"""The host's day at the desk (issue 22), through the desk's own pages on a real worker: the dashboard says
what to do next; a result shows the proposed schedule, the left-out requests grouped by cause with their
edits as links that open the form filled in (not saved); publishing asks first and says what reaches whom;
a result solved from an older state cannot be published, and solving again takes one click."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from api.web.dashboard import age, next_step
from api.web.solving import result_summary
from tests.support.desk import csrf_of, sign_in
from tests.support.service import DAY, Worker, base_input, settings_for, solve_and_wait, start_service


def _with_a_short_stay() -> dict:
    """E is there 09:00-10:00 only, while A is pinned with C: E-A (60 min) is left out, and would fit if E
    stayed an hour longer."""
    data = base_input()
    data["delegations"][4]["available"] = [{"start": f"{DAY}T09:00", "end": f"{DAY}T10:00"}]
    data["requests"] += [{"id": "A-C", "parties": ["A", "C"], "duration_minutes": 60, "priority": 4,
                          "fixed": {"start": f"{DAY}T09:00"}},
                         {"id": "E-A", "parties": ["E", "A"], "duration_minutes": 60, "priority": 2}]
    return data


@pytest.mark.slow
def test_the_host_reads_a_result_follows_an_edit_publishes_with_confirmation_and_cannot_publish_a_stale_one(
        tmp_path: Path) -> None:
    service = start_service(settings_for(tmp_path), _with_a_short_stay())
    sign_in(service, "host")
    assert "Nothing is solved yet" in service.client.get("/desk").text  # the host lands on the dashboard
    worker = Worker(service.settings)
    try:
        done = solve_and_wait(service, time_limit=6)
        page = service.client.get(f"/desk/solves/{done['id']}").text
        # the figures in words, Publish before the schedule, the schedule before the reasons
        assert "3 of 4 meetings placed · priority 12 · best possible: proven" in page
        assert page.index("Publish as version 1…") < page.index("Proposed schedule") < page.index("Left out (1)")
        assert f'src="/desk/solves/{done["id"]}/plan"' in page
        assert "Parties not there at the same time</strong> (1)" in page
        link = re.search(r'<a href="(/desk/event/delegations/E\?add_start=[^"]+)"[^>]*>Widen Delegation E&#39;s stay: '
                         r'[^<]+</a>', page)
        assert link, page[page.index("Left out"):][:3000]
        # the edit opens the delegation's form with the window filled in, and saves nothing
        form = service.client.get(link.group(1).replace("&amp;", "&")).text
        assert "Suggested by the last solve: also available 31 Oct 10:00–11:00. Not saved yet" in form
        assert 'value="10:00"' in form and 'value="11:00"' in form
        assert service.get("host", "/events/conf").json()["delegations"][4]["available"] == \
            [{"start": f"{DAY}T09:00", "end": f"{DAY}T10:00"}]
        # what publishing would show: the room plan and an agenda, framed by the desk only
        plan = service.client.get(f"/desk/solves/{done['id']}/plan")
        assert plan.status_code == 200 and "room plan" in plan.text
        assert "frame-ancestors 'self'" in plan.headers["content-security-policy"]
        agenda = service.client.get(f"/desk/solves/{done['id']}/agendas/A")
        assert agenda.status_code == 200 and "Delegation B" in agenda.text
        # Publish asks first, saying which delegations see what
        confirm = service.client.get(f"/desk/solves/{done['id']}/publish").text
        assert "Publish version 1?" in confirm and "Publish version 1 now" in confirm
        reached = re.findall(r'<th scope="row">(Delegation [A-E])</th><td>0</td><td>(\d)</td>', confirm)
        assert reached == [("Delegation A", "2"), ("Delegation B", "1"), ("Delegation C", "2"),
                           ("Delegation D", "1")]
        assert service.get("host", "/events/conf").json()["published_version"] == 0  # nothing sent yet
        published = service.client.post(f"/desk/solves/{done['id']}/publish", data={"csrf": csrf_of(confirm)},
                                        follow_redirects=False)
        assert (published.status_code, published.headers["location"]) == (303, "/desk/home")
        home = service.client.get("/desk/home").text
        assert "Version 1, published" in home and "nothing waits" in home
        # a later solve, then a change: its result cannot be published, and says why
        again = solve_and_wait(service, time_limit=4)
        row = service.get("host", "/events/conf/requests/C-D")
        changed = service.call("host", "PATCH", "/events/conf/requests/C-D", json={"priority": 4},
                               headers={"If-Match": row.headers["ETag"]})
        assert changed.status_code == 200
        stale = service.client.get(f"/desk/solves/{again['id']}").text
        assert "Solved from an older state of the event" in stale and "request C-D: its priority changed" in stale
        assert re.search(r'<button type="button" disabled aria-disabled="true"[^>]*>Publish as version 2', stale)
        assert "/desk/solves/" + again["id"] + "/publish\"" not in stale.replace("/again", "")
        refused = service.client.post(f"/desk/solves/{again['id']}/publish", data={"csrf": csrf_of(stale)})
        assert refused.status_code == 409 and "made from an older state" in refused.text
        assert "Solve again" in refused.text
        assert service.get("host", "/events/conf").json()["published_version"] == 1
        assert "The event changed since the last solve" in service.client.get("/desk/home").text
        # one click solves again with the same options
        anew = service.client.post(f"/desk/solves/{again['id']}/again", data={"csrf": csrf_of(stale)},
                                   follow_redirects=False)
        assert anew.status_code == 303 and anew.headers["location"].startswith("/desk/solves/s_")
        assert anew.headers["location"] != f"/desk/solves/{again['id']}"
    finally:
        worker.stop()


def test_the_next_step_follows_the_day() -> None:
    done = {"id": "s_1", "state": "done", "scheduled_priority": 8, "changed_since": [], "published_as": None}
    assert next_step([{"id": "A-C"}], None, None).action == "Answer proposals"
    assert next_step([], None, None).action == "Solve"
    assert next_step([], {**done, "state": "running"}, None).action == "Watch the solve"
    assert next_step([], {**done, "changed_since": ["request C-D added"]}, None).action == "Solve again"
    assert next_step([], {**done, "state": "failed", "scheduled_priority": None}, None).action == "Read the solve"
    assert next_step([], done, None).action == "Review and publish"
    published = {**done, "published_as": 1, "changed_since": ["already published as version 1"]}
    assert next_step([], published, {"number": 1}).words.startswith("Version 1 is published and current")
    assert next_step([], {**published, "changed_since": ["already published as version 1", "request X added"]},
                     {"number": 1}).action == "Solve again"


def test_ages_and_figures_read_as_words() -> None:
    now = datetime(2024, 10, 31, 15, 0, tzinfo=UTC)
    assert age(now - timedelta(seconds=20), now) == "just now"
    assert age(now - timedelta(hours=2, minutes=5), now) == "2 h 5 min ago"
    assert age(now - timedelta(days=1, hours=3, minutes=4), now) == "1 d 3 h ago"
    solve = {"meetings": 67, "unscheduled": [{}] * 53, "scheduled_priority": 338, "upper_bound": 352}
    assert result_summary(solve) == "67 of 120 meetings placed · priority 338 · best possible ≤ 352"
    assert result_summary({**solve, "upper_bound": 338}).endswith("best possible: proven")
    assert result_summary({"meetings": None, "scheduled_priority": None}) is None
