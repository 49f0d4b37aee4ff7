"""The public catalogue: filters that combine and live in the URL, an empty result that
offers to clear them, and a query count that does not grow with the catalogue."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.catalogue import invalidate
from cms.models import CatalogueIndexPage
from cms.publishing import sync_provider_page
from marketplace.models import Offering
from tests.factories import OfferingFactory, ProviderFactory, TownFactory

pytestmark = pytest.mark.django_db


def listed_offering(title, *, kind="institution", town=None, **fields):
    extra = {"credit_code": ""} if kind != "institution" and kind != "venue" else {}
    provider = ProviderFactory(listed=True, kind=kind, **extra)
    if town:
        provider.service_area.add(town)
    offering = OfferingFactory(provider=provider, title=title, review="verified", **fields)
    sync_provider_page(provider)
    return offering


@pytest.fixture
def catalogue():
    east = TownFactory(name="江湾镇")
    listed_offering("非遗剪纸课程", category="heritage", delivery="in_school", town=east,
                    grade_from=2, grade_to=6, price_per_session=Decimal("90"))
    listed_offering("青少年篮球训练营", kind="professional", category="sports",
                    delivery="at_venue", grade_from=4, grade_to=9,
                    price_per_session=Decimal("180"))
    listed_offering("少儿编程入门", category="technology", delivery="online", town=east,
                    grade_from=3, grade_to=6, price_per_session=Decimal("150"))
    hidden = OfferingFactory(title="未审核课程", review="pending",
                             provider=ProviderFactory(listed=True))
    sync_provider_page(hidden.provider)
    return {"url": CatalogueIndexPage.objects.get().url, "east": east}


def titles(response):
    return [o.title for o in response.context["page_obj"].object_list]


def test_only_reviewed_offerings_of_listed_providers_appear(client, catalogue):
    assert sorted(titles(client.get(catalogue["url"]))) == [
        "少儿编程入门", "青少年篮球训练营", "非遗剪纸课程"]


def test_filters_combine_and_keep_their_state_in_the_url(client, catalogue):
    url = f"{catalogue['url']}?town={catalogue['east'].pk}&grade=3&sort=-price"
    response = client.get(url)
    assert titles(response) == ["少儿编程入门", "非遗剪纸课程"]
    body = response.content.decode()
    assert f'<option value="{catalogue["east"].pk}" selected>' in body
    assert client.get(f"{catalogue['url']}?kind=professional&price_max=200").context[
        "page_obj"].paginator.count == 1
    assert titles(client.get(f"{catalogue['url']}?delivery=online&category=heritage")) == []


def test_an_empty_result_says_so_and_offers_to_clear_the_filters(client, catalogue):
    body = client.get(f"{catalogue['url']}?category=film").content.decode()
    assert "没有符合筛选条件的课程服务" in body
    assert f'href="{catalogue["url"]}"' in body


def test_nonsense_in_the_url_is_ignored(client, catalogue):
    response = client.get(f"{catalogue['url']}?grade=99&price_min=abc&sort=drop&category=x")
    assert response.status_code == 200
    assert len(titles(response)) == 3


@pytest.mark.parametrize("query", ["", "?q=课", "?q=剪纸&grade=3&sort=-price",
                                   "?delivery=in_school&sort=newest&page=1"])
def test_the_query_count_does_not_grow_with_the_catalogue(client, catalogue, query):
    def count():
        invalidate()  # measure the uncached page: a cached one makes no catalogue queries
        with CaptureQueriesContext(connection) as queries:
            assert client.get(catalogue["url"] + query).status_code == 200
        return len(queries)

    count()  # warm the site-root cache, which publishing pages clears
    small = count()
    for n in range(30):
        listed_offering(f"科普实验课{n}", category="science", delivery="in_school",
                        town=catalogue["east"])
    count()
    assert count() == small


def test_a_repeated_page_is_served_from_the_cache(client, catalogue):
    url = catalogue["url"] + "?q=篮球"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(url).content.decode()
    assert "青少年篮球训练营" in body
    assert not [q for q in queries if "marketplace_offering" in q["sql"]]


def test_publishing_and_unpublishing_an_entry_invalidates_the_cached_catalogue(
        client, catalogue):
    assert "少儿编程入门" in client.get(catalogue["url"]).content.decode()
    offering = Offering.objects.get(title="少儿编程入门")
    page = offering.provider.page
    page.unpublish()
    body = client.get(catalogue["url"]).content.decode()
    assert "少儿编程入门" not in body
    page.save_revision().publish()
    assert "少儿编程入门" in client.get(catalogue["url"]).content.decode()


def test_a_new_offering_of_a_listed_provider_invalidates_the_cached_catalogue(
        client, catalogue):
    client.get(catalogue["url"])
    provider = Offering.objects.get(title="少儿编程入门").provider
    OfferingFactory(provider=provider, title="机器人编程进阶", review="verified")
    assert "机器人编程进阶" in client.get(catalogue["url"]).content.decode()


def test_the_search_box_keeps_the_query_and_says_what_was_searched(client, catalogue):
    body = client.get(catalogue["url"] + "?q=剪纸").content.decode()
    assert 'value="剪纸"' in body
    assert "“剪纸”" in body


def test_junk_values_share_the_cached_list_of_the_filters_they_amount_to(client, catalogue):
    client.get(catalogue["url"] + "?grade=99&sort=drop")
    with CaptureQueriesContext(connection) as queries:
        body = client.get(catalogue["url"] + "?grade=abc&page=x").content.decode()
    assert "少儿编程入门" in body
    assert not [q for q in queries if "marketplace_offering" in q["sql"]]


def test_renaming_a_provider_refreshes_the_cached_catalogue(client, catalogue):
    client.get(catalogue["url"])
    provider = Offering.objects.get(title="少儿编程入门").provider
    provider.name = "滨江区未来编程学堂"
    provider.save()
    assert "滨江区未来编程学堂" in client.get(catalogue["url"]).content.decode()
