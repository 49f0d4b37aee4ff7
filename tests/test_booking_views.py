"""The booking screens through HTTP: the offering page, the form that keeps what was
typed, the vendor's inbox and answer, the schedule and a session with its forms."""

import datetime as dt
import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from marketplace.booking import calendar, schedule
from marketplace.models import Booking, ScheduleEntry, SessionStatus
from tests.test_booking import TUE, World, agreed
from workflows.booking import BookingState

pytestmark = pytest.mark.django_db


def form_data(world, **overrides):
    data = {
        "school": world.school.pk, "term": world.term.pk, "grade_from": 3, "grade_to": 4,
        "student_count": 25, "delivery": "in_school", "venue": world.venue.pk,
        "price_per_session": "150", "first_date": world.term.starts_on.isoformat(),
        "last_date": world.term.ends_on.isoformat(), "note": "四年级兴趣班",
        "slot-TOTAL_FORMS": 3, "slot-INITIAL_FORMS": 0, "slot-MIN_NUM_FORMS": 0,
        "slot-MAX_NUM_FORMS": 5,
        "slot-0-weekday": TUE, "slot-0-starts_at": "16:00", "slot-0-ends_at": "17:00",
        "slot-1-weekday": 4, "slot-1-starts_at": "16:00", "slot-1-ends_at": "17:00",
    }
    data.update(overrides)
    return data


def test_the_offering_page_shows_the_book_button_to_a_coordinator_only(client):
    world = World()
    url = reverse("offering", args=[world.offering.pk])
    page = client.get(url).content.decode()
    assert world.offering.outline in page and 'data-testid="book"' not in page
    client.force_login(world.coordinator)
    assert 'data-testid="book"' in client.get(url).content.decode()


def test_a_refused_request_keeps_everything_typed(client):
    world = World()
    client.force_login(world.coordinator)
    response = client.post(reverse("school:book", args=[world.offering.pk]), form_data(
        world, **{"slot-1-starts_at": "18:00", "slot-1-ends_at": "19:30"}))
    page = response.content.decode()
    assert response.status_code == 200 and "18:30" in page
    assert "四年级兴趣班" in page and 'value="19:30"' in page
    assert not Booking.objects.exists()


def test_a_coordinator_books_and_the_vendor_accepts_through_the_screens(client):
    world = World()
    client.force_login(world.coordinator)
    response = client.post(reverse("school:book", args=[world.offering.pk]), form_data(world))
    booking = Booking.objects.get()
    assert response.url == reverse("school:booking", args=[booking.pk])
    assert booking.slots.count() == 2
    client.force_login(world.vendor)
    inbox = client.get(reverse("vendor:bookings")).content.decode()
    assert world.school.name in inbox
    client.post(reverse("vendor:booking", args=[booking.pk]),
                {"people": [world.people[0].pk], "state": "requested"})
    booking.refresh_from_db()
    assert booking.state == BookingState.ACCEPTED


def test_the_schedule_and_a_session_page_work_for_the_school(client):
    world = World()
    booking = agreed(world)
    client.force_login(world.coordinator)
    first = booking.schedule.order_by("date").first()
    page = client.get(reverse("school:schedule"), {"week": first.date.isoformat()})
    assert page.status_code == 200 and world.offering.title in page.content.decode()
    listing = client.get(reverse("school:schedule"),
                         {"view": "list", "month": f"{first.date:%Y-%m}"}).content.decode()
    assert first.date.strftime("%Y-%m-%d") in listing
    response = client.post(reverse("school:session", args=[first.pk]),
                           {"action": "cancel", "cancel-reason": "学校考试"})
    first.refresh_from_db()
    assert response.status_code == 302 and first.status == SessionStatus.CANCELLED
    home = client.get(reverse("school:home")).content.decode()
    assert world.offering.title in home


@pytest.mark.parametrize("who", ["anonymous", "other_coordinator", "other_vendor", "reviewer"])
def test_other_people_cannot_open_a_booking_or_its_sessions(client, who):
    from tests.factories import UserFactory

    world = World()
    booking = agreed(world)
    entry = booking.schedule.first()
    if who != "anonymous":
        group = {"other_coordinator": "school_coordinator", "other_vendor": "vendor",
                 "reviewer": "bureau_reviewer"}[who]
        client.force_login(UserFactory(groups=[group]))
    for url in (reverse("school:booking", args=[booking.pk]),
                reverse("school:session", args=[entry.pk]),
                reverse("vendor:booking", args=[booking.pk])):
        response = client.get(url)
        assert response.status_code in (302, 403), (url, response.status_code)
        if response.status_code == 302:
            assert "/accounts/login/" in response.url
    response = client.post(reverse("school:booking_cancel", args=[booking.pk]),
                           {"reason": "plan_changed"})
    assert response.status_code in (302, 403)
    booking.refresh_from_db()
    assert booking.state == BookingState.AGREED


