"""The bureau's screens for school bookings (预约) in the Wagtail admin: the list of every
booking of the district with filters and search, one booking with its slots, people,
sessions, fee, service agreement and timeline, and the bureau's cancellation.

Bookings are read here, never created, edited or deleted: they move only through
``workflows.transitions.run`` (``BookingPolicy`` refuses add/change/delete to everyone,
and the viewset has no URL for them). Reading needs ``marketplace.view_booking`` (the
reviewing and overseeing bureau roles, ``marketplace.roles``); cancelling needs
``marketplace.cancel_active_booking`` (the manager), the permission the ``cancel_by_bureau``
transition itself checks. Its remaining sessions are cancelled by the booking receivers
(``marketplace.booking.receivers``) in the transition's own transaction.

Registered in ``marketplace.wagtail_hooks`` as its own menu item, "Bookings" (预约).
"""

import zoneinfo

import django_filters
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from marketplace.booking import schedule
from marketplace.booking.views import ITEM_ACTIONS
from marketplace.choices import ProviderKind, SignatureParty
from marketplace.models import Booking, School, Term, Town
from workflows.booking import BookingReason, BookingState
from workflows.transitions import TransitionRefused, run, timeline, transitions_of

TEMPLATES = "marketplace/admin/booking"
CANCEL = "cancel_by_bureau"
CANCEL_PERMISSION = "marketplace.cancel_active_booking"
WRITES = frozenset({"add", "change", "delete"})
DISTRICT_TIME = zoneinfo.ZoneInfo(settings.TIME_ZONE)


# --- permissions -----------------------------------------------------------------------------
class BookingPolicy(ModelPermissionPolicy):
    """Model permissions for reading ("view"); no one adds, changes or deletes a booking in
    the admin, not even a superuser. "cancel" is the bureau's cancellation."""

    def user_has_permission(self, user, action):
        if action in WRITES:
            return False
        if action == "cancel":
            return user.has_perm(CANCEL_PERMISSION)
        return super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        codenames = {"cancel_active_booking" if action == "cancel" else f"{action}_booking"
                     for action in actions if action not in WRITES}
        if not codenames:
            return get_user_model().objects.none()
        return self._get_users_with_any_permission_codenames(codenames)


# Registered before any view asks for Booking's policy (Wagtail would make a default one).
register_permission_policy(Booking, BookingPolicy(Booking))


class ForbiddenView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "marketplace/admin/forbidden.html"
    page_title = gettext_lazy("Access denied")
    message = ""

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(message=self.message),
                                       status=403)

    post = get


class Guarded:
    """A refused permission answers 403 with a page that says why (Wagtail's own
    answer would be a redirect to the dashboard)."""

    denied = gettext_lazy("You do not have permission to see bookings.")

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            return ForbiddenView.as_view(message=self.denied)(request)


# --- the list --------------------------------------------------------------------------------
class BookingFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("State"), choices=BookingState.choices,
        empty_label=gettext_lazy("All"), widget=forms.RadioSelect)
    term = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Term"), queryset=Term.objects.order_by("-starts_on"),
        empty_label=gettext_lazy("Any"))
    school = django_filters.ModelChoiceFilter(
        label=gettext_lazy("School"), queryset=School.objects.order_by("name"),
        empty_label=gettext_lazy("Any"))
    town = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Town or street"), field_name="school__town",
        queryset=Town.objects.order_by("district", "name"), empty_label=gettext_lazy("Any"))
    provider_kind = django_filters.ChoiceFilter(
        label=gettext_lazy("Provider kind"), field_name="offering__provider__kind",
        choices=ProviderKind.choices, empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect)

    class Meta:
        model = Booking
        fields = []


def _dates(booking) -> str:
    if not (booking.first_date and booking.last_date):
        return ""
    return f"{booking.first_date:%Y-%m-%d} – {booking.last_date:%Y-%m-%d}"


def _day(value) -> str:
    return f"{value:%Y-%m-%d}" if value else "—"


def _moment(value) -> str:
    """A date and time as the bureau reads it: in the district's time zone."""
    return f"{timezone.localtime(value, DISTRICT_TIME):%Y-%m-%d %H:%M}" if value else "—"


def _price(booking) -> str:
    return _("%(p)s yuan per session") % {"p": booking.price_per_session}


