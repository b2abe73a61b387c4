"""The log mask on its own: what it hides in one line of text, and what it leaves readable."""

from __future__ import annotations

import logging
import sys

import pytest

from api.log_masking import SecretFilter, mask

TOKEN = "lpAqEQOXJybBc5Bg8oHD0eHzjpdpyXigzi_rLhreZhY"  # a feed token's shape: 43 URL-safe base64 characters
KEY = "bk_8VEs7CTjYnGhl2862_cO0RC3ivxbvYIEXQptYPzQGrI"
SESSION = "bs_Yf0Zr7mQ2c"  # even a short one: the prefix is enough
ENCODED = "".join(f"%{b:02X}" for b in TOKEN.encode())


@pytest.mark.parametrize("line", [
    f'127.0.0.1:5 - "GET /feeds/./{TOKEN}.ics HTTP/1.1" 404', f"GET /feeds/x/{TOKEN}.ics", f"GET //feeds/{TOKEN}.ics",
    f"GET /FEEDS/{TOKEN[:20]}.ics", f"GET /events/conf/requests?token={TOKEN[:12]}", f"GET /x?{TOKEN[:12]}",
    f"GET /events/{KEY}/requests", f"GET /x{TOKEN}y", f"GET /x/{ENCODED}/y", f"GET /x/{ENCODED.replace('%', '%25')}",
    f"Bearer {SESSION}", f"{{'token': '{SESSION}'}}",
])
def test_secrets_are_masked(line: str) -> None:
    masked = mask(line)
    for secret in (TOKEN, TOKEN[:20], TOKEN[:12], KEY, SESSION, ENCODED):
        assert secret not in masked, masked


def test_what_holds_no_secret_stays_readable() -> None:
    for line in ('"GET /events/conf/feeds HTTP/1.1" 200', '"PATCH /events/conf/requests/A-B HTTP/1.1" 412',
                 "jobs_queue started", "GET /desk/proposals"):
        assert mask(line) == line
    assert mask("GET /events/conf/requests?status=accepted") == "GET /events/conf/requests?status=…"
    assert mask(f"GET /feeds/{TOKEN}.ics") == "GET /feeds/…"


def test_a_record_is_masked_in_its_message_arguments_and_traceback() -> None:
    try:
        raise ValueError(f"bad input {{'token': '{TOKEN}'}}")
    except ValueError:
        record = logging.LogRecord("bilateral.api", logging.ERROR, __file__, 1, "unexpected on %s", (f"/x/{KEY}",),
                                   sys.exc_info())
    assert SecretFilter().filter(record)
    text = logging.Formatter().format(record)
    assert "unexpected on /x/…" in text and "ValueError" in text
    assert TOKEN not in text and KEY not in text
    access = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:1", "GET", f"/feeds/./{TOKEN}.ics", "1.1", 404), None)
    SecretFilter().filter(access)
    assert access.args == ("127.0.0.1:1", "GET", "/feeds/…", "1.1", 404)  # uvicorn's formatter unpacks five
