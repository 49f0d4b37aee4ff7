"""Offerings: what a provider offers schools, with its search document."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplace.choices import (
    Category,
    Delivery,
    ProviderKind,
    ResourceType,
    VerificationState,
)
from marketplace.models.base import (
    DESCRIPTION_LIMIT,
    GRADE_VALIDATORS,
    NOTE_LIMIT,
    OUTLINE_LIMIT,
    TimeStamped,
    bounded_text,
)
from marketplace.models.providers import Provider
from marketplace.search import document_tokens
from marketplace.validators import (
    number_range,
)
from workflows import policy


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
