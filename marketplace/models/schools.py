"""Schools and their terms."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.choices import (
    SchoolLevel,
)
from marketplace.models.base import (
    TimeStamped,
    Town,
)
from marketplace.validators import (
    validate_phone,
)


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


class Venue(models.Model):
    """A room or ground inside a school where a provider's group meets (场地)."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="venues"
    )
    name = models.CharField(_("name"), max_length=80)
    capacity = models.PositiveSmallIntegerField(
        _("places"), null=True, blank=True, help_text=_("How many students it holds."),
    )

    class Meta:
        ordering = ["school", "name"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="venue_unique_in_school"),
        ]

    def __str__(self):
        return self.name


class DayOff(models.Model):
    """A local day without after-school service that the national calendar does not
    know (a sports day, an exam, a closure): for one school or, empty, for all."""

    date = models.DateField(_("date"), db_index=True)
    name = models.CharField(_("occasion"), max_length=80)
    school = models.ForeignKey(
        School, verbose_name=_("school"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="days_off", help_text=_("Leave empty for every school of the district."),
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("local day off")
        verbose_name_plural = _("local days off")
        constraints = [
            models.UniqueConstraint(fields=["date", "school"], name="day_off_once_per_school"),
            models.UniqueConstraint(fields=["date"], condition=Q(school__isnull=True),
                                    name="day_off_once_for_district"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"
