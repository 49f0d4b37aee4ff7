"""Service agreements (课后服务协议) between a school and a provider for one booking
(marketplace.booking.agreements): the PDF, its idempotent generation and the two
signatures, provider first, whose second agrees the booking and makes its schedule.
"""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import translation
from pypdf import PdfReader

from marketplace.booking.agreements import (
    agreement_number,
    generate_service_agreement,
    sign_service_agreement,
)
from marketplace.choices import ContractKind, SignatureParty, Weekday
from marketplace.models import Booking, Contract, Provider, ScheduleEntry, Signature
from marketplace.roles import Role
from media.pdf import document_sha256
from tests.factories import (
    BackgroundCheckFactory,
    BookingFactory,
    BookingSlotFactory,
    OfferingFactory,
    PersonFactory,
    ProviderFactory,
    SchoolFactory,
    TermFactory,
    UserFactory,
)
from workflows import transitions
from workflows.admission import AdmissionState
from workflows.booking import BookingState
from workflows.transitions import TransitionRefused

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_immediately")]

BUREAU = {"bureau_name": "滨江区教育局", "district_name": "滨江区"}
FULL_ID = "11010519491231002X"
MASKED_ID = "110105**********2X"
IP = "10.1.2.3"
# 2026-09-01 … 2026-10-31, Tuesdays and Thursdays: 9 Tuesdays less 6 Oct (a day off paid
# for by Sunday 20 Sep, which runs the Tuesday timetable: +1) and 9 Thursdays less 1 Oct
# (National Day) = 17 sessions.
FIRST, LAST = dt.date(2026, 9, 1), dt.date(2026, 10, 31)
SESSIONS = 17


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "".join("".join(page.extract_text() for page in reader.pages).split())


def stored_bytes(field) -> bytes:
    with field.open("rb") as f:
        return f.read()


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


@pytest.fixture
def booking():
    """An accepted booking of 滨江区青苗科技培训学校 by 滨江区实验小学, with one
    cleared responsible person, Tuesday and Thursday afternoons in autumn 2026."""
    vendor = UserFactory(groups=[Role.VENDOR], email="vendor@demo.example.cn")
    provider = ProviderFactory(owner=vendor, listed=True, name="滨江区青苗科技培训学校")
    person = PersonFactory(provider=provider, full_name="陈晓燕", id_number=FULL_ID,
                           phone="13912345678")
    BackgroundCheckFactory(person=person)
    offering = OfferingFactory(provider=provider, verified=True, title="少儿机器人搭建",
                               safety_measures="器材课前逐件检查，教师全程看护。")
    coordinator = UserFactory(groups=[Role.SCHOOL], email="school@demo.example.cn")
    school = SchoolFactory(name="滨江区实验小学", address="滨江区育才路1号",
                           coordinators=[coordinator])
    term = TermFactory(name="2026年秋季学期", starts_on=FIRST, ends_on=dt.date(2027, 1, 20))
    booking = BookingFactory(
        school=school, offering=offering, term=term, place="滨江区实验小学 科创教室",
        grade_from=3, grade_to=4, student_count=25, price_per_session=Decimal("150.00"),
        first_date=FIRST, last_date=LAST, requested_by=coordinator,
        state=BookingState.ACCEPTED)
    booking.people.set([person])
    BookingSlotFactory(booking=booking, weekday=Weekday.TUESDAY)
    BookingSlotFactory(booking=booking, weekday=Weekday.THURSDAY)
    booking.vendor, booking.coordinator = vendor, coordinator
    return booking


def generate(booking):
    return generate_service_agreement(booking, **BUREAU)


def sign(contract, user, party, **kwargs):
    return sign_service_agreement(contract, by=user, party=party,
                                  typed_name=kwargs.pop("typed_name", "王建华"),
                                  consent=kwargs.pop("consent", True), ip_address=IP)


def refused(code, func, *args, **kwargs) -> TransitionRefused:
    with pytest.raises(TransitionRefused) as info:
        func(*args, **kwargs)
    assert info.value.code == code, info.value
    return info.value


