"""Validators for Chinese identifiers.

- 居民身份证号码 (resident identity number), GB 11643-1999: 17 digits and an ISO 7064
  MOD 11-2 check character (0-9 or X), with a valid province code and birth date.
- 统一社会信用代码 (unified social credit code), GB 32100-2015: 18 characters from a
  31-character alphabet (no I, O, Z, S, V) and a MOD 31 check character at the end.
"""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# First two digits of the administrative division code (province level).
PROVINCE_CODES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
     50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def normalise_identifier(value: str) -> str:
    """Upper-case and drop spaces, the way people type these numbers."""
    return re.sub(r"\s+", "", str(value or "")).upper()


def id_number_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def validate_id_number(value: str) -> None:
    number = normalise_identifier(value)
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
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    code = normalise_identifier(value)
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


_PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")


def validate_phone(value: str) -> None:
    """A mainland mobile number (11 digits) or a landline with area code."""
    if not _PHONE_RE.match(re.sub(r"\s+", "", value or "")):
        raise ValidationError(
            _("Enter an 11-digit mobile number or a landline number with its area code, "
              "for example 13812345678 or 021-59612345."),
            code="phone",
        )
