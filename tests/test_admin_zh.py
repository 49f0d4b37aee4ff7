"""The Wagtail admin in Simplified Chinese: every screen a bureau user opens, for every
bureau role, shows no untranslated English (text, tooltips, placeholders, labels read
by screen readers, and the strings handed to the admin's JavaScript)."""

import json

import polib
import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from wagtail.documents.models import Document
from wagtail.images.models import Image

from cms.models import HomePage, NoticePage
from cms.notices import notice_index
from marketplace.roles import Role
from tests.factories import TINY_PDF, UserFactory, complete_application
from tests.untranslated import english_in_html, holds_english
from workflows.transitions import run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_immediately")]


def readable_html(response) -> str:
    """The HTML a screen shows; modal views answer JSON holding their HTML."""
    if response["Content-Type"].startswith("application/json"):
        return json.loads(response.content).get("html", "")
    return response.content.decode()


# --- the data a bureau's admin shows ------------------------------------------------------
def png() -> ContentFile:
    from io import BytesIO

    from PIL import Image as PILImage

    buffer = BytesIO()
    PILImage.new("RGB", (64, 48), (200, 60, 40)).save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name="banner.png")


@pytest.fixture
def bureau():
    """One account per bureau role, an entry in review, notices with revisions (one
    locked), an image and a document; all names in Chinese, as the bureau types them."""
    users = {role: UserFactory(groups=[group]) for role, group in [
        ("reviewer", Role.REVIEWER), ("checker", Role.CHECK_OFFICER),
        ("manager", Role.MANAGER), ("editor", Role.EDITOR)]}
    users["superuser"] = UserFactory(is_superuser=True, is_staff=True)
    for user in users.values():
        user.last_name = "王"
        user.save()
    provider = complete_application()
    provider = run(run(provider, "submit", by=provider.owner), "start_review",
                   by=users["reviewer"])
    home = HomePage.objects.get()
    index = notice_index()
    notice = NoticePage(title="新学期课后服务工作部署会召开", body="<p>要求各校用好备选清单。</p>")
    index.add_child(instance=notice)
    notice.save_revision(user=users["editor"]).publish(user=users["editor"])
    notice.title = "新学期课后服务工作部署会"
    notice.save_revision(user=users["editor"])
    locked = NoticePage(title="遴选公告", body="<p>面向社会公开遴选。</p>")
    index.add_child(instance=locked)
    locked.save_revision(user=users["editor"]).publish(user=users["editor"])
    locked.locked, locked.locked_by, locked.locked_at = True, users["editor"], timezone.now()
    locked.save()
    image = Image.objects.create(title="课后服务宣传图", file=png(),
                                 uploaded_by_user=users["editor"])
    document = Document.objects.create(title="课后服务工作指引", uploaded_by_user=users["editor"],
                                       file=ContentFile(TINY_PDF, name="guide.pdf"))
    return {"users": users, "provider": provider, "home": home, "index": index,
            "notice": notice, "locked": locked, "image": image, "document": document}


# Labels Wagtail derives from field names without gettext, on screens only a superuser
# opens: the columns of the list of sites (wagtail/sites/views.py) and the screen-reader
# label of a group's page-permission chooser (wagtail/users/forms.py).
NAMED_BY_FIELD = {reverse_lazy("wagtailsites:index"): {"Port", "Site name", "Root page"},
                  reverse_lazy("wagtailusers_groups:index"): {"Page"}}


def user_data(bureau) -> frozenset[str]:
    """What is data rather than the catalogue: account and file names, the host name, the
    roles' group names (the roles' codes, ``Role``), and Django's stored permission names,
    which screen readers read beside the permission checkboxes of a group."""
    data = set(Role.values) | {"localhost"}
    data |= set(Permission.objects.values_list("name", flat=True))
    for user in bureau["users"].values():
        data |= {user.username, user.get_full_name()}
    data |= {bureau["image"].file.name.rsplit("/", 1)[-1],
             bureau["document"].file.name.rsplit("/", 1)[-1]}
    return frozenset(data)


