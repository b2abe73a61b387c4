"""No secret in any log line: API keys, desk session tokens and feed tokens are masked in every record, the
access log's request line, error messages and tracebacks alike.

What is masked, whatever the request looked like (dot segments, extra or doubled slashes, percent-encoding,
any case):
- everything after `/feeds` in a path (a feed's URL is its secret);
- the value of every query parameter (any of them could carry a key or a token);
- a key or session token by its prefix (`bk_`, `bs_`; `api.identity`), and any run of 43 or more URL-safe
  base64 characters (a feed token is 43; a key's or session's secret part too), wherever it appears;
- a percent-encoded word that decodes (once, twice or three times) to any of the above.

Light on purpose (no FastAPI, no uvicorn): the logging configuration of every web process imports it.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote

from api.identity import KEY_PREFIX, SESSION_PREFIX

MASK = "…"
_PREFIXES = "|".join(re.escape(p) for p in (KEY_PREFIX, SESSION_PREFIX))
_SECRET = re.compile(rf"(?<![A-Za-z0-9])(?:{_PREFIXES})[A-Za-z0-9_\-]*|[A-Za-z0-9_\-]{{43,}}")
_FEED_PATH = re.compile(r"(/feeds)(/?)[^\s\"'<>]+", re.IGNORECASE)
_QUERY = re.compile(r"\?[^\s\"'<>#]*")
_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
_WORD = re.compile(r"[^\s\"'<>]*%[0-9A-Fa-f]{2}[^\s\"'<>]*")


def _query(match: re.Match) -> str:
    """`?a=1&b=2` -> `?a=…&b=…`; a name that is not a plain short one is masked too."""
    out = []
    for part in re.split(r"([&;])", match.group(0)[1:]):
        if part in ("&", ";", ""):
            out.append(part)
            continue
        name, has_value, _ = part.partition("=")
        kept = name if _NAME.fullmatch(name) else MASK
        out.append(f"{kept}={MASK}" if has_value else kept)
    return "?" + "".join(out)


def _plain(text: str) -> str:
    text = _FEED_PATH.sub(lambda m: m.group(1) + m.group(2) + MASK, text)
    text = _QUERY.sub(_query, text)
    return _SECRET.sub(MASK, text)


def _encoded(match: re.Match) -> str:
    """A percent-encoded word: masked as its decoded self when decoding shows anything to mask."""
    word = match.group(0)
    decoded = word
    for _ in range(3):
        decoded = unquote(decoded)
        if _plain(decoded) != decoded:
            return _plain(decoded)
        if "%" not in decoded:
            break
    return word


def mask(text: str) -> str:
    """The text with every secret-looking thing masked."""
    return _plain(_WORD.sub(_encoded, text))


class SecretFilter(logging.Filter):
    """Masks a record's message, its arguments, its traceback and its stack before any handler formats it.
    uvicorn's access records keep their five arguments (its formatter unpacks them), each masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) == 5:
            record.args = tuple(mask(a) if isinstance(a, str) else a for a in record.args)
        else:
            try:
                message = record.getMessage()
            except Exception:  # a malformed record: its parts, as text
                message = f"{record.msg} {record.args}"
            record.msg, record.args = mask(message), None
            record.__dict__.pop("color_message", None)  # uvicorn's coloured copy of the unmasked message
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True
