"""The bureau's setup of school booking in the Wagtail admin ("学校与学期"): schools, venues,
terms with their calendar, local days off, and invitations of school coordinators."""

import datetime as dt
import json
import logging
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from marketplace.booking.invitations import invite_coordinator
from marketplace.choices import SchoolLevel
from marketplace.models import DayOff, School, Term, Venue
from marketplace.roles import Role
from marketplace.tasks import send_coordinator_invitation
from tests.factories import SchoolFactory, TermFactory, TownFactory, UserFactory
from tests.untranslated import english_in_html
from workflows.models import SideEffect

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_immediately")]

User = get_user_model()
NEW_PASSWORD = "Yu-cai-2026!"


def browser(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def manager():
    return UserFactory(groups=[Role.MANAGER], first_name="李主任")


@pytest.fixture
def school():
    return SchoolFactory(name="滨江区育才小学", address="滨江区城关街道育才路1号")


@pytest.fixture
def autumn_term():
    return TermFactory(name="2026学年第一学期", starts_on=dt.date(2026, 9, 1),
                       ends_on=dt.date(2027, 1, 22))


def setup_urls(school, term, venue, day_off) -> list[str]:
    return [
        reverse("setup_schools:index"), reverse("setup_schools:add"),
        reverse("setup_schools:edit", args=[school.pk]),
        reverse("setup_schools:history", args=[school.pk]),
        reverse("setup_schools:invite", args=[school.pk]),
        reverse("setup_venues:index"), reverse("setup_venues:add"),
        reverse("setup_venues:edit", args=[venue.pk]),
        reverse("setup_venues:delete", args=[venue.pk]),
        reverse("setup_terms:index"), reverse("setup_terms:add"),
        reverse("setup_terms:edit", args=[term.pk]),
        reverse("setup_terms:inspect", args=[term.pk]),
        reverse("setup_days_off:index"), reverse("setup_days_off:add"),
        reverse("setup_days_off:edit", args=[day_off.pk]),
        reverse("setup_days_off:delete", args=[day_off.pk]),
    ]


@pytest.fixture
def setup_data(school, autumn_term):
    venue = Venue.objects.create(school=school, name="多功能厅", capacity=60)
    day_off = DayOff.objects.create(date=dt.date(2026, 11, 6), name="校运动会", school=school)
    DayOff.objects.create(date=dt.date(2026, 12, 18), name="全区期末统测")
    return {"school": school, "term": autumn_term, "venue": venue, "day_off": day_off}


def row_of(page: str, text: str) -> str:
    """The listing's table row that holds ``text``."""
    body = page.split("<tbody", 1)[1]
    return next(row for row in re.findall(r"<tr[\s\S]*?</tr>", body) if text in row)


def sidebar_labels(client) -> str:
    body = client.get(reverse("wagtailadmin_home")).content.decode()
    props = body.split('id="wagtail-sidebar-props" type="application/json">')[1]
    return json.dumps(json.loads(props.split("</script>")[0]), ensure_ascii=False)


# --- who may use the setup -------------------------------------------------------------------
def test_the_manager_sees_the_menu_with_its_four_screens(manager):
    labels = sidebar_labels(browser(manager))
    assert "学校与学期" in labels
    for url in (reverse("setup_schools:index"), reverse("setup_venues:index"),
                reverse("setup_terms:index"), reverse("setup_days_off:index")):
        assert url in labels


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.CHECK_OFFICER, Role.EDITOR])
def test_other_bureau_roles_neither_see_nor_open_the_setup(role, setup_data):
    coordinator = UserFactory(groups=[Role.SCHOOL])
    setup_data["school"].coordinators.add(coordinator)
    user = UserFactory(groups=[role])
    client = browser(user)
    assert "学校与学期" not in sidebar_labels(client)
    assert reverse("setup_schools:index") not in sidebar_labels(client)
    for url in setup_urls(**setup_data):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert response["Location"] == reverse("wagtailadmin_home"), url
    # nor write through them
    client.post(reverse("setup_schools:add"), school_form("偷建的学校"))
    client.post(reverse("setup_schools:invite", args=[setup_data["school"].pk]),
                {"school": setup_data["school"].pk, "name": "张三",
                 "email": "zhangsan@demo.example.cn"})
    client.post(reverse("setup_venues:delete", args=[setup_data["venue"].pk]))
    client.post(reverse("setup_schools:remove_coordinator",
                        args=[setup_data["school"].pk, coordinator.pk]))
    assert not School.objects.filter(name="偷建的学校").exists()
    assert list(setup_data["school"].coordinators.all()) == [coordinator]
    assert not User.objects.filter(email="zhangsan@demo.example.cn").exists()
    assert Venue.objects.filter(pk=setup_data["venue"].pk).exists()


@pytest.mark.parametrize("role", [Role.VENDOR, Role.SCHOOL])
def test_vendors_and_coordinators_are_sent_to_log_in(role, setup_data):
    client = browser(UserFactory(groups=[role]))
    for url in setup_urls(**setup_data):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    response = client.post(reverse("setup_schools:add"), school_form("偷建的学校"))
    assert response.status_code == 302
    assert not School.objects.filter(name="偷建的学校").exists()


# --- schools, venues, terms, days off ----------------------------------------------------------
def school_form(name, town=None, **changes):
    town = town or TownFactory(name="城关街道")
    return {"name": name, "town": town.pk, "level": SchoolLevel.PRIMARY,
            "address": "滨江区城关街道学府路8号", "phone": "0571-86012346", **changes}


def test_the_manager_lists_searches_filters_creates_and_edits_schools(manager, school):
    school.coordinators.set([UserFactory(groups=[Role.SCHOOL]),
                             UserFactory(groups=[Role.SCHOOL])])
    junior = SchoolFactory(name="滨江区实验中学", level=SchoolLevel.JUNIOR,
                           address="滨江区江南大道9号")
    client = browser(manager)

    page = client.get(reverse("setup_schools:index")).content.decode()
    assert school.name in page and junior.name in page
    assert "学校课后服务负责人人数" in page
    assert re.search(r">\s*2\s*<", row_of(page, school.name))  # two coordinators

    found = client.get(reverse("setup_schools:index") + "?q=江南大道").content.decode()
    assert junior.name in found and school.name not in found
    found = client.get(reverse("setup_schools:index") + "?level=primary").content.decode()
    assert school.name in found and junior.name not in found
    found = client.get(reverse("setup_schools:index") + f"?town={junior.town_id}").content.decode()
    assert junior.name in found and school.name not in found

    response = client.post(reverse("setup_schools:add"), school_form("滨江区学府小学"))
    assert response.status_code == 302
    created = School.objects.get(name="滨江区学府小学")
    assert created.town.name == "城关街道" and created.level == SchoolLevel.PRIMARY

    response = client.post(reverse("setup_schools:edit", args=[created.pk]),
                           school_form("滨江区学府小学", town=created.town,
                                       level=SchoolLevel.NINE_YEAR, phone="0571-86019999"))
    assert response.status_code == 302
    created.refresh_from_db()
    assert (created.level, created.phone) == (SchoolLevel.NINE_YEAR, "0571-86019999")


def test_the_school_form_does_not_hand_out_coordinator_access(manager, school):
    """Coordinators are added by invitation only: the edit form has no field for them, and a
    posted list of accounts is ignored."""
    vendor = UserFactory(groups=[Role.VENDOR])
    client = browser(manager)
    page = client.get(reverse("setup_schools:edit", args=[school.pk])).content.decode()
    assert 'name="coordinators"' not in page
    assert reverse("setup_schools:invite", args=[school.pk]) in page
    client.post(reverse("setup_schools:edit", args=[school.pk]),
                school_form(school.name, town=school.town, coordinators=[vendor.pk]))
    assert not school.coordinators.exists()


def test_the_manager_adds_filters_edits_and_deletes_venues(manager, school):
    other = SchoolFactory(name="滨江区第二小学")
    Venue.objects.create(school=other, name="操场")
    client = browser(manager)
    response = client.post(reverse("setup_venues:add"),
                           {"school": school.pk, "name": "舞蹈房", "capacity": "30"})
    assert response.status_code == 302
    venue = Venue.objects.get(school=school, name="舞蹈房")
    assert venue.capacity == 30

    page = client.get(reverse("setup_venues:index") + f"?school={school.pk}").content.decode()
    assert "舞蹈房" in page and "操场" not in page
    page = client.get(reverse("setup_venues:index") + "?q=操场").content.decode()
    assert "操场" in page and "舞蹈房" not in page

    # the same name twice in one school is refused, in Chinese
    response = client.post(reverse("setup_venues:add"),
                           {"school": school.pk, "name": "舞蹈房", "capacity": "20"})
    assert response.status_code == 200 and "已经存在" in response.content.decode()

    response = client.post(reverse("setup_venues:edit", args=[venue.pk]),
                           {"school": school.pk, "name": "舞蹈房", "capacity": "35"})
    assert response.status_code == 302
    venue.refresh_from_db()
    assert venue.capacity == 35
    response = client.post(reverse("setup_venues:delete", args=[venue.pk]))
    assert response.status_code == 302
    assert not Venue.objects.filter(pk=venue.pk).exists()


def test_the_manager_adds_and_edits_terms_and_sees_their_school_days(manager):
    client = browser(manager)
    response = client.post(reverse("setup_terms:add"), {
        "name": "2026学年第一学期", "starts_on": "2026-09-01", "ends_on": "2027-01-22"})
    assert response.status_code == 302
    term = Term.objects.get(name="2026学年第一学期")

    # National Day week: 1 Oct (Thu) to 9 Oct; 5 weekdays off, Saturday 10 Oct worked.
    response = client.post(reverse("setup_terms:edit", args=[term.pk]), {
        "name": "2026学年第一学期", "starts_on": "2026-09-28", "ends_on": "2026-10-11"})
    assert response.status_code == 302
    term.refresh_from_db()
    assert term.starts_on == dt.date(2026, 9, 28)
    page = client.get(reverse("setup_terms:index")).content.decode()
    assert "课后服务天数" in page
    row = row_of(page, "2026学年第一学期")
    # 28–30 Sep (3) + 8–9 Oct (2) + make-up Saturday 10 Oct (1)
    assert re.search(r">\s*6\s*<", row)

    response = client.post(reverse("setup_terms:edit", args=[term.pk]), {
        "name": "2026学年第一学期", "starts_on": "2026-10-11", "ends_on": "2026-10-01"})
    assert response.status_code == 200
    assert "学期结束日期必须晚于开始日期" in response.content.decode()


def test_the_manager_records_days_off_for_one_school_and_for_the_district(manager, school):
    client = browser(manager)
    response = client.post(reverse("setup_days_off:add"),
                           {"date": "2026-11-06", "name": "校运动会", "school": school.pk})
    assert response.status_code == 302
    response = client.post(reverse("setup_days_off:add"),
                           {"date": "2026-11-06", "name": "全区教研活动", "school": ""})
    assert response.status_code == 302
    assert DayOff.objects.get(name="全区教研活动").school is None

    response = client.post(reverse("setup_days_off:add"),
                           {"date": "2026-11-06", "name": "重复", "school": ""})
    assert response.status_code == 200
    assert "全区已将这一天设为课后服务暂停日" in response.content.decode()
    response = client.post(reverse("setup_days_off:add"),
                           {"date": "2026-11-06", "name": "重复", "school": school.pk})
    assert "该校已将这一天设为课后服务暂停日" in response.content.decode()
    assert DayOff.objects.count() == 2

    page = client.get(reverse("setup_days_off:index")).content.decode()
    assert "全区各校" in page and school.name in page
    page = client.get(reverse("setup_days_off:index") + f"?school={school.pk}").content.decode()
    assert "校运动会" in page and "全区教研活动" not in page
    page = client.get(reverse("setup_days_off:index") + "?school=null").content.decode()
    assert "全区教研活动" in page and "校运动会" not in page
    page = client.get(reverse("setup_days_off:index")
                      + "?date_from=2026-11-01&date_to=2026-11-05").content.decode()
    assert "校运动会" not in page and "全区教研活动" not in page
    page = client.get(reverse("setup_days_off:index")
                      + "?date_from=2026-11-06&date_to=2026-11-30").content.decode()
    assert "校运动会" in page

    day_off = DayOff.objects.get(name="校运动会")
    response = client.post(reverse("setup_days_off:edit", args=[day_off.pk]),
                           {"date": "2026-11-13", "name": "校运动会", "school": school.pk})
    assert response.status_code == 302
    day_off.refresh_from_db()
    assert day_off.date == dt.date(2026, 11, 13)


# --- the term calendar ---------------------------------------------------------------------
def test_the_term_calendar_names_holidays_days_off_and_make_up_days(manager, setup_data):
    term = setup_data["term"]
    page = browser(manager).get(reverse("setup_terms:inspect", args=[term.pk])).content.decode()
    assert "学期校历" in page
    skipped, make_up = page.split("课后服务暂停的工作日")[1].split("调休上课日")
    assert re.search(r"2026-10-01</td>\s*<td>星期四</td>\s*<td>国庆节</td>\s*<td>全区各校", skipped)
    assert "中秋节" in skipped
    # local days off: the district's and one school's
    assert re.search(r"2026-12-18</td>\s*<td>星期五</td>\s*<td>全区期末统测</td>\s*<td>全区各校",
                     skipped)
    assert re.search(r"2026-11-06</td>\s*<td>星期五</td>\s*<td>校运动会</td>\s*<td>滨江区育才小学",
                     skipped)
    assert re.search(r"2026-10-10</td>\s*<td>星期六</td>\s*<td>星期三</td>", make_up)
    assert re.search(r"2026-09-20</td>\s*<td>星期日</td>\s*<td>星期二</td>", make_up)


