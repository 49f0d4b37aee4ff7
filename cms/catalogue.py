"""The catalogue page's context: the filtered list, rendered once per filter combination
and language and then served from the cache until the catalogue changes.

The cache key carries a catalogue *generation*: a counter in the cache that
``invalidate()`` bumps whenever an entry is published or unpublished, an offering changes,
or a notice is published. Old keys are never deleted; they simply stop being asked for
and expire.
"""

import hashlib
import json

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import translation

from marketplace.catalogue import active_filters, offerings, read_filters
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


def _page_number(value) -> str:
    value = (value or "").strip()
    return value if value == "last" or (value.isdigit() and len(value) < 7) else "1"


def _key(filters: dict, page: str) -> str:
    """The filters as read (so that junk and repeated parameters all map to the one list
    they show), the page, the language and the catalogue's generation."""
    canonical = json.dumps([sorted(filters.items()), page], default=str, ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:32]
    return f"catalogue:{generation()}:{translation.get_language()}:{digest}"


def choices() -> dict:
    return {
        "category": Category.choices,
        "kind": [(kind.value, kind.label) for kind in ProviderKind.named_in_public()],
        "delivery": Delivery.choices, "grade": [(n, n) for n in range(1, 10)],
        "town": list(Town.objects.order_by("district", "name").values_list("pk", "name")),
    }


def results(params, *, page_url: str) -> str:
    """The HTML of the filter form and the matching offerings."""
    filters = read_filters(params)
    page_number = _page_number(params.get("page"))
    key = _key(filters, page_number)
    html = cache.get(key)
    if html is None:
        paginator = Paginator(offerings(filters), PAGE_SIZE)
        page = paginator.get_page(page_number)
        query = QueryDict(mutable=True)
        for name, value in active_filters(filters).items():
            query[name] = str(value)
        if filters["sort"] != "title":
            query["sort"] = filters["sort"]
        html = render_to_string("cms/includes/catalogue_results.html", {
            "filters": filters, "page_obj": page, "page_url": page_url,
            "active_filters": bool(active_filters(filters)), "query_string": query.urlencode(),
            "choices": choices(),
        })
        cache.set(key, html, RESULTS_TTL)
    return html
