"""The demo seed (``manage.py seed_marketplace``): its data comes from the files beside
the command, every provider reaches its state through the workflow's entry point the way
people would, and a second run changes nothing.

The seed runs twice, once for the module, with real commits (its side effects run when
each entry's transaction commits, as in use); the database is put back afterwards. PDFs
are stubbed: rendering a hundred of them is most of the seed's time, and rendering has
tests of its own.
"""

import datetime as dt
import io
import itertools
from collections import Counter
from unittest import mock

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management import call_command
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone
from django_fsm_log.models import StateLog

from cms.models import NoticePage, ProviderPage
from marketplace.choices import Category, NoticeKind, ProviderKind, VerificationState
from marketplace.management.commands._seed_values import DEMO
from marketplace.models import (
    BackgroundCheck,
    CandidateList,
    Credential,
    Offering,
    Provider,
    School,
    Signature,
)
from marketplace.roles import Role
from tests.conftest import S3_CONFIGURED
from tests.factories import _tiny_pdf
from workflows.admission import AdmissionState as S
from workflows.checks import CheckState
from workflows.models import SideEffect, TimelineEntry
from workflows.transitions import transitions_of

pytestmark = pytest.mark.django_db  # each test reads the seeded rows in its own transaction

PASSWORD = "demo-pass-2026"
LISTING_BATCHES = {dt.date.fromisoformat(day) for day in DEMO["admission"]["listing_batches"]}


def snapshot() -> dict:
    """What the seed leaves behind: rows per model, and each entry's state and history."""
    models = [*apps.get_app_config("marketplace").get_models(), TimelineEntry, StateLog,
              SideEffect, NoticePage, ProviderPage, get_user_model()]
    return {
        "rows": {model.__name__: model.objects.count() for model in models},
        "providers": sorted(Provider.objects.values_list(
            "name", "state", "listed_on", "credit_code", "contact_phone", "owner__username")),
        "offerings": sorted(Offering.objects.values_list(
            "provider__name", "title", "price_per_session", "capacity", "review")),
        "credentials": sorted(Credential.objects.values_list(
            "provider__name", "type", "number", "verification", "reviewed_at")),
        "timeline": sorted(TimelineEntry.objects.values_list(
            "object_id", "action", "target_state", "created_at")),
    }


