"""The bureau's setup of school booking in the Wagtail admin, under the menu "Schools and
terms" (学校与学期): the school register with each school's venues (场地) and
coordinators (课后服务负责人), the terms with their calendar, and local days off.

Wagtail's generic model views do the listing, forms and history; the permissions are the
model permissions the bureau manager holds (``marketplace.roles``). Every bureau role may
*read* schools (``view_school``) where admission and booking screens show them, so the
school register itself asks for ``change_school`` even to be listed
(``SchoolRegisterPolicy``): reviewers and check officers neither see the menu nor open it.

Registered in ``marketplace.wagtail_hooks``.
"""

import datetime as dt

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, View
from wagtail.admin.active_filters import (
    ActiveFilter,
    ModelChoiceFilterAdapter,
    register_filter_adapter_class,
)
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.log_actions import LogFormatter
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from marketplace.booking import calendar, invitations
from marketplace.choices import Weekday
from marketplace.models import DayOff, School, Term, Venue
from marketplace.tasks import request_origin

TEMPLATES = "marketplace/admin/booking"
EVERY_SCHOOL = gettext_lazy("Every school of the district")


# --- permissions -----------------------------------------------------------------------------
class SchoolRegisterPolicy(ModelPermissionPolicy):
    """Model permissions, except that listing or opening the register ("view") needs the
    permission to change schools: ``view_school`` alone is for reading schools elsewhere."""

    def user_has_permission(self, user, action):
        return super().user_has_permission(user, "change" if action == "view" else action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission(
            ["change" if action == "view" else action for action in actions])


# Registered before any view asks for School's policy (Wagtail would make a default one).
register_permission_policy(School, SchoolRegisterPolicy(School))


# --- schools ---------------------------------------------------------------------------------
class SchoolIndexView(generic.IndexView):
    def get_base_queryset(self):
        return (super().get_base_queryset().select_related("town")
                .annotate(coordinator_count=Count("coordinators", distinct=True)))

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.user_has_permission("change"):
            buttons.append(MenuItem(_("Invite coordinator"), priority=15, icon_name="user",
                                    url=reverse("setup_schools:invite", args=[instance.pk])))
        return buttons


class SchoolEditView(generic.EditView):
    @cached_property
    def header_buttons(self):
        return [HeaderButton(_("Invite coordinator"), icon_name="user",
                             url=reverse("setup_schools:invite", args=[self.object.pk]))]


class InviteCoordinatorForm(forms.Form):
    school = forms.ModelChoiceField(label=gettext_lazy("School"),
                                    queryset=School.objects.order_by("name"))
    name = forms.CharField(label=gettext_lazy("Coordinator's name"), max_length=150,
                           help_text=gettext_lazy("As the coordinator should be addressed."))
    email = forms.EmailField(
        label=gettext_lazy("E-mail address"),
        help_text=gettext_lazy("The coordinator receives a link to choose a password here; "
                               "it is also their username."))


class InviteCoordinatorView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """"Invite coordinator" (邀请学校课后服务负责人): a name and an e-mail address make an account a
    coordinator of the school (``invitations.invite_coordinator``); the page lists the
    school's coordinators, each of whom can be taken off it."""

    model = School
    permission_required = "change"
    form_class = InviteCoordinatorForm
    template_name = f"{TEMPLATES}/invite_coordinator.html"
    page_title = gettext_lazy("Invite coordinator")
    header_icon = "user"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.school = get_object_or_404(School, pk=kwargs["pk"])

    def get_page_subtitle(self):
        return self.school.name

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("setup_schools:index"), "label": _("Schools")},
            {"url": reverse("setup_schools:edit", args=[self.school.pk]),
             "label": self.school.name},
            {"url": "", "label": self.get_page_title(), "sublabel": self.school.name},
        ]

    def get_initial(self):
        return {"school": self.school}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["school"] = self.school
        context["coordinators"] = self.school.coordinators.order_by("first_name", "pk")
        return context

    def form_valid(self, form):
        school = form.cleaned_data["school"]
        try:
            user, created = invitations.invite_coordinator(
                school, name=form.cleaned_data["name"], email=form.cleaned_data["email"],
                by=self.request.user, origin=request_origin(self.request))
        except invitations.InvitationRefused as refusal:
            form.add_error("email", refusal.message)
            return self.form_invalid(form)
        name = user.get_full_name() or user.get_username()
        if created:
            text = _("%(name)s is now a coordinator of %(school)s. An e-mail with a link to "
                     "choose a password is on its way.")
        else:
            text = _("%(name)s (an existing coordinator account) is now a coordinator of "
                     "%(school)s. An e-mail tells them so.")
        messages.success(self.request, text % {"name": name, "school": school.name})
        return redirect("setup_schools:invite", school.pk)


