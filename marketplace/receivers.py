"""What happens after an entry moves: the next actor is told, the agreement is prepared.

Each is recorded in the transition's own transaction as a side effect with a key of its
own (``workflows.outbox``): it runs once the transaction commits, again later if the
broker was down, and never twice."""

from django.conf import settings
from django.dispatch import receiver
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from marketplace.models import Provider, User
from marketplace.roles import Role
from marketplace.tasks import prepare_admission_agreement
from workflows import outbox
from workflows.admission import AdmissionState as S
from workflows.signals import transitioned
from workflows.tasks import send_email

# Who acts next in each state: a role (bureau group) or the vendor who owns the entry.
NEXT_ACTOR = {
    S.SUBMITTED: Role.REVIEWER,
    S.QUALIFICATION_REVIEW: Role.REVIEWER,
    S.BACKGROUND_CHECK: Role.CHECK_OFFICER,
    S.CHANGES_REQUESTED: Role.VENDOR,
    S.CONTRACT: Role.VENDOR,
    S.LISTED: Role.VENDOR,
    S.SUSPENDED: Role.VENDOR,
    S.EXITED: Role.VENDOR,
    S.REJECTED: Role.VENDOR,
}


def recipients(provider: Provider, role: str) -> list[str]:
    if role == Role.VENDOR:
        return [provider.owner.email] if provider.owner and provider.owner.email else []
    return list(User.objects.filter(groups__name=role, is_active=True)
                .exclude(email="").values_list("email", flat=True))


def notify(provider: Provider, role: str, subject: str, body: str, *, key: str,
           entry=None) -> None:
    to = recipients(provider, role)
    if to:
        outbox.schedule(send_email, to, subject, body, key=key, entry=entry)


def entry_link(provider: Provider, role: str) -> str:
    path = (reverse("vendor:entry", args=[provider.pk]) if role == Role.VENDOR
            else reverse("admissions:entry", args=[provider.pk]))
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


@receiver(transitioned, sender=Provider, dispatch_uid="marketplace.provider_transitioned")
def provider_transitioned(sender, instance, name, source, target, by, entry=None, **kwargs):
    if target == S.CONTRACT:
        outbox.schedule(prepare_admission_agreement, instance.pk, entry=entry,
                        key=outbox.entry_key(entry, "agreement"))
    role = NEXT_ACTOR.get(target)
    if role is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        state = instance.get_state_display()
        subject = _("[After-school resources] %(name)s: %(state)s") % {
            "name": instance.name, "state": state}
        body = _("The entry “%(name)s” is now “%(state)s”.\n\nOpen it: %(link)s") % {
            "name": instance.name, "state": state, "link": entry_link(instance, role)}
        notify(instance, role, subject, body, key=outbox.entry_key(entry, "notify"),
               entry=entry)


def tell_managers_to_countersign(provider: Provider, *, key: str) -> None:
    """The vendor has signed: the managers act next (``key``: the outbox key naming it)."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[After-school resources] %(name)s: ready to countersign") % {
            "name": provider.name}
        body = _("The provider has signed the admission agreement of “%(name)s”. Countersign "
                 "and list it: %(link)s") % {
            "name": provider.name, "link": entry_link(provider, Role.MANAGER)}
        notify(provider, Role.MANAGER, subject, body, key=key)
