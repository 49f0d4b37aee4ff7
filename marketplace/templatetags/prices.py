"""How a price reads wherever people see one: ``{% load prices %}{{ price|per_session }}``.

A free offering reads "Free" (免费), not "0.00 yuan per session". The API keeps numbers.
"""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def per_session(price) -> str:
    """``price`` (a number or its text) as people read a price per session."""
    try:
        free = Decimal(str(price)) == 0
    except (InvalidOperation, ValueError):
        return ""
    if free:
        return _("Free")
    return _("%(price)s yuan per session") % {"price": price}