class RemoveCoordinatorView(PermissionCheckedMixin, View):
    model = School
    permission_required = "change"
    http_method_names = ["post"]

    def post(self, request, pk, user_pk):
        school = get_object_or_404(School, pk=pk)
        user = get_object_or_404(get_user_model(), pk=user_pk, schools=school)
        invitations.remove_coordinator(school, user, by=request.user)
        messages.success(request, _("%(name)s is no longer a coordinator of %(school)s.") % {
            "name": user.get_full_name() or user.get_username(), "school": school.name})
        return redirect("setup_schools:invite", school.pk)


class SchoolViewSet(ModelViewSet):
    model = School
    name = "setup_schools"
    menu_name = "setup_schools"
    url_prefix = "setup/schools"
    icon = "home"
    menu_label = gettext_lazy("Schools")
    index_view_class = SchoolIndexView
    edit_view_class = SchoolEditView
    copy_view_enabled = False
    list_display = ["name", "town", "level",
                    Column("coordinator_count", label=gettext_lazy("Number of coordinators"),
                           sort_key="coordinator_count")]
    list_filter = ["town", "level"]
    search_fields = ["name", "address"]
    panels = [FieldPanel("name"), FieldPanel("town"), FieldPanel("level"),
              FieldPanel("address"), FieldPanel("phone")]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("invite/<int:pk>/", InviteCoordinatorView.as_view(), name="invite"),
            path("invite/<int:pk>/remove/<int:user_pk>/", RemoveCoordinatorView.as_view(),
                 name="remove_coordinator"),
        ]


# --- venues ----------------------------------------------------------------------------------
class VenueViewSet(ModelViewSet):
    model = Venue
    name = "setup_venues"
    menu_name = "setup_venues"
    url_prefix = "setup/venues"
    icon = "site"
    menu_label = gettext_lazy("Venues")
    copy_view_enabled = False
    list_display = ["name", "school", "capacity"]
    list_filter = ["school"]
    search_fields = ["name"]
    panels = [FieldPanel("school"), FieldPanel("name"), FieldPanel("capacity")]


# --- terms and their calendar ------------------------------------------------------------------
def _weekday_label(day: dt.date) -> str:
    return Weekday(day.isoweekday()).label


def term_calendar(term) -> dict:
    """What the term's calendar holds for the district: the weekdays without service, with
    why (a national holiday or a local day off, for every school or for one), and the
    make-up workdays (调休) with the weekday whose timetable they follow."""
    first, last = term.starts_on, term.ends_on
    days = calendar.school_days(None, first, last)
    skipped = [{"date": day, "weekday": _weekday_label(day), "reason": reason,
                "school": EVERY_SCHOOL}
               for day, reason in calendar.skipped_days(None, first, last)]
    for day_off in (DayOff.objects.filter(date__range=(first, last), school__isnull=False)
                    .select_related("school")):
        if day_off.date in days:  # otherwise the whole district is off anyway
            skipped.append({"date": day_off.date, "weekday": _weekday_label(day_off.date),
                            "reason": day_off.name, "school": day_off.school.name})
    skipped.sort(key=lambda row: (row["date"], str(row["school"])))
    make_up = [{"date": day, "weekday": _weekday_label(day),
                "follows": Weekday(weekday).label}
               for day, weekday in days.items() if day.weekday() >= 5]
    return {"school_days": len(days), "skipped": skipped, "make_up": make_up}


def school_day_count(term) -> int:
    return len(calendar.school_days(None, term.starts_on, term.ends_on))


class TermInspectView(generic.InspectView):
    template_name = f"{TEMPLATES}/term_inspect.html"
    page_title = gettext_lazy("Term calendar")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["calendar"] = term_calendar(self.object)
        return context


