import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from marketplace.validators import (
    id_number_check_char,
    mask_id_number,
    uscc_check_char,
    validate_credit_code,
    validate_id_number,
    validate_phone,
)

# Published examples: GB 11643's sample number and the credit codes of three companies.
VALID_ID_NUMBERS = ["11010519491231002X", "11010519491231002x", "440308199901010012"]
VALID_CREDIT_CODES = ["9144030071526726XG", "91330100716105852F", "914403001922038216",
                      "91350100M000100Y43"]


def _code(exc):
    return exc.value.error_list[0].code


def test_check_characters_match_published_examples():
    assert id_number_check_char("11010519491231002") == "X"
    assert uscc_check_char("9144030071526726X") == "G"


@pytest.mark.parametrize("number", VALID_ID_NUMBERS)
def test_valid_identity_numbers_pass(number):
    validate_id_number(number)


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("110105194912310021", "id_checksum"),   # last digit changed
        ("110105194912310029", "id_checksum"),
        ("11010519491231002", "id_format"),      # 17 characters
        ("1101051949123100211", "id_format"),    # 19 characters
        ("11010519491231002Y", "id_format"),
        ("990105194912310028", "id_region"),     # no province 99
        ("110105194913310023", "id_birth_date"),  # month 13
        ("110105209901010016", "id_birth_date"),  # born in the future
    ],
)
def test_invalid_identity_numbers_are_refused_with_a_reason(number, code):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(number)
    assert _code(exc) == code


def test_identity_number_checksum_message_is_chinese_by_default():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        validate_id_number("110105194912310021")
    assert "校验" in str(exc.value.messages[0])


@pytest.mark.parametrize("code", VALID_CREDIT_CODES)
def test_valid_credit_codes_pass(code):
    validate_credit_code(code)
    validate_credit_code(code.lower())


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("9144030071526726XA", "uscc_checksum"),
        ("91330100716105852G", "uscc_checksum"),
        ("9144030071526726X", "uscc_format"),     # 17 characters
        ("9144030071526726IG", "uscc_format"),    # I is not in the alphabet
        ("91440300715267O6XG", "uscc_format"),    # letter O
        ("91ABCDEF71526726XG", "uscc_format"),    # division code must be digits
    ],
)
def test_invalid_credit_codes_are_refused_with_a_reason(code, reason):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(code)
    assert _code(exc) == reason


def test_mask_hides_the_middle_of_an_identity_number():
    assert mask_id_number("11010519491231002X") == "110105**********2X"


@pytest.mark.parametrize("phone", ["13812345678", "021-59612345", "0571 8765 4321"])
def test_phone_numbers_pass(phone):
    validate_phone(phone)


@pytest.mark.parametrize("phone", ["12345", "23812345678", "1381234567"])
def test_bad_phone_numbers_are_refused(phone):
    with pytest.raises(ValidationError):
        validate_phone(phone)
