"""The booking API of the portals: who may call which endpoint and see whose rows, a
request that the rules refuse (400 with the service's Chinese messages) or accept (201),
ids that do not exist or do not fit, the schedule's dates, a fixed number of queries per
list, and a valid OpenAPI document."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from drf_spectacular.validation import validate_schema

from marketplace.booking import schedule, services
from marketplace.booking.clashes import Slot
from marketplace.models import Booking, Venue
from tests.factories import SchoolFactory, UserFactory
from tests.test_booking import TUE, World
from workflows.admission import AdmissionState
from workflows.booking import BookingState

pytestmark = pytest.mark.django_db

SCHOOL_BOOKINGS = "/api/school/bookings/"
SCHOOL_SCHEDULE = "/api/school/schedule/"
VENDOR_BOOKINGS = "/api/vendor/bookings/"
SCHEMA = "/api/booking/schema/?format=json"


def agreed_booking(world, **overrides) -> Booking:
    """A booking both sides agreed on, with its sessions."""
    booking = world.book(**overrides)
    services.accept_booking(booking, by=world.vendor, people=world.people)
    Booking.objects.filter(pk=booking.pk).update(state=BookingState.AGREED)
    booking.refresh_from_db()
    schedule.generate(booking)
    return booking


def payload(world, **overrides) -> dict:
    """A request the rules accept: Thursday, a slot the world's booking does not hold."""
    data = {
        "school": world.school.pk, "offering": world.offering.pk, "term": world.term.pk,
        "grade_from": 3, "grade_to": 4, "student_count": 25, "delivery": "in_school",
        "venue": world.venue.pk, "price_per_session": "150.00",
        "first_date": world.term.starts_on.isoformat(),
        "last_date": world.term.ends_on.isoformat(),
        "slots": [{"weekday": 4, "starts_at": "16:00", "ends_at": "17:00"}],
        "note": "四年级兴趣班",
    }
    data.update(overrides)
    return data


def post(client, data):
    return client.post(SCHOOL_BOOKINGS, json.dumps(data), content_type="application/json")


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


@pytest.fixture
def world():
    world = World()
    world.booking = agreed_booking(world)
    return world


# --- who may see and do what ------------------------------------------------------------

ROLES = ["anonymous", "coordinator", "other_coordinator", "vendor", "other_vendor", "reviewer"]


def login(client, world, who):
    if who == "anonymous":
        return
    if who in ("coordinator", "vendor"):
        user = getattr(world, who)
    else:
        group = {"other_coordinator": "school_coordinator", "other_vendor": "vendor",
                 "reviewer": "bureau_reviewer"}[who]
        user = UserFactory(groups=[group])
    if who == "other_coordinator":
        SchoolFactory(coordinators=[user])
    client.force_login(user)


# Expected status per endpoint and role; "own" means 200 with the world's booking in it,
# "empty" 200 with nothing.
MATRIX = {
    "school list": {"coordinator": "own", "other_coordinator": "empty"},
    "school detail": {"coordinator": "own", "other_coordinator": 404},
    "school request": {"coordinator": 201, "other_coordinator": 403},
    "school schedule": {"coordinator": "own", "other_coordinator": "empty"},
    "vendor list": {"vendor": "own", "other_vendor": "empty"},
    "vendor detail": {"vendor": "own", "other_vendor": 404},
}


def call(client, world, endpoint):
    booking = world.booking
    return {
        "school list": lambda: client.get(SCHOOL_BOOKINGS),
        "school detail": lambda: client.get(f"{SCHOOL_BOOKINGS}{booking.pk}/"),
        "school request": lambda: post(client, payload(world)),
        "school schedule": lambda: client.get(SCHOOL_SCHEDULE),
        "vendor list": lambda: client.get(VENDOR_BOOKINGS),
        "vendor detail": lambda: client.get(f"{VENDOR_BOOKINGS}{booking.pk}/"),
    }[endpoint]()


