from django.urls import path

from marketplace.admission import views as vendor
from marketplace.booking import vendor_views as booking
from marketplace.views import register

app_name = "vendor"

urlpatterns = [
    path("", vendor.home, name="home"),
    # registration
    path("register/", register.register, name="register"),
    path("register/done/", register.done, name="register_done"),
    path("register/confirm/<str:token>/", register.confirm, name="register_confirm"),
    path("register/resend/", register.resend, name="register_resend"),
    # applications
    path("apply/", vendor.apply, name="apply"),
    path("entries/<int:pk>/", vendor.details, name="entry"),
    path("entries/<int:pk>/documents/", vendor.credentials, name="credentials"),
    path("entries/<int:pk>/people/", vendor.people, name="people"),
    path("entries/<int:pk>/people/add/", vendor.person_form, name="person_add"),
    path("entries/<int:pk>/people/<int:person_pk>/", vendor.person_form, name="person_edit"),
    path("entries/<int:pk>/people/<int:person_pk>/remove/", vendor.person_remove,
         name="person_remove"),
    path("entries/<int:pk>/people/<int:person_pk>/documents/", vendor.person_credentials,
         name="person_credentials"),
    path("entries/<int:pk>/offerings/", vendor.offerings, name="offerings"),
    path("entries/<int:pk>/offerings/add/", vendor.offering_form, name="offering_add"),
    path("entries/<int:pk>/offerings/<int:offering_pk>/", vendor.offering_form,
         name="offering_edit"),
    path("entries/<int:pk>/offerings/<int:offering_pk>/withdraw/", vendor.offering_withdraw,
         name="offering_withdraw"),
    path("entries/<int:pk>/review/", vendor.review, name="review"),
    path("entries/<int:pk>/status/", vendor.status, name="status"),
    path("entries/<int:pk>/sign/", vendor.sign, name="sign"),
    # bookings
    path("bookings/", booking.inbox, name="bookings"),
    path("bookings/<int:pk>/", booking.booking_detail, name="booking"),
    path("bookings/<int:pk>/decline/", booking.booking_decline, name="booking_decline"),
    path("bookings/<int:pk>/cancel/", booking.booking_cancel, name="booking_cancel"),
    path("bookings/<int:pk>/sign/", booking.booking_sign, name="booking_sign"),
    path("schedule/", booking.vendor_schedule, name="schedule"),
]
