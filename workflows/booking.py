"""School booking lifecycle (预约): a school asks, the provider answers, both sign the
service agreement, the sessions run.

requested → accepted | declined;  accepted → agreed (both signed) → active → completed;
cancelled from requested, accepted or agreed by either side, and from active only by the
bureau. ``start`` and ``complete`` are taken by the daily beat task (``system=True``).

The concrete model (``marketplace.models.Booking``) supplies what the guards ask:
``people_not_cleared()`` and ``service_agreement_signed_by_both()``.
Views never call these methods directly: they go through ``workflows.transitions.run``.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from workflows.base import ProtectedStateModel
from workflows.guards import guard


class BookingState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    AGREED = "agreed", _("Agreement signed")
    ACTIVE = "active", pgettext_lazy("booking state", "Active")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class BookingReason(models.TextChoices):
    """Why a booking is declined or cancelled."""

    NO_CAPACITY = "no_capacity", _("No free person or group at that time")
    TIME_UNSUITABLE = "time_unsuitable", _("The time does not suit")
    PLAN_CHANGED = "plan_changed", _("The school's plan changed")
    PRICE = "price", _("Price not agreed")
    PROVIDER_LEFT = "provider_left", _("The provider was suspended or left the list")
    SERVICE_PROBLEM = "service_problem", _("Problems with the service")
    OTHER_BOOKING = "other", _("Other")


S = BookingState
#: States in which a booking holds its weekly slots (for clash checks).
HOLDING = frozenset({S.REQUESTED, S.ACCEPTED, S.AGREED, S.ACTIVE})
#: States a school or a provider may still cancel from.
CANCELLABLE_BY_PARTIES = (S.REQUESTED, S.ACCEPTED, S.AGREED)


# --- who may act -----------------------------------------------------------------------
def is_vendor(instance, user) -> bool:
    return bool(user and user.is_authenticated
                and instance.offering.provider.owner_id == user.pk)


def is_coordinator(instance, user) -> bool:
    return bool(user and user.is_authenticated
                and instance.school.coordinators.filter(pk=user.pk).exists())


def is_party(instance, user) -> bool:
    return is_vendor(instance, user) or is_coordinator(instance, user)


def is_bureau_manager(instance, user) -> bool:
    return bool(user and user.has_perm("marketplace.cancel_active_booking"))


def nobody(instance, user) -> bool:
    """Only the scheduled task (``run(..., system=True)``) takes this transition."""
    return False


# --- what must be true -----------------------------------------------------------------
@guard(_("The provider is not on the public list."))
def provider_listed(instance):
    return [] if instance.offering.provider.state == "listed" else ["provider"]


@guard(_("Each responsible person needs a cleared background check valid until the last "
         "session: %(items)s."))
def people_cleared(instance):
    return instance.people_not_cleared()


@guard(_("The service agreement is not yet signed by both the provider and the school."))
def agreement_signed(instance):
    return [] if instance.service_agreement_signed_by_both() else ["agreement"]


@guard(_("The first session has not come yet."))
def first_session_reached(instance):
    return [] if instance.first_date and instance.first_date <= timezone.localdate() else ["date"]


@guard(_("The last session has not passed yet."))
def last_session_passed(instance):
    return [] if instance.last_date and instance.last_date < timezone.localdate() else ["date"]


class BookingWorkflow(ConcurrentTransitionMixin, ProtectedStateModel):
    state = FSMField(
        _("state"), max_length=16, choices=BookingState.choices,
        default=BookingState.REQUESTED, db_index=True, protected=True,
    )

    class Meta:
        abstract = True

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.REQUESTED, target=S.ACCEPTED, permission=is_vendor,
                conditions=[provider_listed, people_cleared],
                custom={"label": _("Accept"), "actor": "vendor", "style": "primary"})
    def accept(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.REQUESTED, target=S.DECLINED, permission=is_vendor,
                custom={"label": _("Decline"), "actor": "vendor", "needs_reason": True,
                        "reasons": BookingReason, "style": "danger"})
    def decline(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.ACCEPTED, target=S.AGREED, permission=is_party,
                conditions=[provider_listed, people_cleared, agreement_signed],
                custom={"label": _("Confirm the signed agreement"), "actor": "school"})
    def agree(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.AGREED, target=S.ACTIVE, permission=nobody,
                conditions=[first_session_reached],
                custom={"label": _("Start"), "actor": "system"})
    def start(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.ACTIVE, target=S.COMPLETED, permission=nobody,
                conditions=[last_session_passed],
                custom={"label": _("Complete"), "actor": "system"})
    def complete(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=CANCELLABLE_BY_PARTIES, target=S.CANCELLED,
                permission=is_party,
                custom={"label": _("Cancel booking"), "actor": "party", "needs_reason": True,
                        "reasons": BookingReason, "style": "danger"})
    def cancel(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=[*CANCELLABLE_BY_PARTIES, S.ACTIVE], target=S.CANCELLED,
                permission=is_bureau_manager,
                custom={"label": _("Cancel booking (bureau)"), "actor": "manager",
                        "needs_reason": True, "reasons": BookingReason, "style": "danger"})
    def cancel_by_bureau(self, by=None, description=None):
        pass
