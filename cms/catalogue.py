"""The public catalogue's query: live offerings of listed providers, filtered by what the
visitor chose. Every filter lives in the query string, so a filtered list is a link."""

from decimal import Decimal, InvalidOperation

from django.core.paginator import Paginator

from marketplace.choices import Category, Delivery, ProviderKind, VerificationState
from marketplace.models import Offering, Town
from workflows.admission import AdmissionState

PAGE_SIZE = 20
SORTS = {
    "title": ("title",),
    "price": ("price_per_session", "title"),
    "-price": ("-price_per_session", "title"),
    "newest": ("-provider__listed_on", "title"),
}


def _choice(value, allowed):
    return value if value in allowed else ""


def _int(value, low, high):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


def _money(value):
    try:
        amount = Decimal(value)
    except (TypeError, ValueError, InvalidOperation):
        return None
    return amount if amount >= 0 else None


def read_filters(params) -> dict:
    """The filters from a query string, invalid values dropped."""
    return {
        "category": _choice(params.get("category"), Category.values),
        "kind": _choice(params.get("kind"), ProviderKind.values),
        "delivery": _choice(params.get("delivery"), Delivery.values),
        "grade": _int(params.get("grade"), 1, 9),
        "town": _int(params.get("town"), 1, 10**9),
        "price_min": _money(params.get("price_min")),
        "price_max": _money(params.get("price_max")),
        "sort": _choice(params.get("sort"), SORTS) or "title",
    }


def offerings(filters: dict):
    queryset = Offering.objects.filter(
        provider__state=AdmissionState.LISTED, provider__page__live=True,
        review=VerificationState.VERIFIED, withdrawn_at__isnull=True,
    ).select_related("provider", "provider__page")
    if filters["category"]:
        queryset = queryset.filter(category=filters["category"])
    if filters["kind"]:
        queryset = queryset.filter(provider__kind=filters["kind"])
    if filters["delivery"]:
        queryset = queryset.filter(delivery=filters["delivery"])
    if filters["grade"]:
        queryset = queryset.filter(grade_from__lte=filters["grade"],
                                   grade_to__gte=filters["grade"])
    if filters["town"]:
        queryset = queryset.filter(provider__service_area=filters["town"])
    if filters["price_min"] is not None:
        queryset = queryset.filter(price_per_session__gte=filters["price_min"])
    if filters["price_max"] is not None:
        queryset = queryset.filter(price_per_session__lte=filters["price_max"])
    return queryset.order_by(*SORTS[filters["sort"]]).distinct()


def catalogue_page(params):
    filters = read_filters(params)
    paginator = Paginator(offerings(filters), PAGE_SIZE)
    page = paginator.get_page(params.get("page"))
    active = {k: v for k, v in filters.items() if v not in ("", None) and k != "sort"}
    query = params.copy()
    query.pop("page", None)
    return {
        "filters": filters, "page_obj": page, "active_filters": bool(active),
        "query_string": query.urlencode(),
        "choices": {
            "category": Category.choices, "kind": ProviderKind.choices,
            "delivery": Delivery.choices, "grade": [(n, n) for n in range(1, 10)],
            "town": Town.objects.order_by("district", "name").values_list("pk", "name"),
        },
    }
