"""The timeline of an entry: every transition and every item-level decision.

django-fsm-log's ``StateLog`` keeps the raw record of each state change; a ``TimelineEntry``
points at it and adds what the timeline shows: the reason chosen from a list, the
comment both sides see and the internal note only bureau staff see. Item decisions
(a credential verified, a check recorded, an agreement signed) are log entries too.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflows.booking import BookingReason


class Reason(models.TextChoices):
    """Why an entry is sent back, rejected, suspended or exited."""

    INCOMPLETE = "incomplete", _("Materials incomplete")
    UNREADABLE = "unreadable", _("Document unreadable or unclear")
    EXPIRED = "expired", _("Credential expired")
    INCONSISTENT = "inconsistent", _("Information inconsistent")
    ACADEMIC = "academic", _("Academic-subject content")
    SAFETY = "safety", _("Safety measures insufficient")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible for after-school service")
    CHECK_FAILED = "check_failed", _("Background check not passed")
    VIOLATION = "violation", _("Violation of the agreement")
    OTHER = "other", _("Other")


#: Every reason a timeline entry can carry: the entries' and the bookings' lists.
REASON_CHOICES = Reason.choices + [
    (value, label) for value, label in BookingReason.choices if value != Reason.OTHER]


class TimelineEntry(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    statelog = models.OneToOneField(
        "django_fsm_log.StateLog", null=True, blank=True, on_delete=models.PROTECT,
        related_name="entry",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    action = models.CharField(_("action"), max_length=64)
    item = models.CharField(_("item"), max_length=200, blank=True)
    source_state = models.CharField(_("from"), max_length=32, blank=True)
    target_state = models.CharField(_("to"), max_length=32, blank=True)
    reason = models.CharField(_("reason"), max_length=32, choices=REASON_CHOICES, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    internal_note = models.TextField(_("internal note"), blank=True)
    staff_only = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"


class SideEffect(models.Model):
    """A side effect (a Celery task) of a committed change: the transactional outbox.

    Written in the same transaction as the change it follows (``workflows.outbox``), so a
    committed transition always has its e-mails, PDFs and publishing on record, even if
    the broker is down at that moment. It is handed to the broker once the transaction
    commits, again by ``redispatch_side_effects`` while it is not done, and marked done
    by the task itself, which skips an effect already done: a redelivered message makes
    no second PDF or e-mail.
    """

    key = models.CharField(max_length=200, unique=True)
    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    entry = models.ForeignKey(TimelineEntry, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="side_effects")
    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["done_at", "created_at"], name="sideeffect_pending")]

    def __str__(self):
        return f"{self.key} ({'done' if self.done_at else 'pending'})"