# --- the agreement ------------------------------------------------------------------------
def test_agreement_pdf_states_parties_schedule_fees_and_only_masked_identity_numbers(booking):
    contract = generate(booking)

    assert (contract.kind, contract.booking, contract.provider) == (
        ContractKind.SERVICE, booking, booking.offering.provider)
    assert (contract.period_start, contract.period_end) == (FIRST, LAST)
    assert agreement_number(contract).startswith("FW-")
    assert agreement_number(contract).endswith(f"-{contract.pk:06d}")
    data = stored_bytes(Contract.objects.get(pk=contract.pk).pdf)
    assert data.startswith(b"%PDF")
    assert contract.pdf_sha256 == document_sha256(data)
    page = PdfReader(io.BytesIO(data)).pages[0]
    assert page.mediabox.width < page.mediabox.height  # A4 portrait

    text = pdf_text(data)
    provider = booking.offering.provider
    for phrase in (
        "滨江区实验小学", "滨江区育才路1号", provider.name, provider.credit_code,
        "少儿机器人搭建", "滨江区实验小学科创教室", "陈晓燕", MASKED_ID,
        f"共{SESSIONS}次", "150.00", f"{150 * SESSIONS}.00", "18:30",
        "器材课前逐件检查，教师全程看护。", "国庆节", "2026年9月1日", "2026年10月31日",
        agreement_number(contract), "滨江区教育局", "25人",
        "".join(zh("After-school service agreement").split()),
    ):
        assert phrase in text, phrase
    assert FULL_ID not in text
    assert FULL_ID[6:14] not in text  # not even the birth date
    assert "13912345678" not in text  # the person's phone


def test_individual_provider_shows_no_credit_code(booking):
    provider = booking.offering.provider
    provider.kind, provider.credit_code = "professional", ""
    provider.save()
    text = pdf_text(stored_bytes(generate(booking).pdf))
    assert "".join(zh("Unified social credit code").split()) not in text


def test_unsigned_draft_is_rendered_again_in_place(booking):
    first = generate(booking)
    old_name = first.pdf.name
    booking.student_count = 28
    booking.save()

    again = generate(booking)

    assert again.pk == first.pk
    assert Contract.objects.filter(booking=booking).count() == 1
    assert agreement_number(again) == agreement_number(first)
    assert "28人" in pdf_text(stored_bytes(again.pdf))
    assert again.pdf_sha256 == document_sha256(stored_bytes(again.pdf))
    if again.pdf.name != old_name:
        assert not again.pdf.storage.exists(old_name)


def test_signed_agreement_is_never_rendered_again(booking):
    contract = generate(booking)
    sign(contract, booking.vendor, SignatureParty.VENDOR)
    before = (contract.pdf.name, contract.pdf_sha256, stored_bytes(contract.pdf))
    booking.student_count = 28
    booking.save()

    again = generate(booking)

    assert again.pk == contract.pk
    again.refresh_from_db()
    assert (again.pdf.name, again.pdf_sha256, stored_bytes(again.pdf)) == before


def test_nothing_is_rendered_for_a_booking_cancelled_before_the_task_ran(booking):
    Booking.objects.filter(pk=booking.pk).update(state=BookingState.CANCELLED)
    assert generate(booking) is None
    assert not Contract.objects.filter(booking=booking).exists()


def test_accepting_a_booking_prepares_its_agreement(booking):
    Booking.objects.filter(pk=booking.pk).update(state=BookingState.REQUESTED)
    transitions.run(booking, "accept", by=booking.vendor)
    contract = booking.service_agreement()
    assert contract is not None and contract.pdf and contract.pdf_sha256


# --- signing ------------------------------------------------------------------------------
def test_provider_signs_first_and_the_school_is_told(booking):
    contract = generate(booking)
    with translation.override("zh-hans"):
        error = refused("order", sign, contract, booking.coordinator, SignatureParty.SCHOOL)
    assert error.message == "服务协议须由服务提供方先签署，学校再签署。"
    assert not Signature.objects.exists()

    signature = sign(contract, booking.vendor, SignatureParty.VENDOR, typed_name=" 王建华 ")

    assert (signature.party, signature.signer, signature.typed_name, signature.ip_address,
            signature.pdf_sha256) == (SignatureParty.VENDOR, booking.vendor, "王建华", IP,
                                      contract.pdf_sha256)
    assert [m.to for m in mail.outbox] == [["school@demo.example.cn"]]
    assert "滨江区青苗科技培训学校" in mail.outbox[0].body
    actions = list(transitions.timeline(booking, staff=True).values_list("action", flat=True))
    assert "signed_vendor" in actions
    booking.refresh_from_db()
    assert booking.state == BookingState.ACCEPTED
    refused("already_signed", sign, contract, booking.vendor, SignatureParty.VENDOR)


