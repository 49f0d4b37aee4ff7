"""Property-based test of the public API against its own OpenAPI schema: schemathesis
generates requests for every operation from the schema (valid and invalid parameter
values alike) and sends them to the WSGI application in this thread. No response may be
a server error, and every documented response must match its schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from config.wsgi import application
from tests.test_api import public_data

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def api_schema(db):
    """The schema served by the application, with listed data in the test database.

    The real WSGI handler closes the database connection around each request, which
    would end the test's transaction; Django's test client switches that off in the
    same way."""
    public_data()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=25, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_api_fail_or_break_its_schema(case):
    case.call_and_validate(checks=CHECKS)
