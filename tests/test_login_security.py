"""Login lockout (django-axes) and password reset by e-mail, for every role: all log in at
``/accounts/login/``; Wagtail's own login form is guarded by the same count."""

import datetime as dt
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from marketplace.roles import Role
from marketplace.views.account import client_ip
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_immediately")]

PASSWORD = "Right-pass-2026"
LOGIN = "/accounts/login/"
LOCKED_ZH = "登录已暂停 15 分钟"


def browser(address="10.1.1.1") -> Client:
    return Client(REMOTE_ADDR=address)


def fail(client, username, times, url=LOGIN):
    response = None
    for _ in range(times):
        response = client.post(url, {"username": username, "password": "wrong-password"})
    return response


def log_in(client, username, password=PASSWORD, url=LOGIN):
    return client.post(url, {"username": username, "password": password})


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- lockout ---------------------------------------------------------------------------------
def test_five_failures_lock_the_account_from_that_address_and_say_how_long():
    user = UserFactory(password=PASSWORD, groups=[Role.VENDOR])
    client = browser()
    response = fail(client, user.username, 4)
    assert response.status_code == 200
    assert LOCKED_ZH not in response.content.decode()

    response = fail(client, user.username, 1)
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED_ZH in page
    assert f'value="{user.username}"' in page  # what was typed is kept
    assert reverse("password_reset") in page
    assert response["Cache-Control"] == "private, no-store"

    response = log_in(client, user.username)  # even the right password waits
    assert response.status_code == 429 and LOCKED_ZH in response.content.decode()
    assert not logged_in(client)


def test_the_lockout_message_is_english_in_english():
    user = UserFactory(password=PASSWORD)
    client = browser()
    client.cookies["django_language"] = "en"
    response = fail(client, user.username, 5)
    assert "logging in is paused for 15 minutes" in response.content.decode()


def test_lockout_holds_only_for_that_account_from_that_address():
    user, other = UserFactory(password=PASSWORD), UserFactory(password=PASSWORD)
    fail(browser("10.1.1.1"), user.username, 5)

    elsewhere = browser("10.2.2.2")
    assert log_in(elsewhere, user.username).status_code == 302 and logged_in(elsewhere)
    same_address = browser("10.1.1.1")
    assert log_in(same_address, other.username).status_code == 302
    assert logged_in(same_address)


