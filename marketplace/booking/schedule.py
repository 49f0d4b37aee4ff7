"""The term schedule (排片表): one entry per session, made when both sides have signed.

Each weekly slot meets on every school day of its weekday between the booking's first
and last date (``marketplace.booking.calendar``: holidays skipped, make-up days counted).
The coordinator may cancel or move one session, or swap in another cleared person, each
with a reason; after a session it is marked delivered or not. Fees are delivered
sessions × the agreed price.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.booking import calendar, clashes
from marketplace.booking.clashes import cleared_people
from marketplace.models import Booking, Provider, ScheduleEntry, SessionStatus, Venue
from workflows.booking import BookingState
from workflows.transitions import TransitionRefused, record

#: Booking states whose sessions the schedule shows.
SCHEDULED = (BookingState.AGREED, BookingState.ACTIVE, BookingState.COMPLETED,
             BookingState.CANCELLED)
#: Booking states whose sessions already held are still marked delivered or not.
MARKABLE = SCHEDULED


def generate(booking: Booking) -> int:
    """Create the booking's sessions (once; a second call adds nothing)."""
    if booking.schedule.exists():
        return 0
    people = list(booking.people.order_by("full_name"))
    if not people:
        return 0
    offering = booking.offering
    entries = []
    for slot in booking.slots.all():
        for day in calendar.session_dates(booking.school, booking.first_date, booking.last_date,
                                          slot.weekday):
            entries.append(ScheduleEntry(
                booking=booking, date=day, starts_at=slot.starts_at, ends_at=slot.ends_at,
                content=offering.title[:200], venue=booking.place[:120],
                form=str(offering.get_delivery_display())[:64], responsible=people[0],
            ))
    ScheduleEntry.objects.bulk_create(entries)
    return len(entries)


#: Booking states whose sessions can be cancelled, moved or given another person.
RUNNING = (BookingState.AGREED, BookingState.ACTIVE)


def _lock_session(entry: ScheduleEntry, user, *, allowed=(SessionStatus.PLANNED,),
                  booking_states=RUNNING, clash_checked=False):
    """Lock ``entry`` for a change by ``user``, a coordinator of its school, and return it
    fresh with its booking (its school, term and offering's provider read along).

    Rows are locked in the order used elsewhere, each lock naming its own row only
    (``of=("self",)``: on PostgreSQL a plain FOR UPDATE with ``select_related`` also
    locks every joined row, such as the provider, which a suspension locks before the
    bookings). With ``clash_checked`` (a move or another person) the provider and then
    the school venue come first, as in ``services.request_booking``, so a request and a
    move for the same time are serialised; then the booking, as ``transitions.run``
    locks it before its receivers change the sessions; then the session."""
    if not getattr(user, "pk", None):
        raise PermissionDenied
    parties = (Booking.objects.filter(pk=entry.booking_id, school__coordinators=user)
               .values_list("offering__provider_id", "venue_id").first())
    if parties is None:
        raise PermissionDenied
    if clash_checked:
        provider_id, venue_id = parties
        # Unordered: a venue is ordered by its school, a join FOR UPDATE would lock too.
        for model, pk in ((Provider, provider_id), (Venue, venue_id)):
            if pk is not None:
                list(model.objects.select_for_update(of=("self",)).filter(pk=pk).order_by()
                     .values_list("pk", flat=True))
    booking = (Booking.objects.select_for_update(of=("self",))
               .select_related("school", "term", "offering__provider")
               .get(pk=entry.booking_id))
    locked = (ScheduleEntry.objects.select_for_update(of=("self",))
              .select_related("responsible").get(pk=entry.pk))
    locked.booking = booking
    if locked.status not in allowed:
        raise TransitionRefused(_("This session is already “%(status)s”.") % {
            "status": locked.get_status_display()}, code="wrong_state")
    if booking.state not in booking_states:
        raise TransitionRefused(_("This booking is “%(state)s”: its sessions cannot change.")
                                % {"state": booking.get_state_display()},
                                code="wrong_state")
    return locked


def _refuse_unless_cleared(person, provider, day: dt.date, cleared=None) -> None:
    """Refuse unless ``person`` is one of the provider's people with a cleared background
    check valid on ``day`` (``cleared``: ``cleared_people(provider, day)`` if known)."""
    if cleared is None:
        cleared = cleared_people(provider, day)
    if person.pk not in {p.pk for p in cleared}:
        raise TransitionRefused(_("%(name)s has no cleared background check valid on "
                                  "that day.") % {"name": person.full_name}, code="check")


