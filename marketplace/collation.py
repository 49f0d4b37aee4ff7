"""Lists meant for people sort Chinese names by pinyin (拼音排序), not by code point.

One order on both databases and in Python:

- PostgreSQL uses its ICU collation ``zh-x-icu`` (CLDR's pinyin order; PostgreSQL must be
  built with ICU, as the Debian, Ubuntu and official Docker packages are);
- SQLite gets a collation of the same name on each connection, comparing ``pinyin_key``;
- lists sorted in Python use ``pinyin_key`` itself.

``pinyin_key`` follows the ICU order: spaces and punctuation first, then digits, then Han
characters by pinyin syllable and tone, then Latin letters regardless of case and accents,
then other scripts; case and full-width forms only break ties. So 冯海波 (féng) < 何丽 (hé)
< 临江 (lín), and 2号 < 阿里 < abc < Zeta.

Use ``pinyin_order("name")`` wherever a query orders by a name or a title.
"""

import unicodedata
from functools import lru_cache

from django.db.backends.signals import connection_created
from django.db.models import F
from django.db.models.functions import Collate
from pypinyin import Style, pinyin

COLLATION = "zh-x-icu"

_PUNCTUATION, _DIGIT, _HAN, _LATIN, _OTHER = range(5)


def _element(char: str, reading: str) -> tuple:
    """The primary sort weight of one character; ``reading`` is its pinyin with a tone
    number (``feng2``), or the character itself when it has none."""
    if reading != char:
        tone = reading[-1] if reading[-1].isdigit() else "5"
        return (_HAN, reading.rstrip("012345"), tone, char)
    base = unicodedata.normalize("NFKD", char)[:1] or char
    if base.isdigit():
        return (_DIGIT, unicodedata.digit(base, 0), "", char)
    if base.isalpha() and base.isascii():
        return (_LATIN, base.casefold(), "", "")
    if base.isalpha():
        return (_OTHER, base.casefold(), "", "")
    return (_PUNCTUATION, base, "", "")


@lru_cache(maxsize=8192)
def pinyin_key(text: str) -> tuple:
    """A sort key that orders ``text`` as the ``zh-x-icu`` collation does."""
    text = text or ""
    readings = pinyin(text, style=Style.TONE3, neutral_tone_with_five=True,
                      errors=lambda run: list(run))
    primary = tuple(_element(char, reading[0]) for char, reading in zip(text, readings,
                                                                         strict=True))
    # Ties: lower case before upper case, ordinary before full-width forms, then the text.
    tertiary = tuple((unicodedata.normalize("NFKC", c) != c, c.isupper()) for c in text)
    return primary, tertiary, text


def compare(a: str, b: str) -> int:
    """The SQLite collation function: negative, zero or positive like ``cmp``."""
    key_a, key_b = pinyin_key(a), pinyin_key(b)
    return (key_a > key_b) - (key_a < key_b)


def install(connection) -> None:
    """Register the collation on a SQLite connection (once per raw connection)."""
    if connection.vendor != "sqlite":
        return
    connection.ensure_connection()
    raw = connection.connection
    if getattr(connection, "_pinyin_collation_on", None) is not raw:
        raw.create_collation(COLLATION, compare)
        connection._pinyin_collation_on = raw


def _on_connection_created(sender, connection, **kwargs):
    install(connection)


connection_created.connect(_on_connection_created, dispatch_uid="marketplace.collation")


class PinyinOrder(Collate):
    """``expression COLLATE "zh-x-icu"`` on PostgreSQL and SQLite; the plain expression on
    other databases."""

    def __init__(self, expression):
        super().__init__(expression, COLLATION)

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(self.get_source_expressions()[0])

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        install(connection)
        return super().as_sql(compiler, connection, **extra_context)


def pinyin_order(field: str) -> PinyinOrder:
    """``field`` in pinyin order, for ``order_by()``: ``pinyin_order("name").desc()``
    sorts backwards."""
    return PinyinOrder(F(field))
