"""Browser tests: the Wagtail admin, as an editor and a reviewer see it in a Chinese
browser, shows no English, including what its scripts render (the menu, the page
explorer panel, the search field, the editor's autosave and checks panels)."""

import importlib

import pytest
from django.apps import apps
from playwright.sync_api import expect

from cms.models import HomePage, NoticePage
from cms.notices import notice_index
from marketplace.roles import Role
from tests.e2e.helpers import account, leave_and_settle, log_in
from tests.factories import complete_application
from tests.untranslated import holds_english
from workflows.transitions import run

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


# Everything a person reads on the screen: rendered text and the tooltips, placeholders
# and screen-reader labels of visible elements.
READ_ON_SCREEN = """() => {
  const texts = document.body.innerText.split("\\n");
  for (const el of document.querySelectorAll("[title], [placeholder], [aria-label]")) {
    if (!el.checkVisibility || el.checkVisibility()) {
      for (const name of ["title", "placeholder", "aria-label"]) {
        if (el.getAttribute(name)) texts.push(el.getAttribute(name));
      }
    }
  }
  return texts.map(t => t.trim()).filter(Boolean);
}"""


@pytest.fixture
def chinese_wagtail_defaults():
    """What the project's migration does to Wagtail's default names; the browser tests'
    database is flushed and rebuilt without it."""
    importlib.import_module("cms.migrations.0007_wagtail_defaults_in_chinese").rename(
        apps, None)


def english_on_screen(page, user) -> list[str]:
    data = {user.username, user.get_full_name(), *Role.values}
    found = []
    for text in page.evaluate(READ_ON_SCREEN):
        remaining = text
        for datum in data:
            remaining = remaining.replace(datum, " ")
        if holds_english(remaining):
            found.append(text)
    return found


def test_an_editor_walks_the_admin_in_chinese(page, live_server, chinese_wagtail_defaults):
    editor = account(Role.EDITOR)
    notice = NoticePage(title="新学期课后服务工作部署会", body="<p>要求各校用好备选清单。</p>")
    notice_index().add_child(instance=notice)
    notice.save_revision(user=editor).publish(user=editor)
    home = HomePage.objects.get()
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, editor)

    page.goto(f"{base}/admin/")
    expect(page.get_by_placeholder("搜索全部页面…")).to_be_visible()
    seen = {"dashboard": english_on_screen(page, editor)}

    # The menu's "Pages" opens the page explorer panel, which the script renders.
    page.locator("#wagtail-sidebar").get_by_role("button", name="页面").click()
    expect(page.get_by_role("dialog").or_(page.locator(".c-page-explorer"))
           .first).to_be_visible()
    seen["page explorer panel"] = english_on_screen(page, editor)

    for name, path in [("explorer at the root", "/admin/pages/"),
                       ("explorer at home", f"/admin/pages/{home.pk}/"),
                       ("new notice", f"/admin/pages/add/cms/noticepage/{notice_index().pk}/"),
                       ("history", f"/admin/pages/{notice.pk}/history/"),
                       ("unpublish", f"/admin/pages/{notice.pk}/unpublish/"),
                       ("images", "/admin/images/"), ("documents", "/admin/documents/"),
                       ("locked pages", "/admin/reports/locked/"),
                       ("page types usage", "/admin/reports/page-types-usage/")]:
        page.goto(base + path)
        seen[name] = english_on_screen(page, editor)

    # The editor: its side panels and what the autosave indicator says while typing.
    page.goto(f"{base}/admin/pages/{notice.pk}/edit/")
    page.locator("#id_title").fill("新学期课后服务工作部署会召开")
    page.wait_for_timeout(1500)
    seen["editor"] = english_on_screen(page, editor)
    page.get_by_role("button", name="检查").first.click()
    seen["checks panel"] = english_on_screen(page, editor)
    leave_and_settle(page)  # the editor saves in the background

    assert {name: texts for name, texts in seen.items() if texts} == {}


def test_a_reviewer_walks_the_admin_in_chinese(page, live_server, chinese_wagtail_defaults):
    reviewer = account(Role.REVIEWER)
    provider = complete_application()
    provider = run(run(provider, "submit", by=provider.owner), "start_review", by=reviewer)
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, reviewer)

    seen = {}
    for name, path in [("dashboard", "/admin/"), ("queue", "/admin/admissions/"),
                       ("all entries", "/admin/admissions/?tab=all"),
                       ("entry", f"/admin/admissions/{provider.pk}/"),
                       ("search", "/admin/pages/search/?q=课后"),
                       ("account", "/admin/account/")]:
        page.goto(base + path)
        seen[name] = english_on_screen(page, reviewer)
    assert {name: texts for name, texts in seen.items() if texts} == {}
