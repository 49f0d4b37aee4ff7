"""The broker (Redis) down when a transition commits: the transition stands, its side
effects wait in the outbox (workflows/outbox.py) and run once the broker is back —
exactly once: no second agreement PDF, no second e-mail.

"Down" is a real connection failure: the broker URL points at a closed port. "Back" is the
real Redis broker the suite is configured with (CI), consumed by a real Celery worker
started in the test; those tests skip on the embedded default, which has no broker.
"""

import contextlib
import socket
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from config.celery import app
from marketplace.choices import ContractKind
from marketplace.models import Contract, Provider
from marketplace.roles import Role
from marketplace.tasks import send_password_reset, send_registration_confirmation
from tests.factories import BackgroundCheckFactory, UserFactory, complete_application
from workflows import outbox
from workflows.admission import AdmissionState as S
from workflows.models import SideEffect, TimelineEntry
from workflows.tasks import send_email

pytestmark = pytest.mark.django_db
# A worker in another thread sees only committed rows.
committed = pytest.mark.django_db(transaction=True)

REAL_BROKER = settings.CELERY_BROKER_URL.startswith("redis://")
needs_real_broker = pytest.mark.skipif(
    not REAL_BROKER, reason="needs a real Redis broker (CELERY_BROKER_URL), as in CI")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def broker(monkeypatch):
    """Tasks go through a broker (no longer inline); ``point_at`` chooses which."""
    monkeypatch.setattr(app.conf, "task_always_eager", False)

    def point_at(url: str):
        # Celery reads CELERY_BROKER_URL from the environment before its configuration.
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        monkeypatch.setattr(app.conf, "broker_url", url)

    return point_at


@pytest.fixture
def ready_for_contract():
    """An entry in background checks whose people are all cleared, and a check officer."""
    restore_roles()
    provider = complete_application(state=S.BACKGROUND_CHECK)
    for person in provider.active_people():
        BackgroundCheckFactory(person=person)
    return provider, UserFactory(groups=[Role.CHECK_OFFICER])


def restore_roles():
    """Transactional tests flush the tables, roles included: put them back."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    from marketplace.roles import sync_roles

    ContentType.objects.clear_cache()
    sync_roles(apps)


def agreements(provider):
    return Contract.objects.filter(provider=provider, kind=ContractKind.ADMISSION)


def mails_to(address):
    return [m for m in mail.outbox if address in m.to]


def confirm_checks_with_the_broker_down(broker, provider, checker, capture):
    broker(f"redis://127.0.0.1:{closed_port()}/0")
    client = Client()
    client.force_login(checker)
    with capture(execute=True):  # commit hooks run as after a real commit
        return client.post(
            reverse("admissions:transition", args=[provider.pk, "confirm_checks"]),
            {"expected_state": S.BACKGROUND_CHECK})


def test_a_transition_stands_while_the_broker_is_down_and_its_effects_wait(
        broker, ready_for_contract, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(outbox, "_broker_down_until", 0.0)
    provider, checker = ready_for_contract
    mail.outbox.clear()

    response = confirm_checks_with_the_broker_down(broker, provider, checker,
                                                   django_capture_on_commit_callbacks)

    assert response.status_code == 302  # the user sees the change done, not an error
    assert Provider.objects.get(pk=provider.pk).state == S.CONTRACT
    entry = TimelineEntry.objects.get(object_id=provider.pk, action="confirm_checks")
    effects = {e.key: e for e in SideEffect.objects.filter(entry=entry)}
    assert set(effects) == {f"entry:{entry.pk}:agreement", f"entry:{entry.pk}:notify"}
    for effect in effects.values():
        assert effect.done_at is None and effect.dispatched_at is None
    # the first hand-over failed (not counted as an attempt: the broker was down); the next
    # one in this request did not wait for it again
    assert sorted((e.attempts, e.last_error) for e in effects.values()) == [
        (0, ""), (0, "OperationalError")]
    assert not agreements(provider).exists() and not mail.outbox

    # the redispatch command says the broker is still down and leaves them pending
    with pytest.raises(CommandError):
        call_command("redispatch_side_effects", "--all")
    assert SideEffect.objects.filter(entry=entry, done_at__isnull=True).count() == 2


def test_a_redelivered_effect_makes_no_second_agreement_or_email(
        ready_for_contract, django_capture_on_commit_callbacks):
    """Inline (the embedded default): the effects run at commit; delivering them again,
    as a broker may, is skipped."""
    from workflows.transitions import run

    provider, checker = ready_for_contract
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run(provider, "confirm_checks", by=checker)
    assert agreements(provider).count() == 1
    assert len(mails_to(provider.owner.email)) == 1
    effects = SideEffect.objects.filter(entry__object_id=provider.pk,
                                        entry__action="confirm_checks")
    assert effects.count() == 2 and not effects.filter(done_at__isnull=True).exists()

    attempts = sorted(effects.values_list("pk", "attempts"))

    # Each message delivered again, as a broker does after a lost acknowledgement: the task
    # runs and finds its effect done.
    for effect in effects:
        redelivered = app.tasks[effect.task].apply(
            args=effect.args, kwargs={"effect_id": effect.pk}, throw=True)
        assert redelivered.successful() and redelivered.get() is None
        assert outbox.dispatch(effect.pk) is True  # a done effect is not handed over again
    assert agreements(provider).count() == 1
    assert len(mails_to(provider.owner.email)) == 1
    assert sorted(effects.values_list("pk", "attempts")) == attempts

    # The same message without its effect would have sent the e-mail again.
    notice = effects.get(task=send_email.name)
    send_email.apply(args=notice.args, throw=True)
    assert len(mails_to(provider.owner.email)) == 2


def wait_until(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@needs_real_broker
@committed
def test_effects_left_pending_run_once_when_the_broker_is_back(broker, ready_for_contract):
    provider, checker = ready_for_contract
    mail.outbox.clear()
    response = confirm_checks_with_the_broker_down(broker, provider, checker,
                                                   lambda execute: contextlib.nullcontext())
    assert response.status_code == 302
    pending = SideEffect.objects.filter(entry__object_id=provider.pk, done_at__isnull=True)
    assert pending.count() == 2

    broker(settings.CELERY_BROKER_URL)  # the broker is back
    app.control.purge()  # nothing left over from other tests in this queue
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        call_command("redispatch_side_effects", "--all")
        call_command("redispatch_side_effects", "--all")  # twice: still once each
        assert wait_until(lambda: not pending.exists()), list(pending.values())

        # A message delivered again (a lost acknowledgement, an operator's re-run) ...
        for effect in SideEffect.objects.filter(entry__object_id=provider.pk):
            with app.connection_for_write() as connection:
                app.tasks[effect.task].apply_async(
                    args=effect.args, kwargs={"effect_id": effect.pk}, connection=connection)
        # ... is consumed before this marker, the solo worker taking them in order.
        send_email.delay(["marker@example.cn"], "marker", "marker")
        assert wait_until(lambda: mails_to("marker@example.cn"))

    assert agreements(provider).count() == 1 and agreements(provider).get().pdf
    assert len(mails_to(provider.owner.email)) == 1


def test_the_beat_task_hands_over_what_was_left_pending_and_forgets_old_effects():
    """Inline (tasks run at once): what beat's task picks and what it leaves."""
    from django.utils import timezone

    from workflows.tasks import redispatch_side_effects

    now = timezone.now()
    email = ([["school@example.cn"], "预约已确认", "您的预约已确认。"])
    left = SideEffect.objects.create(key="t:left", task=send_email.name, args=email,
                                     created_at=now - timedelta(minutes=2))
    just_made = SideEffect.objects.create(key="t:new", task=send_email.name, args=email)
    old = SideEffect.objects.create(key="t:old", task=send_email.name, args=email,
                                    created_at=now - timedelta(days=40),
                                    done_at=now - timedelta(days=40))
    mail.outbox.clear()

    assert redispatch_side_effects() == {"sent": 1, "broker_unreachable": False, "pruned": 1}

    left.refresh_from_db()
    just_made.refresh_from_db()
    assert left.done_at and left.attempts == 1
    assert just_made.attempts == 0  # its own commit hook hands it over
    assert not SideEffect.objects.filter(pk=old.pk).exists()
    assert len(mail.outbox) == 1
    assert redispatch_side_effects()["sent"] == 0 and len(mail.outbox) == 1


