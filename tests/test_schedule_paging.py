"""The term schedule's list (排片表, list mode) by month: it opens on the month of today
while the term runs, walks the term month by month with the filters kept, moves a month
outside the term to the nearest one, splits a crowded month into pages, and reads its
sessions in as many SQL queries for one booking as for thirty."""

import datetime as dt
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from marketplace.booking import views
from marketplace.models import ScheduleEntry, SessionStatus
from marketplace.roles import Role
from tests.factories import (
    BookingFactory,
    OfferingFactory,
    PersonFactory,
    ProviderFactory,
    SchoolFactory,
    TermFactory,
    UserFactory,
)
from workflows.booking import BookingState

pytestmark = pytest.mark.django_db

ROW = re.compile(r'<tr class="session session--(\w+)" data-date="([\d-]+)"')


def school_days(first: dt.date, last: dt.date) -> list[dt.date]:
    days = (first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    return [d for d in days if d.isoweekday() <= 5]


def first_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    year, index = divmod(month.year * 12 + month.month - 1 + n, 12)
    return dt.date(year, index + 1, 1)


class District:
    """A vendor whose provider runs bookings at the schools of one coordinator; every
    booking meets on every weekday of the term. Past sessions are delivered, one in five
    future ones cancelled, the rest planned."""

    def __init__(self, term, schools=1):
        self.term = term
        self.vendor = UserFactory(groups=[Role.VENDOR])
        self.provider = ProviderFactory(owner=self.vendor, listed=True)
        self.person = PersonFactory(provider=self.provider)
        self.offering = OfferingFactory(provider=self.provider, verified=True)
        self.coordinator = UserFactory(groups=[Role.SCHOOL])
        self.schools = [SchoolFactory(coordinators=[self.coordinator]) for _ in range(schools)]
        self.bookings = []

    def book(self, school=None, state=BookingState.ACTIVE, days=None):
        school = school or self.schools[0]
        booking = BookingFactory(
            school=school, offering=self.offering, term=self.term, state=state,
            place=f"{school.name} 科技教室", first_date=self.term.starts_on,
            last_date=self.term.ends_on, requested_by=self.coordinator)
        today = timezone.localdate()
        ScheduleEntry.objects.bulk_create(
            ScheduleEntry(booking=booking, date=day, starts_at=dt.time(16, 0),
                          ends_at=dt.time(17, 0), content=self.offering.title,
                          venue=booking.place, form="进校服务", responsible=self.person,
                          status=SessionStatus.DELIVERED if day < today
                          else SessionStatus.CANCELLED if n % 5 == 0
                          else SessionStatus.PLANNED)
            for n, day in enumerate(days or school_days(self.term.starts_on,
                                                        self.term.ends_on)))
        self.bookings.append(booking)
        return booking


@pytest.fixture
def running_term():
    """A term that started two months ago and ends in three."""
    today = timezone.localdate()
    return TermFactory(name="本学期", starts_on=today - dt.timedelta(days=61),
                       ends_on=today + dt.timedelta(days=92))


def rows(response) -> list[tuple[str, dt.date]]:
    assert response.status_code == 200
    return [(status, dt.date.fromisoformat(day))
            for status, day in ROW.findall(response.content.decode())]


def dates(response) -> list[dt.date]:
    return [day for _status, day in rows(response)]


def link(response, testid: str) -> str | None:
    """The address of the link with ``data-testid=testid``, or None."""
    found = re.search(rf'<a href="([^"]*)"[^>]*data-testid="{testid}"',
                      response.content.decode())
    return unescape(found.group(1)) if found else None


def query(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def expected(district, first, last, **only) -> list[dt.date]:
    entries = ScheduleEntry.objects.filter(booking__in=district.bookings, date__gte=first,
                                           date__lte=last, **only)
    return sorted(entries.values_list("date", flat=True))


# --- months ---------------------------------------------------------------------------------
def test_the_list_opens_on_the_month_of_today_while_the_term_runs(client, running_term):
    district = District(running_term)
    district.book()
    client.force_login(district.coordinator)
    response = client.get(reverse("school:schedule"), {"view": "list"})
    month = first_of(timezone.localdate())
    following = add_months(month, 1)
    shown = dates(response)
    assert shown == expected(district, month, following - dt.timedelta(days=1))
    assert shown and {first_of(d) for d in shown} == {month}
    assert f'data-testid="month">{month.year}年{month.month}月<' in response.content.decode()


def test_before_its_first_day_the_list_opens_on_the_first_month_of_the_term(client):
    today = timezone.localdate()
    term = TermFactory(name="下学期", starts_on=today + dt.timedelta(days=40),
                       ends_on=today + dt.timedelta(days=160))
    district = District(term)
    district.book()
    client.force_login(district.coordinator)
    shown = dates(client.get(reverse("school:schedule"), {"view": "list"}))
    assert shown and {first_of(d) for d in shown} == {first_of(term.starts_on)}
    assert shown[0] == school_days(term.starts_on, term.ends_on)[0]


def test_previous_and_next_month_walk_the_whole_term_with_the_filters_kept(client,
                                                                          running_term):
    district = District(running_term, schools=2)
    kept = district.book(district.schools[0])
    district.book(district.schools[1])
    client.force_login(district.coordinator)
    filters = {"school": str(district.schools[0].pk), "status": SessionStatus.PLANNED}
    first_month = first_of(running_term.starts_on)
    url = reverse("school:schedule") + "?" + "&".join(
        f"{k}={v}" for k, v in {"view": "list", "month": f"{first_month:%Y-%m}",
                                **filters}.items())
    response = client.get(url)
    assert link(response, "previous-month") is None  # the term's first month
    seen, months = [], []
    while True:
        seen += rows(response)
        months.append(response.context["month"])
        following = link(response, "next-month")
        if following is None:
            break
        assert {k: query(following).get(k) for k in filters} == filters
        response = client.get(reverse("school:schedule") + following)
    last = first_of(running_term.ends_on)
    assert months[0] == first_month and months[-1] == last and len(months) == len(set(months))
    assert {status for status, _day in seen} == {SessionStatus.PLANNED}
    assert [day for _status, day in seen] == expected(
        district, running_term.starts_on, running_term.ends_on, booking=kept,
        status=SessionStatus.PLANNED)
    # And back again from the last month to the one before it, filters still kept.
    previous = link(response, "previous-month")
    assert {k: query(previous).get(k) for k in filters} == filters
    assert query(previous)["month"] == f"{add_months(last, -1):%Y-%m}"
    # Clearing the filters stays on the month.
    assert query(link(response, "clear-filters")) == {"view": "list", "month": f"{last:%Y-%m}"}


def test_the_month_picker_offers_the_months_of_the_term(client, running_term):
    district = District(running_term)
    district.book()
    client.force_login(district.coordinator)
    page = client.get(reverse("school:schedule"), {"view": "list"}).content.decode()
    offered = re.findall(r'<option value="(\d{4}-\d{2})"', page)
    month, months = first_of(running_term.starts_on), []
    while month <= running_term.ends_on:
        months.append(f"{month:%Y-%m}")
        month = add_months(month, 1)
    assert offered == months
    assert f'<option value="{timezone.localdate():%Y-%m}" selected>' in page


@pytest.mark.parametrize(("month", "shown"), [
    ("1999-01", "first"), ("2999-12", "last"), ("2026-13", "today"), ("garbage", "today"),
])
def test_a_month_outside_the_term_or_malformed_is_moved_into_it(client, running_term,
                                                               month, shown):
    district = District(running_term)
    district.book()
    client.force_login(district.coordinator)
    response = client.get(reverse("school:schedule"), {"view": "list", "month": month})
    wanted = {"first": running_term.starts_on, "last": running_term.ends_on,
              "today": timezone.localdate()}[shown]
    assert response.context["month"] == first_of(wanted)
    assert {first_of(d) for d in dates(response)} == {first_of(wanted)}


def test_filters_for_other_peoples_schools_or_bookings_show_nothing_of_theirs(client,
                                                                            running_term):
    mine, theirs = District(running_term), District(running_term)
    mine.book()
    other = theirs.book()
    client.force_login(mine.coordinator)
    for asked in ({"school": theirs.schools[0].pk}, {"booking": other.pk},
                  {"status": "nonsense"}, {"school": "x"}):
        response = client.get(reverse("school:schedule"), {"view": "list", **asked})
        month = first_of(timezone.localdate())
        assert dates(response) == expected(mine, month, add_months(month, 1)
                                           - dt.timedelta(days=1)), asked
        assert response.context["filters"] == {}


def test_the_vendor_filters_by_school(client, running_term):
    district = District(running_term, schools=2)
    district.book(district.schools[0])
    second = district.book(district.schools[1])
    client.force_login(district.vendor)
    response = client.get(reverse("vendor:schedule"),
                          {"view": "list", "school": district.schools[1].pk})
    month = first_of(timezone.localdate())
    assert dates(response) == expected(district, month, add_months(month, 1)
                                       - dt.timedelta(days=1), booking=second)


# --- pages inside a crowded month --------------------------------------------------------
def test_a_crowded_month_is_split_into_pages_opening_on_the_page_of_today(client,
                                                                          running_term,
                                                                          monkeypatch):
    monkeypatch.setattr(views, "LIST_PAGE_SIZE", 4)
    district = District(running_term, schools=2)
    for school in district.schools:
        district.book(school)
    client.force_login(district.coordinator)
    today = timezone.localdate()
    month = first_of(today)
    everything = expected(district, month, add_months(month, 1) - dt.timedelta(days=1))
    response = client.get(reverse("school:schedule"), {"view": "list"})
    page = response.context["page_obj"]
    assert page.paginator.num_pages == -(-len(everything) // 4) > 1
    shown = dates(response)
    assert len(shown) <= 4
    upcoming = [d for d in everything if d >= today]
    if upcoming:  # the page holds the first session from today on
        assert upcoming[0] in shown and shown[0] <= upcoming[0]
    # Every page of the month, through the numbered links, filters kept.
    response = client.get(reverse("school:schedule"),
                          {"view": "list", "month": f"{month:%Y-%m}",
                           "school": district.schools[0].pk, "page": 1})
    urls = response.context["page_urls"]
    assert all(query(url)["school"] == str(district.schools[0].pk) for _n, url in urls)
    walked = []
    for _n, url in urls:
        walked += dates(client.get(reverse("school:schedule") + url))
    assert walked == expected(district, month, add_months(month, 1) - dt.timedelta(days=1),
                              booking__school=district.schools[0])
    # A page past the end is the last page, not an error.
    last = client.get(reverse("school:schedule"),
                      {"view": "list", "month": f"{month:%Y-%m}", "page": 999})
    assert last.context["page_obj"].number == last.context["page_obj"].paginator.num_pages


# --- the cost of a page ---------------------------------------------------------------
def count_queries(client, url, params) -> int:
    client.get(url, params)  # warm: the session, the content types
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("side", ["school", "vendor"])
def test_the_schedule_takes_as_many_queries_for_thirty_bookings_as_for_one(client,
                                                                           running_term,
                                                                           side):
    small, large = District(running_term), District(running_term, schools=3)
    small.book()
    for n in range(30):
        large.book(large.schools[n % 3], state=BookingState.ACTIVE if n % 7
                   else BookingState.CANCELLED)
    url = reverse(f"{side}:schedule")
    month = f"{first_of(running_term.starts_on):%Y-%m}"
    variants = [{}, {"view": "list"}, {"view": "list", "month": month},
                {"view": "list", "status": SessionStatus.PLANNED, "page": "2"},
                {"view": "list", "month": month, "booking": "{booking}",
                 "school": "{school}"}]
    for params in variants:
        counts = []
        for district in (small, large):
            user = district.coordinator if side == "school" else district.vendor
            client.force_login(user)
            filled = {k: v.format(booking=district.bookings[0].pk,
                                  school=district.schools[0].pk) for k, v in params.items()}
            counts.append(count_queries(client, url, filled))
        assert counts[0] == counts[1], (params, counts)


def test_the_list_of_ten_schools_stays_small(client, running_term):
    district = District(running_term, schools=10)
    for school in district.schools:
        for _ in range(3):
            district.book(school)
    client.force_login(district.coordinator)
    response = client.get(reverse("school:schedule"), {"view": "list"})
    month = first_of(timezone.localdate())
    in_month = expected(district, month, add_months(month, 1) - dt.timedelta(days=1))
    shown = dates(response)
    assert shown and set(shown) <= set(in_month) and len(shown) <= 200
    assert len(response.content) < 250_000