def test_school_signature_agrees_the_booking_and_makes_the_schedule(booking):
    contract = generate(booking)
    sign(contract, booking.vendor, SignatureParty.VENDOR)

    signature = sign(contract, booking.coordinator, SignatureParty.SCHOOL, typed_name="赵校长")

    booking.refresh_from_db()
    assert booking.state == BookingState.AGREED
    assert booking.service_agreement_signed_by_both()
    assert signature.party == SignatureParty.SCHOOL
    sessions = ScheduleEntry.objects.filter(booking=booking)
    assert sessions.count() == SESSIONS
    assert dt.date(2026, 10, 1) not in set(sessions.values_list("date", flat=True))
    actions = list(transitions.timeline(booking, staff=True).values_list("action", flat=True))
    assert actions[-2:] == ["signed_school", "agree"]


def test_a_coordinator_of_another_school_cannot_sign(booking):
    contract = generate(booking)
    sign(contract, booking.vendor, SignatureParty.VENDOR)
    other = UserFactory(groups=[Role.SCHOOL])
    SchoolFactory(coordinators=[other])

    refused("forbidden", sign, contract, other, SignatureParty.SCHOOL)

    assert not contract.signatures.filter(party=SignatureParty.SCHOOL).exists()
    booking.refresh_from_db()
    assert booking.state == BookingState.ACCEPTED


def test_only_the_provider_owner_signs_for_the_provider(booking):
    contract = generate(booking)
    other_vendor = UserFactory(groups=[Role.VENDOR])
    ProviderFactory(owner=other_vendor, listed=True)
    refused("forbidden", sign, contract, other_vendor, SignatureParty.VENDOR)
    refused("forbidden", sign, contract, booking.coordinator, SignatureParty.VENDOR)
    refused("forbidden", sign, contract, booking.vendor, SignatureParty.SCHOOL)
    refused("forbidden", sign, contract, booking.vendor, SignatureParty.BUREAU)
    assert not Signature.objects.exists()


def test_a_tampered_pdf_is_not_signed(booking):
    contract = generate(booking)
    storage = contract.pdf.storage
    name = contract.pdf.name
    storage.delete(name)
    storage.save(name, ContentFile(b"%PDF-1.4 something else"))

    refused("tampered", sign, contract, booking.vendor, SignatureParty.VENDOR)
    assert not Signature.objects.exists()


def test_consent_and_a_typed_name_are_required(booking):
    contract = generate(booking)
    refused("consent_required", sign, contract, booking.vendor, SignatureParty.VENDOR,
            consent=False)
    refused("name_required", sign, contract, booking.vendor, SignatureParty.VENDOR,
            typed_name="   ")
    assert not Signature.objects.exists()


def test_only_an_accepted_booking_is_signed(booking):
    contract = generate(booking)
    Booking.objects.filter(pk=booking.pk).update(state=BookingState.CANCELLED)
    refused("wrong_state", sign, contract, booking.vendor, SignatureParty.VENDOR)
    assert not Signature.objects.exists()


def test_school_signature_is_not_kept_when_the_booking_cannot_be_agreed(booking):
    contract = generate(booking)
    sign(contract, booking.vendor, SignatureParty.VENDOR)
    Provider.objects.filter(pk=booking.offering.provider_id).update(
        state=AdmissionState.SUSPENDED)

    refused("guard", sign, contract, booking.coordinator, SignatureParty.SCHOOL)

    assert not contract.signatures.filter(party=SignatureParty.SCHOOL).exists()
    booking.refresh_from_db()
    assert booking.state == BookingState.ACCEPTED
    assert not ScheduleEntry.objects.filter(booking=booking).exists()
