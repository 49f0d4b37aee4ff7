"""The whole admission path in a browser, as real users: a new vendor registers and
applies with files, a reviewer requests a change, the vendor fixes it, the reviewer
approves, the check officer clears each person, the vendor signs, a manager countersigns
and another lists — and the public catalogue shows the entry."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from marketplace.models import Provider
from marketplace.roles import Role
from media.pdf import html_to_pdf
from tests.factories import TownFactory, UserFactory, make_id_number

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Browser-pass-2026"
CREDIT_CODE = "91330100716105852F"


def log_in(page, base, username, password=PASSWORD):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form.form button[type=submit]")


def upload(page, base, path, doc_type, pdf):
    page.goto(base + path)
    page.select_option("#id_type", doc_type)
    page.fill("#id_number", "ZS-2026-0001")
    page.fill("#id_issuer", "滨江区市场监督管理局")
    page.set_input_files("#id_file", str(pdf))
    page.get_by_role("button", name="上传").click()
    expect(page.locator(".message--success")).to_be_visible()


def admin_action(page, pk, base, name, *, reason=None, comment=""):
    page.goto(f"{base}/admin/admissions/{pk}/")
    form = page.locator(f"form[action$='/transition/{name}/']")
    if reason:
        form.locator("select[name=reason]").select_option(reason)
    if comment:
        form.locator("textarea[name=comment]").fill(comment)
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages, [role=status]").first).to_be_visible()


def test_vendor_applies_and_is_vetted_through_to_the_public_catalogue(page, live_server,
                                                                      tmp_path):
    base = live_server.url
    town = TownFactory(name="城关街道")
    reviewer = UserFactory(groups=[Role.REVIEWER], password=PASSWORD)
    checker = UserFactory(groups=[Role.CHECK_OFFICER], password=PASSWORD)
    countersigner = UserFactory(groups=[Role.MANAGER], password=PASSWORD)
    lister = UserFactory(groups=[Role.MANAGER], password=PASSWORD)
    pdf = tmp_path / "营业执照.pdf"
    pdf.write_bytes(html_to_pdf("<h1>营业执照</h1><p>滨江区青苗科技培训学校</p>"))

    # A new vendor registers and confirms the e-mail address.
    page.goto(f"{base}/vendor/register/")
    page.fill("#id_email", "qingmiao@school.example.cn")
    page.fill("#id_display_name", "王建华")
    page.fill("#id_phone", "13812345678")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.get_by_role("button", name="注册").click()
    link = re.search(r"https?://\S+/vendor/register/confirm/\S+/", mail.outbox[-1].body).group(0)
    page.goto(base + link[link.index("/vendor/"):])
    page.get_by_role("button", name="激活并登录").click()
    expect(page).to_have_url(re.compile(r"/vendor/$"))

    # Applies as a training institution.
    page.goto(f"{base}/vendor/apply/")
    page.check("input[name=kind][value=institution]")
    page.fill("#id_name", "滨江区青苗科技培训学校")
    page.get_by_role("button", name="开始申请").click()
    provider = Provider.objects.get(name="滨江区青苗科技培训学校")
    entry = f"/vendor/entries/{provider.pk}"
    page.goto(base + entry + "/")
    page.fill("#id_credit_code", CREDIT_CODE)
    page.fill("#id_legal_representative", "王建华")
    page.fill("#id_contact_name", "王建华")
    page.fill("#id_contact_phone", "13812345678")
    page.fill("#id_contact_email", "qingmiao@school.example.cn")
    page.fill("#id_address", "滨江区城关街道人民路 88 号")
    page.check(f"input[name=service_area][value='{town.pk}']")
    page.fill("#id_description", "专注青少年科技教育的非学科类培训机构。")
    page.get_by_role("button", name="保存信息").click()
    expect(page.locator(".message--success")).to_be_visible()

    upload(page, base, entry + "/documents/", "business_licence", pdf)
    upload(page, base, entry + "/documents/", "school_permit", pdf)

    page.goto(base + entry + "/people/add/")
    page.fill("#id_full_name", "李明")
    page.fill("#id_id_number", make_id_number(7))
    page.fill("#id_role_title", "科技教师")
    page.get_by_role("button", name="保存").click()
    person = provider.people.get()
    for doc_type in ("health_certificate", "no_criminal_record"):
        upload(page, base, f"{entry}/people/{person.pk}/documents/", doc_type, pdf)

    page.goto(base + entry + "/offerings/add/")
    page.fill("#id_title", "少儿机器人搭建")
    page.select_option("#id_category", "technology")
    page.select_option("#id_delivery", "in_school")
    page.fill("#id_session_minutes", "60")
    page.fill("#id_capacity", "30")
    page.fill("#id_price_per_session", "150")
    page.fill("#id_outline", "认识传感器；搭建小车；编程控制。")
    page.fill("#id_safety_measures", "两名教师全程看护，工具分组管理。")
    page.get_by_role("button", name="保存").click()

    page.goto(base + entry + "/review/")
    page.get_by_role("button", name="提交申请").click()
    provider.refresh_from_db()
    assert provider.state == "submitted"

    # The reviewer starts the review, refuses the licence and requests a change.
    log_in(page, base, reviewer.username)
    admin_action(page, provider.pk, base, "start_review")
    licence = page.locator("form[action*='/review/credential/']").first
    licence.locator("input[name=note]").fill("营业执照复印件不清晰，请重新上传")
    licence.locator("button[value=refuse]").click()
    admin_action(page, provider.pk, base, "request_changes", reason="unreadable",
                 comment="请重新上传清晰的营业执照")
    provider.refresh_from_db()
    assert provider.state == "changes_requested"

    # The vendor sees what to change, fixes it and resubmits.
    log_in(page, base, "qingmiao@school.example.cn")
    page.goto(base + entry + "/status/")
    expect(page.get_by_text("请重新上传清晰的营业执照").first).to_be_visible()
    upload(page, base, entry + "/documents/", "business_licence", pdf)
    page.goto(base + entry + "/review/")
    page.get_by_role("button", name="重新提交").click()
    provider.refresh_from_db()
    assert provider.state == "qualification_review"

    # The reviewer verifies every item and approves.
    log_in(page, base, reviewer.username)
    page.goto(f"{base}/admin/admissions/{provider.pk}/")
    verify = "form[action*='/review/'] button[value=verify]"
    for index in range(page.locator(verify).count()):
        page.locator(verify).nth(index).click()
        expect(page.locator(".messages, [role=status]").first).to_be_visible()
    assert provider.unreviewed_items() == [] and provider.refused_items() == []
    admin_action(page, provider.pk, base, "approve_qualification")
    provider.refresh_from_db()
    assert provider.state == "background_check"

    # The check officer records and clears the person's check, then confirms.
    log_in(page, base, checker.username)
    page.goto(f"{base}/admin/admissions/{provider.pk}/")
    page.locator(f"form[action$='/people/{person.pk}/check/'] button[type=submit]").click()
    results = page.locator("form[action*='/results/']")
    results.locator("select[name=criminal_record]").select_option("clear")
    results.locator("select[name=health]").select_option("fit")
    results.locator("select[name=character]").select_option("good")
    results.locator("input[name=checked_on]").fill("2026-11-20")
    results.locator("input[name=result_file]").set_input_files(str(pdf))
    results.locator("button[type=submit]").click()
    page.locator("form[action*='/decide/'] button[value=clear]").click()
    admin_action(page, provider.pk, base, "confirm_checks")
    provider.refresh_from_db()
    assert provider.state == "contract"

    # The vendor signs the agreement.
    log_in(page, base, "qingmiao@school.example.cn")
    page.goto(base + entry + "/sign/")
    page.fill("#id_typed_name", "王建华")
    page.check("#id_consent")
    page.get_by_role("button", name="签署协议").click()
    expect(page.locator(".message--success")).to_be_visible()

    # One manager countersigns; another lists (four-eyes holds either way).
    log_in(page, base, countersigner.username)
    page.goto(f"{base}/admin/admissions/{provider.pk}/")
    sign = page.locator("form[action$='/countersign/']")
    sign.locator("input[name=typed_name]").fill("李主任")
    sign.locator("input[name=consent]").check()
    sign.locator("button[type=submit]").click()
    log_in(page, base, lister.username)
    admin_action(page, provider.pk, base, "approve_listing", comment="准予入选")
    provider.refresh_from_db()
    assert provider.state == "listed"

    # The public catalogue shows the entry, with no personal data.
    page.context.clear_cookies()
    page.goto(f"{base}/catalogue/")
    page.get_by_role("link", name="滨江区青苗科技培训学校").click()
    expect(page.locator("h1")).to_have_text("滨江区青苗科技培训学校")
    expect(page.get_by_text("少儿机器人搭建")).to_be_visible()
    assert make_id_number(7) not in page.content()
