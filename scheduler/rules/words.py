"""The words of the rules between meetings, as a protocol officer reads them.

Three places speak of these rules: the reason a request was left out of a schedule (an `Obstacle`: which
rule closed the times it could have had), the confirmed explanation of it (`InTheWay`: the meetings a solve
found in the way under the rule), and the exit-3 message when mandatory and pinned requests cannot all be
held (a `Clash`: which rule keeps them apart). A left-out request's reason is said twice: to the protocol
office (`*_obstacle`, `*_in_the_way`, naming the meetings in the way and their priorities) and to the
request's parties (`*_party_obstacle`, `*_party_in_the_way`, shown in their agendas): those words name no
delegation but the request's own parties, no meeting but the request itself and no priority, since each
delegation's agenda is handed to it as it is. Mandatory and pinned requests are described
there by the words of rules 1 and 12 (`*_demand`). The rule registry (`scheduler.registry`) binds each of
these functions to its rule; the rules about one meeting alone have their words beside their placement
step (`scheduler.rules.placement`).
"""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.contract.domain import Conference, Meeting, Request


@dataclass(frozen=True)
class Obstacle:
    """What closed the times a left-out request could have had, as `scheduler.explain.reasons` found it."""

    conference: Conference
    subject: str  # the party whose time or limit it is; "rooms"; "teams"
    blockers: frozenset[str]  # the ids of the meetings in the way ("@room" for a room)
    days: str  # "31 Oct and 1 Nov"
    priority: int  # of the request left out


@dataclass(frozen=True)
class InTheWay:
    """Meetings that a confirmed explanation (`scheduler.explain.why`) found in the way of a left-out
    request under one rule."""

    conference: Conference
    subject: str  # the parties whose time or daily limit it is ("A and B"); "rooms"; "teams"
    meetings: tuple[Meeting, ...]
    listed: str  # the meetings, as the office reads them: "AB (priority 3) at 31 Oct 09:00–10:00 and …"


@dataclass(frozen=True)
class Held:
    """A must-happen request that can be held at one start only (a pin), and the rooms it could use then."""

    request: Request
    start: int
    rooms: tuple[str, ...]

    @property
    def end(self) -> int:
        return self.start + self.request.duration


@dataclass(frozen=True)
class Clash:
    """Mandatory and pinned requests that cannot all be held, and what they share."""

    conference: Conference
    parties: tuple[str, ...]  # delegations party to two or more of them
    rooms: tuple[str, ...]  # rooms two or more of them could use
    held: tuple[Held, ...] = ()  # those of them that have one start only
    requests: tuple[Request, ...] = ()  # all of them

    def pairs(self, gap: int) -> list[tuple[Held, Held]]:
        """The pairs of one-start requests closer than `gap` minutes (overlapping when gap is 0)."""
        return [
            (a, b)
            for i, a in enumerate(self.held)
            for b in self.held[i + 1 :]
            if a.start < b.end + gap and b.start < a.end + gap
        ]

    def span(self, a: Held, b: Held) -> str:
        """When two one-start requests overlap ("at 31 Oct 18:00–18:30"), or how close they come."""
        clock = self.conference.clock
        first, second = sorted((a, b), key=lambda h: h.start)
        start, end = second.start, min(first.end, second.end)
        if start < end:
            return f"at {clock.to_datetime(start):%d %b %H:%M}–{clock.to_datetime(end):%H:%M}"
        return (
            f"{start - first.end} min apart on {clock.to_datetime(start):%d %b} "
            f"({first.request.id} ends {clock.to_datetime(first.end):%H:%M}, "
            f"{second.request.id} starts {clock.to_datetime(start):%H:%M})"
        )


# --- rule 1 and rule 12: what must happen ------------------------------------------------------------


def once_demand(conference: Conference, request: Request) -> str | None:
    return "mandatory" if request.mandatory else None


def pinned_demand(conference: Conference, request: Request) -> str | None:
    if not request.pinned:
        return None
    room = f" in {request.fixed_room}" if request.fixed_room else ""
    return f"pinned at {conference.clock.to_datetime(request.fixed_start):%d %b %H:%M}{room}"


# --- rule 4 ---------------------------------------------------------------------------------------------


def one_place_at_a_time_obstacle(o: Obstacle) -> str:
    return f"{o.subject}'s time on {o.days} is filled by {meetings_words(o)}"


def one_place_at_a_time_party_obstacle(o: Obstacle) -> str:
    return f"no common free time could be found on {o.days}: {o.subject}'s time is already taken"


def one_place_at_a_time_in_the_way(w: InTheWay) -> str:
    return f"{w.subject}'s time is taken by {w.listed}"


def one_place_at_a_time_party_in_the_way(w: InTheWay) -> str:
    return f"{w.subject}'s time is already taken"


