"""Expiry of mandatory credentials and background checks (SPEC §4): the vendor is warned
``EXPIRY_WARNING_DAYS`` ahead, and a listed entry is suspended once anything it depends
on has expired. Runs daily from Celery beat."""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from marketplace.admission import credentials as credential_rules
from marketplace.models import Provider
from workflows import outbox, policy
from workflows.admission import AdmissionState
from workflows.models import Reason
from workflows.tasks import send_email
from workflows.transitions import TransitionRefused, record, run, timeline

logger = logging.getLogger(__name__)


def deadlines(provider: Provider) -> list[tuple[str, dt.date]]:
    """(label, last valid day) of everything the entry must keep valid."""
    result = []
    required = set(provider.required_credential_types())
    people = {p.pk: p for p in provider.active_people().prefetch_related("checks")}
    for credential in provider.active_credentials().select_related("person"):
        if credential.expires_on is None:
            continue
        organisation_required = credential.person_id is None and credential.type in required
        personal_required = (credential.person_id in people
                             and credential.type in credential_rules.REQUIRED_FOR_PERSON)
        if organisation_required or personal_required:
            result.append((credential.label, credential.expires_on))
    for person in people.values():
        check = person.latest_check()
        if check and check.valid_until:
            result.append((_("%(name)s: background check") % {"name": person.full_name},
                           check.valid_until))
    return result


def enforce_expiry(on: dt.date | None = None) -> dict[str, int]:
    on = on or timezone.localdate()
    warn_days = policy.value("EXPIRY_WARNING_DAYS")
    counts = {"warned": 0, "suspended": 0}
    listed = Provider.objects.filter(state=AdmissionState.LISTED).select_related("owner")
    with translation.override(settings.LANGUAGE_CODE):
        for provider in listed:
            found = deadlines(provider)
            expired = [label for label, last_day in found if last_day < on]
            if expired:
                try:
                    run(provider, "suspend", by=None, system=True, reason=Reason.EXPIRED,
                        comment=_("Expired: %(items)s.") % {"items": _(", ").join(expired)})
                    counts["suspended"] += 1
                except TransitionRefused:
                    logger.warning("Provider %s could not be suspended on expiry", provider.pk)
                continue
            for label, last_day in found:
                if last_day > on + dt.timedelta(days=warn_days):
                    continue
                already = timeline(provider, staff=True).filter(
                    action="expiry_warning", item=label,
                    created_at__date__gte=last_day - dt.timedelta(days=warn_days),
                ).exists()
                if already:
                    continue
                message = _("%(item)s expires on %(date)s. Upload a renewed document before "
                            "then, or the entry will be suspended.") % {
                    "item": label, "date": last_day.isoformat()}
                # The warning and its e-mail together or not at all: a warning recorded
                # without its e-mail would never be sent again (the next run finds it).
                with transaction.atomic():
                    entry = record(provider, "expiry_warning", by=None, item=label,
                                   comment=message)
                    if provider.owner and provider.owner.email:
                        subject = _("[After-school resources] %(name)s: a document expires "
                                    "soon") % {"name": provider.name}
                        outbox.schedule(send_email, [provider.owner.email], str(subject),
                                        str(message), key=outbox.entry_key(entry, "notify"),
                                        entry=entry)
                counts["warned"] += 1
    return counts