def _need_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise TransitionRefused(_("Give a reason."), code="reason_required")
    if len(reason) > 200:
        raise TransitionRefused(_("At most 200 characters."), code="reason_too_long")
    return reason


def cancel_session(entry: ScheduleEntry, *, by, reason: str) -> ScheduleEntry:
    reason = _need_reason(reason)
    with transaction.atomic():
        entry = _lock_session(entry, by)
        if entry.date < timezone.localdate():
            raise TransitionRefused(_("A past session is marked delivered or not, not "
                                      "cancelled."), code="past")
        _set_status(entry, SessionStatus.CANCELLED, by=by, reason=reason)
        record(entry.booking, "session_cancelled", by=by, item=f"{entry.date:%Y-%m-%d}",
               comment=reason)
    return entry


def move_session(entry: ScheduleEntry, *, by, date: dt.date, starts_at: dt.time,
                 ends_at: dt.time, reason: str) -> ScheduleEntry:
    """Move a planned session to another school day or time within the booking's dates.
    The venue, the responsible person (under whichever provider) and the provider's
    people must be free then: other sessions, and the weekly slots of bookings that have
    no sessions yet (requested or accepted), count."""
    reason = _need_reason(reason)
    with transaction.atomic():
        entry = _lock_session(entry, by, clash_checked=True)
        booking = entry.booking
        if not booking.term.starts_on <= date <= booking.term.ends_on:
            raise TransitionRefused(_("The new date lies outside the term."), code="date")
        first, last = booking.first_date or booking.term.starts_on, \
            booking.last_date or booking.term.ends_on
        if not first <= date <= last:
            raise TransitionRefused(_("The new date lies outside the booking's dates "
                                      "(%(first)s – %(last)s).") % {"first": first,
                                                                    "last": last},
                                    code="date")
        if date < timezone.localdate():
            raise TransitionRefused(_("A session cannot be moved into the past."), code="date")
        if calendar.timetable_weekday(date) is None or \
                date in calendar.local_days_off(booking.school, date, date):
            raise TransitionRefused(_("There is no school on %(date)s.") % {"date": date},
                                    code="date")
        if ends_at <= starts_at:
            raise TransitionRefused(_("A session must end after it starts."), code="time")
        from workflows import policy

        latest = policy.service_end(booking.grade_from)
        if ends_at > latest:
            raise TransitionRefused(_("After-school service for these grades must end by "
                                      "%(time)s.") % {"time": latest.strftime("%H:%M")},
                                    code="time")
        provider = booking.offering.provider
        cleared = cleared_people(provider, date)
        _refuse_unless_cleared(entry.responsible, provider, date, cleared)
        if clashes.venue_taken(booking.venue_id, date, starts_at, ends_at, entry=entry) or \
                clashes.person_taken(entry.responsible, date, starts_at, ends_at, entry=entry):
            raise TransitionRefused(_("The venue or the responsible person is taken at that "
                                      "time."), code="clash")
        if clashes.groups_at(provider, date, starts_at, ends_at, entry=entry) >= len(cleared):
            raise TransitionRefused(_(
                "The provider has no free person on %(slot)s: its %(n)s cleared people are "
                "all booked then. Choose another time.") % {
                "slot": f"{date:%Y-%m-%d} {starts_at:%H:%M}–{ends_at:%H:%M}",
                "n": len(cleared)}, code="clash")
        old = entry.date
        entry.moved_from = entry.moved_from or old
        entry.date, entry.starts_at, entry.ends_at = date, starts_at, ends_at
        _set_status(entry, SessionStatus.PLANNED, by=by, reason=reason,
                    extra=["date", "starts_at", "ends_at", "moved_from"])
        record(booking, "session_moved", by=by,
               item=f"{old:%Y-%m-%d} → {date:%Y-%m-%d} {starts_at:%H:%M}", comment=reason)
    return entry


def swap_person(entry: ScheduleEntry, *, by, person, reason: str) -> ScheduleEntry:
    reason = _need_reason(reason)
    with transaction.atomic():
        entry = _lock_session(entry, by, clash_checked=True)
        _refuse_unless_cleared(person, entry.booking.offering.provider, entry.date)
        if clashes.person_taken(person, entry.date, entry.starts_at, entry.ends_at,
                                entry=entry):
            raise TransitionRefused(_("%(name)s is booked elsewhere at that time.") % {
                "name": person.full_name}, code="clash")
        entry.responsible = person
        _set_status(entry, SessionStatus.PLANNED, by=by, reason=reason, extra=["responsible"])
        record(entry.booking, "session_person_changed", by=by,
               item=f"{entry.date:%Y-%m-%d} {person.full_name}", comment=reason)
    return entry


