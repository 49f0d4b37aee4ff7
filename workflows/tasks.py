"""Celery tasks for side effects that run after a transaction commits."""

import logging

from celery import shared_task
from django.core.mail import send_mail

from workflows import outbox

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=5, default_retry_delay=60, acks_late=True)
@outbox.once_per_effect
def send_email(self, recipients: list[str], subject: str, body: str) -> int:
    """Send one e-mail; retried when the mail server is unreachable. As a side effect
    (``effect_id``), sent once however often its message is delivered."""
    try:
        return send_mail(subject, body, None, recipients, fail_silently=False)
    except OSError as exc:
        raise self.retry(exc=exc) from exc


@shared_task
def redispatch_side_effects() -> dict:
    """Celery beat, every minute: hand side effects left pending (the broker was down
    when their transaction committed, or their message was lost) to the broker again,
    and delete those done more than a month ago."""
    sent, failed = outbox.redispatch()
    pruned = outbox.prune()
    if sent or failed:
        logger.info("Side effects handed over again: %s; broker unreachable: %s", sent,
                    bool(failed))
    return {"sent": sent, "broker_unreachable": bool(failed), "pruned": pruned}
