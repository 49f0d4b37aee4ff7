"""Vendor portal."""

from django.db.models import Count, Q
from django.shortcuts import render

from marketplace.choices import VerificationState
from marketplace.roles import Role
from marketplace.views.access import role_required


@role_required(Role.VENDOR)
def home(request):
    providers = (
        request.user.providers.annotate(
            offering_count=Count("offerings", distinct=True),
            people_count=Count("people", distinct=True),
            credential_count=Count("credentials", distinct=True),
            refused_count=Count(
                "credentials", filter=Q(credentials__verification=VerificationState.REFUSED),
                distinct=True,
            ),
        )
        .prefetch_related("service_area")
        .order_by("-updated_at")
    )
    return render(request, "marketplace/vendor/home.html", {"providers": providers})
