"""The queries of the service: events and their contract input, requests, solves, versions and their files,
keys, the audit trail. Not found is `api.errors.NotFound`."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import TypeVar

from sqlalchemy import Row, Select, bindparam, func, select
from sqlalchemy.orm import Session

from api.errors import NotFound
from api.identity import Identity
from api.services.etags import first_revision
from api.storage.db import Database
from api.storage.models import (
    AuditRow,
    EventRow,
    FeedTokenRow,
    KeyRow,
    RequestRow,
    SolveRow,
    VersionFileRow,
    VersionRow,
)

T = TypeVar("T", SolveRow, KeyRow)
SETTING_KEYS = ("event", "programme", "rooms", "delegations")
# a request's contract fields other than id and priority, kept in RequestRow.fields
REQUEST_FIELDS = ("duration_minutes", "requires", "seats", "window", "preferred", "host", "mandatory", "fixed")


def record(session: Session, caller: Identity, event_id: str | None, action: str, target: str, at: datetime,
           **detail: object) -> None:
    """Write one audit entry (every write calls this, in its own transaction)."""
    session.add(AuditRow(event_id=event_id, at=at, key_id=caller.key_id, role=caller.role,
                         delegation=caller.delegation, action=action, target=target, detail=detail))


def new_request(event_id: str, item: dict, proposer: Identity, at: datetime) -> RequestRow:
    """A request row from a contract request (`item`): the host's is accepted at once, with its priority
    scheduled; a liaison's is proposed, its priority a wish (the scheduled one is the contract's 1 until the
    host sets it), accepted so far by its own delegation."""
    parties = list(item["parties"])
    priority = item.get("priority", 1)
    by_host = proposer.is_host
    return RequestRow(
        event_id=event_id, id=item["id"], id_folded=item["id"].lower(), parties=parties,
        fields={k: item.get(k) for k in REQUEST_FIELDS}, priority=priority if by_host else 1,
        wishes={} if by_host else {proposer.delegation: priority},
        status="accepted" if by_host else "proposed", proposed_by="host" if by_host else proposer.delegation,
        accepted_by=parties if by_host else [proposer.delegation], declined_by=None, revision=first_revision(),
        created_at=at, updated_at=at,
    )


def event_or_404(session: Session, event_id: str, for_update: bool = False) -> EventRow:
    query = select(EventRow).where(EventRow.id == event_id)
    if for_update:
        query = query.with_for_update()
    row = session.scalars(query).first()
    if row is None:
        raise NotFound(f"event {event_id!r}")
    return row


def event_there_or_404(session: Session, event_id: str) -> None:
    """The event exists; only its id is read (a listing needs no setting parsed)."""
    if session.scalar(select(EventRow.id).where(EventRow.id == event_id)) is None:
        raise NotFound(f"event {event_id!r}")


def contract_request(row: RequestRow) -> dict:
    """A request row as the contract writes it (the scheduled priority)."""
    out: dict = {"id": row.id, "parties": list(row.parties), "priority": row.priority}
    out.update({k: v for k, v in row.fields.items() if v is not None and v is not False and v != []})
    return out


def requests_of(session: Session, event_id: str, statuses: tuple[str, ...] | None = None,
                delegation: str | None = None) -> list[RequestRow]:
    """The event's requests (of these statuses; of which `delegation` is a party), oldest first."""
    return list(session.scalars(_requests_query(select(RequestRow), event_id, statuses, delegation)))


# what a listing shows of a request: read as plain rows, with no ORM instance to build for each
LISTED = ("id", "parties", "fields", "priority", "wishes", "status", "proposed_by", "accepted_by", "declined_by",
          "revision")


def requests_listed(session: Session, event_id: str, statuses: tuple[str, ...] | None = None,
                    delegation: str | None = None) -> list[Row]:
    """`requests_of` as plain rows of the LISTED columns (attributes named as RequestRow's)."""
    values: dict[str, object] = {"event_id": event_id}
    if delegation is not None:
        values["party"] = "%," + _like_literal(delegation) + ",%"
    if statuses is not None:
        values["statuses"] = list(statuses)
    return list(session.execute(_listing_statement(statuses is not None, delegation is not None), values))


@cache
def _listing_statement(by_status: bool, by_delegation: bool) -> Select:
    """The listing's statement, built once per shape with its values bound at each call: building it cost
    more than running it (150 of 400 µs for a delegation's listing on SQLite), and it is the service's most
    frequent read."""
    query = select(*(getattr(RequestRow, name) for name in LISTED)).where(RequestRow.event_id == bindparam("event_id"))
    if by_delegation:
        query = query.where(RequestRow.party_key.like(bindparam("party"), escape=LIKE_ESCAPE))
    if by_status:
        query = query.where(RequestRow.status.in_(bindparam("statuses", expanding=True)))
    return query.order_by(RequestRow.created_at, RequestRow.id)


LIKE_ESCAPE = "/"


def _like_literal(text: str) -> str:
    """`text` matched as itself in a LIKE pattern (what `contains(..., autoescape=True)` does to a literal)."""
    return text.replace(LIKE_ESCAPE, 2 * LIKE_ESCAPE).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")


