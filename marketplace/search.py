"""Catalogue search that works for Chinese.

Chinese is written without spaces, so neither PostgreSQL's full-text parser nor a plain
word index can find 剪纸 inside 非遗剪纸课程. Every searchable text is therefore turned
into a token document in Python: each run of Chinese characters contributes its single
characters and its overlapping bigrams (非遗剪纸 → 非 遗 剪 纸 非遗 遗剪 剪纸), each run of
Latin letters and digits contributes one lower-cased word. A query is turned into terms
the same way — a Chinese run of two or more characters into its bigrams, a single
character into itself, a Latin word into a prefix term — and an offering matches when its
document holds every term.

The document is stored on the row (``Offering.search_document``). On PostgreSQL a stored
generated column keeps it as ``to_tsvector('simple', …)`` with a GIN index (the 'simple'
configuration neither stems nor drops stop words, so the tokens stay as written), and a
search is one index lookup; on SQLite the same terms are matched as space-delimited
substrings. Both give the same results, which the tests check on each database.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Case, Q, Value, When
from django.db.models.expressions import RawSQL

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_HAN}]+|[0-9a-z]+")
MAX_QUERY_LENGTH = 100
MAX_TERMS = 24


def _normalise(text: str) -> str:
    """Full-width letters and digits to ASCII (ＡＩ → ai), everything lower-cased."""
    return unicodedata.normalize("NFKC", text or "").lower()


def _is_han(run: str) -> bool:
    return not run[0].isascii()


def document_tokens(*texts: str) -> str:
    """The token document for some texts: space-separated, each token once, with a
    space at both ends so that every token can be matched as `` token ``."""
    seen: dict[str, None] = {}
    for text in texts:
        for run in _RUNS.findall(_normalise(text)):
            if _is_han(run):
                seen.update(dict.fromkeys(run))
                seen.update(dict.fromkeys(run[i:i + 2] for i in range(len(run) - 1)))
            else:
                seen[run] = None
    return f" {' '.join(seen)} " if seen else ""


@dataclass(frozen=True)
class Term:
    text: str
    prefix: bool  # Latin words match as prefixes: "pyth" finds "python"


def query_terms(query: str) -> list[Term]:
    """The terms a query asks for, in order, without repeats."""
    terms: dict[Term, None] = {}
    for run in _RUNS.findall(_normalise(query[:MAX_QUERY_LENGTH])):
        if not _is_han(run):
            terms[Term(run, prefix=True)] = None
        elif len(run) == 1:
            terms[Term(run, prefix=False)] = None
        else:
            terms.update(dict.fromkeys(Term(run[i:i + 2], False) for i in range(len(run) - 1)))
    return list(terms)[:MAX_TERMS]


def _tsquery(terms: list[Term]) -> str:
    # Tokens hold only Han characters, a-z and 0-9, so quoting them is enough.
    return " & ".join(f"'{t.text}'" + (":*" if t.prefix else "") for t in terms)


def search(queryset, query: str, *, field: str = "search_document", title: str = "title"):
    # ``field`` is the token document SQLite matches; PostgreSQL matches its stored
    # tsvector, ``search_vector``.
    """``queryset`` narrowed to rows whose document holds every term of ``query``,
    annotated with ``title_hit`` (every term also occurs in the title). A query without
    a single searchable character leaves the queryset as it was, with ``title_hit`` false.
    """
    terms = query_terms(query or "")
    if not terms:
        return queryset.annotate(title_hit=Value(False, output_field=BooleanField()))
    if connection.vendor == "postgresql":
        # The stored tsvector column (marketplace migration 0005) and its GIN index: no
        # document is parsed at query time.
        table = queryset.model._meta.db_table
        # The table name is the model's own; the query text goes in as a parameter.
        queryset = queryset.filter(pk__in=RawSQL(  # noqa: S611
            f'SELECT id FROM "{table}" WHERE search_vector @@ to_tsquery(\'simple\', %s)',  # noqa: S608
            [_tsquery(terms)],
        ))
    else:
        for term in terms:
            needle = f" {term.text}" if term.prefix else f" {term.text} "
            queryset = queryset.filter(**{f"{field}__contains": needle})
    in_title = Q()
    for term in terms:
        in_title &= Q(**{f"{title}__icontains": term.text})
    return queryset.annotate(
        title_hit=Case(When(in_title, then=Value(True)), default=Value(False),
                       output_field=BooleanField())
    )