def test_the_fee_total_counts_delivered_sessions(client):
    world = World()
    booking = agreed(world)
    entry = booking.schedule.order_by("date").first()
    type(entry).objects.filter(pk=entry.pk).update(date=timezone.localdate())
    client.force_login(world.coordinator)
    client.post(reverse("school:session", args=[entry.pk]), {"action": "delivered"})
    assert schedule.term_total(Booking.objects.all()) == booking.price_per_session
    page = client.get(reverse("school:booking", args=[booking.pk])).content.decode()
    assert 'data-testid="amount-due">150.00' in page.replace("元", "").replace(" yuan", "")


# --- the session page's forms ------------------------------------------------------------
class Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = []

    def handle_starttag(self, tag, attrs):
        self.ids += [value for name, value in attrs if name == "id"]


def ids_of(page: str) -> Counter:
    parser = Ids()
    parser.feed(page)
    return Counter(parser.ids)


def session_forms(page: str) -> dict[str, str]:
    """The HTML of each form on the session page, by the action it sends."""
    return {re.search(r'name="action" value="(\w+)"', form).group(1): form
            for form in re.findall(r"<form .*?</form>", page, flags=re.S)
            if 'name="action"' in form}


def today_session(world, booking):
    """The booking's first session, moved to today: every form is on its page."""
    entry = booking.schedule.order_by("date").first()
    ScheduleEntry.objects.filter(pk=entry.pk).update(date=timezone.localdate())
    entry.refresh_from_db()
    return entry


def school_day_after(day: dt.date, term) -> dt.date:
    day += dt.timedelta(days=1)
    while calendar.timetable_weekday(day) is None or day.isoweekday() == 2:
        day += dt.timedelta(days=1)
    assert day <= term.ends_on
    return day


def test_the_session_page_has_no_duplicate_ids(client):
    world = World()
    entry = today_session(world, agreed(world))
    client.force_login(world.coordinator)
    page = client.get(reverse("school:session", args=[entry.pk])).content.decode()
    assert set(session_forms(page)) == {"delivered", "not_delivered", "cancel", "move", "swap"}
    ids = ids_of(page)
    assert not [i for i, n in ids.items() if n > 1], ids
    assert {"id_not_delivered-reason", "id_cancel-reason", "id_move-reason", "id_swap-reason",
            "id_move-date", "id_swap-person"} <= set(ids)
    # Each label points at its own form's field.
    for action, form in session_forms(page).items():
        for target in re.findall(r'<label for="([^"]+)"', form):
            assert target.startswith(f"id_{action}-") and ids[target] == 1


def test_each_session_form_works_under_its_prefix(client):
    world = World(people=2)
    booking = agreed(world)
    client.force_login(world.coordinator)
    url = lambda entry: reverse("school:session", args=[entry.pk])  # noqa: E731
    entries = list(booking.schedule.order_by("date")[:4])
    today = timezone.localdate()
    ScheduleEntry.objects.filter(pk__in=[e.pk for e in entries[:2]]).update(date=today)

    first, second, third, fourth = entries
    response = client.post(url(first), {"action": "delivered"})
    assert response.status_code == 302
    response = client.post(url(second), {"action": "not_delivered",
                                         "not_delivered-reason": "老师生病"})
    assert response.status_code == 302
    response = client.post(url(third), {"action": "cancel", "cancel-reason": "学校考试"})
    assert response.status_code == 302
    new_date = school_day_after(fourth.date, world.term)
    response = client.post(url(fourth), {
        "action": "move", "move-date": new_date.isoformat(), "move-starts_at": "16:10",
        "move-ends_at": "17:10", "move-reason": "运动会调课"})
    assert response.status_code == 302
    fifth = booking.schedule.exclude(pk__in=[e.pk for e in entries]).order_by("date").first()
    other = world.people[1]
    response = client.post(url(fifth), {"action": "swap", "swap-person": other.pk,
                                        "swap-reason": "原老师外出培训"})
    assert response.status_code == 302
    for entry in (first, second, third, fourth, fifth):
        entry.refresh_from_db()
    assert (first.status, second.status, third.status) == (
        SessionStatus.DELIVERED, SessionStatus.NOT_DELIVERED, SessionStatus.CANCELLED)
    assert (second.status_reason, third.status_reason) == ("老师生病", "学校考试")
    assert (fourth.date, fourth.starts_at, fourth.status_reason) == (
        new_date, dt.time(16, 10), "运动会调课")
    assert (fifth.responsible, fifth.status_reason) == (other, "原老师外出培训")


