"""The term schedule (排片表) as files: a landscape PDF to print, an Excel workbook to
work with, and an iCalendar feed for calendar programs.

Each takes sessions (``ScheduleEntry`` rows, e.g. from ``schedule.sessions_for``, with
their booking, school, offering, provider and responsible person selected). None of
them carries an identity number or a phone number.
"""

import datetime as dt
import io
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from icalendar import Calendar, Event
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from marketplace.booking import calendar
from marketplace.choices import Weekday
from marketplace.models import SessionStatus
from media.pdf import render_pdf

TIME_ZONE = ZoneInfo("Asia/Shanghai")
PDF_TEMPLATE = "media/pdf/schedule.html"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _grades(booking) -> str:
    if booking.grade_from == booking.grade_to:
        return _("Grade %(n)s") % {"n": booking.grade_from}
    return _("Grades %(a)s–%(b)s") % {"a": booking.grade_from, "b": booking.grade_to}


def _note(entry) -> str:
    parts = []
    if entry.moved_from:
        parts.append(_("moved from %(date)s") % {"date": f"{entry.moved_from:%Y-%m-%d}"})
    if entry.status_reason:
        parts.append(entry.status_reason)
    return "；".join(parts)


def _is_make_up_day(day: dt.date) -> bool:
    """A weekend day worked in exchange for a holiday (调休), which runs another
    weekday's timetable."""
    follows = calendar.timetable_weekday(day)
    return follows is not None and follows != day.isoweekday()


def rows(sessions) -> list[dict]:
    """One dict per session, in the order given, with what every export shows."""
    result, previous = [], None
    for entry in sessions:
        booking = entry.booking
        result.append({
            "pk": entry.pk,
            "date": entry.date,
            "weekday": str(Weekday(entry.date.isoweekday()).label),
            "make_up_day": _is_make_up_day(entry.date),
            "starts_at": entry.starts_at,
            "ends_at": entry.ends_at,
            "time": f"{entry.starts_at:%H:%M}–{entry.ends_at:%H:%M}",
            "school": booking.school.name,
            "provider": booking.offering.provider.name,
            "offering": booking.offering.title,
            "content": entry.content,
            "venue": entry.venue,
            "form": entry.form,
            "responsible": entry.responsible.full_name,
            "grades": _grades(booking),
            "students": booking.student_count,
            "status": str(entry.get_status_display()),
            "status_code": entry.status,
            "note": _note(entry),
            "new_day": previous is not None and entry.date != previous,
        })
        previous = entry.date
    return result


def _counts(table: list[dict]) -> list[dict]:
    counts = [{"label": _("Sessions"), "n": len(table)}]
    for status in SessionStatus:
        n = sum(1 for row in table if row["status_code"] == status)
        if n:
            counts.append({"label": str(status.label), "n": n})
    return counts


# --- PDF ------------------------------------------------------------------------------------
def schedule_pdf(sessions, *, title: str, subtitle: str = "",
                 bureau_name: str | None = None) -> bytes:
    """A landscape A4 table by date, with the bureau's name in the page header and page
    numbers in the footer."""
    if bureau_name is None:
        from marketplace.tasks import bureau_identity

        bureau_name = bureau_identity()["bureau_name"]
    table = rows(sessions)
    return render_pdf(PDF_TEMPLATE, {"bureau_name": bureau_name, "title": title,
                                     "subtitle": subtitle, "rows": table,
                                     "counts": _counts(table) if table else []})


# --- Excel ----------------------------------------------------------------------------------
COLUMNS = (  # (header, width, key)
    (gettext_lazy("Date"), 12, "date"), (gettext_lazy("Weekday"), 10, "weekday"),
    (gettext_lazy("Starts at"), 8, "starts_at"), (gettext_lazy("Ends at"), 8, "ends_at"),
    (gettext_lazy("School"), 24, "school"), (gettext_lazy("Provider"), 24, "provider"),
    (gettext_lazy("Content"), 28, "content"), (gettext_lazy("Venue"), 18, "venue"),
    (gettext_lazy("Form"), 10, "form"),
    (gettext_lazy("Responsible person"), 12, "responsible"),
    (gettext_lazy("Grades"), 10, "grades"), (gettext_lazy("Students"), 8, "students"),
    (gettext_lazy("Status"), 10, "status"), (gettext_lazy("Note"), 28, "note"),
)
NUMBER_FORMATS = {"date": "yyyy-mm-dd", "starts_at": "hh:mm", "ends_at": "hh:mm"}


def schedule_xlsx(sessions, *, title: str) -> bytes:
    """One sheet: a title row, a header row, one row per session; dates and times are
    real values, the header stays in view and is printed on every page."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_("Schedule"))[:31]
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_("Generated on %(date)s") % {
        "date": f"{timezone.localtime():%Y-%m-%d %H:%M}"}])
    sheet.append([])
    sheet.append([str(header) for header, _width, _key in COLUMNS])
    header_row = sheet.max_row
    for row in rows(sessions):
        if row["make_up_day"]:
            row["weekday"] += f"（{_('make-up day')}）"
        sheet.append([row[key] for _header, _width, key in COLUMNS])
        for index, (_header, _width, key) in enumerate(COLUMNS, start=1):
            cell = sheet.cell(row=sheet.max_row, column=index)
            if cell.data_type == "f":  # typed text such as "=HYPERLINK(…)" stays text
                cell.data_type = "s"
            if key in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[key]
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDDDDD")
        cell.alignment = Alignment(horizontal="center")
    for index, (_header, width, _key) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.auto_filter.ref = (f"A{header_row}:{get_column_letter(len(COLUMNS))}"
                             f"{max(sheet.max_row, header_row)}")
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.oddFooter.center.text = _("Page &P of &N")
    workbook.properties.title = title
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- iCalendar ------------------------------------------------------------------------------
def uid_host() -> str:
    return urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "localhost"


def _local(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=TIME_ZONE)


def schedule_ics(sessions, *, name: str) -> bytes:
    """A VCALENDAR with one VEVENT per session not cancelled. Each event's UID stays the
    same for its session (moving a session updates the event), times carry
    TZID=Asia/Shanghai with its VTIMEZONE."""
    host = uid_host()
    now = timezone.now()
    calendar = Calendar()
    calendar.add("prodid", "-//After-school resources//Schedule//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", str(TIME_ZONE))
    for entry in sessions:
        if entry.status == SessionStatus.CANCELLED:
            continue
        booking = entry.booking
        event = Event()
        event.add("uid", f"session-{entry.pk}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", _local(entry.date, entry.starts_at))
        event.add("dtend", _local(entry.date, entry.ends_at))
        event.add("summary", booking.offering.title)
        event.add("location", entry.venue)
        lines = [
            f"{_('Content')}：{entry.content}",
            f"{_('Responsible person')}：{entry.responsible.full_name}",
            f"{_('School')}：{booking.school.name}",
            f"{_('Provider')}：{booking.offering.provider.name}",
            f"{_('Form')}：{entry.form}",
            f"{_('Status')}：{entry.get_status_display()}",
        ]
        event.add("description", "\n".join(lines))
        event.add("status", "CONFIRMED")
        if entry.status_at:
            event.add("last-modified", entry.status_at)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
