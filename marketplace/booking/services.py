"""What coordinators and vendors do with bookings: request, accept, decline, cancel.

Every state change goes through ``workflows.transitions.run``; the checks that need
other rows (clashes, staffing) run here under row locks taken in one order — the
provider, then the school venue — so concurrent requests for the last free slot are
serialised and exactly one gets it.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.booking import calendar, clashes
from marketplace.booking.clashes import Slot
from marketplace.choices import Delivery, ProviderKind, SchoolLevel, VerificationState
from marketplace.models import Booking, BookingSlot, Person, Provider, Venue
from workflows import policy, transitions
from workflows.admission import AdmissionState
from workflows.booking import BookingState
from workflows.transitions import TransitionRefused, record

logger = logging.getLogger(__name__)


@dataclass
class Request:
    """What a coordinator asks for (the booking form's cleaned data)."""

    school: object
    offering: object
    term: object
    grade_from: int
    grade_to: int
    student_count: int
    price_per_session: Decimal
    first_date: dt.date
    last_date: dt.date
    slots: list[Slot]
    venue: Venue | None = None
    delivery: str = Delivery.IN_SCHOOL
    note: str = ""


#: Grades a school teaches, by level (grades 7–9 are 初一–初三).
LEVEL_GRADES = {SchoolLevel.PRIMARY: (1, 6), SchoolLevel.JUNIOR: (7, 9),
                SchoolLevel.NINE_YEAR: (1, 9)}


def is_coordinator_of(user, school) -> bool:
    return bool(user.is_authenticated and school.coordinators.filter(pk=user.pk).exists())


def bookable(offering) -> bool:
    """Whether schools can book ``offering`` now: listed provider, content verified,
    not withdrawn."""
    return (offering.provider.state == AdmissionState.LISTED
            and offering.review == VerificationState.VERIFIED and offering.withdrawn_at is None)


def check_request(req: Request, *, today: dt.date | None = None) -> dict[str, list[str]]:
    """Field → messages for everything wrong with ``req`` that needs no lock. ``today``
    is the day the request is made on (the demo seed replays past terms)."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(str(message))

    offering, term = req.offering, req.term
    if not bookable(offering):
        add("__all__", _("This offering cannot be booked: its provider is not on the public "
                         "list or the offering is not available."))
    if req.grade_from > req.grade_to:
        add("grade_to", _("The last grade must not be below the first grade."))
    low, high = LEVEL_GRADES.get(req.school.level, (1, 9))
    if req.grade_from < low or req.grade_to > high:
        add("grade_from", _("%(school)s teaches grades %(low)s–%(high)s.") % {
            "school": req.school.name, "low": low, "high": high})
    if req.grade_from < offering.grade_from or req.grade_to > offering.grade_to:
        add("grade_from", _("This offering is for %(grades)s.") % {
            "grades": offering.grades_display})
    if req.student_count > offering.capacity:
        add("student_count", _("This offering takes at most %(n)s students per group.") % {
            "n": offering.capacity})
    if req.delivery != offering.delivery:
        add("delivery", _("This offering is given “%(delivery)s”; it cannot be booked as "
                          "“%(asked)s”.") % {"delivery": offering.get_delivery_display(),
                                             "asked": Delivery(req.delivery).label})
    if req.delivery == Delivery.AT_VENUE:
        if req.venue is not None:
            add("venue", _("Students go to the provider's venue: leave the school venue "
                           "empty."))
    elif req.venue is None:
        add("venue", _("Choose the room or ground in the school."))
    elif req.venue.school_id != req.school.pk:
        add("venue", _("This venue belongs to another school."))
    elif req.venue.capacity and req.student_count > req.venue.capacity:
        add("student_count", _("%(venue)s holds at most %(n)s students.") % {
            "venue": req.venue.name, "n": req.venue.capacity})
    _check_price(req, add)
    if not (term.starts_on <= req.first_date <= req.last_date <= term.ends_on):
        add("last_date", _("The dates must lie inside the term (%(start)s – %(end)s), the "
                           "first not after the last.") % {
            "start": term.starts_on, "end": term.ends_on})
    elif req.first_date < (today or timezone.localdate()):
        add("first_date", _("The first date may not be in the past."))
    if not req.slots:
        add("slots", _("Add at least one weekly time slot."))
    latest = policy.service_end(req.grade_from)
    for slot in req.slots:
        if slot.ends_at <= slot.starts_at:
            add("slots", _("%(slot)s: a slot must end after it starts.") % {
                "slot": slot.label()})
        elif slot.ends_at > latest:
            add("slots", _("%(slot)s: after-school service for grades %(grades)s must end by "
                           "%(time)s.") % {"slot": slot.label(), "time": latest.strftime("%H:%M"),
                                           "grades": f"{req.grade_from}–{req.grade_to}"})
    if len(set(req.slots)) != len(req.slots):
        add("slots", _("The same slot is listed twice."))
    elif any(a.weekday == b.weekday and a.starts_at < b.ends_at and b.starts_at < a.ends_at
             for i, a in enumerate(req.slots) for b in req.slots[i + 1:]):
        add("slots", _("Two of the slots overlap on the same day."))
    if not errors.get("last_date") and req.slots and not any(
            calendar.session_dates(req.school, req.first_date, req.last_date, s.weekday)
            for s in req.slots):
        add("slots", _("No school day between these dates falls on these weekdays."))
    return errors


def _check_price(req: Request, add) -> None:
    offering, price = req.offering, req.price_per_session
    if price > offering.price_per_session:
        add("price_per_session", _("The price may not exceed the offering's %(price)s yuan "
                                   "per session.") % {"price": offering.price_per_session})
    if offering.provider.kind == ProviderKind.PROFESSIONAL and \
            price > policy.professional_fee_cap():
        add("price_per_session", _("External professionals may charge at most %(cap)s yuan "
                                   "per session.") % {"cap": policy.professional_fee_cap()})
    in_term = req.term.starts_on <= req.first_date <= req.last_date <= req.term.ends_on
    if offering.price_per_student_term is not None and req.slots and req.student_count and \
            in_term:
        sessions = sum(len(calendar.session_dates(req.school, req.first_date, req.last_date,
                                                  s.weekday)) for s in req.slots)
        per_student = price * sessions / req.student_count
        cap = policy.personalised_course_cap()
        if per_student > cap:
            add("price_per_session", _(
                "Parents would pay %(amount).0f yuan per student this term (%(sessions)s "
                "sessions); the cap is %(cap)s yuan.") % {
                "amount": per_student, "sessions": sessions, "cap": cap})


def request_booking(req: Request, *, by, today: dt.date | None = None) -> Booking:
    """Record a coordinator's booking request, or raise ``ValidationError`` (field →
    messages) naming everything that stands in the way."""
    if not is_coordinator_of(by, req.school):
        raise PermissionDenied
    errors = check_request(req, today=today)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=req.offering.provider_id)
        if req.venue is not None:
            Venue.objects.select_for_update(of=("self",)).order_by().filter(
                pk=req.venue.pk).first()
        if provider.state != AdmissionState.LISTED:
            raise ValidationError({"__all__": [_("The provider is no longer on the public "
                                                 "list.")]})
        taken = (clashes.venue_clashes(req.venue, req.slots, req.first_date, req.last_date)
                 + clashes.staffing_clashes(provider, req.slots, req.first_date,
                                            req.last_date))
        if taken:
            raise ValidationError({"slots": taken})
        booking = Booking.objects.create(
            school=req.school, offering=req.offering, term=req.term, delivery=req.delivery,
            venue=req.venue, place=_place(req), grade_from=req.grade_from,
            grade_to=req.grade_to, student_count=req.student_count,
            price_per_session=req.price_per_session, first_date=req.first_date,
            last_date=req.last_date, requested_by=by, note=req.note,
        )
        BookingSlot.objects.bulk_create([
            BookingSlot(booking=booking, weekday=s.weekday, starts_at=s.starts_at,
                        ends_at=s.ends_at) for s in req.slots])
        entry = record(booking, "requested", by=by, comment=req.note)
        from marketplace.booking.receivers import booking_requested

        booking_requested(booking, entry)
    logger.info("Booking %s requested by %s", booking.pk, by.pk)
    return booking


def _place(req: Request) -> str:
    if req.venue is not None:
        return f"{req.school.name} {req.venue.name}"
    return req.offering.provider.address or req.offering.provider.name


def accept_booking(booking: Booking, *, by, people: list[Person], comment: str = "",
                   expected_state: str | None = BookingState.REQUESTED,
                   today: dt.date | None = None) -> Booking:
    """The provider accepts and names who will come; each must be cleared until the last
    session and free at those times. A request whose first date has passed is no longer
    accepted: the school asks again with new dates. ``today`` is the day of the answer
    (the demo seed replays past terms)."""
    provider = booking.offering.provider
    if provider.owner_id != getattr(by, "pk", None):
        raise PermissionDenied
    if booking.first_date and booking.first_date < (today or timezone.localdate()):
        raise TransitionRefused(_("The first date of this request (%(date)s) has passed. "
                                  "Decline it; the school can ask again with new dates.")
                                % {"date": booking.first_date}, code="first_date_passed")
    if not people:
        raise TransitionRefused(_("Choose at least one responsible person."),
                                code="people_required")
    if any(p.provider_id != provider.pk or p.removed_at is not None for p in people):
        raise TransitionRefused(_("Choose people of your own organisation."), code="people")
    with transaction.atomic():
        Provider.objects.select_for_update().filter(pk=provider.pk).first()
        slots = clashes.slots_of(booking)
        busy = clashes.person_clashes(people, slots, booking.first_date, booking.last_date,
                                      exclude=booking.pk)
        if busy:
            raise TransitionRefused(_("This action cannot be taken yet."), code="guard",
                                    reasons=busy)
        booking.people.set(people)
        return transitions.run(booking, "accept", by=by, comment=comment,
                               expected_state=expected_state)


def cancel_remaining_sessions(booking: Booking, *, by, reason: str) -> int:
    """Cancel the booking's sessions that have not begun (after it was cancelled); those
    already held stay for the school to mark, so the fee counts them."""
    from django.db.models import Q

    from marketplace.models import SessionStatus

    now = timezone.localtime()
    return booking.schedule.filter(
        Q(date__gt=now.date()) | Q(date=now.date(), starts_at__gt=now.time()),
        status=SessionStatus.PLANNED).update(
        status=SessionStatus.CANCELLED, status_reason=reason[:200], status_by=by,
        status_at=timezone.now())


def people_choices(provider):
    """The provider's people a booking can name, cleared or not (the guard explains)."""
    return provider.active_people().filter(barred=False).order_by("full_name")
