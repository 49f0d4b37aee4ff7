"""The one entry point for state changes.

``run(obj, "approve_qualification", by=user, comment=...)`` locks the row, checks that the
entry is still in the state the user saw, that the transition exists from the current
state, that the user may take it and that its guards hold; runs it, saves, logs it, and
sends ``workflows.signals.transitioned`` inside the same transaction. Its receivers
record side effects (publishing, PDFs, e-mail) in the outbox (``workflows.outbox``):
they run as Celery tasks once the transaction has committed, and later if the broker is
down at that moment; the state change stands either way.

Every refusal raises ``TransitionRefused`` (or its subclass ``StaleEntry``) with a message
in the user's language; views show that message.
"""

import logging
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, Transition
from django_fsm_log.models import StateLog

from workflows.guards import explain
from workflows.models import Reason, TimelineEntry
from workflows.signals import transitioned
from workflows.validators import TextLengthValidator

logger = logging.getLogger(__name__)


class TransitionRefused(Exception):
    def __init__(self, message: str, *, code: str, reasons: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.reasons = reasons or []

    def __str__(self):
        return " ".join([self.message, *self.reasons])


class StaleEntry(TransitionRefused):
    def __init__(self):
        super().__init__(
            _("This entry was changed by someone else in the meantime. Reload the page "
              "and check its current state before acting."),
            code="stale",
        )


@dataclass(frozen=True)
class Action:
    """A transition as a button: what it is called and what it needs."""

    name: str
    label: str
    needs_reason: bool
    style: str
    target: str


def transitions_of(model) -> dict[str, list[Transition]]:
    """Transitions by name; a transition with several sources appears once per source."""
    result: dict[str, list[Transition]] = {}
    for t in model._meta.get_field("state").get_all_transitions(model):
        result.setdefault(t.name, []).append(t)
    return result


def _from(transitions: list[Transition], state: str) -> Transition | None:
    for t in transitions:
        if t.source in (state, "*"):
            return t
    return None


def available_actions(obj, user) -> list[Action]:
    """The transitions ``user`` may take on ``obj`` now (state, permission and guards)."""
    actions = []
    for t in obj.get_available_user_state_transitions(user):
        custom = t.custom or {}
        actions.append(Action(
            name=t.name, label=str(custom.get("label", t.name)),
            needs_reason=bool(custom.get("needs_reason")),
            style=custom.get("style", "secondary"), target=str(t.target),
        ))
    return actions


def blocked_actions(obj, user) -> list[tuple[Action, list[str]]]:
    """Transitions the user could take from this state but whose guards fail, with why."""
    result = []
    for named in transitions_of(type(obj)).values():
        t = _from(named, obj.state)
        if t is None:
            continue
        if not t.has_perm(obj, user):
            continue
        reasons = [m for m in (explain(c, obj) for c in t.conditions) if m]
        if reasons:
            custom = t.custom or {}
            action = Action(t.name, str(custom.get("label", t.name)),
                            bool(custom.get("needs_reason")), custom.get("style", "secondary"),
                            str(t.target))
            result.append((action, reasons))
    return result


#: The longest comment or internal note a timeline entry takes (a page of text).
COMMENT_LIMIT = 1000


def check_comment_length(**texts: str) -> None:
    """Refuse a comment or note longer than ``COMMENT_LIMIT`` with the forms' own check
    and message, which name the limit and the length typed (a CR LF line break counts
    as one character)."""
    validator = TextLengthValidator(COMMENT_LIMIT)
    for field, text in texts.items():
        try:
            validator(text or "")
        except ValidationError as exc:
            raise TransitionRefused(" ".join(exc.messages), code=f"{field}_too_long") from None


def run(obj, name: str, *, by, comment: str = "", reason: str = "", internal_note: str = "",
        expected_state: str | None = None, system: bool = False):
    """Take transition ``name`` on ``obj`` as ``by``; returns the updated instance.

    ``system=True`` (with ``by=None``) is for scheduled policy enforcement only, such as
    suspension on expiry: it skips the user permission check, never the guards."""
    if system and by is not None:
        raise ValueError("A system transition has no user.")
    model = type(obj)
    available = transitions_of(model)
    if name not in available:
        raise TransitionRefused(_("Unknown action."), code="unknown")
    custom = available[name][0].custom or {}
    reasons = custom.get("reasons", Reason)
    if custom.get("needs_reason") and reason not in reasons.values:
        raise TransitionRefused(_("Choose a reason from the list."), code="reason_required")
    if reason == Reason.OTHER and not comment.strip():
        raise TransitionRefused(_("Explain the reason in the comment."), code="comment_required")
    check_comment_length(comment=comment, internal_note=internal_note)

    try:
        with transaction.atomic():
            locked = model.objects.select_for_update().get(pk=obj.pk)
            if expected_state is not None and locked.state != expected_state:
                raise StaleEntry
            source = locked.state
            meta = _from(available[name], source)
            if meta is None:
                raise TransitionRefused(
                    _("This action is not possible while the entry is “%(state)s”.")
                    % {"state": locked.get_state_display()},
                    code="wrong_state",
                )
            if not system and not meta.has_perm(locked, by):
                raise TransitionRefused(
                    _("You are not allowed to take this action on this entry."),
                    code="forbidden",
                )
            unmet = [m for m in (explain(c, locked) for c in meta.conditions) if m]
            if unmet:
                raise TransitionRefused(
                    _("This action cannot be taken yet."), code="guard", reasons=unmet
                )
            getattr(locked, name)(by=by, description=comment or None)
            locked.save()
            statelog = StateLog.objects.for_(locked).order_by("-timestamp", "-pk").first()
            entry = TimelineEntry.objects.create(
                content_type=ContentType.objects.get_for_model(model), object_id=locked.pk,
                statelog=statelog, actor=by if by and by.is_authenticated else None,
                action=name, source_state=source, target_state=locked.state,
                reason=reason, comment=comment, internal_note=internal_note,
            )
            target = locked.state
            # Receivers record their side effects in this same transaction
            # (workflows.outbox.schedule); Celery runs them once it has committed.
            transitioned.send(sender=model, instance=locked, name=name, source=source,
                              target=target, by=by, entry=entry)
    except ConcurrentTransition as exc:
        raise StaleEntry from exc
    logger.info("%s %s: %s → %s by %s", model.__name__, locked.pk, source, target,
                getattr(by, "pk", None))
    return locked


def record(subject, action: str, *, by, item: str = "", comment: str = "",
           internal_note: str = "", staff_only: bool = False) -> TimelineEntry:
    """Log an item-level decision on ``subject`` (an entry) for its timeline."""
    check_comment_length(comment=comment, internal_note=internal_note)
    return TimelineEntry.objects.create(
        content_type=ContentType.objects.get_for_model(type(subject)), object_id=subject.pk,
        actor=by if by and by.is_authenticated else None, action=action, item=str(item)[:200],
        comment=comment, internal_note=internal_note, staff_only=staff_only,
    )


def timeline(subject, *, staff: bool):
    entries = TimelineEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(subject)), object_id=subject.pk
    ).select_related("actor")
    if not staff:
        entries = entries.filter(staff_only=False)
    return entries


def lock_entry(obj, *, expected_state: str | None = None, allowed_states=None):
    """Lock ``obj``'s row for an item-level change inside ``transaction.atomic()``;
    refuse if it moved on from what the user saw or is not in ``allowed_states``."""
    locked = type(obj).objects.select_for_update().get(pk=obj.pk)
    if expected_state is not None and locked.state != expected_state:
        raise StaleEntry
    if allowed_states is not None and locked.state not in allowed_states:
        raise TransitionRefused(
            _("This change is not possible while the entry is “%(state)s”.")
            % {"state": locked.get_state_display()},
            code="wrong_state",
        )
    return locked
