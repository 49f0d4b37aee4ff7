"""The outbox (workflows/outbox.py) and what is put in it: no one-time link is kept in a
side effect's arguments, one bad row does not hold up the others, a second worker does not
wait for a row another is delivering, and every effect is recorded in the transaction of
the change it follows."""

import datetime as dt
import json
import logging
import re
import threading

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail import get_connection
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cms.publishing import sync_provider_page
from marketplace.admission import services
from marketplace.admission.expiry import enforce_expiry
from marketplace.choices import SignatureParty
from marketplace.models import Provider, Signature
from marketplace.roles import Role
from marketplace.tasks import send_password_reset, send_registration_confirmation
from tests.factories import (
    BackgroundCheckFactory,
    CredentialFactory,
    PersonFactory,
    ProviderFactory,
    UserFactory,
    complete_application,
)
from workflows import outbox
from workflows.admission import AdmissionState as S
from workflows.models import SideEffect
from workflows.tasks import send_email
from workflows.transitions import run, timeline

pytestmark = pytest.mark.django_db

PASSWORD = "Lan-shan-2026!"


def stored_arguments() -> str:
    return json.dumps([effect.args for effect in SideEffect.objects.all()], ensure_ascii=False)


# --- one-time links are made by the worker, never kept in the outbox ---------------------------
def test_a_password_reset_keeps_no_link_in_the_outbox_and_the_mailed_link_works(
        django_capture_on_commit_callbacks):
    user = UserFactory(email="reset.me@demo.example.cn")
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": user.email})
    assert response["Location"] == reverse("password_reset_done")

    [message] = mail.outbox
    assert message.to == [user.email]
    path, uid, token = re.search(r"https?://testserver(/accounts/reset/([^/\s]+)/([^/\s]+)/)",
                                 message.body).groups()
    [effect] = SideEffect.objects.all()
    assert effect.task == send_password_reset.name and effect.done_at is not None
    assert effect.args[0] == [user.pk]  # the account's id, nothing that opens it
    stored = stored_arguments()
    assert token not in stored and "/accounts/reset/" not in stored and uid not in stored

    response = client.get(path, follow=True)
    set_password_url = response.redirect_chain[-1][0]
    response = client.post(set_password_url, {"new_password1": "New-secret-2026",
                                              "new_password2": "New-secret-2026"})
    assert response["Location"] == reverse("password_reset_complete")
    assert get_user_model().objects.get(pk=user.pk).check_password("New-secret-2026")


def test_an_unknown_address_makes_the_same_request_and_gets_no_email(
        django_capture_on_commit_callbacks):
    """Known or not, the request records one effect and hands it over, and the answer is
    the same; only the worker finds there is nobody to write to."""
    UserFactory(email="known@demo.example.cn")
    answers = []
    for address in ("known@demo.example.cn", "nobody@demo.example.cn"):
        with django_capture_on_commit_callbacks(execute=True) as hooks:
            response = Client().post(reverse("password_reset"), {"email": address})
        answers.append((response.status_code, response["Location"], len(hooks)))
    assert answers[0] == answers[1]
    known, unknown = SideEffect.objects.order_by("pk")
    assert known.task == unknown.task == send_password_reset.name
    assert unknown.args[0] == [] and unknown.done_at is not None
    assert [m.to for m in mail.outbox] == [["known@demo.example.cn"]]
    assert "nobody" not in stored_arguments()


def test_the_reset_email_is_written_in_the_language_of_the_request(
        django_capture_on_commit_callbacks):
    user = UserFactory()
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": user.email})
    [message] = mail.outbox
    assert "Open this link to choose a new password" in message.body


