"""Validators shared by the forms, the models and the transition entry point.

They live here, below ``marketplace``, so that ``workflows.transitions`` can use them
without importing upwards; ``marketplace.validators`` re-exports them.
"""

from django.core.validators import MaxLengthValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _


# The path stays the one migrations already name (marketplace.validators re-exports it).
@deconstructible(path="marketplace.validators.TextLengthValidator")
class TextLengthValidator(MaxLengthValidator):
    """A long text's limit, with a message that gives the limit and the current length.

    A line break counts as one character: browsers send a textarea's line breaks as CR LF.
    """

    message = _("At most %(limit_value)s characters; this text has %(show_value)s. Please "
                "shorten it before saving.")

    def clean(self, x):
        return len(str(x).replace("\r\n", "\n"))
