"""Side effects of the admission workflow, run by Celery after the transaction commits."""

from celery import shared_task
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from marketplace.agreements import AgreementAlreadySigned, generate_admission_agreement
from marketplace.choices import CharacterResult, CriminalRecordResult, HealthResult
from marketplace.models import BackgroundCheck, BureauSettings, Provider
from marketplace.services import decide_check, record_check_results
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
    from marketplace.expiry import enforce_expiry as enforce

    return enforce()
