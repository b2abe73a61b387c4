"""The life of a requested meeting: propose, change, accept, decline, withdraw.

A liaison's request stays `proposed` until every other party's liaison (or the host) accepts it; the host's
requests are accepted at once. A liaison's priority is its delegation's wish; the host sets the priority
that is scheduled, and only the host sets `mandatory` and `fixed`. Another delegation's request is not found
for a liaison, whatever it asks. Every change names the revision it read (`if_match`), moves the revision on,
stamps the time and is written to the audit trail, in one transaction.

Beyond the contract, a proposal (and a change) is refused when it can never be scheduled: a window outside
every day, a meeting longer than every day (`api.services.proposal_checks`). A second live request between
the same parties is allowed; each view lists the others in `same_parties` (a note beside the request, not
part of it: it does not move its revision).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.bad_input import check_contract, unprocessable
from api.errors import Conflict, Forbidden, NotFound, Unprocessable
from api.identity import Identity, now
from api.schemas import RequestCreate, RequestForHost, RequestForLiaison, RequestUpdate
from api.services.etags import require_match, view_revision
from api.services.proposal_checks import LIVE, check_proposal, same_parties
from api.storage import repo
from api.storage.db import Database
from api.storage.models import EventRow, IdempotencyRow, RequestRow

RequestView = RequestForHost | RequestForLiaison
HOST_ONLY = ("mandatory", "fixed")


@dataclass(frozen=True)
class Replayed:
    """The stored first answer to a retried proposal (same Idempotency-Key, same body)."""

    status_code: int
    body: dict[str, Any]


def view(row: RequestRow | Row, caller: Identity, same: list[str] | None = None) -> RequestView:
    """The request as the caller may read it: the host with the scheduled priority and every wish, a liaison
    with its own wish only. Its `revision` (and ETag) is this view's: made from what it shows, so that what
    the caller cannot see never moves it. `same`: the other live requests between the same parties (not in
    the revision: another request's arrival changes nothing of this one)."""
    fields = row.fields
    common = dict(
        id=row.id, parties=row.parties, duration_minutes=fields["duration_minutes"],
        requires=fields.get("requires") or [], seats=fields.get("seats"), window=fields.get("window"),
        preferred=fields.get("preferred"), host=fields.get("host"), mandatory=bool(fields.get("mandatory")),
        fixed=fields.get("fixed"), status=row.status, proposed_by=row.proposed_by, accepted_by=row.accepted_by,
        declined_by=row.declined_by,
    )
    if caller.is_host:
        own = dict(priority=row.priority, wishes=row.wishes)
        return RequestForHost(**common, **own, revision=view_revision(row.revision, {**common, **own}),
                              same_parties=same or [])
    own = dict(my_priority=row.wishes.get(caller.delegation))
    return RequestForLiaison(**common, **own, revision=view_revision(row.revision, {**common, **own}),
                             same_parties=same or [])


def _same_parties(session: Session, event_id: str, caller: Identity, rows: list | None = None) -> dict[str, list[str]]:
    """Each live request's other live requests between exactly its parties, among those the caller sees
    (a liaison's delegation is a party to all of them); from `rows` when they are every request it sees."""
    if rows is None:
        rows = repo.requests_listed(session, event_id, LIVE, None if caller.is_host else caller.delegation)
    return same_parties([(r.id, list(r.parties)) for r in rows if r.status in LIVE and caller.is_party(r.parties)])


def _shared(row: RequestRow) -> str:
    """What every party of the request sees of it: a change here moves the stored revision (and so every
    viewer's). Priorities are not in it: the host's is the host's, each wish its delegation's and the host's."""
    return json.dumps([row.parties, row.fields, row.status, row.proposed_by, row.accepted_by, row.declined_by],
                      sort_keys=True, default=str)


def visible(session: Session, event_id: str, request_id: str, caller: Identity,
            for_update: bool = False) -> RequestRow:
    """The request, if the caller is the host or a party's liaison; not found otherwise."""
    row = repo.request_row(session, event_id, request_id, for_update)
    if row is None or not caller.is_party(row.parties):
        raise NotFound(f"request {request_id!r}")
    return row


def _check_against_event(event: EventRow, item: dict, sent: set[str] | frozenset[str] = frozenset()) -> None:
    """The request must be valid contract input in this event (known delegations, windows, pins, ...), and
    the fields `sent` must be schedulable in it at all (a window on one of its days, ...)."""
    conference = check_contract({**event.setting, "requests": [item]}, rename={"requests[0]": ["body"]})
    check_proposal(conference, event.setting["event"]["days"], item, set(sent))


def _host_only(body: RequestCreate | RequestUpdate, caller: Identity) -> None:
    """A liaison may not send the host's fields at all, not even to clear them."""
    for name in HOST_ONLY:
        if name in body.model_fields_set and not caller.is_host:
            raise Forbidden(f"only the host sets {name}")


def _new_id(session: Session, event_id: str, parties: list[str], caller: Identity) -> str:
    """The host's default id is made of the parties (A-B, A-B-2, ...); a liaison's carries a random part, so
    that the id it gets says nothing about requests it cannot see."""
    base = "-".join(parties)[:55]
    taken = repo.request_ids_folded(session, event_id)
    if not caller.is_host:
        candidate = f"{base}-{secrets.token_hex(2)}"
        while candidate.lower() in taken:
            candidate = f"{base}-{secrets.token_hex(3)}"
        return candidate
    candidate, n = base, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


# --- propose -------------------------------------------------------------------------------------------


def propose(db: Database, caller: Identity, event_id: str, body: RequestCreate,
            idempotency_key: str | None = None) -> RequestView | Replayed:
    """Propose a meeting (a liaison: one its delegation is a party to) or add one (the host: accepted at
    once). A retry with the same `idempotency_key` gets the first answer; the same key with another body
    is refused."""
    if not caller.is_host and caller.delegation not in body.parties:
        raise Forbidden("a liaison proposes meetings its own delegation is a party to")
    if not caller.is_host and body.id is not None:
        # a clash with an id it cannot see would tell it that request exists
        raise unprocessable((["body", "id"], "the service names a liaison's proposals; leave id out"))
    _host_only(body, caller)
    digest = _digest(body.model_dump(mode="json"))
    try:
        with db.writing() as session:
            replay = _replay(session, caller, idempotency_key, digest)
            if replay is not None:
                return replay
            row = _create(session, event_id, body, caller)
            out = view(row, caller, _same_parties(session, event_id, caller).get(row.id))
            if idempotency_key is not None:
                session.add(IdempotencyRow(key_id=caller.key_id, idempotency_key=idempotency_key, body_hash=digest,
                                           status_code=201, response=out.model_dump(mode="json"), created_at=now()))
    except IntegrityError:
        # a concurrent retry with the same key (or the same id) committed first
        with db.reading() as session:
            replay = _replay(session, caller, idempotency_key, digest)
        if replay is not None:
            return replay
        if body.id is None:  # cannot happen while the event's lock orders the choices; words, not None
            raise Conflict("another request took the id chosen for this one at the same moment; send it again",
                           ["body"]) from None
        raise _id_taken(body.id) from None
    return out


def _digest(body: object) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def _replay(session: Session, caller: Identity, key: str | None, digest: str) -> Replayed | None:
    if key is None:
        return None
    seen = session.get(IdempotencyRow, (caller.key_id, key))
    if seen is None:
        return None
    if seen.body_hash != digest:
        raise Unprocessable([{"loc": ["header", "Idempotency-Key"], "msg": "this key was used with another body",
                              "type": "conflict"}])
    return Replayed(seen.status_code, seen.response)


def _id_taken(request_id: str | None) -> Conflict:
    return Conflict(f"request id {request_id!r} is taken", ["body", "id"])


def _create(session: Session, event_id: str, body: RequestCreate, caller: Identity) -> RequestRow:
    # the event's row is locked while the id is chosen: two proposals at once would otherwise read the same
    # ids taken and pick the same next one (PostgreSQL reads committed rows; SQLite's BEGIN IMMEDIATE
    # already serialises writers). The lock is held for this one short transaction.
    event = repo.event_or_404(session, event_id, for_update=True)
    request_id = body.id or _new_id(session, event_id, body.parties, caller)
    if repo.request_id_taken(session, event_id, request_id):
        raise _id_taken(request_id)
    item = {**body.model_dump(mode="json", exclude_none=True), "id": request_id}
    _check_against_event(event, item, body.model_fields_set)
    row = repo.new_request(event_id, item, caller, now())
    session.add(row)
    session.flush()
    repo.record(session, caller, event_id, "request.propose", request_id, row.created_at, status=row.status)
    return row


# --- read ----------------------------------------------------------------------------------------------


def list_visible(db: Database, caller: Identity, event_id: str, status: str | None = None) -> list[RequestView]:
    """The host: every request; a liaison: those its delegation is a party to."""
    with db.reading() as session:
        rows = repo.requests_listed(session, event_id, (status,) if status else None,
                                    None if caller.is_host else caller.delegation)
        if not rows:  # a request's event exists (its rows go with it): only an empty listing asks
            repo.event_there_or_404(session, event_id)
        same = _same_parties(session, event_id, caller, rows if status is None else None)
    return [view(r, caller, same.get(r.id)) for r in rows if caller.is_party(r.parties)]


def read(db: Database, caller: Identity, event_id: str, request_id: str) -> RequestView:
    with db.reading() as session:
        row = visible(session, event_id, request_id, caller)
        return view(row, caller, _same_parties(session, event_id, caller).get(row.id))


# --- change, answer, withdraw: one transaction each, on the revision the caller read ------------------


@contextmanager
def _changing(db: Database, caller: Identity, event_id: str, request_id: str,
              if_match: str | None) -> Iterator[tuple[Session, RequestRow, str]]:
    """The request, locked, if the caller's If-Match is the ETag of the caller's own view of it now; and
    its shared part as it was (for `_changed`)."""
    with db.writing() as session:
        row = visible(session, event_id, request_id, caller, for_update=True)
        require_match(if_match, view(row, caller).revision)
        yield session, row, _shared(row)


def _changed(session: Session, row: RequestRow, caller: Identity, action: str, shared_before: str,
             **detail: object) -> RequestView:
    """The request as changed, stamped now and written to the audit trail. The stored revision moves when
    the part every party sees changed (a priority or a wish alone moves only the views that show it)."""
    if _shared(row) != shared_before:
        row.revision += 1
    row.updated_at = at = now()
    repo.record(session, caller, row.event_id, action, row.id, at, **detail)
    session.flush()  # the listing of live requests reads this one as changed
    return view(row, caller, _same_parties(session, row.event_id, caller).get(row.id))


def change(db: Database, caller: Identity, event_id: str, request_id: str, body: RequestUpdate,
           if_match: str | None) -> RequestView:
    """Change some fields. A liaison's `priority` is its own wish; any other change by a liaison asks the
    other parties to accept again. The host's `priority` is the one scheduled."""
    _host_only(body, caller)
    changes = body.model_dump(mode="json", exclude_unset=True)
    with _changing(db, caller, event_id, request_id, if_match) as (session, row, before):
        substance = set(changes) - {"priority"}
        if not caller.is_host and substance and row.proposed_by != caller.delegation:
            raise Forbidden("a liaison changes only the meetings its delegation proposed (and its own priority "
                            "on the others)")
        if "parties" in changes and not caller.is_party(changes["parties"] or []):
            raise Forbidden("a liaison keeps its own delegation among the parties")
        event = repo.event_or_404(session, event_id)
        priority = changes.pop("priority", None)
        fields = {**row.fields, **{k: v for k, v in changes.items() if k != "parties"}}
        parties = changes.get("parties", row.parties)
        item = {"id": row.id, "parties": parties, "priority": priority or row.priority,
                **{k: v for k, v in fields.items() if v is not None}}
        _check_against_event(event, item, set(changes))
        if caller.is_host:
            row.priority = priority or row.priority
        elif priority is not None:
            row.wishes = {**row.wishes, caller.delegation: priority}
        if substance and not caller.is_host:  # the meeting itself changed: the others must agree again
            row.accepted_by, row.status, row.declined_by = [caller.delegation], "proposed", None
        row.fields, row.parties = fields, parties
        changed = sorted(body.model_dump(exclude_unset=True))
        return _changed(session, row, caller, "request.change", before, fields=changed)


def accept(db: Database, caller: Identity, event_id: str, request_id: str, if_match: str | None) -> RequestView:
    """A party's liaison accepts (the request is accepted when every party has); the host accepts for all."""
    with _changing(db, caller, event_id, request_id, if_match) as (session, row, before):
        if row.status == "declined" and not caller.is_host:
            raise Conflict(f"declined by {row.declined_by}; propose it again", ["path", "request_id"])
        accepted = list(row.parties) if caller.is_host else sorted({*row.accepted_by, caller.delegation})
        row.accepted_by = accepted
        if set(accepted) >= set(row.parties):
            # the setting may have changed since it was proposed: only what fits it is scheduled
            _check_against_event(repo.event_or_404(session, event_id), {**repo.contract_request(row)})
            row.status, row.declined_by = "accepted", None
        return _changed(session, row, caller, "request.accept", before, status=row.status)


def decline(db: Database, caller: Identity, event_id: str, request_id: str, if_match: str | None) -> RequestView:
    """A party's liaison (or the host) declines: the request is not scheduled."""
    with _changing(db, caller, event_id, request_id, if_match) as (session, row, before):
        row.status, row.declined_by = "declined", "host" if caller.is_host else caller.delegation
        return _changed(session, row, caller, "request.decline", before)


def withdraw(db: Database, caller: Identity, event_id: str, request_id: str, if_match: str | None) -> None:
    """Withdraw a request: the host any, a liaison one its delegation proposed (others: decline it)."""
    with _changing(db, caller, event_id, request_id, if_match) as (session, row, before):
        if not caller.is_host and row.proposed_by != caller.delegation:
            raise Forbidden("only the delegation that proposed it (or the host) withdraws it; decline it instead")
        session.delete(row)
        repo.record(session, caller, event_id, "request.withdraw", request_id, now())