@pytest.mark.parametrize("who", ROLES)
def test_each_role_reaches_only_its_endpoints_and_only_its_own_rows(client, world, who):
    login(client, world, who)
    for endpoint, expected_by_role in MATRIX.items():
        expected = expected_by_role.get(who, 403)
        response = call(client, world, endpoint)
        status = {"own": 200, "empty": 200}.get(expected, expected)
        assert response.status_code == status, (endpoint, response.status_code)
        body = response.json()
        if expected == "own":
            rows = body.get("results", [body])
            ids = {row.get("booking", row["id"]) for row in rows}
            assert world.booking.pk in ids, endpoint
        elif expected == "empty":
            assert body["count"] == 0 and body["results"] == [], endpoint
    created = Booking.objects.exclude(pk=world.booking.pk)
    assert created.count() == (1 if who == "coordinator" else 0)


def test_responses_never_hold_identity_numbers_or_phone_numbers(client, world):
    person = world.people[0]
    secrets = [person.id_number, person.phone, world.provider.contact_phone,
               world.school.phone]
    client.force_login(world.coordinator)
    bodies = [client.get(url).content.decode() for url in (
        SCHOOL_BOOKINGS, f"{SCHOOL_BOOKINGS}{world.booking.pk}/", SCHOOL_SCHEDULE)]
    bodies.append(post(client, payload(world)).content.decode())
    client.force_login(world.vendor)
    bodies += [client.get(url).content.decode() for url in (
        VENDOR_BOOKINGS, f"{VENDOR_BOOKINGS}{world.booking.pk}/")]
    for body in bodies:
        for secret in secrets:
            assert secret not in body


def test_a_booking_shows_its_slots_people_and_counted_sessions(client, world):
    entry = world.booking.schedule.order_by("date").first()
    entry.status = "cancelled"
    entry.save(update_fields=["status"])
    client.force_login(world.coordinator)
    row = client.get(f"{SCHOOL_BOOKINGS}{world.booking.pk}/").json()
    total = world.booking.schedule.count()
    assert row["school"] == {"id": world.school.pk, "name": world.school.name}
    assert row["provider"]["name"] == world.provider.name
    assert row["offering"]["title"] == world.offering.title
    assert row["slots"] == [{"weekday": TUE, "starts_at": "16:00:00", "ends_at": "17:00:00"}]
    assert row["people"] == [world.people[0].full_name]
    assert (row["state"], row["sessions_total"], row["sessions_cancelled"],
            row["sessions_planned"], row["sessions_delivered"]) == (
        "agreed", total, 1, total - 1, 0)
    assert row["amount_due"] == "0.00" and row["price_per_session"] == "150.00"


def test_the_vendor_list_filters_by_state(client, world):
    client.force_login(world.vendor)
    assert client.get(VENDOR_BOOKINGS, {"state": "agreed"}).json()["count"] == 1
    assert client.get(VENDOR_BOOKINGS, {"state": "requested"}).json()["count"] == 0
    assert client.get(VENDOR_BOOKINGS, {"state": "nonsense"}).json()["count"] == 1


@pytest.mark.parametrize("pk", ["0", "99999999", str(2**63), str(2**70)])
def test_an_unknown_or_huge_booking_id_is_404(client, world, pk):
    client.force_login(world.coordinator)
    assert client.get(f"{SCHOOL_BOOKINGS}{pk}/").status_code == 404
    client.force_login(world.vendor)
    assert client.get(f"{VENDOR_BOOKINGS}{pk}/").status_code == 404


# --- requesting a booking ----------------------------------------------------------------

def test_a_coordinator_requests_a_booking_and_gets_it_back(client, world):
    client.force_login(world.coordinator)
    response = post(client, payload(world))
    assert response.status_code == 201, response.content
    body = response.json()
    booking = Booking.objects.get(pk=body["id"])
    assert response["Location"].endswith(f"{SCHOOL_BOOKINGS}{booking.pk}/")
    assert booking.state == BookingState.REQUESTED and booking.requested_by == world.coordinator
    assert [str(s) for s in booking.slots.all()] == ["星期四 16:00–17:00"]
    assert (body["state"], body["note"], body["sessions_total"]) == ("requested", "四年级兴趣班", 0)
    assert body["state_label"] == "已申请"


