"""The public catalogue's queries, shared by the Wagtail catalogue page, the candidate list
and the read-only API: live offerings of listed providers, filtered by what the visitor
chose. Every filter comes from a query string, so a filtered list is a link."""

from decimal import Decimal, InvalidOperation

from django.db.models import Prefetch, Q
from django.utils import timezone

from marketplace.admission.credentials import REQUIRED_FOR_PERSON
from marketplace.choices import (
    Category,
    ContractKind,
    Delivery,
    ProviderKind,
    VerificationState,
)
from marketplace.collation import pinyin_order
from marketplace.models import Contract, Credential, Offering, Provider
from marketplace.search import MAX_QUERY_LENGTH, search
from workflows.admission import AdmissionState

# Titles sort by pinyin (``marketplace.collation``), not by code point.
SORTS = {
    "title": (pinyin_order("title"), "pk"),
    "price": ("price_per_session", pinyin_order("title"), "pk"),
    "-price": ("-price_per_session", pinyin_order("title"), "pk"),
    "newest": ("-provider__listed_on", pinyin_order("title"), "pk"),
}
FILTERS = ("q", "category", "kind", "delivery", "grade", "town", "price_min", "price_max")


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
    return amount if amount.is_finite() and 0 <= amount < 10**6 else None


def read_filters(params) -> dict:
    """The filters from a query string; values that make no sense are dropped."""
    return {
        "q": (params.get("q") or "").strip()[:MAX_QUERY_LENGTH],
        "category": _choice(params.get("category"), Category.values),
        "kind": _choice(params.get("kind"), ProviderKind.values),
        "delivery": _choice(params.get("delivery"), Delivery.values),
        "grade": _int(params.get("grade"), 1, 9),
        "town": _int(params.get("town"), 1, 2**31 - 1),
        "price_min": _money(params.get("price_min")),
        "price_max": _money(params.get("price_max")),
        "sort": _choice(params.get("sort"), SORTS) or "title",
    }


def active_filters(filters: dict) -> dict:
    return {k: v for k, v in filters.items() if k in FILTERS and v not in ("", None)}


def listed_providers():
    """Providers on the public list: listed, with a live public page, of a kind published
    by name (``ProviderKind.named_in_public``)."""
    return Provider.objects.filter(state=AdmissionState.LISTED, page__live=True,
                                   kind__in=ProviderKind.named_in_public())


def public_offerings():
    """Reviewed, not withdrawn offerings of listed providers."""
    return Offering.objects.filter(
        provider__in=listed_providers(), review=VerificationState.VERIFIED,
        withdrawn_at__isnull=True,
    )


def offerings(filters: dict):
    """Public offerings narrowed by ``filters`` (see ``read_filters``). With a search,
    offerings whose title holds the words come first, then the chosen order."""
    queryset = public_offerings().select_related("provider", "provider__page")
    if filters.get("category"):
        queryset = queryset.filter(category=filters["category"])
    if filters.get("kind"):
        queryset = queryset.filter(provider__kind=filters["kind"])
    if filters.get("delivery"):
        queryset = queryset.filter(delivery=filters["delivery"])
    if filters.get("grade"):
        queryset = queryset.filter(grade_from__lte=filters["grade"],
                                   grade_to__gte=filters["grade"])
    if filters.get("town"):  # a subquery, not a join: no duplicate rows, no DISTINCT
        queryset = queryset.filter(provider__in=Provider.objects.filter(
            service_area=filters["town"]).values("pk"))
    if filters.get("price_min") is not None:
        queryset = queryset.filter(price_per_session__gte=filters["price_min"])
    if filters.get("price_max") is not None:
        queryset = queryset.filter(price_per_session__lte=filters["price_max"])
    order = SORTS[filters.get("sort") or "title"]
    if filters.get("q"):
        queryset = search(queryset, filters["q"])
        order = ("-title_hit", *order)
    return queryset.order_by(*order)


def public_credentials():
    """What a public page may say about credentials: the provider's own verified,
    current, unexpired certificates — type and dates only are ever shown."""
    return Credential.objects.filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=timezone.localdate()),
        person__isnull=True, replaced_at__isnull=True, verification=VerificationState.VERIFIED,
    ).exclude(type__in=REQUIRED_FOR_PERSON).only(
        "id", "provider_id", "type", "issued_on", "expires_on").order_by("type")


def providers_for_list():
    """Listed providers with everything the candidate list and the API show, in a
    fixed number of queries, by name in pinyin order."""
    return listed_providers().prefetch_related(
        "service_area",
        Prefetch("offerings", queryset=public_offerings().order_by(
                 "category", pinyin_order("title"), "pk"),
                 to_attr="public_offerings"),
        Prefetch("credentials", queryset=public_credentials(), to_attr="public_credentials"),
        Prefetch("contracts", queryset=Contract.objects.filter(kind=ContractKind.ADMISSION)
                 .order_by("-created_at", "-pk").only(
                     "id", "provider_id", "kind", "period_start", "period_end", "created_at"),
                 to_attr="admission_contracts"),
    ).select_related("page").order_by(pinyin_order("name"), "pk")
