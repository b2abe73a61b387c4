"""Bad input as the service answers it: `api.errors.Unprocessable` (422), each problem naming its field.

A contract input with problems gets the same problems as the CLI (`scheduler.contract.parse`): the CLI's line
is `loc` (as a JSON path) and `msg`; the item holds nothing else (the documented `{loc, msg, type}`).
"""

from __future__ import annotations

import json
import re

from api.errors import Unprocessable
from scheduler.contract.domain import Conference
from scheduler.contract.parse import BadInput, load_conference
from scheduler.contract.strict_json import NotStrictJson, printable, strict_loads


def strict_body_problems(scope: dict, body: bytes) -> list[dict]:
    """The 422 items of a JSON body holding what JSON does not allow (NaN, 1e400, an unpaired surrogate),
    each naming its field; none when it is strict JSON, not JSON at all (the route says so itself), or not
    sent as JSON (application/json or application/*+json, as FastAPI reads it)."""
    kind = dict(scope.get("headers") or []).get(b"content-type", b"").split(b";")[0].strip().lower()
    if not (kind == b"application/json" or (kind.startswith(b"application/") and kind.endswith(b"+json"))):
        return []
    if not body.strip():
        return []
    try:
        strict_loads(body)
    except NotStrictJson as exc:
        return [{"loc": ["body", *p.path], "msg": p.message, "type": "value_error"} for p in exc.problems]
    except ValueError:  # not JSON: FastAPI answers it (422 json_invalid)
        return []
    return []


def documented(items: list[dict]) -> list[dict]:
    """Error items as the API documents them, `{loc, msg, type}` and nothing else: no echo of the input
    (pydantic's `input` and `ctx`), every text encodable whatever it quotes."""
    return [{"loc": [p if isinstance(p, int) else printable(str(p)) for p in item.get("loc") or []],
             "msg": printable(str(item.get("msg", ""))),
             "type": printable(str(item.get("type", "value_error")))} for item in items]


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
            items.append({"loc": loc, "msg": problem.message, "type": "contract"})
        raise Unprocessable(items) from None
