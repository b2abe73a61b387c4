"""One shape for everything wrong with a file bilateral reads: a JSON path and what is wrong there.

The input file (`scheduler.contract.parse`), a previous publication (`scheduler.publish.revisions`) and a schedule
given to
the validator (`scheduler.check.validator`) all report their problems as `Problem`s, so the CLI prints them alike
and a service can return them as data. This module holds no other logic, so that the independent
validator can use it without importing anything of the solver.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, at a JSON path such as `requests[3].parties[1]` ("" for the whole file)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def json_path(loc: tuple | list) -> str:
    """('requests', 3, 'parties', 1) -> 'requests[3].parties[1]'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
