"""The booking screens through HTTP: the offering page, the form that keeps what was
typed, the vendor's inbox and answer, the schedule and a session."""

import pytest
from django.urls import reverse
from django.utils import timezone

from marketplace.booking import schedule
from marketplace.models import Booking, SessionStatus
from tests.test_booking import TUE, World, agreed
from workflows.booking import BookingState

pytestmark = pytest.mark.django_db


def form_data(world, **overrides):
    data = {
        "school": world.school.pk, "term": world.term.pk, "grade_from": 3, "grade_to": 4,
        "student_count": 25, "delivery": "in_school", "venue": world.venue.pk,
        "price_per_session": "150", "first_date": world.term.starts_on.isoformat(),
        "last_date": world.term.ends_on.isoformat(), "note": "四年级兴趣班",
        "slot-TOTAL_FORMS": 3, "slot-INITIAL_FORMS": 0, "slot-MIN_NUM_FORMS": 0,
        "slot-MAX_NUM_FORMS": 5,
        "slot-0-weekday": TUE, "slot-0-starts_at": "16:00", "slot-0-ends_at": "17:00",
        "slot-1-weekday": 4, "slot-1-starts_at": "16:00", "slot-1-ends_at": "17:00",
    }
    data.update(overrides)
    return data


def test_the_offering_page_shows_the_book_button_to_a_coordinator_only(client):
    world = World()
    url = reverse("offering", args=[world.offering.pk])
    page = client.get(url).content.decode()
    assert world.offering.outline in page and 'data-testid="book"' not in page
    client.force_login(world.coordinator)
    assert 'data-testid="book"' in client.get(url).content.decode()


def test_a_refused_request_keeps_everything_typed(client):
    world = World()
    client.force_login(world.coordinator)
    response = client.post(reverse("school:book", args=[world.offering.pk]), form_data(
        world, **{"slot-1-starts_at": "18:00", "slot-1-ends_at": "19:30"}))
    page = response.content.decode()
    assert response.status_code == 200 and "18:30" in page
    assert "四年级兴趣班" in page and 'value="19:30"' in page
    assert not Booking.objects.exists()


def test_a_coordinator_books_and_the_vendor_accepts_through_the_screens(client):
    world = World()
    client.force_login(world.coordinator)
    response = client.post(reverse("school:book", args=[world.offering.pk]), form_data(world))
    booking = Booking.objects.get()
    assert response.url == reverse("school:booking", args=[booking.pk])
    assert booking.slots.count() == 2
    client.force_login(world.vendor)
    inbox = client.get(reverse("vendor:bookings")).content.decode()
    assert world.school.name in inbox
    client.post(reverse("vendor:booking", args=[booking.pk]),
                {"people": [world.people[0].pk], "state": "requested"})
    booking.refresh_from_db()
    assert booking.state == BookingState.ACCEPTED


def test_the_schedule_and_a_session_page_work_for_the_school(client):
    world = World()
    booking = agreed(world)
    client.force_login(world.coordinator)
    first = booking.schedule.order_by("date").first()
    page = client.get(reverse("school:schedule"), {"week": first.date.isoformat()})
    assert page.status_code == 200 and world.offering.title in page.content.decode()
    listing = client.get(reverse("school:schedule"), {"view": "list"}).content.decode()
    assert first.date.strftime("%Y-%m-%d") in listing
    response = client.post(reverse("school:session", args=[first.pk]),
                           {"action": "cancel", "reason": "学校考试"})
    first.refresh_from_db()
    assert response.status_code == 302 and first.status == SessionStatus.CANCELLED
    home = client.get(reverse("school:home")).content.decode()
    assert world.offering.title in home


@pytest.mark.parametrize("who", ["anonymous", "other_coordinator", "other_vendor", "reviewer"])
def test_other_people_cannot_open_a_booking_or_its_sessions(client, who):
    from tests.factories import UserFactory

    world = World()
    booking = agreed(world)
    entry = booking.schedule.first()
    if who != "anonymous":
        group = {"other_coordinator": "school_coordinator", "other_vendor": "vendor",
                 "reviewer": "bureau_reviewer"}[who]
        client.force_login(UserFactory(groups=[group]))
    for url in (reverse("school:booking", args=[booking.pk]),
                reverse("school:session", args=[entry.pk]),
                reverse("vendor:booking", args=[booking.pk])):
        response = client.get(url)
        assert response.status_code in (302, 403), (url, response.status_code)
        if response.status_code == 302:
            assert "/accounts/login/" in response.url
    response = client.post(reverse("school:booking_cancel", args=[booking.pk]),
                           {"reason": "plan_changed"})
    assert response.status_code in (302, 403)
    booking.refresh_from_db()
    assert booking.state == BookingState.AGREED


def test_the_fee_total_counts_delivered_sessions(client):
    world = World()
    booking = agreed(world)
    entry = booking.schedule.order_by("date").first()
    type(entry).objects.filter(pk=entry.pk).update(date=timezone.localdate())
    client.force_login(world.coordinator)
    client.post(reverse("school:session", args=[entry.pk]), {"action": "delivered"})
    assert schedule.term_total(Booking.objects.all()) == booking.price_per_session
    page = client.get(reverse("school:booking", args=[booking.pk])).content.decode()
    assert 'data-testid="amount-due">150.00' in page.replace("元", "").replace(" yuan", "")