class TermViewSet(ModelViewSet):
    model = Term
    name = "setup_terms"
    menu_name = "setup_terms"
    url_prefix = "setup/terms"
    icon = "calendar"
    menu_label = gettext_lazy("Terms")
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_class = TermInspectView
    inspect_view_fields = ["name", "starts_on", "ends_on"]
    list_display = ["name", "starts_on", "ends_on",
                    Column("school_days", label=gettext_lazy("Days with after-school service"),
                           accessor=school_day_count)]
    search_fields = ["name"]
    panels = [FieldPanel("name"), FieldPanel("starts_on"), FieldPanel("ends_on")]


# --- local days off --------------------------------------------------------------------------
class DayOffForm(WagtailAdminModelForm):
    """One local day off per date for the district, and one per date and school."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].empty_label = EVERY_SCHOOL

    def clean(self):
        cleaned = super().clean()
        date, school = cleaned.get("date"), cleaned.get("school")
        if date:
            others = DayOff.objects.filter(date=date, school=school)
            if self.instance.pk:
                others = others.exclude(pk=self.instance.pk)
            if others.exists():
                self.add_error("date", _("This day is already a day off for the whole district.")
                               if school is None else
                               _("This day is already a day off for this school."))
        return cleaned


class SchoolOrDistrictFilter(django_filters.ModelChoiceFilter):
    """A school, or (``null``) the days off of the whole district."""


class SchoolOrDistrictFilterAdapter(ModelChoiceFilterAdapter):
    """Names the district choice in the active-filter pill (Wagtail would show "null")."""

    def get_active_filters(self):
        if self.value == self.filter.null_value:
            yield ActiveFilter(self.bound_field.auto_id, self.filter.label,
                               str(self.filter.field.null_label),
                               self.get_url_without_filter_param(self.name))
        else:
            yield from super().get_active_filters()


register_filter_adapter_class(SchoolOrDistrictFilter, SchoolOrDistrictFilterAdapter,
                              exact_class=True)


class DayOffFilterSet(WagtailFilterSet):
    school = SchoolOrDistrictFilter(
        label=gettext_lazy("School"), queryset=School.objects.order_by("name"),
        empty_label=gettext_lazy("Any"), null_label=EVERY_SCHOOL)
    date = django_filters.DateFromToRangeFilter(label=gettext_lazy("Date"),
                                                widget=DateRangePickerWidget)

    class Meta:
        model = DayOff
        fields = ["school", "date"]


class DayOffViewSet(ModelViewSet):
    model = DayOff
    name = "setup_days_off"
    menu_name = "setup_days_off"
    url_prefix = "setup/days-off"
    icon = "date"
    menu_label = gettext_lazy("Local days off")
    copy_view_enabled = False
    filterset_class = DayOffFilterSet
    list_display = ["date", "name",
                    Column("school", label=gettext_lazy("School"),
                           accessor=lambda day_off: day_off.school or EVERY_SCHOOL)]
    search_fields = ["name"]
    edit_handler = ObjectList([FieldPanel("date"), FieldPanel("name"), FieldPanel("school")],
                              base_form_class=DayOffForm)


# --- the menu --------------------------------------------------------------------------------
class SchoolSetupGroup(ViewSetGroup):
    """One menu item, shown to whoever may use one of its screens (the bureau manager)."""

    menu_label = gettext_lazy("Schools and terms")
    menu_icon = "calendar-alt"
    menu_name = "schools_and_terms"
    menu_order = 160
    items = (SchoolViewSet, VenueViewSet, TermViewSet, DayOffViewSet)


# --- the school's history: invitations ---------------------------------------------------------
def register_log_actions(actions):
    """Invitations and removals of coordinators in the school's history."""

    class CoordinatorAction(LogFormatter):
        template = ""

        def format_message(self, log_entry):
            name = log_entry.data.get("coordinator", {}).get("name", "")
            return self.template % {"name": name}

    @actions.register_action(invitations.INVITE_ACTION)
    class Invited(CoordinatorAction):
        label = gettext_lazy("Invite coordinator")
        template = gettext_lazy("Coordinator invited: %(name)s")

    @actions.register_action(invitations.REMOVE_ACTION)
    class Removed(CoordinatorAction):
        label = gettext_lazy("Remove coordinator")
        template = gettext_lazy("Coordinator removed: %(name)s")
