"""The bureau's booking screens in the Wagtail admin ("预约"): the list of every booking
with its filters and search, one booking with what the bureau may know of it, and the
manager's cancellation of a booking through the workflow."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from marketplace.booking import services
from marketplace.booking.clashes import Slot
from marketplace.choices import ContractKind, ProviderKind, SignatureParty
from marketplace.models import Booking, ScheduleEntry, SessionStatus, Signature
from marketplace.roles import Role
from tests.factories import (
    BackgroundCheckFactory,
    BookingFactory,
    ContractFactory,
    OfferingFactory,
    PersonFactory,
    ProviderFactory,
    SchoolFactory,
    TermFactory,
    TownFactory,
    UserFactory,
)
from tests.test_booking import World, agreed
from tests.untranslated import english_in_html
from workflows.booking import BookingReason, BookingState
from workflows.models import TimelineEntry

pytestmark = pytest.mark.django_db

INDEX = reverse("bookings:index")


def browser(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def inspect_url(booking) -> str:
    return reverse("bookings:inspect", args=[booking.pk])


def cancel_url(booking) -> str:
    return reverse("bookings:cancel", args=[booking.pk])


def rows(page: str) -> list[str]:
    """The listing's table rows, in order."""
    table = page.split('<table class="listing', 1)[1]
    body = table.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr[\s\S]*?</tr>", body)


def sidebar_labels(client) -> str:
    body = client.get(reverse("wagtailadmin_home")).content.decode()
    props = body.split('id="wagtail-sidebar-props" type="application/json">')[1]
    return json.dumps(json.loads(props.split("</script>")[0]), ensure_ascii=False)


def set_state(booking, state) -> Booking:
    """Put a booking in ``state`` as the calendar would (the daily task's ``start`` and
    ``complete`` have no user to act as)."""
    Booking.objects.filter(pk=booking.pk).update(state=state)
    booking.refresh_from_db()
    return booking


@pytest.fixture
def manager():
    return UserFactory(groups=[Role.MANAGER], first_name="李主任")


@pytest.fixture
def reviewer():
    return UserFactory(groups=[Role.REVIEWER], first_name="赵科员")


@pytest.fixture
def world():
    return World()


@pytest.fixture
def active(world):
    """An active booking with a session delivered last week and the rest to come."""
    booking = set_state(agreed(world), BookingState.ACTIVE)
    first = booking.schedule.order_by("date").first()
    ScheduleEntry.objects.filter(pk=first.pk).update(
        date=timezone.localdate() - dt.timedelta(days=7), status=SessionStatus.DELIVERED)
    return booking


# --- who sees the screens ----------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.REVIEWER, Role.CHECK_OFFICER, Role.MANAGER])
def test_the_reviewing_and_overseeing_roles_have_the_bookings_menu_and_screens(role, active):
    client = browser(UserFactory(groups=[role]))
    labels = sidebar_labels(client)
    assert "预约" in labels and INDEX in labels
    assert client.get(INDEX).status_code == 200
    assert client.get(inspect_url(active)).status_code == 200


def test_the_editor_neither_sees_nor_opens_the_bookings(active):
    client = browser(UserFactory(groups=[Role.EDITOR]))
    assert INDEX not in sidebar_labels(client)
    for url in (INDEX, inspect_url(active)):
        assert client.get(url).status_code == 403, url
    assert client.post(cancel_url(active), {"reason": "service_problem"}).status_code == 403
    assert Booking.objects.get(pk=active.pk).state == BookingState.ACTIVE


@pytest.mark.parametrize("who", ["anonymous", Role.VENDOR, Role.SCHOOL])
def test_vendors_coordinators_and_visitors_are_sent_to_log_in(who, world, active):
    user = {"anonymous": None, Role.VENDOR: world.vendor,
            Role.SCHOOL: world.coordinator}[who]
    client = browser(user)
    for url in (INDEX, INDEX + "?q=编程", inspect_url(active)):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    response = client.post(cancel_url(active), {"reason": "service_problem",
                                                "expected_state": "active"})
    assert response.status_code == 302
    assert Booking.objects.get(pk=active.pk).state == BookingState.ACTIVE


