"""The school's side of booking: the public offering page, the booking form, the
bookings, the term schedule and its sessions."""

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from marketplace.admission.forms import SignForm
from marketplace.booking import schedule, services
from marketplace.booking.forms import (
    SESSION_FORMS,
    BookingForm,
    ReasonForm,
    ScheduleFilterForm,
    session_forms,
)
from marketplace.booking.services import bookable
from marketplace.catalogue import public_credentials
from marketplace.choices import SignatureParty
from marketplace.models import Booking, Offering, ScheduleEntry, SessionStatus, Term
from marketplace.roles import Role, has_role
from marketplace.views.access import role_required
from workflows import transitions
from workflows.booking import CANCELLABLE_BY_PARTIES, BookingReason, BookingState
from workflows.transitions import StaleEntry, TransitionRefused


def offering_detail(request, pk):
    """Public: everything a school needs to decide, and for a coordinator the 预约 button."""
    offering = get_object_or_404(
        Offering.objects.select_related("provider"), pk=pk, withdrawn_at__isnull=True,
        review="verified", provider__state="listed")
    provider = offering.provider
    return render(request, "marketplace/booking/offering.html", {
        "offering": offering, "provider": provider,
        "provider_url": provider.page.url if hasattr(provider, "page") else "",
        "credentials": public_credentials().filter(provider=provider),
        "can_book": bookable(offering) and has_role(request.user, Role.SCHOOL),
        "is_listed": provider.state == "listed",
    })


def _attempt(request, action, *args, **kwargs):
    try:
        return True, action(*args, **kwargs)
    except StaleEntry as exc:
        messages.error(request, str(exc))
    except TransitionRefused as exc:
        messages.error(request, " ".join([str(exc), *exc.reasons]))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return False, None


