"""Identifiers saved before input was normalised may hold full-width digits or spaces:
credit codes, phone numbers and identity numbers are rewritten the way they are stored
now (NFKC, ASCII, no spaces), and identity digests recomputed from the decrypted number.

A value is rewritten only when its normalised form passes the validator the forms use
and does not collide with another row (the unique constraints). Anything else is left as
it is: a value still outside ASCII (Arabic-Indic digits, Chinese numerals), one that is
not a valid identifier, an identity number that cannot be decrypted, or a duplicate.
Such rows are counted and logged by count, never by value.
Reversing this migration changes nothing: the old spelling is not needed.
"""

import logging
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import IntegrityError, migrations, transaction

from marketplace.validators import (
    normalise_identifier,
    normalise_phone,
    validate_credit_code,
    validate_id_number,
    validate_phone,
)

logger = logging.getLogger("marketplace.migrations")

#: (model, field, normalise, validate) of the identifiers stored in plain text.
PLAIN_IDENTIFIERS = [
    ("User", "phone", normalise_phone, validate_phone),
    ("Provider", "credit_code", normalise_identifier, validate_credit_code),
    ("Provider", "contact_phone", normalise_phone, validate_phone),
    ("Person", "phone", normalise_phone, validate_phone),
    ("School", "phone", normalise_phone, validate_phone),
]


def _valid(validate, value) -> bool:
    try:
        validate(value)
    except ValidationError:
        return False
    return True


def _update(model, pk, **values) -> bool:
    """Write ``values`` to one row; ``False`` if a unique constraint refuses them."""
    try:
        with transaction.atomic():  # a savepoint: the migration's transaction goes on
            model._default_manager.filter(pk=pk).update(**values)
    except IntegrityError:
        return False
    return True


def normalise_identifiers(apps, schema_editor) -> dict[str, Counter]:
    """Returns how many values of each ``Model.field`` were rewritten and left."""
    # The digest's key and formula are the application's; historical models have no
    # methods, so the function is imported.
    from marketplace.models import id_number_digest

    changed, left = Counter(), Counter()
    for model_name, field, normalise, validate in PLAIN_IDENTIFIERS:
        model = apps.get_model("marketplace", model_name)
        label = f"{model_name}.{field}"
        for pk, value in model._default_manager.exclude(**{field: ""}).values_list("pk", field):
            new = normalise(value)
            if new == value and value.isascii():
                continue
            if _valid(validate, new) and _update(model, pk, **{field: new}):
                changed[label] += 1
            else:
                left[label] += 1

    person = apps.get_model("marketplace", "Person")
    label = "Person.id_number"
    for pk, number, digest in person._default_manager.values_list(
            "pk", "id_number", "id_number_digest"):
        new = normalise_identifier(number)
        new_digest = id_number_digest(new)
        if new == number and new.isascii() and new_digest == digest:
            continue
        if _valid(validate_id_number, new) and _update(
                person, pk, id_number=new, id_number_digest=new_digest):
            changed[label] += 1
        else:
            left[label] += 1

    if left:
        logger.warning(
            "Identifiers left as they were (not valid once normalised, or a duplicate): %s",
            ", ".join(f"{label} {n}" for label, n in sorted(left.items())))
    return {"changed": changed, "left": left}


class Migration(migrations.Migration):

    dependencies = [
        ("marketplace", "0008_booking_lifecycle"),
    ]

    operations = [
        migrations.RunPython(normalise_identifiers, migrations.RunPython.noop),
    ]
