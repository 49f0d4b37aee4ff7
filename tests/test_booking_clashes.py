"""Clashes between weekly slots and sessions: a moved session holds its new time for the
venue, the person and the provider's people, and a booking without sessions yet holds
its weekly slots against a move; one human listed by two providers is one person; a
move stays within the booking's dates and the person's check; what the session changes
lock; sessions of a cancelled booking held before are still marked."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from marketplace.booking import calendar, schedule, services
from marketplace.booking.clashes import Slot
from marketplace.models import (
    BackgroundCheck,
    Booking,
    Offering,
    Provider,
    ScheduleEntry,
    School,
    SessionStatus,
    Venue,
)
from tests.factories import (
    BackgroundCheckFactory,
    OfferingFactory,
    PersonFactory,
    ProviderFactory,
    SchoolFactory,
    UserFactory,
)
from tests.test_booking import World, refusal
from workflows import transitions
from workflows.booking import BookingReason, BookingState
from workflows.transitions import TransitionRefused

pytestmark = pytest.mark.django_db

MON, WED = 1, 3
FOUR, FIVE = dt.time(16, 0), dt.time(17, 0)


def weekly(weekday: int) -> list[Slot]:
    return [Slot(weekday, FOUR, FIVE)]


def agreed_booking(world, weekday=MON, people=None, **overrides) -> Booking:
    """A booking of ``world`` for ``weekday`` 16:00–17:00, accepted with ``people`` (the
    first world person by default), agreed, with its sessions."""
    booking = world.book(slots=weekly(weekday), **overrides)
    services.accept_booking(booking, by=world.vendor, people=people or world.people[:1])
    Booking.objects.filter(pk=booking.pk).update(state=BookingState.AGREED)
    booking.refresh_from_db()
    assert schedule.generate(booking)
    return booking


def school_day(world, weekday: int, after: dt.date) -> dt.date:
    """The first school day after ``after`` that follows ``weekday``'s timetable."""
    day = after + dt.timedelta(days=1)
    while calendar.timetable_weekday(day) != weekday or \
            calendar.local_days_off(world.school, day, day):
        day += dt.timedelta(days=1)
    assert day <= world.term.ends_on
    return day


def first_session(booking) -> ScheduleEntry:
    return booking.schedule.order_by("date").first()


def move(world, entry, day, starts_at=FOUR, ends_at=FIVE):
    return schedule.move_session(entry, by=world.coordinator, date=day, starts_at=starts_at,
                                 ends_at=ends_at, reason="运动会调课")


def another_provider():
    """A listed provider with one cleared person and a verified offering."""
    vendor = UserFactory(groups=["vendor"])
    provider = ProviderFactory(owner=vendor, listed=True)
    person = PersonFactory(provider=provider)
    BackgroundCheckFactory(person=person, checked_on=timezone.localdate())
    offering = OfferingFactory(provider=provider, verified=True, capacity=30,
                               price_per_session=Decimal("150"))
    return vendor, person, offering


def second_school(world):
    school = SchoolFactory(coordinators=[world.coordinator])
    return school, Venue.objects.create(school=school, name="风雨操场", capacity=40)


# --- a moved session against later requests ------------------------------------------
def test_a_request_for_the_venue_sees_a_session_moved_into_its_slot():
    world = World()
    monday = agreed_booking(world, MON)
    entry = first_session(monday)
    wednesday = school_day(world, WED, entry.date)
    move(world, entry, wednesday)
    _, _, offering = another_provider()

    errors = refusal(world.request(offering=offering, slots=[Slot(WED, dt.time(16, 30),
                                                                  dt.time(17, 30))]),
                     world.coordinator)
    text = " ".join(errors["slots"])
    assert "科技教室" in text and monday.offering.title in text
    # The same Wednesdays from the day after the moved session are free.
    later = world.book(offering=offering, slots=weekly(WED),
                       first_date=wednesday + dt.timedelta(days=1))
    assert later.state == BookingState.REQUESTED


def test_a_request_for_the_provider_counts_a_session_moved_to_that_time():
    world = World(people=1)
    monday = agreed_booking(world, MON)
    entry = first_session(monday)
    move(world, entry, school_day(world, WED, entry.date))
    school, venue = second_school(world)

    errors = refusal(world.request(school=school, venue=venue, slots=weekly(WED)),
                     world.coordinator)
    assert "没有空闲人员" in " ".join(errors["slots"])


