"""Domain validations: clear refusals in the user's language."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from marketplace.choices import CredentialType, ProviderKind
from tests.factories import (
    BookingFactory,
    BookingSlotFactory,
    CredentialFactory,
    OfferingFactory,
    PersonFactory,
    ProviderFactory,
    TermFactory,
)

pytestmark = pytest.mark.django_db


def errors_of(instance):
    with pytest.raises(ValidationError) as exc:
        instance.full_clean()
    return exc.value.message_dict


def test_an_institution_needs_a_valid_credit_code():
    provider = ProviderFactory.build(kind=ProviderKind.INSTITUTION, credit_code="")
    assert "credit_code" in errors_of(provider)
    provider.credit_code = "9144030071526726XA"
    assert "校验" in errors_of(provider)["credit_code"][0]


def test_an_individual_needs_no_credit_code():
    provider = ProviderFactory.build(kind=ProviderKind.PROFESSIONAL, credit_code="")
    provider.full_clean()


def test_two_providers_cannot_share_a_credit_code():
    first = ProviderFactory()
    with pytest.raises(IntegrityError):
        ProviderFactory(credit_code=first.credit_code)


def test_missing_required_credentials_follow_the_kind_table():
    provider = ProviderFactory(kind=ProviderKind.INSTITUTION)
    assert set(provider.missing_credential_types()) == {
        CredentialType.BUSINESS_LICENCE, CredentialType.SCHOOL_PERMIT}
    CredentialFactory(provider=provider, type=CredentialType.BUSINESS_LICENCE)
    assert provider.missing_credential_types() == [CredentialType.SCHOOL_PERMIT]


def test_credential_expiry_must_follow_issue_and_personal_types_need_a_person():
    provider = ProviderFactory()
    credential = CredentialFactory.build(
        provider=provider, type=CredentialType.HEALTH_CERTIFICATE, person=None,
        issued_on=dt.date(2025, 5, 1), expires_on=dt.date(2025, 4, 1),
    )
    errors = errors_of(credential)
    assert {"expires_on", "person"} <= set(errors)


def test_a_professionals_fee_is_capped_at_200_yuan_per_session():
    provider = ProviderFactory(kind=ProviderKind.PROFESSIONAL, credit_code="")
    offering = OfferingFactory.build(provider=provider, price_per_session=Decimal("260"))
    assert "200" in errors_of(offering)["price_per_session"][0]
    offering.price_per_session = Decimal("200")
    offering.full_clean()


def test_a_parent_paid_course_is_capped_at_600_yuan_per_term():
    offering = OfferingFactory.build(provider=ProviderFactory(),
                                     price_per_student_term=Decimal("680"))
    assert "600" in errors_of(offering)["price_per_student_term"][0]


def test_offering_grades_must_be_in_order():
    offering = OfferingFactory.build(provider=ProviderFactory(), grade_from=5, grade_to=3)
    assert "grade_to" in errors_of(offering)


def test_primary_service_ends_by_half_past_six_and_junior_by_seven():
    booking = BookingFactory(grade_from=3, grade_to=4)
    late = BookingSlotFactory.build(booking=booking, starts_at=dt.time(17, 30),
                                    ends_at=dt.time(18, 45))
    assert "18:30" in errors_of(late)["ends_at"][0]
    junior = BookingFactory(grade_from=7, grade_to=8)
    BookingSlotFactory.build(booking=junior, starts_at=dt.time(17, 30),
                             ends_at=dt.time(18, 45)).full_clean()


def test_a_booking_cannot_exceed_the_offering_capacity():
    booking = BookingFactory.build(offering=OfferingFactory(capacity=30), student_count=45)
    booking.school.save()
    booking.term.save()
    booking.requested_by.save()
    assert "30" in errors_of(booking)["student_count"][0]


def test_a_term_must_end_after_it_starts():
    term = TermFactory.build(starts_on=dt.date(2027, 2, 1), ends_on=dt.date(2027, 1, 1))
    with pytest.raises(ValidationError):
        term.full_clean()


def test_a_person_of_one_provider_cannot_hold_anothers_credential():
    person = PersonFactory()
    credential = CredentialFactory.build(provider=ProviderFactory(), person=person,
                                         type=CredentialType.HEALTH_CERTIFICATE)
    assert "person" in errors_of(credential)
