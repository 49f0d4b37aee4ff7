from django.db import migrations


def resync_roles(apps, schema_editor):
    from marketplace.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    """Notices are Wagtail pages now (cms.NoticePage); cms 0006 has copied every row."""

    dependencies = [
        ("marketplace", "0005_search_and_candidate_list"),
        ("cms", "0006_notices_from_marketplace"),
    ]

    operations = [
        migrations.DeleteModel(name="Notice"),
        # The roles lose the old model's permissions; editors keep their page permissions.
        migrations.RunPython(resync_roles, migrations.RunPython.noop),
    ]