def test_a_person_is_not_accepted_for_a_time_a_moved_session_gives_them():
    world = World(people=2)
    monday = agreed_booking(world, MON, people=world.people[:1])
    entry = first_session(monday)
    move(world, entry, school_day(world, WED, entry.date))
    school, venue = second_school(world)
    wednesdays = world.book(school=school, venue=venue, slots=weekly(WED))

    with pytest.raises(TransitionRefused) as info:
        services.accept_booking(wednesdays, by=world.vendor, people=world.people[:1])
    assert world.people[0].full_name in " ".join(info.value.reasons)
    assert services.accept_booking(wednesdays, by=world.vendor,
                                   people=world.people[1:]).state == BookingState.ACCEPTED


# --- a move against bookings that hold weekly slots without sessions ------------------
def test_a_session_is_not_moved_into_a_venue_slot_a_request_holds():
    world = World()
    monday = agreed_booking(world, MON)
    _, _, offering = another_provider()
    request = world.book(offering=offering, slots=weekly(WED))
    entry = first_session(monday)
    wednesday = school_day(world, WED, entry.date)

    with pytest.raises(TransitionRefused) as info:
        move(world, entry, wednesday, dt.time(16, 30), dt.time(17, 30))
    assert info.value.code == "clash"
    entry.refresh_from_db()
    assert entry.date != wednesday and entry.moved_from is None

    transitions.run(request, "cancel", by=world.coordinator,
                    reason=BookingReason.PLAN_CHANGED)
    assert move(world, entry, wednesday).date == wednesday


def test_a_session_is_not_moved_to_a_time_its_person_is_named_for_elsewhere():
    world = World(people=2)
    monday = agreed_booking(world, MON, people=world.people[:1])
    school, venue = second_school(world)
    elsewhere = world.book(school=school, venue=venue, slots=weekly(WED))
    services.accept_booking(elsewhere, by=world.vendor, people=world.people[:1])
    entry = first_session(monday)

    with pytest.raises(TransitionRefused) as info:
        move(world, entry, school_day(world, WED, entry.date))
    assert info.value.code == "clash"


def test_a_session_is_not_moved_to_a_time_the_providers_people_are_all_booked():
    world = World(people=1)
    monday = agreed_booking(world, MON)
    school, venue = second_school(world)
    world.book(school=school, venue=venue, slots=weekly(WED))  # requested: no one named yet
    entry = first_session(monday)
    wednesday = school_day(world, WED, entry.date)

    with pytest.raises(TransitionRefused) as info:
        move(world, entry, wednesday)
    assert info.value.code == "clash" and "没有空闲人员" in info.value.message
    # Another hour that day is free.
    assert move(world, entry, wednesday, dt.time(17, 0), dt.time(18, 0)).date == wednesday


def test_a_person_named_for_an_accepted_booking_then_is_not_swapped_in():
    world = World(people=2)
    monday = agreed_booking(world, MON, people=world.people[:1])
    school, venue = second_school(world)
    elsewhere = world.book(school=school, venue=venue, slots=weekly(MON))
    services.accept_booking(elsewhere, by=world.vendor, people=world.people[1:])
    entry = first_session(monday)

    with pytest.raises(TransitionRefused) as info:
        schedule.swap_person(entry, by=world.coordinator, person=world.people[1],
                             reason="原老师外出培训")
    assert info.value.code == "clash"
    entry.refresh_from_db()
    assert entry.responsible == world.people[0]


# --- one human under two providers --------------------------------------------------------
def test_the_same_human_under_another_provider_is_a_person_clash_told_without_its_details():
    world = World()
    human = world.people[0]
    vendor, _, offering = another_provider()
    twin = PersonFactory(provider=offering.provider, id_number=human.id_number)
    BackgroundCheckFactory(person=twin, checked_on=timezone.localdate())
    school, venue = second_school(world)
    school.name = "城东第二小学"
    school.save()
    theirs = world.book(school=school, venue=venue, offering=offering)
    services.accept_booking(theirs, by=vendor, people=[twin])
    ours = world.book()

    with pytest.raises(TransitionRefused) as info:
        services.accept_booking(ours, by=world.vendor, people=[human])
    text = str(info.value)
    assert human.full_name in text
    for secret in (school.name, venue.name, offering.title, offering.provider.name,
                   twin.full_name, human.id_number, human.id_number[-6:]):
        assert secret not in text


