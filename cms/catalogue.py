"""The catalogue page's context: the filtered list, rendered once per filter combination
and language and then served from the cache until the catalogue changes.

The cache key carries a catalogue *generation*: a counter in the cache that
``invalidate()`` bumps whenever an entry is published or unpublished, an offering changes,
or a notice is published. Old keys are never deleted; they simply stop being asked for
and expire.
"""

import hashlib

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import translation

from marketplace.catalogue import FILTERS, active_filters, offerings, read_filters
from marketplace.choices import Category, Delivery, ProviderKind
from marketplace.models import Town

PAGE_SIZE = 20
GENERATION_KEY = "catalogue:generation"
RESULTS_TTL = 60 * 60


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY, 1)
    return value


def invalidate() -> None:
    """Make every cached catalogue result stale."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.add(GENERATION_KEY, 2, timeout=None)


def _key(params) -> str:
    canonical = "&".join(f"{k}={params.get(k, '')}" for k in (*FILTERS, "sort", "page"))
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:32]
    return f"catalogue:{generation()}:{translation.get_language()}:{digest}"


def choices() -> dict:
    return {
        "category": Category.choices, "kind": ProviderKind.choices,
        "delivery": Delivery.choices, "grade": [(n, n) for n in range(1, 10)],
        "town": list(Town.objects.order_by("district", "name").values_list("pk", "name")),
    }


def results(params, *, page_url: str) -> str:
    """The HTML of the filter form and the matching offerings."""
    filters = read_filters(params)
    key = _key({**{k: params.get(k, "") for k in (*FILTERS, "page")}, "sort": filters["sort"]})
    html = cache.get(key)
    if html is None:
        paginator = Paginator(offerings(filters), PAGE_SIZE)
        page = paginator.get_page(params.get("page"))
        query = QueryDict(mutable=True)
        for name in (*FILTERS, "sort"):
            if params.get(name):
                query[name] = params.get(name)
        html = render_to_string("cms/includes/catalogue_results.html", {
            "filters": filters, "page_obj": page, "page_url": page_url,
            "active_filters": bool(active_filters(filters)), "query_string": query.urlencode(),
            "choices": choices(),
        })
        cache.set(key, html, RESULTS_TTL)
    return html
