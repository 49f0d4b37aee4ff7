"""The booking API of the portals (``/api/school/…``, ``/api/vendor/…``).

A coordinator lists and requests bookings of their schools and reads their term schedule;
a vendor lists the requests and bookings of their providers. Every endpoint needs a
logged-in session of the right role (the public API next door is anonymous, so these
views name their own authentication and permissions) and shows only the user's own
schools or providers: another party's booking is a 404. Requests go through
``services.request_booking``; its refusals come back as 400 with its messages per field.
People appear by name only: no identity numbers, no phone numbers.

The OpenAPI document of these endpoints is served on its own at ``/api/booking/schema/``.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from drf_spectacular.views import SpectacularAPIView
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.settings import api_settings

from marketplace.booking import schedule, services
from marketplace.booking.clashes import Slot
from marketplace.choices import Delivery, Weekday
from marketplace.models import (
    NOTE_LIMIT,
    Booking,
    Offering,
    Person,
    ScheduleEntry,
    School,
    Term,
    Venue,
)
from marketplace.roles import Role, has_role
from workflows.booking import BookingState

#: Ids are 64-bit integers in the database.
LARGEST_ID = 2**63 - 1


# --- who may call ------------------------------------------------------------------------

class _HoldsRole(BasePermission):
    role = ""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and has_role(user, self.role))


class IsCoordinator(_HoldsRole):
    """A logged-in school coordinator (课后服务负责人)."""

    role = Role.SCHOOL


class IsVendor(_HoldsRole):
    """A logged-in vendor (a provider's account)."""

    role = Role.VENDOR


class BookingPagination(PageNumberPagination):
    """Twenty rows a page; ``page_size`` up to 100. A page out of range is a 404."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class PortalAPIView:
    """Session log-in (with its CSRF check on writes), a role, pages of rows.

    ``queryset`` only names the model for the schema, so that building the schema never
    runs a query; ``get_queryset`` says what the user may see."""

    authentication_classes = [SessionAuthentication]
    parser_classes = [JSONParser]
    pagination_class = BookingPagination
    #: Any id reaches ``get_object``, which answers 404 in JSON for one that is no id.
    lookup_value_regex = "[^/]+"

    def get_object(self):
        value = str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, ""))
        if not (value.isascii() and value.isdigit()) or int(value) > LARGEST_ID:
            raise Http404
        return super().get_object()


# --- what is shown -----------------------------------------------------------------------

class NamedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class OfferingRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)


@extend_schema_field({"type": "string", "example": "16:00:00",
                      "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"})
class LocalTimeField(serializers.TimeField):
    """A time of the school day in local time: ``HH:MM[:SS]`` with no UTC offset (which
    OpenAPI's ``format: time`` would demand)."""


class SlotSerializer(serializers.Serializer):
    """A weekly time slot: a school weekday (1 = Monday … 5 = Friday), start and end."""

    weekday = serializers.ChoiceField(choices=Weekday.choices[:5])
    starts_at = LocalTimeField()
    ends_at = LocalTimeField()


class BookingSerializer(serializers.ModelSerializer):
    """A booking with its slots, the people the provider sends (names only) and its
    sessions counted: planned, delivered, not delivered, cancelled; the amount due is
    delivered sessions × the agreed price."""

    school = NamedRefSerializer(read_only=True)
    offering = OfferingRefSerializer(read_only=True)
    provider = NamedRefSerializer(source="offering.provider", read_only=True)
    term = NamedRefSerializer(read_only=True)
    venue = NamedRefSerializer(read_only=True, allow_null=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    delivery_label = serializers.CharField(source="get_delivery_display", read_only=True)
    slots = SlotSerializer(many=True, read_only=True)
    people = serializers.SlugRelatedField(slug_field="full_name", many=True, read_only=True)
    sessions_total = serializers.IntegerField(read_only=True)
    sessions_planned = serializers.IntegerField(read_only=True)
    sessions_delivered = serializers.IntegerField(read_only=True)
    sessions_not_delivered = serializers.IntegerField(source="sessions_missed", read_only=True)
    sessions_cancelled = serializers.IntegerField(read_only=True)
    amount_due = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = Booking
        fields = ["id", "school", "offering", "provider", "term", "state", "state_label",
                  "delivery", "delivery_label", "venue", "place", "grade_from", "grade_to",
                  "student_count", "price_per_session", "first_date", "last_date", "slots",
                  "people", "note", "sessions_total", "sessions_planned", "sessions_delivered",
                  "sessions_not_delivered", "sessions_cancelled", "amount_due", "created_at"]
        read_only_fields = fields


def bookings_for_api(bookings):
    """``bookings`` with everything the serializer reads, in a fixed number of queries."""
    return (schedule.with_counts(bookings)
            .select_related("school", "offering__provider", "term", "venue")
            .prefetch_related("slots", Prefetch("people", Person.objects.only(
                "id", "full_name").order_by("full_name")))
            .order_by("-created_at", "-pk"))


class SessionSerializer(serializers.ModelSerializer):
    """One session of the term schedule (排片表): time, content, venue, form and the
    responsible person (by name)."""

    booking = serializers.IntegerField(source="booking_id", read_only=True)
    starts_at = LocalTimeField(read_only=True)
    ends_at = LocalTimeField(read_only=True)
    school = NamedRefSerializer(source="booking.school", read_only=True)
    provider = serializers.CharField(source="booking.offering.provider.name", read_only=True)
    responsible = serializers.CharField(source="responsible.full_name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ScheduleEntry
        fields = ["id", "booking", "date", "starts_at", "ends_at", "school", "provider",
                  "content", "venue", "form", "responsible", "status", "status_label",
                  "status_reason", "moved_from"]
        read_only_fields = fields


# --- what a coordinator asks for ---------------------------------------------------------

def _id_field(queryset, **kwargs):
    """An id of ``queryset``: an integer of the database's range, then a row that exists
    (anything else is a 400 naming the field)."""
    return serializers.PrimaryKeyRelatedField(
        queryset=queryset,
        pk_field=serializers.IntegerField(min_value=1, max_value=LARGEST_ID), **kwargs)


class BookingRequestSerializer(serializers.Serializer):
    """A booking request: which offering, for which school, term, grades and group, where,
    at what price, between which dates and in which weekly slots. What the offering, the
    term, the calendar, the policy caps and the other bookings allow is checked by the
    service, whose refusals come back per field."""

    school = _id_field(School.objects.all())
    offering = _id_field(Offering.objects.select_related("provider"))
    term = _id_field(Term.objects.all())
    grade_from = serializers.IntegerField(min_value=1, max_value=9)
    grade_to = serializers.IntegerField(min_value=1, max_value=9)
    student_count = serializers.IntegerField(min_value=1, max_value=500)
    delivery = serializers.ChoiceField(choices=Delivery.choices)
    venue = _id_field(Venue.objects.all(), allow_null=True, required=False, default=None,
                      help_text=_lazy("The room or ground in the school; empty when students "
                                      "go to the provider's venue."))
    price_per_session = serializers.DecimalField(max_digits=8, decimal_places=2,
                                                 min_value=Decimal("0"))
    first_date = serializers.DateField()
    last_date = serializers.DateField()
    slots = SlotSerializer(many=True, max_length=5)
    note = serializers.CharField(max_length=NOTE_LIMIT, allow_blank=True, required=False,
                                 default="")

    def booking_request(self) -> services.Request:
        data = self.validated_data
        return services.Request(
            school=data["school"], offering=data["offering"], term=data["term"],
            grade_from=data["grade_from"], grade_to=data["grade_to"],
            student_count=data["student_count"], price_per_session=data["price_per_session"],
            first_date=data["first_date"], last_date=data["last_date"],
            slots=[Slot(int(s["weekday"]), s["starts_at"], s["ends_at"])
                   for s in data["slots"]],
            venue=data["venue"], delivery=data["delivery"], note=data["note"],
        )


def _outside_term(req: services.Request) -> dict[str, list[str]]:
    """The service's own refusal of dates outside the term, given before anything counts
    the school days between the dates (which, between any two dates, could take long)."""
    term = req.term
    if term.starts_on <= req.first_date <= req.last_date <= term.ends_on:
        return {}
    return {"last_date": [_("The dates must lie inside the term (%(start)s – %(end)s), the "
                            "first not after the last.") % {
        "start": term.starts_on, "end": term.ends_on}]}


def _field_errors(message_dict: dict) -> dict:
    """The service's field → messages, with its form-wide key as DRF names it."""
    return {api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field: messages
            for field, messages in message_dict.items()}


# --- responses and parameters of the schema ----------------------------------------------

DETAIL = inline_serializer("Detail", {"detail": serializers.CharField()})
REFUSED = OpenApiResponse(DETAIL, description=_lazy(
    "Not logged in, or not in the role this endpoint is for."))
NOT_FOUND = OpenApiResponse(DETAIL, description=_lazy(
    "Unknown, or not a booking of your schools or providers."))
FIELD_ERRORS = OpenApiResponse(OpenApiTypes.OBJECT, description=_lazy(
    "Field → messages saying what is wrong (non_field_errors: the request as a whole)."))
STATE_PARAMETER = OpenApiParameter("state", str, enum=list(BookingState.values),
                                   description=_lazy("Only bookings in this state."))


class ScheduleQuerySerializer(serializers.Serializer):
    """The dates of the schedule query, both optional: ``from`` and ``to`` (inclusive)."""

    def get_fields(self):
        help_from = _lazy("First date (YYYY-MM-DD), inclusive.")
        help_to = _lazy("Last date (YYYY-MM-DD), inclusive.")
        return {"from": serializers.DateField(required=False, help_text=help_from),
                "to": serializers.DateField(required=False, help_text=help_to)}

    def validate(self, attrs):
        first, last = attrs.get("from"), attrs.get("to")
        if first and last and first > last:
            raise serializers.ValidationError(
                {"to": [_("The last date must not be before the first date.")]})
        return attrs


def _state_filter(request, bookings):
    state = request.query_params.get("state")
    return bookings.filter(state=state) if state in BookingState.values else bookings


# --- the endpoints -----------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(
        summary=_lazy("Bookings of my schools"), parameters=[STATE_PARAMETER],
        description=_lazy("The bookings of the schools you coordinate, newest first, with "
                          "their sessions counted and the amount due."),
        responses={200: BookingSerializer(many=True), 403: REFUSED}),
    retrieve=extend_schema(
        summary=_lazy("A booking of my schools"),
        description=_lazy("One booking of a school you coordinate; any other id is a 404."),
        responses={200: BookingSerializer, 403: REFUSED, 404: NOT_FOUND}),
    create=extend_schema(
        summary=_lazy("Request a booking"),
        description=_lazy("Asks the provider to run the offering for one of your schools. "
                          "A request the rules refuse (grades, group size, price caps, "
                          "term dates, service hours, a venue or the provider's people "
                          "already booked) is a 400 naming each problem; a school you do "
                          "not coordinate is a 403."),
        request=BookingRequestSerializer,
        responses={201: BookingSerializer, 400: FIELD_ERRORS, 403: REFUSED}),
)
class SchoolBookingViewSet(PortalAPIView, mixins.CreateModelMixin,
                           viewsets.ReadOnlyModelViewSet):
    queryset = Booking.objects.none()
    serializer_class = BookingSerializer
    permission_classes = [IsCoordinator]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Booking.objects.none()
        bookings = Booking.objects.for_coordinator(self.request.user)
        if self.action == "list":
            bookings = _state_filter(self.request, bookings)
        return bookings_for_api(bookings)

    def create(self, request, *args, **kwargs):
        serializer = BookingRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        req = serializer.booking_request()
        if not services.is_coordinator_of(request.user, req.school):
            raise PermissionDenied
        errors = _outside_term(req)
        if errors:
            raise serializers.ValidationError(errors)
        try:
            booking = services.request_booking(req, by=request.user)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(_field_errors(exc.message_dict)) from exc
        booking = bookings_for_api(Booking.objects.filter(pk=booking.pk)).get()
        url = reverse("api-school-booking-detail", kwargs={"pk": booking.pk})
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED,
                        headers={"Location": request.build_absolute_uri(url)})


@extend_schema(
    summary=_lazy("Sessions of my schools"),
    description=_lazy("The term schedule of the schools you coordinate, by date and time: "
                      "sessions of bookings whose agreement is signed. Without dates, "
                      "every session."),
    parameters=[ScheduleQuerySerializer],
    responses={200: SessionSerializer(many=True), 400: FIELD_ERRORS, 403: REFUSED},
)
class SchoolScheduleView(PortalAPIView, generics.ListAPIView):
    queryset = ScheduleEntry.objects.none()
    serializer_class = SessionSerializer
    permission_classes = [IsCoordinator]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ScheduleEntry.objects.none()
        query = ScheduleQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return schedule.sessions_for(Booking.objects.for_coordinator(self.request.user),
                                     query.validated_data.get("from"),
                                     query.validated_data.get("to"))


@extend_schema_view(
    list=extend_schema(
        summary=_lazy("Requests and bookings of my providers"), parameters=[STATE_PARAMETER],
        description=_lazy("What schools asked of your providers and what was agreed, "
                          "newest first, with sessions counted and the amount due."),
        responses={200: BookingSerializer(many=True), 403: REFUSED}),
    retrieve=extend_schema(
        summary=_lazy("A request or booking of my providers"),
        description=_lazy("One request or booking of a provider of yours; any other id is "
                          "a 404."),
        responses={200: BookingSerializer, 403: REFUSED, 404: NOT_FOUND}),
)
class VendorBookingViewSet(PortalAPIView, viewsets.ReadOnlyModelViewSet):
    queryset = Booking.objects.none()
    serializer_class = BookingSerializer
    permission_classes = [IsVendor]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Booking.objects.none()
        bookings = Booking.objects.for_vendor(self.request.user)
        if self.action == "list":
            bookings = _state_filter(self.request, bookings)
        return bookings_for_api(bookings)


# --- the schema --------------------------------------------------------------------------

def booking_endpoints_only(endpoints, **kwargs):
    """drf-spectacular hook: the booking schema describes this module's endpoints only."""
    return [(path, regex, method, view) for path, regex, method, view in endpoints
            if getattr(getattr(view, "cls", None), "__module__", None) == __name__]


schema_view = SpectacularAPIView.as_view(custom_settings={
    "TITLE": "School booking API",
    "DESCRIPTION": "Bookings and the term schedule of the schools a coordinator looks "
                   "after, and the booking requests of a vendor's providers. Log in first "
                   "(session cookie); writes also need the CSRF token (X-CSRFToken).",
    "VERSION": "1.0.0",
    "PREPROCESSING_HOOKS": [f"{__name__}.booking_endpoints_only"],
    "ENUM_NAME_OVERRIDES": {
        "BookingStateEnum": "workflows.booking.BookingState",
        "SessionStatusEnum": "marketplace.models.SessionStatus",
        "DeliveryEnum": "marketplace.choices.Delivery",
    },
})

