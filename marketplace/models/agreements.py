"""Agreements and their signatures (admission and service agreements)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.choices import (
    ContractKind,
    SignatureParty,
)
from marketplace.models.base import TimeStamped
from marketplace.models.bookings import Booking
from marketplace.models.providers import Provider
from media.storage import PrivatePath, private_storage


class Contract(TimeStamped):
    """Admission agreement (bureau–provider) or service agreement (school–provider)."""

    kind = models.CharField(_("kind"), max_length=16, choices=ContractKind.choices)
    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="contracts"
    )
    booking = models.ForeignKey(
        Booking, verbose_name=_("booking"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="contracts",
    )
    period_start = models.DateField(_("valid from"))
    period_end = models.DateField(_("valid until"))
    pdf = models.FileField(
        _("agreement PDF"), storage=private_storage, upload_to=PrivatePath("contracts"),
        blank=True, max_length=255,
    )
    pdf_sha256 = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=ContractKind.ADMISSION, booking__isnull=True)
                | Q(kind=ContractKind.SERVICE, booking__isnull=False),
                name="contract_booking_matches_kind",
                violation_error_message=_("A service agreement belongs to a booking; an "
                                          "admission agreement does not."),
            ),
            models.CheckConstraint(
                condition=Q(period_start__lt=models.F("period_end")),
                name="contract_period_ordered",
                violation_error_message=_("An agreement must end after it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.provider}"

    def signed_by(self, party: str):
        """The party's signature of this exact PDF, or None."""
        for signature in self.signatures.all():
            if signature.party == party and signature.pdf_sha256 == self.pdf_sha256:
                return signature
        return None


class Signature(models.Model):
    """One party's signature of the exact PDF whose digest it records."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("agreement"), on_delete=models.PROTECT, related_name="signatures"
    )
    party = models.CharField(_("party"), max_length=16, choices=SignatureParty.choices)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signed by"), on_delete=models.PROTECT,
        related_name="+",
    )
    typed_name = models.CharField(_("typed name"), max_length=64)
    consent = models.BooleanField(_("consent given"))
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"))
    pdf_sha256 = models.CharField(_("SHA-256 of the signed PDF"), max_length=64)

    class Meta:
        ordering = ["signed_at"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(fields=["contract", "party"], name="one_signature_per_party"),
            models.CheckConstraint(condition=Q(consent=True), name="signature_needs_consent",
                                   violation_error_message=_("A signature needs consent.")),
        ]

    def __str__(self):
        return f"{self.get_party_display()}: {self.typed_name}"