def screens(bureau, role) -> list[str]:
    """The admin screens a user in ``role`` opens in a working day."""
    home, index, notice = bureau["home"], bureau["index"], bureau["notice"]
    everyone = [reverse("wagtailadmin_home"), reverse("wagtailadmin_account"),
                reverse("wagtailadmin_pages:search") + "?q=课后"]
    admissions = [reverse("admissions:queue"), reverse("admissions:queue") + "?tab=all",
                  reverse("admissions:entry", args=[bureau["provider"].pk])]
    revisions = list(notice.revisions.order_by("pk").values_list("pk", flat=True))
    editing = [
        reverse("wagtailadmin_explore_root"),
        reverse("wagtailadmin_explore", args=[home.pk]),
        reverse("wagtailadmin_explore", args=[index.pk]),
        reverse("wagtailadmin_pages:edit", args=[home.pk]),
        reverse("wagtailadmin_pages:edit", args=[notice.pk]),
        reverse("wagtailadmin_pages:edit", args=[bureau["locked"].pk]),
        reverse("wagtailadmin_pages:add_subpage", args=[index.pk]),
        reverse("wagtailadmin_pages:add", args=["cms", "noticepage", index.pk]),
        # a notice without a title: the form comes back with its errors
        ("post", reverse("wagtailadmin_pages:add", args=["cms", "noticepage", index.pk]),
         {"title": "", "slug": "", "kind": "general", "published_on": "2026-09-01",
          "body": '{"blocks": [], "entityMap": {}}', "comments-TOTAL_FORMS": "0",
          "comments-INITIAL_FORMS": "0", "comments-MIN_NUM_FORMS": "0",
          "comments-MAX_NUM_FORMS": "1000"}),
        reverse("wagtailadmin_pages:history", args=[notice.pk]),
        reverse("wagtailadmin_pages:revisions_index", args=[notice.pk]),
        reverse("wagtailadmin_pages:revisions_view", args=[notice.pk, revisions[0]]),
        reverse("wagtailadmin_pages:revisions_compare",
                args=[notice.pk, revisions[0], revisions[-1]]),
        reverse("wagtailadmin_pages:unpublish", args=[notice.pk]),
        reverse("wagtailadmin_pages:delete", args=[notice.pk]),
        reverse("wagtailadmin_pages:move", args=[notice.pk]),
        reverse("wagtailadmin_pages:copy", args=[notice.pk]),
        reverse("wagtailadmin_pages:usage", args=[notice.pk]),
        reverse("wagtailadmin_pages:set_privacy", args=[notice.pk]),
        reverse("wagtailimages:index"),
        reverse("wagtailimages:index") + "?ordering=-usage_count",
        reverse("wagtailimages:add"),
        reverse("wagtailimages:add_multiple"),
        reverse("wagtailimages:edit", args=[bureau["image"].pk]),
        reverse("wagtailimages:image_usage", args=[bureau["image"].pk]),
        reverse("wagtaildocs:index"),
        reverse("wagtaildocs:add"),
        reverse("wagtaildocs:add_multiple"),
        reverse("wagtaildocs:edit", args=[bureau["document"].pk]),
        reverse("wagtailsnippets:index"),
        reverse("wagtailadmin_reports:locked_pages"),
        reverse("wagtailadmin_reports:aging_pages"),
        reverse("wagtailadmin_reports:site_history"),
        reverse("wagtailadmin_reports:page_types_usage"),
    ]
    settings_screens = [
        reverse("wagtailusers_users:index"), reverse("wagtailusers_users:add"),
        reverse("wagtailusers_users:edit", args=[bureau["users"]["editor"].pk]),
        reverse("wagtailusers_groups:index"), reverse("wagtailusers_groups:add"),
        reverse("wagtailusers_groups:edit", args=[Group.objects.get(name=Role.EDITOR).pk]),
        reverse("wagtailsettings:edit", args=["marketplace", "bureausettings"]),
        reverse("wagtailsites:index"), reverse("wagtailadmin_collections:index"),
        reverse("wagtailredirects:index"), reverse("wagtailredirects:add"),
        reverse("wagtailadmin_workflows:index"), reverse("wagtailadmin_workflows:task_index"),
        reverse("wagtailadmin_reports:workflow"), reverse("wagtailadmin_reports:workflow_tasks"),
    ]
    return {
        "reviewer": everyone + admissions,
        "checker": everyone + admissions,
        "manager": everyone + admissions,
        "editor": everyone + editing,
        "superuser": everyone + admissions + editing + settings_screens,
    }[role]


