"""Downloads of the public candidate list: stored files, one pair per version."""

import time

from django.core.cache import cache
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cms.tasks import refresh_candidate_list
from marketplace.models import CandidateList
from workflows import outbox

PREPARING_KEY = "candidate-list:preparing"
PREPARING_SECONDS = 300
FORMATS = {
    "pdf": ("pdf", "application/pdf"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def _serve(version: CandidateList, fmt: str):
    field, content_type = FORMATS[fmt]
    stored = getattr(version, field)
    if not stored:
        raise Http404
    filename = _("after-school-candidate-list-v%(n)s-%(date)s.%(ext)s") % {
        "n": version.version, "date": f"{version.published_at:%Y%m%d}", "ext": fmt}
    response = FileResponse(stored.open("rb"), as_attachment=True, filename=filename,
                            content_type=content_type)
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_safe
def current_list(request, fmt):
    version = CandidateList.current()
    if version is None and cache.add(PREPARING_KEY, 1, timeout=PREPARING_SECONDS):
        # The first version is made once, however many visitors ask while it renders: the
        # cache spares the outbox a query, the key (one per five minutes) decides, also
        # while the cache is down and add() lets every request through.
        window = int(time.time()) // PREPARING_SECONDS
        outbox.schedule(refresh_candidate_list, "first download",
                        key=f"candidate-list:first:{window}")
        version = CandidateList.current()  # already there when tasks run inline
    if version is None:
        response = render(request, "cms/candidate_list_pending.html", status=503)
        response["Retry-After"] = "60"
        return response
    return _serve(version, fmt)


@require_safe
def list_version(request, number, fmt):
    return _serve(get_object_or_404(CandidateList, version=number), fmt)
