"""Provider admission lifecycle (准入): from application to the public list and out again.

draft → submitted → qualification_review ⇄ changes_requested → background_check →
contract → listed ⇄ suspended → exited, and rejected from the review states.

The concrete model (``marketplace.models.Provider``) supplies what the guards ask:
``missing_requirements()``, ``unreviewed_items()``, ``refused_items()``,
``people_not_cleared()`` and ``agreement_signed_by_both()``.
Views never call these methods directly: they go through ``workflows.transitions.run``.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from workflows.base import ProtectedStateModel
from workflows.guards import guard


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


S = AdmissionState
EDITABLE_BY_VENDOR = frozenset({S.DRAFT, S.CHANGES_REQUESTED})
UNDER_REVIEW = frozenset({S.SUBMITTED, S.QUALIFICATION_REVIEW, S.BACKGROUND_CHECK})


# --- who may act -----------------------------------------------------------------------
def is_owner(instance, user) -> bool:
    return bool(user and user.is_authenticated and instance.owner_id == user.pk)


def is_reviewer(instance, user) -> bool:
    return bool(user and user.has_perm("marketplace.review_qualification"))


def is_check_officer(instance, user) -> bool:
    return bool(user and user.has_perm("marketplace.record_background_check"))


def is_bureau_decider(instance, user) -> bool:
    return is_reviewer(instance, user) or is_check_officer(instance, user) or is_manager(
        instance, user
    )


def is_manager(instance, user) -> bool:
    return bool(user and user.has_perm("marketplace.list_provider"))


def is_manager_not_reviewer(instance, user) -> bool:
    """Four-eyes: whoever reviewed the qualification may not list the entry."""
    return is_manager(instance, user) and instance.qualification_reviewer_id != user.pk


# --- what must be true -----------------------------------------------------------------
@guard(_("The application is incomplete: %(items)s."))
def ready_to_submit(instance):
    return instance.missing_requirements()


@guard(_("Not yet reviewed: %(items)s."))
def everything_reviewed(instance):
    return instance.unreviewed_items()


@guard(_("Refused items must be fixed by the provider first (request changes): %(items)s."))
def nothing_refused(instance):
    return instance.refused_items()


@guard(_("Not everyone who will enter schools has a valid cleared check: %(items)s."))
def everyone_cleared(instance):
    return instance.people_not_cleared()


@guard(_("The admission agreement is not yet signed by both sides."))
def agreement_signed(instance):
    return [] if instance.agreement_signed_by_both() else ["agreement"]


class AdmissionWorkflow(ConcurrentTransitionMixin, ProtectedStateModel):
    state = FSMField(
        _("state"), max_length=32, choices=AdmissionState.choices,
        default=AdmissionState.DRAFT, db_index=True, protected=True,
    )
    qualification_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("qualification reviewer"), null=True,
        blank=True, on_delete=models.PROTECT, related_name="+",
    )
    listed_on = models.DateField(_("listed on"), null=True, blank=True)
    reapply_allowed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("re-application allowed by"), null=True,
        blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("A manager may lift the waiting period after an exit."),
    )

    class Meta:
        abstract = True

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.DRAFT, target=S.SUBMITTED, permission=is_owner,
                conditions=[ready_to_submit],
                custom={"label": _("Submit application"), "actor": "vendor"})
    def submit(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.SUBMITTED, target=S.QUALIFICATION_REVIEW,
                permission=is_reviewer,
                custom={"label": _("Start qualification review"), "actor": "reviewer"})
    def start_review(self, by=None, description=None):
        self.qualification_reviewer = by

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.QUALIFICATION_REVIEW, target=S.CHANGES_REQUESTED,
                permission=is_reviewer,
                custom={"label": _("Request changes"), "actor": "reviewer",
                        "needs_reason": True, "style": "warning"})
    def request_changes(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.CHANGES_REQUESTED, target=S.QUALIFICATION_REVIEW,
                permission=is_owner, conditions=[ready_to_submit],
                custom={"label": _("Resubmit"), "actor": "vendor"})
    def resubmit(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.QUALIFICATION_REVIEW, target=S.BACKGROUND_CHECK,
                permission=is_reviewer, conditions=[everything_reviewed, nothing_refused],
                custom={"label": _("Approve qualification"), "actor": "reviewer",
                        "style": "primary"})
    def approve_qualification(self, by=None, description=None):
        self.qualification_reviewer = by

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.BACKGROUND_CHECK, target=S.CONTRACT,
                permission=is_check_officer, conditions=[everyone_cleared],
                custom={"label": _("Confirm background checks"), "actor": "check_officer",
                        "style": "primary"})
    def confirm_checks(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.CONTRACT, target=S.LISTED,
                permission=is_manager_not_reviewer, conditions=[agreement_signed],
                custom={"label": _("List on the public catalogue"), "actor": "manager",
                        "style": "primary"})
    def approve_listing(self, by=None, description=None):
        self.listed_on = timezone.localdate()

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=sorted(UNDER_REVIEW), target=S.REJECTED,
                permission=is_bureau_decider,
                custom={"label": pgettext_lazy("admission transition", "Reject"), "actor": "bureau",
                        "needs_reason": True, "style": "danger"})
    def reject(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.LISTED, target=S.SUSPENDED, permission=is_manager,
                custom={"label": _("Suspend"), "actor": "manager", "needs_reason": True,
                        "style": "warning"})
    def suspend(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.SUSPENDED, target=S.LISTED, permission=is_manager,
                conditions=[everyone_cleared],
                custom={"label": _("Reinstate"), "actor": "manager"})
    def reinstate(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=[S.LISTED, S.SUSPENDED], target=S.EXITED,
                permission=is_manager,
                custom={"label": _("Exit from the list"), "actor": "manager",
                        "needs_reason": True, "style": "danger"})
    def exit(self, by=None, description=None):
        pass
