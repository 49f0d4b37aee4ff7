import datetime as dt
import random

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from marketplace.models import Person, Provider, id_number_digest
from marketplace.roles import Role
from marketplace.validators import (
    id_number_check_char,
    mask_id_number,
    normalise_identifier,
    uscc_check_char,
    validate_credit_code,
    validate_id_number,
    validate_phone,
)
from tests.factories import PersonFactory, ProviderFactory, UserFactory, make_id_number

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


# --- non-ASCII input ------------------------------------------------------------------------
FULL_WIDTH = str.maketrans("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                           "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def test_identifiers_typed_in_full_width_are_normalised_to_ascii():
    assert normalise_identifier("１１０１０５ １９４９１２３１００２ｘ") == "11010519491231002X"
    assert normalise_identifier("９１４４０３００７１５２６７２６ＸＧ") == "9144030071526726XG"


def test_full_width_identifiers_pass_like_their_ascii_spelling():
    validate_id_number(VALID_ID_NUMBERS[0].translate(FULL_WIDTH))
    validate_credit_code(VALID_CREDIT_CODES[0].translate(FULL_WIDTH))


def test_the_credit_code_from_the_report_is_valid_once_normalised():
    validate_credit_code("Y9５００１０３49X9883990")
    assert normalise_identifier("Y9５００１０３49X9883990") == "Y950010349X9883990"


@pytest.mark.parametrize("code", ["Y9５００１０３49X9883991",   # wrong check character
                                  "Y9٥٠٠١٠٣49X9883990",
                                  VALID_CREDIT_CODES[0].translate(ARABIC_INDIC),
                                  "91440300715267２6ＸＧ".replace("２", "٢"),
                                  "9144030071526726X中"])
def test_a_credit_code_with_foreign_digits_is_refused_not_crashed(code):
    with pytest.raises(ValidationError):
        validate_credit_code(code)


def test_arabic_indic_digits_are_refused_with_a_message_about_the_input_method():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        validate_id_number(VALID_ID_NUMBERS[2].translate(ARABIC_INDIC))
    assert _code(exc) == "id_characters"
    assert "半角" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(VALID_CREDIT_CODES[1].translate(ARABIC_INDIC))
    assert _code(exc) == "uscc_characters"


def test_a_phone_number_in_full_width_passes_and_foreign_digits_do_not():
    validate_phone("１３８１２３４５６７８")
    with pytest.raises(ValidationError):
        validate_phone("13812345678".translate(ARABIC_INDIC))


# --- python-stdnum against the standards' own arithmetic -------------------------------------
GB11643_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]   # ISO 7064 MOD 11-2
GB32100_WEIGHTS = [3 ** i % 31 for i in range(17)]


