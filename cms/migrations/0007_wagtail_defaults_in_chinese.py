"""Names Wagtail's own data migrations give in English, shown to the bureau in the admin
("Exploring: Root", the collection "Root", "Submit to Moderators approval", the groups
"Editors" and "Moderators"), renamed in Chinese. Only names still at their default change."""

from django.db import migrations

ROOT_TITLE = ("Root", "根目录")  # the root page and the root collection
GROUPS = [("Editors", "网站编辑"), ("Moderators", "网站审核员")]
WORKFLOW = ("Moderators approval", "网站审核")
TASK = ("Moderators approval", "审核员审批")


def rename(apps, schema_editor, forward=True):
    Page = apps.get_model("wagtailcore", "Page")
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Task = apps.get_model("wagtailcore", "Task")
    Collection = apps.get_model("wagtailcore", "Collection")

    def pick(pair):
        return pair if forward else pair[::-1]

    old, new = pick(ROOT_TITLE)
    Page.objects.filter(depth=1, title=old).update(title=new, draft_title=new)
    Collection.objects.filter(depth=1, name=old).update(name=new)
    for pair in GROUPS:
        old, new = pick(pair)
        if not Group.objects.filter(name=new).exists():
            Group.objects.filter(name=old).update(name=new)
    old, new = pick(WORKFLOW)
    Workflow.objects.filter(name=old).update(name=new)
    old, new = pick(TASK)
    Task.objects.filter(name=old).update(name=new)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0006_notices_from_marketplace"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(rename, rename_back)]
