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
    Booking,
    CandidateList,
    Credential,
    Offering,
    Provider,
    School,
    Signature,
    Term,
)
from marketplace.roles import Role
from tests.conftest import S3_CONFIGURED
from tests.factories import _tiny_pdf
from workflows.admission import AdmissionState as S
from workflows.booking import BookingState
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
    """The database as JSON, content types first: restoring them before the rows that
    name them keeps a save handler from creating one first (Django's own serialisation
    orders models by dependencies only)."""
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


def test_bookings_reach_every_state_step_by_step_through_the_entry_point(seeded):
    assert set(Booking.objects.values_list("state", flat=True)) == set(BookingState.values)
    for booking in Booking.objects.all():
        source = BookingState.REQUESTED
        for log in StateLog.objects.for_(booking).order_by("timestamp", "pk"):
            assert log.source_state == source, booking.pk
            source = log.state
        assert source == booking.state, booking.pk
        assert booking.first_date >= booking.term.starts_on
        assert booking.last_date <= booking.term.ends_on
    for booking in Booking.objects.filter(state__in=["agreed", "active", "completed"]):
        assert booking.service_agreement_signed_by_both(), booking.pk
        assert booking.schedule.exists()
        assert booking.people.exists()


def test_booking_history_is_in_order_and_past_sessions_are_marked(seeded):
    ctype = ContentType.objects.get_for_model(Booking)
    today, now = timezone.localdate(), timezone.now()
    for booking in Booking.objects.all():
        steps = list(TimelineEntry.objects.filter(content_type=ctype, object_id=booking.pk)
                     .exclude(action__startswith="session_").order_by("pk"))
        times = [entry.created_at for entry in steps]
        assert times == sorted(times) and times[-1] <= now, booking.pk
        assert not booking.schedule.filter(status="planned", date__lt=today).exists()
    missed = Booking.objects.get(offering__provider__name="滨江区飞跃跆拳道培训有限公司")
    assert missed.state == "completed"
    assert missed.schedule.filter(status="not_delivered").count() == 2
    assert missed.offering.provider.state == S.EXITED  # left the list after its term


def test_the_demo_school_can_book_right_away(seeded, client):
    term, today = Term.current(), timezone.localdate()
    assert term is not None and term.ends_on > today + dt.timedelta(days=21)
    coordinator = get_user_model().objects.get(username="school")
    school = coordinator.schools.get(level="primary")
    assert school.venues.count() >= 5
    offering = Offering.objects.filter(
        provider__state=S.LISTED, review=VerificationState.VERIFIED, delivery="in_school",
        grade_from__lte=3, grade_to__gte=3, capacity__gte=20, price_per_student_term=None,
    ).exclude(provider__in=Provider.objects.filter(offerings__bookings__isnull=False)
              ).order_by("pk").first()
    client.force_login(coordinator)
    form = client.get(f"/school/book/{offering.pk}/")
    assert form.status_code == 200 and term.name in form.content.decode()
    answer = client.post(f"/school/book/{offering.pk}/", {
        "school": school.pk, "term": term.pk, "grade_from": 3, "grade_to": 3,
        "student_count": 20, "delivery": "in_school",
        "venue": school.venues.get(name="多功能教室").pk,
        "price_per_session": offering.price_per_session,
        "first_date": today + dt.timedelta(days=7), "last_date": term.ends_on,
        "slot-TOTAL_FORMS": 1, "slot-INITIAL_FORMS": 0, "slot-MIN_NUM_FORMS": 0,
        "slot-MAX_NUM_FORMS": 5, "slot-0-weekday": 3, "slot-0-starts_at": "15:30",
        "slot-0-ends_at": "16:30"})
    booking = Booking.objects.get(school=school, offering=offering)
    assert answer.status_code == 302 and answer["Location"] == f"/school/bookings/{booking.pk}/"