def reference_id_check(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, GB11643_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def reference_uscc_check(first17: str) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    total = sum(alphabet.index(c) * w for c, w in zip(first17, GB32100_WEIGHTS, strict=True))
    return alphabet[(31 - total % 31) % 31]


def test_the_check_characters_agree_with_the_standards_on_many_numbers():
    rng = random.Random(11643)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for _ in range(5000):
        first17 = "".join(rng.choice("0123456789") for _ in range(17))
        assert id_number_check_char(first17) == reference_id_check(first17)
        first17 = "".join(rng.choice(alphabet) for _ in range(17))
        assert uscc_check_char(first17) == reference_uscc_check(first17)


def test_a_credit_code_of_another_registration_authority_passes():
    """GB 32100 lets the first character be a letter (Y: other authorities), which
    stdnum's own validate() refuses; only its check character is used."""
    first17 = "Y1110000MA0000001"
    validate_credit_code(first17 + reference_uscc_check(first17))


# --- the portal, end to end ------------------------------------------------------------------
@pytest.fixture
def vendor_client(client):
    vendor = UserFactory(groups=[Role.VENDOR])
    client.force_login(vendor)
    client.draft = ProviderFactory(owner=vendor)
    return client


def details(provider, credit_code):
    return {"name": provider.name, "credit_code": credit_code,
            "legal_representative": "王建华", "contact_name": "赵老师",
            "contact_phone": "１３９ ００００ １１１１", "contact_email": "zhao@example.cn",
            "address": "", "service_area": [], "description": ""}


@pytest.mark.django_db
def test_a_credit_code_with_foreign_digits_gets_a_message_not_a_server_error(vendor_client):
    draft = vendor_client.draft
    with translation.override("zh-hans"):
        response = vendor_client.post(reverse("vendor:entry", args=[draft.pk]),
                                      details(draft, "Y9５００１０３49X9883991"))
        assert response.status_code == 200
        assert "校验位" in response.context["form"].errors["credit_code"][0]
        response = vendor_client.post(reverse("vendor:entry", args=[draft.pk]),
                                      details(draft, "Y9٥٠٠١٠٣49X9883990"))
    assert response.status_code == 200
    assert "半角" in response.context["form"].errors["credit_code"][0]
    assert Provider.objects.get(pk=draft.pk).credit_code == draft.credit_code


@pytest.mark.django_db
def test_a_full_width_credit_code_and_phone_are_stored_in_ascii(vendor_client):
    draft = vendor_client.draft
    response = vendor_client.post(reverse("vendor:entry", args=[draft.pk]),
                                  details(draft, "Y9５００ １０３49 X988 3990"))
    assert response.status_code == 302
    saved = Provider.objects.get(pk=draft.pk)
    assert saved.credit_code == "Y950010349X9883990"
    assert saved.contact_phone == "13900001111"


@pytest.mark.django_db
def test_the_same_person_typed_in_full_width_and_in_ascii_is_listed_once(vendor_client):
    draft = vendor_client.draft
    number = make_id_number(91, born=dt.date(1988, 6, 1))
    url = reverse("vendor:person_add", args=[draft.pk])

    # As a Chinese input method in full-width mode types it: digits wide, the last one not.
    first = vendor_client.post(url, {"full_name": "陈晓燕",
                                     "id_number": number[:17].translate(FULL_WIDTH) + number[17]})
    assert first.status_code == 302
    assert Person.objects.get(provider=draft).id_number == number

    for again in (number, number.translate(FULL_WIDTH)):
        response = vendor_client.post(url, {"full_name": "陈晓燕", "id_number": again})
        assert response.status_code == 200
        assert "id_number" in response.context["form"].errors
    assert draft.people.count() == 1


@pytest.mark.django_db
def test_a_full_width_number_and_its_ascii_spelling_share_one_digest():
    number = make_id_number(92)
    assert id_number_digest(number.translate(FULL_WIDTH)) == id_number_digest(number)
    person = PersonFactory(id_number=number.translate(FULL_WIDTH))
    assert Person.objects.get(pk=person.pk).id_number == number


@pytest.mark.django_db
def test_a_person_saved_by_another_request_after_the_form_was_checked_gets_a_message():
    """Two posts of the same person at once: the second passed its form check before the
    first committed. It gets the model's message, not a database error."""
    from marketplace.admission import services
    from marketplace.admission.forms import PersonForm

    vendor = UserFactory(groups=[Role.VENDOR])
    draft = ProviderFactory(owner=vendor)
    number = make_id_number(93)
    form = PersonForm({"full_name": "陈晓燕", "id_number": number}, provider=draft)
    assert form.is_valid(), form.errors
    PersonFactory(provider=draft, full_name="陈晓燕", id_number=number)  # the other request

    with pytest.raises(ValidationError) as refused:
        services.save_vendor_form(form, provider=draft, by=vendor)
    assert "该人员已在此服务提供方名下" in " ".join(refused.value.messages)
    assert draft.people.count() == 1


@pytest.mark.django_db
def test_a_refused_identity_number_does_not_stop_later_rows_being_decrypted():
    from django.core.exceptions import ValidationError

    from marketplace.models import Person
    from tests.factories import PersonFactory

    person = PersonFactory()
    field = Person._meta.get_field("id_number")
    with pytest.raises(ValidationError):
        field.clean("not-a-number", Person(provider=person.provider))
    assert Person.objects.get(pk=person.pk).id_number == person.id_number
