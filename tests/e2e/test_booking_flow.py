"""School booking in a browser, at phone and desktop width: a coordinator finds an offering
in the catalogue and books two weekly slots (a slot ending at 19:30 and a venue already
taken are refused, with everything typed kept); the provider accepts with a cleared person
and signs the service agreement; the school signs; the term schedule, listed month by
month, leaves out the days without school; the schedule downloads as PDF, Excel and
iCalendar; one session is cancelled, one delivered, and the booking's fee follows."""

import datetime as dt
import io
import os
import re
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pytest
from django.utils import timezone
from icalendar import Calendar
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from cms.publishing import sync_provider_page
from marketplace.booking import calendar, services
from marketplace.booking.clashes import Slot
from marketplace.choices import Delivery, SchoolLevel
from marketplace.models import Booking, DayOff, ScheduleEntry, Venue
from marketplace.roles import Role
from tests.e2e.helpers import account, log_in
from tests.factories import (
    BackgroundCheckFactory,
    OfferingFactory,
    PersonFactory,
    ProviderFactory,
    SchoolFactory,
    TermFactory,
)
from workflows.booking import BookingState

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TUE, WED, THU = 2, 3, 4
PHONE, DESKTOP = 390, 1280
NOTE = "四年级科技兴趣班，请带机器人套件"


def next_monday(after: dt.date) -> dt.date:
    return after + dt.timedelta(days=7 - after.weekday())


