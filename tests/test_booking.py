"""School booking: the request and its refusals, clashes, accept, cancel, the term
calendar, the schedule and its sessions, fees, and who may do what."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from marketplace.booking import calendar, schedule, services
from marketplace.booking.clashes import Slot
from marketplace.choices import Delivery, ProviderKind, SchoolLevel
from marketplace.models import Booking, DayOff, ScheduleEntry, SessionStatus, Venue
from tests.factories import (
    BackgroundCheckFactory,
    OfferingFactory,
    PersonFactory,
    ProviderFactory,
    SchoolFactory,
    TermFactory,
    UserFactory,
)
from workflows import transitions
from workflows.admission import AdmissionState
from workflows.booking import BookingReason, BookingState
from workflows.transitions import TransitionRefused

pytestmark = pytest.mark.django_db

TUE = 2


def next_weekday(weekday: int, after: dt.date | None = None) -> dt.date:
    day = (after or timezone.localdate()) + dt.timedelta(days=1)
    while day.isoweekday() != weekday:
        day += dt.timedelta(days=1)
    return day


class World:
    def __init__(self, *, people=1, kind=None):
        self.vendor = UserFactory(groups=["vendor"])
        self.provider = ProviderFactory(owner=self.vendor, listed=True,
                                        **({"individual": True} if kind else {}))
        self.people = []
        for _ in range(people):
            person = PersonFactory(provider=self.provider)
            BackgroundCheckFactory(person=person, checked_on=timezone.localdate())
            self.people.append(person)
        self.offering = OfferingFactory(provider=self.provider, verified=True, capacity=30,
                                        price_per_session=Decimal("150"))
        self.coordinator = UserFactory(groups=["school_coordinator"])
        self.school = SchoolFactory(coordinators=[self.coordinator], level=SchoolLevel.PRIMARY)
        self.venue = Venue.objects.create(school=self.school, name="科技教室", capacity=40)
        start = next_weekday(1)
        self.term = TermFactory(name=f"学期{start}", starts_on=start,
                                ends_on=start + dt.timedelta(days=90))

    def request(self, **overrides) -> services.Request:
        values = dict(
            school=self.school, offering=self.offering, term=self.term, grade_from=3,
            grade_to=4, student_count=25, price_per_session=Decimal("150"),
            first_date=self.term.starts_on, last_date=self.term.ends_on,
            slots=[Slot(TUE, dt.time(16, 0), dt.time(17, 0))], venue=self.venue,
            delivery=Delivery.IN_SCHOOL,
        )
        values.update(overrides)
        return services.Request(**values)

    def book(self, **overrides) -> Booking:
        return services.request_booking(self.request(**overrides), by=self.coordinator)


def refusal(req, by) -> dict:
    with pytest.raises(ValidationError) as info:
        services.request_booking(req, by=by)
    return info.value.message_dict


def test_a_coordinator_books_an_offering_and_the_vendor_is_emailed(mailoutbox,
                                                                  on_commit_immediately):
    world = World()
    booking = world.book(note="四年级兴趣班")
    assert booking.state == BookingState.REQUESTED
    assert [str(s) for s in booking.slots.all()] == ["星期二 16:00–17:00"]
    assert booking.place == f"{world.school.name} 科技教室"
    assert [m.to for m in mailoutbox] == [[world.vendor.email]]
    assert transitions.timeline(booking, staff=False).get().action == "requested"


def test_a_slot_after_the_primary_service_end_is_refused_with_the_time():
    world = World()
    errors = refusal(world.request(slots=[Slot(TUE, dt.time(18, 0), dt.time(19, 30))]),
                     world.coordinator)
    assert "18:30" in " ".join(errors["slots"])
    assert not Booking.objects.exists()


def test_junior_grades_may_stay_until_seven():
    world = World()
    world.offering.grade_to = 9
    world.offering.save()
    world.school.level = SchoolLevel.JUNIOR
    world.school.save()
    booking = world.book(grade_from=7, grade_to=8,
                         slots=[Slot(TUE, dt.time(18, 0), dt.time(19, 0))])
    assert booking.pk
    errors = refusal(world.request(grade_from=7, grade_to=8,
                                   slots=[Slot(3, dt.time(18, 30), dt.time(19, 10))]),
                     world.coordinator)
    assert "19:00" in " ".join(errors["slots"])


def test_price_above_the_offering_and_the_professional_cap_is_refused():
    world = World(kind=ProviderKind.PROFESSIONAL)
    world.offering.price_per_session = Decimal("180")
    world.offering.save()
    errors = refusal(world.request(price_per_session=Decimal("250")), world.coordinator)
    text = " ".join(errors["price_per_session"])
    assert "180" in text and "200" in text


def test_parent_paid_course_above_600_per_student_per_term_is_refused():
    world = World()
    world.offering.price_per_student_term = Decimal("500")
    world.offering.save()
    errors = refusal(world.request(student_count=2), world.coordinator)
    assert "600" in " ".join(errors["price_per_session"])


def test_more_students_than_the_group_size_and_a_delivery_mismatch_are_refused():
    world = World()
    errors = refusal(world.request(student_count=31, delivery=Delivery.AT_VENUE, venue=None),
                     world.coordinator)
    assert "30" in " ".join(errors["student_count"])
    assert errors["delivery"]


def test_a_suspended_provider_cannot_be_booked():
    world = World()
    type(world.provider).objects.filter(pk=world.provider.pk).update(
        state=AdmissionState.SUSPENDED)
    world.offering.refresh_from_db()
    assert refusal(world.request(), world.coordinator)["__all__"]


def test_the_same_venue_at_the_same_time_is_a_clash():
    world = World(people=2)
    world.book()
    other = OfferingFactory(provider=ProviderFactory(listed=True), verified=True)
    PersonFactory(provider=other.provider)
    errors = refusal(world.request(offering=other,
                                   slots=[Slot(TUE, dt.time(16, 30), dt.time(17, 30))]),
                     world.coordinator)
    assert "科技教室" in " ".join(errors["slots"])


def test_a_provider_cannot_run_more_groups_at_once_than_it_has_cleared_people():
    world = World(people=1)
    world.book()
    second_school = SchoolFactory(coordinators=[world.coordinator])
    venue = Venue.objects.create(school=second_school, name="操场")
    errors = refusal(world.request(school=second_school, venue=venue), world.coordinator)
    assert "1" in " ".join(errors["slots"])
    # Another time is free.
    assert world.book(school=second_school, venue=venue,
                      slots=[Slot(4, dt.time(16, 0), dt.time(17, 0))]).pk


def test_a_declined_or_cancelled_booking_frees_its_slot():
    world = World()
    booking = world.book()
    transitions.run(booking, "decline", by=world.vendor, reason=BookingReason.NO_CAPACITY)
    assert world.book().pk


def test_only_a_coordinator_of_the_school_may_book():
    world = World()
    stranger = UserFactory(groups=["school_coordinator"])
    with pytest.raises(PermissionDenied):
        services.request_booking(world.request(), by=stranger)


def test_accept_needs_people_cleared_until_the_last_session():
    world = World()
    booking = world.book()
    late = PersonFactory(provider=world.provider)
    BackgroundCheckFactory(person=late, checked_on=timezone.localdate() - dt.timedelta(days=330))
    with pytest.raises(TransitionRefused) as info:
        services.accept_booking(booking, by=world.vendor, people=[late])
    assert late.full_name in " ".join(info.value.reasons)
    booking = services.accept_booking(booking, by=world.vendor, people=world.people)
    assert booking.state == BookingState.ACCEPTED


def test_a_person_cannot_be_in_two_schools_at_once():
    world = World(people=2)
    first = world.book()
    services.accept_booking(first, by=world.vendor, people=[world.people[0]])
    other_school = SchoolFactory(coordinators=[world.coordinator])
    venue = Venue.objects.create(school=other_school, name="礼堂")
    second = world.book(school=other_school, venue=venue)
    with pytest.raises(TransitionRefused) as info:
        services.accept_booking(second, by=world.vendor, people=[world.people[0]])
    assert world.people[0].full_name in " ".join(info.value.reasons)
    assert services.accept_booking(second, by=world.vendor,
                                   people=[world.people[1]]).state == BookingState.ACCEPTED


def test_another_vendor_cannot_accept():
    world = World()
    booking = world.book()
    with pytest.raises(PermissionDenied):
        services.accept_booking(booking, by=UserFactory(groups=["vendor"]),
                                people=world.people)


def test_an_active_booking_is_cancelled_only_by_the_bureau():
    world = World()
    booking = world.book()
    Booking.objects.filter(pk=booking.pk).update(state=BookingState.ACTIVE)
    booking.refresh_from_db()
    with pytest.raises(TransitionRefused):
        transitions.run(booking, "cancel", by=world.coordinator,
                        reason=BookingReason.PLAN_CHANGED)
    manager = UserFactory(groups=["bureau_manager"])
    booking = transitions.run(booking, "cancel_by_bureau", by=manager,
                              reason=BookingReason.SERVICE_PROBLEM)
    assert booking.state == BookingState.CANCELLED


def test_a_booking_reason_must_come_from_the_booking_list():
    world = World()
    booking = world.book()
    with pytest.raises(TransitionRefused):
        transitions.run(booking, "decline", by=world.vendor, reason="incomplete")


# --- the calendar ----------------------------------------------------------------------
def test_national_day_week_is_skipped_and_the_make_up_saturday_follows_wednesday():
    # 2026-10-01..07 are off; Saturday 2026-10-10 is worked and pays for Wednesday 10-07.
    school = SchoolFactory()
    wednesdays = calendar.session_dates(school, dt.date(2026, 9, 28), dt.date(2026, 10, 16), 3)
    assert wednesdays == [dt.date(2026, 9, 30), dt.date(2026, 10, 10), dt.date(2026, 10, 14)]
    thursdays = calendar.session_dates(school, dt.date(2026, 9, 28), dt.date(2026, 10, 16), 4)
    assert dt.date(2026, 10, 1) not in thursdays and dt.date(2026, 10, 8) in thursdays


def test_a_local_day_off_is_skipped_for_its_school_only():
    school, other = SchoolFactory(), SchoolFactory()
    DayOff.objects.create(date=dt.date(2026, 11, 10), name="校运动会", school=school)
    assert dt.date(2026, 11, 10) not in calendar.session_dates(
        school, dt.date(2026, 11, 9), dt.date(2026, 11, 13), 2)
    assert dt.date(2026, 11, 10) in calendar.session_dates(
        other, dt.date(2026, 11, 9), dt.date(2026, 11, 13), 2)
    DayOff.objects.create(date=dt.date(2026, 11, 12), name="全区教研日")
    assert calendar.session_dates(other, dt.date(2026, 11, 9), dt.date(2026, 11, 13), 4) == []


# --- schedule, sessions and fees ---------------------------------------------------------
def agreed(world) -> Booking:
    booking = world.book()
    services.accept_booking(booking, by=world.vendor, people=world.people)
    Booking.objects.filter(pk=booking.pk).update(state=BookingState.AGREED)
    booking.refresh_from_db()
    schedule.generate(booking)
    return booking


def test_the_schedule_has_one_session_per_school_day_of_the_slot():
    world = World()
    booking = agreed(world)
    dates = list(booking.schedule.values_list("date", flat=True))
    expected = calendar.session_dates(world.school, booking.first_date, booking.last_date, TUE)
    assert dates == expected and dates
    entry = booking.schedule.first()
    assert (entry.content, entry.venue, entry.responsible) == (
        world.offering.title, booking.place, world.people[0])
    assert schedule.generate(booking) == 0  # once


def test_sessions_are_cancelled_marked_delivered_and_counted_in_the_fee():
    world = World()
    booking = agreed(world)
    first, second = booking.schedule.order_by("date")[:2]
    ScheduleEntry.objects.filter(pk=first.pk).update(date=timezone.localdate())
    first.refresh_from_db()
    schedule.mark_delivery(first, by=world.coordinator, delivered=True)
    schedule.cancel_session(second, by=world.coordinator, reason="学校活动")
    counted = schedule.with_counts(Booking.objects.filter(pk=booking.pk)).get()
    assert (counted.sessions_delivered, counted.sessions_cancelled) == (1, 1)
    assert counted.amount_due == Decimal("150")
    assert schedule.term_total(Booking.objects.filter(pk=booking.pk)) == Decimal("150")
    with pytest.raises(TransitionRefused):
        schedule.cancel_session(second, by=world.coordinator, reason="again")
    with pytest.raises(PermissionDenied):
        schedule.cancel_session(booking.schedule.last(), by=world.vendor, reason="x")


def test_a_session_is_not_marked_delivered_before_it_happens_and_needs_a_reason_to_miss():
    world = World()
    booking = agreed(world)
    future = booking.schedule.last()
    with pytest.raises(TransitionRefused):
        schedule.mark_delivery(future, by=world.coordinator, delivered=True)
    with pytest.raises(TransitionRefused):
        schedule.mark_delivery(future, by=world.coordinator, delivered=False, reason="")


def test_cancelling_a_booking_cancels_its_remaining_sessions():
    world = World()
    booking = agreed(world)
    transitions.run(booking, "cancel", by=world.coordinator,
                    reason=BookingReason.PLAN_CHANGED)
    assert set(booking.schedule.values_list("status", flat=True)) == {SessionStatus.CANCELLED}


def test_a_suspended_provider_has_its_open_bookings_flagged_and_cancelled(
        mailoutbox, on_commit_immediately):
    world = World()
    booking = agreed(world)
    manager = UserFactory(groups=["bureau_manager"])
    transitions.run(world.provider, "suspend", by=manager, reason="violation")
    booking.refresh_from_db()
    assert booking.state == BookingState.CANCELLED and booking.provider_flagged_at
    assert any(world.coordinator.email in m.to for m in mailoutbox)


def test_the_daily_task_starts_and_completes_bookings():
    from marketplace.booking.lifecycle import advance

    world = World()
    booking = agreed(world)
    Booking.objects.filter(pk=booking.pk).update(first_date=timezone.localdate())
    assert advance()["started"] == 1
    booking.refresh_from_db()
    assert booking.state == BookingState.ACTIVE
    Booking.objects.filter(pk=booking.pk).update(
        last_date=timezone.localdate() - dt.timedelta(days=1),
        first_date=timezone.localdate() - dt.timedelta(days=8))
    assert advance()["completed"] == 1


def test_dates_far_outside_the_term_are_refused_without_counting_the_days_between():
    world = World()
    world.offering.price_per_student_term = Decimal("500")
    world.offering.save()
    errors = refusal(world.request(first_date=dt.date(2026, 1, 1), last_date=dt.date(9999, 12, 31)),
                     world.coordinator)
    assert errors["last_date"]
