"""Publications to read back: their HTML parsed, their leaks searched, two versions of one event."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from scheduler.contract.document import ScheduleDocument
from scheduler.contract.domain import Conference
from tests.support.instances import instance, request


class _Collector(HTMLParser):
    """Collects the text and checks that no script element slipped through."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def parsed(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector


def _token(word: str) -> re.Pattern:
    """`word` as a whole id: not part of a longer id (ids are made of [A-Za-z0-9_.-])."""
    return re.compile(rf"(?<![A-Za-z0-9_.-]){re.escape(word)}(?![A-Za-z0-9_.-])")


def leaks(conference: Conference, document: ScheduleDocument, reader: str, text: str) -> list[str]:
    """What `text`, handed to `reader`, reveals of other delegations: ids or names of delegations that are not
    parties of its own requests, ids of requests not its own, priorities."""
    own = {r.id for r in conference.requests if reader in r.parties}
    own |= {c.request for c in document.cancelled or () if reader in c.parties}
    parties = {p for r in conference.requests if r.id in own for p in r.parties} | {reader}
    found = [f"priority ({m.group(0)!r})" for m in re.finditer(r"priorit\w*", text, re.IGNORECASE)]
    for d in conference.delegations:
        if d.id not in parties:
            found += [f"delegation {d.id}" for _ in _token(d.id).findall(text)][:1]
            found += [f"the name of {d.id}: {d.name}"] if d.name in text else []
    found += [f"request {r.id}" for r in conference.requests if r.id not in own and _token(r.id).search(text)]
    return found


def at(hhmm: str) -> str:
    return f"2024-10-31T{hhmm}"


def window(start: str, end: str) -> list[dict]:
    return [{"start": at(start), "end": at(end)}]


def first_version() -> dict:
    """One room, one morning; each request has exactly one best place, so the solve is predictable:
    AB at 09:00, CD at 10:00, BD at 11:30 (its preferred half hour)."""
    return instance(
        requests=[
            request("AB", "AB", 60, 3, window=window("09:00", "10:00")),
            request("CD", "CD", 60, 3, window=window("10:00", "11:00")),
            request("BD", "BD", 30, 2, window=window("11:00", "12:00"), preferred=window("11:30", "12:00")),
        ]
    )


def second_version() -> dict:
    """D leaves at 11:30 (BD moves to 11:00) and CD is withdrawn."""
    data = first_version()
    data["requests"] = [r for r in data["requests"] if r["id"] != "CD"]
    d = next(d for d in data["delegations"] if d["id"] == "D")
    d["available"] = window("09:00", "11:30")
    return data


FIGURES = {"status": "feasible", "scheduled_priority": 0, "upper_bound": 0, "preferred_met": 0, "breaks": 0}
