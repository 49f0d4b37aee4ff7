"""Downloads of the term schedule (排片表) and the private iCalendar feed.

A coordinator gets the sessions of their own schools, a vendor those of the providers
they own; nobody gets anyone else's. The feed address holds a secret token instead of a
login (calendar programs cannot log in); its owner can replace it at any time, and the
old address then answers 404.
"""

import datetime as dt
import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from marketplace.booking.exports import XLSX_MEDIA_TYPE, schedule_ics, schedule_pdf, schedule_xlsx
from marketplace.booking.schedule import sessions_for
from marketplace.models import Booking, CalendarFeed, Provider, Term
from marketplace.roles import Role, has_role
from marketplace.views.access import role_required
from media.pdf import pdf_response

PRIVATE = "private, no-store"
#: The feed holds sessions from this many days back on (calendar programs keep the rest).
FEED_DAYS_BACK = 366


def _term(request) -> Term | None:
    raw = request.GET.get("term", "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) < 19):
        raise Http404
    term = Term.objects.filter(pk=int(raw)).first()
    if term is None:
        raise Http404
    return term


def _scope(request, side: str):
    """(bookings, who) for the logged-in coordinator's schools or vendor's providers."""
    user = request.user
    if side == "school":
        bookings = Booking.objects.for_coordinator(user)
        who = "、".join(user.schools.order_by("name").values_list("name", flat=True))
    else:
        bookings = Booking.objects.for_vendor(user)
        who = "、".join(Provider.objects.filter(owner=user).order_by("name")
                       .values_list("name", flat=True))
    return bookings, who


def _export(request, side: str):
    bookings, who = _scope(request, side)
    term = _term(request)
    if term is not None:
        bookings = bookings.filter(term=term)
    sessions = list(sessions_for(bookings))
    title = (_("%(who)s after-school service schedule") % {"who": who} if who
             else _("After-school service schedule"))
    period = ""
    if sessions:
        period = f"{sessions[0].date:%Y-%m-%d} — {sessions[-1].date:%Y-%m-%d}"
    subtitle = "　".join(part for part in (str(term) if term else _("All terms"), period,
                                           _("%(n)s sessions") % {"n": len(sessions)})
                        if part)
    stem = _("After-school service schedule")
    if term is not None:
        stem = f"{stem}-{term}"
    stem = get_valid_filename(f"{stem}-{timezone.localdate():%Y%m%d}")
    return sessions, title, subtitle, stem


def _pdf(request, side):
    sessions, title, subtitle, stem = _export(request, side)
    response = pdf_response(schedule_pdf(sessions, title=title, subtitle=subtitle),
                            f"{stem}.pdf")
    response["Cache-Control"] = PRIVATE
    return response


def _xlsx(request, side):
    sessions, title, _subtitle, stem = _export(request, side)
    response = FileResponse(io.BytesIO(schedule_xlsx(sessions, title=title)),
                            as_attachment=True, filename=f"{stem}.xlsx",
                            content_type=XLSX_MEDIA_TYPE)
    response["Cache-Control"] = PRIVATE
    return response


@require_GET
@role_required(Role.SCHOOL)
def school_schedule_pdf(request):
    return _pdf(request, "school")


@require_GET
@role_required(Role.SCHOOL)
def school_schedule_xlsx(request):
    return _xlsx(request, "school")


@require_GET
@role_required(Role.VENDOR)
def vendor_schedule_pdf(request):
    return _pdf(request, "vendor")


@require_GET
@role_required(Role.VENDOR)
def vendor_schedule_xlsx(request):
    return _xlsx(request, "vendor")


# --- the iCalendar feed ---------------------------------------------------------------------
def feed_bookings(user):
    """The bookings whose sessions ``user``'s feed shows, by the roles they hold now:
    a coordinator's schools' and a vendor's providers'; None if neither."""
    if not user.is_active:
        return None
    scopes = []
    if has_role(user, Role.SCHOOL):
        scopes.append(Q(pk__in=Booking.objects.for_coordinator(user).values("pk")))
    if has_role(user, Role.VENDOR):
        scopes.append(Q(pk__in=Booking.objects.for_vendor(user).values("pk")))
    if not scopes:
        return None
    condition = scopes[0]
    for scope in scopes[1:]:
        condition |= scope
    return Booking.objects.filter(condition)


@require_GET
def calendar_feed(request, token):
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    bookings = feed_bookings(feed.user) if feed is not None else None
    if bookings is None:
        raise Http404
    since = timezone.localdate() - dt.timedelta(days=FEED_DAYS_BACK)
    with translation.override(settings.LANGUAGE_CODE):
        data = schedule_ics(sessions_for(bookings, first=since),
                            name=_("After-school service schedule"))
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="schedule.ics"'
    response["Cache-Control"] = PRIVATE
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def feed_address(request, user) -> str | None:
    """The absolute address of ``user``'s feed, or None before it was first made."""
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is None:
        return None
    return request.build_absolute_uri(reverse("calendar_feed", args=[feed.token]))


@require_GET
@login_required
def calendar_feed_page(request):
    """Where a coordinator or a vendor finds their feed address, creates or replaces it."""
    user = request.user
    if has_role(user, Role.SCHOOL):
        renew, back = "calendar_feed_renew_school", "school:schedule"
    elif has_role(user, Role.VENDOR):
        renew, back = "calendar_feed_renew_vendor", "vendor:schedule"
    else:
        raise PermissionDenied
    response = render(request, "marketplace/booking/calendar_feed.html", {
        "address": feed_address(request, user), "renew_url": reverse(renew),
        "back_url": reverse(back)})
    response["Cache-Control"] = PRIVATE
    return response


def _renew(request, fallback: str):
    feed, created = CalendarFeed.objects.get_or_create(user=request.user)
    if not created:
        feed.renew()
    messages.success(request, _("Your calendar address is ready. Any earlier address no "
                                "longer works: give calendar programs the new one."))
    for target in (request.POST.get("next"), request.META.get("HTTP_REFERER")):
        if target and url_has_allowed_host_and_scheme(
                target, allowed_hosts={request.get_host()},
                require_https=request.is_secure()):
            return redirect(target)
    return redirect(fallback)


@require_POST
@role_required(Role.SCHOOL)
def school_renew_feed(request):
    return _renew(request, "school:home")


@require_POST
@role_required(Role.VENDOR)
def vendor_renew_feed(request):
    return _renew(request, "vendor:home")
