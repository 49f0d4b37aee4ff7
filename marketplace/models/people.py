"""People who enter schools, and their background checks (背景审查)."""

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField

from marketplace.choices import (
    CharacterResult,
    CheckAdapter,
    CriminalRecordResult,
    HealthResult,
)
from marketplace.models.base import (
    NOTE_LIMIT,
    TimeStamped,
    bounded_text,
)
from marketplace.models.providers import Provider
from marketplace.validators import (
    mask_id_number,
    normalise_identifier,
    validate_id_number,
    validate_phone,
)
from media.storage import PrivatePath, private_storage
from workflows import policy
from workflows.checks import CheckState, CheckWorkflow


class IdentityNumberField(EncryptedCharField):
    """django-encrypted-model-fields' field, whose ``clean()`` sets a flag on the shared
    field object to skip decryption and leaves it set when validation fails: every row
    read afterwards in that process would then keep its ciphertext. Always clear it."""

    def clean(self, value, model_instance):
        try:
            return super().clean(value, model_instance)
        finally:
            self.__dict__.pop("_already_decrypted", None)


def id_number_digest(number: str) -> str:
    """Keyed digest of an identity number: finds duplicates without decrypting."""
    key = f"{settings.SALT_KEY}:{settings.SECRET_KEY}".encode()
    return hmac.new(key, normalise_identifier(number).encode(), hashlib.sha256).hexdigest()


class Person(TimeStamped):
    """Anyone who will enter a school: the individual provider or an institution's staff."""

    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="people"
    )
    full_name = models.CharField(_("full name"), max_length=64)
    id_number = IdentityNumberField(
        _("resident identity number"), max_length=18, validators=[validate_id_number]
    )
    id_number_digest = models.CharField(max_length=64, editable=False, db_index=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validate_phone])
    role_title = models.CharField(
        _("role"), max_length=64, blank=True, help_text=_("For example coach, lecturer, tutor.")
    )
    is_principal = models.BooleanField(
        _("is the provider in person"), default=False,
        help_text=_("Set for individual providers: the person who is the provider."),
    )
    subject = models.CharField(
        _("subject or speciality"), max_length=64, blank=True,
        help_text=_("Retired teachers: the subject they taught."),
    )
    barred = models.BooleanField(_("barred from schools"), default=False)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)

    class Meta:
        ordering = ["provider", "full_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        permissions = [
            ("view_identity_number", _("Can see full identity numbers and check results")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "id_number_digest"], name="person_once_per_provider",
                violation_error_message=_("This person is already listed for this provider."),
            ),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.id_number = normalise_identifier(self.id_number)
        self.id_number_digest = id_number_digest(self.id_number)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.id_number = normalise_identifier(self.id_number)

    def latest_check(self):
        checks = sorted(self.checks.all(), key=lambda c: (c.checked_on is not None,
                                                          c.checked_on, c.created_at))
        return checks[-1] if checks else None

    def cleared_until(self, until: dt.date) -> bool:
        """Whether this person may enter schools on every day up to ``until``: not
        barred, with a cleared check still valid then."""
        check = self.latest_check()
        return not self.barred and bool(check and check.is_valid(until))

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def gender(self) -> str:
        return _("male") if int(self.id_number[16]) % 2 else _("female")

    @property
    def birth_date(self) -> dt.date:
        n = self.id_number
        return dt.date(int(n[6:10]), int(n[10:12]), int(n[12:14]))


class BackgroundCheck(CheckWorkflow, TimeStamped):
    """Illegal-record query, health and character check of one person (sensitive)."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="checks"
    )
    adapter = models.CharField(
        _("source"), max_length=16, choices=CheckAdapter.choices, default=CheckAdapter.MANUAL
    )
    criminal_record = models.CharField(
        _("illegal-record query"), max_length=16, choices=CriminalRecordResult.choices,
        default=CriminalRecordResult.PENDING,
    )
    health = models.CharField(
        _("physical and mental health"), max_length=16, choices=HealthResult.choices,
        default=HealthResult.PENDING,
    )
    character = models.CharField(
        _("character"), max_length=16, choices=CharacterResult.choices,
        default=CharacterResult.PENDING,
    )
    reference = models.CharField(_("query reference number"), max_length=64, blank=True)
    checked_on = models.DateField(_("checked on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True, editable=False)
    result_file = models.FileField(
        _("official result file"), storage=private_storage, upload_to=PrivatePath("checks"),
        blank=True, max_length=255,
    )
    note = bounded_text(_("note"), NOTE_LIMIT, blank=True)

    class Meta:
        ordering = ["-checked_on", "-created_at"]
        verbose_name = _("background check")
        verbose_name_plural = _("background checks")

    def __str__(self):
        return str(_("Check of %(person)s")) % {"person": self.person}

    def save(self, *args, **kwargs):
        self.valid_until = (
            policy.background_check_valid_until(self.checked_on) if self.checked_on else None
        )
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.checked_on and self.checked_on > timezone.localdate():
            raise ValidationError({"checked_on": _("The check date cannot be in the future.")})

    def missing_results(self) -> list[str]:
        missing = [str(self._meta.get_field(name).verbose_name)
                   for name in ("criminal_record", "health", "character")
                   if getattr(self, name) == "pending"]
        if not self.checked_on:
            missing.append(str(self._meta.get_field("checked_on").verbose_name))
        if not self.result_file:
            missing.append(str(self._meta.get_field("result_file").verbose_name))
        return missing

    def is_valid(self, on: dt.date | None = None) -> bool:
        on = on or timezone.localdate()
        return (self.state == CheckState.CLEARED and self.valid_until is not None
                and self.valid_until >= on)

    @property
    def is_flagged(self) -> bool:
        return (
            self.criminal_record == CriminalRecordResult.FLAGGED
            or self.health == HealthResult.UNFIT
            or self.character == CharacterResult.CONCERN
        )
