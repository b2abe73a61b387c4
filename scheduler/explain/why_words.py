"""The confirmed causes of a left-out request in words: the office's (naming the meetings in the way) and
those its parties may read (naming no other delegation, meeting or priority)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from scheduler.contract import rule_names as names
from scheduler.contract.domain import Conference, Meeting, Request, Window
from scheduler.explain.causes import Cause
from scheduler.registry import BY_NAME, CLASH_FAMILIES
from scheduler.rules.words import InTheWay, join


def when(conference: Conference, minute: int) -> str:
    moment = conference.clock.to_datetime(minute)
    return f"{moment.day} {moment:%b %H:%M}"


def span(conference: Conference, start: int, end: int) -> str:
    a, b = conference.clock.to_datetime(start), conference.clock.to_datetime(end)
    return (
        f"{when(conference, start)}–{b:%H:%M}"
        if a.date() == b.date()
        else f"{when(conference, start)}–{when(conference, end)}"
    )


def _windows(conference: Conference, windows: Iterable[Window]) -> str:
    return join([span(conference, w.start, w.end) for w in windows])


class Words:
    """The confirmed causes as the office reads them, and as the request's parties may."""

    def __init__(self, conference: Conference, request: Request, meetings: list[Meeting], core: list[Cause]):
        self.conference, self.request, self.core = conference, request, core
        self.meetings = {m.request: m for m in meetings}
        self.rules = {c.rule for c in core if not c.subject and c.meeting is None}

    def _static(self, party_safe: bool) -> list[str]:
        conf, out = self.conference, []
        closed: list[str] = []  # rooms shut by their hours or the programme (room suitability is background)
        for c in self.core:
            if c.meeting is not None or c.rule in CLASH_FAMILIES and not c.subject:
                continue
            if c.rule == names.PRESENCE and c.subject:
                windows = conf.delegation(c.subject).available or ()
                out.append(f"{c.subject} is available only {_windows(conf, windows)}")
            elif c.rule == names.PRESENCE:
                out.append(f"its requested window is {_windows(conf, self.request.window or ())}")
            elif c.subject.startswith("programme:"):
                item = next(p for p in conf.programme if p.id == c.subject.removeprefix("programme:"))
                who = sorted(item.attendees & set(self.request.parties))
                verb = "attends" if len(who) == 1 else "attend"
                out.append(f"{join(who)} {verb} {item.title} ({span(conf, item.start, item.end)})")
            elif c.rule == "history":
                out.append("what was held before the re-plan's freeze is kept, and nothing new goes before it")
            elif c.subject:
                closed.append(conf.room(c.subject).name)
            else:
                out.append(_rule_alone(conf, self.request, c.rule))
        if closed:
            rooms = "the other rooms" if party_safe and len(closed) > 3 else join(sorted(closed))
            out.append(f"{rooms} are closed or held by the programme then")
        return out

    def _in_the_way(self) -> dict[tuple[str, str], list[str]]:
        """The meetings in the way, by the rule and subject they are in the way under: a shared party's time
        (one_place_at_a_time, "BLR"), the rooms (room_use), a daily limit (daily_load, "BLR"), the
        interpreters (interpreters, "teams")."""
        out: dict[tuple[str, str], list[str]] = defaultdict(list)
        for rid in (c.meeting for c in self.core if c.meeting is not None):
            m = self.meetings[rid]
            shared = sorted(set(m.parties) & set(self.request.parties))
            if shared and names.ONE_PLACE_AT_A_TIME in self.rules:
                out[names.ONE_PLACE_AT_A_TIME, join(shared)].append(rid)
            elif names.ROOM_USE in self.rules:
                out[names.ROOM_USE, "rooms"].append(rid)
            elif names.DAILY_LOAD in self.rules and shared:
                limited = [p for p in shared if self.conference.delegation(p).max_meetings_per_day is not None]
                out[names.DAILY_LOAD, join(limited or shared)].append(rid)
            else:
                out[names.INTERPRETERS, "teams"].append(rid)
        return out

    def _said(self, subject: str, ids: list[str]) -> InTheWay:
        meetings = tuple(self.meetings[i] for i in ids)
        return InTheWay(self.conference, subject, meetings, self._listed(ids))

    def _listed(self, ids: list[str]) -> str:
        requests = sorted((self.conference.request(i) for i in ids), key=lambda r: (-r.priority, r.id))
        first, *rest = requests
        words = [f"{first.id} (priority {first.priority}) at {self._at(first.id)}"]
        words += [f"{r.id} ({r.priority}) at {self._at(r.id)}" for r in rest[:5]]
        more = f" and {len(rest) - 5} more" if len(rest) > 5 else ""
        return join(words) + more if not more else ", ".join(words) + more

    def _at(self, rid: str) -> str:
        m = self.meetings[rid]
        return span(self.conference, m.start, m.end)

    def _no_meetings_a_day(self) -> list[str]:
        """A daily limit of 0 keeps a delegation out of every meeting, with no meeting in the way."""
        if names.DAILY_LOAD not in self.rules or any(rule == names.DAILY_LOAD for rule, _ in self._in_the_way()):
            return []
        parties = [p for p in self.request.parties if self.conference.delegation(p).max_meetings_per_day == 0]
        return [f"{p} has max_meetings_per_day=0" for p in parties]

    def office(self) -> str:
        parts = self._static(False) + self._no_meetings_a_day()
        for (rule, subject), ids in self._in_the_way().items():
            parts.append(BY_NAME[rule].in_the_way(self._said(subject, ids)))
        return "; ".join(parts) if parts else "no time and room is left for it"

    def party(self) -> str:
        parts = self._static(True) + [
            w.replace("max_meetings_per_day=0", "no meetings a day") for w in self._no_meetings_a_day()
        ]
        for (rule, subject), ids in self._in_the_way().items():
            parts.append(BY_NAME[rule].party_in_the_way(self._said(subject, ids)))
        return "; ".join(dict.fromkeys(parts)) if parts else "no time and room could be found for it"


def _rule_alone(conference: Conference, request: Request, rule: str) -> str:
    if rule == names.PINNED and request.fixed_start is not None:
        return f"it is pinned at {when(conference, request.fixed_start)}"
    if rule == names.INTERPRETERS:
        return "it needs interpretation and there are no interpreter teams"
    return f"rule {rule}"

