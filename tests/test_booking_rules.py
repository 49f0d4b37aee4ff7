"""Booking rules beyond the first request: grades a school teaches, overlapping slots,
late answers, what a cancellation leaves to be marked, days off added after signing, the
term's fees on the schedule page, and bad query values."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from marketplace.booking import schedule, services
from marketplace.booking.clashes import Slot
from marketplace.choices import SchoolLevel
from marketplace.models import Booking, DayOff, SessionStatus
from tests.factories import SchoolFactory, TermFactory
from tests.test_booking import TUE, World, agreed, refusal
from workflows import transitions
from workflows.booking import BookingReason
from workflows.transitions import TransitionRefused

pytestmark = pytest.mark.django_db


def test_a_primary_school_cannot_book_junior_grades():
    world = World()
    world.offering.grade_to = 9
    world.offering.save()
    errors = refusal(world.request(grade_from=7, grade_to=8), world.coordinator)
    assert "1–6" in " ".join(errors["grade_from"])
    world.school.level = SchoolLevel.NINE_YEAR
    world.school.save()
    assert world.book(grade_from=7, grade_to=8).pk


def test_two_slots_of_one_request_may_not_overlap():
    world = World(people=2)
    errors = refusal(world.request(slots=[Slot(TUE, dt.time(16, 0), dt.time(17, 0)),
                                          Slot(TUE, dt.time(16, 30), dt.time(17, 30))]),
                     world.coordinator)
    assert errors["slots"]
    assert not Booking.objects.exists()
    booking = world.book(slots=[Slot(TUE, dt.time(15, 0), dt.time(16, 0)),
                                Slot(TUE, dt.time(16, 0), dt.time(17, 0))])  # touching is fine
    assert booking.slots.count() == 2


def test_a_request_whose_first_date_has_passed_is_no_longer_accepted():
    world = World()
    booking = world.book()
    Booking.objects.filter(pk=booking.pk).update(
        first_date=timezone.localdate() - dt.timedelta(days=1))
    booking.refresh_from_db()
    with pytest.raises(TransitionRefused) as refused:
        services.accept_booking(booking, by=world.vendor, people=world.people)
    assert refused.value.code == "first_date_passed"
    booking.refresh_from_db()
    assert booking.state == "requested" and not booking.people.exists()


def test_a_cancelled_booking_keeps_the_sessions_already_held_for_the_fee():
    world = World()
    booking = agreed(world)
    now = timezone.localtime()
    held, later_today, *_rest = booking.schedule.order_by("date")
    held.date, held.starts_at = now.date() - dt.timedelta(days=7), dt.time(0, 0)
    held.save()
    later_today.date = now.date()
    later_today.starts_at = min((now + dt.timedelta(minutes=5)).time(), dt.time(23, 59))
    later_today.save()
    transitions.run(booking, "cancel", by=world.coordinator,
                    reason=BookingReason.PLAN_CHANGED)
    held.refresh_from_db()
    later_today.refresh_from_db()
    assert held.status == SessionStatus.PLANNED
    assert later_today.status == SessionStatus.CANCELLED
    assert not booking.schedule.filter(status=SessionStatus.PLANNED,
                                       date__gt=now.date()).exists()


def test_a_day_off_added_after_signing_cancels_that_days_sessions(client):
    world = World()
    booking = agreed(world)
    other = World()
    other_booking = agreed(other)
    day = booking.schedule.order_by("date").first().date
    DayOff.objects.create(date=day, name="区运动会", school=world.school)
    session = booking.schedule.get(date=day)
    assert (session.status, session.status_reason) == (SessionStatus.CANCELLED, "区运动会")
    assert other_booking.schedule.filter(status=SessionStatus.CANCELLED).count() == 0
    entry = transitions.timeline(booking, staff=False).get(action="session_cancelled")
    assert (entry.item, entry.comment) == (f"{day:%Y-%m-%d}", "区运动会")
    DayOff.objects.create(date=other_booking.schedule.first().date, name="全区教研日")
    assert other_booking.schedule.filter(status=SessionStatus.CANCELLED).count() == 1


def agreed_on(world, weekday: int, **changes) -> Booking:
    """An agreed booking on another weekday, moved by ``changes`` (e.g. to another term)."""
    booking = world.book(slots=[Slot(weekday, dt.time(16, 0), dt.time(17, 0))])
    services.accept_booking(booking, by=world.vendor, people=world.people)
    Booking.objects.filter(pk=booking.pk).update(state="agreed", **changes)
    booking.refresh_from_db()
    schedule.generate(booking)
    return booking


def test_the_schedule_page_counts_this_terms_fees_per_school(client):
    world = World(people=3)
    booking = agreed(world)
    second_school = SchoolFactory(coordinators=[world.coordinator], name="第二学校")
    other_school = agreed_on(world, 3, school=second_school)
    old_term = TermFactory(name="上学期", starts_on=world.term.starts_on - dt.timedelta(days=200),
                           ends_on=world.term.starts_on - dt.timedelta(days=100))
    old = agreed_on(world, 4, term=old_term)
    for b in (booking, other_school, old):
        b.schedule.filter(pk=b.schedule.first().pk).update(status=SessionStatus.DELIVERED)
    client.force_login(world.coordinator)
    page = client.get("/school/schedule/", {"week": world.term.starts_on.isoformat()})
    assert page.context["term"] == world.term
    assert {b.pk for b in page.context["counts"]} == {booking.pk, other_school.pk}
    assert page.context["term_total"] == Decimal("300")
    assert page.context["school_totals"] == sorted(
        [(world.school.name, Decimal("150")), ("第二学校", Decimal("150"))])
    assert f"?term={world.term.pk}" in page.content.decode()


def test_bad_query_values_do_not_break_the_schedule_and_exports(client):
    world = World()
    client.force_login(world.coordinator)
    for week in ("0001-01-01", "9999-12-31", "2026-02-30"):
        assert client.get("/school/schedule/", {"week": week}).status_code == 200
    for term in ("²", "9" * 40, "-1"):
        assert client.get("/school/schedule.pdf", {"term": term}).status_code == 404


def test_a_suspended_providers_offering_page_is_not_public(client):
    world = World()
    assert client.get(f"/offerings/{world.offering.pk}/").status_code == 200
    type(world.provider).objects.filter(pk=world.provider.pk).update(state="suspended")
    assert client.get(f"/offerings/{world.offering.pk}/").status_code == 404


def test_a_completed_bookings_last_session_is_marked_from_its_page(client):
    world = World()
    booking = agreed(world)
    session = booking.schedule.order_by("date").last()
    session.date = timezone.localdate() - dt.timedelta(days=1)
    session.save()
    Booking.objects.filter(pk=booking.pk).update(state="completed")
    client.force_login(world.coordinator)
    page = client.get(f"/school/sessions/{session.pk}/")
    assert 'data-testid="delivered"' in page.content.decode()
    assert 'data-testid="cancel-session"' not in page.content.decode()
    client.post(f"/school/sessions/{session.pk}/", {"action": "delivered"})
    session.refresh_from_db()
    assert session.status == SessionStatus.DELIVERED
