"""Browser tests on a phone (390 px): the login lockout message, and resetting a
forgotten password by e-mail through to logging in with the new one."""

import re
import time

import pytest
from django.core import mail
from playwright.sync_api import expect

from marketplace.roles import Role
from tests.e2e.helpers import PASSWORD, account
from tests.factories import ProviderFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def submit_login(page, username, password):
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def wait_for_mail(count=1, timeout=10.0):
    deadline = time.monotonic() + timeout
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(mail.outbox) == count
    return mail.outbox[-1]


def test_repeated_failures_lock_the_login_and_say_how_long_to_wait(page, live_server, tmp_path):
    user = account(Role.VENDOR)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    for _ in range(4):
        submit_login(page, user.username, "not-the-password")
        expect(page.locator(".form-errors")).to_contain_text("请输入一个正确的")
    submit_login(page, user.username, "not-the-password")

    message = page.locator("#login-locked")
    expect(message).to_contain_text("登录失败次数过多")
    expect(message).to_contain_text("登录已暂停 15 分钟")
    expect(page.get_by_label("用户名")).to_have_value(user.username)
    fits_the_phone(page)
    page.screenshot(path=str(tmp_path / "login-locked-390.png"), full_page=True)

    # The right password waits too, and the way out is on the page.
    submit_login(page, user.username, PASSWORD)
    expect(page.locator("#login-locked")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("link", name="忘记密码？")).to_be_visible()


@pytest.mark.parametrize("role", [Role.VENDOR, Role.REVIEWER])
def test_a_forgotten_password_is_reset_by_email_on_a_phone(page, live_server, role):
    user = account(role)
    if role == Role.VENDOR:
        ProviderFactory(owner=user, name="滨江青少年体育俱乐部")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="忘记密码？").click()

    expect(page.locator("h1")).to_have_text("重设密码")
    fits_the_phone(page)
    page.get_by_label("电子邮件").fill(user.email)
    page.get_by_role("button", name="发送链接").click()
    expect(page.locator("h1")).to_have_text("请查收邮件")
    fits_the_phone(page)

    message = wait_for_mail()
    assert message.subject == "重设课后服务资源平台的登录密码"
    link = re.search(r"https?://\S+/accounts/reset/\S+/", message.body).group(0)
    page.goto(link)
    expect(page.locator("h1")).to_have_text("设置新密码")
    expect(page.get_by_text(f"账号：{user.username}")).to_be_visible()
    fits_the_phone(page)

    page.locator("#id_new_password1").fill("Fresh-pass-2026")
    page.locator("#id_new_password2").fill("Fresh-pass-2027")
    page.get_by_role("button", name="保存新密码").click()
    expect(page.locator(".field__error")).to_contain_text("两次输入的密码不一致")

    page.locator("#id_new_password1").fill("Fresh-pass-2026")
    page.locator("#id_new_password2").fill("Fresh-pass-2026")
    page.get_by_role("button", name="保存新密码").click()
    expect(page.locator("h1")).to_have_text("密码已更改")

    page.locator("main").get_by_role("link", name="登录").click()
    submit_login(page, user.username, "Fresh-pass-2026")
    landing = "/vendor/" if role == Role.VENDOR else "/admin/"
    expect(page).to_have_url(live_server.url + landing)
