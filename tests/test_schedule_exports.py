"""The term schedule as PDF, Excel and iCalendar (marketplace.booking.exports), their
downloads and the private calendar feed (marketplace.booking.export_views).

Each user gets the sessions of their own schools or providers only, and no export
carries an identity number or a phone number.
"""

import datetime as dt
import io
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from openpyxl import load_workbook
from pypdf import PdfReader

from marketplace.booking.exports import schedule_ics, schedule_pdf, schedule_xlsx, uid_host
from marketplace.booking.schedule import sessions_for
from marketplace.models import Booking, CalendarFeed, SessionStatus
from marketplace.roles import Role
from tests.factories import (
    BookingFactory,
    OfferingFactory,
    PersonFactory,
    ProviderFactory,
    ScheduleEntryFactory,
    SchoolFactory,
    TermFactory,
    UserFactory,
)
from workflows.booking import BookingState

pytestmark = pytest.mark.django_db

FULL_ID = "11010519491231002X"
PHONE = "13912345678"


def _tuesday() -> dt.date:
    """A Tuesday some weeks ago: the sessions lie in the feed's window whenever this runs."""
    base = timezone.localdate() - dt.timedelta(days=60)
    return base + dt.timedelta(days=(1 - base.weekday()) % 7)


TUESDAY = _tuesday()


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "".join("".join(page.extract_text() for page in reader.pages).split())


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def browser(user=None, **kwargs) -> Client:
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


class World:
    pass


@pytest.fixture
def world():
    """滨江区实验小学 (coordinator ``coordinator``) books 少儿机器人搭建 of 青苗 (vendor
    ``vendor``) and 校园足球 of 远山 (another vendor); 滨江区第二小学 books 趣味天文观测
    of 青苗."""
    w = World()
    w.vendor = UserFactory(groups=[Role.VENDOR])
    qingmiao = ProviderFactory(owner=w.vendor, listed=True, name="滨江区青苗科技培训学校")
    w.other_vendor = UserFactory(groups=[Role.VENDOR])
    yuanshan = ProviderFactory(owner=w.other_vendor, listed=True, name="滨江区远山体育俱乐部")
    w.coordinator = UserFactory(groups=[Role.SCHOOL])
    school_a = SchoolFactory(name="滨江区实验小学", coordinators=[w.coordinator])
    w.other_coordinator = UserFactory(groups=[Role.SCHOOL])
    school_b = SchoolFactory(name="滨江区第二小学", coordinators=[w.other_coordinator])
    today = timezone.localdate()
    w.autumn = TermFactory(name="本学期", starts_on=today - dt.timedelta(days=90),
                           ends_on=today + dt.timedelta(days=60))
    w.spring = TermFactory(name="下学期", starts_on=today + dt.timedelta(days=90),
                           ends_on=today + dt.timedelta(days=240))
    teacher = PersonFactory(provider=qingmiao, full_name="陈晓燕", id_number=FULL_ID,
                            phone=PHONE)

    def booking(school, provider, title, term, state=BookingState.AGREED):
        return BookingFactory(
            school=school, term=term, state=state, place=f"{school.name} 多功能教室",
            offering=OfferingFactory(provider=provider, title=title, verified=True),
            first_date=term.starts_on, last_date=term.ends_on)

    w.robots = booking(school_a, qingmiao, "少儿机器人搭建", w.autumn)
    w.stars = booking(school_b, qingmiao, "趣味天文观测", w.autumn)
    w.football = booking(school_a, yuanshan, "校园足球", w.spring)
    w.requested = booking(school_a, qingmiao, "尚未签约的课程", w.autumn,
                          state=BookingState.REQUESTED)

    def session(booking, date, **kwargs):
        kwargs.setdefault("responsible", teacher if booking.offering.provider == qingmiao
                          else PersonFactory(provider=booking.offering.provider))
        return ScheduleEntryFactory(booking=booking, date=date,
                                    content=kwargs.pop("content", booking.offering.title),
                                    **kwargs)

    week = dt.timedelta(days=7)
    w.planned = session(w.robots, TUESDAY, content="第1课：认识机器人")
    w.delivered = session(w.robots, TUESDAY + week, content="第2课：底盘结构",
                          status=SessionStatus.DELIVERED)
    w.cancelled = session(w.robots, TUESDAY + 2 * week, content="第3课：已取消的一课",
                          status=SessionStatus.CANCELLED, status_reason="学校运动会")
    w.other_school = session(w.stars, TUESDAY + dt.timedelta(days=1),
                             content="第二小学的观星课")
    w.football_session = session(w.football, w.spring.starts_on + week, content="足球基本功")
    w.not_agreed = session(w.requested, TUESDAY + dt.timedelta(days=2), content="未签约的一课")
    return w


