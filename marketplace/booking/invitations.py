"""Inviting a school's after-school coordinator (课后服务负责人) from the bureau's back office.

The bureau gives a name and an e-mail address. A new address becomes an account in the
``school_coordinator`` group without a usable password; an address whose account already
coordinates schools is reused. Either way the account is added to the school's
coordinators and an e-mail is recorded in the outbox (``marketplace.tasks.
send_coordinator_invitation``) with only the account's id and where the request came from:
the worker makes the one-time set-password link (the password reset's link) when it sends
the e-mail, so no token is kept in the outbox. An account that already has a password gets
a note with the login address instead.

An address that belongs to any other account (a provider, bureau staff, an unconfirmed
registration) is refused: school access is never added to such an account, silently or not.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from marketplace.roles import Role
from workflows import outbox

logger = logging.getLogger(__name__)

TEMPLATES = "marketplace/invitation"
INVITE_ACTION = "marketplace.invite_coordinator"
REMOVE_ACTION = "marketplace.remove_coordinator"

NOT_A_COORDINATOR = _(
    "This e-mail address belongs to an account that is not a school coordinator's (for "
    "example a provider's or the bureau's). School access is never added to such an "
    "account: give the coordinator's own address."
)
DEACTIVATED = _(
    "The account with this e-mail address is deactivated. Ask an administrator to "
    "reactivate it before inviting it again."
)
TRY_AGAIN = _("An account with this e-mail address was created just now. Try again.")


class InvitationRefused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _is_coordinator_only(user) -> bool:
    """An account that holds the school coordinator role and nothing else."""
    if user.is_superuser or user.is_staff:
        return False
    roles = set(user.groups.values_list("name", flat=True))
    return roles == {Role.SCHOOL.value}


def invite_coordinator(school, *, name: str, email: str, by, origin: dict):
    """Make ``email``'s account a coordinator of ``school`` and record the invitation
    e-mail; returns ``(user, created)``. Raises ``InvitationRefused``."""
    from marketplace.tasks import send_coordinator_invitation

    User = get_user_model()
    email = email.strip().lower()
    try:
        with transaction.atomic():
            # The address may be one account's e-mail and another's username: each must
            # be a coordinator's, and the one with this e-mail is invited.
            matches = sorted(User.objects.select_for_update()
                             .filter(Q(email__iexact=email) | Q(username__iexact=email)),
                             key=lambda u: (u.email.lower() != email, u.pk))
            created = not matches
            if created:
                user = User(username=email, email=email, first_name=name.strip(),
                            is_active=True)
                user.set_unusable_password()
                user.save()
                user.groups.add(Group.objects.get(name=Role.SCHOOL.value))
            elif not all(_is_coordinator_only(match) for match in matches):
                raise InvitationRefused(NOT_A_COORDINATOR)
            else:
                user = matches[0]
                if not user.is_active:
                    raise InvitationRefused(DEACTIVATED)
            school.coordinators.add(user)
            outbox.schedule(send_coordinator_invitation, user.pk, origin,
                            key=outbox.unique_key("coordinator-invitation"))
            log(instance=school, action=INVITE_ACTION, user=by,
                data={"coordinator": {"id": user.pk, "name": _display_name(user)}})
    except IntegrityError as exc:  # the same address invited twice at the same moment
        raise InvitationRefused(TRY_AGAIN) from exc
    logger.info("Coordinator account %s invited to school %s by user %s (%s account).",
                user.pk, school.pk, getattr(by, "pk", None),
                "new" if created else "existing")
    return user, created


def remove_coordinator(school, user, *, by) -> None:
    """Take ``user`` off ``school``'s coordinators (the account and its role stay)."""
    with transaction.atomic():
        school.coordinators.remove(user)
        log(instance=school, action=REMOVE_ACTION, user=by,
            data={"coordinator": {"id": user.pk, "name": _display_name(user)}})
    logger.info("Coordinator account %s removed from school %s by user %s.",
                user.pk, school.pk, getattr(by, "pk", None))


def _display_name(user) -> str:
    return user.get_full_name() or user.get_username()


def invitation_email(user, origin: dict) -> EmailMessage | None:
    """The invitation e-mail to ``user``, made by the worker when it sends it: a fresh
    one-time link to choose a password, or, for an account that has one, the login
    address. None if the account coordinates no school any more."""
    schools = list(user.schools.order_by("name").values_list("name", flat=True))
    if not schools or not user.groups.filter(name=Role.SCHOOL.value).exists():
        return None
    to_email = getattr(user, user.get_email_field_name())
    context = {
        "user": user, "name": _display_name(user), "schools": schools,
        "protocol": origin["protocol"], "domain": origin["domain"],
        "bureau_name": origin["bureau_name"],
        "has_password": user.has_usable_password(),
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    if not context["has_password"]:
        context["uid"] = urlsafe_base64_encode(force_bytes(user._meta.pk.value_to_string(user)))
        context["token"] = default_token_generator.make_token(user)
    subject = "".join(render_to_string(f"{TEMPLATES}/email_subject.txt", context).splitlines())
    body = render_to_string(f"{TEMPLATES}/email.txt", context)
    return EmailMessage(subject, body, None, [to_email])
