"""The public site follows the workflow: pages, the candidate list, notices and the
catalogue cache."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from cms import catalogue
from cms.tasks import provider_list_changed
from marketplace.models import Offering, Provider, Town
from workflows import outbox
from workflows.admission import AdmissionState
from workflows.signals import transitioned


@receiver(transitioned, sender=Provider, dispatch_uid="cms.provider_transitioned")
def provider_transitioned(sender, instance, name, source, target, by, entry=None, **kwargs):
    # Recorded in the transition's transaction; runs once it commits (workflows.outbox).
    if AdmissionState.LISTED in (source, target) or target == AdmissionState.EXITED:
        outbox.schedule(provider_list_changed, instance.pk, source, target, entry.pk,
                        entry=entry, key=outbox.entry_key(entry, "list"))


@receiver(page_published, dispatch_uid="cms.page_published")
@receiver(page_unpublished, dispatch_uid="cms.page_unpublished")
@receiver(post_save, sender=Offering, dispatch_uid="cms.offering_saved")
@receiver(post_delete, sender=Offering, dispatch_uid="cms.offering_deleted")
@receiver(post_save, sender=Provider, dispatch_uid="cms.provider_saved")
@receiver(post_save, sender=Town, dispatch_uid="cms.town_saved")
@receiver(post_delete, sender=Town, dispatch_uid="cms.town_deleted")
@receiver(m2m_changed, sender=Provider.service_area.through, dispatch_uid="cms.area_changed")
def catalogue_changed(sender, **kwargs):
    # Now, and again once the change is committed: a page rendered in between from the
    # old rows under the new generation is dropped by the second bump.
    catalogue.invalidate()
    transaction.on_commit(catalogue.invalidate)
