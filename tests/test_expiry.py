"""Mandatory credentials and checks: warned 30 days ahead, suspended on expiry."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from cms.publishing import sync_provider_page
from marketplace.admission.expiry import enforce_expiry
from marketplace.roles import Role
from tests.factories import (
    BackgroundCheckFactory,
    CredentialFactory,
    PersonFactory,
    ProviderFactory,
    UserFactory,
)
from workflows.admission import AdmissionState as S
from workflows.transitions import timeline

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_immediately")]

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def listed():
    provider = ProviderFactory(owner=UserFactory(groups=[Role.VENDOR]), listed=True)
    CredentialFactory(provider=provider, type="business_licence", verified=True,
                      expires_on=TODAY + dt.timedelta(days=200))
    CredentialFactory(provider=provider, type="school_permit", verified=True)
    person = PersonFactory(provider=provider)
    BackgroundCheckFactory(person=person, checked_on=TODAY - dt.timedelta(days=100))
    sync_provider_page(provider)
    return provider


def test_nothing_happens_while_everything_is_valid(listed):
    assert enforce_expiry(TODAY) == {"warned": 0, "suspended": 0}


def test_the_vendor_is_warned_once_thirty_days_ahead(listed):
    licence = listed.credentials.get(type="business_licence")
    licence.expires_on = TODAY + dt.timedelta(days=20)
    licence.save()
    mail.outbox.clear()
    assert enforce_expiry(TODAY)["warned"] == 1
    assert enforce_expiry(TODAY + dt.timedelta(days=1))["warned"] == 0  # not twice
    assert [m.to for m in mail.outbox] == [[listed.owner.email]]
    warning = timeline(listed, staff=False).get(action="expiry_warning")
    assert "营业执照" in warning.item and str(licence.expires_on) in warning.comment
    listed.refresh_from_db()
    assert listed.state == S.LISTED


def test_an_expired_check_suspends_the_entry_and_takes_its_page_down(listed):
    person = listed.active_people().get()
    BackgroundCheckFactory(person=person, checked_on=TODAY - dt.timedelta(days=400))
    person.checks.exclude(checked_on=TODAY - dt.timedelta(days=400)).delete()
    assert enforce_expiry(TODAY)["suspended"] == 1
    listed.refresh_from_db()
    assert listed.state == S.SUSPENDED
    entry = timeline(listed, staff=False).get(action="suspend")
    assert entry.actor is None and entry.reason == "expired" and person.full_name in entry.comment
    assert not listed.page.live


def test_an_expired_mandatory_credential_suspends_the_entry(listed):
    licence = listed.credentials.get(type="business_licence")
    licence.expires_on = timezone.localdate() - dt.timedelta(days=1)
    licence.save()
    assert enforce_expiry()["suspended"] == 1
