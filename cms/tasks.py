from celery import shared_task
from django.conf import settings

from cms import catalogue
from cms.notices import publish_notice
from cms.publishing import sync_provider_page
from marketplace import candidate_list
from marketplace.choices import NoticeKind
from marketplace.models import Provider
from marketplace.tasks import bureau_identity
from workflows.admission import AdmissionState


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
def provider_list_changed(provider_id: int, source: str, target: str) -> int:
    """An entry joined or left the list: its page, a new version of the candidate list
    (PDF and Excel) and, for a listing or an exit, a notice. Returns the new version."""
    provider = Provider.objects.get(pk=provider_id)
    sync_provider_page(provider)
    reason = f"{provider.name}: {source} → {target}"
    version = candidate_list.publish(reason, bureau_identity(), settings.LANGUAGE_CODE)
    kind = notice_kind(source, target)
    if kind:
        publish_notice(kind, provider, version)
    catalogue.invalidate()
    return version.version


@shared_task(acks_late=True)
def refresh_candidate_list(reason: str = "") -> int:
    """Make a version of the candidate list from what is listed now."""
    version = candidate_list.publish(reason, bureau_identity(), settings.LANGUAGE_CODE)
    catalogue.invalidate()
    return version.version