class BookingIndexView(Guarded, generic.IndexView):
    """Every booking, newest first; one query for the page whatever its length."""

    any_permission_required = ["view"]
    default_ordering = "-created_at"

    def get_base_queryset(self):
        return Booking.objects.select_related("school", "offering__provider", "term")

    def order_queryset(self, queryset):
        # The same order on every page when two bookings share a timestamp.
        queryset = super().order_queryset(queryset)
        return queryset.order_by(*queryset.query.order_by, "-pk")

    @cached_property
    def columns(self):
        title = self._get_title_column_class(TitleColumn)
        return [
            title("school", label=gettext_lazy("School"), accessor="school.name",
                  sort_key="school__name", get_url=self.get_inspect_url),
            Column("provider", label=gettext_lazy("Provider"),
                   accessor="offering.provider.name", sort_key="offering__provider__name"),
            Column("offering", label=gettext_lazy("Offering"), accessor="offering.title",
                   sort_key="offering__title"),
            Column("term", label=gettext_lazy("Term"), accessor="term.name",
                   sort_key="term__starts_on"),
            StatusTagColumn("state", label=gettext_lazy("State"), accessor="get_state_display",
                            primary=lambda booking: booking.state == BookingState.ACTIVE,
                            sort_key="state"),
            Column("dates", label=gettext_lazy("Dates"), accessor=_dates,
                   sort_key="first_date"),
            Column("student_count", label=gettext_lazy("Students"), sort_key="student_count"),
            Column("price", label=gettext_lazy("Agreed price"), accessor=_price,
                   sort_key="price_per_session"),
            DateColumn("created_at", label=gettext_lazy("Requested on"), sort_key="created_at"),
        ]


# --- one booking -----------------------------------------------------------------------------
class BureauCancelForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason"),
        # A provider that leaves the list has its bookings cancelled by the workflow.
        choices=[("", "---------")] + [c for c in BookingReason.choices
                                       if c[0] != BookingReason.PROVIDER_LEFT])
    comment = forms.CharField(
        label=gettext_lazy("Comment"), required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 40}),
        help_text=gettext_lazy("The school and the provider see this comment."))


def timeline_rows(booking) -> list[dict]:
    """The booking's timeline as the admission entry page shows one: every entry, the
    bureau-only ones too, each with its action, states and reason in words."""
    labels = {name: str((named[0].custom or {}).get("label", name))
              for name, named in transitions_of(Booking).items()}
    labels.update({name: str(label) for name, label in ITEM_ACTIONS.items()})
    states = dict(BookingState.choices)
    return [{"obj": entry, "label": labels.get(entry.action, entry.action),
             "source": states.get(entry.source_state, entry.source_state),
             "target": states.get(entry.target_state, entry.target_state),
             "reason": entry.get_reason_display() if entry.reason else ""}
            for entry in timeline(booking, staff=True)]


class BookingInspectView(Guarded, generic.InspectView):
    """Everything about one booking, and for the manager the cancellation form."""

    any_permission_required = ["view"]
    template_name = f"{TEMPLATES}/booking_inspect.html"
    page_title = gettext_lazy("Booking")

    def get_object(self, queryset=None):
        bookings = schedule.with_counts(Booking.objects.select_related(
            "school__town", "offering__provider", "term", "venue", "requested_by"))
        return get_object_or_404(bookings, pk=self.pk)

    def get_fields(self):
        return []  # the template lays the booking out itself

    def label(self, name) -> str:
        return capfirst(Booking._meta.get_field(name).verbose_name)

    def details(self) -> list[dict]:
        """Every field of the booking, in words (people, slots and sessions apart)."""
        booking = self.object
        provider = booking.offering.provider
        requested_by = booking.requested_by
        provider_url = (reverse("admissions:entry", args=[provider.pk])
                        if self.request.user.has_perm("marketplace.view_provider") else "")
        rows = [
            (self.label("school"), booking.school.name, ""),
            (_("Town or street"), booking.school.town.name, ""),
            (_("Provider"), provider.name, provider_url),
            (_("Provider kind"), provider.get_kind_display(), ""),
            (self.label("offering"), booking.offering.title, ""),
            (self.label("term"), booking.term.name, ""),
            (self.label("first_date"), _day(booking.first_date), ""),
            (self.label("last_date"), _day(booking.last_date), ""),
            (self.label("delivery"), booking.get_delivery_display(), ""),
            (self.label("venue"), booking.venue.name if booking.venue else "—", ""),
            (self.label("place"), booking.place, ""),
            (self.label("grade_from"), booking.grade_from, ""),
            (self.label("grade_to"), booking.grade_to, ""),
            (self.label("student_count"), booking.student_count, ""),
            (self.label("price_per_session"), booking.price_per_session, ""),
            (self.label("requested_by"),
             requested_by.get_full_name() or requested_by.get_username(), ""),
            (self.label("created_at"), _moment(booking.created_at), ""),
            (self.label("updated_at"), _moment(booking.updated_at), ""),
            (self.label("provider_flagged_at"), _moment(booking.provider_flagged_at), ""),
            (self.label("note"), booking.note or "—", ""),
        ]
        return [{"label": label, "value": str(value), "url": url}
                for label, value, url in rows]

    def agreement(self) -> dict | None:
        contract = self.object.service_agreement()
        if contract is None:
            return None
        prefetch_related_objects([contract], "signatures")
        user = self.request.user
        may_open = (user.has_perm("marketplace.view_contract")
                    or user.has_perm("marketplace.countersign_agreement"))
        return {
            "obj": contract,
            "url": reverse("files:contract", args=[contract.pk])
            if contract.pdf and may_open else "",
            "vendor_signature": contract.signed_by(SignatureParty.VENDOR),
            "school_signature": contract.signed_by(SignatureParty.SCHOOL),
        }

    def cancel_action(self):
        """The bureau's cancellation, if this user may take it from the current state."""
        named = transitions_of(Booking)[CANCEL]
        if self.object.state not in {str(t.source) for t in named}:
            return None
        if not self.user_has_permission("cancel"):
            return None
        custom = named[0].custom or {}
        return {"name": CANCEL, "label": str(custom.get("label", CANCEL)),
                "style": custom.get("style", "danger")}

    def get_context_data(self, **kwargs):
        cancel_form = kwargs.pop("cancel_form", None)
        context = super().get_context_data(**kwargs)
        booking = self.object
        action = self.cancel_action()
        context.update({
            "booking": booking,
            "details": self.details(),
            "slots": list(booking.slots.all()),
            # Names only: identity numbers and check results stay on the admission screens.
            "people": list(booking.people.order_by("full_name").values_list("full_name",
                                                                           flat=True)),
            "agreement": self.agreement(),
            "timeline": timeline_rows(booking),
            "cancel_action": action,
            "cancel_form": cancel_form or (BureauCancelForm() if action else None),
            "cancel_url": reverse("bookings:cancel", args=[quote(booking.pk)]),
        })
        return context


