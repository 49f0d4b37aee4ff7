"""Celery tasks for side effects that run after a transaction commits."""

from celery import shared_task
from django.core.mail import send_mail


@shared_task(bind=True, max_retries=5, default_retry_delay=60, acks_late=True)
def send_email(self, recipients: list[str], subject: str, body: str) -> int:
    """Send one e-mail; retried when the mail server is unreachable."""
    try:
        return send_mail(subject, body, None, recipients, fail_silently=False)
    except OSError as exc:
        raise self.retry(exc=exc) from exc
