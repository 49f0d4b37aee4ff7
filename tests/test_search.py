"""Search that works for Chinese: tokens, recall on a set of Chinese queries, title
matches first, filters respected — the same on SQLite and PostgreSQL."""

from decimal import Decimal

import pytest
from django.db import connection

from marketplace.catalogue import offerings, read_filters
from marketplace.models import Offering
from marketplace.search import document_tokens, query_terms
from marketplace.search import search as search_offerings
from tests.test_catalogue import listed_offering

CATALOGUE = [
    ("非遗剪纸课程", "heritage", "in_school", "剪纸技法与民间艺术欣赏。"),
    ("青少年篮球训练营", "sports", "at_venue", "运球、传球、投篮与团队配合。"),
    ("少儿Python编程入门", "technology", "online", "用 Python 编写小游戏。"),
    ("3D打印创意工坊", "technology", "in_school", "三维建模与打印。"),
    ("校园足球", "sports", "in_school", "足球基本功训练，每周一次。"),
    ("书法与篆刻", "arts", "in_school", "毛笔书法入门，兼谈剪纸与篆刻的刀法。"),
    ("ＡＩ机器人搭建", "technology", "in_school", "乐高机器人与传感器。"),
]

# query → the titles it must find (recall), in the order they must come
RECALL = {
    "剪纸": ["非遗剪纸课程", "书法与篆刻"],          # title match first, outline match after
    "篮球": ["青少年篮球训练营"],
    "篮球训练": ["青少年篮球训练营"],                  # a phrase
    "球": ["校园足球", "青少年篮球训练营"],            # a single character
    "python": ["少儿Python编程入门"],                 # Latin, case-insensitive
    "PYTH": ["少儿Python编程入门"],                   # a Latin prefix
    "Python 编程": ["少儿Python编程入门"],            # mixed Chinese and English
    "3d打印": ["3D打印创意工坊"],                     # digits and letters with Chinese
    "ai": ["ＡＩ机器人搭建"],                         # full-width letters in the title
    "非遗 剪纸": ["非遗剪纸课程"],                    # several words: all must match
    "体育": ["校园足球", "青少年篮球训练营"],          # the category's name
    "Sports": ["校园足球", "青少年篮球训练营"],        # … in English too
}


@pytest.fixture
def catalogue(db):
    for title, category, delivery, outline in CATALOGUE:
        listed_offering(title, category=category, delivery=delivery, outline=outline,
                        price_per_session=Decimal("100"))


def search(query, **filters):
    params = {"q": query, **filters}
    return [o.title for o in offerings(read_filters(params))]


def test_documents_hold_characters_bigrams_and_lower_case_words():
    tokens = document_tokens("非遗剪纸 Python3").split()
    assert {"非", "遗", "剪", "纸", "非遗", "遗剪", "剪纸", "python3"} == set(tokens)
    assert document_tokens("ＡＩ课") == " ai 课 "


def test_queries_become_bigrams_single_characters_and_prefixes():
    assert [t.text for t in query_terms("非遗剪纸")] == ["非遗", "遗剪", "剪纸"]
    assert [(t.text, t.prefix) for t in query_terms("球 Py")] == [("球", False), ("py", True)]
    assert query_terms("!!! ，。") == []


@pytest.mark.parametrize(("query", "expected"), RECALL.items(), ids=list(RECALL))
def test_chinese_queries_find_what_they_should(catalogue, query, expected):
    found = search(query)
    assert found[:len(expected)] == expected or sorted(found) == sorted(expected)
    assert set(found) == set(expected)


def test_title_matches_rank_before_other_matches(catalogue):
    assert search("剪纸") == ["非遗剪纸课程", "书法与篆刻"]
    assert search("剪纸", sort="-price")[0] == "非遗剪纸课程"


def test_search_respects_the_active_filters(catalogue):
    assert search("球", delivery="in_school") == ["校园足球"]
    assert search("球", category="arts") == []
    assert search("剪纸", category="heritage") == ["非遗剪纸课程"]


def test_nothing_is_found_for_words_that_are_not_there(catalogue):
    assert search("钢琴") == []
    assert search("剪刀") == []  # 剪 alone is present, 剪刀 is not


def test_a_query_without_searchable_characters_does_not_filter(catalogue):
    assert len(search("，。！")) == len(CATALOGUE)


def test_renaming_a_provider_updates_what_search_finds(catalogue):
    offering = Offering.objects.get(title="校园足球")
    provider = offering.provider
    provider.name = "绿茵少年体育俱乐部"
    provider.save()
    assert search("绿茵") == ["校园足球"]


def test_editing_an_offering_updates_what_search_finds(catalogue):
    offering = Offering.objects.get(title="校园足球")
    offering.title = "校园排球"
    offering.save(update_fields=["title"])
    assert search("排球") == ["校园排球"]
    assert search("校园足球") == []


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="the GIN index exists on PostgreSQL only")
def test_postgresql_answers_a_search_from_the_gin_index(catalogue):
    # A search is answered from the GIN index on the stored tsvector.
    queryset = search_offerings(Offering.objects.only("pk").order_by(), "剪纸")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # Small test tables make any plan cheap: rule out the plans that ignore the search
        # condition, so the plan shows which index can answer it.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "offering_search_gin" in plan
