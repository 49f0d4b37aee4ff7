"""Every surface of the product renders under its Content-Security-Policy in Chromium: the
public site, the login page, the vendor and school portals, and the bureau's Wagtail admin
(dashboard, page explorer, page editor with a StreamField block, a chooser and the
preview, the admissions queue and an entry page, images and documents). A violation is
caught twice: Chromium's console message and the page's `securitypolicyviolation` event."""

import io
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from playwright.sync_api import expect
from wagtail.documents.models import Document
from wagtail.images.models import Image

from cms.models import HomePage, RetiredTeacherPoolPage
from cms.notices import publish_notice
from cms.publishing import sync_provider_page
from cms.tasks import refresh_candidate_list
from marketplace.roles import Role
from tests.factories import (
    CredentialFactory,
    OfferingFactory,
    ProviderFactory,
    SchoolFactory,
    TownFactory,
    UserFactory,
    complete_application,
)
from workflows.transitions import run

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Browser-pass-2026"

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__reportCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} ` +
    `in ${event.documentURI} (${event.sourceFile}:${event.lineNumber})`);
});
"""


class CspWatch:
    """Collects the CSP violations of a page, over navigations and frames."""

    def __init__(self, page):
        self.page = page
        self.found: list[str] = []
        page.on("console", self._console)
        page.expose_function("__reportCspViolation", self._report)
        page.add_init_script(REPORT_VIOLATIONS)

    def _report(self, violation):
        self.found.append(violation)

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.found.append(f"console: {message.text}")

    def settle(self):
        self.page.wait_for_load_state("networkidle")
        self.page.wait_for_timeout(200)  # let late events reach Python


@pytest.fixture
def watch(page):
    return CspWatch(page)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 48), (31, 78, 140)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def district():
    """A listed provider with a public page and notice, the pool page, a vendor with an
    application, a school coordinator, a submitted entry for the bureau, an image and a
    document."""
    town = TownFactory(name="江湾镇")
    listed = ProviderFactory(listed=True, name="临江非遗文化传习馆", kind="venue")
    listed.service_area.set([town])
    CredentialFactory(provider=listed, type="business_licence", verification="verified",
                      expires_on="2029-05-31")
    OfferingFactory(provider=listed, title="非遗剪纸课程", category="heritage",
                    price_per_session=Decimal("90"), review="verified")
    OfferingFactory(provider=listed, title="周末剪纸体验", category="heritage",
                    price_per_session=Decimal("0"), review="verified")
    sync_provider_page(listed)
    notice = publish_notice("listing", listed)
    refresh_candidate_list("browser test")
    HomePage.objects.get().add_child(instance=RetiredTeacherPoolPage(
        title="退休教师库", slug="retired-teachers", intro="<p>退休教师库</p>"))

    vendor = UserFactory(groups=[Role.VENDOR], password=PASSWORD)
    draft = complete_application(owner=vendor, name="滨江区青苗科技培训学校")
    coordinator = UserFactory(groups=[Role.SCHOOL], password=PASSWORD)
    SchoolFactory(coordinators=[coordinator])
    submitted = complete_application(name="滨江区星火艺术培训中心")
    run(submitted, "submit", by=submitted.owner)
    admin = UserFactory(is_superuser=True, password=PASSWORD)
    Image.objects.create(title="校园活动", file=ImageFile(io.BytesIO(png_bytes()),
                                                         name="activity.png"))
    Document.objects.create(title="申报指南", file=ContentFile(b"%PDF-1.4\n", name="guide.pdf"))
    listed.page.refresh_from_db()
    return {"provider_page": listed.page.url, "notice": notice.url, "notice_id": notice.pk,
            "draft": draft, "submitted": submitted, "vendor": vendor, "coordinator": coordinator,
            "admin": admin, "home": HomePage.objects.get()}


def log_in(page, base, user):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_every_surface_renders_without_a_csp_violation(page, live_server, district, watch):
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    seen = {}

    def visit(path):
        before = len(watch.found)
        response = page.goto(base + path)
        assert "content-security-policy" in response.headers, path
        watch.settle()
        seen[path] = watch.found[before:]

    # The public site, in both languages; the language menu works without inline script.
    for path in ("/", "/catalogue/?q=剪纸", district["provider_page"], "/notices/",
                 district["notice"], "/retired-teachers/", "/no-such-page/",
                 "/accounts/login/"):
        visit(path)
    page.goto(base + "/")
    page.select_option("#lang-select", "en")
    expect(page.locator(".brand__site")).to_have_text("After-school service resources")
    page.select_option("#lang-select", "zh-hans")
    expect(page.locator(".brand__site")).to_have_text("课后服务资源平台")

    # The vendor portal.
    log_in(page, base, district["vendor"])
    entry = f"/vendor/entries/{district['draft'].pk}"
    for path in ("/vendor/", entry + "/", entry + "/documents/", entry + "/people/",
                 entry + "/offerings/", entry + "/offerings/add/", entry + "/review/",
                 entry + "/status/"):
        visit(path)

    # The school portal.
    log_in(page, base, district["coordinator"])
    visit("/school/")

    # The bureau's admin.
    log_in(page, base, district["admin"])
    home = district["home"]
    for path in ("/admin/", "/admin/pages/", f"/admin/pages/{home.pk}/",
                 "/admin/admissions/", f"/admin/admissions/{district['submitted'].pk}/",
                 "/admin/documents/"):
        visit(path)
    # Image thumbnails are public media: served with DEBUG off, or from the S3 store.
    visit("/admin/images/")
    thumbnail = page.locator("img[src*='/images/'][src*='.max-']").first
    expect(thumbnail).to_be_visible()
    assert thumbnail.evaluate("img => img.naturalWidth") > 0

    # The page editor: add a StreamField paragraph, open a chooser from its
    # text (the link chooser), show the preview beside the form.
    visit(f"/admin/pages/{home.pk}/edit/")
    before = len(watch.found)
    page.locator("button.c-sf-add-button").first.click()
    page.get_by_role("option", name="段落").click()
    editor = page.locator(".Draftail-Editor [contenteditable=true]").first
    editor.click()
    page.keyboard.type("报名须知")
    page.keyboard.press("Control+A")
    page.locator("button[name=LINK]:visible").first.click()
    expect(page.locator(".modal-dialog")).to_be_visible()
    expect(page.locator(".modal-dialog")).to_contain_text("首页")
    page.locator(".modal-dialog [data-dismiss=modal]").first.click()
    expect(page.locator(".modal-dialog")).to_be_hidden()
    page.locator("[data-side-panel-toggle=preview]").click()
    expect(page.frame_locator("#w-preview-iframe").locator("h1")).to_be_visible(timeout=20_000)
    watch.settle()
    seen["page editor: StreamField, chooser, preview"] = watch.found[before:]

    # A date field (the notice's publication date) gets its picker without inline script.
    visit(f"/admin/pages/{district['notice_id']}/edit/")
    before = len(watch.found)
    page.locator("#id_published_on").click()
    expect(page.locator(".xdsoft_datetimepicker:visible")).to_have_count(1)
    watch.settle()
    seen["date picker"] = watch.found[before:]

    problems = {where: found for where, found in seen.items() if found}
    assert not problems, "\n".join(f"{where}: {found}" for where, found in problems.items())


def test_the_policy_blocks_an_inline_script_and_the_watch_reports_it(page, live_server, watch):
    page.goto(live_server.url + "/")
    watch.settle()
    assert watch.found == []
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.injected = true";
        document.body.append(script);
    }""")
    watch.settle()
    assert page.evaluate("window.injected") is None
    assert any("script-src" in found for found in watch.found), watch.found
