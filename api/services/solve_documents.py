"""The stored documents of a solve: its result, or one of its choices (a re-plan side by side), as a publication
or a preview would carry it."""

from __future__ import annotations

from api.bad_input import unprocessable
from api.errors import Conflict
from api.storage.models import SolveRow


def no_choices(row: SolveRow) -> str:
    """Why a solve has no choices to show or publish, in words."""
    if not row.with_choices:
        return f"solve {row.id} was not asked to re-plan side by side (choices): it has one result"
    return f"solve {row.id} is {row.state}" + (f" ({row.status})" if row.status else "") + ": no choices"


def chosen_document(solve: SolveRow, choice: str | None) -> dict:
    """The stored document that publishing the solve (or its choice named `choice`) would carry: 409 when the
    solve has no schedule."""
    if solve.state != "done" or not solve.result:
        state = solve.state + (f" ({solve.status})" if solve.status else "")
        raise Conflict(f"solve {solve.id} is {state}: nothing to publish", ["path", "solve_id"])
    return solve.result if choice is None else _chosen(solve, choice)


def _chosen(solve: SolveRow, choice: str) -> dict:
    """The stored document of the solve's choice named `choice` (any of its names): 409 when the solve has no
    choices, 422 naming the query's `choice` (and the names there are) when it has none of that name."""
    if not solve.choices:
        raise Conflict(no_choices(solve), ["query", "choice"])
    for stored in solve.choices:
        if choice in stored["summary"]["names"]:
            return stored["document"]
    names = ", ".join(name for stored in solve.choices for name in stored["summary"]["names"])
    raise unprocessable((["query", "choice"], f"solve {solve.id} has no choice {choice!r}; its choices: {names}"))

