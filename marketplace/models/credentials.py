"""Credentials: licences, certificates and the evidence behind them."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.admission import credentials as credential_rules
from marketplace.choices import (
    CredentialType,
    VerificationState,
)
from marketplace.models.base import (
    NOTE_LIMIT,
    TimeStamped,
    bounded_text,
)
from marketplace.models.people import Person
from marketplace.models.providers import Provider
from media.storage import PrivatePath, private_storage


class Credential(TimeStamped):
    """A licence or certificate with its file; organisation-level when ``person`` is empty."""

    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="credentials"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="credentials",
    )
    type = models.CharField(_("type"), max_length=32, choices=CredentialType.choices)
    number = models.CharField(_("certificate number"), max_length=64, blank=True)
    issuer = models.CharField(_("issued by"), max_length=128, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(
        _("expires on"), null=True, blank=True, help_text=_("Leave empty if it does not expire.")
    )
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=PrivatePath("credentials"), max_length=255
    )
    original_filename = models.CharField(max_length=255, blank=True, editable=False)
    sha256 = models.CharField(max_length=64, blank=True, editable=False)
    verification = models.CharField(
        _("verification"), max_length=16, choices=VerificationState.choices,
        default=VerificationState.PENDING,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = bounded_text(_("review note"), NOTE_LIMIT, blank=True)
    replaced_at = models.DateTimeField(_("replaced"), null=True, blank=True)

    class Meta:
        ordering = ["provider", "person", "type"]
        verbose_name = _("credential")
        verbose_name_plural = _("credentials")

    def __str__(self):
        return self.get_type_display()

    def clean(self):
        super().clean()
        errors = {}
        if self.issued_on and self.expires_on and self.expires_on <= self.issued_on:
            errors["expires_on"] = _("The expiry date must come after the issue date.")
        if self.issued_on and self.issued_on > timezone.localdate():
            errors["issued_on"] = _("The issue date cannot be in the future.")
        if self.person_id and self.person.provider_id != self.provider_id:
            errors["person"] = _("This person belongs to another provider.")
        if self.person_id is None and self.type in credential_rules.REQUIRED_FOR_PERSON:
            errors["person"] = _("Choose the person this certificate belongs to.")
        if self.person_id and self.type in credential_rules.ORGANISATION_TYPES:
            errors["person"] = _("This document belongs to the organisation, not to a person.")
        if errors:
            raise ValidationError(errors)

    @property
    def label(self) -> str:
        if self.person_id:
            return f"{self.person.full_name}: {self.get_type_display()}"
        return str(self.get_type_display())

    def is_expired(self, on: dt.date | None = None) -> bool:
        return bool(self.expires_on and self.expires_on < (on or timezone.localdate()))
