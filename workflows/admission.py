"""Provider admission lifecycle (准入): from application to the public list and out again.

draft → submitted → qualification_review ⇄ changes_requested → background_check →
contract → listed ⇄ suspended → exited, and rejected from the review states.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField


class AdmissionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    QUALIFICATION_REVIEW = "qualification_review", _("Qualification review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    BACKGROUND_CHECK = "background_check", _("Background check")
    CONTRACT = "contract", _("Agreement signing")
    LISTED = "listed", _("Listed")
    SUSPENDED = "suspended", _("Suspended")
    EXITED = "exited", _("Exited")
    REJECTED = "rejected", _("Rejected")


class AdmissionWorkflow(models.Model):
    state = FSMField(
        _("state"), max_length=32, choices=AdmissionState.choices,
        default=AdmissionState.DRAFT, db_index=True,
    )

    class Meta:
        abstract = True
