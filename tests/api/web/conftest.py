"""The browser of the desk's and the documentation's browser tests (one per module)."""

from __future__ import annotations

import pytest

from tests.support.browser import chromium


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched
