from django.dispatch import receiver

from cms.tasks import publish_provider_page
from marketplace.models import Provider
from workflows.admission import AdmissionState
from workflows.signals import transitioned


@receiver(transitioned, sender=Provider, dispatch_uid="cms.provider_transitioned")
def provider_transitioned(sender, instance, name, source, target, by, **kwargs):
    if AdmissionState.LISTED in (source, target):
        publish_provider_page.delay(instance.pk)