def every_row() -> str:
    """The database as JSON, content types first, like Django's serialized rollback keeps
    it. Made here because ``serialize_db_to_string`` skips apps whose ``models_module``
    is unset, and ``marketplace.roles.sync_roles(apps)`` unsets it on the live registry."""
    models = sorted((m for m in apps.get_models() if m._meta.can_migrate(connection)),
                    key=lambda m: m is not ContentType)
    return serializers.serialize("json", itertools.chain.from_iterable(
        m._base_manager.order_by(m._meta.pk.name).iterator() for m in models))


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The seed run twice on the test database, committed; the snapshots after each run."""
    from config.celery import app

    storages = dict(django_settings.STORAGES)
    folder = tmp_path_factory.mktemp("seed")
    if not S3_CONFIGURED:
        storages["default"] = {**storages["default"], "OPTIONS": {
            "location": str(folder / "public"), "base_url": "/media/"}}
        storages["private"] = {**storages["private"], "OPTIONS": {
            "location": str(folder / "private")}}
    eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    pdf = _tiny_pdf()
    with django_db_blocker.unblock(), override_settings(
            STORAGES=storages, MEDIA_ROOT=str(folder / "public")), mock.patch(
            "media.pdf.html_to_pdf", lambda html, base_url=None: pdf):
        baseline = every_row()
        try:
            call_command("seed_marketplace", stdout=io.StringIO())
            first = snapshot()
            call_command("seed_marketplace", stdout=io.StringIO())
            yield first, snapshot()
        finally:
            app.conf.task_always_eager = eager
            # As Django's serialized rollback does; sequences go on past the seeded rows.
            call_command("flush", interactive=False, verbosity=0, reset_sequences=False,
                         inhibit_post_migrate=True)
            connection.creation.deserialize_db_from_string(baseline)
            ContentType.objects.clear_cache()


def test_the_demo_has_its_schools_providers_offerings_and_a_login_per_role(seeded):
    assert School.objects.count() == 24
    assert Provider.objects.count() == 73
    assert set(Provider.objects.values_list("kind", flat=True)) == set(ProviderKind.values)
    assert set(Provider.objects.values_list("state", flat=True)) == set(S.values)
    assert Offering.objects.count() == 169
    assert set(Offering.objects.values_list("category", flat=True)) == set(Category.values)
    for role in Role:
        users = get_user_model().objects.filter(groups__name=role.value)
        assert users.exists(), role
        assert all(user.check_password(PASSWORD) for user in users), role
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(PASSWORD)


def test_every_provider_reached_its_state_step_by_step_through_the_entry_point(seeded):
    names = set(transitions_of(Provider))
    for provider in Provider.objects.all():
        logs = list(StateLog.objects.for_(provider).order_by("timestamp", "pk"))
        if provider.state == S.DRAFT:
            assert logs == [], provider.name
            continue
        assert logs, provider.name
        source = S.DRAFT
        for log in logs:  # an unbroken walk from draft, each step a real transition
            assert log.source_state == source, provider.name
            assert log.transition in names
            source = log.state
            entry = log.entry  # run() writes a timeline entry for every state change
            assert (entry.action, entry.target_state) == (log.transition, log.state)
        assert source == provider.state, provider.name


def test_item_decisions_are_on_the_timeline_as_the_portals_record_them(seeded):
    ctype = ContentType.objects.get_for_model(Provider)
    actions = Counter(TimelineEntry.objects.filter(content_type=ctype)
                      .values_list("object_id", "action"))
    for provider in Provider.objects.all():
        assert actions[(provider.pk, "created")] == 1
        credentials = provider.credentials.all()
        assert actions[(provider.pk, "credential_uploaded")] == credentials.count()
        reviewed = credentials.exclude(verification=VerificationState.PENDING)
        assert (actions[(provider.pk, "item_verified")] + actions[(provider.pk, "item_refused")]
                >= reviewed.count()), provider.name
    for check in BackgroundCheck.objects.exclude(state=CheckState.REQUESTED):
        assert StateLog.objects.for_(check).get().state == check.state
    for signature in Signature.objects.filter(contract__booking=None):
        assert actions[(signature.contract.provider_id, f"signed_{signature.party}")] == 1
    for provider in Provider.objects.filter(state__in=[S.LISTED, S.SUSPENDED, S.EXITED]):
        assert provider.agreement_signed_by_both(), provider.name


def test_every_listed_provider_named_in_public_has_a_published_page(seeded):
    live = set(ProviderPage.objects.live().values_list("provider__name", flat=True))
    listed = list(Provider.objects.filter(state=S.LISTED))
    assert live == {p.name for p in listed if p.is_public}  # retired teachers have none
    assert any(p.kind == ProviderKind.RETIRED_TEACHER for p in listed)
    assert CandidateList.objects.exists()
    assert NoticePage.objects.filter(provider__state=S.EXITED, kind=NoticeKind.EXIT).exists()


def test_the_history_lies_in_the_past_on_the_demo_dates(seeded):
    now = timezone.now()
    for entry in TimelineEntry.objects.select_related("statelog"):
        assert entry.created_at <= now
        if entry.statelog:
            assert entry.statelog.timestamp == entry.created_at
    for provider in Provider.objects.filter(state__in=[S.LISTED, S.SUSPENDED, S.EXITED]):
        listing = StateLog.objects.for_(provider).get(transition="approve_listing")
        assert provider.listed_on in LISTING_BATCHES, provider.name
        assert timezone.localdate(listing.timestamp) == provider.listed_on
    assert not Provider.objects.exclude(state__in=[S.LISTED, S.SUSPENDED, S.EXITED]).exclude(
        listed_on=None).exists()


def test_a_second_run_changes_nothing(seeded):
    first, second = seeded
    assert first["rows"]["Provider"] == 73
    assert second == first
