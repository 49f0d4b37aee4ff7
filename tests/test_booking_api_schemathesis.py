"""Property-based test of the booking API against its own OpenAPI schema, logged in as a
school coordinator (session cookie and CSRF token on every request): schemathesis
generates requests for every operation from the schema (valid and invalid values alike,
booking requests included) and sends them to the WSGI application in this thread. No
response may be a server error, and every documented response must match its schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from config.wsgi import application
from tests.test_booking import World
from tests.test_booking_api import agreed_booking

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def coordinator_session(db):
    """A coordinator's session with an agreed booking and its sessions: the session
    cookie, and a CSRF token in both its cookie and the header. The cookies replace the
    ones schemathesis would make up from the schema's security scheme."""
    world = World()
    agreed_booking(world)
    client = Client()
    client.force_login(world.coordinator)
    token = _get_new_csrf_string()
    return {"cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": token},
            "headers": {"X-CSRFToken": token}}


@pytest.fixture
def api_schema(db, coordinator_session):
    """The schema served by the application. The real WSGI handler closes the database
    connection around each request, which would end the test's transaction; Django's
    test client switches that off in the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/booking/schema/?format=json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=30, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_booking_api_fail_or_break_its_schema(case, coordinator_session):
    case.call_and_validate(checks=CHECKS, **coordinator_session)