def test_no_one_adds_edits_or_deletes_a_booking_in_the_admin(active):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client = browser(superuser)
    page = client.get(INDEX).content.decode()
    assert "/admin/bookings/new/" not in page
    for name in ("bookings:add", "bookings:edit", "bookings:delete", "bookings:history"):
        with pytest.raises(NoReverseMatch):
            reverse(name, args=[active.pk] if name != "bookings:add" else [])
    for url in ("/admin/bookings/new/", f"/admin/bookings/edit/{active.pk}/",
                f"/admin/bookings/delete/{active.pk}/"):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url
    inspect = client.get(inspect_url(active)).content.decode()
    assert "/edit/" not in inspect and "/delete/" not in inspect


# --- the list ----------------------------------------------------------------------------------
def test_the_list_shows_each_booking_newest_first_with_its_facts(manager, world, active):
    later = world.book(slots=[Slot(4, dt.time(16, 0), dt.time(17, 0))])
    Booking.objects.filter(pk=later.pk).update(
        created_at=active.created_at + dt.timedelta(hours=1))
    page = browser(manager).get(INDEX).content.decode()
    newest, oldest = rows(page)
    assert inspect_url(later) in newest and inspect_url(active) in oldest
    for text in (world.school.name, world.provider.name, world.offering.title,
                 world.term.name, "服务中",
                 f"{active.first_date:%Y-%m-%d} – {active.last_date:%Y-%m-%d}",
                 "每课时150.00元"):
        assert text in oldest, text
    assert re.search(r">\s*25\s*<", oldest)  # students
    assert "已申请" in newest


@pytest.fixture
def district():
    """Bookings across two towns, two terms, two schools, three states and two provider
    kinds."""
    east, west = TownFactory(name="东城街道"), TownFactory(name="西湖镇")
    autumn = TermFactory(name="2026学年第一学期", starts_on=dt.date(2026, 9, 1),
                         ends_on=dt.date(2027, 1, 22))
    spring = TermFactory(name="2026学年第二学期", starts_on=dt.date(2027, 2, 20),
                         ends_on=dt.date(2027, 7, 2))
    east_school = SchoolFactory(name="东城实验小学", town=east)
    west_school = SchoolFactory(name="西湖中心小学", town=west)
    institution = ProviderFactory(name="启航科技培训学校", listed=True)
    professional = ProviderFactory(name="周建国", individual=True, listed=True)
    robotics = OfferingFactory(provider=institution, title="机器人编程", verified=True)
    calligraphy = OfferingFactory(provider=professional, title="书法入门", verified=True,
                                  price_per_session=Decimal("120"))
    return {
        "robotics_east": BookingFactory(school=east_school, offering=robotics, term=autumn,
                                        state=BookingState.ACTIVE),
        "calligraphy_west": BookingFactory(school=west_school, offering=calligraphy,
                                           term=autumn, state=BookingState.REQUESTED),
        "robotics_west": BookingFactory(school=west_school, offering=robotics, term=spring,
                                        state=BookingState.CANCELLED),
        "towns": (east, west), "terms": (autumn, spring), "schools": (east_school, west_school),
    }


def listed(client, **query) -> set[int]:
    page = client.get(INDEX, query).content.decode()
    return {int(pk) for pk in re.findall(r"/admin/bookings/(\d+)/\"", page)}


def test_the_list_filters_by_state_term_school_town_and_provider_kind(manager, district):
    client = browser(manager)
    d = district
    pk = {name: d[name].pk for name in ("robotics_east", "calligraphy_west", "robotics_west")}
    assert listed(client) == set(pk.values())
    assert listed(client, state="active") == {pk["robotics_east"]}
    assert listed(client, state="cancelled") == {pk["robotics_west"]}
    assert listed(client, term=d["terms"][0].pk) == {pk["robotics_east"], pk["calligraphy_west"]}
    assert listed(client, school=d["schools"][1].pk) == {pk["calligraphy_west"],
                                                         pk["robotics_west"]}
    assert listed(client, town=d["towns"][0].pk) == {pk["robotics_east"]}
    assert listed(client, provider_kind=ProviderKind.PROFESSIONAL) == {pk["calligraphy_west"]}
    assert listed(client, provider_kind=ProviderKind.INSTITUTION, term=d["terms"][1].pk) == {
        pk["robotics_west"]}