@pytest.fixture
def fast_hashing(settings):
    """Thirty failed logins or so per test: a cheap hasher first keeps them quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                                 *settings.PASSWORD_HASHERS]


@pytest.mark.usefixtures("fast_hashing")
def test_failures_over_many_accounts_from_one_address_lock_that_address_for_all():
    user = UserFactory(password=PASSWORD)
    client = browser("10.3.3.3")
    for n in range(29):
        response = fail(client, f"guess{n}", 1)
        assert response.status_code == 200, n
    response = fail(client, "guess29", 1)  # the address's 30th failure
    assert response.status_code == 429 and LOCKED_ZH in response.content.decode()

    same_address = browser("10.3.3.3")
    response = log_in(same_address, user.username)  # even another account, rightly typed
    assert response.status_code == 429 and LOCKED_ZH in response.content.decode()
    assert not logged_in(same_address)
    elsewhere = browser("10.4.4.4")
    assert log_in(elsewhere, user.username).status_code == 302 and logged_in(elsewhere)


@pytest.mark.usefixtures("fast_hashing")
def test_a_few_failures_on_different_accounts_from_one_address_do_not_lock():
    """A school's or the bureau's staff share one NAT address."""
    users = [UserFactory(password=PASSWORD) for _ in range(6)]
    for user in users[:5]:
        response = fail(browser("10.5.5.5"), user.username, 1)
        assert response.status_code == 200
    for user in (users[0], users[5]):
        client = browser("10.5.5.5")
        assert log_in(client, user.username).status_code == 302 and logged_in(client)


@pytest.mark.usefixtures("fast_hashing")
def test_logging_in_to_one_account_does_not_clear_the_address_count():
    user = UserFactory(password=PASSWORD)
    client = browser("10.6.6.6")
    for n in range(29):
        fail(client, f"guess{n}", 1)
    assert log_in(client, user.username).status_code == 302
    client.post(reverse("logout"))
    response = fail(client, "guess29", 1)
    assert response.status_code == 429 and LOCKED_ZH in response.content.decode()


def test_a_successful_login_resets_the_count():
    user = UserFactory(password=PASSWORD)
    client = browser()
    fail(client, user.username, 4)
    assert log_in(client, user.username).status_code == 302
    client.post(reverse("logout"))
    response = fail(client, user.username, 4)
    assert response.status_code == 200
    assert log_in(client, user.username).status_code == 302


def test_the_lock_ends_after_fifteen_minutes():
    user = UserFactory(password=PASSWORD)
    client = browser()
    fail(client, user.username, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert log_in(client, user.username).status_code == 302 and logged_in(client)


def test_failures_on_the_wagtail_admin_login_count_and_lock_it_too():
    reviewer = UserFactory(password=PASSWORD, groups=[Role.REVIEWER])
    client = browser()
    admin_login = reverse("wagtailadmin_login")
    response = fail(client, reviewer.username, 5, url=admin_login)
    assert response.status_code == 429
    assert log_in(client, reviewer.username, url=admin_login).status_code == 429
    response = log_in(client, reviewer.username)
    assert response.status_code == 429 and LOCKED_ZH in response.content.decode()
    assert not logged_in(client)


def test_the_lockout_page_keeps_only_a_safe_next_address():
    user = UserFactory(password=PASSWORD)
    client = browser()
    for _ in range(5):
        response = client.post(f"{LOGIN}?next=/vendor/", {
            "username": user.username, "password": "wrong", "next": "https://evil.example/"})
    assert response.status_code == 429
    assert "evil.example" not in response.content.decode()


def test_client_address_reads_forwarded_for_only_behind_trusted_proxies(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9",
                                   HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.9"  # a client may write anything into the header
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.7"  # what the balancer saw, not the forgery
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.9"


# --- password reset ---------------------------------------------------------------------------
def test_the_login_page_links_to_password_reset():
    page = browser().get(LOGIN).content.decode()
    assert reverse("password_reset") == "/accounts/password_reset/"
    assert 'href="/accounts/password_reset/"' in page
    response = browser().get("/accounts/password_reset/")
    assert response.status_code == 200
    assert "重设密码" in response.content.decode()


def reset_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)


@pytest.mark.parametrize("role", [Role.VENDOR, Role.REVIEWER])
def test_password_reset_by_email_from_request_to_login(role):
    user = UserFactory(password="Old-pass-2026", groups=[role])
    client = browser()
    response = client.post(reverse("password_reset"), {"email": user.email.upper()})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert "设置新密码的邮件已经发出" in client.get(response["Location"]).content.decode()

    [message] = mail.outbox
    assert message.to == [user.email]
    assert message.subject == "重设课后服务资源平台的登录密码"
    assert "请打开以下链接设置新密码" in message.body
    assert f"您的用户名：{user.username}" in message.body
    assert not getattr(message, "alternatives", [])  # plain text only

    response = client.get(reset_link(message), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "设置新密码" in page and user.username in page
    set_password_url = response.redirect_chain[-1][0]
    response = client.post(set_password_url, {"new_password1": "New-secret-2026",
                                              "new_password2": "New-secret-2026"})
    assert response["Location"] == reverse("password_reset_complete")
    assert "新密码已保存" in client.get(response["Location"]).content.decode()

    assert log_in(browser(), user.username, "Old-pass-2026").status_code == 200
    fresh = browser()
    response = log_in(fresh, user.username, "New-secret-2026")
    assert response.status_code == 302 and logged_in(fresh)

    # The link works once.
    page = browser().get(reset_link(message), follow=True).content.decode()
    assert "此链接已失效" in page


def test_an_unknown_address_gets_the_same_answer_and_no_email():
    UserFactory(email="known@demo.example.cn")
    known = browser().post(reverse("password_reset"), {"email": "known@demo.example.cn"})
    unknown = browser().post(reverse("password_reset"), {"email": "nobody@demo.example.cn"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [m.to for m in mail.outbox] == [["known@demo.example.cn"]]


def test_a_second_request_within_a_minute_sends_no_second_email():
    user = UserFactory()
    for _ in range(3):
        response = browser().post(reverse("password_reset"), {"email": user.email})
        assert response.status_code == 302
    assert len(mail.outbox) == 1


def test_a_mistyped_new_password_is_refused_in_chinese_and_nothing_changes():
    user = UserFactory(password="Old-pass-2026")
    client = browser()
    client.post(reverse("password_reset"), {"email": user.email})
    response = client.get(reset_link(mail.outbox[0]), follow=True)
    url = response.redirect_chain[-1][0]
    response = client.post(url, {"new_password1": "New-secret-2026",
                                 "new_password2": "New-secret-2027"})
    assert response.status_code == 200
    assert "两次输入的密码不一致" in response.content.decode()
    assert get_user_model().objects.get(pk=user.pk).check_password("Old-pass-2026")


def test_resetting_the_password_lifts_a_lockout():
    user = UserFactory(password=PASSWORD)
    client = browser()
    fail(client, user.username, 5)
    client.post(reverse("password_reset"), {"email": user.email})
    response = client.get(reset_link(mail.outbox[0]), follow=True)
    client.post(response.redirect_chain[-1][0], {"new_password1": "New-secret-2026",
                                                 "new_password2": "New-secret-2026"})
    assert log_in(client, user.username, "New-secret-2026").status_code == 302


def test_wagtail_keeps_no_second_password_reset_form():
    response = browser().get("/admin/password_reset/")
    assert response.status_code in (302, 404)
    assert not mail.outbox
