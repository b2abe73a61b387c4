"""Schemathesis against the app's own OpenAPI, once with a host key and once with a liaison key: no 5xx,
every status, content type and body as documented.

(`schemathesis.pytest.from_fixture` does not run under pytest 9, so each operation's cases are drawn with
its hypothesis strategy here.)
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.service import settings_for, start_service

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 40  # per operation and key


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    service = start_service(settings_for(tmp_path_factory.mktemp("openapi")))
    yield service
    service.client.close()


def _exercise(operation, headers: dict[str, str], ran: dict[str, int]) -> None:
    """Draw cases for one operation and check every response."""

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
              database=None)
    def check(case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)
        ran[operation.label] = ran.get(operation.label, 0) + 1

    check()


@pytest.mark.slow
@pytest.mark.parametrize("who", ["host", "A"], ids=["host-key", "liaison-key"])
def test_the_api_answers_as_its_openapi_says(running, who: str) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", running.client.app)
    headers = {"Authorization": f"Bearer {running.keys[who]}"}
    ran: dict[str, int] = {}
    for result in schema.get_all_operations():
        _exercise(result.ok(), headers, ran)
    operations = sum(len(methods) for methods in running.client.app.openapi()["paths"].values())
    assert len(ran) == operations
    print(f"\nschemathesis ({who}): {sum(ran.values())} cases over {len(ran)} operations")
