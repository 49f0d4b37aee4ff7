"""The domain (SPEC §3): who provides what, who may enter schools, and what schools book.

Lifecycles come from ``workflows``: each stateful model composes its workflow mixin,
so the machine is one import away from the model.
"""

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from marketplace import credentials as credential_rules
from marketplace.choices import (
    Category,
    CharacterResult,
    CheckAdapter,
    ContractKind,
    CredentialType,
    CriminalRecordResult,
    Delivery,
    EvaluationKind,
    ExitReason,
    ExitTrigger,
    HealthResult,
    InspectionKind,
    ProviderKind,
    ResourceType,
    SchoolLevel,
    SignatureParty,
    VerificationState,
    Weekday,
)
from marketplace.search import document_tokens
from marketplace.validators import (
    TextLengthValidator,
    mask_id_number,
    normalise_identifier,
    number_range,
    validate_credit_code,
    validate_id_number,
    validate_phone,
)
from media.storage import PrivatePath, private_storage
from workflows import policy
from workflows.admission import AdmissionWorkflow
from workflows.booking import BookingWorkflow
from workflows.checks import CheckState, CheckWorkflow
from workflows.exit import ExitWorkflow

GRADE_VALIDATORS = number_range(1, 9)

#: Length limits of the texts people type (characters). Enough for what a bureau form
#: asks; a 200,000-character text is a paste gone wrong, not a course outline.
NOTE_LIMIT = 1000
DESCRIPTION_LIMIT = 2000
OUTLINE_LIMIT = 3000


def bounded_text(verbose_name, limit: int, **kwargs) -> models.TextField:
    """A text column with a limit that every path enforces: the portal's forms, the
    Wagtail admin and anything that calls ``full_clean()``."""
    return models.TextField(verbose_name, max_length=limit,
                            validators=[TextLengthValidator(limit)], **kwargs)


class User(AbstractUser):
    """An account. Roles are groups (see ``marketplace.roles``)."""

    email = models.EmailField(_("e-mail address"), unique=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validate_phone])

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Town(models.Model):
    """A town or street (镇/街道) of the district: service areas and school locations."""

    district = models.CharField(_("district"), max_length=64)
    name = models.CharField(_("name"), max_length=64)

    class Meta:
        ordering = ["district", "name"]
        verbose_name = _("town or street")
        verbose_name_plural = _("towns and streets")
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="town_unique_in_district"),
        ]

    def __str__(self):
        return self.name


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
    id_number = EncryptedCharField(
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


class Offering(TimeStamped):
    """A course or service a provider offers to schools."""

    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="offerings"
    )
    title = models.CharField(_("title"), max_length=120)
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    resource_type = models.CharField(
        _("resource type"), max_length=16, choices=ResourceType.choices,
        default=ResourceType.COURSE,
    )
    delivery = models.CharField(_("delivery"), max_length=16, choices=Delivery.choices)
    grade_from = models.PositiveSmallIntegerField(_("from grade"), validators=GRADE_VALIDATORS)
    grade_to = models.PositiveSmallIntegerField(_("to grade"), validators=GRADE_VALIDATORS)
    session_minutes = models.PositiveSmallIntegerField(
        _("session length (minutes)"), validators=number_range(20, 240)
    )
    capacity = models.PositiveSmallIntegerField(
        _("students per group"), validators=number_range(1, 500)
    )
    price_per_session = models.DecimalField(
        _("price per session (CNY)"), max_digits=8, decimal_places=2,
        validators=number_range(0),
    )
    price_per_student_term = models.DecimalField(
        _("price per student per term (CNY)"), max_digits=8, decimal_places=2,
        null=True, blank=True, validators=number_range(0),
    )
    outline = bounded_text(_("course outline"), OUTLINE_LIMIT)
    safety_measures = bounded_text(_("safety measures"), DESCRIPTION_LIMIT)
    materials = bounded_text(_("materials and equipment"), NOTE_LIMIT, blank=True)
    review = models.CharField(
        _("content review"), max_length=16, choices=VerificationState.choices,
        default=VerificationState.PENDING,
    )
    review_note = bounded_text(_("review note"), NOTE_LIMIT, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    search_document = models.TextField(editable=False, blank=True, default="")

    class Meta:
        ordering = ["provider", "title"]
        verbose_name = _("offering")
        verbose_name_plural = _("offerings")
        constraints = [
            models.CheckConstraint(
                condition=Q(grade_from__lte=models.F("grade_to")), name="offering_grade_range",
                violation_error_message=_("The first grade must not be above the last grade."),
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.search_document = self.build_search_document()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_document"}
        super().save(*args, **kwargs)

    def build_search_document(self, provider_name: str | None = None) -> str:
        """What search finds this offering by: its title, its provider's name, its
        category in both languages, its outline and materials."""
        from django.utils import translation

        labels = []
        for language in ("zh-hans", "en"):
            with translation.override(language):
                labels.append(str(self.get_category_display()))
        name = provider_name if provider_name is not None else self.provider.name
        return document_tokens(self.title, name, *labels, self.outline, self.materials)

    def clean(self):
        super().clean()
        errors = {}
        if self.grade_from and self.grade_to and self.grade_from > self.grade_to:
            errors["grade_to"] = _("The last grade must not be below the first grade.")
        if (
            self.provider_id
            and self.provider.kind == ProviderKind.PROFESSIONAL
            and self.price_per_session is not None
            and self.price_per_session > policy.professional_fee_cap()
        ):
            errors["price_per_session"] = _(
                "External professionals may charge at most %(cap)s yuan per session."
            ) % {"cap": policy.professional_fee_cap()}
        if (
            self.price_per_student_term is not None
            and self.price_per_student_term > policy.personalised_course_cap()
        ):
            errors["price_per_student_term"] = _(
                "A course paid by parents may cost at most %(cap)s yuan per student per term."
            ) % {"cap": policy.personalised_course_cap()}
        if errors:
            raise ValidationError(errors)

    @property
    def grades_display(self) -> str:
        if self.grade_from == self.grade_to:
            return str(_("Grade %(n)s")) % {"n": self.grade_from}
        return str(_("Grades %(a)s–%(b)s")) % {"a": self.grade_from, "b": self.grade_to}


def reindex_offerings(queryset, *, provider_name: str | None = None, batch_size: int = 500):
    """Rebuild the search documents of some offerings (after a provider is renamed, or
    after rows were written without ``save()``). Returns how many were rebuilt."""
    count = 0
    batch = []
    for offering in queryset.select_related("provider").iterator(chunk_size=batch_size):
        offering.search_document = offering.build_search_document(provider_name)
        batch.append(offering)
        if len(batch) >= batch_size:
            Offering.objects.bulk_update(batch, ["search_document"])
            count += len(batch)
            batch = []
    if batch:
        Offering.objects.bulk_update(batch, ["search_document"])
        count += len(batch)
    return count


class School(TimeStamped):
    name = models.CharField(_("name"), max_length=120, unique=True)
    town = models.ForeignKey(
        Town, verbose_name=_("town or street"), on_delete=models.PROTECT, related_name="schools"
    )
    level = models.CharField(_("level"), max_length=16, choices=SchoolLevel.choices)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validate_phone])
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("after-school coordinators"), blank=True,
        related_name="schools",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")

    def __str__(self):
        return self.name


class Term(models.Model):
    name = models.CharField(_("name"), max_length=64, unique=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lt=models.F("ends_on")), name="term_dates_ordered",
                violation_error_message=_("A term must end after it starts."),
            ),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def current(cls, on: dt.date | None = None):
        on = on or timezone.localdate()
        return cls.objects.filter(starts_on__lte=on, ends_on__gte=on).first()


