"""Dated versions of the public candidate list (公开备选清单)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def candidate_list_path(instance, filename):
    return f"candidate-list/{filename}"


class CandidateList(models.Model):
    """One dated version of the public candidate list (公开备选清单): who was listed at
    that moment, as published data and as a PDF and an Excel workbook. A new version is
    made whenever an entry joins or leaves the list; old versions stay downloadable."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    entries = models.JSONField(_("entries"), default=list)
    provider_count = models.PositiveIntegerField(_("providers"), default=0)
    offering_count = models.PositiveIntegerField(_("offerings"), default=0)
    pdf = models.FileField(_("PDF"), upload_to=candidate_list_path, blank=True)
    xlsx = models.FileField(_("Excel workbook"), upload_to=candidate_list_path, blank=True)
    transition_id = models.PositiveBigIntegerField(
        null=True, blank=True, unique=True, editable=False,
        help_text="The timeline entry whose transition made this version, if any.",
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = _("candidate list version")
        verbose_name_plural = _("candidate list versions")

    def __str__(self):
        return str(_("Candidate list, version %(n)s") % {"n": self.version})

    @classmethod
    def current(cls):
        return cls.objects.exclude(pdf="").exclude(xlsx="").order_by("-version").first()
