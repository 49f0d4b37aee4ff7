"""Evaluations of providers and exit cases (退出)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.choices import (
    EvaluationKind,
    ExitReason,
    ExitTrigger,
    InspectionKind,
)
from marketplace.models.base import DESCRIPTION_LIMIT, TimeStamped, bounded_text
from marketplace.models.bookings import Booking
from marketplace.models.providers import Provider
from marketplace.validators import (
    number_range,
)
from media.storage import PrivatePath, private_storage
from workflows.exit import ExitWorkflow


class Evaluation(TimeStamped):
    """One evaluation record of a booking: a school rating, survey answer, inspection or
    incident. Rolls up into the provider's score."""

    booking = models.ForeignKey(
        Booking, verbose_name=_("booking"), on_delete=models.PROTECT, related_name="evaluations"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EvaluationKind.choices)
    inspection_kind = models.CharField(
        _("inspection kind"), max_length=16, choices=InspectionKind.choices, blank=True
    )
    score = models.DecimalField(
        _("score (0–100)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=number_range(0, 100),
    )
    answers = models.JSONField(_("answers by criterion"), default=dict, blank=True)
    comment = bounded_text(_("comment"), DESCRIPTION_LIMIT, blank=True)
    occurred_on = models.DateField(_("date"), default=timezone.localdate)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )

    class Meta:
        ordering = ["-occurred_on"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.booking}"

    def clean(self):
        super().clean()
        errors = {}
        if self.kind == EvaluationKind.INSPECTION and not self.inspection_kind:
            errors["inspection_kind"] = _("Say what kind of inspection this was.")
        if self.kind != EvaluationKind.INSPECTION and self.inspection_kind:
            errors["inspection_kind"] = _("Only inspections have an inspection kind.")
        if self.kind != EvaluationKind.INCIDENT and self.score is None:
            errors["score"] = _("Give a score from 0 to 100.")
        if errors:
            raise ValidationError(errors)


class ExitCase(ExitWorkflow, TimeStamped):
    """A case for a provider's exit from the list (退出机制)."""

    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="exit_cases"
    )
    trigger = models.CharField(_("opened because of"), max_length=32, choices=ExitTrigger.choices)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    evidence = bounded_text(_("evidence"), DESCRIPTION_LIMIT, blank=True)
    evidence_file = models.FileField(
        _("evidence file"), storage=private_storage, upload_to=PrivatePath("exit-evidence"),
        blank=True, max_length=255,
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = bounded_text(_("decision note"), DESCRIPTION_LIMIT, blank=True)
    reapply_allowed_from = models.DateField(_("may re-apply from"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("exit case")
        verbose_name_plural = _("exit cases")

    def __str__(self):
        return str(_("Exit case of %(provider)s")) % {"provider": self.provider}

    def clean(self):
        super().clean()
        unknown = [r for r in self.reasons or [] if r not in ExitReason.values]
        if unknown:
            raise ValidationError({"reasons": _("Unknown reason: %(r)s") % {"r": unknown[0]}})
        if self.trigger != ExitTrigger.VOLUNTARY and not (self.reasons or []):
            raise ValidationError({"reasons": _("Give at least one reason.")})

    def get_reasons_display(self) -> list[str]:
        labels = dict(ExitReason.choices)
        return [str(labels[r]) for r in self.reasons or []]
