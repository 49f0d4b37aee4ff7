"""The public site follows the workflow: pages, the candidate list, notices and the
catalogue cache."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from cms import catalogue
from cms.tasks import provider_list_changed
from marketplace.models import Offering, Provider
from workflows.admission import AdmissionState
from workflows.signals import transitioned


@receiver(transitioned, sender=Provider, dispatch_uid="cms.provider_transitioned")
def provider_transitioned(sender, instance, name, source, target, by, **kwargs):
    if AdmissionState.LISTED in (source, target) or target == AdmissionState.EXITED:
        provider_list_changed.delay(instance.pk, source, target)


@receiver(page_published, dispatch_uid="cms.page_published")
@receiver(page_unpublished, dispatch_uid="cms.page_unpublished")
@receiver(post_save, sender=Offering, dispatch_uid="cms.offering_saved")
@receiver(post_delete, sender=Offering, dispatch_uid="cms.offering_deleted")
def catalogue_changed(sender, **kwargs):
    catalogue.invalidate()
