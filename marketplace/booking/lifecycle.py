"""Bookings that move by the calendar or by what happens to their provider.

``advance()`` runs daily (Celery beat): agreed → active on the first session, active →
completed after the last. When a provider is suspended or exits, its open bookings are
flagged and cancelled with that reason, their remaining sessions with them, and the
schools are told (the booking receivers send the e-mails).
"""

import logging

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from marketplace.models import Booking, Provider
from workflows import transitions
from workflows.admission import AdmissionState
from workflows.booking import BookingReason, BookingState
from workflows.signals import transitioned
from workflows.transitions import TransitionRefused

logger = logging.getLogger(__name__)


def advance(today=None) -> dict:
    today = today or timezone.localdate()
    counts = {"started": 0, "completed": 0}
    for name, state, field, lookup in (
            ("start", BookingState.AGREED, "started", {"first_date__lte": today}),
            ("complete", BookingState.ACTIVE, "completed", {"last_date__lt": today})):
        for booking in Booking.objects.filter(state=state, **lookup).order_by("pk"):
            try:
                transitions.run(booking, name, by=None, system=True, expected_state=state)
            except TransitionRefused as exc:
                logger.info("Booking %s not moved by %s: %s", booking.pk, name, exc.code)
                continue
            counts[field] += 1
    # An agreed booking whose whole period passed in one go (e.g. the task did not run).
    for booking in Booking.objects.filter(state=BookingState.ACTIVE, last_date__lt=today):
        try:
            transitions.run(booking, "complete", by=None, system=True,
                            expected_state=BookingState.ACTIVE)
            counts["completed"] += 1
        except TransitionRefused:
            continue
    return counts


OPEN = (BookingState.REQUESTED, BookingState.ACCEPTED, BookingState.AGREED, BookingState.ACTIVE)


@receiver(transitioned, sender=Provider, dispatch_uid="marketplace.booking.provider_left")
def provider_left(sender, instance, name, source, target, by, entry=None, **kwargs):
    if target not in (AdmissionState.SUSPENDED, AdmissionState.EXITED):
        return
    bookings = Booking.objects.filter(offering__provider=instance, state__in=OPEN)
    bookings.update(provider_flagged_at=timezone.now())
    for booking in bookings.order_by("pk"):
        with transaction.atomic():
            transitions.run(booking, "cancel_by_bureau", by=None, system=True,
                            reason=BookingReason.PROVIDER_LEFT,
                            comment=str(instance.get_state_display()))
