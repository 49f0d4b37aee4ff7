"""Policy values taken from the seed documents, read from one place.

Defaults live in ``settings.POLICY`` (environment-overridable); every rule that code
enforces reads it through this module.
"""

import datetime as dt

from django.conf import settings


def value(name: str):
    return settings.POLICY[name]


def background_check_valid_until(checked_on: dt.date) -> dt.date:
    return add_months(checked_on, value("BACKGROUND_CHECK_VALID_MONTHS"))


def professional_fee_cap() -> int:
    return value("PROFESSIONAL_FEE_CAP_PER_SESSION")


def personalised_course_cap() -> int:
    return value("PERSONALISED_COURSE_CAP_PER_TERM")


def admission_agreement_end(start: dt.date) -> dt.date:
    """The last day of an admission agreement (准入协议) starting on ``start``: it runs
    ``ADMISSION_AGREEMENT_YEARS`` years, 2026-03-01 … 2029-02-28 with the default 3."""
    return add_months(start, 12 * value("ADMISSION_AGREEMENT_YEARS")) - dt.timedelta(days=1)


def service_end(lowest_grade: int) -> dt.time:
    """Latest end of after-school service [001 §三(二)]: primary pupils (grades 1-6)
    by 18:30, junior secondary (grades 7-9) by 19:00. A group that includes any
    primary grade keeps the primary limit."""
    key = "SERVICE_END_PRIMARY" if lowest_grade <= 6 else "SERVICE_END_JUNIOR"
    hours, minutes = value(key).split(":")
    return dt.time(int(hours), int(minutes))


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)
