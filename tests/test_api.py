"""The public read-only API: the same offerings as the catalogue page, nothing that is not
public, a fixed number of queries per page, 404 for what does not exist, and a valid
OpenAPI document."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from drf_spectacular.validation import validate_schema

from cms.models import CatalogueIndexPage
from cms.notices import publish_notice
from cms.publishing import sync_provider_page
from marketplace.choices import NoticeKind
from marketplace.models import CandidateList, Provider
from tests.factories import (
    BackgroundCheckFactory,
    ContractFactory,
    CredentialFactory,
    OfferingFactory,
    PersonFactory,
    ProviderFactory,
    TownFactory,
    make_credit_code,
    make_id_number,
)
from workflows.admission import AdmissionState

pytestmark = pytest.mark.django_db

API = "/api/v1"


def listed_offering(title, *, kind="institution", town=None, **fields):
    """A reviewed offering of a new listed provider with a live public page."""
    extra = {} if kind in ("institution", "venue") else {"credit_code": ""}
    provider = ProviderFactory(listed=True, kind=kind, **extra)
    if town:
        provider.service_area.add(town)
    offering = OfferingFactory(provider=provider, title=title, review="verified", **fields)
    sync_provider_page(provider)
    return offering


def candidate_list_version(number, **fields):
    return CandidateList.objects.create(
        version=number, provider_count=1, offering_count=1,
        pdf=ContentFile(b"%PDF-1.4 list", name=f"v{number}.pdf"),
        xlsx=ContentFile(b"PK workbook", name=f"v{number}.xlsx"), **fields)


def public_data():
    """A small catalogue with everything the API shows, and rows it must hide."""
    east = TownFactory(name="江湾镇")
    paper = listed_offering("非遗剪纸课程", category="heritage", delivery="in_school", town=east,
                            grade_from=2, grade_to=6, price_per_session=Decimal("90"))
    listed_offering("青少年篮球训练营", kind="professional", category="sports",
                    delivery="at_venue", grade_from=4, grade_to=9,
                    price_per_session=Decimal("180"))
    listed_offering("少儿编程入门", category="technology", delivery="online", town=east,
                    grade_from=3, grade_to=6, price_per_session=Decimal("150"))
    provider = paper.provider
    CredentialFactory(provider=provider, verified=True,
                      expires_on=timezone.localdate() + dt.timedelta(days=400))
    ContractFactory(provider=provider)
    version = candidate_list_version(1)
    candidate_list_version(2, published_at=timezone.now() + dt.timedelta(minutes=1))
    CandidateList.objects.create(version=3)  # files not rendered yet: not offered
    publish_notice(NoticeKind.LISTING, provider, version)
    return {"east": east, "paper": paper, "version": version}


@pytest.fixture
def catalogue():
    return public_data()


def results(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()["results"]


def api_titles(client, query=""):
    return [o["title"] for o in results(client, f"{API}/offerings/?{query}")]


def page_titles(client, query=""):
    url = CatalogueIndexPage.objects.get().url
    return [o.title for o in client.get(f"{url}?{query}").context["page_obj"].object_list]


# --- the same offerings as the catalogue page ------------------------------------

@pytest.mark.parametrize("query", [
    "",
    "q=剪纸",
    "q=编程&sort=-price",
    "grade=3&sort=-price",
    "kind=professional&price_max=200",
    "delivery=online&category=heritage",
    "category=heritage&price_min=50&price_max=100",
    "grade=99&price_min=abc&sort=drop&category=x&kind=?&town=-1",
    "sort=newest",
])
def test_offering_filters_give_the_same_offerings_as_the_catalogue_page(client, catalogue,
                                                                        query):
    assert api_titles(client, query) == page_titles(client, query)


def test_a_chinese_search_finds_the_paper_cutting_course(client, catalogue):
    assert api_titles(client, "q=剪纸") == ["非遗剪纸课程"]
    assert api_titles(client, f"town={catalogue['east'].pk}&grade=3&sort=-price") == [
        "少儿编程入门", "非遗剪纸课程"]


def test_an_offering_says_who_provides_it_and_links_to_the_public_page(client, catalogue):
    offering = catalogue["paper"]
    data = client.get(f"{API}/offerings/{offering.pk}/").json()
    assert data["title"] == "非遗剪纸课程"
    assert data["category"] == "heritage"
    assert data["category_label"] == "非遗"
    assert data["price_per_session"] == "90.00"
    assert data["provider"]["id"] == offering.provider.pk
    assert data["provider"]["page_url"] == f"http://testserver{offering.provider.page.url}"


def test_providers_are_filtered_by_kind_town_category_and_search(client, catalogue):
    def names(query):
        return [p["name"] for p in results(client, f"{API}/providers/?{query}")]

    paper = catalogue["paper"].provider
    assert len(names("")) == 3
    assert names("q=剪纸") == [paper.name]
    assert names(f"q={paper.name}") == [paper.name]
    assert names("category=heritage") == [paper.name]
    assert len(names(f"town={catalogue['east'].pk}")) == 2
    assert len(names("kind=professional")) == 1
    assert names("q=剪纸&category=sports") == []
    assert len(names("kind=nonsense&category=&town=abc")) == 3


def test_a_provider_shows_its_public_record(client, catalogue):
    provider = catalogue["paper"].provider
    data = client.get(f"{API}/providers/{provider.pk}/").json()
    assert data["name"] == provider.name
    assert data["kind"] == "institution"
    assert data["listed_on"] == provider.listed_on.isoformat()
    assert data["service_area"] == ["江湾镇"]
    assert data["page_url"] == f"http://testserver{provider.page.url}"
    assert data["agreement_period"]["start"] == timezone.localdate().isoformat()
    assert [c["type"] for c in data["verified_credentials"]] == ["business_licence"]
    assert data["offering_count"] == 1
    assert [o["title"] for o in data["offerings"]] == ["非遗剪纸课程"]


def test_notices_and_list_versions_link_to_their_pages_and_downloads(client, catalogue):
    notices = results(client, f"{API}/notices/")
    assert len(notices) == 1
    assert notices[0]["kind"] == "listing"
    assert notices[0]["provider_id"] == catalogue["paper"].provider.pk
    assert notices[0]["list_version"] == 1
    assert notices[0]["url"].startswith("http://testserver/")
    assert results(client, f"{API}/notices/?kind=exit") == []
    assert len(results(client, f"{API}/notices/?kind=whatever")) == 1

    versions = results(client, f"{API}/candidate-lists/")
    assert [v["version"] for v in versions] == [2, 1]
    assert versions[1]["pdf_url"] == "http://testserver/downloads/candidate-list/v1.pdf"
    assert versions[1]["xlsx_url"] == "http://testserver/downloads/candidate-list/v1.xlsx"
    assert client.get(versions[1]["pdf_url"]).status_code == 200


# --- what is not public does not appear ------------------------------------------

def test_unreviewed_withdrawn_and_unlisted_offerings_are_absent(client, catalogue):
    pending = OfferingFactory(title="未审核课程", review="pending",
                              provider=catalogue["paper"].provider)
    withdrawn = OfferingFactory(title="已撤回课程", review="verified",
                                withdrawn_at=timezone.now(), provider=catalogue["paper"].provider)
    applicant = ProviderFactory(state=AdmissionState.SUBMITTED, name="申请中的机构")
    unlisted = OfferingFactory(title="申请中课程", review="verified", provider=applicant)
    suspended = listed_offering("暂停机构课程")
    Provider.objects.filter(pk=suspended.provider_id).update(state=AdmissionState.SUSPENDED)
    sync_provider_page(Provider.objects.get(pk=suspended.provider_id))

    titles = api_titles(client)
    assert sorted(titles) == ["少儿编程入门", "青少年篮球训练营", "非遗剪纸课程"]
    for hidden in (pending, withdrawn, unlisted, suspended):
        assert client.get(f"{API}/offerings/{hidden.pk}/").status_code == 404
    providers = [p["name"] for p in results(client, f"{API}/providers/?page_size=100")]
    assert applicant.name not in providers
    assert suspended.provider.name not in providers
    for hidden in (applicant, suspended.provider):
        assert client.get(f"{API}/providers/{hidden.pk}/").status_code == 404
    paper = client.get(f"{API}/providers/{catalogue['paper'].provider.pk}/").json()
    assert [o["title"] for o in paper["offerings"]] == ["非遗剪纸课程"]


PRIVATE_KEYS = {
    "id_number", "id_number_digest", "phone", "contact_phone", "contact_email", "email",
    "contact_name", "address", "credit_code", "legal_representative", "owner", "people",
    "person", "checks", "criminal_record", "health", "character", "note", "review_note",
    "file", "result_file", "sha256", "search_document", "safety_measures", "number",
    "issuer", "entries", "reason",
}


def keys_of(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from keys_of(item)
    elif isinstance(value, list):
        for item in value:
            yield from keys_of(item)


def test_no_private_field_or_value_appears_anywhere(client, catalogue):
    provider = catalogue["paper"].provider
    provider.contact_name = "联系人钱多多"
    provider.contact_phone = "13900001111"
    provider.contact_email = "secret-contact@demo.example.cn"
    provider.address = "滨江区保密路99号"
    provider.legal_representative = "法人孙保密"
    provider.credit_code = make_credit_code(987654)
    provider.save()
    person = PersonFactory(provider=provider, full_name="赵保密", id_number=make_id_number(777),
                           phone="13822223333")
    check = BackgroundCheckFactory(person=person, reference="滨教查〔2026〕9999号",
                                   note="内部备注：需复核")
    health = CredentialFactory(provider=provider, for_person=True, person=person,
                               number="JK-SECRET-0001", verified=True)
    licence = provider.credentials.get(person__isnull=True)
    offering = catalogue["paper"]
    offering.review_note = "审核意见：内部讨论"
    offering.safety_measures = "安全措施：内部预案"
    offering.save()

    urls = [f"{API}/", f"{API}/providers/", f"{API}/providers/{provider.pk}/",
            f"{API}/offerings/", f"{API}/offerings/{offering.pk}/", f"{API}/notices/",
            f"{API}/candidate-lists/", f"{API}/candidate-lists/1/"]
    urls.append(f"{API}/notices/{results(client, f'{API}/notices/')[0]['id']}/")
    secrets = [
        person.id_number, person.id_number_masked, person.full_name, person.phone,
        check.reference, check.note, provider.contact_name, provider.contact_phone,
        provider.contact_email, provider.address, provider.legal_representative,
        provider.credit_code, health.number, licence.number, licence.issuer,
        licence.file.name, health.file.name, offering.review_note, offering.safety_measures,
        "health_certificate",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for secret in secrets:
            assert secret not in body, (url, secret)
        assert not PRIVATE_KEYS & set(keys_of(response.json())), url


# --- errors and cost -------------------------------------------------------------

NOT_FOUND = [
    "providers/999999/", "providers/abc/", "providers/99999999999999999999/",
    "offerings/999999/", "offerings/-1/", "notices/999999/", "candidate-lists/999/",
    "candidate-lists/3/", "candidate-lists/x/", "offerings/?page=999", "offerings/?page=0",
    "providers/?page=abc", "notices/?page=-1", "candidate-lists/?page=2",
    "notices/2199558861907132325822464/", "offerings/99999999999999999999/",
    "candidate-lists/99999999999999999999/",
]


def test_unknown_ids_and_pages_are_404_not_errors(client, catalogue):
    for path in NOT_FOUND:
        response = client.get(f"{API}/{path}")
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json", path


def test_page_size_is_twenty_by_default_and_at_most_a_hundred(client, catalogue):
    for n in range(22):
        listed_offering(f"科普实验课{n}", category="science")
    assert len(results(client, f"{API}/offerings/")) == 20
    assert len(results(client, f"{API}/offerings/?page=2")) == 5
    assert len(results(client, f"{API}/offerings/?page_size=5")) == 5
    assert len(results(client, f"{API}/offerings/?page_size=1000")) == 25
    assert len(results(client, f"{API}/offerings/?page_size=-3")) == 20


def test_the_api_is_read_only(client, catalogue):
    for method in (client.post, client.put, client.patch, client.delete):
        assert method(f"{API}/offerings/{catalogue['paper'].pk}/").status_code == 405
    assert client.post(f"{API}/offerings/", {}).status_code == 405


ENDPOINTS = ["offerings", "providers", "notices", "candidate-lists"]


def test_the_query_count_of_a_list_does_not_grow_with_its_rows(client, catalogue):
    def count(endpoint):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{API}/{endpoint}/")
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    def counts():
        for endpoint in ENDPOINTS:
            count(endpoint)  # warm the site-root cache, which publishing pages clears
        return {endpoint: count(endpoint) for endpoint in ENDPOINTS}

    small = counts()
    for n in range(12):
        offering = listed_offering(f"科普实验课{n}", category="science", town=catalogue["east"])
        CredentialFactory(provider=offering.provider, verified=True)
        ContractFactory(provider=offering.provider)
        publish_notice(NoticeKind.LISTING, offering.provider)
        candidate_list_version(10 + n)
    large = counts()
    for endpoint in ENDPOINTS:
        (queries, rows), (more_queries, more_rows) = small[endpoint], large[endpoint]
        assert (more_rows - rows, more_queries) == (12, queries), endpoint


# --- the schema ------------------------------------------------------------------

def test_the_schema_is_a_valid_openapi_3_document_of_the_public_api_only(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert sorted(schema["paths"]) == [
        "/api/v1/candidate-lists/", "/api/v1/candidate-lists/{version}/",
        "/api/v1/notices/", "/api/v1/notices/{id}/", "/api/v1/offerings/",
        "/api/v1/offerings/{id}/", "/api/v1/providers/", "/api/v1/providers/{id}/"]
    offering_params = {p["name"]: p for p in schema["paths"]["/api/v1/offerings/"]["get"][
        "parameters"]}
    assert set(offering_params) == {"q", "category", "kind", "delivery", "grade", "town",
                                    "price_min", "price_max", "sort", "page", "page_size"}
    assert "heritage" in offering_params["category"]["schema"]["enum"]
    assert client.get("/api/schema/").status_code == 200  # YAML by default
