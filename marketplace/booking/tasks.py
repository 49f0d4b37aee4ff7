"""Booking side effects and the daily beat task, run by Celery."""

import logging

from celery import shared_task

from workflows.outbox import once_per_effect

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
@once_per_effect
def prepare_service_agreement(booking_id: int) -> int | None:
    from marketplace.booking.agreements import generate_service_agreement
    from marketplace.models import Booking
    from marketplace.tasks import bureau_identity

    booking = Booking.objects.get(pk=booking_id)
    contract = generate_service_agreement(booking, **bureau_identity())
    return contract.pk if contract else None


@shared_task
def advance_bookings() -> dict:
    """Daily: agreed bookings whose first session has come start; active bookings whose
    last session has passed complete."""
    from marketplace.booking.lifecycle import advance

    return advance()
