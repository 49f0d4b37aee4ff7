"""Side effects of the admission workflow and of account requests, run by Celery after the
transaction commits."""

import contextlib

from celery import shared_task
from django.contrib.auth import get_user_model
from django.contrib.sites.shortcuts import get_current_site
from django.core.files.base import ContentFile
from django.core.mail import get_connection
from django.db import transaction
from django.urls import get_script_prefix, set_script_prefix
from django.utils import timezone, translation

from marketplace.admission.agreements import AgreementAlreadySigned, generate_admission_agreement
from marketplace.admission.services import decide_check, record_check_results
from marketplace.choices import CharacterResult, CriminalRecordResult, HealthResult
from marketplace.models import BackgroundCheck, BureauSettings, Provider
from media.pdf import render_pdf
from workflows.outbox import once_per_effect


def bureau_identity() -> dict:
    settings = BureauSettings.objects.filter(site__is_default_site=True).first()
    if settings is None:
        return {"bureau_name": BureauSettings._meta.get_field("bureau_name").default,
                "district_name": BureauSettings._meta.get_field("district_name").default}
    return {"bureau_name": settings.bureau_name, "district_name": settings.district_name}


@shared_task(acks_late=True)
@once_per_effect
def prepare_admission_agreement(provider_id: int) -> int | None:
    provider = Provider.objects.get(pk=provider_id)
    try:
        return generate_admission_agreement(provider, **bureau_identity()).pk
    except AgreementAlreadySigned:
        return None


@shared_task(acks_late=True)
@once_per_effect
def run_simulated_check(check_id: int, officer_id: int) -> str:
    """Demonstration adapter: answers like the public-security query service would, after a
    short delay in reality; here at once. Identity numbers whose keyed digest starts with
    "0" come back with a record, so the demo shows both outcomes."""
    check = BackgroundCheck.objects.select_related("person").get(pk=check_id)
    officer = get_user_model().objects.get(pk=officer_id)
    if check.state != "requested":
        return check.state
    flagged = check.person.id_number_digest.startswith("0")
    today = timezone.localdate()
    pdf = render_pdf("media/pdf/simulated_check.html", {
        "person_name": check.person.full_name, "checked_on": today, "flagged": flagged,
        "reference": f"SIM-{check.pk:06d}",
    })
    with transaction.atomic():
        check = record_check_results(
            check, by=officer,
            criminal_record=CriminalRecordResult.FLAGGED if flagged else CriminalRecordResult.CLEAR,
            health=HealthResult.FIT, character=CharacterResult.GOOD,
            checked_on=today, reference=f"SIM-{check.pk:06d}",
            result_file=ContentFile(pdf, name=f"simulated-{check.pk}.pdf"),
        )
        decide_check(check, by=officer, clear=not flagged)
    return "flagged" if flagged else "cleared"


@shared_task
def enforce_expiry() -> dict:
    from marketplace.admission.expiry import enforce_expiry as enforce

    return enforce()


# --- account e-mails -------------------------------------------------------------------------
# A password-reset or registration e-mail carries a one-time link. The outbox keeps a task's
# arguments for a month (workflows/outbox.py), so these tasks are given only the account's id
# and where the request came from; the token and the link are made here, when the e-mail is
# sent.
def request_origin(request, *, domain: str | None = None) -> dict:
    """What an account e-mail needs to know of the request that asked for it (none of it
    secret): the address the site was reached at, the page language, the bureau."""
    site = get_current_site(request)
    return {
        "protocol": request.scheme,
        "domain": domain or site.domain,
        "site_name": domain or site.name,
        "prefix": get_script_prefix(),
        "language": translation.get_language(),
        "bureau_name": BureauSettings.for_request(request).bureau_name,
    }


@contextlib.contextmanager
def as_requested(origin: dict):
    """Render links and texts as the request would have: its script prefix, its language."""
    previous = get_script_prefix()
    set_script_prefix(origin["prefix"])
    try:
        with translation.override(origin["language"]):
            yield
    finally:
        set_script_prefix(previous)


def _send(task, messages) -> int:
    if not messages:
        return 0
    try:
        with get_connection() as connection:
            return connection.send_messages(messages)
    except OSError as exc:
        raise task.retry(exc=exc) from exc


@shared_task(bind=True, max_retries=5, default_retry_delay=60, acks_late=True)
@once_per_effect
def send_password_reset(self, user_ids: list[int], origin: dict) -> int:
    """The password-reset e-mail to each account the form found (none for an address
    without an account: the request looked the same). An account deactivated or left
    without a usable password meanwhile gets none, as Django's form would decide."""
    from marketplace.views.account import password_reset_email

    users = get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("pk")
    with as_requested(origin):
        messages = [password_reset_email(user, origin) for user in users
                    if user.has_usable_password() and user.email]
    return _send(self, messages)


@shared_task(bind=True, max_retries=5, default_retry_delay=60, acks_late=True)
@once_per_effect
def send_registration_confirmation(self, user_id: int, origin: dict) -> int:
    """The confirmation link to a new provider account, unless it was confirmed (or
    removed) meanwhile."""
    from marketplace.views.register import confirmation_email

    user = (get_user_model().objects
            .filter(pk=user_id, is_active=False, last_login__isnull=True).first())
    if user is None or not user.email:
        return 0
    with as_requested(origin):
        message = confirmation_email(user, origin)
    return _send(self, [message])


@shared_task(bind=True, max_retries=5, default_retry_delay=60, acks_late=True)
@once_per_effect
def send_coordinator_invitation(self, user_id: int, origin: dict) -> int:
    """The invitation to a school's coordinator (``marketplace.booking.invitations``), with
    a fresh one-time link to choose a password; none if the account was deactivated or
    coordinates no school any more."""
    from marketplace.booking.invitations import invitation_email

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return 0
    with as_requested(origin):
        message = invitation_email(user, origin)
    return _send(self, [message] if message else [])
