"""Bookings: a school books an offering for weekly slots in a term, and the term
schedule (排片表) its agreement produces."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from marketplace.choices import Delivery, Weekday
from marketplace.models.base import GRADE_VALIDATORS, NOTE_LIMIT, TimeStamped, bounded_text
from marketplace.models.offerings import Offering
from marketplace.models.people import Person
from marketplace.models.schools import School, Term, Venue
from marketplace.validators import number_range
from workflows import policy
from workflows.booking import HOLDING, BookingWorkflow


class BookingQuerySet(models.QuerySet):
    def holding(self):
        """Bookings that hold their weekly slots: from the request until completed,
        unless declined or cancelled."""
        return self.filter(state__in=HOLDING)

    def for_coordinator(self, user):
        return self.filter(school__coordinators=user)

    def for_vendor(self, user):
        return self.filter(offering__provider__owner=user)


class Booking(BookingWorkflow, TimeStamped):
    """A school books an offering for weekly slots in a term."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="bookings"
    )
    offering = models.ForeignKey(
        Offering, verbose_name=_("offering"), on_delete=models.PROTECT, related_name="bookings"
    )
    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.PROTECT, related_name="bookings"
    )
    delivery = models.CharField(_("delivery"), max_length=16, choices=Delivery.choices,
                                default=Delivery.IN_SCHOOL)
    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="bookings", help_text=_("The room or ground in the school."),
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
    first_date = models.DateField(_("first date"), null=True, blank=True)
    last_date = models.DateField(_("last date"), null=True, blank=True)
    people = models.ManyToManyField(
        Person, verbose_name=_("responsible persons"), blank=True, related_name="bookings",
        help_text=_("Who the provider sends; each needs a background check valid until the "
                    "last session."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT,
        related_name="+",
    )
    note = bounded_text(_("note"), NOTE_LIMIT, blank=True)
    provider_flagged_at = models.DateTimeField(
        _("provider left the list"), null=True, blank=True,
        help_text=_("Set when the provider was suspended or exited while this booking was open."),
    )

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        permissions = [("cancel_active_booking", "Can cancel a booking once it is active")]
        constraints = [
            models.CheckConstraint(
                condition=Q(first_date__isnull=True) | Q(last_date__isnull=True)
                | Q(first_date__lte=models.F("last_date")),
                name="booking_dates_ordered",
                violation_error_message=_("The last date must not be before the first date."),
            ),
        ]
        indexes = [models.Index(fields=["school", "state"]),
                   models.Index(fields=["offering", "state"])]

    def __str__(self):
        return f"{self.school} · {self.offering}"

    @property
    def provider(self):
        return self.offering.provider

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

    def service_agreement(self):
        return self.contracts.filter(kind="service").order_by("-created_at").first()

    def service_agreement_signed_by_both(self) -> bool:
        from marketplace.choices import SignatureParty

        contract = self.service_agreement()
        return bool(contract and contract.signed_by(SignatureParty.VENDOR)
                    and contract.signed_by(SignatureParty.SCHOOL))

    def people_not_cleared(self) -> list[str]:
        """Names of the assigned people without a cleared check valid until the last date
        (or with none assigned: one item saying so)."""
        people = list(self.people.all())
        if not people:
            return [str(_("no responsible person assigned"))]
        until = self.last_date or self.term.ends_on
        return [p.full_name for p in people if not p.cleared_until(until)]


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
        indexes = [models.Index(fields=["weekday", "starts_at"])]

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


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DELIVERED = "delivered", _("Delivered")
    NOT_DELIVERED = "not_delivered", _("Not delivered")
    CANCELLED = "cancelled", pgettext_lazy("session", "Cancelled")


class ScheduleEntry(models.Model):
    """One session of the term schedule (排片表) with its five elements: time, content,
    venue, form and responsible person [000 §三(一)2]."""

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
    status = models.CharField(_("status"), max_length=16, choices=SessionStatus.choices,
                              default=SessionStatus.PLANNED, db_index=True)
    status_reason = models.CharField(_("reason"), max_length=200, blank=True)
    status_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    status_at = models.DateTimeField(_("changed at"), null=True, blank=True)
    moved_from = models.DateField(_("moved from"), null=True, blank=True)

    class Meta:
        ordering = ["date", "starts_at"]
        verbose_name = _("schedule entry")
        verbose_name_plural = _("schedule entries")
        indexes = [models.Index(fields=["booking", "date"]), models.Index(fields=["date"])]

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


def _feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A private address at which one user's calendar program reads their schedule
    (iCalendar). Whoever knows the address can read it, so it can be replaced."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return str(_("Calendar feed of %(user)s") % {"user": self.user})

    def renew(self):
        self.token = _feed_token()
        self.save(update_fields=["token"])
