"""The demo's bookings, taken to their state the way a school and a provider get them
there: the coordinator requests (``request_booking``), the provider accepts with a
cleared person or declines, both sign the service agreement, the daily task starts and
completes bookings whose dates have come, and the school marks each past session.

A booking of a past term is requested "as of" two weeks before it began; the history is
then dated back like the providers' (timeline entries, state logs, signatures, session
marks), never into the future.
"""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django_fsm_log.models import StateLog

from marketplace.booking import lifecycle, schedule
from marketplace.booking.agreements import generate_service_agreement, sign_service_agreement
from marketplace.booking.clashes import Slot
from marketplace.booking.services import Request, accept_booking, bookable, request_booking
from marketplace.choices import Delivery, SignatureParty
from marketplace.management.commands._seed_values import DEMO, PLACE, aware, upsert
from marketplace.models import Booking, Offering, ScheduleEntry, SessionStatus, Signature, Venue
from marketplace.tasks import bureau_identity
from workflows import transitions
from workflows.booking import BookingState as B
from workflows.models import TimelineEntry

DAY = dt.timedelta(days=1)
HISTORY = DEMO["bookings"]["history"]
PENDING = {B.REQUESTED, B.ACCEPTED, B.AGREED, B.DECLINED, B.CANCELLED}
#: Timeline actions (transition names) → their day in ``history``.
STEP_KEYS = {"accept": "accepted", "decline": "declined", "cancel": "cancelled",
             "agree": "signed_school"}


def venues(schools: dict) -> dict:
    """Each school's rooms and grounds by name (the level's list and the places its
    bookings name)."""
    spec, found = PLACE["venues"], {}
    named = {(b["school"], b["place"]) for b in DEMO["bookings"]["bookings"]}
    for name, school in schools.items():
        rooms = dict(spec[school.level])
        rooms.update({place: spec["places"].get(place, rooms.get(place))
                      for school_name, place in named if school_name == name})
        for room, places in rooms.items():
            found[(name, room)] = upsert(Venue, {"school": school, "name": room},
                                         {"capacity": places})
    return found


def dates(spec: dict, terms: dict, today: dt.date):
    """(term, first date, last date, day the request was made) for a booking: a past
    or running booking spans its term; one still being arranged starts a week from now,
    or in the next term when this one is nearly over."""
    term = terms[spec["term"]]
    if spec["state"] not in PENDING:
        asked_on = term.starts_on - HISTORY["requested"] * DAY
        return term, term.starts_on, term.ends_on, min(today, asked_on)
    first = max(today + 7 * DAY, term.starts_on)
    if first > term.ends_on - 21 * DAY:
        term = terms["next"]
        first = term.starts_on
    return term, first, term.ends_on, today - HISTORY["requested"] * DAY


def seed(spec: dict, *, school, offering, terms: dict, venue_of: dict, people: list,
         draw, today: dt.date) -> Booking | None:
    """Create one booking and take it to its state, or return the one that exists."""
    term, first, last, asked_on = dates(spec, terms, today)
    offering = Offering.objects.select_related("provider__owner").get(pk=offering.pk)
    found = Booking.objects.filter(school=school, offering=offering, term=term).first()
    if found is not None or not bookable(offering):
        return found  # a provider that left the list before its booking was made: none
    coordinator = school.coordinators.order_by("username").first()
    grade_from, grade_to = spec["grades"]
    at_venue = offering.delivery == Delivery.AT_VENUE
    with transaction.atomic():  # the side effects run once each step commits
        booking = request_booking(Request(
            school=school, offering=offering, term=term, grade_from=grade_from,
            grade_to=grade_to, student_count=spec["students"],
            price_per_session=offering.price_per_session, first_date=first, last_date=last,
            slots=[Slot(s["weekday"], dt.time.fromisoformat(s["starts_at"]),
                        dt.time.fromisoformat(s["ends_at"])) for s in spec["slots"]],
            venue=None if at_venue else venue_of[(school.name, spec["place"])],
            delivery=offering.delivery,
            note="" if spec["state"] in {B.DECLINED, B.CANCELLED} else spec.get("note", ""),
        ), by=coordinator, today=asked_on)
    state, owner = spec["state"], offering.provider.owner
    if state == B.DECLINED:
        transitions.run(booking, "decline", by=owner, reason=spec["reason"],
                        comment=spec.get("note", ""))
    if state not in {B.REQUESTED, B.DECLINED}:
        responsible = next(p for p in people if p.cleared_until(last))
        accept_booking(booking, by=owner, people=[responsible], today=asked_on)
    if state == B.CANCELLED:
        transitions.run(booking, "cancel", by=coordinator, reason=spec["reason"],
                        comment=spec.get("note", ""))
    if state in {B.AGREED, B.ACTIVE, B.COMPLETED}:
        sign_both(booking, coordinator, draw)
        lessons(booking, spec.get("lessons", []))
        lifecycle.advance(today)  # what the daily task does
        mark_sessions(booking, coordinator, spec.get("not_delivered", []), today)
    booking = Booking.objects.get(pk=booking.pk)
    backdate(booking, first, today)
    return booking


