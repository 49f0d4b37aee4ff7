"""The school's side of booking: the public offering page, the booking form, the
bookings, the term schedule and its sessions."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from marketplace.booking import schedule, services
from marketplace.booking.forms import BookingForm, ReasonForm, SessionForm
from marketplace.booking.services import bookable
from marketplace.catalogue import public_credentials
from marketplace.choices import SignatureParty
from marketplace.forms import SignForm
from marketplace.models import Booking, Offering, ScheduleEntry, Term
from marketplace.roles import Role, has_role
from marketplace.views.access import role_required
from workflows import transitions
from workflows.booking import CANCELLABLE_BY_PARTIES, BookingReason, BookingState
from workflows.transitions import StaleEntry, TransitionRefused


def offering_detail(request, pk):
    """Public: everything a school needs to decide, and for a coordinator the 预约 button."""
    offering = get_object_or_404(
        Offering.objects.select_related("provider"), pk=pk, withdrawn_at__isnull=True,
        review="verified", provider__state__in=["listed", "suspended"])
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


def _week_start(request) -> dt.date:
    try:
        day = dt.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = timezone.localdate()
    return day - dt.timedelta(days=day.weekday())


def schedule_context(request, bookings) -> dict:
    """The week grid and the list of one week (``?week=YYYY-MM-DD``) or the whole term
    (``?view=list``)."""
    monday = _week_start(request)
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    term = Term.current() or Term.objects.filter(ends_on__gte=timezone.localdate()).order_by(
        "starts_on").first()
    as_list = request.GET.get("view") == "list"
    first, last = ((term.starts_on, term.ends_on) if as_list and term else (days[0], days[-1]))
    sessions = list(schedule.sessions_for(bookings, first, last))
    grid = [(day, [s for s in sessions if s.date == day]) for day in days]
    return {
        "monday": monday, "days": days, "grid": grid, "sessions": sessions,
        "previous_week": monday - dt.timedelta(days=7), "next_week": monday + dt.timedelta(days=7),
        "as_list": as_list, "term": term, "today": timezone.localdate(),
        "counts": schedule.with_counts(bookings.filter(state__in=schedule.SCHEDULED))
        .select_related("school", "offering__provider").order_by("school__name", "pk"),
        "term_total": schedule.term_total(bookings),
    }


@role_required(Role.SCHOOL)
def school_schedule(request):
    bookings = Booking.objects.for_coordinator(request.user)
    context = schedule_context(request, bookings)
    return render(request, "marketplace/booking/schedule.html", {**context, "side": "school"})


@role_required(Role.SCHOOL)
def session_detail(request, pk):
    entry = get_object_or_404(ScheduleEntry.objects.select_related(
        "booking__school", "booking__offering__provider", "responsible"), pk=pk)
    if not entry.booking.school.coordinators.filter(pk=request.user.pk).exists():
        raise PermissionDenied
    people = services.people_choices(entry.booking.offering.provider)
    form = SessionForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        data, by = form.cleaned_data, request.user
        action = data["action"]
        call = {
            "cancel": lambda: schedule.cancel_session(entry, by=by, reason=data["reason"]),
            "move": lambda: schedule.move_session(entry, by=by, date=data["date"],
                                                  starts_at=data["starts_at"],
                                                  ends_at=data["ends_at"],
                                                  reason=data["reason"]),
            "swap": lambda: schedule.swap_person(entry, by=by, person=data["person"],
                                                 reason=data["reason"]),
            "delivered": lambda: schedule.mark_delivery(entry, by=by, delivered=True),
            "not_delivered": lambda: schedule.mark_delivery(entry, by=by, delivered=False,
                                                            reason=data["reason"]),
        }[action]
        ok, _result = _attempt(request, call)
        if ok:
            messages.success(request, _("Saved."))
            return redirect("school:session", pk=pk)
    elif request.method == "POST":
        messages.error(request, " ".join(form.non_field_errors()) or _("Check the fields."))
    return render(request, "marketplace/booking/session.html", {
        "entry": entry, "form": form, "people": people, "today": timezone.localdate(),
        "changeable": entry.booking.state in (BookingState.AGREED, BookingState.ACTIVE),
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
