"""Keep each provider's public page in step with its admission state: listed ⇒ a live
page exists; suspended, exited or anything else ⇒ it is not live. Retired teachers never
get a public page: they are people, and the public sees the pool only in aggregate."""

from django.db import transaction

from cms.models import CatalogueIndexPage, ProviderPage
from marketplace.models import Provider
from workflows.admission import AdmissionState


def sync_provider_page(provider: Provider) -> ProviderPage | None:
    with transaction.atomic():
        page = ProviderPage.objects.filter(provider=provider).first()
        if provider.state == AdmissionState.LISTED and provider.is_public:
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
