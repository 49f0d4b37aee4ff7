"""The public, read-only REST API of the catalogue (``/api/v1/``).

It says what the public pages say and nothing more: listed providers, their reviewed
offerings, the notices (公示) and the dated versions of the candidate list (备选清单).
Identity numbers, people, check results, contact details, addresses, credit codes,
review notes and files never appear. Offerings are filtered exactly as on the catalogue
page (``marketplace.catalogue.read_filters``): a value that makes no sense is dropped,
never an error. Every list costs the same number of queries whatever its length.
"""

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.routers import DefaultRouter

from cms.models import NoticePage
from marketplace.catalogue import (
    SORTS,
    offerings,
    providers_for_list,
    public_offerings,
    read_filters,
)
from marketplace.choices import Category, Delivery, NoticeKind, ProviderKind
from marketplace.models import CandidateList, Contract, Credential, Offering, Provider


class PublicPagination(PageNumberPagination):
    """Twenty rows a page; ``page_size`` up to 100. A page out of range is a 404."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def _absolute(request, url):
    return request.build_absolute_uri(url) if url else None


def _page_url(context, page):
    """The absolute URL of a Wagtail page. Passing the request lets Wagtail look up the
    site root paths once per request, not once per row."""
    request = context["request"]
    return _absolute(request, page.get_url(request)) if page is not None else None


# --- providers -----------------------------------------------------------------------

class AgreementPeriodSerializer(serializers.ModelSerializer):
    """The period of the provider's current admission agreement."""

    start = serializers.DateField(source="period_start", read_only=True)
    end = serializers.DateField(source="period_end", read_only=True)

    class Meta:
        model = Contract
        fields = ["start", "end"]


class PublicCredentialSerializer(serializers.ModelSerializer):
    """A verified certificate of the provider itself: its type and expiry only."""

    label = serializers.CharField(source="get_type_display", read_only=True)

    class Meta:
        model = Credential
        fields = ["type", "label", "expires_on"]
        read_only_fields = fields


class OfferingSummarySerializer(serializers.ModelSerializer):
    """An offering in a provider's list; the offerings endpoint has the details."""

    category_label = serializers.CharField(source="get_category_display", read_only=True)

    class Meta:
        model = Offering
        fields = ["id", "title", "category", "category_label"]
        read_only_fields = fields


