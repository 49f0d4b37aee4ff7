"""Background check lifecycle (违法信息查询、健康、品行): requested → cleared | flagged.

The concrete model (``marketplace.models.BackgroundCheck``) supplies ``missing_results()``
and ``is_flagged``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from workflows.base import ProtectedStateModel
from workflows.guards import guard


class CheckState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    CLEARED = "cleared", _("Cleared")
    FLAGGED = "flagged", _("Flagged")


def is_check_officer(instance, user) -> bool:
    return bool(user and user.has_perm("marketplace.record_background_check"))


@guard(_("Record every result, the date and the official result file first: %(items)s."))
def results_complete(instance):
    return instance.missing_results()


@guard(_("A result is negative: flag the check instead."))
def all_results_positive(instance):
    return ["flagged"] if instance.is_flagged else []


@guard(_("Every result is positive: clear the check instead."))
def some_result_negative(instance):
    return [] if instance.is_flagged else ["clear"]


class CheckWorkflow(ProtectedStateModel):
    state = FSMField(
        _("state"), max_length=16, choices=CheckState.choices,
        default=CheckState.REQUESTED, db_index=True, protected=True,
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("check officer"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )

    class Meta:
        abstract = True

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=CheckState.REQUESTED, target=CheckState.CLEARED,
                permission=is_check_officer, conditions=[results_complete, all_results_positive],
                custom={"label": pgettext_lazy("background check decision", "Clear"),
                        "style": "primary"})
    def clear(self, by=None, description=None):
        self.officer = by

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=CheckState.REQUESTED, target=CheckState.FLAGGED,
                permission=is_check_officer, conditions=[results_complete, some_result_negative],
                custom={"label": _("Flag"), "style": "danger"})
    def flag(self, by=None, description=None):
        self.officer = by