def test_the_same_human_under_another_provider_is_not_swapped_in_at_their_time():
    world = World(people=2)
    monday = agreed_booking(world, MON, people=world.people[:1])
    vendor, _, offering = another_provider()
    twin = PersonFactory(provider=offering.provider, id_number=world.people[1].id_number)
    BackgroundCheckFactory(person=twin, checked_on=timezone.localdate())
    school, venue = second_school(world)
    theirs = world.book(school=school, venue=venue, offering=offering, slots=weekly(MON))
    services.accept_booking(theirs, by=vendor, people=[twin])
    entry = first_session(monday)

    def swap():
        return schedule.swap_person(entry, by=world.coordinator, person=world.people[1],
                                    reason="原老师外出培训")

    with pytest.raises(TransitionRefused) as info:  # their weekly slot
        swap()
    assert info.value.code == "clash"
    assert school.name not in str(info.value) and twin.id_number not in str(info.value)
    # Once agreed, their session at that time.
    Booking.objects.filter(pk=theirs.pk).update(state=BookingState.AGREED)
    theirs.refresh_from_db()
    schedule.generate(theirs)
    assert theirs.schedule.filter(date=entry.date, responsible=twin).exists()
    with pytest.raises(TransitionRefused):
        swap()


def test_the_same_human_under_another_provider_keeps_a_session_from_moving_onto_theirs():
    world = World()
    monday = agreed_booking(world, MON)
    vendor, _, offering = another_provider()
    twin = PersonFactory(provider=offering.provider, id_number=world.people[0].id_number)
    BackgroundCheckFactory(person=twin, checked_on=timezone.localdate())
    school, venue = second_school(world)
    theirs = world.book(school=school, venue=venue, offering=offering, slots=weekly(WED))
    services.accept_booking(theirs, by=vendor, people=[twin])
    Booking.objects.filter(pk=theirs.pk).update(state=BookingState.AGREED)
    theirs.refresh_from_db()
    schedule.generate(theirs)
    entry = first_session(monday)

    with pytest.raises(TransitionRefused) as info:
        move(world, entry, school_day(world, WED, entry.date), dt.time(16, 30),
             dt.time(17, 30))
    assert info.value.code == "clash"


# --- where a session may move ---------------------------------------------------------------
def test_a_session_stays_within_the_bookings_dates():
    world = World()
    booking = world.book(slots=weekly(MON),
                         last_date=world.term.starts_on + dt.timedelta(days=27))
    services.accept_booking(booking, by=world.vendor, people=world.people)
    Booking.objects.filter(pk=booking.pk).update(state=BookingState.AGREED)
    booking.refresh_from_db()
    schedule.generate(booking)
    entry = first_session(booking)
    after = school_day(world, WED, booking.last_date)

    with pytest.raises(TransitionRefused) as info:
        move(world, entry, after)
    assert info.value.code == "date"
    assert "上课期间" in info.value.message and f"{booking.last_date}" in info.value.message
    entry.refresh_from_db()
    assert entry.date != after
    assert move(world, entry, school_day(world, WED, entry.date)).moved_from


def test_a_session_is_not_moved_past_its_persons_check():
    world = World()
    monday = agreed_booking(world, MON)
    entry = first_session(monday)
    BackgroundCheck.objects.filter(person=world.people[0]).update(
        valid_until=entry.date + dt.timedelta(days=3))
    later = school_day(world, WED, entry.date + dt.timedelta(days=3))

    with pytest.raises(TransitionRefused) as info:
        move(world, entry, later)
    assert info.value.code == "check" and world.people[0].full_name in info.value.message
    assert move(world, entry, school_day(world, WED, entry.date - dt.timedelta(days=1)))


