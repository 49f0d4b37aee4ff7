"""Side effects that survive a broker outage: a small transactional outbox.

``schedule(task, *args, key=...)`` records a ``SideEffect`` row in the current transaction
and hands it to Celery once that transaction commits. If the broker cannot be reached the
row simply stays pending (the user's change stands, no error reaches them), and
``redispatch()`` — run every minute by Celery beat and by ``manage.py
redispatch_side_effects`` — hands it over again. A hand-over that fails because the broker
is unreachable does not count towards ``MAX_ATTEMPTS``: a long outage gives up nothing.

A task decorated with ``@once_per_effect`` locks its row, skips it if it is done or
another worker holds it, and marks it done in the transaction of its own work. Effects
inside the database (a PDF recorded, an entry published) therefore happen exactly once.
Effects outside it are delivered *at least* once: an e-mail is handed to the mail server
before the row's transaction commits, so a worker that dies between the two (or loses its
database connection) leaves the row pending, and the e-mail goes out a second time when
the row is handed over again. A redelivered message of an effect already done makes no
second PDF or e-mail.

``key`` names the effect for good, e.g. ``entry:<timeline entry id>:notify``: scheduling
the same key twice records it once. Arguments are kept until the row is pruned
(``KEEP_DONE``): never put one-time tokens or links in them; let the task build those.

(Kept here rather than taken from a library: django-celery-outbox, the one maintained
Celery outbox, replaces the Celery app class, needs its own relay daemon and SELECT …
SKIP LOCKED, which the embedded SQLite default lacks; the consumer side — idempotent
tasks — would still be ours.)
"""

import datetime as dt
import functools
import logging
import time
import uuid

from celery import current_app
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from workflows.models import SideEffect

logger = logging.getLogger(__name__)

#: Handing a message to the broker: a few quick tries, then leave the row pending.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2,
                        "interval_max": 0.5}
#: A row handed over this long ago and still not done is handed over again (its message
#: or its worker was lost); one never handed over waits this long for its own commit hook.
REDISPATCH_AFTER = dt.timedelta(minutes=10)
NEVER_DISPATCHED_GRACE = dt.timedelta(seconds=30)
#: After this many hand-overs a row is left for a person to look at (it is logged).
MAX_ATTEMPTS = 50
#: After a failed hand-over, commit hooks in this process leave their rows pending for
#: this long without trying: one request with several effects waits for the broker once.
BROKER_RETRY_AFTER = 5.0
#: Done effects are kept this long (to skip late redeliveries), then deleted.
KEEP_DONE = dt.timedelta(days=30)
_broker_down_until = 0.0


def entry_key(entry, effect: str) -> str:
    """The key of ``effect`` following the transition logged as ``entry``."""
    return f"entry:{entry.pk}:{effect}"


def unique_key(effect: str) -> str:
    """A key for an effect that is not tied to a logged transition (e.g. one e-mail)."""
    return f"{effect}:{uuid.uuid4().hex}"


def schedule(task, *args, key: str, entry=None) -> SideEffect:
    """Run ``task(*args)`` once the current transaction commits, exactly once per ``key``."""
    effect, created = SideEffect.objects.get_or_create(
        key=key, defaults={"task": task.name, "args": list(args), "entry": entry})
    if created:
        transaction.on_commit(functools.partial(_dispatch_after_commit, effect.pk))
    return effect


def _dispatch_after_commit(effect_id: int) -> None:
    if time.monotonic() < _broker_down_until and not current_app.conf.task_always_eager:
        return  # left pending for redispatch()
    dispatch(effect_id)


def dispatch(effect_id: int) -> bool:
    """Hand one pending effect to Celery; False (and the row left pending, the attempt not
    counted) if the broker cannot be reached. Any other error (e.g. a task name no longer
    registered) is raised after the attempt has been counted."""
    effect = SideEffect.objects.filter(pk=effect_id, done_at__isnull=True).first()
    if effect is None:
        return True
    SideEffect.objects.filter(pk=effect.pk).update(attempts=F("attempts") + 1,
                                                   dispatched_at=timezone.now())
    app = current_app
    task = app.tasks[effect.task]
    if app.conf.task_always_eager:  # the embedded default: run it here and now
        task.apply(args=effect.args, kwargs={"effect_id": effect.pk}, throw=True)
        return True
    try:
        with app.connection_for_write() as broker_connection:
            task.apply_async(args=effect.args, kwargs={"effect_id": effect.pk},
                             connection=broker_connection, retry=True,
                             retry_policy=PUBLISH_RETRY_POLICY)
    except (BrokerError, OSError) as exc:
        global _broker_down_until
        _broker_down_until = time.monotonic() + BROKER_RETRY_AFTER
        # An unreachable broker says nothing about the effect: the attempt is not counted,
        # or a long outage would make every row reach MAX_ATTEMPTS and be given up.
        SideEffect.objects.filter(pk=effect.pk).update(
            attempts=F("attempts") - 1, dispatched_at=None,
            last_error=f"{type(exc).__name__}"[:200])
        logger.warning("Side effect %s (%s) not handed to the broker (%s); it stays pending.",
                       effect.pk, effect.task, type(exc).__name__)
        return False
    return True


