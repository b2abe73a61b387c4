"""Bad input as the service answers it: `api.errors.Unprocessable` (422), each problem naming its field.

A contract input with problems gets the same path-and-message lines as the CLI (`scheduler.contract.parse`),
with the path split into `loc` and the CLI's line kept whole in `msg`'s neighbour `line`.
"""

from __future__ import annotations

import json
import re

from api.errors import Unprocessable
from scheduler.contract.domain import Conference
from scheduler.contract.parse import BadInput, load_conference

_STEP = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def loc_of(path: str, prefix: tuple = ("body",)) -> list:
    """"requests[3].parties[1]" -> ["body", "requests", 3, "parties", 1]."""
    loc: list = list(prefix)
    for name, index in _STEP.findall(path):
        loc.append(int(index) if index else name)
    return loc


def unprocessable(*items: tuple[list, str]) -> Unprocessable:
    """422 naming each field: items are (loc, message)."""
    return Unprocessable([{"loc": loc, "msg": message, "type": "value_error"} for loc, message in items])


def check_contract(data: dict, rename: dict[str, list] | None = None) -> Conference:
    """Raise 422 when `data` is not a valid contract input. `rename` maps a path prefix of the composed
    input to the loc the caller knows it by (e.g. "requests[7]" -> ["body"] for a request being posted)."""
    try:
        return load_conference(json.dumps(data))
    except BadInput as exc:
        items = []
        for problem in exc.problems:
            loc = loc_of(problem.path)
            for prefix, replacement in (rename or {}).items():
                if problem.path == prefix or problem.path.startswith(prefix + ".") or problem.path.startswith(
                    prefix + "["
                ):
                    loc = replacement + loc_of(problem.path[len(prefix):], prefix=())
                    break
            items.append({"loc": loc, "msg": problem.message, "type": "contract", "line": str(problem)})
        raise Unprocessable(items) from None
