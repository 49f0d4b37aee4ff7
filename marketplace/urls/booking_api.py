"""The booking API of the portals, included under ``api/``: the school's bookings and
schedule, the vendor's requests and bookings, and their OpenAPI document
(``marketplace/booking/api.py``)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from marketplace.booking import api

router = SimpleRouter()
router.register("school/bookings", api.SchoolBookingViewSet, basename="api-school-booking")
router.register("vendor/bookings", api.VendorBookingViewSet, basename="api-vendor-booking")

urlpatterns = [
    path("school/schedule/", api.SchoolScheduleView.as_view(), name="api-school-schedule"),
    path("booking/schema/", api.schema_view, name="booking_api_schema"),
    *router.urls,
]
