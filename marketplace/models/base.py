"""Shared pieces of the domain: the user, time stamps, towns and text limits."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.validators import (
    TextLengthValidator,
    number_range,
    validate_phone,
)

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
