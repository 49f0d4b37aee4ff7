"""Guards that can say why they fail.

A guard wraps a function returning the unmet items (an empty list when satisfied) into a
django-fsm condition (a boolean), keeping the message that explains the failure.
"""

from django.utils.translation import gettext


def guard(message):
    def decorator(unmet):
        def condition(instance) -> bool:
            return not unmet(instance)

        condition.__name__ = unmet.__name__
        condition.__doc__ = unmet.__doc__
        condition.unmet = unmet
        condition.message = message
        return condition

    return decorator


def explain(condition, instance) -> str | None:
    """The message for a failing guard, or None when it holds."""
    unmet = getattr(condition, "unmet", None)
    if unmet is None:
        return None if condition(instance) else gettext("A condition is not met.")
    items = unmet(instance)
    if not items:
        return None
    return str(condition.message) % {"items": gettext(", ").join(str(i) for i in items)}
