"""Background check lifecycle (违法信息查询、健康、品行): requested → cleared | flagged."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField


class CheckState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    CLEARED = "cleared", _("Cleared")
    FLAGGED = "flagged", _("Flagged")


class CheckWorkflow(models.Model):
    state = FSMField(
        _("state"), max_length=16, choices=CheckState.choices,
        default=CheckState.REQUESTED, db_index=True,
    )

    class Meta:
        abstract = True
