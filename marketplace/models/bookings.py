"""Bookings: a school books an offering for weekly slots in a term."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.choices import (
    Weekday,
)
from marketplace.models.base import GRADE_VALIDATORS, NOTE_LIMIT, TimeStamped, bounded_text
from marketplace.models.offerings import Offering
from marketplace.models.people import Person
from marketplace.models.schools import School, Term
from marketplace.validators import (
    number_range,
)
from workflows import policy
from workflows.booking import BookingWorkflow


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