def sign_both(booking, coordinator, draw) -> None:
    """The provider signs the prepared agreement, then the school."""
    contract = booking.service_agreement() or generate_service_agreement(
        booking, **bureau_identity())
    provider = booking.offering.provider
    for party, user, name in ((SignatureParty.VENDOR, provider.owner, provider.contact_name),
                              (SignatureParty.SCHOOL, coordinator, coordinator.first_name)):
        _at, ip_address = draw.signing(booking.first_date)
        sign_service_agreement(contract, by=user, party=party, typed_name=name,
                               consent=True, ip_address=ip_address)


def lessons(booking, titles: list[str]) -> None:
    """The lesson plan the provider sent: the first sessions' content."""
    sessions = booking.schedule.order_by("date", "starts_at")[:len(titles)]
    for number, (entry, title) in enumerate(zip(sessions, titles, strict=False), start=1):
        entry.content = f"第{number}课：{title}"
        entry.save(update_fields=["content"])


def mark_sessions(booking, coordinator, misses: list[dict], today: dt.date) -> None:
    """The school marks every session that has taken place: delivered, or not with the
    reason the data gives (by session number)."""
    missed = {m["session"]: m["reason"] for m in misses}
    past = booking.schedule.filter(status=SessionStatus.PLANNED, date__lt=today)
    for number, entry in enumerate(past.order_by("date", "starts_at"), start=1):
        schedule.mark_delivery(entry, by=coordinator, delivered=number not in missed,
                               reason=missed.get(number, ""))


def backdate(booking, first: dt.date, today: dt.date) -> None:
    """Date the booking's history: each step the number of days in ``history`` before
    its first session (for one still being arranged: before today), the daily task's
    steps on their dates, each session's mark on the evening of the session; never
    later than now."""
    now = timezone.now()
    base = today if booking.state in PENDING else first

    def when(entry) -> dt.datetime:
        action = entry.action
        if action == "start":
            return aware(booking.first_date, 7)
        if action == "complete":
            return aware(booking.last_date + DAY, 7)
        if action.startswith("session_"):
            return aware(dt.date.fromisoformat(entry.item), 18, 30)
        key = STEP_KEYS.get(action, action)
        days = HISTORY.get(key, HISTORY["requested"])
        return aware(base - days * DAY, 11 if action == "agree" else 10)

    entries = list(TimelineEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Booking), object_id=booking.pk))
    for entry in entries:
        entry.created_at = min(when(entry), now)
    TimelineEntry.objects.bulk_update(entries, ["created_at"])
    for entry in entries:
        if entry.statelog_id:
            StateLog.objects.filter(pk=entry.statelog_id).update(timestamp=entry.created_at)
    for entry in entries:
        if entry.action.startswith("signed_"):
            Signature.objects.filter(contract__booking=booking,
                                     party=entry.action.removeprefix("signed_"),
                                     ).update(signed_at=entry.created_at)
    marked = list(booking.schedule.exclude(status_at=None))
    for session in marked:
        session.status_at = min(aware(session.date, 18, 30), now)
    ScheduleEntry.objects.bulk_update(marked, ["status_at"])