def pending(now=None):
    """Effects to hand over again: never handed over (past a short grace for their own
    commit hook), or handed over long ago and still not done."""
    now = now or timezone.now()
    return SideEffect.objects.filter(done_at__isnull=True, attempts__lt=MAX_ATTEMPTS).filter(
        Q(dispatched_at__isnull=True, created_at__lte=now - NEVER_DISPATCHED_GRACE)
        | Q(dispatched_at__lte=now - REDISPATCH_AFTER)
    ).order_by("created_at", "pk")


def redispatch(*, everything: bool = False) -> tuple[int, int]:
    """Hand pending effects to the broker again; ``(handed over, still pending)``.
    ``everything`` ignores the waiting times (for an operator after an outage).

    A row that cannot be handed over for a reason of its own (its task is no longer
    registered, or run inline it failed) is counted as an attempt, logged and noted in
    ``last_error``; the rows after it are still handed over."""
    rows = (SideEffect.objects.filter(done_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
            if everything else pending())
    sent = failed = 0
    for pk, task_name in rows.values_list("pk", "task"):
        try:
            handed_over = dispatch(pk)
        except Exception as exc:  # noqa: BLE001 — one bad row must not stop the others
            _note_failure(pk, task_name, exc)
            continue
        if handed_over:
            sent += 1
        else:
            failed += 1
            break  # the broker is down: the rest waits for the next round
    given_up = SideEffect.objects.filter(done_at__isnull=True, attempts__gte=MAX_ATTEMPTS)
    if given_up.exists():
        logger.error("%s side effects were handed over %s times without completing.",
                     given_up.count(), MAX_ATTEMPTS)
    return sent, failed


def _note_failure(pk: int, task_name: str, exc: Exception) -> None:
    """Record why a row could not be handed over. Only the error's type is kept and logged:
    its message may quote the task's arguments (addresses, names)."""
    if isinstance(exc, KeyError) and task_name not in current_app.tasks:
        error = f"unregistered task {task_name}"
    else:
        error = type(exc).__name__
    # dispatch() has counted the attempt before anything could fail
    SideEffect.objects.filter(pk=pk).update(last_error=error[:200])
    logger.error("Side effect %s (%s) could not be handed over: %s", pk, task_name, error)


def prune(older_than: dt.timedelta = KEEP_DONE) -> int:
    """Delete effects done long ago (their arguments hold e-mail addresses and texts)."""
    deleted, _by_model = SideEffect.objects.filter(
        done_at__lt=timezone.now() - older_than).delete()
    return deleted


def once_per_effect(func):
    """Make a task body run at most once per side effect.

    Called with ``effect_id`` (as ``dispatch`` does), the body runs in a transaction that
    locks the effect's row, and the row is marked done in that same transaction; an
    effect already done is skipped and the call returns None. Where the database can
    (PostgreSQL: SKIP LOCKED), an effect whose row another worker holds — the same
    message delivered twice at once — is skipped too instead of waited for: if that
    worker fails, the row stays pending and is handed over again. SQLite locks the whole
    database for a write, so there the second delivery waits and then finds the row done.
    Called without ``effect_id`` (a task started by hand), the body simply runs."""

    @functools.wraps(func)
    def wrapper(*args, effect_id=None, **kwargs):
        if effect_id is None:
            return func(*args, **kwargs)
        with transaction.atomic():
            skip_locked = connection.features.has_select_for_update_skip_locked
            effect = (SideEffect.objects.select_for_update(skip_locked=skip_locked)
                      .filter(pk=effect_id, done_at__isnull=True).first())
            if effect is None:
                logger.info("Side effect %s already done or being done; skipped.",
                            effect_id)
                return None
            result = func(*args, **kwargs)
            SideEffect.objects.filter(pk=effect_id).update(done_at=timezone.now(),
                                                            last_error="")
        return result

    return wrapper
