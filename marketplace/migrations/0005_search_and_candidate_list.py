import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import marketplace.models


def fill_search_documents(apps, schema_editor):
    from django.utils import translation

    from marketplace.choices import Category
    from marketplace.search import document_tokens

    Offering = apps.get_model("marketplace", "Offering")
    batch = []
    for offering in Offering.objects.select_related("provider").iterator():
        labels = []
        for language in ("zh-hans", "en"):
            with translation.override(language):
                labels.append(str(Category(offering.category).label))
        offering.search_document = document_tokens(
            offering.title, offering.provider.name, *labels, offering.outline,
            offering.materials)
        batch.append(offering)
    Offering.objects.bulk_update(batch, ["search_document"], batch_size=500)


# PostgreSQL keeps the token document as a stored tsvector ('simple' configuration: no
# stemming, no stop words) with a GIN index; SQLite matches the same tokens with LIKE.
ADD_VECTOR = """
ALTER TABLE marketplace_offering ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(search_document, '')))
    STORED;
CREATE INDEX offering_search_gin ON marketplace_offering USING gin (search_vector);
"""
DROP_VECTOR = """
DROP INDEX IF EXISTS offering_search_gin;
ALTER TABLE marketplace_offering DROP COLUMN IF EXISTS search_vector;
"""


def add_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD_VECTOR)


def remove_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_VECTOR)


class Migration(migrations.Migration):

    dependencies = [
        ("marketplace", "0004_reapply_allowed_by"),
    ]

    operations = [
        migrations.AddField(
            model_name="offering",
            name="search_document",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill_search_documents, migrations.RunPython.noop),
        migrations.RunPython(add_search_vector, remove_search_vector),
        migrations.CreateModel(
            name="CandidateList",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.PositiveIntegerField(unique=True, verbose_name="version")),
                ("published_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="published at")),
                ("reason", models.CharField(blank=True, max_length=200, verbose_name="reason")),
                ("entries", models.JSONField(default=list, verbose_name="entries")),
                ("provider_count", models.PositiveIntegerField(default=0, verbose_name="providers")),
                ("offering_count", models.PositiveIntegerField(default=0, verbose_name="offerings")),
                ("pdf", models.FileField(blank=True, upload_to=marketplace.models.candidate_list_path, verbose_name="PDF")),
                ("xlsx", models.FileField(blank=True, upload_to=marketplace.models.candidate_list_path, verbose_name="Excel workbook")),
                ("transition_id", models.PositiveBigIntegerField(blank=True, editable=False, help_text="The timeline entry whose transition made this version, if any.", null=True, unique=True)),
            ],
            options={
                "verbose_name": "candidate list version",
                "verbose_name_plural": "candidate list versions",
                "ordering": ["-version"],
            },
        ),
    ]
