"""Importing the B2B forum instances of the matchmaking literature (MiniZinc `.dzn` data) as contract input.

Mapping (Bofill et al., JAIR 2022): one day of `nTotalSlots` slots of 20 minutes, one slot per meeting;
tables become rooms of capacity 2; participants are delegations of size 1 sharing one language; every
requested meeting is mandatory, with the morning or the afternoon as its window when the data says so;
forbidden slots are cut out of the participant's availability; no changeover and no turnover. The
contract's breaks are then the paper's breaks.
"""

from __future__ import annotations

import re

SLOT = 20
DAY = "2024-01-15"
START = 9 * 60


class B2BFormatError(ValueError):
    """The file is not a B2B instance this importer can map faithfully."""


def _statements(text: str) -> dict[str, str]:
    text = re.sub(r"%[^\n]*", "", text)  # MiniZinc comments
    return {m.group(1): m.group(2).strip() for m in re.finditer(r"(\w+)\s*=\s*(.*?);", text, re.S)}


def _int(values: dict[str, str], key: str) -> int:
    try:
        return int(values[key])
    except (KeyError, ValueError):
        raise B2BFormatError(f"{key}: missing or not an integer") from None


def _rows(text: str) -> list[list[int]]:
    """A MiniZinc 2-d array literal `[| a, b, c, | ... |]` as rows of ints."""
    body = text.strip().strip("[]")
    return [[int(x) for x in row.split(",") if x.strip()] for row in body.split("|") if row.strip(" ,\n")]


def _sets(text: str) -> list[set[int]]:
    """A MiniZinc array of sets `[{0}, {0,17}, {}]`."""
    return [{int(x) for x in body.split(",") if x.strip()} for body in re.findall(r"\{([^}]*)\}", text)]


def _clock(minute: int) -> str:
    return f"{DAY}T{minute // 60:02d}:{minute % 60:02d}"


def _slots_to_windows(slots: list[int]) -> list[dict]:
    """Consecutive allowed slots (1-based) as windows."""
    windows: list[list[int]] = []
    for s in sorted(slots):
        if windows and windows[-1][1] == s - 1:
            windows[-1][1] = s
        else:
            windows.append([s, s])
    return [{"start": _clock(START + (a - 1) * SLOT), "end": _clock(START + b * SLOT)} for a, b in windows]


def import_b2b(text: str, name: str = "B2B forum") -> dict:
    """A `.dzn` B2B instance as a contract input dict; refuses files with pins or precedences."""
    values = _statements(text)
    participants = _int(values, "nBusiness")
    tables = _int(values, "nTables")
    slots = _int(values, "nTotalSlots")
    morning = _int(values, "nMorningSlots")
    requested = _rows(values.get("requested", ""))
    if len(requested) != _int(values, "nMeetings"):
        raise B2BFormatError(f"requested: {len(requested)} rows, nMeetings says {values['nMeetings']}")
    if any(int(x) for x in re.findall(r"-?\d+", values.get("fixed", ""))):
        raise B2BFormatError("fixed: pinned meetings are not supported by this importer")
    if any(_sets(values.get("precedences", ""))):
        raise B2BFormatError("precedences: precedences are not supported by this importer")
    forbidden = _sets(values.get("forbidden", "")) or [set() for _ in range(participants)]
    if len(forbidden) != participants:
        raise B2BFormatError(f"forbidden: {len(forbidden)} sets for {participants} participants")

    end = START + slots * SLOT
    sessions = {
        1: [{"start": _clock(START), "end": _clock(START + morning * SLOT)}],
        2: [{"start": _clock(START + morning * SLOT), "end": _clock(end)}],
    }
    delegations = []
    for p in range(1, participants + 1):
        delegation = {
            "id": f"P{p}",
            "name": f"Participant {p}",
            "head": f"Participant {p}",
            "size": 1,
            "languages": ["en"],
        }
        cut = forbidden[p - 1] - {0}
        if cut:
            delegation["available"] = _slots_to_windows([s for s in range(1, slots + 1) if s not in cut])
        delegations.append(delegation)
    requests = []
    for i, row in enumerate(requested, start=1):
        if len(row) != 3 or row[2] not in (1, 2, 3):
            raise B2BFormatError(f"requested[{i}]: expected 'participant, participant, session 1-3', got {row}")
        a, b, session = row
        request = {"id": f"M{i}", "parties": [f"P{a}", f"P{b}"], "duration_minutes": SLOT, "mandatory": True}
        if session in sessions:
            request["window"] = sessions[session]
        requests.append(request)
    return {
        "event": {
            "id": re.sub(r"[^A-Za-z0-9_.-]", "-", name)[:64] or "b2b",
            "name": name,
            "timezone": "UTC",
            "slot_minutes": SLOT,
            "days": [{"date": DAY, "start": _clock(START)[11:], "end": _clock(end)[11:]}],
            "changeover_minutes": 0,
            "room_turnover_minutes": 0,
        },
        "programme": [],
        "rooms": [
            {"id": f"T{t}", "name": f"Table {t}", "capacity": 2, "features": [], "level": 0}
            for t in range(1, tables + 1)
        ],
        "delegations": delegations,
        "requests": requests,
    }
