import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction

from cms import catalogue
from cms.notices import publish_notice
from cms.publishing import sync_provider_page
from marketplace import candidate_list
from marketplace.choices import NoticeKind
from marketplace.models import CandidateList, Provider
from marketplace.tasks import bureau_identity
from workflows.admission import AdmissionState
from workflows.outbox import once_per_effect

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def publish_provider_page(provider_id: int) -> bool:
    page = sync_provider_page(Provider.objects.get(pk=provider_id))
    return bool(page and page.live)


def notice_kind(source: str, target: str) -> str | None:
    """Joining the list and leaving it for good are announced; a suspension or a
    reinstatement only changes the list."""
    if target == AdmissionState.LISTED and source == AdmissionState.CONTRACT:
        return NoticeKind.LISTING
    if target == AdmissionState.EXITED:
        return NoticeKind.EXIT
    return None


@shared_task(acks_late=True)
@once_per_effect
def provider_list_changed(provider_id: int, source: str, target: str,
                          transition_id: int | None = None) -> int | None:
    """An entry joined or left the list: its page, a new version of the candidate list
    (PDF and Excel) and, for a listing or an exit, a notice — in one transaction, once per
    transition even if the task is delivered twice. Returns the version."""
    provider = Provider.objects.get(pk=provider_id)
    sync_provider_page(provider)
    if not provider.is_public:  # not on the public list: nothing to version or announce
        catalogue.invalidate()
        return None
    kind = notice_kind(source, target)
    with transaction.atomic():
        done = transition_id is not None and CandidateList.objects.filter(
            transition_id=transition_id).exists()
        version = candidate_list.publish(f"{provider.name}: {source} → {target}",
                                         bureau_identity(), settings.LANGUAGE_CODE,
                                         transition_id=transition_id)
        if kind and not done:
            publish_notice(kind, provider, version)
    catalogue.invalidate()
    logger.info("Provider %s went %s → %s: candidate list version %s%s", provider.pk, source,
                target, version.version, f", {kind} notice" if kind and not done else "")
    return version.version


@shared_task(acks_late=True)
@once_per_effect
def refresh_candidate_list(reason: str = "") -> int:
    """Make a version of the candidate list from what is listed now."""
    version = candidate_list.publish(reason, bureau_identity(), settings.LANGUAGE_CODE)
    catalogue.invalidate()
    logger.info("Candidate list version %s published (%s)", version.version, reason)
    return version.version
