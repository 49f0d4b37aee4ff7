"""Private files: every download is permission-checked; none has a public URL.

Vendors see their own entry's files (not check results); bureau staff with the matching
permission see any entry's; schools and anonymous visitors see none.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404

from marketplace.dossier import build_dossier, dossier_filename
from marketplace.models import BackgroundCheck, Contract, Credential, Provider
from media.downloads import serve_private


def _owns(user, provider) -> bool:
    return provider.owner_id == user.pk


@login_required
def credential_file(request, pk):
    credential = get_object_or_404(Credential.objects.select_related("provider"), pk=pk)
    if not (_owns(request.user, credential.provider)
            or request.user.has_perm("marketplace.view_credential")):
        raise PermissionDenied
    if not credential.file:
        raise Http404
    name = credential.original_filename or credential.file.name.rsplit("/", 1)[-1]
    return serve_private(credential.file, filename=name,
                         inline=request.GET.get("download") != "1")


@login_required
def check_result_file(request, pk):
    """Check results are sensitive personal data: check officers only."""
    check = get_object_or_404(BackgroundCheck, pk=pk)
    if not request.user.has_perm("marketplace.view_identity_number"):
        raise PermissionDenied
    if not check.result_file:
        raise Http404
    return serve_private(check.result_file, filename=f"check-{check.pk}.pdf",
                         inline=request.GET.get("download") != "1")


@login_required
def contract_file(request, pk):
    contract = get_object_or_404(Contract.objects.select_related("provider"), pk=pk)
    if not (_owns(request.user, contract.provider)
            or request.user.has_perm("marketplace.view_contract")
            or request.user.has_perm("marketplace.countersign_agreement")):
        raise PermissionDenied
    if not contract.pdf:
        raise Http404
    return serve_private(contract.pdf, filename=f"agreement-{contract.pk}.pdf",
                         inline=request.GET.get("download") != "1")


@login_required
def dossier(request, pk):
    provider = get_object_or_404(Provider, pk=pk)
    if not request.user.has_perm("marketplace.export_dossier"):
        raise PermissionDenied
    data = build_dossier(
        provider, include_identity=request.user.has_perm("marketplace.view_identity_number")
    )
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{dossier_filename(provider)}"'
    response["Cache-Control"] = "private, no-store"
    return response