def test_the_list_searches_school_provider_and_offering_names(manager, district):
    client = browser(manager)
    d = district
    assert listed(client, q="东城") == {d["robotics_east"].pk}
    assert listed(client, q="启航") == {d["robotics_east"].pk, d["robotics_west"].pk}
    assert listed(client, q="书法") == {d["calligraphy_west"].pk}
    assert listed(client, q="没有这个名字") == set()
    # the search box's own results view answers too
    results = client.get(reverse("bookings:index_results"), {"q": "书法"}).content.decode()
    assert "西湖中心小学" in results and "东城实验小学" not in results


def test_the_list_takes_as_many_queries_for_twenty_bookings_as_for_one(
        manager, django_assert_max_num_queries):
    BookingFactory()
    client = browser(manager)
    client.get(INDEX)  # sessions, content types and permissions are read once
    with CaptureQueriesContext(connection) as one:
        assert client.get(INDEX).status_code == 200
    # Each booking with its own school, town, term, offering and provider.
    for kind in [ProviderKind.INSTITUTION, ProviderKind.PROFESSIONAL] * 9 + [ProviderKind.VENUE]:
        BookingFactory(offering__provider__kind=kind)
    assert Booking.objects.count() == 20
    with django_assert_max_num_queries(len(one)):
        page = client.get(INDEX).content.decode()
    assert len(rows(page)) == 20
    with django_assert_max_num_queries(len(one)):
        client.get(INDEX, {"state": "requested", "q": "小学"})


# --- one booking -------------------------------------------------------------------------------
def test_the_booking_page_shows_its_facts_people_by_name_sessions_fee_and_timeline(
        manager, world, active):
    person = world.people[0]
    check = person.checks.get()
    delivered = active.schedule.get(status=SessionStatus.DELIVERED)
    later = active.schedule.filter(status=SessionStatus.PLANNED).order_by("date")
    ScheduleEntry.objects.filter(pk=later[0].pk).update(status=SessionStatus.CANCELLED)
    planned = active.schedule.filter(status=SessionStatus.PLANNED).count()
    page = browser(manager).get(inspect_url(active)).content.decode()
    for text in (world.school.name, world.school.town.name, world.provider.name,
                 world.offering.title, world.term.name, "服务中", "科技教室",
                 f"{active.first_date:%Y-%m-%d}", f"{active.last_date:%Y-%m-%d}",
                 "星期二 16:00–17:00", world.coordinator.get_full_name(),
                 reverse("admissions:entry", args=[world.provider.pk])):
        assert text in page, text
    counts = page.split('data-testid="session-counts"', 1)[1].split("</dl>", 1)[0]
    assert f'data-testid="planned">{planned}<' in counts
    assert 'data-testid="delivered">1<' in counts and 'data-testid="cancelled">1<' in counts
    assert 'data-testid="amount-due">150.00' in counts
    assert delivered.booking_id == active.pk
    # the responsible person by name only: no identity number, no check
    people = page.split('data-testid="people"', 1)[1].split("</ul>", 1)[0]
    assert person.full_name in people
    for secret in (person.id_number, person.id_number_masked, person.phone, check.reference,
                   check.get_criminal_record_display(), check.get_health_display(),
                   check.get_character_display()):
        assert secret not in page, secret
    # the timeline: the school's request and the provider's acceptance
    timeline = page.split('id="timeline"', 1)[1]
    assert "提交预约申请" in timeline and "接受" in timeline and "已申请 → 已接受" in timeline
    # no service agreement yet
    assert 'data-testid="agreement-link"' not in page


def test_the_service_agreement_opens_for_the_manager_and_shows_who_signed(
        manager, reviewer, world, active):
    contract = ContractFactory(kind=ContractKind.SERVICE, provider=world.provider,
                               booking=active)
    Signature.objects.create(contract=contract, party=SignatureParty.VENDOR,
                             signer=world.vendor, typed_name="王建华", consent=True,
                             ip_address="10.0.0.8", pdf_sha256=contract.pdf_sha256)
    agreement_url = reverse("files:contract", args=[contract.pk])
    page = browser(manager).get(inspect_url(active)).content.decode()
    section = page.split('id="agreement"', 1)[1].split("</section>", 1)[0]
    assert agreement_url in section and "王建华 于" in section and "尚未签署" in section
    # a reviewer may not open agreements (no view_contract): no link to a refused file
    page = browser(reviewer).get(inspect_url(active)).content.decode()
    assert agreement_url not in page and "王建华 于" in page


