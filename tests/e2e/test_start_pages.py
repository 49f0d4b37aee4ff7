"""Browser tests: the public home page on a phone and a desktop, and each role's landing."""

import pytest
from playwright.sync_api import expect

from marketplace.roles import Role
from tests.e2e.helpers import account, log_in
from tests.factories import ProviderFactory, SchoolFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]



def test_home_page_fits_a_phone_and_a_desktop(page, live_server, tmp_path):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/")
    expect(page.locator("h1")).to_have_text("首页")
    expect(page.locator(".brand__site")).to_have_text("课后服务资源平台")
    page.screenshot(path=str(tmp_path / "home-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    cards = page.locator(".entry-card")
    assert cards.count() == 3
    first, second = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
    assert second["y"] > first["y"] + first["height"] - 1  # stacked on a phone
    # The menu folds away on a phone and opens on tap.
    expect(page.locator(".site-nav")).to_be_hidden()
    page.locator(".nav-toggle__button").click()
    expect(page.locator(".site-nav").get_by_role("link", name="登录")).to_be_visible()

    page.set_viewport_size({"width": 1280, "height": 800})
    page.reload()
    first, second = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
    assert abs(second["y"] - first["y"]) < 2  # side by side on a desktop
    expect(page.locator(".site-nav")).to_be_visible()


def test_visitor_switches_the_site_to_english(page, live_server):
    page.goto(live_server.url + "/")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.select_option("#lang-select", "en")
    expect(page.locator(".brand__site")).to_have_text("After-school service resources")


def test_vendor_lands_in_the_vendor_portal(page, live_server):
    vendor = account(Role.VENDOR)
    ProviderFactory(owner=vendor, name="滨江青少年体育俱乐部")
    log_in(page, live_server.url, vendor)
    expect(page).to_have_url(live_server.url + "/vendor/")
    expect(page.locator("h1")).to_have_text("服务提供方工作台")
    expect(page.locator(".card h2")).to_have_text("滨江青少年体育俱乐部")


def test_school_coordinator_lands_in_the_school_portal(page, live_server):
    coordinator = account(Role.SCHOOL)
    SchoolFactory(name="滨江区实验小学").coordinators.add(coordinator)
    log_in(page, live_server.url, coordinator)
    expect(page).to_have_url(live_server.url + "/school/")
    expect(page.get_by_text("滨江区实验小学")).to_be_visible()


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.CHECK_OFFICER, Role.MANAGER, Role.EDITOR])
def test_bureau_staff_land_in_the_chinese_wagtail_admin(page, live_server, role):
    log_in(page, live_server.url, account(role))
    expect(page).to_have_url(live_server.url + "/admin/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")


def test_wrong_password_keeps_the_username_and_says_why(page, live_server):
    user = account(Role.VENDOR)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".form-errors")).to_contain_text("请输入一个正确的")
    expect(page.get_by_label("用户名")).to_have_value(user.username)