def test_an_account_deactivated_before_the_email_is_sent_gets_no_link(
        django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks() as hooks:
        Client().post(reverse("password_reset"), {"email": user.email})
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    for hook in hooks:
        hook()
    assert mail.outbox == []
    assert SideEffect.objects.get().done_at is not None


def test_registration_keeps_no_link_in_the_outbox_and_the_mailed_link_works(
        django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("vendor:register"), {
            "email": "new.vendor@demo.example.cn", "display_name": "李明",
            "phone": "13812345678", "password1": PASSWORD, "password2": PASSWORD})
    assert response["Location"] == reverse("vendor:register_done")
    user = get_user_model().objects.get(email="new.vendor@demo.example.cn")

    [message] = mail.outbox
    assert message.to == [user.email]
    path, token = re.search(r"https?://testserver(/vendor/register/confirm/([^/\s]+)/)",
                            message.body).groups()
    [effect] = SideEffect.objects.all()
    assert effect.task == send_registration_confirmation.name
    assert effect.args[0] == user.pk
    stored = stored_arguments()
    assert token not in stored and "/register/confirm/" not in stored

    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response["Location"] == reverse("vendor:home")
    assert get_user_model().objects.get(pk=user.pk).is_active


def test_a_registration_confirmed_before_its_email_is_sent_gets_no_link(
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as hooks:
        Client().post(reverse("vendor:register"), {
            "email": "quick@demo.example.cn", "display_name": "李明",
            "phone": "13812345678", "password1": PASSWORD, "password2": PASSWORD})
    get_user_model().objects.filter(email="quick@demo.example.cn").update(is_active=True)
    for hook in hooks:
        hook()
    assert mail.outbox == []


# --- delivery ------------------------------------------------------------------------------
def test_smtp_connections_give_up_after_a_timeout():
    connection_ = get_connection("django.core.mail.backends.smtp.EmailBackend")
    assert settings.EMAIL_TIMEOUT and connection_.timeout == settings.EMAIL_TIMEOUT


@pytest.mark.skipif("not connection.features.has_select_for_update_skip_locked",
                    reason="SKIP LOCKED: PostgreSQL (SQLite locks the whole database)")
@pytest.mark.django_db(transaction=True)
def test_a_second_worker_skips_an_effect_another_is_delivering():
    effect = SideEffect.objects.create(key="t:busy", task=send_email.name,
                                       args=[["school@example.cn"], "预约已确认", "已确认。"])
    locked, release = threading.Event(), threading.Event()

    def first_worker():  # holds the row, as a worker sending its e-mail does
        try:
            with transaction.atomic():
                SideEffect.objects.select_for_update().get(pk=effect.pk)
                locked.set()
                release.wait(60)
        finally:
            connection.close()

    holder = threading.Thread(target=first_worker)
    holder.start()
    assert locked.wait(60)
    with connection.cursor() as cursor:  # waiting would end in an error, not hang the suite
        cursor.execute("SET lock_timeout = '10s'")
    try:
        redelivered = send_email.apply(args=effect.args, kwargs={"effect_id": effect.pk})
        assert redelivered.get() is None
    finally:
        release.set()
        holder.join()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert mail.outbox == []
    effect.refresh_from_db()
    assert effect.done_at is None  # still pending: if the first worker fails, it comes again


def test_a_row_naming_an_unknown_task_does_not_hold_up_the_rows_after_it(caplog):
    before = timezone.now() - dt.timedelta(minutes=5)
    broken = SideEffect.objects.create(key="t:broken", task="marketplace.tasks.retired_task",
                                       args=["110101199003077777"], created_at=before)
    fine = SideEffect.objects.create(key="t:fine", task=send_email.name,
                                     args=[["school@example.cn"], "预约已确认", "已确认。"],
                                     created_at=before + dt.timedelta(seconds=1))

    with caplog.at_level(logging.INFO, logger="workflows.outbox"):
        assert outbox.redispatch() == (1, 0)

    fine.refresh_from_db()
    broken.refresh_from_db()
    assert fine.done_at is not None and [m.to for m in mail.outbox] == [["school@example.cn"]]
    assert broken.done_at is None and broken.attempts == 1
    assert broken.last_error == "unregistered task marketplace.tasks.retired_task"
    assert "retired_task" in caplog.text and "110101199003077777" not in caplog.text
    # tried again on later rounds, each counted, until it is left for a person
    assert outbox.redispatch(everything=True) == (0, 0)
    assert SideEffect.objects.get(pk=broken.pk).attempts == 2


# --- recorded with the change they follow --------------------------------------------------------
@pytest.fixture
def in_contract(django_capture_on_commit_callbacks):
    provider = complete_application(state=S.BACKGROUND_CHECK)
    for person in provider.active_people():
        BackgroundCheckFactory(person=person)
    with django_capture_on_commit_callbacks(execute=True):  # the agreement PDF is made
        run(provider, "confirm_checks", by=UserFactory(groups=[Role.CHECK_OFFICER]))
    manager = UserFactory(groups=[Role.MANAGER])
    mail.outbox.clear()
    return Provider.objects.get(pk=provider.pk), manager


def vendor_signs(provider):
    return services.sign_agreement(provider.admission_agreement(), by=provider.owner,
                                   party=SignatureParty.VENDOR, typed_name="王建华",
                                   consent=True, ip_address="10.0.0.8")


def countersign_effects():
    return SideEffect.objects.filter(key__endswith=":countersign")


def test_the_countersign_email_is_recorded_in_the_transaction_of_the_signature(
        in_contract, django_capture_on_commit_callbacks):
    provider, manager = in_contract
    with django_capture_on_commit_callbacks() as hooks:  # committed, hooks not yet run
        signature = vendor_signs(provider)
    [effect] = countersign_effects()
    assert effect.key == f"signature:{signature.pk}:countersign"
    assert effect.args[0] == [manager.email]

    for hook in hooks:
        hook()
    assert outbox.redispatch(everything=True) == (0, 0)
    assert [m.to for m in mail.outbox] == [[manager.email]]
    assert countersign_effects().get().done_at is not None


def test_a_signature_rolled_back_leaves_no_countersign_email(
        in_contract, django_capture_on_commit_callbacks):
    provider, _manager = in_contract
    with (django_capture_on_commit_callbacks(execute=True), pytest.raises(DatabaseError),
          transaction.atomic()):
        vendor_signs(provider)
        raise DatabaseError("the request failed after signing")
    assert not Signature.objects.filter(contract__provider=provider).exists()
    assert not countersign_effects().exists() and mail.outbox == []


TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def listed_expiring():
    provider = ProviderFactory(owner=UserFactory(groups=[Role.VENDOR]), listed=True)
    CredentialFactory(provider=provider, type="business_licence", verified=True,
                      expires_on=TODAY + dt.timedelta(days=20))
    CredentialFactory(provider=provider, type="school_permit", verified=True)
    BackgroundCheckFactory(person=PersonFactory(provider=provider),
                           checked_on=TODAY - dt.timedelta(days=100))
    sync_provider_page(provider)
    return provider


def test_an_expiry_warning_whose_email_is_not_recorded_is_not_recorded_either(
        listed_expiring, monkeypatch, django_capture_on_commit_callbacks):
    schedule = outbox.schedule

    def outbox_fails(*args, **kwargs):
        raise DatabaseError("the outbox row could not be written")

    monkeypatch.setattr(outbox, "schedule", outbox_fails)
    with pytest.raises(DatabaseError):
        enforce_expiry(TODAY)
    assert not timeline(listed_expiring, staff=True).filter(action="expiry_warning").exists()

    monkeypatch.setattr(outbox, "schedule", schedule)
    with django_capture_on_commit_callbacks(execute=True):
        assert enforce_expiry(TODAY)["warned"] == 1  # the next run warns after all
    assert [m.to for m in mail.outbox] == [[listed_expiring.owner.email]]
    warning = timeline(listed_expiring, staff=True).get(action="expiry_warning")
    assert SideEffect.objects.get(entry=warning).done_at is not None
