"""Replace Wagtail's welcome page with the HomePage and let the editor role edit the site."""

from django.db import migrations

EDITOR_GROUP = "bureau_editor"
PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
COLLECTION_PERMISSIONS = [
    ("wagtailimages", "add_image"), ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"), ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"), ("wagtaildocs", "choose_document"),
]


def create_home(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    HomePage = apps.get_model("cms", "HomePage")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    if HomePage.objects.exists():
        return
    Page.objects.filter(depth=2, slug="home").delete()
    home_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="cms")
    root = Page.objects.get(depth=1)
    home = HomePage.objects.create(
        title="首页", draft_title="首页", slug="home", content_type=home_type,
        path=root.path + "0001", depth=2, numchild=0, url_path="/home/", live=True,
        locale_id=root.locale_id,
        intro="<p>区教育局公开遴选的课后服务校外资源：培训机构、场馆基地、专业人员与退休教师。"
              "学校只能从备选清单中选择服务提供方。</p>",
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", root_page=home, is_default_site=True,
                        site_name="课后服务资源平台")

    editors, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    page_type = ContentType.objects.get(app_label="wagtailcore", model="page")
    for codename in PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=editors, page=home,
            permission=Permission.objects.get(content_type=page_type, codename=codename),
        )
    collection = Collection.objects.get(depth=1)
    for app_label, codename in COLLECTION_PERMISSIONS:
        GroupCollectionPermission.objects.get_or_create(
            group=editors, collection=collection,
            permission=Permission.objects.get(content_type__app_label=app_label,
                                              codename=codename),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("marketplace", "0002_roles"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_home, migrations.RunPython.noop)]
