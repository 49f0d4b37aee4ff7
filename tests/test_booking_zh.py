"""The booking screens in Simplified Chinese: a coordinator and a vendor who open the
offering page, the booking form with its refusals, a booking at each step, a session, the
term schedule and the inbox read no untranslated English."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from marketplace.booking import services
from marketplace.booking.agreements import sign_service_agreement
from marketplace.choices import SignatureParty
from marketplace.models import Booking, ScheduleEntry
from tests.test_booking import TUE, World, agreed
from tests.test_booking_views import form_data
from tests.untranslated import english_in_html

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_immediately")]


# Names a Chinese interface keeps as they are: the spreadsheet format offered for
# download, a calendar program named as an example, and what a signature records (the
# IP address, the SHA-256 digest).
KEPT_NAMES = {"Excel", "Outlook", "IP", "SHA"}


def user_data(world) -> frozenset[str]:
    """What people typed or the system named rather than the interface's words: account
    names and addresses; and names kept in Latin letters."""
    data = {"localhost", "testserver", *KEPT_NAMES}
    for user in (world.vendor, world.coordinator):
        data |= {user.username, user.email}
    return frozenset(data)


def english(client, world, url, data=None) -> list[str]:
    response = (client.post(url, data, follow=True) if data is not None
                else client.get(url, follow=True))
    assert response.status_code == 200, url
    return english_in_html(response.content.decode(), user_data(world))


def report(found: dict[str, list[str]]) -> str:
    lines = ["untranslated texts:"]
    for url, texts in found.items():
        lines += [url] + [f"    {text}" for text in dict.fromkeys(texts)]
    return "\n".join(lines)


def check(screens, client, world):
    found = {}
    for screen in screens:
        url, data = (screen, None) if isinstance(screen, str) else screen
        texts = english(client, world, url, data)
        if texts:
            found[url + (" (POST)" if data is not None else "")] = texts
    assert not found, report(found)


def test_the_offering_page_and_the_refused_booking_form_read_in_chinese(client):
    world = World()
    taken = agreed(world)  # holds the venue on Tuesdays 16:00–17:00
    offering_url = reverse("offering", args=[world.offering.pk])
    book_url = reverse("school:book", args=[world.offering.pk])
    check([offering_url], client, world)  # anonymous: the log-in hint
    client.force_login(world.coordinator)
    late = form_data(world, **{"slot-0-starts_at": "18:00", "slot-0-ends_at": "19:30",
                               "slot-2-weekday": 5})  # a slot without its times
    clash = form_data(world, **{"slot-1-weekday": "", "slot-1-starts_at": "",
                                "slot-1-ends_at": ""})
    outside = form_data(world, grade_from=1, student_count=80, delivery="at_venue",
                        first_date=(world.term.starts_on - dt.timedelta(days=30)).isoformat())
    check([offering_url, book_url, (book_url, late), (book_url, clash),
           (book_url, outside), reverse("school:home")], client, world)
    # The refusals were in Chinese, not merely absent.
    page = client.post(book_url, clash).content.decode()
    assert "科技教室" in page and "已被预约" in page and taken.offering.title in page
    page = client.post(book_url, late).content.decode()
    assert "18:30 前结束" in page and 'value="19:30"' in page
    assert Booking.objects.count() == 1


def test_a_booking_at_each_step_reads_in_chinese_to_both_sides(client):
    world = World()
    booking = world.book(note="四年级兴趣班")
    school_url = reverse("school:booking", args=[booking.pk])
    vendor_url = reverse("vendor:booking", args=[booking.pk])
    inbox = reverse("vendor:bookings")

    # Requested: the vendor's inbox, the accept form refused without a person.
    client.force_login(world.vendor)
    check([inbox, inbox + "?state=requested", vendor_url,
           (vendor_url, {"state": "requested", "comment": "x"})], client, world)
    client.force_login(world.coordinator)
    check([school_url], client, world)

    # Accepted, the agreement ready: the vendor signs (refused once without consent).
    services.accept_booking(booking, by=world.vendor, people=world.people)
    contract = booking.service_agreement()
    assert contract.pdf
    client.force_login(world.vendor)
    check([vendor_url, (reverse("vendor:booking_sign", args=[booking.pk]),
                        {"typed_name": "王建华"})], client, world)
    sign_service_agreement(contract, by=world.vendor, party=SignatureParty.VENDOR,
                           typed_name="王建华", consent=True, ip_address="10.0.0.1")
    client.force_login(world.coordinator)
    check([school_url], client, world)
    sign_service_agreement(contract, by=world.coordinator, party=SignatureParty.SCHOOL,
                           typed_name="赵丽", consent=True, ip_address="10.0.0.2")

    # Agreed, with sessions cancelled and delivered: both sides and the timeline.
    booking.refresh_from_db()
    first, second = booking.schedule.order_by("date")[:2]
    ScheduleEntry.objects.filter(pk=first.pk).update(date=timezone.localdate())
    client.force_login(world.coordinator)
    session_url = reverse("school:session", args=[second.pk])
    today_url = reverse("school:session", args=[first.pk])
    check([(session_url, {"action": "cancel", "cancel-reason": ""}),  # refused: no reason
           (session_url, {"action": "move", "move-reason": "运动会"}),  # refused: no date
           (session_url, {"action": "cancel", "cancel-reason": "学校活动"}),
           (today_url, {"action": "delivered"}), today_url,
           reverse("school:session", args=[booking.schedule.order_by("date")[2].pk]),
           school_url], client, world)
    client.force_login(world.vendor)
    check([vendor_url, inbox], client, world)


def test_the_term_schedule_reads_in_chinese_by_week_and_for_the_whole_term(client):
    world = World()
    booking = agreed(world)
    first = booking.schedule.order_by("date").first()
    assert first.date.isoweekday() == TUE
    week = reverse("school:schedule") + f"?week={first.date:%Y-%m-%d}"
    client.force_login(world.coordinator)
    check([week, reverse("school:schedule") + "?view=list", reverse("school:schedule"),
           reverse("calendar_feed_page")], client, world)
    client.force_login(world.vendor)
    check([reverse("vendor:schedule") + f"?week={first.date:%Y-%m-%d}",
           reverse("vendor:schedule") + "?view=list"], client, world)
