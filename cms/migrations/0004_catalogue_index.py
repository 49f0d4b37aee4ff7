from django.db import migrations


def create_catalogue(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    HomePage = apps.get_model("cms", "HomePage")
    CatalogueIndexPage = apps.get_model("cms", "CatalogueIndexPage")
    Page = apps.get_model("wagtailcore", "Page")
    if CatalogueIndexPage.objects.exists():
        return
    home = HomePage.objects.first()
    if home is None:
        return
    page_type, _ = ContentType.objects.get_or_create(model="catalogueindexpage", app_label="cms")
    last = Page.objects.filter(path__startswith=home.path, depth=home.depth + 1) \
        .order_by("-path").first()
    step = int(last.path[-4:], 36) + 1 if last else 1
    suffix = ""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for _ in range(4):
        step, digit = divmod(step, 36)
        suffix = alphabet[digit] + suffix
    CatalogueIndexPage.objects.create(
        title="服务资源目录", draft_title="服务资源目录", slug="catalogue",
        content_type=page_type, path=home.path + suffix, depth=home.depth + 1, numchild=0,
        url_path=home.url_path + "catalogue/", live=True, locale_id=home.locale_id,
        intro="<p>经区教育局审核入选的课后服务校外资源，学校只能从本清单中选择服务提供方。</p>",
    )
    Page.objects.filter(pk=home.pk).update(numchild=home.numchild + 1)


class Migration(migrations.Migration):
    dependencies = [("cms", "0003_catalogueindexpage_providerpage")]

    operations = [migrations.RunPython(create_catalogue, migrations.RunPython.noop)]
