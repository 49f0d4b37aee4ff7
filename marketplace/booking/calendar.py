"""The school calendar of a term: which days have after-school service, and whose
weekday timetable each of them follows.

Statutory holidays and make-up workdays (调休) come from the ``holidays`` library's
Chinese calendar, kept current by its maintainers from the State Council's yearly notice.
On a make-up Saturday or Sunday schools run the timetable of the weekday it replaces (the
day off it pays for), so a Friday slot also meets on the Saturday that stands in for a
Friday. The bureau adds local days off (``DayOff``) for one school or for all.
"""

import datetime as dt
from functools import lru_cache

import holidays
from holidays.countries.china import ChinaStaticHolidays

from marketplace.models import DayOff


@lru_cache(maxsize=32)
def _national(year: int) -> holidays.HolidayBase:
    return holidays.China(years=year, language="zh_CN")


@lru_cache(maxsize=32)
def _make_up_days(year: int) -> dict[dt.date, dt.date]:
    """Each make-up workday of ``year`` (a weekend day worked) → the day off it pays for."""
    result = {}
    for years in (year - 1, year, year + 1):
        for data in _as_tuples(ChinaStaticHolidays.special_public_holidays.get(years, ())):
            if len(data) < 4:
                continue
            to_month, to_day, from_month, from_day, *rest = data
            off = dt.date(years, to_month, to_day)
            worked = dt.date(rest[0] if rest else years, from_month, from_day)
            if worked.year == year and worked.weekday() >= 5:
                result[worked] = off
    return result


def _as_tuples(value):
    if value and isinstance(value[0], int):
        return (value,)
    return value


def national_day_off(day: dt.date) -> str | None:
    """The name of the statutory holiday or day off on ``day``, or None."""
    return _national(day.year).get(day)


def timetable_weekday(day: dt.date) -> int | None:
    """The weekday (1 = Monday … 7 = Sunday) whose timetable runs on ``day`` by the
    national calendar, or None if schools are off."""
    if day in _make_up_days(day.year):
        return _make_up_days(day.year)[day].isoweekday()
    if day.weekday() >= 5 or day in _national(day.year):
        return None
    return day.isoweekday()


def local_days_off(school, first: dt.date, last: dt.date) -> dict[dt.date, str]:
    rows = DayOff.objects.filter(date__range=(first, last))
    rows = rows.filter(school__isnull=True) | rows.filter(school=school) if school else \
        rows.filter(school__isnull=True)
    return dict(rows.values_list("date", "name"))


def school_days(school, first: dt.date, last: dt.date) -> dict[dt.date, int]:
    """Every day from ``first`` to ``last`` with after-school service at ``school``,
    mapped to the weekday whose timetable it follows."""
    off = local_days_off(school, first, last)
    result = {}
    day = first
    while day <= last:
        weekday = timetable_weekday(day)
        if weekday is not None and day not in off:
            result[day] = weekday
        day += dt.timedelta(days=1)
    return result


def skipped_days(school, first: dt.date, last: dt.date) -> list[tuple[dt.date, str]]:
    """Weekdays without service in the range, with why (for the schedule's notes)."""
    off = local_days_off(school, first, last)
    result = []
    day = first
    while day <= last:
        if day.weekday() < 5 or day in _make_up_days(day.year):
            name = off.get(day) or (national_day_off(day) if timetable_weekday(day) is None
                                    else None)
            if name:
                result.append((day, name))
        day += dt.timedelta(days=1)
    return result


def session_dates(school, first: dt.date, last: dt.date, weekday: int) -> list[dt.date]:
    """The dates a weekly slot on ``weekday`` meets between ``first`` and ``last``."""
    return [day for day, w in school_days(school, first, last).items() if w == weekday]
