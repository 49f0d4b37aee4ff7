from django.urls import path

from marketplace.booking import views

app_name = "school"

urlpatterns = [
    path("", views.school_home, name="home"),
    path("book/<int:pk>/", views.book, name="book"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("bookings/<int:pk>/sign/", views.booking_sign, name="booking_sign"),
    path("schedule/", views.school_schedule, name="schedule"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
]
