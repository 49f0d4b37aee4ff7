"""Private files: every download is permission-checked; none has a public URL.

Vendors see their own entry's files (not check results); bureau staff with the matching
permission see any submitted entry's; schools and anonymous visitors see none. The files of
a draft never submitted do not exist for anyone but its vendor: 404, as for a missing id,
whoever asks (``selectors.hidden_from``).
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404

from marketplace.admission import selectors
from marketplace.admission.dossier import build_dossier, dossier_filename
from marketplace.models import BackgroundCheck, Contract, Credential, Provider
from media.downloads import serve_private


def _serve(request, field_file, *, provider, allowed: bool, filename: str):
    if selectors.hidden_from(provider, request.user):
        raise Http404
    if not allowed:
        raise PermissionDenied
    if not field_file:
        raise Http404
    return serve_private(field_file, filename=filename,
                         inline=request.GET.get("download") != "1")


@login_required
def credential_file(request, pk):
    credential = get_object_or_404(Credential.objects.select_related("provider"), pk=pk)
    user = request.user
    return _serve(
        request, credential.file, provider=credential.provider,
        allowed=(credential.provider.owner_id == user.pk
                 or user.has_perm("marketplace.view_credential")),
        filename=credential.original_filename
        or credential.file.name.rsplit("/", 1)[-1],
    )


@login_required
def check_result_file(request, pk):
    """Check results are sensitive personal data: check officers only."""
    check = get_object_or_404(BackgroundCheck.objects.select_related("person__provider"),
                              pk=pk)
    return _serve(request, check.result_file, provider=check.person.provider,
                  allowed=request.user.has_perm("marketplace.view_identity_number"),
                  filename=f"check-{check.pk}.pdf")


@login_required
def contract_file(request, pk):
    contract = get_object_or_404(Contract.objects.select_related("provider", "booking__school"),
                                 pk=pk)
    user = request.user
    # A service agreement is also the school's: its coordinators may read it.
    school_party = bool(contract.booking_id and contract.booking.school.coordinators.filter(
        pk=user.pk).exists())
    return _serve(
        request, contract.pdf, provider=contract.provider,
        allowed=(contract.provider.owner_id == user.pk or school_party
                 or user.has_perm("marketplace.view_contract")
                 or user.has_perm("marketplace.countersign_agreement")),
        filename=f"agreement-{contract.pk}.pdf",
    )


@login_required
def dossier(request, pk):
    provider = get_object_or_404(Provider, pk=pk)
    if selectors.hidden_from(provider, request.user):
        raise Http404
    if not request.user.has_perm("marketplace.export_dossier"):
        raise PermissionDenied
    data = build_dossier(
        provider, include_identity=request.user.has_perm("marketplace.view_identity_number")
    )
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{dossier_filename(provider)}"'
    response["Cache-Control"] = "private, no-store"
    return response
