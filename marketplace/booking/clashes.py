"""Clash checks: a school venue, a provider's people and a provider's groups can each be
in one place at a time. A booking holds its weekly slots from the request until it is
declined, cancelled or completed (``workflows.booking.HOLDING``); once both sides have
signed, its planned sessions (``ScheduleEntry``) say where it is on each day, including
a session the coordinator moved to another day or time.

A person is one human however many providers list them: people are compared by the
digest of their identity number (``Person.id_number_digest``), never by row. Refusals
name the person of the asking side and the time, nothing of the other booking.

Callers hold the provider's row lock (and the venue's), so two requests cannot both see a
slot free: see ``marketplace.booking.services.request_booking`` and
``marketplace.booking.schedule``.
"""

import datetime as dt
import operator
from dataclasses import dataclass
from functools import reduce

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from marketplace.booking import calendar
from marketplace.models import Booking, BookingSlot, DayOff, Person, ScheduleEntry, SessionStatus
from workflows.booking import HOLDING


@dataclass(frozen=True)
class Slot:
    weekday: int
    starts_at: dt.time
    ends_at: dt.time

    def label(self) -> str:
        from marketplace.choices import Weekday

        return f"{Weekday(self.weekday).label} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    def overlaps(self, weekday: int | None, starts_at: dt.time, ends_at: dt.time) -> bool:
        return weekday == self.weekday and starts_at < self.ends_at and ends_at > self.starts_at


def _overlapping(slot: Slot) -> Q:
    return Q(weekday=slot.weekday, starts_at__lt=slot.ends_at, ends_at__gt=slot.starts_at)


def _any_overlapping(slots: list[Slot]) -> Q:
    """Callers pass at least one slot."""
    return reduce(operator.or_, [_overlapping(slot) for slot in slots])


def _holding_between(first: dt.date, last: dt.date, exclude: int | None):
    bookings = Booking.objects.holding().filter(first_date__lte=last, last_date__gte=first)
    return bookings.exclude(pk=exclude) if exclude else bookings


class _Days:
    """The school days from ``first`` to ``last`` by the national calendar, each with the
    weekday whose timetable it follows (a make-up Saturday follows the weekday it pays
    for). Local days off are left to the session query (``_sessions_meeting``)."""

    def __init__(self, first: dt.date, last: dt.date):
        self.weekdays: dict[dt.date, int] = {}
        day = first
        while day <= last:
            weekday = calendar.timetable_weekday(day)
            if weekday is not None:
                self.weekdays[day] = weekday
            day += dt.timedelta(days=1)

    def of(self, slot: Slot) -> list[dt.date]:
        return [day for day, weekday in self.weekdays.items() if weekday == slot.weekday]

    def meets(self, slot: Slot, day: dt.date, starts_at: dt.time, ends_at: dt.time) -> bool:
        """Whether a session on ``day`` from ``starts_at`` to ``ends_at`` meets ``slot``."""
        return slot.overlaps(self.weekdays.get(day), starts_at, ends_at)


def _sessions_meeting(slots: list[Slot], days: _Days, *, exclude: int | None, school=None):
    """Planned sessions of other bookings on a day one of ``slots`` meets (between the
    request's dates, not a local day off of ``school`` or of the district) at an
    overlapping time. One query, whatever the number of slots."""
    conditions = [Q(date__in=dates, starts_at__lt=slot.ends_at, ends_at__gt=slot.starts_at)
                  for slot in slots if (dates := days.of(slot))]
    if not conditions:
        return ScheduleEntry.objects.none()
    off = DayOff.objects.filter(date=OuterRef("date"))
    off = off.filter(Q(school__isnull=True) | Q(school=school)) if school else \
        off.filter(school__isnull=True)
    sessions = ScheduleEntry.objects.filter(reduce(operator.or_, conditions),
                                            status=SessionStatus.PLANNED) \
        .exclude(Exists(off))
    return sessions.exclude(booking_id=exclude) if exclude else sessions


# --- a request over a term: weekly slots between two dates ------------------------------
def venue_clashes(venue, slots: list[Slot], first: dt.date, last: dt.date, *,
                  exclude: int | None = None) -> list[str]:
    if venue is None or not slots:
        return []
    held = list(BookingSlot.objects.filter(
        _any_overlapping(slots), booking__in=_holding_between(first, last, exclude)
        .filter(venue=venue)).order_by("weekday", "starts_at", "pk")
        .values_list("weekday", "starts_at", "ends_at", "booking__offering__title"))
    days = _Days(first, last)
    moved = list(_sessions_meeting(slots, days, exclude=exclude, school=venue.school_id)
                 .filter(booking__venue=venue).order_by("date", "starts_at", "pk")
                 .values_list("date", "starts_at", "ends_at", "booking__offering__title"))
    messages = []
    for slot in slots:
        titles = [t for w, s, e, t in held if slot.overlaps(w, s, e)] + \
            [t for d, s, e, t in moved if days.meets(slot, d, s, e)]
        if titles:
            messages.append(_("%(venue)s is already booked on %(slot)s (%(offering)s).") % {
                "venue": venue.name, "slot": slot.label(), "offering": titles[0]})
    return messages


def cleared_people(provider, until: dt.date):
    """The provider's people who may enter schools until ``until``."""
    return [p for p in provider.active_people().filter(barred=False).prefetch_related("checks")
            if p.cleared_until(until)]


