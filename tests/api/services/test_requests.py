"""The request lifecycle without HTTP: who may do what, revisions, statuses, the audit trail, and the errors
the services raise (which `api.app` maps to status codes)."""

from __future__ import annotations

import pytest

from api.errors import Conflict, Forbidden, NotFound, PreconditionFailed, PreconditionRequired, Unprocessable
from api.schemas import RequestCreate, RequestUpdate
from api.services import requests as lifecycle
from api.services.etags import etag
from api.services.requests import Replayed
from api.storage import repo


def actions(office) -> list[tuple[str, str]]:
    with office.db.reading() as session:
        return [(a.action, a.target) for a in reversed(repo.audit_of(session, "conf", 100))]


def proposed_by_a(office, **more):
    body = RequestCreate(parties=["A", "C"], duration_minutes=30, priority=4, **more)
    return lifecycle.propose(office.db, office.liaisons["A"], "conf", body)


def test_a_liaisons_proposal_waits_for_the_other_party(office) -> None:
    made = proposed_by_a(office)
    assert made.status == "proposed" and made.accepted_by == ["A"] and made.my_priority == 4
    assert made.id.startswith("A-C-")  # the service names it: the id tells nothing of others' requests
    c = office.liaisons["C"]
    read = lifecycle.read(office.db, c, "conf", made.id)  # C's own view, with C's own revision
    accepted = lifecycle.accept(office.db, c, "conf", made.id, etag(read.revision))
    assert accepted.status == "accepted" and accepted.accepted_by == ["A", "C"]
    assert accepted.revision != read.revision
    host_view = lifecycle.read(office.db, office.host, "conf", made.id)
    assert host_view.priority == 1 and host_view.wishes == {"A": 4}  # the wish is not what is scheduled
    assert actions(office)[-2:] == [("request.propose", made.id), ("request.accept", made.id)]


def test_every_write_names_the_revision_it_read(office) -> None:
    c = office.liaisons["C"]
    made = lifecycle.read(office.db, c, "conf", proposed_by_a(office).id)  # as C reads it
    with pytest.raises(PreconditionRequired) as missing:
        lifecycle.accept(office.db, c, "conf", made.id, None)
    assert missing.value.detail == [{"loc": ["header", "If-Match"], "msg": "send If-Match with the ETag you read",
                                     "type": "precondition_required"}]
    with pytest.raises(PreconditionFailed) as stale:
        lifecycle.decline(office.db, c, "conf", made.id, '"1"')
    assert stale.value.status == 412 and etag(made.revision) in stale.value.detail[0]["msg"]
    assert lifecycle.read(office.db, c, "conf", made.id).revision == made.revision  # nothing changed
    assert lifecycle.decline(office.db, c, "conf", made.id, f'W/"x", {etag(made.revision)}').status == "declined"


def test_a_declined_request_is_proposed_again_not_accepted(office) -> None:
    made = proposed_by_a(office)
    declined = lifecycle.decline(office.db, office.liaisons["C"], "conf", made.id, "*")
    assert (declined.status, declined.declined_by) == ("declined", "C")
    with pytest.raises(Conflict) as refused:
        lifecycle.accept(office.db, office.liaisons["A"], "conf", made.id, "*")
    assert refused.value.detail == [{"loc": ["path", "request_id"], "msg": "declined by C; propose it again",
                                     "type": "conflict"}]
    assert lifecycle.accept(office.db, office.host, "conf", made.id, "*").status == "accepted"  # the host may


def test_another_delegations_request_is_not_found(office) -> None:
    made = proposed_by_a(office)
    b = office.liaisons["B"]
    for attempt in (lambda: lifecycle.read(office.db, b, "conf", made.id),
                    lambda: lifecycle.decline(office.db, b, "conf", made.id, "*"),
                    lambda: lifecycle.withdraw(office.db, b, "conf", made.id, "*")):
        with pytest.raises(NotFound) as hidden:
            attempt()
        assert hidden.value.detail == [{"loc": ["path"], "msg": f"request {made.id!r} not found",
                                        "type": "not_found"}]
    assert [r.id for r in lifecycle.list_visible(office.db, b, "conf")] == ["A-B"]


