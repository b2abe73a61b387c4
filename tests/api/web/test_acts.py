"""The desk's request forms and irreversible acts through the TestClient: refusals in words next to the fields
on the same form (never the error page), a notice after each act, the way back to the row acted on, and a
confirmation asked before what cannot be undone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.desk import sign_in
from tests.support.service import Service, base_input, settings_for, start_service


@pytest.fixture
def service(tmp_path: Path) -> Service:
    return start_service(settings_for(tmp_path), base_input(event={
        **base_input()["event"], "days": [{"date": "2024-10-31", "start": "09:00", "end": "13:00"},
                                          {"date": "2024-11-01", "start": "09:00", "end": "13:00"}]}))


def csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def revision_of(html: str) -> str:
    return re.search(r'name="revision" value="([^"]+)"', html).group(1)


def posted(service: Service, path: str, data: dict, page: str = "/desk/requests"):
    return service.client.post(path, data={"csrf": csrf(service.client.get(page).text), **data},
                               follow_redirects=False)


def error_of(html: str, field_id: str) -> str:
    found = re.search(rf'<span id="{field_id}-error" class="error">([^<]*)</span>', html)
    return found.group(1) if found else ""


def test_the_hosts_new_request_form_says_what_is_wrong_next_to_the_fields(service: Service) -> None:
    sign_in(service, "host")
    page = service.client.get("/desk/requests").text
    assert page.index('id="new"') < page.index("<table")  # the form is above the table, not below 120 rows
    assert "1 = lowest; higher is more important" in page
    assert '<option value="2024-10-31">31 Oct</option>' in page and '<option value="2024-11-01">1 Nov</option>' in page
    assert 'type="datetime-local"' not in page
    cases = [
        ({"party": ["A", "B"], "duration_minutes": "0"}, "duration", "at least 1 minute"),
        ({"party": ["A", "B"], "duration_minutes": "abc"}, "duration", "the number of minutes, in figures (e.g. 30)"),
        ({"party": ["A", "B"], "duration_minutes": "900"}, "duration", "longer than the longest day"),
        ({"party": ["A"], "duration_minutes": "30"}, "parties", "choose at least two delegations"),
        ({"party": ["A", "B"], "duration_minutes": "30", "priority": "0"}, "priority", "at least 1 (1 = lowest)"),
        ({"party": ["A", "B"], "duration_minutes": "30", "preferred_day": "2024-10-31", "preferred_from": "14:00",
          "preferred_until": "15:00"}, "preferred", "outside every day of the event (31 Oct–1 Nov, 09:00–13:00)"),
        ({"party": ["A", "B"], "duration_minutes": "30", "preferred_day": "2024-10-31", "preferred_from": "ten",
          "preferred_until": "11:00"}, "preferred", "a day of the event and a time HH:MM"),
    ]
    for data, field, words in cases:
        refused = posted(service, "/desk/requests", data)
        assert refused.status_code == 422, (data, refused.text[:300])
        assert "<h1>Requests</h1>" in refused.text and "The service did not accept this" not in refused.text
        assert words in error_of(refused.text, field), (data, error_of(refused.text, field))
        assert "Input should" not in refused.text and "after validation" not in refused.text
        assert "<details class=\"new-request\" open>" in refused.text  # the form stays open with the words
    assert [r["id"] for r in service.get("host", "/events/conf/requests").json()] == ["A-B", "C-D"]


def test_a_new_request_says_so_and_goes_back_to_its_row_flagging_a_second_one(service: Service) -> None:
    sign_in(service, "host")
    added = posted(service, "/desk/requests", {"party": ["A", "C"], "duration_minutes": "30",
                                               "preferred_day": "2024-11-01", "preferred_from": "9:30",
                                               "preferred_until": "10.30"})
    assert added.status_code == 303 and added.headers["location"] == "/desk/requests#request-A-C"
    assert service.get("host", "/events/conf/requests/A-C").json()["preferred"] == [
        {"start": "2024-11-01T09:30", "end": "2024-11-01T10:30"}]
    page = service.client.get("/desk/requests").text
    assert '<p class="notice" role="status">A-C added.</p>' in page
    assert 'id="request-A-C"' in page
    assert "A-C added." not in service.client.get("/desk/requests").text  # said once
    again = posted(service, "/desk/requests", {"party": ["C", "A"], "duration_minutes": "45"})
    assert again.headers["location"] == "/desk/requests#request-C-A"
    page = service.client.get("/desk/requests").text
    assert "C-A added; note there is already a request between these delegations: A-C." in page
    assert "also requested as C-A" in page and "also requested as A-C" in page
    assert "also requested as" in service.client.get("/desk/requests/A-C").text
    for who in ("A", "C"):  # both liaisons see the flag; B sees neither request
        service.client.cookies.clear()
        sign_in(service, who)
        assert "also requested as" in service.client.get("/desk/proposals").text, who
    service.client.cookies.clear()
    sign_in(service, "B")
    assert "A-C" not in service.client.get("/desk/proposals").text


def test_a_liaisons_proposal_is_told_of_the_request_already_there(service: Service) -> None:
    service.post("host", "/events/conf/requests", json={"id": "HUN-KAZ", "parties": ["A", "C"], "duration_minutes": 30})
    sign_in(service, "A")
    page = service.client.get("/desk/proposals").text
    assert "1 = lowest; higher is more important" in page
    proposed = posted(service, "/desk/requests", {"party": ["C"], "duration_minutes": "30"}, "/desk/proposals")
    new_id = re.fullmatch(r"/desk/proposals#request-(A-C-[0-9a-f]+)", proposed.headers["location"]).group(1)
    page = service.client.get("/desk/proposals").text
    assert (f"{new_id} proposed; note there is already a request between these delegations: HUN-KAZ."
            in page)
    assert f'id="request-{new_id}"' in page


def test_the_hosts_edit_form_keeps_the_words_beside_the_fields(service: Service) -> None:
    sign_in(service, "host")
    page = service.client.get("/desk/requests/A-B").text
    refused = posted(service, "/desk/requests/A-B", {"revision": revision_of(page), "duration_minutes": "0",
                                                     "priority": "x"}, "/desk/requests/A-B")
    assert refused.status_code == 422 and "<h1>Request A-B</h1>" in refused.text
    assert error_of(refused.text, "duration_minutes") == "at least 1 minute"
    assert error_of(refused.text, "priority") == "a whole number, 1 or more (1 = lowest)"
    assert 'value="x"' in refused.text  # as typed
    longer = posted(service, "/desk/requests/A-B", {"revision": revision_of(page), "duration_minutes": "500",
                                                    "priority": "5"}, "/desk/requests/A-B")
    assert "longer than the longest day" in error_of(longer.text, "duration_minutes")
    saved = posted(service, "/desk/requests/A-B", {"revision": revision_of(page), "duration_minutes": "45",
                                                   "priority": "7"}, "/desk/requests/A-B")
    assert saved.status_code == 303 and saved.headers["location"] == "/desk/requests#request-A-B"
    assert "A-B saved." in service.client.get("/desk/requests").text
    assert service.get("host", "/events/conf/requests/A-B").json()["priority"] == 7


def test_answers_say_what_happened_and_go_back_to_the_row(service: Service) -> None:
    created = service.post("A", "/events/conf/requests", json={"parties": ["A", "C"], "duration_minutes": 30})
    request_id = created.json()["id"]
    sign_in(service, "C")
    page = service.client.get("/desk/proposals").text
    assert f'data-confirm="Decline request {request_id}? Its parties are told' in page
    accepted = posted(service, f"/desk/requests/{request_id}/accept", {"revision": revision_of(page)},
                      "/desk/proposals")
    assert accepted.headers["location"] == f"/desk/proposals#request-{request_id}"
    assert f"{request_id} accepted." in service.client.get("/desk/proposals").text
    service.client.cookies.clear()
    sign_in(service, "host")
    page = service.client.get(f"/desk/requests/{request_id}").text
    assert f'data-confirm="Withdraw request {request_id}? Its parties are told' in page
    assert f'data-confirm="Decline request {request_id}?' in page
    withdrawn = posted(service, f"/desk/requests/{request_id}/delete", {"revision": revision_of(page)})
    assert withdrawn.headers["location"] == "/desk/requests"
    assert f"{request_id} withdrawn." in service.client.get("/desk/requests").text


def test_keys_and_feed_links_ask_first_and_say_what_happened(service: Service) -> None:
    sign_in(service, "host")
    keys = service.get("host", "/events/conf/keys").json()
    a_key = next(k["id"] for k in keys if k["delegation"] == "A")
    page = service.client.get("/desk/keys").text
    assert f'id="key-{a_key}"' in page
    assert f'data-confirm="Revoke key {a_key}? Whoever holds it is signed out at once."' in page
    revoked = posted(service, f"/desk/keys/{a_key}/revoke", {}, "/desk/keys")
    assert revoked.headers["location"] == f"/desk/keys#key-{a_key}"
    assert f'role="status">Key {a_key} revoked' in service.client.get("/desk/keys").text
    feeds = service.client.get("/desk/feeds").text
    assert ('data-confirm="Make a new link for delegation Delegation A? Every subscribed calendar of Delegation A '
            'stops updating until it subscribes to the new link."') in feeds
    rotated = posted(service, "/desk/feeds/rotate", {"kind": "delegation", "subject": "A"}, "/desk/feeds")
    assert rotated.headers["location"] == "/desk/feeds#feed-delegation-A"
    feeds = service.client.get("/desk/feeds").text
    assert "New link made for Delegation A&#39;s feed: the old one no longer works." in feeds
    assert 'id="feed-delegation-A"' in feeds
    service.client.cookies.clear()
    sign_in(service, "B")
    feed = service.client.get("/desk/feed").text
    assert 'data-confirm="Make a new link? Every subscribed calendar of Delegation B stops updating' in feed
    assert posted(service, "/desk/feed/rotate", {}, "/desk/feed").headers["location"] == "/desk/feed"
    assert "New link made: the old one no longer works." in service.client.get("/desk/feed").text


def test_a_notice_made_for_another_session_is_not_shown(service: Service) -> None:
    sign_in(service, "host")
    posted(service, "/desk/requests", {"party": ["A", "C"], "duration_minutes": "30"})
    planted = service.client.cookies.get("bilateral_notice")
    service.client.cookies.clear()
    sign_in(service, "host")  # another session of the same key
    service.client.cookies.set("bilateral_notice", planted)
    assert "A-C added." not in service.client.get("/desk/requests").text
    forged = "Q2FsbCAxMjM0.00"  # "Call 1234", not signed by this session
    service.client.cookies.set("bilateral_notice", forged)
    assert "Call 1234" not in service.client.get("/desk/requests").text


def test_a_key_without_its_delegation_is_refused_in_words_on_the_same_form(service: Service) -> None:
    sign_in(service, "host")
    refused = posted(service, "/desk/keys", {"role": "liaison", "delegation": "", "label": "for Hungary"},
                     "/desk/keys")
    assert refused.status_code == 422 and "<h1>Keys</h1>" in refused.text
    assert error_of(refused.text, "delegation") == "choose the delegation this liaison key is for"
    assert "not None" not in refused.text and 'value="for Hungary"' in refused.text
    issued = posted(service, "/desk/keys", {"role": "liaison", "delegation": "A", "label": ""}, "/desk/keys")
    assert issued.status_code == 200 and 'role="status"' in issued.text and "copy it now" in issued.text
    assert service.client.get("/desk/keys?code=500").status_code == 200
