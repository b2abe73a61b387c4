"""A request's pin at the desk, and the pin an infeasible solve suggests (issue 22): the solve stores the pin
move its explanation checked by solving; one click on it opens the request's page with the pin filled in,
not yet saved, and saying so; the host saves it, or clears a pin."""

from __future__ import annotations

import re
from pathlib import Path

from api.web.shared import templates
from tests.support.desk import sign_in
from tests.support.service import DAY, Worker, base_input, settings_for, solve_and_wait, start_service


def _fields(html: str) -> dict[str, str]:
    """The request form's fields as the browser would send them."""
    form = html[html.index('<form method="post" action="/desk/requests/'):]
    form = form[:form.index("</form>")]
    fields = dict(re.findall(r'name="(csrf|revision|duration_minutes|priority|pin_time)"[^>]*?value="([^"]*)"', form))
    for name in ("pin_day", "pin_room"):
        select = re.search(rf'name="{name}">(.*?)</select>', form, re.S).group(1)
        chosen = re.search(r'<option value="([^"]*)" selected>', select)
        fields[name] = chosen.group(1) if chosen else ""
    if re.search(r'name="mandatory" value="1" checked', form):
        fields["mandatory"] = "1"
    return fields


def test_a_suggested_pin_is_filled_in_not_saved_and_the_host_saves_and_clears_it(tmp_path: Path) -> None:
    service = start_service(settings_for(tmp_path))
    sign_in(service, "host")
    page = service.client.get("/desk/requests/A-B", params={"pin_start": f"{DAY}T10:30", "pin_room": "R2"})
    assert page.status_code == 200
    assert "Suggested by the last solve: pin at 31 Oct 10:30 in Room 2. Not saved yet" in page.text
    fields = _fields(page.text)
    assert (fields["pin_day"], fields["pin_time"], fields["pin_room"]) == (DAY, "10:30", "R2")
    assert service.get("host", "/events/conf/requests/A-B").json()["fixed"] is None  # not saved by opening it
    hostile = service.client.get("/desk/requests/A-B", params={"pin_start": "<b>x</b>", "pin_room": "R2"})
    assert "nothing is filled in" in hostile.text and "<b>x" not in hostile.text and "&lt;b&gt;x" not in hostile.text
    assert _fields(hostile.text)["pin_time"] == ""
    saved = service.client.post("/desk/requests/A-B", data={**fields, "mandatory": "1"}, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    stored = service.get("host", "/events/conf/requests/A-B").json()
    assert stored["fixed"] == {"start": f"{DAY}T10:30", "room": "R2"} and stored["mandatory"] is True
    page = service.client.get("/desk/requests/A-B")
    assert "Pinned at 31 Oct 10:30 in Room 2." in page.text and "Clear the pin" in page.text
    cleared = service.client.post("/desk/requests/A-B", data={**_fields(page.text), "clear_pin": "1"},
                                  follow_redirects=False)
    assert cleared.status_code == 303
    assert service.get("host", "/events/conf/requests/A-B").json()["fixed"] is None


def test_a_pin_outside_the_days_hours_is_said_next_to_the_pin(tmp_path: Path) -> None:
    service = start_service(settings_for(tmp_path))
    sign_in(service, "host")
    fields = _fields(service.client.get("/desk/requests/A-B").text)
    early = service.client.post("/desk/requests/A-B", data={**fields, "pin_day": DAY, "pin_time": "07:00"})
    assert early.status_code == 422
    assert re.search(r'id="fixed-error" class="error">[^<]*outside every day', early.text), early.text[-3000:]
    assert 'id="pin-time"' in early.text and 'value="07:00"' in early.text
    unreadable = service.client.post("/desk/requests/A-B", data={**fields, "pin_day": DAY, "pin_time": "7h"})
    assert unreadable.status_code == 422 and "write the times as HH:MM" in unreadable.text
    assert service.get("host", "/events/conf/requests/A-B").json()["fixed"] is None


def test_an_infeasible_solve_stores_its_suggestion_and_the_link_opens_the_pin(tmp_path: Path) -> None:
    data = base_input()
    data["requests"][0]["fixed"] = {"start": f"{DAY}T10:00"}  # A-B, an hour from 10:00
    data["requests"].append({"id": "A-C", "parties": ["A", "C"], "duration_minutes": 30, "priority": 1,
                             "fixed": {"start": f"{DAY}T10:00"}})  # A cannot be in both
    service = start_service(settings_for(tmp_path), data)
    worker = Worker(service.settings)
    try:
        done = solve_and_wait(service, time_limit=10)
    finally:
        worker.stop()
    assert done["status"] == "infeasible", done
    [suggestion] = done["suggestions"]
    assert suggestion["request"] == "A-C" and suggestion["start"] == f"{DAY}T09:30" and suggestion["room"] is None
    assert suggestion["words"].startswith("moving A-C to 31 Oct 09:30 would let all the mandatory and pinned")
    event = service.get("host", "/events/conf").json()
    html = templates.get_template("_suggestions.html").render(solve=done, event=event)
    link = re.search(r'<a href="([^"]+)">Pin A-C at 31 Oct 09:30</a>', html)
    assert link, html
    sign_in(service, "host")
    page = service.client.get(link.group(1).replace("&amp;", "&"))
    assert "Suggested by the last solve: pin at 31 Oct 09:30." in page.text
    assert (_fields(page.text)["pin_day"], _fields(page.text)["pin_time"]) == (DAY, "09:30")
