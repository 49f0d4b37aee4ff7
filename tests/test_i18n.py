"""Simplified Chinese by default, English complete, Wagtail admin in Chinese."""

from pathlib import Path

import polib
import pytest
from django.contrib.auth.models import Group
from django.utils import translation

from marketplace.roles import Role
from tests.factories import UserFactory

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def test_chinese_catalogue_translates_every_message():
    po = polib.pofile(str(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []
    assert len(po) > 300


def test_compiled_catalogue_is_in_use():
    with translation.override("zh-hans"):
        assert translation.gettext("Changes requested") == "退回修改"
    with translation.override("en"):
        assert translation.gettext("Changes requested") == "Changes requested"


@pytest.mark.django_db
def test_home_page_is_chinese_by_default(client):
    body = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in body
    assert "课后服务资源平台" in body
    assert "最新公示" in body


@pytest.mark.django_db
def test_home_page_switches_to_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert "After-school service resources" in body
    assert "Latest notices" in body


@pytest.mark.django_db
def test_wagtail_admin_appears_in_chinese(client):
    editor = UserFactory()
    editor.groups.add(Group.objects.get(name=Role.EDITOR))
    client.force_login(editor)
    body = client.get("/admin/").content.decode()
    assert 'lang="zh-hans"' in body
    assert "控制面板" in body  # Wagtail's own "Dashboard", translated


@pytest.mark.django_db
def test_editor_can_edit_the_home_page(client):
    from cms.models import HomePage

    editor = UserFactory()
    editor.groups.add(Group.objects.get(name=Role.EDITOR))
    client.force_login(editor)
    home = HomePage.objects.get()
    assert client.get(f"/admin/pages/{home.pk}/edit/").status_code == 200
    reviewer = UserFactory()
    reviewer.groups.add(Group.objects.get(name=Role.REVIEWER))
    client.force_login(reviewer)
    assert client.get(f"/admin/pages/{home.pk}/edit/").status_code in (302, 403)


@pytest.mark.django_db
def test_an_english_browser_still_gets_chinese_until_english_is_chosen(client):
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in body
