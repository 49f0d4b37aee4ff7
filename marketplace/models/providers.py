"""Providers: entries on (or applying to) the approved list (备选清单)."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.admission import credentials as credential_rules
from marketplace.choices import (
    ContractKind,
    CredentialType,
    ProviderKind,
    SignatureParty,
    VerificationState,
)
from marketplace.models.base import (
    DESCRIPTION_LIMIT,
    TimeStamped,
    Town,
    bounded_text,
)
from marketplace.validators import (
    normalise_identifier,
    validate_credit_code,
    validate_phone,
)
from workflows.admission import AdmissionWorkflow


class Provider(AdmissionWorkflow, TimeStamped):
    """An entry on (or applying to) the district's approved list (备选清单)."""

    kind = models.CharField(_("kind"), max_length=32, choices=ProviderKind.choices)
    name = models.CharField(_("legal or personal name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True,
        validators=[validate_credit_code],
        help_text=_("18 characters, required for institutions and venues."),
    )
    legal_representative = models.CharField(_("legal representative"), max_length=64, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=64)
    contact_phone = models.CharField(_("contact phone"), max_length=32, validators=[validate_phone])
    contact_email = models.EmailField(_("contact e-mail"))
    address = models.CharField(_("address"), max_length=255, blank=True)
    service_area = models.ManyToManyField(
        Town, verbose_name=_("service area"), related_name="providers", blank=True
    )
    description = bounded_text(_("description"), DESCRIPTION_LIMIT, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="providers",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        permissions = [
            ("review_qualification", _("Can review qualifications and course content")),
            ("record_background_check", _("Can record background checks")),
            ("list_provider", _("Can list, suspend and exit providers")),
            ("countersign_agreement", _("Can countersign admission agreements")),
            ("export_dossier", _("Can export a provider's dossier")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"], condition=~Q(credit_code=""),
                name="provider_credit_code_unique",
                violation_error_message=_(
                    "A provider with this credit code is already registered."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.credit_code = normalise_identifier(self.credit_code)
        super().save(*args, **kwargs)
        loaded = getattr(self, "_loaded_name", None)
        if loaded is not None and loaded != self.name:
            from marketplace.models.offerings import reindex_offerings  # offerings import us

            reindex_offerings(self.offerings.all(), provider_name=self.name)
        self._loaded_name = self.name

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_name = instance.__dict__.get("name")
        return instance

    @property
    def is_public(self) -> bool:
        """Whether a listing of this provider is published by name (retired teachers are
        in the pool, shown in aggregate only)."""
        return self.kind in ProviderKind.named_in_public()

    @property
    def is_organisation(self) -> bool:
        return self.kind in ProviderKind.organisations()

    def clean(self):
        super().clean()
        self.credit_code = normalise_identifier(self.credit_code)
        if self.is_organisation and not self.credit_code:
            raise ValidationError(
                {"credit_code": _("Institutions and venues must give their unified social "
                                  "credit code.")}
            )

    def required_credential_types(self) -> tuple[str, ...]:
        return credential_rules.required_for_provider(self.kind)

    def active_people(self):
        return self.people.filter(removed_at__isnull=True)

    def active_credentials(self):
        return self.credentials.filter(replaced_at__isnull=True)

    def active_offerings(self):
        return self.offerings.filter(withdrawn_at__isnull=True)

    def missing_credential_types(self) -> list[str]:
        held = self.active_credentials().filter(person__isnull=True).values_list("type", flat=True)
        return credential_rules.missing_types(self.required_credential_types(), held)

    # --- what the admission guards ask (workflows.admission) --------------------------
    def missing_requirements(self) -> list[str]:
        labels = dict(CredentialType.choices)
        missing = [str(labels[t]) for t in self.missing_credential_types()]
        if self.is_organisation and not self.credit_code:
            missing.append(str(_("unified social credit code")))
        if not self.active_offerings().exists():
            missing.append(str(_("at least one offering")))
        people = list(self.active_people().prefetch_related("credentials"))
        if not people:
            missing.append(str(_("at least one person who will enter schools")))
        for person in people:
            held = [c.type for c in person.credentials.all() if c.replaced_at is None]
            for t in credential_rules.missing_types(credential_rules.REQUIRED_FOR_PERSON, held):
                missing.append(f"{person.full_name}: {labels[t]}")
        return missing

    def _items_in(self, state: str) -> list[str]:
        credentials = self.active_credentials().filter(
            Q(person__isnull=True) | Q(person__removed_at__isnull=True), verification=state
        ).select_related("person")
        offerings = self.active_offerings().filter(review=state)
        return [str(c.label) for c in credentials] + [o.title for o in offerings]

    def unreviewed_items(self) -> list[str]:
        return self._items_in(VerificationState.PENDING)

    def refused_items(self) -> list[str]:
        return self._items_in(VerificationState.REFUSED)

    def people_not_cleared(self, on: dt.date | None = None) -> list[str]:
        on = on or timezone.localdate()
        result = []
        for person in self.active_people().prefetch_related("checks"):
            check = person.latest_check()
            if person.barred:
                result.append(str(_("%(name)s (barred)")) % {"name": person.full_name})
            elif not check or not check.is_valid(on):
                result.append(person.full_name)
        return result

    def admission_agreement(self):
        return (self.contracts.filter(kind=ContractKind.ADMISSION)
                .prefetch_related("signatures").order_by("-created_at", "-pk").first())

    def agreement_signed_by_both(self) -> bool:
        contract = self.admission_agreement()
        return bool(contract and contract.signed_by(SignatureParty.VENDOR)
                    and contract.signed_by(SignatureParty.BUREAU))