def test_the_beat_schedule_hands_pending_effects_over_every_minute():
    schedule = {entry["task"]: entry["schedule"]
                for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["workflows.tasks.redispatch_side_effects"] == 60.0
    assert "workflows.tasks.redispatch_side_effects" in app.tasks


@pytest.mark.parametrize("ask", ["register", "password_reset"])
def test_account_emails_wait_in_the_outbox_while_the_broker_is_down(
        ask, broker, django_capture_on_commit_callbacks, monkeypatch):
    """Registering or asking for a new password answers as usual with the broker down;
    the e-mail is kept and sent by the next redispatch."""
    monkeypatch.setattr(outbox, "_broker_down_until", 0.0)
    user = UserFactory(email="someone@demo.example.cn")
    broker(f"redis://127.0.0.1:{closed_port()}/0")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        if ask == "register":
            response = Client().post(reverse("vendor:register"), {
                "email": "new.vendor@demo.example.cn", "display_name": "李明",
                "phone": "13812345678", "password1": "Lan-shan-2026!",
                "password2": "Lan-shan-2026!"})
        else:
            response = Client().post(reverse("password_reset"), {"email": user.email})
    assert response.status_code == 302
    assert mail.outbox == []
    [effect] = SideEffect.objects.filter(done_at__isnull=True)
    assert effect.task == (send_registration_confirmation.name if ask == "register"
                           else send_password_reset.name)

    monkeypatch.setattr(app.conf, "task_always_eager", True)  # the broker is back
    assert outbox.redispatch(everything=True) == (1, 0)
    assert outbox.redispatch(everything=True) == (0, 0)
    assert len(mail.outbox) == 1
    SideEffect.objects.get(pk=effect.pk, done_at__isnull=False)


def test_a_long_broker_outage_gives_up_no_effect(broker, monkeypatch):
    """Hand-overs refused by an unreachable broker are not counted: however many rounds an
    outage lasts, the effect is handed over once the broker is back."""
    from django.utils import timezone

    monkeypatch.setattr(outbox, "MAX_ATTEMPTS", 3)
    effect = SideEffect.objects.create(
        key="t:outage", task=send_email.name,
        args=[["school@example.cn"], "预约已确认", "您的预约已确认。"],
        created_at=timezone.now() - timedelta(minutes=2))
    broker(f"redis://127.0.0.1:{closed_port()}/0")
    mail.outbox.clear()

    for _round in range(outbox.MAX_ATTEMPTS + 1):
        assert outbox.redispatch() == (0, 1)
    effect.refresh_from_db()
    assert (effect.attempts, effect.done_at, effect.last_error) == (0, None, "OperationalError")

    monkeypatch.setattr(app.conf, "task_always_eager", True)  # the broker is back
    assert outbox.redispatch() == (1, 0)
    effect.refresh_from_db()
    assert effect.done_at is not None and effect.attempts == 1
    assert [m.to for m in mail.outbox] == [["school@example.cn"]]