@pytest.fixture
def market():
    """A listed provider with one cleared and one unchecked person and a verified
    offering; a primary school whose science room another provider already holds on
    Wednesdays 16:00–17:00; a term from next Monday for 13 weeks, with a local day off on
    its second Tuesday."""
    vendor = account(Role.VENDOR)
    provider = ProviderFactory(owner=vendor, listed=True, name="滨江区青苗科技培训学校")
    cleared = PersonFactory(provider=provider, full_name="陈晓燕")
    BackgroundCheckFactory(person=cleared, checked_on=timezone.localdate())
    PersonFactory(provider=provider, full_name="周立")  # no background check yet
    offering = OfferingFactory(provider=provider, verified=True, title="少儿机器人搭建",
                               grade_from=3, grade_to=6, capacity=30,
                               price_per_session=Decimal("150"), delivery=Delivery.IN_SCHOOL)
    sync_provider_page(provider)

    coordinator = account(Role.SCHOOL)
    coordinator.first_name, coordinator.last_name = "赵丽", ""
    coordinator.save()
    school = SchoolFactory(name="滨江区实验小学", level=SchoolLevel.PRIMARY,
                           coordinators=[coordinator])
    venue = Venue.objects.create(school=school, name="科技教室", capacity=40)
    start = next_monday(timezone.localdate())
    term = TermFactory(name="本学期", starts_on=start, ends_on=start + dt.timedelta(days=90))
    day_off = DayOff.objects.create(date=start + dt.timedelta(days=8), name="校运动会",
                                    school=school)

    other = ProviderFactory(listed=True, name="滨江区启航艺术中心")
    BackgroundCheckFactory(person=PersonFactory(provider=other),
                           checked_on=timezone.localdate())
    other_offering = OfferingFactory(provider=other, verified=True, title="合唱团训练",
                                     grade_from=1, grade_to=6)
    services.request_booking(services.Request(
        school=school, offering=other_offering, term=term, grade_from=3, grade_to=4,
        student_count=20, price_per_session=other_offering.price_per_session,
        first_date=term.starts_on, last_date=term.ends_on,
        slots=[Slot(WED, dt.time(16, 0), dt.time(17, 0))], venue=venue), by=coordinator)
    return {"vendor": vendor, "provider": provider, "cleared": cleared, "offering": offering,
            "coordinator": coordinator, "school": school, "venue": venue, "term": term,
            "day_off": day_off, "other_offering": other_offering}


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where screenshots go: E2E_SCREENSHOT_DIR if set (to look at them), else the
    test's own folder."""
    folder = Path(os.environ.get("E2E_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sign_in(page, base, user):
    page.context.clear_cookies()
    log_in(page, base, user)
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def fits(page, width):
    """Nothing on the page is wider than the window: wide tables scroll in their box."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def box(page, selector) -> dict:
    return page.locator(selector).bounding_box()


def one_row(boxes) -> bool:
    return len({round(b["y"]) for b in boxes}) == 1


def slots_laid_out(page, width):
    """A slot's times are wide enough to read and side by side (on a desktop with the
    weekday too)."""
    weekday, starts, ends = (box(page, f"#id_slot-0-{name}")
                             for name in ("weekday", "starts_at", "ends_at"))
    assert starts["width"] >= 140 and ends["width"] >= 140
    assert one_row([starts, ends]) and ends["x"] + ends["width"] <= width
    assert one_row([weekday, starts, ends]) == (width == DESKTOP)


def week_laid_out(page, width):
    """The seven days side by side on a desktop, one under the other on a phone."""
    days = page.locator(".week-grid__day")
    expect(days).to_have_count(7)
    boxes = [days.nth(i).bounding_box() for i in range(7)]
    if width == DESKTOP:
        assert one_row(boxes)
    else:
        assert all(b["y"] >= a["y"] + a["height"] for a, b in pairwise(boxes))
        assert all(b["x"] >= 0 and b["x"] + b["width"] <= width for b in boxes)


def fill_slot(page, index, weekday, starts, ends):
    page.select_option(f"#id_slot-{index}-weekday", str(weekday))
    page.fill(f"#id_slot-{index}-starts_at", starts)
    page.fill(f"#id_slot-{index}-ends_at", ends)


def expect_kept(page, market):
    """What the coordinator typed is still in the form after a refusal."""
    expect(page.locator("#id_venue")).to_have_value(str(market["venue"].pk))
    expect(page.locator("#id_note")).to_have_value(NOTE)
    expect(page.locator("#id_student_count")).to_have_value("28")
    expect(page.locator("#id_slot-0-weekday")).to_have_value(str(TUE))
    expect(page.locator("#id_slot-0-starts_at")).to_have_value("16:00")
    expect(page.locator("#id_slot-0-ends_at")).to_have_value("17:00")


def month_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first day of each month from ``first`` to ``last``."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def download(page, link):
    with page.expect_download() as info:
        link.click()
    return Path(info.value.path()).read_bytes()


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_a_school_books_both_sign_and_the_term_schedule_runs(page, live_server, market,
                                                              shots, width):
    base = live_server.url
    page.set_viewport_size({"width": width, "height": 900})
    offering, school, term = market["offering"], market["school"], market["term"]

    # The coordinator finds the offering in the catalogue and opens its page.
    sign_in(page, base, market["coordinator"])
    page.goto(f"{base}/school/")
    page.get_by_test_id("browse").click()
    page.locator(".catalogue-item").get_by_role("link", name=offering.title).click()
    expect(page.locator("h1")).to_have_text(offering.title)
    page.get_by_test_id("book").click()
    expect(page.locator("h1")).to_contain_text(offering.title)
    assert page.url.endswith(f"/school/book/{offering.pk}/")

    # Two weekly slots, the second ending at 19:30: refused, everything typed kept.
    page.select_option("#id_venue", str(market["venue"].pk))
    page.fill("#id_student_count", "28")
    page.fill("#id_note", NOTE)
    fill_slot(page, 0, TUE, "16:00", "17:00")
    fill_slot(page, 1, THU, "18:00", "19:30")
    page.get_by_role("button", name="提交预约申请").click()
    errors = page.get_by_test_id("slot-errors")
    expect(errors).to_contain_text("星期四 18:00–19:30")
    expect(errors).to_contain_text("须在 18:30 前结束")
    expect_kept(page, market)
    expect(page.locator("#id_slot-1-ends_at")).to_have_value("19:30")
    page.screenshot(path=str(shots / f"booking-form-{width}.png"), full_page=True)
    fits(page, width)
    slots_laid_out(page, width)

    # Wednesday afternoon: the science room is already booked by another provider.
    fill_slot(page, 1, WED, "16:30", "17:30")
    page.get_by_role("button", name="提交预约申请").click()
    expect(errors).to_contain_text("科技教室在星期三 16:30–17:30已被预约")
    expect(errors).to_contain_text(market["other_offering"].title)
    expect_kept(page, market)
    expect(page.locator("#id_slot-1-weekday")).to_have_value(str(WED))

    # Thursday afternoon is free: the request is sent.
    fill_slot(page, 1, THU, "16:00", "17:00")
    page.get_by_role("button", name="提交预约申请").click()
    expect(page.locator(".message--success")).to_contain_text("预约申请已提交")
    booking = Booking.objects.get(offering=offering)
    assert page.url.endswith(f"/school/bookings/{booking.pk}/")
    expect(page.get_by_test_id("booking-state")).to_have_text("已申请")
    assert booking.note == NOTE and booking.student_count == 28
    assert [str(s) for s in booking.slots.all()] == ["星期二 16:00–17:00", "星期四 16:00–17:00"]

    # The provider accepts with its cleared person and signs the agreement.
    sign_in(page, base, market["vendor"])
    page.goto(f"{base}/vendor/bookings/")
    page.locator(f"[data-booking='{booking.pk}'] h2 a").click()
    page.screenshot(path=str(shots / f"vendor-booking-{width}.png"), full_page=True)
    fits(page, width)
    page.get_by_label(market["cleared"].full_name).check()
    page.get_by_test_id("accept").click()
    expect(page.locator(".message--success")).to_contain_text("已接受")
    expect(page.get_by_test_id("booking-state")).to_have_text("已接受")
    expect(page.get_by_role("link", name="打开协议（PDF，新标签页）")).to_be_visible()
    page.fill("#id_typed_name", "王建华")
    page.check("#id_consent")
    page.get_by_test_id("sign").click()
    expect(page.locator(".message--success")).to_contain_text("您已签署服务协议")
    agreement = page.locator(".panel").filter(has=page.get_by_role("heading", name="服务协议"))
    expect(agreement).to_contain_text("王建华")

    # The school signs: the booking is agreed and its sessions are made.
    sign_in(page, base, market["coordinator"])
    page.goto(f"{base}/school/bookings/{booking.pk}/")
    page.fill("#id_typed_name", "赵丽")
    page.check("#id_consent")
    page.get_by_test_id("sign").click()
    expect(page.get_by_test_id("booking-state")).to_have_text("协议已签署")
    booking.refresh_from_db()
    assert booking.state == BookingState.AGREED
    expect(page.get_by_test_id("amount-due")).to_have_text("0.00元")

    # The term schedule: every Tuesday and Thursday with school, no day off.
    expected = sorted(calendar.session_dates(school, booking.first_date, booking.last_date, TUE)
                      + calendar.session_dates(school, booking.first_date, booking.last_date,
                                               THU))
    skipped = [day for day, _name in calendar.skipped_days(school, term.starts_on, term.ends_on)
               if day.isoweekday() in (TUE, THU)]
    assert market["day_off"].date in skipped and expected
    # The list shows one month at a time: before the term it opens on the term's first
    # month; "next month" walks the rest of the term.
    page.goto(f"{base}/school/schedule/?view=list")
    months = month_starts(term.starts_on, term.ends_on)
    shown = []
    for n, month in enumerate(months):
        expect(page.get_by_test_id("month")).to_have_text(f"{month.year}年{month.month}月")
        in_month = [d for d in expected if (d.year, d.month) == (month.year, month.month)]
        rows = page.locator("tr.session")
        expect(rows).to_have_count(len(in_month))
        shown += [dt.date.fromisoformat(d) for d in rows.evaluate_all(
            "rows => rows.map(r => r.dataset.date)")]
        if n == 0:
            page.screenshot(path=str(shots / f"schedule-list-{width}.png"), full_page=True)
            fits(page, width)
        if n + 1 < len(months):
            page.get_by_test_id("next-month").click()
    expect(page.get_by_test_id("next-month")).to_have_count(0)
    assert shown == expected
    assert not set(skipped) & set(shown)
    # The month picker jumps straight to a month and keeps the status chosen.
    filters = page.get_by_test_id("schedule-filters")
    filters.locator("#id_month").select_option(f"{months[0]:%Y-%m}")
    filters.locator("#id_status").select_option("planned")
    filters.get_by_role("button", name="查看").click()
    expect(page.get_by_test_id("month")).to_have_text(f"{months[0].year}年{months[0].month}月")
    expect(page.locator("tr.session")).to_have_count(
        len([d for d in expected if (d.year, d.month) == (months[0].year, months[0].month)]))
    expect(page.get_by_test_id("next-month")).to_have_attribute(
        "href", re.compile(r"status=planned"))
    day_off = market["day_off"].date
    page.goto(f"{base}/school/schedule/?week={day_off:%Y-%m-%d}")
    grid = page.get_by_test_id("week-grid")
    monday = day_off - dt.timedelta(days=day_off.weekday())
    that_week = [d for d in expected if monday <= d < monday + dt.timedelta(days=7)]
    expect(grid.locator(".session-card")).to_have_count(len(that_week))
    expect(grid.locator(f"[data-date='{day_off:%Y-%m-%d}']")).to_have_count(0)
    if that_week:  # Thursday, unless a holiday falls on it too
        expect(grid.locator(".session-card").first).to_contain_text(offering.title)
    page.screenshot(path=str(shots / f"schedule-week-{width}.png"), full_page=True)
    fits(page, width)
    week_laid_out(page, width)

    # The downloads: PDF, Excel and the calendar feed hold the same sessions.
    downloads = page.get_by_test_id("downloads")
    text = "".join("".join((p.extract_text() or "").split()) for p in PdfReader(
        io.BytesIO(download(page, downloads.get_by_role("link", name="PDF")))).pages)
    assert offering.title in text and "陈晓燕" in text
    assert f"{expected[0]:%Y-%m-%d}" in text and f"{day_off:%Y-%m-%d}" not in text
    sheet = load_workbook(io.BytesIO(download(
        page, downloads.get_by_role("link", name="Excel")))).active
    dates = [row[0].date() if isinstance(row[0], dt.datetime) else row[0]
             for row in sheet.iter_rows(min_row=5, values_only=True) if row[0]]
    assert dates == expected
    downloads.get_by_role("link", name="日历订阅").click()
    page.get_by_test_id("renew-feed").click()
    address = page.get_by_test_id("feed-address").input_value()
    feed = page.request.get(address)
    assert feed.ok and feed.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(feed.body()).walk("VEVENT")
    assert sorted(e.decoded("dtstart").date() for e in events) == expected
    assert {str(e["summary"]) for e in events} == {offering.title}

    # One session is cancelled, one (moved to today) delivered; the fee follows.
    first, second = booking.schedule.order_by("date")[:2]
    page.goto(f"{base}/school/schedule/?view=list&month={second.date:%Y-%m}")
    page.locator(f"tr.session[data-date='{second.date:%Y-%m-%d}'] a").click()
    page.screenshot(path=str(shots / f"session-forms-{width}.png"), full_page=True)
    fits(page, width)
    cancel = page.locator("form:has(input[name=action][value=cancel])")
    cancel.locator("#id_cancel-reason").fill("学校期中考试")
    cancel.get_by_test_id("cancel-session").click()
    expect(page.get_by_test_id("session-status")).to_contain_text("已取消")
    expect(page.get_by_test_id("session-status")).to_contain_text("学校期中考试")
    page.screenshot(path=str(shots / f"session-{width}.png"), full_page=True)
    fits(page, width)
    ScheduleEntry.objects.filter(pk=first.pk).update(date=timezone.localdate())
    page.goto(f"{base}/school/sessions/{first.pk}/")
    page.get_by_test_id("delivered").click()
    expect(page.get_by_test_id("session-status")).to_contain_text("已完成")
    page.goto(f"{base}/school/bookings/{booking.pk}/")
    expect(page.get_by_test_id("amount-due")).to_have_text("150.00元")
    counts = page.get_by_test_id("session-counts")
    expect(counts).to_contain_text(f"共 {len(expected)} 课时")
    expect(counts).to_contain_text("已完成 1")
    expect(counts).to_contain_text("已取消 1")
    page.screenshot(path=str(shots / f"booking-{width}.png"), full_page=True)
    fits(page, width)
    page.goto(f"{base}/school/schedule/?view=list")
    expect(page.get_by_test_id("term-total")).to_have_text("150.00")