class Booking(BookingWorkflow, TimeStamped):
    """A school books an offering for a term."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="bookings"
    )
    offering = models.ForeignKey(
        Offering, verbose_name=_("offering"), on_delete=models.PROTECT, related_name="bookings"
    )
    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.PROTECT, related_name="bookings"
    )
    place = models.CharField(_("place"), max_length=120)
    grade_from = models.PositiveSmallIntegerField(_("from grade"), validators=GRADE_VALIDATORS)
    grade_to = models.PositiveSmallIntegerField(_("to grade"), validators=GRADE_VALIDATORS)
    student_count = models.PositiveSmallIntegerField(
        _("number of students"), validators=number_range(1)
    )
    price_per_session = models.DecimalField(
        _("agreed price per session (CNY)"), max_digits=8, decimal_places=2,
        validators=number_range(0),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT,
        related_name="+",
    )
    note = bounded_text(_("note"), NOTE_LIMIT, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")

    def __str__(self):
        return f"{self.school} · {self.offering}"

    def clean(self):
        super().clean()
        errors = {}
        if self.grade_from and self.grade_to and self.grade_from > self.grade_to:
            errors["grade_to"] = _("The last grade must not be below the first grade.")
        if self.offering_id and self.student_count and \
                self.student_count > self.offering.capacity:
            errors["student_count"] = _(
                "This offering takes at most %(n)s students per group."
            ) % {"n": self.offering.capacity}
        if errors:
            raise ValidationError(errors)


class BookingSlot(models.Model):
    """A weekly time slot of a booking."""

    booking = models.ForeignKey(
        Booking, verbose_name=_("booking"), on_delete=models.CASCADE, related_name="slots"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))

    class Meta:
        ordering = ["weekday", "starts_at"]
        verbose_name = _("weekly slot")
        verbose_name_plural = _("weekly slots")

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    def clean(self):
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A slot must end after it starts.")})
        if self.ends_at and self.booking_id:
            latest = policy.service_end(self.booking.grade_from)
            if self.ends_at > latest:
                raise ValidationError({"ends_at": _(
                    "After-school service for these grades must end by %(time)s."
                ) % {"time": latest.strftime("%H:%M")}})


class ScheduleEntry(models.Model):
    """One line of the term schedule (排片表): time, content, venue, form, responsible person."""

    booking = models.ForeignKey(
        Booking, verbose_name=_("booking"), on_delete=models.CASCADE, related_name="schedule"
    )
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    content = models.CharField(_("content"), max_length=200)
    venue = models.CharField(_("venue"), max_length=120)
    form = models.CharField(_("form"), max_length=64)
    responsible = models.ForeignKey(
        Person, verbose_name=_("responsible person"), on_delete=models.PROTECT,
        related_name="schedule_entries",
    )

    class Meta:
        ordering = ["date", "starts_at"]
        verbose_name = _("schedule entry")
        verbose_name_plural = _("schedule entries")

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.starts_at:%H:%M} {self.content}"

    def clean(self):
        super().clean()
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("An entry must end after it starts.")
        if self.booking_id and self.date:
            term = self.booking.term
            if not term.starts_on <= self.date <= term.ends_on:
                errors["date"] = _("The date lies outside the term %(term)s.") % {"term": term}
        if self.booking_id and self.responsible_id and \
                self.responsible.provider_id != self.booking.offering.provider_id:
            errors["responsible"] = _("The responsible person must belong to the provider.")
        if errors:
            raise ValidationError(errors)


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


class Evaluation(TimeStamped):
    """One evaluation record of a booking: a school rating, survey answer, inspection or
    incident. Rolls up into the provider's score."""

    booking = models.ForeignKey(
        Booking, verbose_name=_("booking"), on_delete=models.PROTECT, related_name="evaluations"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EvaluationKind.choices)
    inspection_kind = models.CharField(
        _("inspection kind"), max_length=16, choices=InspectionKind.choices, blank=True
    )
    score = models.DecimalField(
        _("score (0–100)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=number_range(0, 100),
    )
    answers = models.JSONField(_("answers by criterion"), default=dict, blank=True)
    comment = bounded_text(_("comment"), DESCRIPTION_LIMIT, blank=True)
    occurred_on = models.DateField(_("date"), default=timezone.localdate)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )

    class Meta:
        ordering = ["-occurred_on"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.booking}"

    def clean(self):
        super().clean()
        errors = {}
        if self.kind == EvaluationKind.INSPECTION and not self.inspection_kind:
            errors["inspection_kind"] = _("Say what kind of inspection this was.")
        if self.kind != EvaluationKind.INSPECTION and self.inspection_kind:
            errors["inspection_kind"] = _("Only inspections have an inspection kind.")
        if self.kind != EvaluationKind.INCIDENT and self.score is None:
            errors["score"] = _("Give a score from 0 to 100.")
        if errors:
            raise ValidationError(errors)


