"""School portal."""

from django.shortcuts import render

from marketplace.models import Booking, Term
from marketplace.roles import Role
from marketplace.views.access import role_required


@role_required(Role.SCHOOL)
def home(request):
    schools = request.user.schools.select_related("town")
    term = Term.current()
    bookings = (
        Booking.objects.filter(school__in=schools)
        .select_related("offering__provider", "term", "school")
        .order_by("-created_at")
    )
    return render(
        request,
        "marketplace/school/home.html",
        {"schools": schools, "term": term, "bookings": bookings},
    )