def robots_sessions(w):
    return sessions_for(Booking.objects.filter(pk=w.robots.pk))


# --- the files ----------------------------------------------------------------------------
def test_schedule_pdf_is_a_landscape_table_of_the_sessions(world):
    data = schedule_pdf(robots_sessions(world), title="滨江区实验小学课后服务排片表",
                        subtitle="本学期", bureau_name="滨江区教育局")

    page = PdfReader(io.BytesIO(data)).pages[0]
    assert page.mediabox.width > page.mediabox.height  # A4 landscape
    text = pdf_text(data)
    for phrase in ("滨江区教育局", "滨江区实验小学课后服务排片表", "本学期",
                   f"{TUESDAY:%Y-%m-%d}", "星期二", "15:40", "16:40", "第1课：认识机器人",
                   "第2课：底盘结构", "第3课：已取消的一课", "学校运动会", "陈晓燕",
                   "滨江区实验小学多功能教室", "滨江区青苗科技培训学校"):
        assert phrase in text, phrase
    assert FULL_ID not in text and PHONE not in text


def test_schedule_xlsx_has_a_header_frozen_panes_and_real_dates(world):
    data = schedule_xlsx(robots_sessions(world), title="滨江区实验小学课后服务排片表")

    sheet = load_workbook(io.BytesIO(data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "滨江区实验小学课后服务排片表"
    header_row = next(i for i, row in enumerate(values, start=1) if row[0] == "日期")
    assert sheet.freeze_panes == f"A{header_row + 1}"
    rows = values[header_row:]
    assert [row[0] for row in rows] == [
        dt.datetime.combine(TUESDAY + dt.timedelta(days=7 * n), dt.time()) for n in range(3)]
    assert rows[0][2] == dt.time(15, 40) and rows[0][3] == dt.time(16, 40)
    assert [row[6] for row in rows] == ["第1课：认识机器人", "第2课：底盘结构",
                                        "第3课：已取消的一课"]
    assert sheet.column_dimensions["G"].width >= 20
    flat = repr(values)
    assert FULL_ID not in flat and PHONE not in flat


def test_schedule_xlsx_keeps_typed_formulas_as_text(world):
    world.planned.content = "=HYPERLINK(\"http://example.com\")"
    world.planned.save()
    sheet = load_workbook(io.BytesIO(schedule_xlsx(robots_sessions(world), title="t"))).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value and
             str(c.value).startswith("=HYPERLINK")]
    assert cells and all(c.data_type == "s" for c in cells)


def test_schedule_ics_has_one_event_per_session_not_cancelled(world):
    data = schedule_ics(robots_sessions(world), name="课后服务排片表")

    calendar = Calendar.from_ical(data)
    events = list(calendar.walk("VEVENT"))
    assert {str(e["UID"]) for e in events} == {
        f"session-{world.planned.pk}@{uid_host()}", f"session-{world.delivered.pk}@{uid_host()}"}
    first = min(events, key=lambda e: e.decoded("DTSTART"))
    start, end = first.decoded("DTSTART"), first.decoded("DTEND")
    assert (start.replace(tzinfo=None), end.replace(tzinfo=None)) == (
        dt.datetime.combine(TUESDAY, dt.time(15, 40)),
        dt.datetime.combine(TUESDAY, dt.time(16, 40)))
    assert first["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert str(start.tzinfo) == "Asia/Shanghai"
    assert [c.name for c in calendar.walk("VTIMEZONE")] == ["VTIMEZONE"]
    assert str(first["SUMMARY"]) == "少儿机器人搭建"
    assert str(first["LOCATION"]) == "滨江区实验小学 多功能教室"
    description = str(first["DESCRIPTION"])
    assert "陈晓燕" in description and "滨江区实验小学" in description
    text = data.decode()
    assert "已取消的一课" not in text
    assert FULL_ID not in text and PHONE not in text


def test_a_moved_session_keeps_its_event_uid(world):
    before = Calendar.from_ical(schedule_ics(robots_sessions(world), name="x"))
    new_date = TUESDAY + dt.timedelta(days=1)
    world.planned.date, world.planned.moved_from = new_date, world.planned.date
    world.planned.save()
    after = Calendar.from_ical(schedule_ics(robots_sessions(world), name="x"))
    uid = f"session-{world.planned.pk}@{uid_host()}"
    moved = [e for e in after.walk("VEVENT") if str(e["UID"]) == uid]
    assert uid in {str(e["UID"]) for e in before.walk("VEVENT")}
    assert len(moved) == 1 and moved[0].decoded("DTSTART").date() == new_date


# --- downloads ----------------------------------------------------------------------------
def test_coordinator_downloads_only_their_own_schools_sessions(world):
    client = browser(world.coordinator)

    pdf = client.get(reverse("schedule_pdf_school"))
    xlsx = client.get(reverse("schedule_xlsx_school"))

    assert pdf.status_code == xlsx.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    for response in (pdf, xlsx):
        assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
        assert quote("课后服务排片表") in response["Content-Disposition"]
    text = pdf_text(body(pdf))
    sheet = repr([[c.value for c in row] for row in load_workbook(
        io.BytesIO(body(xlsx))).active.iter_rows()])
    for found in (text, sheet):
        for phrase in ("第1课：认识机器人", "第3课：已取消的一课", "足球基本功"):
            assert phrase in found, phrase
        for absent in ("第二小学的观星课", "滨江区第二小学", "未签约的一课", FULL_ID, PHONE):
            assert absent not in found, absent


def test_vendor_downloads_the_sessions_of_their_own_providers(world):
    client = browser(world.vendor)
    text = pdf_text(body(client.get(reverse("schedule_pdf_vendor"))))
    sheet = repr([[c.value for c in row] for row in load_workbook(io.BytesIO(body(
        client.get(reverse("schedule_xlsx_vendor"))))).active.iter_rows()])
    for found in (text, sheet):
        assert "第1课：认识机器人" in found and "第二小学的观星课" in found
        assert "足球基本功" not in found and "未签约的一课" not in found


def test_downloads_can_be_limited_to_one_term(world):
    client = browser(world.coordinator)
    text = pdf_text(body(client.get(reverse("schedule_pdf_school"),
                                    {"term": world.spring.pk})))
    assert "足球基本功" in text and "第1课：认识机器人" not in text
    assert "下学期" in text
    assert client.get(reverse("schedule_xlsx_school"), {"term": "abc"}).status_code == 404
    assert client.get(reverse("schedule_xlsx_school"), {"term": 999999}).status_code == 404


def test_downloads_need_the_matching_role(world):
    assert browser().get(reverse("schedule_pdf_school")).status_code == 302
    assert browser(world.vendor).get(reverse("schedule_pdf_school")).status_code == 403
    assert browser(world.coordinator).get(reverse("schedule_xlsx_vendor")).status_code == 403


def test_a_coordinator_without_sessions_gets_an_empty_schedule(world):
    lonely = UserFactory(groups=[Role.SCHOOL])
    SchoolFactory(name="滨江区第三小学", coordinators=[lonely])
    response = browser(lonely).get(reverse("schedule_pdf_school"))
    assert response.status_code == 200
    text = pdf_text(body(response))
    assert "滨江区第三小学" in text and "认识机器人" not in text


# --- the calendar feed --------------------------------------------------------------------
def feed_of(user) -> str:
    return reverse("calendar_feed", args=[CalendarFeed.objects.create(user=user).token])


def uids(response) -> set[str]:
    return {str(e["UID"]).split("@")[0] for e in Calendar.from_ical(body(response))
            .walk("VEVENT")}


def test_coordinator_feed_holds_their_schools_sessions_only(world):
    response = browser().get(feed_of(world.coordinator))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert uids(response) == {f"session-{s.pk}" for s in (world.planned, world.delivered,
                                                           world.football_session)}


def test_vendor_feed_holds_their_providers_sessions_only(world):
    response = browser().get(feed_of(world.vendor))
    assert uids(response) == {f"session-{s.pk}" for s in (world.planned, world.delivered,
                                                           world.other_school)}


def test_unknown_feed_token_is_not_found(world):
    assert browser().get(reverse("calendar_feed", args=["not-a-token"])).status_code == 404


def test_feed_of_a_user_who_lost_the_role_or_the_account_is_not_found(world):
    url = feed_of(world.coordinator)
    world.coordinator.groups.clear()
    assert browser().get(url).status_code == 404
    url = feed_of(world.vendor)
    world.vendor.is_active = False
    world.vendor.save()
    assert browser().get(url).status_code == 404


def test_renewing_the_feed_makes_the_old_address_not_found(world):
    client = browser(world.coordinator)
    renew = reverse("calendar_feed_renew_school")

    response = client.post(renew, HTTP_REFERER="http://testserver/school/")
    assert (response.status_code, response["Location"]) == (302, "http://testserver/school/")
    old = CalendarFeed.objects.get(user=world.coordinator).token
    assert client.get(reverse("calendar_feed", args=[old])).status_code == 200

    response = client.post(renew, {"next": "https://evil.example.com/"})
    assert response.status_code == 302 and "evil" not in response["Location"]
    new = CalendarFeed.objects.get(user=world.coordinator).token
    assert new != old
    assert client.get(reverse("calendar_feed", args=[old])).status_code == 404
    assert client.get(reverse("calendar_feed", args=[new])).status_code == 200


def test_renewing_the_feed_needs_a_post_with_a_csrf_token_and_the_role(world):
    assert browser(world.vendor).get(reverse("calendar_feed_renew_vendor")).status_code == 405
    guarded = browser(world.vendor, enforce_csrf_checks=True)
    assert guarded.post(reverse("calendar_feed_renew_vendor")).status_code == 403
    assert not CalendarFeed.objects.filter(user=world.vendor).exists()
    assert browser(world.vendor).post(reverse("calendar_feed_renew_school")).status_code == 403
    response = browser(world.vendor).post(reverse("calendar_feed_renew_vendor"))
    assert response.status_code == 302
    assert CalendarFeed.objects.filter(user=world.vendor).exists()


def test_feed_page_shows_the_address_after_it_was_made(world):
    client = browser(world.coordinator)
    page = reverse("calendar_feed_page")

    first = client.get(page)
    assert first.status_code == 200 and "no-store" in first["Cache-Control"]
    assert 'data-testid="feed-address"' not in first.content.decode()
    assert reverse("calendar_feed_renew_school") in first.content.decode()

    response = client.post(reverse("calendar_feed_renew_school"), {"next": page})
    assert response["Location"] == page
    token = CalendarFeed.objects.get(user=world.coordinator).token
    assert f"http://testserver/calendar/{token}.ics" in client.get(page).content.decode()
    assert reverse("calendar_feed_renew_vendor") in browser(world.vendor).get(
        page).content.decode()


def test_feed_page_is_for_coordinators_and_vendors(world):
    assert browser().get(reverse("calendar_feed_page")).status_code == 302
    assert browser(UserFactory(groups=[Role.REVIEWER])).get(
        reverse("calendar_feed_page")).status_code == 403