# --- the bureau's cancellation -----------------------------------------------------------------
def test_the_manager_cancels_an_active_booking_with_a_reason_logged_on_the_timeline(
        manager, world, active, on_commit_immediately):
    mail.outbox.clear()
    client = browser(manager)
    page = client.get(inspect_url(active)).content.decode()
    assert 'data-testid="bureau-cancel"' in page and 'value="active"' in page
    response = client.post(cancel_url(active), {
        "reason": BookingReason.SERVICE_PROBLEM, "comment": "多次未按时到校上课。",
        "expected_state": "active"})
    assert response.status_code == 302 and response["Location"] == inspect_url(active)
    active.refresh_from_db()
    assert active.state == BookingState.CANCELLED
    entry = TimelineEntry.objects.filter(object_id=active.pk).latest("created_at", "pk")
    assert (entry.action, entry.actor, entry.reason, entry.comment, entry.source_state,
            entry.target_state) == ("cancel_by_bureau", manager, "service_problem",
                                    "多次未按时到校上课。", "active", "cancelled")
    assert entry.statelog is not None  # logged by run(), as every transition
    # the remaining sessions are cancelled with the booking; the delivered one stays
    statuses = dict(active.schedule.values_list("pk", "status"))
    assert SessionStatus.DELIVERED in statuses.values()
    assert set(statuses.values()) == {SessionStatus.DELIVERED, SessionStatus.CANCELLED}
    assert {to for m in mail.outbox for to in m.to} >= {world.vendor.email, world.coordinator.email}
    page = client.get(inspect_url(active)).content.decode()
    assert "预约已取消，其余课时一并取消" in page  # the success message
    timeline = page.split('id="timeline"', 1)[1]
    assert "取消预约（教育局）" in timeline and "服务中 → 已取消" in timeline
    assert "原因: 服务存在问题" in timeline
    assert "多次未按时到校上课。" in timeline
    assert 'data-testid="bureau-cancel"' not in page  # nothing left to cancel


def test_a_cancellation_without_the_forms_csrf_token_is_refused(manager, active):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    page = client.get(inspect_url(active)).content.decode()
    form = page.split('data-testid="bureau-cancel"', 1)[1].split("</form>", 1)[0]
    assert 'name="csrfmiddlewaretoken"' in form
    response = client.post(cancel_url(active), {"reason": "service_problem",
                                                "expected_state": "active"})
    assert response.status_code == 403
    assert Booking.objects.get(pk=active.pk).state == BookingState.ACTIVE


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.CHECK_OFFICER])
def test_roles_without_the_permission_see_no_cancel_form_and_are_refused(role, active):
    client = browser(UserFactory(groups=[role]))
    page = client.get(inspect_url(active)).content.decode()
    assert 'data-testid="bureau-cancel"' not in page and cancel_url(active) not in page
    response = client.post(cancel_url(active), {"reason": "service_problem",
                                                "expected_state": "active"})
    assert response.status_code == 403
    assert Booking.objects.get(pk=active.pk).state == BookingState.ACTIVE
    assert not TimelineEntry.objects.filter(object_id=active.pk,
                                            action="cancel_by_bureau").exists()


@pytest.mark.parametrize("state", [BookingState.COMPLETED, BookingState.DECLINED,
                                   BookingState.CANCELLED])
def test_a_booking_that_ended_offers_no_cancellation_and_a_post_is_refused(
        state, manager, world):
    booking = set_state(world.book(), state)
    client = browser(manager)
    page = client.get(inspect_url(booking)).content.decode()
    assert 'data-testid="bureau-cancel"' not in page
    response = client.post(cancel_url(booking), {"reason": "plan_changed",
                                                 "comment": "学校计划调整。"})
    page = response.content.decode()
    assert response.status_code == 200
    assert f"条目处于「{booking.get_state_display()}」状态时不能执行此操作。" in page
    assert "学校计划调整。" in page  # what was typed is still there
    assert Booking.objects.get(pk=booking.pk).state == state


def test_a_requested_booking_may_also_be_cancelled_by_the_bureau(manager, world):
    booking = world.book()
    browser(manager).post(cancel_url(booking), {"reason": "plan_changed",
                                                "expected_state": "requested"})
    assert Booking.objects.get(pk=booking.pk).state == BookingState.CANCELLED


