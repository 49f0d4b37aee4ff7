"""Identity numbers are encrypted at rest, masked on display and kept out of logs."""

import logging

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection

from marketplace.models import Person
from media.logging import redact
from tests.factories import PersonFactory, ProviderFactory

pytestmark = pytest.mark.django_db

NUMBER = "11010519491231002X"


def test_identity_number_is_encrypted_in_the_database():
    person = PersonFactory(id_number=NUMBER)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM marketplace_person WHERE id = %s", [person.pk])
        raw = cursor.fetchone()[0]
    assert NUMBER not in raw
    assert "19491231" not in raw
    assert Person.objects.get(pk=person.pk).id_number == NUMBER


def test_identity_number_is_masked_and_derived_fields_are_right():
    person = PersonFactory(id_number=NUMBER.lower())
    assert person.id_number == NUMBER
    assert person.id_number_masked == "110105**********2X"
    assert person.birth_date.isoformat() == "1949-12-31"
    assert str(person.gender) in ("女", "female")


def test_a_bad_identity_number_is_refused_with_a_chinese_message():
    person = PersonFactory.build(provider=ProviderFactory(), id_number="110105194912310021")
    with pytest.raises(ValidationError) as exc:
        person.full_clean()
    assert "id_number" in exc.value.message_dict
    assert "校验" in exc.value.message_dict["id_number"][0]


def test_the_same_person_cannot_be_added_twice_to_one_provider():
    provider = ProviderFactory()
    PersonFactory(provider=provider, id_number=NUMBER)
    with pytest.raises(IntegrityError):
        PersonFactory(provider=provider, id_number=NUMBER.lower())


def test_identity_and_mobile_numbers_are_redacted_from_log_lines(caplog):
    assert redact(f"person {NUMBER} phone 13812345678") == \
        "person 110105********002X phone 138****5678"
    from media.logging import RedactPersonalData

    logger = logging.getLogger("marketplace.test")
    logger.addFilter(RedactPersonalData())
    with caplog.at_level(logging.INFO, logger="marketplace.test"):
        logger.info("checking %s", NUMBER)
    assert NUMBER not in caplog.text
    assert "110105********002X" in caplog.text
