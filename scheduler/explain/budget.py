"""The time kept for explanations, and the solve's stop signal: either one ends them.

A reason is confirmed only by a solve that ended with a verdict; a stop (the office cancelled the solve)
counts as time spent, so a reason it cut short is left unconfirmed, never claimed.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    deadline: float  # time.monotonic()
    stop: threading.Event | None = None

    @classmethod
    def of(cls, seconds: float, stop: threading.Event | None = None) -> Budget:
        return cls(time.monotonic() + seconds, stop)

    @property
    def stopped(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    def left(self) -> float:
        """The seconds left; TimeoutError once they are spent or the solve is stopped."""
        left = self.deadline - time.monotonic()
        if self.stopped:
            raise TimeoutError("the solve was stopped")
        if left <= 0:
            raise TimeoutError("the time for explanations is spent")
        return left
