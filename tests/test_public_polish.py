"""What a visitor reads: each language named in itself, free offerings called free
everywhere a price is shown, one phone number for the bureau, and demo logins that point
where the demo is served."""

import io
import subprocess
from collections import Counter
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader
from wagtail.models import Site

from cms.notices import publish_notice
from cms.publishing import sync_provider_page
from cms.tasks import refresh_candidate_list
from marketplace.management.commands.seed_marketplace import Command as SeedMarketplace
from marketplace.models import BureauSettings, CandidateList
from tests.factories import OfferingFactory, ProviderFactory
from tests.test_settings import ROOT

pytestmark = pytest.mark.django_db


def visitor(language="zh-hans") -> Client:
    client = Client()
    client.cookies["django_language"] = language
    return client


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_language_menu_names_each_language_in_itself(language):
    html = visitor(language).get("/").content.decode()
    assert '<option value="zh-hans" lang="zh-hans"' in html
    assert ">简体中文</option>" in html and ">English</option>" in html
    assert "英语" not in html and "Simplified Chinese" not in html


@pytest.fixture
def free_and_paid(on_commit_immediately):
    provider = ProviderFactory(listed=True, name="滨江少年宫", kind="venue")
    OfferingFactory(provider=provider, title="周末公益剪纸", price_per_session=Decimal("0"),
                    review="verified")
    OfferingFactory(provider=provider, title="篮球训练营", price_per_session=Decimal("180"),
                    review="verified")
    sync_provider_page(provider)
    refresh_candidate_list("test")
    provider.page.refresh_from_db()
    return provider


@pytest.mark.parametrize("language, free, paid", [("zh-hans", "免费", "每次180.00元"),
                                                  ("en", "Free", "180.00 yuan per session")])
def test_a_free_offering_reads_free_in_the_catalogue_and_on_the_provider_page(
        free_and_paid, language, free, paid):
    for url in ("/catalogue/", free_and_paid.page.url):
        html = visitor(language).get(url).content.decode()
        assert free in html and paid in html, url
        assert "每次0.00元" not in html and "· 0.00 yuan" not in html, url


def test_a_free_offering_reads_free_in_the_candidate_list_files(free_and_paid):
    version = CandidateList.current()
    text = "".join("".join(page.extract_text().split())
                   for page in PdfReader(io.BytesIO(version.pdf.read())).pages)
    assert "周末公益剪纸" in text and "免费" in text and "每次180.00元" in text
    assert "每次0.00元" not in text
    sheet = load_workbook(io.BytesIO(version.xlsx.read())).active
    prices = {row[5]: row[9] for row in sheet.iter_rows(values_only=True) if row[5]}
    assert prices["周末公益剪纸"] == "免费"
    assert prices["篮球训练营"] == 180  # still a number to add up


def test_the_api_keeps_a_free_price_numeric(free_and_paid):
    data = Client().get("/api/v1/offerings/").json()
    results = data["results"] if isinstance(data, dict) else data
    prices = {o["title"]: o["price_per_session"] for o in results}
    assert prices["周末公益剪纸"] == "0.00"


def test_notices_and_footer_show_the_one_phone_number_of_the_bureau(on_commit_immediately):
    BureauSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"bureau_name": "滨江区教育局", "phone": "0571-87650000"})
    provider = ProviderFactory(listed=True, name="临江非遗文化传习馆", kind="venue")
    notice = publish_notice("listing", provider)
    html = visitor().get(notice.url).content.decode()
    assert html.count("0571-87650000") == 2  # the notice's contact line and the footer
    assert "咨询和异议：滨江区教育局，联系电话 0571-87650000。" in html


def test_seeded_notices_carry_no_phone_number_of_their_own():
    source = (ROOT / "cms" / "management" / "commands" / "seed_demo.py").read_text()
    assert "联系电话" not in source and "0571-86012345" not in source


def test_make_demo_passes_its_host_to_the_seed_and_the_server():
    result = subprocess.run(["make", "-n", "seed", "serve", "HOST=0.0.0.0:9000"], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    lines = result.stdout.splitlines()
    assert any("BASE_URL=http://0.0.0.0:9000" in line and "seed_demo" in line for line in lines)
    assert any("BASE_URL=http://0.0.0.0:9000" in line and "runserver 0.0.0.0:9000" in line
               for line in lines)


def test_the_printed_demo_logins_follow_the_base_url(settings):
    settings.WAGTAILADMIN_BASE_URL = "http://0.0.0.0:9000"
    out = io.StringIO()
    command = SeedMarketplace(stdout=out)
    command.created = Counter()  # nothing seeded in this run
    command.report(0.0)
    printed = out.getvalue()
    assert "http://0.0.0.0:9000/accounts/login/" in printed
    assert "127.0.0.1:8000" not in printed