@role_required(Role.SCHOOL)
def book(request, pk):
    offering = get_object_or_404(Offering.objects.select_related("provider"), pk=pk)
    if not bookable(offering):
        messages.error(request, _("This offering cannot be booked now."))
        return redirect("offering", pk=pk)
    if not request.user.schools.exists():
        messages.error(request, _("Your account is not yet linked to a school. Ask the "
                                  "education bureau to link it."))
        return redirect("school:home")
    form = BookingForm(request.POST or None, offering=offering, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.request_booking(form.request(), by=request.user)
        except ValidationError as exc:
            form.add_service_errors(exc.message_dict)
        else:
            messages.success(request, _("Booking requested. The provider will accept or "
                                        "decline it; you will get an e-mail."))
            return redirect("school:booking", pk=booking.pk)
    return render(request, "marketplace/booking/book.html", {
        "offering": offering, "form": form, "slots": form.slots})


def _own_booking(request, pk) -> Booking:
    booking = get_object_or_404(
        Booking.objects.select_related("school", "offering__provider", "term", "venue"), pk=pk)
    if not booking.school.coordinators.filter(pk=request.user.pk).exists():
        raise PermissionDenied
    return booking


#: Timeline labels of what is logged on a booking besides its transitions.
ITEM_ACTIONS = {
    "requested": _lazy("Booking requested"),
    "signed_vendor": _lazy("Provider signed the service agreement"),
    "signed_school": _lazy("School signed the service agreement"),
    "session_cancelled": _lazy("Session cancelled"),
    "session_moved": _lazy("Session moved"),
    "session_person_changed": _lazy("Responsible person changed"),
    "session_delivered": _lazy("Session delivered"),
    "session_not_delivered": _lazy("Session not delivered"),
}


def timeline_rows(booking, *, staff: bool) -> list[dict]:
    labels = {name: str((ts[0].custom or {}).get("label", name))
              for name, ts in transitions.transitions_of(Booking).items()}
    labels.update({k: str(v) for k, v in ITEM_ACTIONS.items()})
    states = dict(BookingState.choices)
    return [{"at": e.created_at, "actor": e.actor, "action": labels.get(e.action, e.action),
             "state": states.get(e.target_state, ""), "reason": e.get_reason_display()
             if e.reason else "", "item": e.item, "comment": e.comment}
            for e in transitions.timeline(booking, staff=staff)]


def booking_context(booking: Booking, *, staff_view: bool = False) -> dict:
    contract = booking.service_agreement()
    counted = schedule.with_counts(Booking.objects.filter(pk=booking.pk)).get()
    return {
        "booking": booking, "counts": counted, "contract": contract,
        "vendor_signature": contract.signed_by(SignatureParty.VENDOR) if contract else None,
        "school_signature": contract.signed_by(SignatureParty.SCHOOL) if contract else None,
        "slots": booking.slots.all(), "people": booking.people.all(),
        "sessions": booking.schedule.select_related("responsible").order_by("date", "starts_at"),
        "timeline": timeline_rows(booking, staff=staff_view),
        "cancellable": booking.state in CANCELLABLE_BY_PARTIES,
        "reason_form": ReasonForm(choices=[c for c in BookingReason.choices
                                           if c[0] != BookingReason.PROVIDER_LEFT]),
    }


@role_required(Role.SCHOOL)
def booking_detail(request, pk):
    booking = _own_booking(request, pk)
    context = booking_context(booking)
    context["can_sign"] = can_sign(booking, context, SignatureParty.SCHOOL)
    context["sign_form"] = SignForm()
    return render(request, "marketplace/booking/school_booking.html", context)


def can_sign(booking, context, party) -> bool:
    contract = context["contract"]
    if booking.state != BookingState.ACCEPTED or not contract or not contract.pdf:
        return False
    if party == SignatureParty.VENDOR:
        return context["vendor_signature"] is None
    return context["vendor_signature"] is not None and context["school_signature"] is None


def sign(request, booking, party, done_url):
    """POST: sign the booking's service agreement for ``party`` with the typed name."""
    from marketplace.booking.agreements import sign_service_agreement

    form = SignForm(request.POST)
    contract = booking.service_agreement()
    if contract is None:
        messages.error(request, _("The agreement is still being prepared. Try again in a "
                                  "moment."))
    elif form.is_valid():
        ok, _result = _attempt(request, sign_service_agreement, contract, by=request.user,
                               party=party, typed_name=form.cleaned_data["typed_name"],
                               consent=form.cleaned_data["consent"],
                               ip_address=request.META.get("REMOTE_ADDR"))
        if ok:
            messages.success(request, _("You have signed the service agreement."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(done_url)


@role_required(Role.SCHOOL)
@require_POST
def booking_sign(request, pk):
    booking = _own_booking(request, pk)
    return sign(request, booking, SignatureParty.SCHOOL, f"/school/bookings/{pk}/")


@role_required(Role.SCHOOL)
@require_POST
def booking_cancel(request, pk):
    booking = _own_booking(request, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        ok, _result = _attempt(request, transitions.run, booking, "cancel", by=request.user,
                               reason=form.cleaned_data["reason"],
                               comment=form.cleaned_data["comment"],
                               expected_state=request.POST.get("state"))
        if ok:
            messages.success(request, _("The booking is cancelled."))
    else:
        messages.error(request, _("Choose a reason from the list."))
    return redirect("school:booking", pk=pk)


#: Weeks the grid can show: far enough for any school year, clear of date overflow.
WEEK_RANGE = (dt.date(2000, 1, 3), dt.date(2099, 12, 28))


def _week_start(request) -> dt.date:
    try:
        day = dt.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = timezone.localdate()
    if not WEEK_RANGE[0] <= day <= WEEK_RANGE[1]:
        day = timezone.localdate()
    return day - dt.timedelta(days=day.weekday())


def _schedule_term(today: dt.date) -> Term | None:
    """The running term, else the next one, else the last one (a summer look back)."""
    return (Term.current(today)
            or Term.objects.filter(ends_on__gte=today).order_by("starts_on").first()
            or Term.objects.order_by("-ends_on").first())


#: Sessions per page of the list; a month with more is split into pages.
LIST_PAGE_SIZE = 200


def schedule_context(request, bookings) -> dict:
    """The week grid of one week (``?week=YYYY-MM-DD``) or the list of one month of the
    term (``?view=list&month=YYYY-MM``, filtered by school, booking and status), with the
    fees of the term's bookings. The number of queries does not grow with the bookings."""
    today = timezone.localdate()
    monday = _week_start(request)
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    term = _schedule_term(today)
    as_list = request.GET.get("view") == "list"
    counts = list(schedule.with_counts(bookings.filter(state__in=schedule.SCHEDULED,
                                                       term=term))
                  .filter(sessions_total__gt=0)
                  .select_related("school", "offering__provider")
                  .order_by("school__name", "pk"))
    schools = {}
    for booking in counts:  # the term's total per school, from the rows shown
        schools[booking.school.name] = schools.get(booking.school.name, 0) + booking.amount_due
    context = {
        "monday": monday, "days": days,
        "previous_week": monday - dt.timedelta(days=7), "next_week": monday + dt.timedelta(days=7),
        "as_list": as_list, "term": term, "today": today, "counts": counts,
        "term_total": sum(schools.values()),
        "school_totals": sorted(schools.items()) if len(schools) > 1 else [],
    }
    if as_list:
        context.update(_month_list(request, bookings, term, counts, today))
    else:
        sessions = list(schedule.sessions_for(bookings, days[0], days[-1]))
        context["grid"] = [(day, [s for s in sessions if s.date == day]) for day in days]
    return context


def _month_list(request, bookings, term, counts, today) -> dict:
    """One month of the term's sessions, a page of ``LIST_PAGE_SIZE`` at most; by
    default the month (and page) holding today."""
    term_bookings = [b for b in counts if term and b.term_id == term.pk]
    months = schedule.term_months(term)
    given = ScheduleFilterForm(request.GET, months=months, bookings=term_bookings).values()
    month = schedule.month_in_term(term, given.get("month"), today)
    filters = {k: given[k] for k in ("school", "booking", "status") if k in given}
    picker = ScheduleFilterForm(initial={**filters, "month": f"{month:%Y-%m}" if month else ""},
                                months=months, bookings=term_bookings)
    query = {"view": "list", **filters}
    if month is None:  # no term at all
        return {"filter_form": picker, "month": None, "page_obj": None, "filters": filters,
                "sessions": []}
    shown = bookings
    if "school" in filters:
        shown = shown.filter(school_id=filters["school"])
    if "booking" in filters:
        shown = shown.filter(pk=filters["booking"])
    entries = schedule.sessions_for(shown, *schedule.month_span(term, month))
    if "status" in filters:
        entries = entries.filter(status=filters["status"])
    paginator = Paginator(entries, LIST_PAGE_SIZE)
    number = request.GET.get("page")
    if not number and month == today.replace(day=1):
        number = entries.filter(date__lt=today).count() // LIST_PAGE_SIZE + 1
    page = paginator.get_page(number)
    at = months.index(month)

    def url(**extra) -> str:
        return "?" + urlencode({**query, **extra})

    return {
        "filter_form": picker, "filters": filters, "month": month, "page_obj": page,
        "sessions": page.object_list,
        "previous_month_url": url(month=f"{months[at - 1]:%Y-%m}") if at > 0 else "",
        "next_month_url": url(month=f"{months[at + 1]:%Y-%m}") if at + 1 < len(months)
        else "",
        "page_urls": [(n, url(month=f"{month:%Y-%m}", page=n))
                      for n in paginator.page_range] if paginator.num_pages > 1 else [],
        "clear_url": "?" + urlencode({"view": "list", "month": f"{month:%Y-%m}"})
        if filters else "",
        "this_month_url": url() if term.starts_on <= today <= term.ends_on
        and month != today.replace(day=1) else "",
    }


@role_required(Role.SCHOOL)
def school_schedule(request):
    bookings = Booking.objects.for_coordinator(request.user)
    context = schedule_context(request, bookings)
    return render(request, "marketplace/booking/schedule.html", {**context, "side": "school"})


#: Which field of a session form a refusal of the schedule's services is about.
REFUSAL_FIELDS = {"reason_required": "reason", "reason_too_long": "reason", "date": "date",
                  "time": "ends_at", "check": "person"}


def _change_session(entry, action, data, by):
    if action == "delivered":
        return schedule.mark_delivery(entry, by=by, delivered=True)
    if action == "not_delivered":
        return schedule.mark_delivery(entry, by=by, delivered=False, reason=data["reason"])
    if action == "cancel":
        return schedule.cancel_session(entry, by=by, reason=data["reason"])
    if action == "move":
        return schedule.move_session(entry, by=by, date=data["date"],
                                     starts_at=data["starts_at"], ends_at=data["ends_at"],
                                     reason=data["reason"])
    return schedule.swap_person(entry, by=by, person=data["person"], reason=data["reason"])


@role_required(Role.SCHOOL)
def session_detail(request, pk):
    """A session and its forms (mark delivered or not, cancel, move, swap the person),
    each under its own prefix. The form sent names itself in ``action``; a refusal is
    shown on that form, with what was typed kept."""
    entry = get_object_or_404(ScheduleEntry.objects.select_related(
        "booking__school", "booking__offering__provider", "responsible"), pk=pk)
    if not entry.booking.school.coordinators.filter(pk=request.user.pk).exists():
        raise PermissionDenied
    people = services.people_choices(entry.booking.offering.provider)
    action = request.POST.get("action") if request.method == "POST" else None
    if action not in SESSION_FORMS:
        action = None
        if request.method == "POST":
            messages.error(request, _("Check the fields."))
    forms = session_forms(request.POST if action else None, action=action, people=people)
    if action:
        form = forms[action]
        if form.is_valid():
            try:
                _change_session(entry, action, form.cleaned_data, request.user)
            except (TransitionRefused, ValidationError) as exc:
                refused = isinstance(exc, TransitionRefused)
                text = str(exc) if refused else " ".join(exc.messages)
                field = REFUSAL_FIELDS.get(exc.code) if refused else None
                form.add_error(field if field in form.fields else None, text)
                messages.error(request, text)
            else:
                messages.success(request, _("Saved."))
                return redirect("school:session", pk=pk)
        else:
            messages.error(request, _("Check the fields."))
    return render(request, "marketplace/booking/session.html", {
        "entry": entry, "forms": forms, "people": people, "today": timezone.localdate(),
        "changeable": entry.booking.state in (BookingState.AGREED, BookingState.ACTIVE),
        # A session held before its booking completed or was cancelled is still marked.
        "markable": entry.booking.state in schedule.MARKABLE and entry.date <= timezone.localdate()
        and (entry.status != SessionStatus.CANCELLED),
    })


@role_required(Role.SCHOOL)
def school_home(request):
    schools = request.user.schools.select_related("town").prefetch_related("venues")
    bookings = (schedule.with_counts(Booking.objects.for_coordinator(request.user))
                .select_related("offering__provider", "term", "school")
                .prefetch_related(Prefetch("slots"))
                .order_by("-created_at"))
    return render(request, "marketplace/school/home.html", {
        "schools": schools, "term": Term.current(), "bookings": bookings,
        "term_total": schedule.term_total(Booking.objects.for_coordinator(request.user)),
    })
