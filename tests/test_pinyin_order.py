"""Lists meant for people sort Chinese names by pinyin, the same way on SQLite, on
PostgreSQL and in Python: the candidate list, the catalogue's title sort and the back
office's lists."""

import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from cms.models import CatalogueIndexPage
from cms.publishing import sync_provider_page
from cms.tasks import refresh_candidate_list
from marketplace.collation import pinyin_key, pinyin_order
from marketplace.models import CandidateList, Provider
from tests.factories import (
    OfferingFactory,
    PersonFactory,
    ProviderFactory,
    make_credit_code,
)
from tests.test_admin_views import browser, entry_url, in_review, staff  # noqa: F401
from workflows.admission import AdmissionState as S

pytestmark = pytest.mark.django_db

# By code point 临 (U+4E34) < 何 (U+4F55) < 冯 (U+51AF); by pinyin féng < hé < lín.
NAMES = ["临江", "何丽", "冯海波"]
BY_PINYIN = ["冯海波", "何丽", "临江"]

# Digits first (character by character, as ICU does), then Han by pinyin, then Latin
# letters whatever their case.
MIXED = ["Zeta艺术", "临江书院", "abc学堂", "2号课室", "何丽", "Bridge艺术", "阿里科技",
         "10号课室", "冯海波"]
MIXED_BY_PINYIN = ["10号课室", "2号课室", "阿里科技", "冯海波", "何丽", "临江书院",
                   "abc学堂", "Bridge艺术", "Zeta艺术"]


def test_names_sort_by_pinyin_not_by_code_point():
    assert sorted(NAMES) == NAMES
    assert sorted(NAMES, key=pinyin_key) == BY_PINYIN


def test_latin_letters_and_digits_sort_sensibly_among_chinese_names():
    assert sorted(MIXED, key=pinyin_key) == MIXED_BY_PINYIN
    # Case, accents and full-width forms only break ties.
    assert sorted(["ABC", "Ａbc", "abd", "abc"], key=pinyin_key) == ["abc", "ABC", "Ａbc", "abd"]
    # Syllable by syllable: 西安 (xi an) before 先 (xian); a name before its extension.
    assert sorted(["先", "西安", "李明华", "李明"], key=pinyin_key) == ["李明", "李明华", "西安",
                                                                     "先"]


@pytest.mark.parametrize("names, expected", [(NAMES, BY_PINYIN), (MIXED, MIXED_BY_PINYIN)])
def test_the_database_orders_names_like_python(names, expected):
    for n, name in enumerate(names):
        ProviderFactory(name=name, credit_code=make_credit_code(700 + n))
    ordered = list(Provider.objects.order_by(pinyin_order("name"), "pk")
                   .values_list("name", flat=True))
    assert ordered == expected
    reverse_order = Provider.objects.order_by(pinyin_order("name").desc(), "pk")
    assert list(reverse_order.values_list("name", flat=True)) == expected[::-1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's ICU collation")
def test_postgresql_sorts_with_its_icu_collation():
    ProviderFactory(name="何丽")
    sql = str(Provider.objects.order_by(pinyin_order("name")).query)
    assert 'COLLATE "zh-x-icu"' in sql


# --- each list -----------------------------------------------------------------------------
def listed(name, n, *titles):
    provider = ProviderFactory(listed=True, name=name, credit_code=make_credit_code(800 + n))
    for title in titles:
        OfferingFactory(provider=provider, title=title, review="verified")
    sync_provider_page(provider)
    return provider


def test_candidate_list_rows_follow_pinyin_order(on_commit_immediately):
    for n, name in enumerate(NAMES):
        listed(name, n, f"{name}的课程")
    refresh_candidate_list("test")
    version = CandidateList.current()
    assert [entry["name"] for entry in version.entries] == BY_PINYIN

    with version.xlsx.open("rb") as stored:
        sheet = load_workbook(io.BytesIO(stored.read())).active
    names = [row[1] for row in sheet.iter_rows(values_only=True) if row[1] in NAMES]
    assert names == BY_PINYIN


def test_candidate_list_orders_each_providers_offerings_by_pinyin(on_commit_immediately):
    listed("滨江区测试培训学校", 0, "临江剪纸课", "何丽舞蹈课", "冯海波篮球课")
    refresh_candidate_list("test")
    offerings = CandidateList.current().entries[0]["offerings"]
    assert [o["title"] for o in offerings] == ["冯海波篮球课", "何丽舞蹈课", "临江剪纸课"]


def test_catalogue_title_sort_follows_pinyin(client):
    for n, name in enumerate(NAMES):
        listed(f"测试机构{n}", n, f"{name}课程")
    url = CatalogueIndexPage.objects.get().url
    for query in ("", "?sort=price"):  # equal prices: titles break the tie
        cache.clear()  # render the list, do not serve it from the cache
        response = client.get(url + query)
        titles = [o.title for o in response.context["page_obj"].object_list]
        assert titles == [f"{name}课程" for name in BY_PINYIN], query


def test_admissions_list_sorts_by_name_in_pinyin_order(staff):  # noqa: F811
    # Created in pinyin order, so that "most recently changed first" is the reverse.
    for n, name in enumerate(BY_PINYIN):
        ProviderFactory(name=name, credit_code=make_credit_code(900 + n), state=S.SUBMITTED)
    response = browser(staff["reviewer"]).get(reverse("admissions:queue"),
                                               {"tab": "all", "sort": "name"})
    assert [row["provider"].name for row in response.context["rows"]] == BY_PINYIN


def test_entry_page_lists_people_and_offerings_in_pinyin_order(staff):  # noqa: F811
    provider = in_review(staff)
    people = list(provider.active_people().values_list("full_name", flat=True))
    for name in NAMES:
        PersonFactory(provider=provider, full_name=name)
        OfferingFactory(provider=provider, title=f"{name}课程")
    context = browser(staff["reviewer"]).get(entry_url(provider)).context
    names = [row["obj"].full_name for row in context["people"]]
    assert [n for n in names if n in NAMES] == BY_PINYIN
    assert sorted(names) == sorted([*people, *NAMES])
    titles = [row["obj"].title for row in context["offerings"]]
    assert [t for t in titles if t.endswith("课程")] == [f"{n}课程" for n in BY_PINYIN]

