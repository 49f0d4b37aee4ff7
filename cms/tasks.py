from celery import shared_task

from cms.publishing import sync_provider_page
from marketplace.models import Provider


@shared_task(acks_late=True)
def publish_provider_page(provider_id: int) -> bool:
    page = sync_provider_page(Provider.objects.get(pk=provider_id))
    return bool(page and page.live)
