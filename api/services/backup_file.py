"""The backup document of one event: what it holds, written, and read back checked.

`{"format": "bilateral-event-backup", "version": 1, "exported_at", "schema", "event", "installation":
{"feed_secret"}, "tables": {table: [row, ...]}}`: every column of every row of the event's tables
(`EXPORTED`), times in ISO 8601 with their offset, bytes in base64. A table of the service that is not in it
is in `LEFT_OUT` with the reason, a column in `OMITTED` (tests/api/test_backup.py holds the models to that).
Reading one back refuses anything the service would not have written, naming each problem by its path.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, Integer, LargeBinary, String, Table

from api.errors import Unprocessable
from api.storage import repo
from api.storage.models import Base, RequestRow, UTC_DateTime

FORMAT = "bilateral-event-backup"
VERSION = 1
# the event's tables, parents first (the order rows are written in); each row belongs to the event by its
# `event_id`, the event by its `id`, an Idempotency-Key reply by the key it was made with
EXPORTED = ("events", "api_keys", "requests", "feed_tokens", "solves", "versions", "version_files", "audit",
            "idempotency")
LEFT_OUT = {
    "sessions": "desk sign-ins: a browser signs in again with the same key after a restore",
}
# columns not in the document: each is made again on restore
OMITTED = {
    ("audit", "id"): "numbered by the database it is restored into, in the backup's order",
}
INT_LIMIT = 2**31  # PostgreSQL's integer; SQLite would take more, and another back-end then not


class BackupRefused(Exception):
    """The backup cannot be taken or restored; `problems` name what is wrong (a file's, by its path)."""

    def __init__(self, *problems: str):
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def table(name: str) -> Table:
    return Base.metadata.tables[name]


def columns(name: str) -> list[str]:
    """The columns of a table that the document holds, in the table's order."""
    return [c.name for c in table(name).columns if (name, c.name) not in OMITTED]


# --- writing -----------------------------------------------------------------------------------------------


def row_out(name: str, row: dict) -> dict:
    return {c: _value_out(table(name).c[c].type, row[c]) for c in columns(name)}


def _value_out(kind: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(kind, UTC_DateTime):
        return stamp(value)
    if isinstance(kind, LargeBinary):
        return base64.b64encode(value).decode()
    return value


def stamp(at: datetime) -> str:
    return at.isoformat()


def dumps(document: dict) -> str:
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


# --- reading a backup file ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Backup:
    """A checked backup document: its rows with values as the database takes them."""

    event_id: str
    feed_secret: str
    exported_at: str
    rows: dict[str, list[dict]]


def load(raw: bytes) -> Backup:
    """Parse and check a backup file; BackupRefused names every problem found (by its path in the file)."""
    document = _strict_json(raw)
    problems = list(_envelope_problems(document))
    if problems:
        raise BackupRefused(*problems)
    event_id = document["event"]
    rows: dict[str, list[dict]] = {}
    for name in EXPORTED:
        rows[name] = [_row_in(name, i, row, problems) for i, row in enumerate(document["tables"][name])]
    if not problems:
        problems += _consistency_problems(event_id, rows)
    if problems:
        raise BackupRefused(*problems[:20], *([f"… and {len(problems) - 20} more"] if len(problems) > 20 else []))
    return Backup(event_id, document["installation"]["feed_secret"], document["exported_at"], rows)


def _strict_json(raw: bytes) -> Any:
    """JSON as the standard says it: no NaN or Infinity, no number too large for a float, no lone surrogate."""
    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not a JSON number")

    def finite(number: str) -> float:
        value = float(number)
        if not math.isfinite(value):
            raise ValueError(f"{number} is too large a number")
        return value

    try:
        document = json.loads(raw.decode("utf-8"), parse_constant=refuse, parse_float=finite)
    except UnicodeDecodeError as exc:
        raise BackupRefused(f"the file is not UTF-8 text (byte {exc.start})") from None
    except ValueError as exc:
        raise BackupRefused(f"the file is not a JSON document: {exc}") from None
    for path in _lone_surrogates(document, "$"):
        raise BackupRefused(f"{path}: a lone surrogate (\\ud800-\\udfff) is not text")
    return document


def _lone_surrogates(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            yield path
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _lone_surrogates(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _lone_surrogates(key, f"{path} (a key)")
            yield from _lone_surrogates(item, f"{path}.{key}")


def _envelope_problems(document: Any) -> Iterator[str]:
    if not isinstance(document, dict):
        yield "the file is not a JSON object"
        return
    if document.get("format") != FORMAT:
        yield f"format: expected {FORMAT!r}, not {document.get('format')!r} (is this a backup of an event?)"
        return
    if document.get("version") != VERSION:
        yield f"version: this service reads version {VERSION} backups, not {document.get('version')!r}"
        return
    unknown = set(document) - {"format", "version", "exported_at", "schema", "event", "installation", "tables"}
    if unknown:
        yield f"unknown fields {sorted(unknown)}"
    if not isinstance(document.get("event"), str) or not document["event"]:
        yield f"event: expected the event's id, not {document.get('event')!r}"
    if not isinstance(document.get("exported_at"), str):
        yield f"exported_at: expected a time, not {document.get('exported_at')!r}"
    installation = document.get("installation")
    secret = installation.get("feed_secret") if isinstance(installation, dict) else None
    if not isinstance(secret, str) or not secret or secret != secret.strip():
        yield "installation.feed_secret: expected the installation's feed secret (text, no spaces around it)"
    tables = document.get("tables")
    if not isinstance(tables, dict):
        yield "tables: expected an object of tables"
        return
    for name in sorted(set(tables) - set(EXPORTED)):
        yield f"tables.{name}: not a table of an event's backup"
    for name in EXPORTED:
        if not isinstance(tables.get(name), list):
            yield f"tables.{name}: expected a list of rows, not {_short(tables.get(name))}"


def _row_in(name: str, index: int, row: Any, problems: list[str]) -> dict:
    """A row as the database takes it; each bad value adds a problem named by its path."""
    where = f"tables.{name}[{index}]"
    if not isinstance(row, dict):
        problems.append(f"{where}: expected an object, not {_short(row)}")
        return {}
    for extra in sorted(set(row) - set(columns(name))):
        problems.append(f"{where}.{extra}: not a column of {name}")
    values = {}
    for column in columns(name):
        c = table(name).c[column]
        if column not in row and not c.nullable:
            problems.append(f"{where}.{column}: missing")
            continue
        try:
            values[column] = _value_in(c.type, row.get(column), c.nullable)
        except ValueError as exc:
            problems.append(f"{where}.{column}: {exc}")
    return values


def _value_in(kind: Any, value: Any, nullable: bool) -> Any:
    if value is None:
        if not nullable:
            raise ValueError("must not be null")
        return None
    if isinstance(kind, UTC_DateTime):
        return _time(value)
    if isinstance(kind, LargeBinary):
        try:
            return base64.b64decode(_typed(value, str, "base64 text"), validate=True)
        except binascii.Error:
            raise ValueError("expected base64 text") from None
    if isinstance(kind, Boolean):
        return _typed(value, bool, "true or false")
    if isinstance(kind, Integer):
        if not -INT_LIMIT <= _typed(value, int, "a whole number") < INT_LIMIT:
            raise ValueError(f"{value} is out of range (a column holds 32 bits)")
        return value
    if isinstance(kind, Float):
        if isinstance(value, bool) or not isinstance(value, int | float) or abs(value) > 1e300:
            raise ValueError(f"expected a number, not {_short(value)}")
        return float(value)
    if isinstance(kind, String):  # Text too
        text_value = _typed(value, str, "text")
        if kind.length is not None and len(text_value) > kind.length:
            raise ValueError(f"longer than {kind.length} characters")
        if "\x00" in text_value:
            raise ValueError("holds a NUL character")
        return text_value
    if isinstance(kind, JSON):
        return value
    raise ValueError(f"a column of type {kind} the backup does not know")  # a new type: teach _value_in


def _typed(value: Any, kind: type, what: str) -> Any:
    if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
        raise ValueError(f"expected {what}, not {_short(value)}")
    return value


def _time(value: Any) -> datetime:
    try:
        at = datetime.fromisoformat(_typed(value, str, "a time"))
    except ValueError:
        raise ValueError(f"expected an ISO 8601 time, not {_short(value)}") from None
    if at.tzinfo is None:
        raise ValueError(f"expected a time with its UTC offset, not {value!r}")
    try:
        return at.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{value!r} is out of range") from None


def _short(value: Any) -> str:
    shown = json.dumps(value, ensure_ascii=True, default=str)
    return shown if len(shown) <= 40 else shown[:37] + "…"


def _consistency_problems(event_id: str, rows: dict[str, list[dict]]) -> Iterator[str]:
    """The rows must be one event's, hang together, and hold a setting the service can read."""
    events = rows["events"]
    if len(events) != 1 or events[0]["id"] != event_id:
        yield f"tables.events: expected the one row of event {event_id!r}"
        return
    for name in EXPORTED:
        if "event_id" not in columns(name):
            continue
        for i, row in enumerate(rows[name]):
            if row["event_id"] != event_id:
                yield f"tables.{name}[{i}].event_id: {row['event_id']!r} is not the backup's event {event_id!r}"
    for i, key in enumerate(rows["api_keys"]):
        if key["role"] not in ("host", "liaison"):
            yield f"tables.api_keys[{i}].role: an event's key is 'host' or 'liaison', not {key['role']!r}"
    key_ids = {k["id"] for k in rows["api_keys"]}
    for i, reply in enumerate(rows["idempotency"]):
        if reply["key_id"] not in key_ids:
            yield f"tables.idempotency[{i}].key_id: {reply['key_id']!r} is not a key of the event"
    yield from _versions_problems(events[0], rows)
    yield from _setting_problems(events[0], rows["requests"])


def _versions_problems(event: dict, rows: dict[str, list[dict]]) -> Iterator[str]:
    numbers = {v["number"] for v in rows["versions"]}
    solves = {s["id"] for s in rows["solves"]}
    if event["published_version"] != 0 and event["published_version"] not in numbers:
        yield f"tables.events[0].published_version: version {event['published_version']} is not in the backup"
    for i, version in enumerate(rows["versions"]):
        if version["solve_id"] not in solves:
            yield f"tables.versions[{i}].solve_id: solve {version['solve_id']!r} is not in the backup"
    for i, file in enumerate(rows["version_files"]):
        if file["number"] not in numbers:
            yield f"tables.version_files[{i}].number: version {file['number']} is not in the backup"


def _setting_problems(event: dict, requests: list[dict]) -> Iterator[str]:
    """The setting with its live requests must be a valid contract input, as every write of the service
    keeps it (a hand-edited file that is not would fail later, in a solve or a publication)."""
    from api.bad_input import check_contract

    setting = event["setting"]
    if not isinstance(setting, dict) or not isinstance(setting.get("event"), dict):
        yield "tables.events[0].setting: expected the event's setting (event, programme, rooms, delegations)"
        return
    live = [RequestRow(id=r["id"], parties=r["parties"], priority=r["priority"], fields=r["fields"])
            for r in requests if r["status"] in ("proposed", "accepted")]
    try:
        check_contract({**setting, "requests": [repo.contract_request(r) for r in live]})
    except Unprocessable as exc:
        for item in exc.detail:
            yield f"tables.events[0].setting with the requests: {item.get('line') or item['msg']}"
    except (TypeError, AttributeError, KeyError):
        yield "tables.requests: a request's parties or fields are not as the service writes them"
