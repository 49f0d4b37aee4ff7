"""Schedule downloads, the iCalendar feed and its renewal (included at the site root)."""

from django.urls import path

from marketplace.booking import export_views

urlpatterns = [
    path("school/schedule.pdf", export_views.school_schedule_pdf, name="schedule_pdf_school"),
    path("school/schedule.xlsx", export_views.school_schedule_xlsx,
         name="schedule_xlsx_school"),
    path("school/calendar-feed/renew", export_views.school_renew_feed,
         name="calendar_feed_renew_school"),
    path("vendor/schedule.pdf", export_views.vendor_schedule_pdf, name="schedule_pdf_vendor"),
    path("vendor/schedule.xlsx", export_views.vendor_schedule_xlsx,
         name="schedule_xlsx_vendor"),
    path("vendor/calendar-feed/renew", export_views.vendor_renew_feed,
         name="calendar_feed_renew_vendor"),
    path("calendar/", export_views.calendar_feed_page, name="calendar_feed_page"),
    path("calendar/<slug:token>.ics", export_views.calendar_feed, name="calendar_feed"),
]