def _requests_query(query, event_id: str, statuses: tuple[str, ...] | None, delegation: str | None):
    query = query.where(RequestRow.event_id == event_id)
    if delegation is not None:
        query = query.where(RequestRow.party_key.contains(f",{delegation},", autoescape=True))
    if statuses is not None:
        query = query.where(RequestRow.status.in_(statuses))
    return query.order_by(RequestRow.created_at, RequestRow.id)


def contract_input(event: EventRow, requests: list[RequestRow]) -> dict:
    """The event's contract input with the given requests."""
    return {**{k: event.setting.get(k, []) for k in SETTING_KEYS}, "requests": [contract_request(r) for r in requests]}


def latest_version(session: Session, event: EventRow) -> VersionRow | None:
    if event.published_version == 0:
        return None
    return session.get(VersionRow, (event.id, event.published_version))


def count_requests(session: Session, event_id: str) -> int:
    return session.scalar(select(func.count()).select_from(RequestRow).where(RequestRow.event_id == event_id)) or 0


def request_row(session: Session, event_id: str, request_id: str, for_update: bool = False) -> RequestRow | None:
    query = select(RequestRow).where(RequestRow.event_id == event_id, RequestRow.id == request_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def request_ids_folded(session: Session, event_id: str) -> set[str]:
    """The event's request ids in lower case (ids are unique whatever their case)."""
    return {i for (i,) in session.execute(select(RequestRow.id_folded).where(RequestRow.event_id == event_id))}


def request_id_taken(session: Session, event_id: str, request_id: str) -> bool:
    query = select(RequestRow.id).where(RequestRow.event_id == event_id, RequestRow.id_folded == request_id.lower())
    return session.scalars(query).first() is not None


def _of_event(session: Session, kind: type[T], row_id: str, event_id: str, what: str) -> T:
    """A row by its id, if it belongs to the event (another event's is not found: probing learns nothing)."""
    row = session.get(kind, row_id)
    if row is None or row.event_id != event_id:
        raise NotFound(f"{what} {row_id!r}")
    return row


def solve_of(session: Session, event_id: str, solve_id: str) -> SolveRow:
    return _of_event(session, SolveRow, solve_id, event_id, "solve")


def solves_of(session: Session, event_id: str) -> list[SolveRow]:
    # ties broken by id: an order that hangs on where rows lie on disk changes with a restore
    query = select(SolveRow).where(SolveRow.event_id == event_id).order_by(SolveRow.created_at, SolveRow.id)
    return list(session.scalars(query))


def input_solved(session: Session, solve_id: str) -> dict:
    """The contract input a solve solved (none left: no requests)."""
    solved = session.get(SolveRow, solve_id)
    return solved.input if solved else {"requests": []}


def parties_solved(session: Session, solve_id: str) -> dict[str, list[str]]:
    """The parties of each request a solve solved (a request left out has no meeting to name them)."""
    return {r["id"]: r["parties"] for r in input_solved(session, solve_id)["requests"]}


def version_files(session: Session, event_id: str, number: int) -> dict:
    """Name -> (name, etag, last_modified) of a version's files."""
    query = select(VersionFileRow.name, VersionFileRow.etag, VersionFileRow.last_modified).where(
        VersionFileRow.event_id == event_id, VersionFileRow.number == number)
    return {f.name: f for f in session.execute(query)}


def keys_of(session: Session, event_id: str) -> list[KeyRow]:
    query = select(KeyRow).where(KeyRow.event_id == event_id).order_by(KeyRow.created_at, KeyRow.id)  # as solves_of
    return list(session.scalars(query))


def key_of(session: Session, event_id: str, key_id: str) -> KeyRow:
    return _of_event(session, KeyRow, key_id, event_id, "key")


def live_liaison_keys(session: Session, event_id: str) -> list[KeyRow]:
    return list(session.scalars(select(KeyRow).where(KeyRow.event_id == event_id, KeyRow.role == "liaison",
                                                     KeyRow.revoked_at.is_(None))))


def audit_of(session: Session, event_id: str, limit: int, before: int | None = None) -> list[AuditRow]:
    """The newest entries first (older than entry `before`)."""
    query = select(AuditRow).where(AuditRow.event_id == event_id)
    if before is not None:
        query = query.where(AuditRow.id < before)
    return list(session.scalars(query.order_by(AuditRow.id.desc()).limit(limit)))


_FEED = (
    select(VersionFileRow.content, VersionFileRow.etag, VersionFileRow.last_modified)
    .select_from(FeedTokenRow)
    .join(EventRow, EventRow.id == FeedTokenRow.event_id)
    .join(VersionFileRow, (VersionFileRow.event_id == EventRow.id)
          & (VersionFileRow.number == EventRow.published_version) & (VersionFileRow.name == FeedTokenRow.file))
)


def feed_file(db: Database, token_hash: str) -> Row | None:
    """(content, etag, last_modified) of the published file a live feed token serves: one indexed query on
    a plain connection (no session), since every subscribed calendar asks for it again and again."""
    found = _FEED.where(FeedTokenRow.token_hash == token_hash, FeedTokenRow.revoked_at.is_(None))
    with db.read_engine.connect() as connection:
        return connection.execute(found).first()
