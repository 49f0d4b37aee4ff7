"""The bureau's admissions list on a phone (390 px): names stay readable, not one
character per line."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from marketplace.roles import Role
from tests.e2e.helpers import PASSWORD, log_in
from tests.factories import ProviderFactory, UserFactory, make_credit_code
from workflows.admission import AdmissionState as S

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NAMES = ("滨江区青少年科技创新教育培训中心", "何丽", "冯海波篮球工作室")

# Where the screenshot goes: the test's own folder, or SCREENSHOT_DIR to keep it.
SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR")


def test_admissions_list_on_a_phone_keeps_names_readable(page, live_server, tmp_path):
    reviewer = UserFactory(groups=[Role.REVIEWER], password=PASSWORD)
    for n, (name, state) in enumerate(zip(NAMES, (S.SUBMITTED, S.QUALIFICATION_REVIEW,
                                                  S.LISTED), strict=True)):
        ProviderFactory(name=name, state=state, credit_code=make_credit_code(900 + n))
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, reviewer)
    page.goto(f"{live_server.url}/admin/admissions/?tab=all")
    links = page.locator("td.title a")
    expect(links).to_have_count(len(NAMES))

    folder = Path(SCREENSHOT_DIR) if SCREENSHOT_DIR else tmp_path
    page.screenshot(path=str(folder / "admissions-390.png"), full_page=True)

    for index in range(links.count()):
        link = links.nth(index)
        name = link.inner_text()
        box = link.bounding_box()
        metrics = link.evaluate("""element => {
            const style = getComputedStyle(element);
            const font = parseFloat(style.fontSize);
            const line = parseFloat(style.lineHeight) || font * 1.5;
            const cell = element.closest("td").getBoundingClientRect();
            return {font, line, cell: cell.width};
        }""")
        # The cell holds more than four characters side by side …
        assert metrics["cell"] > 4 * metrics["font"], (name, metrics)
        # … and the name wraps at most once (one character per line would be len(name) lines).
        assert box["height"] <= 2 * metrics["line"] + 1, (name, box, metrics)
    # Nothing sticks out sideways: the page does not scroll horizontally.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_reviewer_verifies_ticked_items_at_once_and_sees_the_price_flag(page, live_server,
                                                                       tmp_path):
    from decimal import Decimal

    from marketplace.models import Credential
    from tests.factories import OfferingFactory, complete_application
    from workflows.transitions import run

    reviewer = UserFactory(groups=[Role.REVIEWER], password=PASSWORD)
    provider = complete_application(name="临江青少年艺术培训中心")
    OfferingFactory(provider=provider, title="高价声乐课", price_per_session=Decimal("260"))
    provider = run(run(provider, "submit", by=provider.owner), "start_review", by=reviewer)
    ticked = list(provider.active_credentials().order_by("pk"))[:2]

    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server.url, reviewer)
    page.goto(f"{live_server.url}/admin/admissions/{provider.pk}/")
    expect(page.locator(".mp-flag")).to_contain_text("200")
    for credential in ticked:
        page.check(f"#select-credential-{credential.pk}")
    page.locator("#verify-credentials button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/admin/admissions/{provider.pk}/#credentials")
    for credential in ticked:
        expect(page.locator(f"#credential-{credential.pk}")).to_contain_text("已核验")
        assert Credential.objects.get(pk=credential.pk).verification == "verified"
    folder = Path(SCREENSHOT_DIR) if SCREENSHOT_DIR else tmp_path
    # The page comes back to the section the decision was taken in.
    expect(page.locator("#credentials-heading")).to_be_in_viewport()
    page.screenshot(path=str(folder / "entry-verified.png"))
    page.locator("#offerings").scroll_into_view_if_needed()
    page.screenshot(path=str(folder / "entry-offerings.png"))