def mark_delivery(entry: ScheduleEntry, *, by, delivered: bool, reason: str = "") -> ScheduleEntry:
    if not delivered:
        reason = _need_reason(reason)
    with transaction.atomic():
        # A completed or cancelled booking's sessions held until then are still marked:
        # the last one is over only the day the booking completes, a cancellation leaves
        # those already held (later ones are cancelled, or lie in the future), and the fee
        # counts what was delivered.
        entry = _lock_session(entry, by, allowed=(SessionStatus.PLANNED,
                                                  SessionStatus.DELIVERED,
                                                  SessionStatus.NOT_DELIVERED),
                              booking_states=MARKABLE)
        if entry.date > timezone.localdate():
            raise TransitionRefused(_("A session is marked after it took place."),
                                    code="future")
        status = SessionStatus.DELIVERED if delivered else SessionStatus.NOT_DELIVERED
        _set_status(entry, status, by=by, reason=reason.strip())
        record(entry.booking, f"session_{status}", by=by, item=f"{entry.date:%Y-%m-%d}",
               comment=reason.strip())
    return entry


def _set_status(entry, status, *, by, reason, extra=()):
    entry.status, entry.status_reason = status, reason
    entry.status_by, entry.status_at = by, timezone.now()
    entry.save(update_fields=["status", "status_reason", "status_by", "status_at", *extra])


AMOUNT = DecimalField(max_digits=12, decimal_places=2)


def with_counts(bookings):
    """Annotate bookings with sessions planned / delivered / not delivered / cancelled
    and the amount due (delivered × agreed price)."""
    return bookings.annotate(
        sessions_total=Count("schedule"),
        sessions_planned=Count("schedule", filter=Q(schedule__status=SessionStatus.PLANNED)),
        sessions_delivered=Count("schedule",
                                 filter=Q(schedule__status=SessionStatus.DELIVERED)),
        sessions_missed=Count("schedule",
                              filter=Q(schedule__status=SessionStatus.NOT_DELIVERED)),
        sessions_cancelled=Count("schedule",
                                 filter=Q(schedule__status=SessionStatus.CANCELLED)),
    ).annotate(amount_due=ExpressionWrapper(F("sessions_delivered") * F("price_per_session"),
                                            output_field=AMOUNT))


def term_total(bookings) -> Decimal:
    total = ScheduleEntry.objects.filter(
        booking__in=bookings, status=SessionStatus.DELIVERED,
    ).aggregate(total=Sum(F("booking__price_per_session"), output_field=AMOUNT))["total"]
    return total or Decimal("0")


def sessions_for(bookings, first: dt.date | None = None, last: dt.date | None = None):
    """The sessions of ``bookings`` (those the schedule shows), by date and time.

    The bookings are read first and named by id. As a subquery they would be the ninth
    relation of this query, past PostgreSQL's ``join_collapse_limit`` (8): the planner
    then joins every session of the district before keeping a coordinator's few."""
    ids = list(bookings.filter(state__in=SCHEDULED).values_list("pk", flat=True))
    entries = (ScheduleEntry.objects.filter(booking_id__in=ids)
               .select_related("booking__school", "booking__offering__provider",
                               "responsible")
               .order_by("date", "starts_at", "pk"))
    if first:
        entries = entries.filter(date__gte=first)
    if last:
        entries = entries.filter(date__lte=last)
    return entries


# --- the list by month --------------------------------------------------------------------
def term_months(term) -> list[dt.date]:
    """The first day of each calendar month the term touches, in order."""
    if term is None:
        return []
    months, month = [], term.starts_on.replace(day=1)
    while month <= term.ends_on:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def month_in_term(term, wanted: dt.date | None, today: dt.date) -> dt.date | None:
    """The month the list shows: ``wanted`` moved into the term (the nearest end), or
    without it the month of ``today`` when the term runs, else its first or last month."""
    months = term_months(term)
    if not months:
        return None
    day = wanted or today
    if wanted is None and not term.starts_on <= today <= term.ends_on:
        day = term.starts_on if today < term.starts_on else term.ends_on
    return min(max(day.replace(day=1), months[0]), months[-1])


def month_span(term, month: dt.date) -> tuple[dt.date, dt.date]:
    """The days of ``month`` inside the term."""
    following = (month + dt.timedelta(days=32)).replace(day=1)
    return max(month, term.starts_on), min(following - dt.timedelta(days=1), term.ends_on)
