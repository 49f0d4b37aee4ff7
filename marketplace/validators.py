"""Validators for what people type.

- 居民身份证号码 (resident identity number), GB 11643-1999: 17 digits and an ISO 7064
  MOD 11-2 check character (0-9 or X), with a valid province code and birth date.
- 统一社会信用代码 (unified social credit code), GB 32100-2015: 18 characters from a
  31-character alphabet (no I, O, Z, S, V) and a MOD 31 check character at the end.
- Long texts with a stated limit (``TextLengthValidator``, defined in
  ``workflows.validators`` so that the transition entry point uses it too), and numbers
  with one range and one message.

Identifiers are normalised before they are checked, stored or digested: Unicode NFKC
(full-width ２ becomes 2), spaces dropped, upper-case. Anything still outside ASCII
(Arabic-Indic digits, Chinese characters) is refused. The check characters come from
python-stdnum (``stdnum.cn.ric``, ``stdnum.cn.uscc``); the format, region and birth-date
checks stay here so that each failure keeps its own message. stdnum's own ``validate``
is not used for credit codes: it wants digits in the first two places, where GB 32100
also allows registration authority letters (for example Y, N).
"""

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc

from workflows.validators import TextLengthValidator  # noqa: F401 (re-exported)

# First two digits of the administrative division code (province level).
PROVINCE_CODES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
     50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)
_ID_RE = re.compile(r"^[0-9]{17}[0-9X]$")

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def normalise_identifier(value: str) -> str:
    """NFKC (full-width to half-width), no spaces, upper-case: the way these numbers
    are stored, compared and digested."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or ""))).upper()


def id_number_check_char(first17: str) -> str:
    return ric.calc_check_digit(first17 + "?")  # stdnum reads the first 17 characters


def validate_id_number(value: str) -> None:
    number = normalise_identifier(value)
    if not number.isascii():
        raise ValidationError(
            _("Type the identity number with the digits 0-9 and the letter X only: switch "
              "the input method to English or half-width."),
            code="id_characters",
        )
    if not _ID_RE.match(number):
        raise ValidationError(
            _("A resident identity number has 18 characters: 17 digits followed by a digit or X."),
            code="id_format",
        )
    if int(number[:2]) not in PROVINCE_CODES:
        raise ValidationError(
            _("The first two digits of this identity number are not a valid region code."),
            code="id_region",
        )
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < 1900 or born > dt.date.today():
        raise ValidationError(
            _("Digits 7 to 14 of this identity number are not a valid date of birth."),
            code="id_birth_date",
        )
    if id_number_check_char(number[:17]) != number[17]:
        raise ValidationError(
            _("This identity number fails its check digit: please check it for a typing error."),
            code="id_checksum",
        )


def uscc_check_char(first17: str) -> str:
    return uscc.calc_check_digit(first17)


def validate_credit_code(value: str) -> None:
    code = normalise_identifier(value)
    if not code.isascii():
        raise ValidationError(
            _("Type the credit code with the digits 0-9 and capital letters A-Z only: switch "
              "the input method to English or half-width."),
            code="uscc_characters",
        )
    if not _USCC_RE.match(code):
        raise ValidationError(
            _(
                "A unified social credit code has 18 characters: digits and capital letters "
                "except I, O, Z, S and V."
            ),
            code="uscc_format",
        )
    if uscc_check_char(code[:17]) != code[17]:
        raise ValidationError(
            _("This unified social credit code fails its check character: please check it for "
              "a typing error."),
            code="uscc_checksum",
        )


def mask_id_number(value: str) -> str:
    """Show the region's first digits and the last two: 110105************2X."""
    number = normalise_identifier(value)
    if len(number) < 8:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 8) + number[-2:]


_PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$", re.ASCII)


def normalise_phone(value: str) -> str:
    """NFKC (full-width digits and hyphens to half-width) and no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or "")))


def validate_phone(value: str) -> None:
    """A mainland mobile number (11 digits) or a landline with area code."""
    if not _PHONE_RE.match(normalise_phone(value)):
        raise ValidationError(
            _("Enter an 11-digit mobile number or a landline number with its area code, "
              "for example 13812345678 or 021-59612345."),
            code="phone",
        )


def _range_message(low, high):
    if high is None:
        return _("Enter a number of at least %(low)s.")
    if low is None:
        return _("Enter a number of at most %(high)s.")
    return _("Enter a number from %(low)s to %(high)s.")


class _Bound:
    """One end of a number's range that speaks of the whole range, so that a value
    below and a value above get the same message. Being a Min/MaxValueValidator, it
    also stands in for the database's own range of the column."""

    def __call__(self, value):
        if value is not None and self.compare(value, self.limit_value):
            raise ValidationError(_range_message(self.low, self.high), code="out_of_range",
                                  params={"low": self.low, "high": self.high, "value": value})

    def __eq__(self, other):
        return (type(self) is type(other)
                and (self.low, self.high) == (other.low, other.high))

    def __hash__(self):
        return hash((type(self), self.low, self.high))


@deconstructible
class LowerBound(_Bound, MinValueValidator):
    def __init__(self, low, high=None):
        super().__init__(low)
        self.low, self.high = low, high


@deconstructible
class UpperBound(_Bound, MaxValueValidator):
    def __init__(self, high, low=None):
        super().__init__(high)
        self.low, self.high = low, high


def number_range(low=None, high=None) -> list:
    """The validators of a number from ``low`` to ``high`` (either end may be open)."""
    bounds = []
    if low is not None:
        bounds.append(LowerBound(low, high))
    if high is not None:
        bounds.append(UpperBound(high, low))
    return bounds