# Refusals that concern what was typed: shown on the field, the form kept as typed.
FIELD_OF_REFUSAL = {"reason_required": "reason", "comment_required": "comment",
                    "comment_too_long": "comment"}


class BookingCancelView(BookingInspectView):
    """POST: cancel the booking through ``run(booking, "cancel_by_bureau", ...)``, which
    locks the row, refuses a booking that moved on since the page was shown, checks the
    permission and the state, and logs the reason and comment on the timeline. A refusal
    shows the page again with the message and everything typed."""

    http_method_names = ["post"]
    permission_required = "cancel"
    denied = gettext_lazy("You may not cancel bookings.")

    def post(self, request, *args, **kwargs):
        form = BureauCancelForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Nothing was saved: correct the marked fields below."))
            return self.render_to_response(self.get_context_data(cancel_form=form))
        try:
            updated = run(self.object, CANCEL, by=request.user,
                          reason=form.cleaned_data["reason"],
                          comment=form.cleaned_data["comment"].strip(),
                          expected_state=request.POST.get("expected_state") or None)
        except TransitionRefused as exc:
            if exc.code in FIELD_OF_REFUSAL:
                form.add_error(FIELD_OF_REFUSAL[exc.code], exc.message)
            messages.error(request, str(exc))
            self.object = self.get_object()  # show the booking as it is now
            return self.render_to_response(self.get_context_data(cancel_form=form))
        messages.success(request, _("The booking is cancelled, and so are its remaining "
                                    "sessions. The school and the provider are told by "
                                    "e-mail. It is now “%(state)s”.")
                         % {"state": updated.get_state_display()})
        return redirect("bookings:inspect", quote(updated.pk))


# --- the viewset -----------------------------------------------------------------------------
class BookingViewSet(ModelViewSet):
    model = Booking
    name = "bookings"
    menu_name = "bookings"
    url_prefix = "bookings"
    icon = "calendar-check"
    menu_label = gettext_lazy("Bookings")
    menu_order = 155  # after "Admissions" (150), before "Schools and terms" (160)
    add_to_admin_menu = True
    # Bookings are no Wagtail content: nothing "uses" them, no reference index to keep.
    add_to_reference_index = False
    index_view_class = BookingIndexView
    inspect_view_enabled = True
    inspect_view_class = BookingInspectView
    copy_view_enabled = False
    filterset_class = BookingFilterSet
    search_fields = ["school__name", "offering__provider__name", "offering__title"]
    search_backend_name = None  # the database's own search over those fields
    list_per_page = 25

    def get_common_view_kwargs(self, **kwargs):
        # No add, edit, delete, history or usage screens: no view may link to one.
        return super().get_common_view_kwargs(
            add_url_name=None, edit_url_name=None, delete_url_name=None,
            history_url_name=None, usage_url_name=None, **kwargs)

    @property
    def cancel_view(self):
        return self.construct_view(BookingCancelView, **self.get_inspect_view_kwargs())

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("<int:pk>/", self.inspect_view, name="inspect"),
            path("<int:pk>/cancel/", self.cancel_view, name="cancel"),
        ]

    def get_permissions_to_register(self):
        """The group editor offers what these screens use: reading and cancelling."""
        return super().get_permissions_to_register().filter(
            codename__in=["view_booking", "cancel_active_booking"])

    @property
    def url_finder_class(self):
        inspect_url_name = self.get_url_name("inspect")

        class BookingURLFinder(ModelAdminURLFinder):
            """Where the admin links a booking: its page (there is no edit screen)."""

            def construct_edit_url(self, instance):
                return reverse(inspect_url_name, args=[quote(instance.pk)])

            def get_edit_url(self, instance):
                if self.user and not self.user.has_perm("marketplace.view_booking"):
                    return None
                return self.construct_edit_url(instance)

        return BookingURLFinder