def test_only_the_proposer_or_the_host_withdraws(office) -> None:
    made = proposed_by_a(office)
    with pytest.raises(Forbidden):
        lifecycle.withdraw(office.db, office.liaisons["C"], "conf", made.id, "*")
    lifecycle.withdraw(office.db, office.liaisons["A"], "conf", made.id, "*")
    with pytest.raises(NotFound):
        lifecycle.read(office.db, office.host, "conf", made.id)
    assert actions(office)[-1] == ("request.withdraw", made.id)


def test_a_liaisons_change_of_substance_asks_the_others_again(office) -> None:
    made = proposed_by_a(office)
    accepted = lifecycle.accept(office.db, office.liaisons["C"], "conf", made.id, "*")
    wish = lifecycle.change(office.db, office.liaisons["C"], "conf", made.id, RequestUpdate(priority=9), "*")
    assert (wish.status, wish.my_priority) == ("accepted", 9) and wish.revision != accepted.revision
    with pytest.raises(Forbidden):  # C did not propose it: only its wish is its own to change
        lifecycle.change(office.db, office.liaisons["C"], "conf", made.id, RequestUpdate(duration_minutes=45), "*")
    longer = lifecycle.change(office.db, office.liaisons["A"], "conf", made.id, RequestUpdate(duration_minutes=45),
                              "*")
    assert (longer.status, longer.accepted_by, longer.duration_minutes) == ("proposed", ["A"], 45)
    with pytest.raises(Forbidden):
        lifecycle.change(office.db, office.liaisons["A"], "conf", made.id, RequestUpdate(mandatory=True), "*")


def test_a_retried_proposal_gets_its_first_answer(office) -> None:
    body = RequestCreate(parties=["B", "D"], duration_minutes=30)
    b = office.liaisons["B"]
    first = lifecycle.propose(office.db, b, "conf", body, "retry-1")
    again = lifecycle.propose(office.db, b, "conf", body, "retry-1")
    assert again == Replayed(201, first.model_dump(mode="json"))
    with pytest.raises(Unprocessable) as reused:
        lifecycle.propose(office.db, b, "conf", RequestCreate(parties=["B", "D"], duration_minutes=45), "retry-1")
    assert reused.value.detail[0]["loc"] == ["header", "Idempotency-Key"]
    assert [r.id for r in lifecycle.list_visible(office.db, b, "conf")] == ["A-B", first.id]  # stored once


def test_the_hosts_ids_and_the_events_setting_are_checked(office) -> None:
    with pytest.raises(Conflict) as taken:
        lifecycle.propose(office.db, office.host, "conf", RequestCreate(id="a-b", parties=["A", "B"],
                                                                        duration_minutes=30))
    assert taken.value.detail == [{"loc": ["body", "id"], "msg": "request id 'a-b' is taken", "type": "conflict"}]
    with pytest.raises(Unprocessable) as unknown:
        lifecycle.propose(office.db, office.host, "conf", RequestCreate(parties=["A", "Z"], duration_minutes=30))
    assert unknown.value.detail[0]["loc"][0] == "body" and unknown.value.detail[0]["type"] == "contract"
    made = lifecycle.propose(office.db, office.host, "conf", RequestCreate(parties=["A", "B"], duration_minutes=30))
    assert (made.id, made.status) == ("A-B-2", "accepted")


def test_a_delegations_listing_matches_its_id_literally(office) -> None:
    # LIKE's wildcards in a delegation id match only themselves: A_B's listing is not AxB's, 10%'s not 10x
    from api.identity import now
    from api.storage.models import RequestRow

    with office.db.writing() as session:
        for i, parties in enumerate((["A_B", "C"], ["AxB", "C"], ["10%", "C"], ["10x", "C"], ["a/b", "C"])):
            session.add(RequestRow(event_id="conf", id=f"r{i}", id_folded=f"r{i}", parties=parties, fields={},
                                   priority=1, wishes={}, status="accepted", proposed_by="host", accepted_by=[],
                                   created_at=now(), updated_at=now()))
    with office.db.reading() as session:
        def listed(delegation: str, *statuses: str) -> list[str]:
            found = repo.requests_listed(session, "conf", statuses or None, delegation)
            return [r.id for r in found if r.id.startswith("r")]  # not the event's own C-D

        assert listed("A_B") == ["r0"] and listed("10%") == ["r2"] and listed("a/b") == ["r4"]
        assert listed("C") == ["r0", "r1", "r2", "r3", "r4"] and listed("C", "proposed") == []
        assert listed("C", "accepted", "declined") == ["r0", "r1", "r2", "r3", "r4"]
