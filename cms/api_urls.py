"""The public API under ``/api/``: version 1 and its OpenAPI schema (JSON or YAML by
content negotiation, ``?format=json``). No Swagger or Redoc page: they load their
scripts from a CDN, and the product runs on closed intranets."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from cms.api import router

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
]