def test_a_refused_session_form_shows_its_error_on_itself_and_keeps_what_was_typed(client):
    world = World()
    entry = today_session(world, agreed(world))
    client.force_login(world.coordinator)
    url = reverse("school:session", args=[entry.pk])
    outside = world.term.ends_on + dt.timedelta(days=3)

    # Refused by the schedule's rules: a date outside the term.
    response = client.post(url, {"action": "move", "move-date": outside.isoformat(),
                                 "move-starts_at": "16:10", "move-ends_at": "17:10",
                                 "move-reason": "运动会调课"})
    assert response.status_code == 200
    page = response.content.decode()
    forms = session_forms(page)
    assert "学期" in forms["move"] and "field__error" in forms["move"]
    assert f'value="{outside:%Y-%m-%d}"' in forms["move"]
    assert 'value="16:10"' in forms["move"] and 'value="17:10"' in forms["move"]
    assert 'value="运动会调课"' in forms["move"]
    assert all("field__error" not in html and "运动会调课" not in html
               for action, html in forms.items() if action != "move")

    # Refused by the form: no new date; and a cancel without a reason.
    response = client.post(url, {"action": "move", "move-reason": "运动会调课",
                                 "move-starts_at": "16:10"})
    forms = session_forms(response.content.decode())
    assert 'value="运动会调课"' in forms["move"] and 'value="16:10"' in forms["move"]
    assert "field__error" in forms["move"] and "field__error" not in forms["cancel"]
    response = client.post(url, {"action": "cancel", "cancel-reason": "  "})
    forms = session_forms(response.content.decode())
    assert "请填写原因" in forms["cancel"]
    assert all("field__error" not in html for action, html in forms.items()
               if action != "cancel")
    # Nothing was changed, and the page still has each id once.
    entry.refresh_from_db()
    assert (entry.status, entry.date) == (SessionStatus.PLANNED, timezone.localdate())
    assert not [i for i, n in ids_of(response.content.decode()).items() if n > 1]


def test_an_unprefixed_or_unknown_post_changes_nothing(client):
    world = World()
    entry = today_session(world, agreed(world))
    client.force_login(world.coordinator)
    url = reverse("school:session", args=[entry.pk])
    for data in ({"action": "cancel", "reason": "学校考试"}, {"action": "explode"}, {}):
        response = client.post(url, data)
        assert response.status_code == 200
        entry.refresh_from_db()
        assert entry.status == SessionStatus.PLANNED


# --- wording in Chinese ------------------------------------------------------------------
COORDINATOR_TEXTS = [
    "School coordinator", "after-school coordinators", "Invite coordinator",
    "Remove coordinator", "Coordinator's name", "Number of coordinators",
    "Coordinators of %(school)s", "This school has no coordinator yet.",
    "Coordinator invited: %(name)s", "Coordinator removed: %(name)s",
    "%(name)s is no longer a coordinator of %(school)s.",
    "School coordinators can book this offering after logging in.",
    "After-school coordinators: book approved providers and manage your term schedule.",
]


def test_the_chinese_interface_names_the_school_coordinator_one_way():
    with translation.override("zh-hans"):
        for text in COORDINATOR_TEXTS:
            translated = translation.gettext(text)
            assert "学校课后服务负责人" in translated and "协调员" not in translated, text


def test_the_number_of_sessions_reads_as_课次(client):
    world = World()
    booking = agreed(world)
    client.force_login(world.coordinator)
    page = client.get(reverse("school:booking", args=[booking.pk])).content.decode()
    assert "<dt>课次</dt>" in page and "次数" not in page
    page = client.get(reverse("school:schedule")).content.decode()
    assert "<th>课次</th>" in page
    page = client.get(reverse("school:schedule"), {"view": "list"}).content.decode()
    assert "课次：" in page