def test_a_request_is_a_write_that_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.coordinator)
    refused = post(client, payload(world))
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    client.get("/accounts/login/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(SCHOOL_BOOKINGS, json.dumps(payload(world)),
                           content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code == 201


def test_a_school_the_coordinator_does_not_look_after_is_403(client, world):
    stranger_school = SchoolFactory()
    venue = Venue.objects.create(school=stranger_school, name="操场")
    client.force_login(world.coordinator)
    response = post(client, payload(world, school=stranger_school.pk, venue=venue.pk))
    assert response.status_code == 403
    assert Booking.objects.count() == 1


@pytest.mark.parametrize("field,errors_at", [
    ("student_count", "student_count"), ("slots", "slots"), ("price_per_session",
                                                             "price_per_session"),
    ("taken", "slots"), ("suspended", "non_field_errors"), ("venue", "venue"),
    ("dates", "last_date"),
])
def test_a_request_the_rules_refuse_is_400_with_the_chinese_reason(client, world, field,
                                                                   errors_at):
    data = payload(world)
    if field == "student_count":
        data["student_count"] = 31
    elif field == "slots":
        data["slots"] = [{"weekday": 4, "starts_at": "18:00", "ends_at": "19:30"}]
    elif field == "price_per_session":
        data["price_per_session"] = "151"
    elif field == "taken":  # the provider's one cleared person is booked on Tuesdays
        other = SchoolFactory(coordinators=[world.coordinator])
        venue = Venue.objects.create(school=other, name="操场")
        data.update(school=other.pk, venue=venue.pk,
                    slots=[{"weekday": TUE, "starts_at": "16:30", "ends_at": "17:30"}])
    elif field == "suspended":
        type(world.provider).objects.filter(pk=world.provider.pk).update(
            state=AdmissionState.SUSPENDED)
    elif field == "venue":
        data["venue"] = Venue.objects.create(school=SchoolFactory(), name="礼堂").pk
    elif field == "dates":
        data["first_date"] = (world.term.starts_on - dt.timedelta(days=7)).isoformat()
    client.force_login(world.coordinator)
    response = post(client, data)
    assert response.status_code == 400
    messages = " ".join(response.json()[errors_at])
    assert has_chinese(messages), messages
    expected = {"student_count": "30", "slots": "18:30", "price_per_session": "150",
                "taken": "1 名"}.get(field, "")
    assert expected in messages
    assert Booking.objects.count() == 1


def test_dates_far_outside_the_term_are_refused_without_counting_the_days_between(
        client, world):
    # A parent-paid course makes the service count sessions for the per-student cap,
    # which between year 1 and 9999 would take long and overflow at the last date.
    world.offering.price_per_student_term = Decimal("100")
    world.offering.save()
    client.force_login(world.coordinator)
    response = post(client, payload(world, first_date="0001-01-01", last_date="9999-12-31"))
    assert response.status_code == 400
    assert has_chinese(" ".join(response.json()["last_date"]))


@pytest.mark.parametrize("field,value", [
    ("school", 99999999), ("offering", 99999999), ("term", 99999999), ("venue", 99999999),
    ("school", 2**63), ("offering", 2**70), ("venue", -1), ("term", 0), ("school", "abc"),
    ("offering", True), ("school", None), ("student_count", 10**30), ("grade_from", 0),
    ("price_per_session", "-1"), ("price_per_session", "1e30"), ("delivery", "moon"),
    ("first_date", "2026-02-30"), ("slots", "Tuesday"),
    ("slots", [{"weekday": 6, "starts_at": "16:00", "ends_at": "17:00"}]),
    ("slots", [{"weekday": 2, "starts_at": "25:00", "ends_at": "17:00"}]),
    ("slots", [{"weekday": 2, "starts_at": "16:00", "ends_at": "17:00"}] * 6),
    ("note", "很" * 1001),
])
def test_values_that_do_not_fit_are_400_naming_the_field(client, world, field, value):
    client.force_login(world.coordinator)
    response = post(client, payload(world, **{field: value}))
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Booking.objects.count() == 1


def test_a_body_that_is_not_json_is_refused(client, world):
    client.force_login(world.coordinator)
    assert client.post(SCHOOL_BOOKINGS, "school=1", content_type="text/plain").status_code == 415
    assert client.post(SCHOOL_BOOKINGS, "{", content_type="application/json").status_code == 400


# --- the schedule -------------------------------------------------------------------------

def test_the_schedule_lists_sessions_between_the_dates(client, world):
    sessions = list(world.booking.schedule.order_by("date"))
    first, second = sessions[0].date, sessions[1].date
    client.force_login(world.coordinator)
    body = client.get(SCHOOL_SCHEDULE, {"from": first.isoformat(),
                                        "to": second.isoformat()}).json()
    assert [row["date"] for row in body["results"]] == [first.isoformat(), second.isoformat()]
    row = body["results"][0]
    assert (row["school"]["name"], row["content"], row["responsible"], row["status"],
            row["starts_at"]) == (world.school.name, world.offering.title,
                                  world.people[0].full_name, "planned", "16:00:00")
    assert client.get(SCHOOL_SCHEDULE, {"from": first.isoformat()}).json()["count"] == \
        len(sessions)


@pytest.mark.parametrize("query,field", [
    ({"from": "2026-13-01"}, "from"), ({"to": "yesterday"}, "to"),
    ({"from": "2026-03-02", "to": "2026-03-01"}, "to"), ({"from": "9" * 40}, "from"),
])
def test_bad_schedule_dates_are_400(client, world, query, field):
    client.force_login(world.coordinator)
    response = client.get(SCHOOL_SCHEDULE, query)
    assert response.status_code == 400
    assert has_chinese(" ".join(response.json()[field]))


# --- queries ------------------------------------------------------------------------------

def more_bookings(world, count):
    """``count`` more bookings of the coordinator, each agreed with its sessions, each at
    another weekly time so none clashes."""
    times = [(weekday, hour) for hour in (14, 15, 16, 17) for weekday in (1, 3, 4, 5)]
    for weekday, hour in times[:count]:
        agreed_booking(world, slots=[Slot(weekday, dt.time(hour), dt.time(hour, 50))],
                       grade_from=3, grade_to=3)


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("who,url", [("coordinator", SCHOOL_BOOKINGS),
                                     ("vendor", VENDOR_BOOKINGS),
                                     ("coordinator", SCHOOL_SCHEDULE)])
def test_a_list_costs_the_same_queries_for_one_booking_or_many(
        client, world, who, url, django_assert_max_num_queries):
    client.force_login(getattr(world, who))
    few = queries_of(client, url)
    more_bookings(world, 6)
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert response.json()["count"] > 6
    assert queries_of(client, url) == few


def test_the_session_query_names_the_bookings_by_id(world):
    """As a subquery, a coordinator's bookings were the ninth relation of the session
    query, past PostgreSQL's join_collapse_limit: the planner joined every session of the
    district before keeping the coordinator's (at 60,000 sessions, 170 ms for one school's
    150; tests/bench/bench_booking.py)."""
    other = World()
    agreed_booking(other)
    sessions = schedule.sessions_for(Booking.objects.for_coordinator(world.coordinator))
    assert "school_coordinators" not in str(sessions.query)
    assert {s.booking_id for s in sessions} == {world.booking.pk}
    assert len(sessions) == world.booking.schedule.count()


# --- the schema ---------------------------------------------------------------------------

def test_the_schema_is_valid_and_describes_only_the_booking_endpoints(client):
    response = client.get(SCHEMA)
    assert response.status_code == 200
    document = response.json()
    validate_schema(document)
    assert set(document["paths"]) == {
        "/api/school/bookings/", "/api/school/bookings/{id}/", "/api/school/schedule/",
        "/api/vendor/bookings/", "/api/vendor/bookings/{id}/"}
    assert set(document["paths"]["/api/school/bookings/"]) == {"get", "post"}
    assert "cookieAuth" in document["components"]["securitySchemes"]
    request = document["components"]["schemas"]["BookingRequest"]["properties"]
    assert request["school"]["maximum"] == 2**63 - 1
    assert "/api/v1/providers/" in client.get("/api/schema/?format=json").json()["paths"]