class ProviderSerializer(serializers.ModelSerializer):
    """A listed provider: what its public page shows."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    service_area = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    page_url = serializers.SerializerMethodField()
    agreement_period = serializers.SerializerMethodField()
    verified_credentials = PublicCredentialSerializer(
        source="public_credentials", many=True, read_only=True)
    offering_count = serializers.SerializerMethodField()
    offerings = OfferingSummarySerializer(source="public_offerings", many=True, read_only=True)

    class Meta:
        model = Provider
        fields = ["id", "name", "kind", "kind_label", "listed_on", "service_area", "page_url",
                  "agreement_period", "verified_credentials", "offering_count", "offerings"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_page_url(self, provider) -> str | None:
        return _page_url(self.context, getattr(provider, "page", None))

    @extend_schema_field(AgreementPeriodSerializer(allow_null=True))
    def get_agreement_period(self, provider):
        contracts = provider.admission_contracts
        return AgreementPeriodSerializer(contracts[0]).data if contracts else None

    def get_offering_count(self, provider) -> int:
        return len(provider.public_offerings)


# --- offerings -----------------------------------------------------------------------

class ProviderRefSerializer(serializers.ModelSerializer):
    """The provider of an offering."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Provider
        fields = ["id", "name", "kind", "kind_label", "page_url"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_page_url(self, provider) -> str | None:
        return _page_url(self.context, getattr(provider, "page", None))


class OfferingSerializer(serializers.ModelSerializer):
    """A reviewed offering of a listed provider, as the catalogue shows it."""

    category_label = serializers.CharField(source="get_category_display", read_only=True)
    resource_type_label = serializers.CharField(
        source="get_resource_type_display", read_only=True)
    delivery_label = serializers.CharField(source="get_delivery_display", read_only=True)
    provider = ProviderRefSerializer(read_only=True)

    class Meta:
        model = Offering
        fields = ["id", "title", "category", "category_label", "resource_type",
                  "resource_type_label", "delivery", "delivery_label", "grade_from",
                  "grade_to", "session_minutes", "capacity", "price_per_session",
                  "price_per_student_term", "outline", "provider"]
        read_only_fields = fields


# --- notices and list versions -------------------------------------------------------

class NoticeSerializer(serializers.ModelSerializer):
    """A published notice; ``list_version`` is the candidate list version it produced."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    url = serializers.SerializerMethodField()
    provider_id = serializers.IntegerField(read_only=True, allow_null=True)
    list_version = serializers.IntegerField(
        source="list_version.version", read_only=True, allow_null=True)

    class Meta:
        model = NoticePage
        fields = ["id", "title", "kind", "kind_label", "published_on", "url", "provider_id",
                  "list_version"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_url(self, notice) -> str | None:
        return _page_url(self.context, notice)


class CandidateListSerializer(serializers.ModelSerializer):
    """A dated version of the candidate list and where to download it."""

    pdf_url = serializers.SerializerMethodField()
    xlsx_url = serializers.SerializerMethodField()

    class Meta:
        model = CandidateList
        fields = ["version", "published_at", "provider_count", "offering_count", "pdf_url",
                  "xlsx_url"]
        read_only_fields = fields

    def _download(self, version, fmt):
        url = reverse("candidate_list_version", kwargs={"number": version.version, "fmt": fmt})
        return self.context["request"].build_absolute_uri(url)

    @extend_schema_field(OpenApiTypes.URI)
    def get_pdf_url(self, version) -> str:
        return self._download(version, "pdf")

    @extend_schema_field(OpenApiTypes.URI)
    def get_xlsx_url(self, version) -> str:
        return self._download(version, "xlsx")


# --- query parameters ----------------------------------------------------------------

def _choice_parameter(name, choices, description):
    return OpenApiParameter(name, str, enum=list(choices.values), description=description)


Q_PARAMETER = OpenApiParameter(
    "q", str, description=_("Search words, Chinese or Latin; a long query is cut short."))
CATEGORY_PARAMETER = _choice_parameter("category", Category, _("Offering category."))
KIND_PARAMETER = _choice_parameter("kind", ProviderKind, _("Provider kind."))
TOWN_PARAMETER = OpenApiParameter(
    "town", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    description=_("Id of a town or street in the provider's service area."))

OFFERING_PARAMETERS = [
    Q_PARAMETER,
    CATEGORY_PARAMETER,
    KIND_PARAMETER,
    _choice_parameter("delivery", Delivery, _("Where the offering takes place.")),
    OpenApiParameter("grade", {"type": "integer", "minimum": 1, "maximum": 9},
                     description=_("A grade the offering is open to (1–9).")),
    TOWN_PARAMETER,
    OpenApiParameter("price_min", {"type": "number", "minimum": 0, "maximum": 999999},
                     description=_("Lowest price per session in yuan.")),
    OpenApiParameter("price_max", {"type": "number", "minimum": 0, "maximum": 999999},
                     description=_("Highest price per session in yuan.")),
    OpenApiParameter("sort", str, enum=list(SORTS), default="title",
                     description=_("Order: title, price (rising), -price (falling) or newest "
                                   "listing first. A search puts title matches first.")),
]
PROVIDER_PARAMETERS = [
    OpenApiParameter(
        "q", str, description=_("Search words: providers with a public offering that "
                                "matches them (an offering is also found by its "
                                "provider's name).")),
    KIND_PARAMETER,
    TOWN_PARAMETER,
    _choice_parameter("category", Category,
                      _("Providers with a public offering in this category.")),
]
NOTICE_PARAMETERS = [_choice_parameter("kind", NoticeKind, _("Notice kind."))]


# --- views ---------------------------------------------------------------------------

class PublicViewSet(viewsets.ReadOnlyModelViewSet):
    """``queryset`` only names the model for the schema, so that building the schema
    (also in ``check --deploy``) never runs a query; ``get_queryset`` says what is public.
    """

    pagination_class = PublicPagination
    #: Ids and version numbers are 64-bit integers in the database.
    LARGEST_ID = 2**63 - 1

    def get_object(self):
        value = str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, ""))
        if not (value.isascii() and value.isdigit()) or int(value) > self.LARGEST_ID:
            raise Http404
        return super().get_object()


@extend_schema_view(
    list=extend_schema(summary=_("Listed providers"), parameters=PROVIDER_PARAMETERS,
                       description=_("Providers on the candidate list, by name.")),
    retrieve=extend_schema(summary=_("A listed provider"),
                           description=_("Unknown ids and providers not listed are 404.")),
)
class ProviderViewSet(PublicViewSet):
    queryset = Provider.objects.none()
    serializer_class = ProviderSerializer

    def get_queryset(self):
        queryset = providers_for_list()
        if self.action != "list":
            return queryset
        filters = read_filters(self.request.query_params)
        if filters["kind"]:
            queryset = queryset.filter(kind=filters["kind"])
        if filters["town"]:
            queryset = queryset.filter(service_area=filters["town"])
        if filters["category"]:
            queryset = queryset.filter(pk__in=public_offerings().filter(
                category=filters["category"]).values("provider_id"))
        if filters["q"]:
            matching = offerings({"q": filters["q"]}).order_by().values("provider_id")
            queryset = queryset.filter(pk__in=matching)
        return queryset


@extend_schema_view(
    list=extend_schema(summary=_("Public offerings"), parameters=OFFERING_PARAMETERS,
                       description=_("Reviewed offerings of listed providers, filtered as on "
                                     "the catalogue page. A filter value that makes no sense "
                                     "is ignored.")),
    retrieve=extend_schema(summary=_("A public offering"),
                           description=_("Unknown ids and offerings not public are 404.")),
)
class OfferingViewSet(PublicViewSet):
    queryset = Offering.objects.none()
    serializer_class = OfferingSerializer

    def get_queryset(self):
        params = self.request.query_params if self.action == "list" else {}
        return offerings(read_filters(params))


@extend_schema_view(
    list=extend_schema(summary=_("Notices"), parameters=NOTICE_PARAMETERS,
                       description=_("Published notices of listings, exits and general "
                                     "news, newest first.")),
    retrieve=extend_schema(summary=_("A notice"), description=_("Unknown ids are 404.")),
)
class NoticeViewSet(PublicViewSet):
    queryset = NoticePage.objects.none()
    serializer_class = NoticeSerializer

    def get_queryset(self):
        notices = (NoticePage.objects.live().public().select_related("list_version")
                   .order_by("-published_on", "-pk"))
        kind = self.request.query_params.get("kind") if self.action == "list" else None
        if kind in NoticeKind.values:
            notices = notices.filter(kind=kind)
        return notices


@extend_schema_view(
    list=extend_schema(summary=_("Candidate list versions"),
                       description=_("Dated versions of the candidate list whose PDF and "
                                     "workbook exist, newest first.")),
    retrieve=extend_schema(summary=_("A candidate list version"),
                           description=_("By version number; unknown versions are 404.")),
)
class CandidateListViewSet(PublicViewSet):
    queryset = CandidateList.objects.none()
    serializer_class = CandidateListSerializer
    lookup_field = "version"

    def get_queryset(self):
        return (CandidateList.objects.exclude(pdf="").exclude(xlsx="")
                .only("id", "version", "published_at", "provider_count", "offering_count",
                      "pdf", "xlsx")
                .order_by("-version"))


router = DefaultRouter()
router.register("providers", ProviderViewSet, basename="api-provider")
router.register("offerings", OfferingViewSet, basename="api-offering")
router.register("notices", NoticeViewSet, basename="api-notice")
router.register("candidate-lists", CandidateListViewSet, basename="api-candidate-list")


def public_endpoints_only(endpoints, **kwargs):
    """drf-spectacular hook: the schema describes this API only, not the DRF views that
    Wagtail's admin mounts."""
    return [(path, regex, method, view) for path, regex, method, view in endpoints
            if getattr(getattr(view, "cls", None), "__module__", None) == __name__]
