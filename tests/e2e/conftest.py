import importlib

import pytest
from django.apps import apps


def _wagtail_roots():
    """What Wagtail's own data migrations create: a locale, the root page, the root
    collection."""
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page

    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    if not Page.objects.filter(depth=1).exists():
        Page.add_root(instance=Page(title="Root", slug="root"))
    if not Collection.objects.filter(depth=1).exists():
        Collection.add_root(name="Root")


@pytest.fixture(autouse=True)
def _migration_data(transactional_db):
    """Browser tests run against a database that is flushed between tests; put back what
    the data migrations create (roles, the home page, the catalogue) before each."""
    from django.contrib.contenttypes.models import ContentType

    from marketplace.roles import sync_roles

    ContentType.objects.clear_cache()  # the flush re-created content types with new ids
    _wagtail_roots()
    sync_roles(apps)
    importlib.import_module("cms.migrations.0002_home_page").create_home(apps, None)
    importlib.import_module("cms.migrations.0004_catalogue_index").create_catalogue(apps, None)
