"""The public site's pages: home with news and notices, policies, the retired-teacher pool
in aggregate, the notices, and provider pages that show types and dates only."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import HomePage, NoticePage, RetiredTeacherPoolPage, StandardPage
from cms.notices import notice_index, publish_notice
from cms.publishing import sync_provider_page
from tests.factories import (
    CredentialFactory,
    OfferingFactory,
    PersonFactory,
    ProviderFactory,
    TownFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def home():
    return HomePage.objects.get()


def retired_teacher(subject, towns, *, state="listed"):
    provider = ProviderFactory(kind="retired_teacher", credit_code="", state=state,
                               listed_on=dt.date(2026, 9, 1))
    provider.service_area.set(towns)
    person = PersonFactory(provider=provider, subject=subject, full_name=f"{subject}老师")
    return provider, person


def test_home_shows_news_and_the_latest_notices_newest_first(client, home):
    index = notice_index()
    for day, kind, title in [(dt.date(2026, 9, 1), "general", "新学期部署会"),
                             (dt.date(2026, 6, 1), "general", "遴选公告")]:
        index.add_child(instance=NoticePage(title=title, kind=kind, published_on=day))
    old, new = ProviderFactory(listed=True), ProviderFactory(listed=True)
    publish_notice("listing", old, on=dt.date(2026, 3, 1))
    publish_notice("listing", new, on=dt.date(2026, 10, 1))
    body = client.get(home.url).content.decode()
    assert body.index("新学期部署会") < body.index("遴选公告")
    assert body.index(new.name) < body.index(old.name)
    assert "全部公示" in body and 'name="q"' in body


def test_a_standard_page_renders_its_streamfield_body(client, home):
    page = StandardPage(title="政策与办事指南", slug="policies", body=[
        ("heading", "准入条件"), ("paragraph", "<p>进校人员须通过违法犯罪信息查询。</p>"),
        ("notice", {"title": "收费标准", "text": "每课时不超过 200 元"})])
    home.add_child(instance=page)
    body = client.get(page.url).content.decode()
    assert "<h2>准入条件</h2>" in body and "违法犯罪信息查询" in body
    assert "每课时不超过 200 元" in body


def test_the_pool_shows_counts_by_subject_and_town_and_no_person(client, home):
    east, west = TownFactory(name="江湾镇"), TownFactory(name="城关街道")
    _, math = retired_teacher("数学", [east, west])
    _, art1 = retired_teacher("美术", [east])
    _, art2 = retired_teacher("美术", [east])
    retired_teacher("音乐", [west], state="qualification_review")  # not in the pool yet
    pool = RetiredTeacherPoolPage(title="退休教师库", slug="retired-teachers",
                                  how_to_request="<p>登录学校工作台提出需求。</p>")
    home.add_child(instance=pool)
    response = client.get(pool.url)
    context = response.context
    assert context["total"] == 3
    assert [(r["subject"], r["n"]) for r in context["by_subject"]] == [("美术", 2), ("数学", 1)]
    assert [(t.name, t.n) for t in context["by_town"]] == [("江湾镇", 3), ("城关街道", 1)]
    body = response.content.decode()
    assert "登录学校工作台提出需求" in body
    for person in (math, art1, art2):
        assert person.full_name not in body and person.id_number not in body
        assert person.phone not in body
    assert "音乐" not in body


def test_the_notice_index_filters_by_kind_and_links_each_notice(client):
    provider = ProviderFactory(listed=True)
    listing = publish_notice("listing", provider)
    exit_ = publish_notice("exit", provider)
    index = notice_index()
    body = client.get(index.url + "?kind=exit").content.decode()
    assert exit_.url in body and listing.url not in body
    body = client.get(index.url).content.decode()
    assert exit_.url in body and listing.url in body
    assert client.get(index.url + "?kind=nonsense&page=x").status_code == 200


def test_the_provider_page_shows_verified_credential_types_and_dates_only(client):
    provider = ProviderFactory(listed=True)
    CredentialFactory(provider=provider, type="business_licence", verification="verified",
                      number="LIC-NUMBER-1", expires_on=dt.date(2029, 5, 31))
    CredentialFactory(provider=provider, type="school_permit", verification="pending")
    CredentialFactory(provider=provider, type="coach_licence", verification="verified",
                      expires_on=dt.date(2020, 1, 1))  # verified once, expired since
    person = PersonFactory(provider=provider)
    OfferingFactory(provider=provider, title="机器人搭建", review="verified")
    OfferingFactory(provider=provider, title="未审核的课程", review="pending")
    page = sync_provider_page(provider)
    body = client.get(page.url).content.decode()
    assert "营业执照" in body and "2029-05-31" in body
    assert "办学许可证" not in body and "LIC-NUMBER-1" not in body
    assert "教练员证书" not in body and "2020-01-01" not in body
    assert "机器人搭建" in body and "未审核的课程" not in body
    for secret in (person.full_name, person.id_number, person.phone, provider.contact_phone,
                   provider.contact_email, provider.credit_code):
        assert secret not in body


def test_pages_keep_a_constant_query_count(client, home):
    index = notice_index()

    def count(url):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    publish_notice("listing", ProviderFactory(listed=True))
    small = (count(home.url), count(index.url))
    for _ in range(12):
        publish_notice("listing", ProviderFactory(listed=True))
    assert (count(home.url), count(index.url)) == small