ROLES = ["reviewer", "checker", "manager", "editor", "superuser"]


def report(untranslated: dict[str, list[str]]) -> str:
    lines = [f"{len(set(sum(untranslated.values(), [])))} untranslated texts:"]
    for url, runs in untranslated.items():
        lines += [url] + [f"    {text}" for text in dict.fromkeys(runs)]
    return "\n".join(lines)


def open_screen(client, screen):
    if isinstance(screen, str):
        return screen, client.get(screen, follow=True)
    _method, url, data = screen
    return f"{url} (POST)", client.post(url, data, follow=True)


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_screen_of_each_bureau_role_reads_in_chinese(client, bureau, role):
    client.force_login(bureau["users"][role])
    data = user_data(bureau)
    untranslated = {}
    for screen in screens(bureau, role):
        url, response = open_screen(client, screen)
        assert response.status_code == 200, url
        named_by_field = next((labels for prefix, labels in NAMED_BY_FIELD.items()
                               if url.startswith(str(prefix))), set())
        found = english_in_html(readable_html(response), data | named_by_field)
        if found:
            untranslated[url] = found
    assert not untranslated, report(untranslated)


def test_a_notice_that_fails_validation_says_so_in_chinese(client, bureau):
    client.force_login(bureau["users"]["editor"])
    post = next(s for s in screens(bureau, "editor") if not isinstance(s, str))
    _url, response = open_screen(client, post)
    assert "页面未通过校验，未能创建。" in response.content.decode()
    assert "The page could not be created" not in response.content.decode()


def test_the_admin_menu_calls_pages_pages_not_pagination(client, bureau):
    client.force_login(bureau["users"]["editor"])
    body = client.get(reverse("wagtailadmin_home")).content.decode()
    props = body.split('id="wagtail-sidebar-props" type="application/json">')[1]
    menu = json.loads(props.split("</script>")[0])
    labels = json.dumps(menu, ensure_ascii=False)
    assert '"label": "页面"' in labels and "分页" not in labels


def test_every_string_of_the_admin_script_catalogue_is_chinese(client, bureau):
    """What Wagtail's scripts translate for themselves (autosave, the explorer, minimap)
    comes from the JavaScript catalogue: each of its English messages has Chinese."""
    import wagtail

    client.force_login(bureau["users"]["editor"])
    source = polib.pofile(f"{wagtail.__path__[0]}/admin/locale/en/LC_MESSAGES/djangojs.po")
    catalog = client.get(reverse("wagtailadmin_javascript_catalog")).content.decode()
    translations = json.loads(catalog.split("const newcatalog = ")[1].split(";\n")[0])
    missing = [e.msgid for e in source if e.msgid not in translations
               or holds_english(str(translations[e.msgid]))]
    assert missing == []


@pytest.mark.parametrize("html, english", [
    ('<input type="text" placeholder="Search all pages…">', True),
    ("<h1>Exploring: Root</h1>", True),
    ('<div class="w-autosave">Autosave is <span>paused</span></div>', True),
    ('<select><option value="created_at">Oldest</option></select>', True),
    ('<script id="wagtail-sidebar-props" type="application/json">'
     '{"items": [{"label": "Pages"}]}</script>', True),
    ('<nav aria-label="Actions"></nav>', True),
    ('<input type="text" placeholder="搜索全部页面…">', False),
    ("<p>Ctrl + Shift + v：粘贴为纯文本（PDF，12 KB）</p>", False),
    ("<td>cms.noticepage</td><td>Asia/Shanghai</td><td>52330108000000004A</td>", False),
])
def test_the_detector_finds_english_a_reader_would_see(html, english):
    assert bool(english_in_html(html)) is english
