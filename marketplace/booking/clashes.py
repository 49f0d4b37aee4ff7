"""Clash checks: a school venue, a provider's people and a provider's groups can each be
in one place at a time. A booking holds its weekly slots from the request until it is
declined, cancelled or completed (``workflows.booking.HOLDING``).

Callers hold the provider's row lock (and the venue's), so two requests cannot both see a
slot free: see ``marketplace.booking.services.request_booking``.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from marketplace.models import Booking, BookingSlot, Person


@dataclass(frozen=True)
class Slot:
    weekday: int
    starts_at: dt.time
    ends_at: dt.time

    def label(self) -> str:
        from marketplace.choices import Weekday

        return f"{Weekday(self.weekday).label} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


def _overlapping(slot: Slot) -> Q:
    return Q(weekday=slot.weekday, starts_at__lt=slot.ends_at, ends_at__gt=slot.starts_at)


def _holding_between(first: dt.date, last: dt.date, exclude: int | None):
    bookings = Booking.objects.holding().filter(first_date__lte=last, last_date__gte=first)
    return bookings.exclude(pk=exclude) if exclude else bookings


def venue_clashes(venue, slots: list[Slot], first: dt.date, last: dt.date, *,
                  exclude: int | None = None) -> list[str]:
    if venue is None:
        return []
    bookings = _holding_between(first, last, exclude).filter(venue=venue)
    messages = []
    for slot in slots:
        other = (BookingSlot.objects.filter(_overlapping(slot), booking__in=bookings)
                 .select_related("booking__offering").first())
        if other:
            messages.append(_("%(venue)s is already booked on %(slot)s (%(offering)s).") % {
                "venue": venue.name, "slot": slot.label(),
                "offering": other.booking.offering.title})
    return messages


def cleared_people(provider, until: dt.date):
    """The provider's people who may enter schools until ``until``."""
    return [p for p in provider.active_people().filter(barred=False).prefetch_related("checks")
            if p.cleared_until(until)]


def staffing_clashes(provider, slots: list[Slot], first: dt.date, last: dt.date, *,
                     exclude: int | None = None) -> list[str]:
    """A provider can run as many groups at once as it has cleared people."""
    staff = len(cleared_people(provider, last))
    bookings = _holding_between(first, last, exclude).filter(offering__provider=provider)
    messages = []
    for slot in slots:
        busy = (BookingSlot.objects.filter(_overlapping(slot), booking__in=bookings)
                .values("booking").distinct().count())
        if busy >= staff:
            messages.append(_(
                "The provider has no free person on %(slot)s: its %(n)s cleared people are "
                "all booked then. Choose another time.") % {"slot": slot.label(), "n": staff})
    return messages


def person_clashes(people: list[Person], slots: list[Slot], first: dt.date, last: dt.date, *,
                   exclude: int | None = None) -> list[str]:
    """A person cannot be in two places at overlapping times (across schools)."""
    messages = []
    for person in people:
        bookings = _holding_between(first, last, exclude).filter(people=person)
        for slot in slots:
            if BookingSlot.objects.filter(_overlapping(slot), booking__in=bookings).exists():
                messages.append(_("%(name)s is already booked on %(slot)s at another "
                                  "school or group.") % {"name": person.full_name,
                                                         "slot": slot.label()})
    return messages


def slots_of(booking) -> list[Slot]:
    return [Slot(s.weekday, s.starts_at, s.ends_at) for s in booking.slots.all()]
