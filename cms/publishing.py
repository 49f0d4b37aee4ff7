"""Keep each provider's public page in step with its admission state: listed ⇒ a live
page exists; suspended, exited or anything else ⇒ it is not live."""

from django.db import transaction

from cms.models import CatalogueIndexPage, ProviderPage
from marketplace.models import Provider
from workflows.admission import AdmissionState


def sync_provider_page(provider: Provider) -> ProviderPage | None:
    with transaction.atomic():
        page = ProviderPage.objects.filter(provider=provider).first()
        if provider.state == AdmissionState.LISTED:
            if page is None:
                index = CatalogueIndexPage.objects.get()
                page = ProviderPage(title=provider.name, slug=f"provider-{provider.pk}",
                                    provider=provider)
                index.add_child(instance=page)
            page.title = provider.name
            page.save_revision().publish()
        elif page is not None and page.live:
            page.unpublish()
    return page
