"""The event editor in the desk (issue 22): the host sees the event at a glance, edits a delegation's
departure and a room's closure in forms (times as "31 Oct 14:15", a day of the event and HH:MM), and sees the
values back; the API's 422 is shown next to the field; a change made meanwhile gives the form as it is now."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from tests.support.desk import sign_in
from tests.support.service import DAY, base_input, settings_for, start_service


class _Form(HTMLParser):
    """The fields of a page's first form, as a browser would send them untouched."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.lists: dict[str, list[str]] = {}
        self.select: str | None = None
        self.forms = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form" and a.get("method") == "post" and "sign-out" not in (a.get("action") or ""):
            self.forms += 1
        if self.forms != 1:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self.lists.setdefault(a["name"], []).append(a.get("value", "on"))
                    self.fields[a["name"]] = a.get("value", "on")
            else:
                self.fields[a["name"]] = a.get("value", "")
        elif tag == "select":
            self.select = a.get("name")
            self.fields[self.select] = ""
            self.first = True
        elif tag == "option" and self.select:
            if "selected" in a or self.first:
                self.fields[self.select] = a.get("value", "")
            self.first = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None
        if tag == "form" and self.forms == 1:
            self.forms = 2


def form_of(html: str) -> dict:
    parser = _Form()
    parser.feed(html)
    return {**parser.fields, **{k: v for k, v in parser.lists.items() if len(v) > 1}}