# --- inviting coordinators -----------------------------------------------------------------
def invite(client, school, name="王老师", email="wang.teacher@demo.example.cn", follow=False):
    return client.post(reverse("setup_schools:invite", args=[school.pk]),
                       {"school": school.pk, "name": name, "email": email}, follow=follow)


def mailed_link(message) -> str:
    return re.search(r"https?://testserver(/accounts/reset/\S+/)", message.body).group(1)


def test_an_invited_coordinator_sets_a_password_from_the_email_and_logs_in(
        manager, school, caplog):
    client = browser(manager)
    page = client.get(reverse("setup_schools:invite", args=[school.pk])).content.decode()
    assert "邀请学校课后服务负责人" in page
    assert f'<option value="{school.pk}" selected>' in page  # the school is preselected

    with caplog.at_level(logging.INFO, logger="marketplace.booking.invitations"):
        response = invite(client, school, email="Wang.Teacher@demo.example.cn", follow=True)
    assert "王老师已成为滨江区育才小学的学校课后服务负责人" in response.content.decode()

    user = User.objects.get(email="wang.teacher@demo.example.cn")
    assert user.first_name == "王老师" and user.is_active and not user.has_usable_password()
    assert set(user.groups.values_list("name", flat=True)) == {Role.SCHOOL}
    assert list(school.coordinators.all()) == [user]
    # the log names the account, never the address
    assert any(f"account {user.pk} invited to school {school.pk}" in r.getMessage()
               for r in caplog.records)
    assert "wang.teacher" not in caplog.text.lower()

    [message] = mail.outbox
    assert message.to == ["wang.teacher@demo.example.cn"]
    assert message.subject == "邀请您作为学校课后服务负责人使用课后服务资源平台"
    assert "滨江区育才小学" in message.body
    link = mailed_link(message)
    token = link.rstrip("/").rsplit("/", 1)[-1]

    # the outbox keeps the account's id and the request's origin, nothing that opens it
    [effect] = SideEffect.objects.filter(task=send_coordinator_invitation.name)
    assert effect.args[0] == user.pk and effect.done_at is not None
    stored = json.dumps([e.args for e in SideEffect.objects.all()], ensure_ascii=False)
    assert token not in stored and "/accounts/reset/" not in stored

    coordinator = Client()
    response = coordinator.get(link, follow=True)
    set_password_url = response.redirect_chain[-1][0]
    response = coordinator.post(set_password_url, {"new_password1": NEW_PASSWORD,
                                                   "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("password_reset_complete")

    fresh = Client()
    response = fresh.post(reverse("login"), {"username": user.username,
                                             "password": NEW_PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in fresh.session
    page = fresh.get(reverse("school:home")).content.decode()
    assert "滨江区育才小学" in page

    # the link works once
    page = Client().get(link, follow=True).content.decode()
    assert "此链接已失效" in page


def test_an_existing_coordinator_is_added_to_another_school_and_told_to_log_in(manager, school):
    coordinator = UserFactory(groups=[Role.SCHOOL], email="zhao@demo.example.cn",
                              first_name="赵老师")
    first = SchoolFactory(name="滨江区第一小学", coordinators=[coordinator])
    response = invite(browser(manager), school, name="别的名字", email="ZHAO@demo.example.cn",
                      follow=True)
    assert "已有的学校课后服务负责人账号" in response.content.decode()
    assert User.objects.filter(email="zhao@demo.example.cn").count() == 1
    coordinator.refresh_from_db()
    assert coordinator.first_name == "赵老师" and coordinator.has_usable_password()
    assert set(coordinator.schools.all()) == {first, school}
    [message] = mail.outbox
    assert "/accounts/reset/" not in message.body
    assert reverse("login") in message.body and "滨江区育才小学" in message.body


@pytest.mark.parametrize("owner", ["vendor", "reviewer", "superuser", "unconfirmed",
                                   "vendor_and_school"])
def test_an_address_of_any_other_account_is_refused(manager, school, owner):
    account = {
        "vendor": lambda: UserFactory(groups=[Role.VENDOR]),
        "reviewer": lambda: UserFactory(groups=[Role.REVIEWER]),
        "superuser": lambda: UserFactory(is_superuser=True),
        "unconfirmed": lambda: UserFactory(is_active=False),
        "vendor_and_school": lambda: UserFactory(groups=[Role.VENDOR, Role.SCHOOL]),
    }[owner]()
    response = invite(browser(manager), school, email=account.email.upper())
    assert response.status_code == 200
    assert "不是学校课后服务负责人的账号" in response.content.decode()
    assert not school.coordinators.exists()
    assert set(account.groups.values_list("name", flat=True)) <= {Role.VENDOR, Role.REVIEWER,
                                                                   Role.SCHOOL}
    assert not account.schools.exists()
    assert mail.outbox == []
    assert not SideEffect.objects.filter(task=send_coordinator_invitation.name).exists()


def test_an_address_used_as_another_accounts_username_is_refused(manager, school):
    """A vendor whose username is the address (and whose e-mail is another) is no
    coordinator either."""
    UserFactory(groups=[Role.VENDOR], username="shared@demo.example.cn",
                email="other@demo.example.cn")
    response = invite(browser(manager), school, email="shared@demo.example.cn")
    assert "不是学校课后服务负责人的账号" in response.content.decode()
    assert not User.objects.filter(email="shared@demo.example.cn").exists()


def test_a_deactivated_coordinator_is_not_invited_again(manager, school):
    UserFactory(groups=[Role.SCHOOL], email="old@demo.example.cn", is_active=False)
    response = invite(browser(manager), school, email="old@demo.example.cn")
    assert "已停用" in response.content.decode()
    assert not school.coordinators.exists() and mail.outbox == []


def test_the_manager_takes_a_coordinator_off_a_school_and_the_history_shows_both(
        manager, school):
    client = browser(manager)
    invite(client, school)
    user = school.coordinators.get()
    page = client.get(reverse("setup_schools:invite", args=[school.pk])).content.decode()
    assert "王老师" in page and "已邀请，尚未设置密码" in page

    response = client.post(reverse("setup_schools:remove_coordinator",
                                   args=[school.pk, user.pk]), follow=True)
    assert "王老师不再是滨江区育才小学的学校课后服务负责人" in response.content.decode()
    assert not school.coordinators.exists()
    assert User.objects.filter(pk=user.pk, is_active=True).exists()

    history = client.get(reverse("setup_schools:history", args=[school.pk])).content.decode()
    assert "已邀请学校课后服务负责人：王老师" in history
    assert "已移除学校课后服务负责人：王老师" in history


def test_an_invitation_to_an_account_taken_off_every_school_meanwhile_is_not_sent(
        manager, school):
    user, _created = invite_coordinator(school, name="钱老师", email="qian@demo.example.cn",
                                        by=manager, origin=ORIGIN)
    mail.outbox.clear()
    school.coordinators.remove(user)
    assert send_coordinator_invitation.apply(args=[user.pk, ORIGIN]).get() == 0
    assert mail.outbox == []


ORIGIN = {"protocol": "https", "domain": "kehou.example.cn", "site_name": "kehou.example.cn",
          "prefix": "/", "language": "zh-hans", "bureau_name": "滨江区教育局"}


# --- in Chinese ----------------------------------------------------------------------------
def test_every_setup_screen_reads_in_chinese(manager, setup_data):
    client = browser(manager)
    school = setup_data["school"]
    invite(client, school)
    coordinator = school.coordinators.get()
    data = frozenset({manager.username, manager.get_full_name(), coordinator.username,
                      coordinator.get_full_name(), "localhost"})
    screens = setup_urls(**setup_data) + [
        reverse("setup_schools:index") + "?q=育才&level=primary",
        reverse("setup_days_off:index") + "?school=null",
        reverse("setup_terms:history", args=[setup_data["term"].pk]),
    ]
    untranslated = {}
    for url in screens:
        response = client.get(url)
        assert response.status_code == 200, url
        found = english_in_html(response.content.decode(), data)
        if found:
            untranslated[url] = found
    # forms sent back with their errors
    for url, form in [
        (reverse("setup_schools:invite", args=[school.pk]),
         {"school": school.pk, "name": "", "email": "not-an-address"}),
        (reverse("setup_days_off:add"), {"date": "2026-12-18", "name": "重复", "school": ""}),
        (reverse("setup_terms:add"), {"name": "", "starts_on": "2027-02-01",
                                      "ends_on": "2027-01-01"}),
    ]:
        response = client.post(url, form)
        assert response.status_code == 200, url
        found = english_in_html(response.content.decode(), data)
        if found:
            untranslated[f"{url} (POST)"] = found
    [message] = mail.outbox
    found = english_in_html(f"<p>{message.subject}</p><pre>{message.body}</pre>", data)
    if found:
        untranslated["invitation e-mail"] = found
    assert not untranslated, untranslated
