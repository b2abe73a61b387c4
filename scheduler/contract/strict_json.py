"""JSON read as RFC 8259 writes it, for the input file and every body the service takes.

Python's `json` accepts more: `NaN`, `Infinity` and `-Infinity`, numbers too large for a float (`1e400` becomes
inf) or for an int (over 4300 digits: a `ValueError`), nesting deep enough to exhaust the stack, and unpaired
surrogates (`"\\ud800"`, in values and in keys) that no UTF-8 writer can encode afterwards. Each is refused
here with the JSON path of the value it is in, so that the caller can name the field.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

Path = tuple[str | int, ...]

_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_PROBLEMS = 20  # enough to name what is wrong; a body of a million NaNs gets no million-line answer


@dataclass(frozen=True)
class NotStrict:
    """One thing Python's json accepts and JSON does not: where it is, and what."""

    path: Path
    message: str


class NotStrictJson(ValueError):
    """The text parses, but holds values that JSON does not allow (or is not text at all)."""

    def __init__(self, problems: list[NotStrict]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class _Refused:
    """A number as written, kept in place of the value Python's json would make of it (found by `_check`)."""

    text: str


def printable(text: str) -> str:
    """`text` with any unpaired surrogate written as its escape, so that it can always be encoded."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8") if _SURROGATE.search(text) else text


def _float(text: str) -> float | _Refused:
    value = float(text)
    return value if math.isfinite(value) else _Refused(text)


def _int(text: str) -> int | _Refused:
    try:
        return int(text)
    except ValueError:  # over the interpreter's limit on digits
        return _Refused(text)


def strict_loads(text: str | bytes) -> Any:
    """Parse JSON text strictly. Raises `json.JSONDecodeError` for text that is not JSON, `NotStrictJson`
    for JSON holding what RFC 8259 does not allow."""
    if isinstance(text, bytes | bytearray):
        try:  # the encodings json itself detects, but without its "surrogatepass"
            text = bytes(text).decode(json.detect_encoding(text))
        except UnicodeDecodeError as exc:
            raise NotStrictJson([NotStrict((), f"not UTF-8 text (byte {exc.start})")]) from None
    try:
        value = json.loads(text, parse_constant=_Refused, parse_float=_float, parse_int=_int)
    except RecursionError:
        raise NotStrictJson([NotStrict((), "nested too deeply")]) from None
    problems = _check(value)
    if problems:
        raise NotStrictJson(problems)
    return value


def _number_message(text: str) -> str:
    shown = text if len(text) <= 24 else text[:21] + "..."
    if text.lstrip("-") in ("NaN", "Infinity"):
        return f"{shown} is not a JSON number (numbers must be finite)"
    return f"{shown} is out of range"


def _check(root: Any) -> list[NotStrict]:
    """Every refused number and unpaired surrogate, in document order (iteratively: any depth json allows)."""
    problems: list[NotStrict] = []
    stack: list[tuple[Path, Any]] = [((), root)]
    while stack and len(problems) < MAX_PROBLEMS:
        path, value = stack.pop()
        if isinstance(value, _Refused):
            problems.append(NotStrict(path, _number_message(value.text)))
        elif isinstance(value, str):
            if _SURROGATE.search(value):
                problems.append(NotStrict(path, "holds an unpaired surrogate (text must be valid Unicode)"))
        elif isinstance(value, dict):
            children = []
            for key, item in value.items():
                if _SURROGATE.search(key):
                    problems.append(NotStrict((*path, printable(key)), "the key holds an unpaired surrogate "
                                                                       "(text must be valid Unicode)"))
                    continue
                children.append(((*path, key), item))
            stack.extend(reversed(children))
        elif isinstance(value, list):
            stack.extend(reversed([((*path, i), item) for i, item in enumerate(value)]))
    return problems[:MAX_PROBLEMS]
