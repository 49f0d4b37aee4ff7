"""Browser test of the public catalogue: search in Chinese from the home page, combine two
filters, open a provider page, download the candidate list as PDF and Excel, and use the
catalogue at phone width."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from cms.notices import publish_notice
from cms.publishing import sync_provider_page
from cms.tasks import refresh_candidate_list
from tests.factories import CredentialFactory, OfferingFactory, ProviderFactory, TownFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue():
    east = TownFactory(name="江湾镇")
    heritage = ProviderFactory(listed=True, name="临江非遗文化传习馆", kind="venue")
    heritage.service_area.set([east])
    CredentialFactory(provider=heritage, type="business_licence", verification="verified",
                      expires_on="2029-05-31")
    OfferingFactory(provider=heritage, title="非遗剪纸课程", category="heritage",
                    grade_from=2, grade_to=6, price_per_session=Decimal("90"), review="verified")
    OfferingFactory(provider=heritage, title="剪纸进阶：窗花与团花", category="heritage",
                    delivery="at_venue", grade_from=4, grade_to=9, review="verified")
    sports = ProviderFactory(listed=True, name="江滨青少年篮球俱乐部", kind="professional",
                             credit_code="")
    OfferingFactory(provider=sports, title="青少年篮球训练营", category="sports",
                    delivery="at_venue", price_per_session=Decimal("180"), review="verified")
    for n in range(6):
        OfferingFactory(provider=sports, title=f"体能训练{n}", category="sports",
                        review="verified")
    for provider in (heritage, sports):
        sync_provider_page(provider)
        publish_notice("listing", provider)
    refresh_candidate_list("browser test")
    return {"heritage": heritage, "sports": sports}


def test_visitor_searches_filters_opens_a_provider_and_downloads_the_list(
        page, live_server, catalogue, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/")
    expect(page.get_by_role("link", name="关于临江非遗文化传习馆", exact=False)).to_be_visible()

    # Search in Chinese from the home page.
    page.fill("#home-q", "剪纸")
    page.locator(".hero-search button").click()
    items = page.locator(".catalogue-item h2")
    # Title matches, in pinyin order: fēi before jiǎn.
    expect(items).to_have_text(["非遗剪纸课程", "剪纸进阶：窗花与团花"])
    expect(page.locator("[role=status]")).to_contain_text("剪纸")

    # Combine two filters with the search: delivery at the venue, grade 8.
    page.select_option("select[name=delivery]", "at_venue")
    page.select_option("select[name=grade]", "8")
    page.locator(".catalogue-filters .actions button[type=submit]").click()
    expect(items).to_have_count(1)
    expect(items.first).to_have_text("剪纸进阶：窗花与团花")
    assert "delivery=at_venue" in page.url and "grade=8" in page.url and "q=" in page.url

    # The filtered list is a link: opening it again gives the same result.
    page.goto(page.url)
    expect(items).to_have_count(1)

    # Open the provider's page.
    page.get_by_role("link", name="临江非遗文化传习馆").first.click()
    expect(page.locator("h1")).to_have_text("临江非遗文化传习馆")
    expect(page.locator(".provider-page")).to_contain_text("营业执照")
    expect(page.locator(".provider-page")).to_contain_text("2029-05-31")

    # Download the candidate list as PDF and as Excel from the catalogue.
    page.goto(live_server.url + "/catalogue/")
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="下载 PDF").click()
    pdf_path = tmp_path / pdf_download.value.suggested_filename
    pdf_download.value.save_as(pdf_path)
    assert pdf_path.suffix == ".pdf"
    # Table cells wrap, so compare without whitespace.
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(pdf_path).pages)
    assert "临江非遗文化传习馆" in text and "江滨青少年篮球俱乐部" in text
    assert "第1版" in text and "非遗剪纸课程" in text

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="下载 Excel").click()
    data = io.BytesIO(open(xlsx_download.value.path(), "rb").read())  # noqa: SIM115
    rows = list(load_workbook(data).active.iter_rows(values_only=True))
    cells = " ".join(str(c) for row in rows for c in row if c is not None)
    assert "青少年篮球训练营" in cells and "第 1 版" in cells


def test_the_catalogue_is_usable_at_phone_width(page, live_server, catalogue, tmp_path):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/catalogue/?q=训练")
    items = page.locator(".catalogue-item")
    expect(items.first).to_be_visible()
    shot = tmp_path / "catalogue-390.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    first, second = items.nth(0).bounding_box(), items.nth(1).bounding_box()
    assert second["y"] >= first["y"] + first["height"] - 1  # one card per row
    assert first["x"] >= 0 and first["x"] + first["width"] <= 390
    search = page.locator("#catalogue-q").bounding_box()
    assert search["width"] > 200  # the search box takes the row, not a sliver
    for select in page.locator(".catalogue-filters select").all():
        box = select.bounding_box()
        assert box["x"] + box["width"] <= 390