def test_a_stale_page_is_refused_and_keeps_the_typed_comment(manager, world, active):
    response = browser(manager).post(cancel_url(active), {
        "reason": BookingReason.SERVICE_PROBLEM, "comment": "家长多次投诉。",
        "expected_state": "agreed"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "已被他人修改" in page
    assert "家长多次投诉。" in page and 'value="service_problem" selected' in page
    assert Booking.objects.get(pk=active.pk).state == BookingState.ACTIVE


def test_other_needs_a_comment_and_a_missing_reason_is_shown_on_the_field(manager, active):
    client = browser(manager)
    page = client.post(cancel_url(active), {"reason": "other", "comment": "  ",
                                            "expected_state": "active"}).content.decode()
    assert "请在意见中说明原因" in page
    page = client.post(cancel_url(active), {"reason": "", "comment": "见附件",
                                            "expected_state": "active"}).content.decode()
    assert "必需字段" in page and "见附件" in page
    page = client.post(cancel_url(active), {"reason": "provider_left",
                                            "expected_state": "active"}).content.decode()
    assert "选择一个有效的选项" in page  # the workflow's own reason, not the bureau's
    assert Booking.objects.get(pk=active.pk).state == BookingState.ACTIVE
    assert client.get(cancel_url(active)).status_code == 405


# --- in Chinese --------------------------------------------------------------------------------
def test_the_bookings_screens_read_in_chinese(manager, world, active, district):
    client = browser(manager)
    contract = ContractFactory(kind=ContractKind.SERVICE, provider=world.provider,
                               booking=active)
    assert contract.booking_id == active.pk
    ended = set_state(world.book(slots=[Slot(4, dt.time(16, 0), dt.time(17, 0))]),
                      BookingState.COMPLETED)
    data = frozenset({manager.username, manager.get_full_name(), world.vendor.username,
                      world.coordinator.username, world.coordinator.get_full_name(),
                      "localhost", "SHA"})
    screens = [
        INDEX,
        INDEX + "?state=active&provider_kind=institution",
        INDEX + f"?term={district['terms'][0].pk}&town={district['towns'][0].pk}"
                f"&school={district['schools'][0].pk}&q=机器人",
        INDEX + "?q=没有这个名字",
        INDEX + "?ordering=-first_date",
        inspect_url(active), inspect_url(ended),
        inspect_url(district["calligraphy_west"]),
    ]
    untranslated = {}
    for url in screens:
        response = client.get(url)
        assert response.status_code == 200, url
        found = english_in_html(response.content.decode(), data)
        if found:
            untranslated[url] = found
    for booking, form in [(active, {"reason": "", "expected_state": "active"}),
                          (active, {"reason": "other", "expected_state": "active"}),
                          (active, {"reason": "plan_changed", "expected_state": "agreed"}),
                          (ended, {"reason": "plan_changed", "comment": "计划调整"})]:
        response = client.post(cancel_url(booking), form)
        assert response.status_code == 200
        found = english_in_html(response.content.decode(), data)
        if found:
            untranslated[f"{cancel_url(booking)} {form}"] = found
    response = client.post(cancel_url(active), {"reason": "service_problem",
                                                "expected_state": "active"}, follow=True)
    found = english_in_html(response.content.decode(), data)
    if found:
        untranslated["after cancelling"] = found
    assert not untranslated, untranslated
    assert "取消预约（教育局）" in response.content.decode()
    labels = client.get(INDEX).content.decode()
    for label in ("学校", "服务提供方", "课程服务", "学期", "状态", "学生人数", "约定价格",
                  "提供方类型", "镇（街道）"):
        assert label in labels, label


def test_people_of_the_booking_are_listed_even_before_a_schedule(manager, world):
    """A booking the provider accepted has its people but no sessions yet."""
    second = PersonFactory(provider=world.provider, full_name="孙丽")
    BackgroundCheckFactory(person=second, checked_on=timezone.localdate())
    booking = world.book()
    services.accept_booking(booking, by=world.vendor, people=[world.people[0], second])
    page = browser(manager).get(inspect_url(booking)).content.decode()
    people = page.split('data-testid="people"', 1)[1].split("</ul>", 1)[0]
    assert "孙丽" in people and world.people[0].full_name in people
    assert 'data-testid="planned">0<' in page and "已接受" in page
    assert second.id_number not in page