# --- a cancelled booking's sessions held before --------------------------------------------
def test_a_session_held_before_the_booking_was_cancelled_is_still_marked_and_paid():
    world = World()
    booking = agreed_booking(world, MON)
    held, later = booking.schedule.order_by("date")[:2]
    ScheduleEntry.objects.filter(pk=held.pk).update(
        date=timezone.localdate() - dt.timedelta(days=1))
    transitions.run(booking, "cancel", by=world.coordinator,
                    reason=BookingReason.PLAN_CHANGED)
    held.refresh_from_db()
    assert held.status == SessionStatus.PLANNED

    schedule.mark_delivery(held, by=world.coordinator, delivered=True)
    counted = schedule.with_counts(Booking.objects.filter(pk=booking.pk)).get()
    assert (counted.sessions_delivered, counted.amount_due) == (1, Decimal("150"))
    with pytest.raises(TransitionRefused):  # the later ones were cancelled with it
        schedule.mark_delivery(later, by=world.coordinator, delivered=True)


# --- queries ---------------------------------------------------------------------------------
def _queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def test_a_request_and_an_answer_cost_the_same_queries_for_one_slot_or_three():
    world = World(people=2)
    agreed_booking(world, MON)  # sessions and weekly slots to look through
    three = [Slot(2, FOUR, FIVE), Slot(4, FOUR, FIVE), Slot(5, FOUR, FIVE)]
    school, venue = second_school(world)
    other_school, other_venue = second_school(world)

    one = _queries(lambda: world.book(school=school, venue=venue, slots=[three[0]]))
    many = _queries(lambda: world.book(school=other_school, venue=other_venue, slots=three))
    assert many == one

    first, second = Booking.objects.filter(state=BookingState.REQUESTED).order_by("pk")
    one = _queries(lambda: services.accept_booking(first, by=world.vendor,
                                                   people=world.people[:1]))
    many = _queries(lambda: services.accept_booking(second, by=world.vendor,
                                                    people=world.people[1:]))
    assert many == one


# --- locks (PostgreSQL) ----------------------------------------------------------------------
def _locked(rows) -> dict[str, bool]:
    """Which of ``rows`` ((model, pk), ...) another connection finds locked now."""
    seen = {}

    def probe():
        try:
            for model, pk in rows:
                try:
                    with transaction.atomic():
                        list(model.objects.select_for_update(nowait=True, of=("self",))
                             .filter(pk=pk).order_by().values_list("pk", flat=True))
                    seen[model.__name__] = False
                except DatabaseError:
                    seen[model.__name__] = True
        finally:
            connection.close()

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join(timeout=60)
    return seen


def _rows(entry):
    booking = entry.booking
    return [(Provider, booking.offering.provider_id), (Venue, booking.venue_id),
            (School, booking.school_id), (Offering, booking.offering_id),
            (Booking, booking.pk), (ScheduleEntry, entry.pk)]


@pytest.fixture
def roles():
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    from marketplace.roles import sync_roles

    ContentType.objects.clear_cache()  # earlier transactional tests flushed the tables
    sync_roles(apps)


pg_only = pytest.mark.skipif(connection.vendor != "postgresql",
                             reason="row locks need PostgreSQL; SQLite locks the database")


@pg_only
@pytest.mark.django_db(transaction=True)
def test_marking_a_session_locks_its_booking_and_itself_not_the_provider(roles):
    world = World()
    booking = agreed_booking(world, MON)
    entry = first_session(booking)
    ScheduleEntry.objects.filter(pk=entry.pk).update(date=timezone.localdate())
    with transaction.atomic():
        schedule.mark_delivery(entry, by=world.coordinator, delivered=True)
        seen = _locked(_rows(entry))
    assert seen == {"Provider": False, "Venue": False, "School": False, "Offering": False,
                    "Booking": True, "ScheduleEntry": True}


@pg_only
@pytest.mark.django_db(transaction=True)
def test_moving_a_session_locks_the_provider_and_venue_as_a_request_does(roles):
    world = World()
    booking = agreed_booking(world, MON)
    entry = first_session(booking)
    with transaction.atomic():
        move(world, entry, school_day(world, WED, entry.date))
        seen = _locked(_rows(entry))
    assert seen == {"Provider": True, "Venue": True, "School": False, "Offering": False,
                    "Booking": True, "ScheduleEntry": True}
