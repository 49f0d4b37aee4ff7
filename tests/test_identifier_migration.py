"""The data migration that normalises identifiers saved before input was normalised:
full-width credit codes, phone numbers and identity numbers become the ASCII form every
new row has, identity digests match the number again, and a value that cannot be
normalised (or would collide with another row) is left as it is and counted."""

import hashlib
import importlib

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.operations import RunPython

from marketplace.models import Person, Provider, School, id_number_digest
from tests.factories import (
    PersonFactory,
    ProviderFactory,
    SchoolFactory,
    UserFactory,
    make_credit_code,
    make_id_number,
)

pytestmark = pytest.mark.django_db

MIGRATION = "0009_normalise_identifiers"
module = importlib.import_module(f"marketplace.migrations.{MIGRATION}")

FULL_WIDTH = str.maketrans("0123456789X-", "０１２３４５６７８９Ｘ－")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")  # NFKC keeps these


def full_width(value: str) -> str:
    return value.translate(FULL_WIDTH)


def migrate_now() -> dict:
    """Run the migration's function with the models as the migration sees them."""
    state = MigrationExecutor(connection).loader.project_state(("marketplace", MIGRATION))
    return module.normalise_identifiers(state.apps, None)


def stored_person(pk):
    return Person.objects.values("id_number", "id_number_digest").get(pk=pk)


def test_full_width_identifiers_saved_earlier_are_normalised():
    code = make_credit_code(701)
    provider = ProviderFactory(credit_code=code)
    user = UserFactory()
    school = SchoolFactory()
    number = next(n for n in map(make_id_number, range(700, 800)) if n.endswith("X"))
    person = PersonFactory(provider=provider, id_number=number)
    typed = full_width(number).lower()  # full-width, and a lower-case ｘ if any
    Provider.objects.filter(pk=provider.pk).update(
        credit_code=full_width(code), contact_phone="１３９ ０００１ １１１１")
    get_user_model().objects.filter(pk=user.pk).update(phone="１３８００１３８０００")
    School.objects.filter(pk=school.pk).update(phone="０５７１－８６０１２３４５")
    Person.objects.filter(pk=person.pk).update(
        id_number=typed, id_number_digest=hashlib.sha256(typed.encode()).hexdigest(),
        phone="１３７ ０００２ ２２２２")
    assert stored_person(person.pk)["id_number"] == typed  # stored encrypted, as typed

    counts = migrate_now()

    provider.refresh_from_db()
    assert provider.credit_code == code
    assert provider.contact_phone == "13900011111"
    assert get_user_model().objects.get(pk=user.pk).phone == "13800138000"
    assert School.objects.get(pk=school.pk).phone == "0571-86012345"
    assert stored_person(person.pk) == {"id_number": number,
                                        "id_number_digest": id_number_digest(number)}
    assert Person.objects.get(pk=person.pk).phone == "13700022222"
    # The duplicate check of the person form finds the person again.
    assert Person.objects.filter(provider=provider,
                                 id_number_digest=id_number_digest(full_width(number))).exists()
    assert counts["changed"]["Provider.credit_code"] == 1
    assert counts["changed"]["Person.id_number"] == 1
    assert not counts["left"]


def test_a_stale_digest_of_an_ascii_number_is_recomputed():
    person = PersonFactory()
    Person.objects.filter(pk=person.pk).update(id_number_digest="0" * 64)
    counts = migrate_now()
    assert stored_person(person.pk)["id_number_digest"] == id_number_digest(person.id_number)
    assert counts["changed"]["Person.id_number"] == 1


def test_rows_already_normalised_are_not_touched():
    PersonFactory(provider=ProviderFactory())
    SchoolFactory()
    counts = migrate_now()
    assert not counts["changed"] and not counts["left"]


def test_values_that_cannot_be_normalised_are_left_and_counted(caplog):
    provider = ProviderFactory()
    person = PersonFactory(provider=provider)
    arabic_code = provider.credit_code.translate(ARABIC_INDIC)
    arabic_number = person.id_number.translate(ARABIC_INDIC)
    Provider.objects.filter(pk=provider.pk).update(credit_code=arabic_code,
                                                   contact_phone="一三九〇〇〇一一一一")
    Person.objects.filter(pk=person.pk).update(id_number=arabic_number)

    counts = migrate_now()

    assert Provider.objects.values_list("credit_code", "contact_phone").get(pk=provider.pk) \
        == (arabic_code, "一三九〇〇〇一一一一")
    assert stored_person(person.pk)["id_number"] == arabic_number
    assert counts["left"] == {"Provider.credit_code": 1, "Provider.contact_phone": 1,
                              "Person.id_number": 1}
    # Counts only: no identifier is written to the log.
    assert "Person.id_number 1" in caplog.text
    assert arabic_number not in caplog.text and arabic_code not in caplog.text


def test_a_value_that_would_duplicate_another_row_is_left_and_counted():
    code = make_credit_code(703)
    ProviderFactory(credit_code=code)
    twin = ProviderFactory()
    Provider.objects.filter(pk=twin.pk).update(credit_code=full_width(code))
    provider = ProviderFactory()
    first = PersonFactory(provider=provider)
    second = PersonFactory(provider=provider)
    typed = full_width(first.id_number)
    Person.objects.filter(pk=second.pk).update(id_number=typed, id_number_digest="1" * 64)

    counts = migrate_now()

    assert Provider.objects.get(pk=twin.pk).credit_code == full_width(code)
    assert stored_person(second.pk)["id_number"] == typed
    assert stored_person(first.pk)["id_number"] == first.id_number
    assert counts["left"] == {"Provider.credit_code": 1, "Person.id_number": 1}


def test_the_migration_is_a_data_migration_that_reverses_as_nothing():
    [operation] = module.Migration.operations
    assert isinstance(operation, RunPython)
    assert operation.reversible and operation.reverse_code is RunPython.noop