class ExitCase(ExitWorkflow, TimeStamped):
    """A case for a provider's exit from the list (退出机制)."""

    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="exit_cases"
    )
    trigger = models.CharField(_("opened because of"), max_length=32, choices=ExitTrigger.choices)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    evidence = bounded_text(_("evidence"), DESCRIPTION_LIMIT, blank=True)
    evidence_file = models.FileField(
        _("evidence file"), storage=private_storage, upload_to=PrivatePath("exit-evidence"),
        blank=True, max_length=255,
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = bounded_text(_("decision note"), DESCRIPTION_LIMIT, blank=True)
    reapply_allowed_from = models.DateField(_("may re-apply from"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("exit case")
        verbose_name_plural = _("exit cases")

    def __str__(self):
        return str(_("Exit case of %(provider)s")) % {"provider": self.provider}

    def clean(self):
        super().clean()
        unknown = [r for r in self.reasons or [] if r not in ExitReason.values]
        if unknown:
            raise ValidationError({"reasons": _("Unknown reason: %(r)s") % {"r": unknown[0]}})
        if self.trigger != ExitTrigger.VOLUNTARY and not (self.reasons or []):
            raise ValidationError({"reasons": _("Give at least one reason.")})

    def get_reasons_display(self) -> list[str]:
        labels = dict(ExitReason.choices)
        return [str(labels[r]) for r in self.reasons or []]


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


@register_setting(icon="site")
class BureauSettings(BaseSiteSetting):
    """Who runs this site: shown in the header, the footer and on generated documents."""

    bureau_name = models.CharField(_("bureau name"), max_length=100, default="区教育局")
    district_name = models.CharField(_("district name"), max_length=64, default="示范区")
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("service phone"), max_length=32, blank=True)
    email = models.EmailField(_("service e-mail"), blank=True)
    office_hours = models.CharField(_("office hours"), max_length=100, blank=True)

    panels = [
        MultiFieldPanel([FieldPanel("bureau_name"), FieldPanel("district_name")],
                        heading=_("Bureau")),
        MultiFieldPanel(
            [FieldPanel("address"), FieldPanel("phone"), FieldPanel("email"),
             FieldPanel("office_hours")],
            heading=_("Contact"),
        ),
    ]

    class Meta:
        verbose_name = _("bureau settings")
