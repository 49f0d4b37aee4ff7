"""Copy every notice (公示) of the old marketplace.Notice table into a NoticePage under
the notice section, so that no record is lost when the table goes; and take retired
teachers off the public site — their provider name is their own name, so their pages and
notices are kept but no longer live."""

from django.db import migrations
from django.utils import timezone
from django.utils.html import escape, linebreaks

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEP = 4


def _encode(number: int) -> str:
    digits = ""
    for _ in range(STEP):
        number, digit = divmod(number, len(ALPHABET))
        digits = ALPHABET[digit] + digits
    return digits


def _add_child(Page, parent, model, content_type, live=True, **fields):
    """treebeard's add_child for historical models: the next path under ``parent``."""
    last = Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1) \
        .order_by("-path").first()
    step = int(last.path[-STEP:], 36) + 1 if last else 1
    now = timezone.now()
    page = model.objects.create(
        content_type=content_type, path=parent.path + _encode(step), depth=parent.depth + 1,
        numchild=0, url_path=f"{parent.url_path}{fields['slug']}/", live=live,
        locale_id=parent.locale_id, draft_title=fields["title"], first_published_at=now,
        last_published_at=now, **fields,
    )
    Page.objects.filter(pk=parent.pk).update(numchild=parent.numchild + 1)
    parent.numchild += 1
    return page


def unpublish_retired_teachers(apps):
    Page = apps.get_model("wagtailcore", "Page")
    ProviderPage = apps.get_model("cms", "ProviderPage")
    private = ProviderPage.objects.filter(provider__kind="retired_teacher").values("pk")
    Page.objects.filter(pk__in=private).update(live=False)


def copy_notices(apps, schema_editor):
    unpublish_retired_teachers(apps)
    Notice = apps.get_model("marketplace", "Notice")
    if not Notice.objects.exists():
        return
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    HomePage = apps.get_model("cms", "HomePage")
    NoticeIndexPage = apps.get_model("cms", "NoticeIndexPage")
    NoticePage = apps.get_model("cms", "NoticePage")
    home = HomePage.objects.first()
    if home is None:
        return
    index = NoticeIndexPage.objects.first()
    if index is None:
        index = _add_child(
            Page, Page.objects.get(pk=home.pk), NoticeIndexPage,
            ContentType.objects.get_or_create(app_label="cms", model="noticeindexpage")[0],
            title="公示公告", slug="notices", show_in_menus=True,
        )
    parent = Page.objects.get(pk=index.pk)
    page_type = ContentType.objects.get_or_create(app_label="cms", model="noticepage")[0]
    for notice in Notice.objects.select_related("provider").order_by("published_on", "pk"):
        private = notice.provider is not None and notice.provider.kind == "retired_teacher"
        _add_child(
            Page, parent, NoticePage, page_type, live=not private, title=notice.title[:255],
            slug=f"{notice.kind}-{notice.provider_id or 0}-n{notice.pk}", kind=notice.kind,
            published_on=notice.published_on, provider_id=notice.provider_id,
            body=linebreaks(escape(notice.body)),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0005_public_sections"),
        ("marketplace", "0005_search_and_candidate_list"),
    ]

    operations = [migrations.RunPython(copy_notices, migrations.RunPython.noop)]
