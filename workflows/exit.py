"""Exit case lifecycle (退出): opened → under_review → warned | exited | dismissed."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField


class ExitState(models.TextChoices):
    OPENED = "opened", _("Opened")
    UNDER_REVIEW = "under_review", _("Under review")
    WARNED = "warned", _("Warned")
    EXITED = "exited", _("Exited")
    DISMISSED = "dismissed", _("Dismissed")


class ExitWorkflow(models.Model):
    state = FSMField(
        _("state"), max_length=16, choices=ExitState.choices,
        default=ExitState.OPENED, db_index=True,
    )

    class Meta:
        abstract = True
