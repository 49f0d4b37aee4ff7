"""The bureau's back office in the Wagtail admin: the "Admissions" menu item, its URLs
(``/admin/admissions/``) and the dashboard panel "Waiting for me"; the "Bookings" and
"Schools and terms" viewsets of school booking (``marketplace.booking``).

Wagtail wraps every URL registered here with its login and ``access_admin`` check; the
views check ``marketplace.view_provider`` themselves.
"""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from marketplace.admission import admin as admin_views
from marketplace.admission import selectors
from marketplace.booking import admin as booking_admin
from marketplace.booking import bureau_admin

admission_urls = [
    path("", admin_views.QueueView.as_view(), name="queue"),
    path("<int:pk>/", admin_views.EntryView.as_view(), name="entry"),
    path("<int:pk>/transition/<slug:name>/", admin_views.TransitionView.as_view(),
         name="transition"),
    path("<int:pk>/review/<slug:kind>/<int:item_pk>/", admin_views.ReviewItemView.as_view(),
         name="review"),
    path("<int:pk>/verify-selected/<slug:kind>/", admin_views.VerifySelectedView.as_view(),
         name="verify_selected"),
    path("<int:pk>/people/<int:person_pk>/check/", admin_views.RequestCheckView.as_view(),
         name="request_check"),
    path("<int:pk>/checks/<int:check_pk>/results/", admin_views.CheckResultsView.as_view(),
         name="check_results"),
    path("<int:pk>/checks/<int:check_pk>/decide/", admin_views.DecideCheckView.as_view(),
         name="decide_check"),
    path("<int:pk>/countersign/", admin_views.CountersignView.as_view(), name="countersign"),
    path("<int:pk>/allow-reapplication/", admin_views.AllowReapplicationView.as_view(),
         name="allow_reapplication"),
]


@hooks.register("register_admin_urls")
def register_admission_urls():
    return [path("admissions/", include((admission_urls, "admissions")))]


class AdmissionsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("marketplace.view_provider")


@hooks.register("register_admin_menu_item")
def register_admissions_menu_item():
    return AdmissionsMenuItem(_("Admissions"), reverse("admissions:queue"),
                              name="admissions", icon_name="clipboard-list", order=150)


class WaitingForMePanel(Component):
    """Dashboard panel: how many entries wait in each of the user's queues (one query)."""

    name = "waiting_for_me"
    template_name = "marketplace/admin/panel_waiting.html"
    order = 50

    def __init__(self, counts):
        self.counts = counts

    def get_context_data(self, parent_context=None):
        queue_url = reverse("admissions:queue")
        rows = [{"queue": q, "count": n, "url": f"{queue_url}?queue={q.key}"}
                for q, n in self.counts]
        return {"rows": rows, "total": sum(n for _q, n in self.counts),
                "queue_url": queue_url}


@hooks.register("construct_homepage_panels")
def add_waiting_for_me_panel(request, panels):
    if not request.user.has_perm("marketplace.view_provider"):
        return
    counts = selectors.queue_counts(request.user)
    if counts:
        panels.append(WaitingForMePanel(counts))


# --- school booking setup: "Schools and terms" (marketplace/booking/admin.py) ----------------
@hooks.register("register_admin_viewset")
def register_school_setup_viewsets():
    return booking_admin.SchoolSetupGroup()


hooks.register("register_log_actions", booking_admin.register_log_actions)


# --- school bookings: "Bookings" (marketplace/booking/bureau_admin.py) -------------------------
@hooks.register("register_admin_viewset")
def register_booking_viewset():
    return bureau_admin.BookingViewSet()
