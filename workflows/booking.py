"""School booking lifecycle: requested → accepted | declined → agreed → active → completed,
and cancelled."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField


class BookingState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    AGREED = "agreed", _("Agreement signed")
    ACTIVE = "active", pgettext_lazy("booking state", "Active")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class BookingWorkflow(models.Model):
    state = FSMField(
        _("state"), max_length=16, choices=BookingState.choices,
        default=BookingState.REQUESTED, db_index=True,
    )

    class Meta:
        abstract = True
