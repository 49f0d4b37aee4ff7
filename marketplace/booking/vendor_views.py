"""The provider's side of booking: the inbox, accept or decline, sign, cancel, and the
schedule across its schools."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.admission.forms import SignForm
from marketplace.booking import schedule, services
from marketplace.booking.forms import AcceptForm, ReasonForm
from marketplace.booking.views import _attempt, booking_context, can_sign, schedule_context, sign
from marketplace.choices import SignatureParty
from marketplace.models import Booking
from marketplace.roles import Role
from marketplace.views.access import role_required
from workflows import transitions
from workflows.booking import BookingReason, BookingState


def _own_booking(request, pk) -> Booking:
    booking = get_object_or_404(
        Booking.objects.select_related("school", "offering__provider", "term", "venue"), pk=pk)
    if booking.offering.provider.owner_id != request.user.pk:
        raise PermissionDenied
    return booking


@role_required(Role.VENDOR)
def inbox(request):
    bookings = Booking.objects.for_vendor(request.user)
    state = request.GET.get("state", "")
    counts = dict(bookings.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    shown = bookings.filter(state=state) if state in BookingState.values else bookings
    shown = (schedule.with_counts(shown)
             .select_related("school", "offering", "term").prefetch_related("slots")
             .order_by("-created_at"))
    return render(request, "marketplace/booking/inbox.html", {
        "bookings": shown, "state": state,
        "states": [(s, label, counts.get(s, 0)) for s, label in BookingState.choices],
        "total": sum(counts.values()),
    })


@role_required(Role.VENDOR)
def booking_detail(request, pk):
    booking = _own_booking(request, pk)
    context = booking_context(booking)
    people = services.people_choices(booking.offering.provider)
    accept_form = AcceptForm(request.POST or None, people=people,
                             initial={"people": list(booking.people.all())})
    if request.method == "POST" and accept_form.is_valid():
        ok, _result = _attempt(request, services.accept_booking, booking, by=request.user,
                               people=list(accept_form.cleaned_data["people"]),
                               comment=accept_form.cleaned_data["comment"],
                               expected_state=request.POST.get("state"))
        if ok:
            messages.success(request, _("Accepted. Sign the service agreement once it is "
                                        "ready."))
            return redirect("vendor:booking", pk=pk)
    return render(request, "marketplace/booking/vendor_booking.html", {
        **context, "accept_form": accept_form, "sign_form": SignForm(),
        "can_sign": can_sign(booking, context, SignatureParty.VENDOR),
        "decline_form": ReasonForm(choices=[c for c in BookingReason.choices
                                            if c[0] != BookingReason.PROVIDER_LEFT]),
    })


def _reasoned(request, pk, name, done):
    booking = _own_booking(request, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        ok, _result = _attempt(request, transitions.run, booking, name, by=request.user,
                               reason=form.cleaned_data["reason"],
                               comment=form.cleaned_data["comment"],
                               expected_state=request.POST.get("state"))
        if ok:
            messages.success(request, done)
    else:
        messages.error(request, _("Choose a reason from the list."))
    return redirect("vendor:booking", pk=pk)


@role_required(Role.VENDOR)
@require_POST
def booking_decline(request, pk):
    return _reasoned(request, pk, "decline", _("The booking is declined."))


@role_required(Role.VENDOR)
@require_POST
def booking_cancel(request, pk):
    return _reasoned(request, pk, "cancel", _("The booking is cancelled."))


@role_required(Role.VENDOR)
@require_POST
def booking_sign(request, pk):
    booking = _own_booking(request, pk)
    return sign(request, booking, SignatureParty.VENDOR, f"/vendor/bookings/{pk}/")


@role_required(Role.VENDOR)
def vendor_schedule(request):
    bookings = Booking.objects.for_vendor(request.user)
    context = schedule_context(request, bookings)
    return render(request, "marketplace/booking/schedule.html", {**context, "side": "vendor"})
