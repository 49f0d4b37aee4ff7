"""Personal pages tell shared caches not to keep them (``Cache-Control: private,
no-store``): every URL of the vendor and school portals, the account pages, private files
and the start redirect, whatever the answer. Public catalogue pages stay cacheable."""

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from cms.models import CatalogueIndexPage
from cms.publishing import sync_provider_page
from marketplace.roles import Role
from marketplace.urls import school as school_urls
from marketplace.urls import vendor as vendor_urls
from tests.factories import (
    ContractFactory,
    CredentialFactory,
    OfferingFactory,
    PersonFactory,
    ProviderFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PRIVATE = "private, no-store"
ANONYMOUS_ONLY = {"register", "register_done", "register_confirm", "register_resend"}


def browser(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


def portal_urls(module, values):
    """Every URL of a portal's urlconf, its arguments filled from ``values``."""
    urls = []
    for pattern in module.urlpatterns:
        assert isinstance(pattern, URLPattern)
        names = list(pattern.pattern.converters)
        urls.append((pattern.name, reverse(f"{module.app_name}:{pattern.name}",
                                           kwargs={n: values[n] for n in names})))
    return urls


@pytest.fixture
def vendor_entry():
    vendor = UserFactory(groups=[Role.VENDOR])
    provider = ProviderFactory(owner=vendor)
    person = PersonFactory(provider=provider)
    offering = OfferingFactory(provider=provider)
    return {"vendor": vendor, "pk": provider.pk, "person_pk": person.pk,
            "offering_pk": offering.pk, "token": "not-a-real-token"}


def test_every_vendor_portal_url_is_private_and_not_stored(vendor_entry):
    owner, anonymous = browser(vendor_entry["vendor"]), browser()
    urls = portal_urls(vendor_urls, vendor_entry)
    assert len(urls) == len(vendor_urls.urlpatterns) > 15
    for name, url in urls:
        client = anonymous if name in ANONYMOUS_ONLY else owner
        response = client.get(url)
        assert response.status_code < 500, url
        assert response["Cache-Control"] == PRIVATE, (url, response.status_code)
        if response.status_code == 405:  # POST-only: its answer to a POST too
            response = client.post(url)
            assert response["Cache-Control"] == PRIVATE, url
    # Pages reached while logged in as the owner really are the owner's pages.
    assert owner.get(reverse("vendor:people", args=[vendor_entry["pk"]])).status_code == 200


def test_every_school_portal_url_is_private_and_not_stored():
    from tests.test_booking import World, agreed

    world = World()
    booking = agreed(world)
    client = browser(world.coordinator)
    session = booking.schedule.first()
    own = {"book": world.offering.pk, "session": session.pk}
    for name, url in portal_urls(school_urls, {"pk": booking.pk}):
        if name in own:
            url = reverse(f"school:{name}", args=[own[name]])
        response = client.get(url)
        assert response.status_code in (200, 405), url
        assert response["Cache-Control"] == PRIVATE, url


def test_account_pages_start_files_and_refusals_are_private_and_not_stored():
    owner = UserFactory(groups=[Role.VENDOR])
    provider = ProviderFactory(owner=owner)
    credential = CredentialFactory(provider=provider)
    contract = ContractFactory(provider=provider)
    urls = ["/accounts/login/", "/accounts/password_reset/", "/accounts/password_reset/done/",
            "/accounts/reset/MQ/bad-token/", "/accounts/reset/done/", "/start/",
            reverse("files:credential", args=[credential.pk]),
            reverse("files:contract", args=[contract.pk]),
            "/vendor/entries/999999/", "/files/credentials/999999/"]
    for client in (browser(), browser(owner), browser(UserFactory(groups=[Role.SCHOOL]))):
        for url in urls:
            response = client.get(url)
            assert no_store(response), (url, response.status_code)
    response = browser().post("/accounts/login/", {"username": "x", "password": "y"})
    assert no_store(response)


def test_public_catalogue_pages_stay_cacheable():
    provider = ProviderFactory(listed=True)
    OfferingFactory(provider=provider, review="verified")
    sync_provider_page(provider)
    provider.refresh_from_db()
    catalogue = CatalogueIndexPage.objects.get().url
    for url in ("/", catalogue, f"{catalogue}?sort=-price", provider.page.url):
        response = browser().get(url)
        assert response.status_code == 200, url
        assert "no-store" not in response.get("Cache-Control", ""), url
        assert "private" not in response.get("Cache-Control", ""), url
