"""The price of changing a published meeting, which a balanced re-plan weighs against the priority it gains.

After publication every change costs the office calls between ministries, so a published meeting moves
(or is dropped) only where the priority gained pays for it. The price is stated per point of the moved
meeting's own priority:
- a new time (or day): `time`, by default 1.0: moving a priority-3 meeting must buy at least 3 points;
- the same time in another room: `room`, by default 0.25 (a note to the delegations, no new hour);
- dropping it: `cancel`, by default 1.0, on top of the priority it loses.
A meeting the new input no longer allows where it was has to move: moving or dropping it costs nothing
beyond the priority lost. New and previously left-out requests cost nothing to place: they go into freed
time first, moving no one.

The price is counted in hundredths of a priority point (`SCALE`) so that the model's objective stays whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from scheduler.contract.domain import Meeting

SCALE = 100  # hundredths of a priority point


@dataclass(frozen=True)
class MoveCost:
    """The rate a balanced re-plan charges per change of a published meeting, in hundredths of a point per
    point of the meeting's own priority. `level`: its name (low, normal, high) or `custom`."""

    level: str
    time: int
    room: int
    cancel: int

    def price(self, change: str, priority: int) -> int:
        """The price of one change (`time`, `room` or `cancel`) of a meeting of `priority`, in hundredths."""
        return {"time": self.time, "room": self.room, "cancel": self.cancel}.get(change, 0) * priority

    def as_record(self) -> dict:
        """As schedule.json records it: the level and each rate in priority points per point."""
        return {"level": self.level, "time": self.time / SCALE, "room": self.room / SCALE,
                "cancel": self.cancel / SCALE}


LEVELS: dict[str, MoveCost] = {
    "low": MoveCost("low", 50, 10, 50),
    "normal": MoveCost("normal", 100, 25, 100),
    "high": MoveCost("high", 200, 50, 200),
}
DEFAULT = LEVELS["normal"]
HIGHEST_RATE = 1000.0  # points per point: beyond this no priority could pay for a move anyway


def move_cost_of(text: str) -> MoveCost:
    """A level's name, or a number of points per point of priority that a new time costs (a room change
    costs a quarter of it, a cancellation as much); raises ValueError in words naming the value."""
    if text in LEVELS:
        return LEVELS[text]
    try:
        rate = float(text)
    except ValueError:
        raise ValueError(
            f"expected {', '.join(LEVELS)} or a number of priority points per point, got {text!r}") from None
    if not 0 <= rate <= HIGHEST_RATE:  # (NaN fails this too)
        raise ValueError(f"the rate must be a number from 0 to {HIGHEST_RATE:g}, got {text!r}")
    hundredths = round(rate * SCALE)
    return MoveCost("custom", hundredths, round(hundredths / 4), hundredths)


def change_of(old: Meeting, new: Meeting | None) -> str | None:
    """What became of a published meeting: None (kept), `room`, `time` or `cancel`."""
    if new is None:
        return "cancel"
    if new.start != old.start:
        return "time"
    return "room" if new.room != old.room else None


def price_of(
    cost: MoveCost, priced: Mapping[str, Meeting], priority: Mapping[str, int], meetings: Iterable[Meeting]
) -> int:
    """The price (hundredths) of a schedule's changes to the `priced` published meetings (those it need not
    move)."""
    now = {m.request: m for m in meetings}
    total = 0
    for rid, old in priced.items():
        change = change_of(old, now.get(rid))
        if change is not None:
            total += cost.price(change, priority[rid])
    return total