def test_the_host_edits_a_departure_and_a_room_closure_and_sees_them_back(tmp_path: Path) -> None:
    service = start_service(settings_for(tmp_path))
    sign_in(service, "host")
    overview = service.client.get("/desk/event")
    assert overview.status_code == 200
    assert 'id="delegation-A"' in overview.text and 'id="room-R2"' in overview.text
    assert 'href="/desk/event/delegations/A"' in overview.text and 'href="/desk/event"' in overview.text
    assert "31 Oct 12:00–13:00" in overview.text  # lunch, in the event's own format
    page = service.client.get("/desk/event/delegations/A")
    assert page.status_code == 200 and 'type="date' not in page.text and "datetime-local" not in page.text
    form = form_of(page.text)
    assert form["available_mode"] == "always" and form["available-0-day"] == DAY
    # A leaves early: present from the start until 11:30
    form.update({"available_mode": "windows", "available-0-start": "09:00", "available-0-end": "11:30",
                 "max_meetings_per_day": "3"})
    saved = service.client.post("/desk/event/delegations/A", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == "/desk/event?saved=delegation-A#delegation-A"
    back = service.client.get(saved.headers["location"])
    row = re.search(r'<tr id="delegation-A">(.*?)</tr>', back.text, re.S).group(1)
    assert "31 Oct 11:30" in row and "31 Oct 09:00" in row and ">3<" in row
    assert re.search(r'role="status">Saved Delegation A \(A\): arrival and departure, daily limit\.<',
                     back.text), back.text
    delegation = next(d for d in service.get("host", "/events/conf").json()["delegations"] if d["id"] == "A")
    assert delegation["available"] == [{"start": f"{DAY}T09:00", "end": f"{DAY}T11:30"}]
    assert delegation["max_meetings_per_day"] == 3 and delegation["head"] == "Minister A"  # the rest as it was
    # R2 closes from 11:00 for the rest of the day
    form = form_of(service.client.get("/desk/event/rooms/R2").text)
    form.update({"closures-0-day": DAY, "closures-0-start": "11:00", "closures-0-end": "13:00"})
    saved = service.client.post("/desk/event/rooms/R2", data=form)
    assert saved.status_code == 200 and "Saved Room 2 (R2): closures." in saved.text
    room = next(r for r in service.get("host", "/events/conf").json()["rooms"] if r["id"] == "R2")
    assert room["available"] == [{"start": f"{DAY}T09:00", "end": f"{DAY}T11:00"}]
    row = re.search(r'<tr id="room-R2">(.*?)</tr>', saved.text, re.S).group(1)
    assert "31 Oct 11:00–13:00" in row
    again = form_of(service.client.get("/desk/event/rooms/R2").text)  # the closure is shown as a closure
    assert (again["closures-0-start"], again["closures-0-end"]) == ("11:00", "13:00")
    # a programme item moved
    form = form_of(service.client.get("/desk/event/programme/lunch").text)
    form.update({"start": "12:15", "room": "R1"})
    assert service.client.post("/desk/event/programme/lunch", data=form).status_code == 200
    lunch = service.get("host", "/events/conf").json()["programme"][0]
    assert (lunch["start"], lunch["end"], lunch["room"]) == (f"{DAY}T12:15", f"{DAY}T13:00", "R1")


def test_the_apis_422_is_shown_next_to_the_field(tmp_path: Path) -> None:
    service = start_service(settings_for(tmp_path))
    sign_in(service, "host")
    before = service.get("host", "/events/conf").json()
    form = form_of(service.client.get("/desk/event/delegations/B").text)
    form.update({"available_mode": "windows", "available-1-start": "12:00", "available-1-end": "10:00"})
    refused = service.client.post("/desk/event/delegations/B", data=form)
    assert refused.status_code == 422
    row = re.search(r'<li id="available-1-row">(.*?)</li>', refused.text, re.S).group(1)
    assert 'aria-invalid="true"' in row and re.search(r'id="available-1-error" class="error">[^<]*not after start',
                                                      row), row
    many = service.client.post("/desk/event/delegations/B", data={**form, "size": "many"})
    assert many.status_code == 422 and re.search(r'id="size-error" class="error">[^<]*integer', many.text)
    assert 'value="many"' in many.text and 'value="12:00"' in many.text  # shown again as typed
    unreadable = service.client.post("/desk/event/delegations/B", data={**form, "available-1-end": "25:00"})
    assert unreadable.status_code == 422 and "write the times as HH:MM" in unreadable.text
    assert service.get("host", "/events/conf").json() == before


def test_a_change_made_meanwhile_gives_the_form_as_it_is_now(tmp_path: Path) -> None:
    service = start_service(settings_for(tmp_path))
    sign_in(service, "host")
    form = form_of(service.client.get("/desk/event/rooms/R1").text)
    r1 = next(r for r in service.get("host", "/events/conf").json()["rooms"] if r["id"] == "R1")
    changed = service.call("host", "PUT", "/events/conf/rooms/R1", json={**r1, "capacity": 20},
                           headers={"If-Match": service.etag("host", "/events/conf")})
    assert changed.status_code == 200
    late = service.client.post("/desk/event/rooms/R1", data={**form, "capacity": "5"})
    assert late.status_code == 412
    assert "someone changed the event meanwhile" in late.text.lower() and 'value="20"' in late.text
    assert next(r for r in service.get("host", "/events/conf").json()["rooms"] if r["id"] == "R1")["capacity"] == 20


def test_a_room_made_anothers_salon_says_whose_home_room_it_is(tmp_path: Path) -> None:
    data = base_input()
    data["delegations"][1]["home_room"] = "R2"
    service = start_service(settings_for(tmp_path), data)
    sign_in(service, "host")
    form = form_of(service.client.get("/desk/event/rooms/R2").text)
    refused = service.client.post("/desk/event/rooms/R2", data={**form, "reserved_for": "C"})
    assert refused.status_code == 422
    assert "delegation B, home_room: room &#39;R2&#39; is reserved for &#39;C&#39;" in refused.text


def test_the_host_adds_a_room_and_a_programme_item(tmp_path: Path) -> None:
    service = start_service(settings_for(tmp_path))
    sign_in(service, "host")
    form = form_of(service.client.get("/desk/event/new-room").text)
    form.update({"id": "R9", "name": "Winter garden", "capacity": "6", "features": "video"})
    added = service.client.post("/desk/event/new-room", data=form)
    assert added.status_code == 200 and "Added Winter garden (R9)." in added.text and 'id="room-R9"' in added.text
    room = next(r for r in service.get("host", "/events/conf").json()["rooms"] if r["id"] == "R9")
    assert room == {"id": "R9", "name": "Winter garden", "capacity": 6, "features": ["video"]}
    taken = service.client.post("/desk/event/new-room", data={**form_of(service.client.get(
        "/desk/event/new-room").text), "id": "r9", "name": "Again", "capacity": "4"})
    assert taken.status_code == 409 and re.search(r'id="id-error" class="error">[^<]*exists', taken.text)
    form = form_of(service.client.get("/desk/event/new-programme").text)
    form.update({"id": "photo", "title": "Family photo", "start": "11:00", "end": "11:15",
                 "attendees_mode": "these", "attendees": ["A", "B"]})
    added = service.client.post("/desk/event/new-programme", data=form)
    assert added.status_code == 200 and 'id="programme-photo"' in added.text
    photo = next(p for p in service.get("host", "/events/conf").json()["programme"] if p["id"] == "photo")
    assert photo == {"id": "photo", "title": "Family photo", "start": f"{DAY}T11:00", "end": f"{DAY}T11:15",
                     "attendees": ["A", "B"]}