def one_place_at_a_time_clash(c: Clash) -> str:
    changeover = c.conference.event.changeover_minutes
    found = [
        f"{a.request.id} and {b.request.id} both need {join(shared)} {c.span(a, b)}"
        for a, b in c.pairs(changeover)
        if (shared := sorted(set(a.request.parties) & set(b.request.parties)))
    ]
    if found:
        return "; ".join(found) + f" (with a {changeover}-min changeover)"
    who = ", ".join(c.parties) or "a delegation"
    return f"{who} cannot be in two places at once (with a {changeover}-min changeover)"


# --- rule 5 ---------------------------------------------------------------------------------------------


def room_use_obstacle(o: Obstacle) -> str:
    rooms = sorted(w[1:] for w in o.blockers if w.startswith("@"))
    names = join([o.conference.room(r).name for r in rooms])
    return f"the rooms that can host it ({names}) are taken on {o.days} whenever its parties are free"


def room_use_party_obstacle(o: Obstacle) -> str:
    return f"no suitable room was free on {o.days} when the parties were"


def room_use_in_the_way(w: InTheWay) -> str:
    rooms = join(sorted({w.conference.room(m.room).name for m in w.meetings}))
    return f"the rooms that could host it then ({rooms}) are taken by {w.listed}"


def room_use_party_in_the_way(w: InTheWay) -> str:
    return "no suitable room is free when the parties are"


def room_use_clash(c: Clash) -> str:
    turnover = c.conference.event.room_turnover_minutes
    found = [
        f"{a.request.id} and {b.request.id} can only be held in {c.conference.room(a.rooms[0]).name} "
        f"and both need it {c.span(a, b)}"
        for a, b in c.pairs(turnover)
        if len(a.rooms) == 1 and a.rooms == b.rooms
    ]
    if found:
        return "; ".join(found) + f" (with a {turnover}-min turnover)"
    return (
        f"they need the same room ({', '.join(c.rooms) or '?'}) at overlapping times "
        f"(with a {c.conference.event.room_turnover_minutes}-min turnover)"
    )


# --- rule 10 --------------------------------------------------------------------------------------------


def daily_load_obstacle(o: Obstacle) -> str:
    limit = o.conference.delegation(o.subject).max_meetings_per_day
    return f"{o.subject} already has max_meetings_per_day={limit} on {o.days}"


def daily_load_party_obstacle(o: Obstacle) -> str:
    limit = o.conference.delegation(o.subject).max_meetings_per_day
    return f"{o.subject} has reached its limit of {limit} meeting{'s' if limit != 1 else ''} a day on {o.days}"


def daily_load_in_the_way(w: InTheWay) -> str:
    return f"{w.subject} already has max_meetings_per_day={_daily_limit(w)} with {w.listed}"


def daily_load_party_in_the_way(w: InTheWay) -> str:
    return f"{w.subject} has reached its limit of {_daily_limit(w)} meetings a day"


def _daily_limit(w: InTheWay) -> int | None:
    """The daily limit of the (first) party named."""
    return w.conference.delegation(w.subject.split(" and ")[0]).max_meetings_per_day


def daily_load_clash(c: Clash) -> str:
    limited = [
        f"{p} may have at most {limit} a day and is party to {count} of them"
        for p in c.parties
        if (limit := c.conference.delegation(p).max_meetings_per_day) is not None
        and (count := sum(p in r.parties for r in c.requests)) > limit
    ]
    return "; ".join(limited) or "a delegation would exceed its max_meetings_per_day"


# --- rule 11 --------------------------------------------------------------------------------------------


def interpreters_obstacle(o: Obstacle) -> str:
    teams = o.conference.event.interpreter_teams
    return f"all {teams} interpreter teams are busy on {o.days} whenever its parties are free"


def interpreters_party_obstacle(o: Obstacle) -> str:
    return f"the interpreters were all busy on {o.days} whenever the parties were free"


def interpreters_in_the_way(w: InTheWay) -> str:
    return f"all {w.conference.event.interpreter_teams} interpreter teams are busy with {w.listed}"


def interpreters_party_in_the_way(w: InTheWay) -> str:
    return "the interpreters are all busy when the parties are free"


def interpreters_clash(c: Clash) -> str:
    teams = c.conference.event.interpreter_teams
    return f"more meetings needing interpretation than the {teams} interpreter teams would run at once"


# --- shared wording ---------------------------------------------------------------------------------------


def meetings_words(o: Obstacle) -> str:
    """The meetings in the way, most important first: "higher-priority meetings: BLR-RUS (priority 10), …"."""
    requests = sorted(
        (o.conference.request(i) for i in o.blockers if not i.startswith("@")), key=lambda r: (-r.priority, r.id)
    )
    higher = all(r.priority >= o.priority for r in requests)
    listed = ", ".join(f"{r.id} (priority {r.priority})" for r in requests[:4])
    more = f" and {len(requests) - 4} more" if len(requests) > 4 else ""
    kind = (
        "higher-priority meetings"
        if higher and all(r.priority > o.priority for r in requests)
        else ("meetings of equal or higher priority" if higher else "other meetings")
    )
    return f"{kind}: {listed}{more}"


def join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
