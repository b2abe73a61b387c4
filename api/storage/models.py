"""The service's tables. One Alembic history (api/migrations) creates them on SQLite and PostgreSQL.

JSON columns hold contract fragments exactly as the contract writes them (the event's setting, a request's
fields, a schedule document), so that the library reads them with its own models.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, validates
from sqlalchemy.types import TypeDecorator


class UTC_DateTime(TypeDecorator):
    """An aware UTC datetime on every back-end (SQLite hands back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTC_DateTime}


class EventRow(Base):
    """One conference. `setting` is the contract input without its requests (event, programme, rooms,
    delegations); requests are rows of their own."""

    __tablename__ = "events"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    setting: Mapped[dict] = mapped_column(JSON)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    published_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTC_DateTime())


class RequestRow(Base):
    """A requested meeting. `fields` holds the contract's request fields other than id and priority;
    `priority` is the host's (scheduled) priority, `wishes` each party's own priority."""

    __tablename__ = "requests"

    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    id_folded: Mapped[str] = mapped_column(String(64))  # ids are unique ignoring case (they become file names)
    parties: Mapped[list] = mapped_column(JSON)
    party_key: Mapped[str] = mapped_column(Text)  # ",A,B,": finds a delegation's requests in SQL on any back-end
    fields: Mapped[dict] = mapped_column(JSON)
    priority: Mapped[int] = mapped_column(Integer)
    wishes: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))  # proposed | accepted | declined
    proposed_by: Mapped[str] = mapped_column(String(64))  # a delegation id, or "host"
    accepted_by: Mapped[list] = mapped_column(JSON)
    declined_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTC_DateTime())
    updated_at: Mapped[datetime] = mapped_column(UTC_DateTime())

    __table_args__ = (Index("ix_requests_event_folded", "event_id", "id_folded", unique=True),)

    @validates("parties")
    def _index_parties(self, _key: str, parties: list[str]) -> list[str]:
        self.party_key = "," + ",".join(parties) + ","
        return list(parties)


class KeyRow(Base):
    """An API key: only the SHA-256 of its secret is kept."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # admin | host | liaison
    event_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    delegation: Mapped[str | None] = mapped_column(String(64), nullable=True)
    label: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTC_DateTime())
    created_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTC_DateTime(), nullable=True)


class FeedTokenRow(Base):
    """The secret feed URL of a delegation or a room: the token is derived from the installation's secret
    and `nonce` (so the host can list the URLs again), and found by its SHA-256."""

    __tablename__ = "feed_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # delegation | room
    subject: Mapped[str] = mapped_column(String(64))
    file: Mapped[str] = mapped_column(String(200))  # the publication's file it serves (calendars/….ics)
    nonce: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTC_DateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTC_DateTime(), nullable=True)


class SolveRow(Base):
    """One solve of an event's accepted requests, from the queue to its result."""

    __tablename__ = "solves"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16))  # queued | running | done | failed | cancelled
    time_limit: Mapped[float] = mapped_column()
    input: Mapped[dict] = mapped_column(JSON)  # the contract input as it was when the solve was asked for
    created_at: Mapped[datetime] = mapped_column(UTC_DateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTC_DateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTC_DateTime(), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTC_DateTime(), nullable=True)
    worker: Mapped[str | None] = mapped_column(Text, nullable=True)
    progress: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str | None] = mapped_column(String(16), nullable=True)  # optimal | feasible | infeasible | …
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # the unpublished schedule document
    # a re-plan: the published version it keeps close to, how closely, and the instant before which the
    # version's meetings are history (None: a fresh solve, nothing published when it was asked for)
    previous_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    stability: Mapped[str | None] = mapped_column(String(16), nullable=True)
    freeze_before: Mapped[datetime | None] = mapped_column(UTC_DateTime(), nullable=True)
    # a re-plan's price of a change (a level or a number), and whether it re-plans several ways side by side:
    # then `choices` holds each one (name, summary, document) and `result` the balanced one (else the first)
    move_cost: Mapped[str | None] = mapped_column(String(32), nullable=True)
    with_choices: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    choices: Mapped[list | None] = mapped_column(JSON, nullable=True)
    # the event's setting revision the solve read (None: asked for before it was recorded); what changed since
    # is worked out from `input` (api.services.staleness), the revision only shows which setting it was
    setting_revision: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # an infeasible solve: the pin moves its explanation found and checked by solving ({request, start, room,
    # words}, `api.schemas.Suggestion`), for the desk to offer as one click; None for any other outcome
    suggestions: Mapped[list | None] = mapped_column(JSON, nullable=True)


class VersionRow(Base):
    """A publication: version N of an event's schedule, with identity carried from version N-1."""

    __tablename__ = "versions"

    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    solve_id: Mapped[str] = mapped_column(String(32))
    published_at: Mapped[datetime] = mapped_column(UTC_DateTime())
    published_by: Mapped[str] = mapped_column(String(32))
    document: Mapped[dict] = mapped_column(JSON)


class VersionFileRow(Base):
    """A file of a publication (feeds, room plan, agendas), made once at publish time."""

    __tablename__ = "version_files"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    etag: Mapped[str] = mapped_column(String(80))
    last_modified: Mapped[datetime] = mapped_column(UTC_DateTime())  # when its content last changed


class AuditRow(Base):
    """Every write: who (key, role, delegation), when, what."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    at: Mapped[datetime] = mapped_column(UTC_DateTime())
    key_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    role: Mapped[str] = mapped_column(String(16))
    delegation: Mapped[str | None] = mapped_column(String(64), nullable=True)
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class IdempotencyRow(Base):
    """The first response to a request sent with an Idempotency-Key, replayed to its retries."""

    __tablename__ = "idempotency"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    body_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTC_DateTime())


class SessionRow(Base):
    """A signed-in browser (the protocol desk): its cookie's SHA-256, the key it was opened with, and the
    secret of its CSRF tokens. Signing out ends it here, whatever the browser keeps."""

    __tablename__ = "sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[str] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"), index=True)
    csrf_secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTC_DateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTC_DateTime(), nullable=True)
    # its last use, written at most once a minute (the idle expiry's clock)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTC_DateTime(), nullable=True)
