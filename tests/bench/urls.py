"""The site's URLs plus ``/bare/``: a view that does nothing, the baseline of what a
request through the middleware stack costs on this machine."""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bare/", bare),
    path("", include("config.urls")),
]