def staffing_clashes(provider, slots: list[Slot], first: dt.date, last: dt.date, *,
                     exclude: int | None = None) -> list[str]:
    """A provider can run as many groups at once as it has cleared people. A group is a
    booking holding an overlapping weekly slot or, on one day, a booking with a session
    there (moved there, or its own slot's session: each booking counts once)."""
    if not slots:
        return []
    staff = len(cleared_people(provider, last))
    held = list(BookingSlot.objects.filter(
        _any_overlapping(slots), booking__in=_holding_between(first, last, exclude)
        .filter(offering__provider=provider))
        .values_list("booking_id", "weekday", "starts_at", "ends_at"))
    days = _Days(first, last)
    moved = list(_sessions_meeting(slots, days, exclude=exclude)
                 .filter(booking__offering__provider=provider)
                 .values_list("booking_id", "date", "starts_at", "ends_at"))
    messages = []
    for slot in slots:
        weekly = {b for b, w, s, e in held if slot.overlaps(w, s, e)}
        on_day: dict[dt.date, set[int]] = {}
        for b, d, s, e in moved:
            if b not in weekly and days.meets(slot, d, s, e):
                on_day.setdefault(d, set()).add(b)
        busy = len(weekly) + max((len(ids) for ids in on_day.values()), default=0)
        if busy >= staff:
            messages.append(_(
                "The provider has no free person on %(slot)s: its %(n)s cleared people are "
                "all booked then. Choose another time.") % {"slot": slot.label(), "n": staff})
    return messages


def person_clashes(people: list[Person], slots: list[Slot], first: dt.date, last: dt.date, *,
                   exclude: int | None = None) -> list[str]:
    """A person cannot be in two places at overlapping times (across schools, and across
    providers that both list them)."""
    digests = {p.id_number_digest for p in people}
    if not digests or not slots:
        return []
    held = list(BookingSlot.objects.filter(
        _any_overlapping(slots), booking__in=_holding_between(first, last, exclude)
        .filter(people__id_number_digest__in=digests))
        .values_list("booking__people__id_number_digest", "weekday", "starts_at", "ends_at"))
    days = _Days(first, last)
    moved = list(_sessions_meeting(slots, days, exclude=exclude)
                 .filter(responsible__id_number_digest__in=digests)
                 .values_list("responsible__id_number_digest", "date", "starts_at", "ends_at"))
    messages = []
    for person in people:
        digest = person.id_number_digest
        for slot in slots:
            if any(p == digest and slot.overlaps(w, s, e) for p, w, s, e in held) or \
                    any(p == digest and days.meets(slot, d, s, e) for p, d, s, e in moved):
                messages.append(_("%(name)s is already booked on %(slot)s at another "
                                  "school or group.") % {"name": person.full_name,
                                                         "slot": slot.label()})
    return messages


def slots_of(booking) -> list[Slot]:
    return [Slot(s.weekday, s.starts_at, s.ends_at) for s in booking.slots.all()]


# --- one session: a day and a time ---------------------------------------------------------
def _sessions_on(day: dt.date, starts_at: dt.time, ends_at: dt.time, *, entry):
    """Planned sessions other than ``entry`` on ``day`` at an overlapping time."""
    return ScheduleEntry.objects.filter(
        date=day, starts_at__lt=ends_at, ends_at__gt=starts_at,
        status=SessionStatus.PLANNED).exclude(pk=entry.pk)


def _slots_on(day: dt.date, starts_at: dt.time, ends_at: dt.time, *, entry):
    """Weekly slots meeting on ``day`` at an overlapping time of the holding bookings
    that have no sessions yet (requested or accepted): those with sessions are where
    their sessions are (``_sessions_on``)."""
    weekday = calendar.timetable_weekday(day)
    if weekday is None:
        return BookingSlot.objects.none()
    scheduled = ScheduleEntry.objects.filter(booking=OuterRef("booking"))
    off = DayOff.objects.filter(Q(school=OuterRef("booking__school")) | Q(school__isnull=True),
                                date=day)
    return (BookingSlot.objects.filter(
        weekday=weekday, starts_at__lt=ends_at, ends_at__gt=starts_at,
        booking__state__in=HOLDING, booking__first_date__lte=day,
        booking__last_date__gte=day)
        .exclude(booking_id=entry.booking_id).exclude(Exists(scheduled)).exclude(Exists(off)))


def venue_taken(venue_id: int | None, day: dt.date, starts_at: dt.time, ends_at: dt.time, *,
                entry) -> bool:
    """Whether the school venue is used by another session or held by a booking's weekly
    slot then (``entry`` being moved there)."""
    if venue_id is None:
        return False
    return (_sessions_on(day, starts_at, ends_at, entry=entry)
            .filter(booking__venue_id=venue_id).exists()
            or _slots_on(day, starts_at, ends_at, entry=entry)
            .filter(booking__venue_id=venue_id).exists())


def person_taken(person: Person, day: dt.date, starts_at: dt.time, ends_at: dt.time, *,
                 entry) -> bool:
    """Whether ``person`` (whichever provider lists them) is responsible for another
    session then or named for a booking holding a weekly slot then."""
    digest = person.id_number_digest
    return (_sessions_on(day, starts_at, ends_at, entry=entry)
            .filter(responsible__id_number_digest=digest).exists()
            or _slots_on(day, starts_at, ends_at, entry=entry)
            .filter(booking__people__id_number_digest=digest).exists())


def groups_at(provider, day: dt.date, starts_at: dt.time, ends_at: dt.time, *,
              entry) -> int:
    """How many other groups of ``provider`` meet then: its sessions and its bookings
    holding a weekly slot then without sessions yet."""
    return (_sessions_on(day, starts_at, ends_at, entry=entry)
            .filter(booking__offering__provider=provider).count()
            + _slots_on(day, starts_at, ends_at, entry=entry)
            .filter(booking__offering__provider=provider)
            .values("booking").distinct().count())
