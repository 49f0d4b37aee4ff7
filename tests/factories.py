"""factory_boy factories for the domain models.

Every factory produces a row that passes ``full_clean()`` with its defaults:
institutions get a valid unified social credit code, people a valid identity number,
credentials a small real PDF.
"""

import datetime as dt
from decimal import Decimal
from functools import lru_cache

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from factory.django import DjangoModelFactory

from marketplace import models
from marketplace.choices import (
    Category,
    CharacterResult,
    ContractKind,
    CredentialType,
    CriminalRecordResult,
    Delivery,
    EvaluationKind,
    ExitTrigger,
    HealthResult,
    ProviderKind,
    ResourceType,
    SchoolLevel,
    VerificationState,
    Weekday,
)
from marketplace.validators import id_number_check_char, uscc_check_char
from media.storage import sha256_of
from workflows.admission import AdmissionState
from workflows.booking import BookingState
from workflows.checks import CheckState
from workflows.exit import ExitState

DEMO_PASSWORD = "demo-pass-2026"

def _tiny_pdf() -> bytes:
    """A minimal valid one-page PDF, written by hand (pypdf opens it)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


TINY_PDF = _tiny_pdf()


@lru_cache(maxsize=64)
def _hash_password(raw):
    """Hash each distinct password once per test run: PBKDF2 is slow on purpose."""
    return make_password(raw)


def _today():
    return timezone.localdate()


def make_credit_code(n: int, registration: str = "52") -> str:
    """A unified social credit code with a correct check character."""
    first17 = f"{registration}330108{n:09d}"
    return first17 + uscc_check_char(first17)


def make_id_number(n: int, born: dt.date | None = None, region: str = "330108") -> str:
    """A resident identity number with a correct check digit (odd sequence = male)."""
    born = born or dt.date(1975, 1, 1) + dt.timedelta(days=(n * 37) % 9000)
    first17 = f"{region}{born:%Y%m%d}{n % 1000:03d}"
    return first17 + id_number_check_char(first17)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@demo.example.cn")
    first_name = factory.Sequence(lambda n: f"测试用户{n}")
    password = factory.Transformer(DEMO_PASSWORD, transform=_hash_password)

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        """``UserFactory(groups=[group, ...])`` or role names."""
        if not create or not extracted:
            return
        from django.contrib.auth.models import Group

        for group in extracted:
            if isinstance(group, str):
                group = Group.objects.get(name=group)
            self.groups.add(group)


class TownFactory(DjangoModelFactory):
    class Meta:
        model = models.Town
        django_get_or_create = ("district", "name")

    district = "滨江区"
    name = factory.Sequence(lambda n: f"测试街道{n}")


def _saved_town():
    # A school's town is created even when the school is only built, so that a built
    # school can be saved on its own.
    return TownFactory.create()


class ProviderFactory(DjangoModelFactory):
    """An institution by default; ``individual=True`` gives a professional."""

    class Meta:
        model = models.Provider
        skip_postgeneration_save = True

    class Params:
        individual = factory.Trait(kind=ProviderKind.PROFESSIONAL, credit_code="",
                                   legal_representative="")
        listed = factory.Trait(state=AdmissionState.LISTED,
                               listed_on=factory.LazyFunction(_today))

    kind = ProviderKind.INSTITUTION
    name = factory.Sequence(lambda n: f"滨江区测试培训学校{n}")
    credit_code = factory.Sequence(make_credit_code)
    legal_representative = "王建华"
    contact_name = "张老师"
    contact_phone = factory.Sequence(lambda n: f"139{n % 10**8:08d}")
    contact_email = factory.Sequence(lambda n: f"provider{n}@demo.example.cn")
    address = "滨江区城关街道人民路88号"
    description = "专注青少年科技教育的非学科类培训机构。"
    state = AdmissionState.DRAFT

    @factory.post_generation
    def service_area(self, create, extracted, **kwargs):
        if create and extracted:
            self.service_area.set(extracted)


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = models.Person

    provider = factory.SubFactory(ProviderFactory)
    full_name = factory.Sequence(lambda n: f"李{'明华静伟芳'[n % 5]}{n}")
    id_number = factory.Sequence(make_id_number)
    phone = factory.Sequence(lambda n: f"138{n % 10**8:08d}")
    role_title = "课程讲师"
    is_principal = False


class CredentialFactory(DjangoModelFactory):
    """An organisation credential by default; ``for_person=True`` gives a health
    certificate of a new person of the same provider."""

    class Meta:
        model = models.Credential

    class Params:
        for_person = factory.Trait(
            type=CredentialType.HEALTH_CERTIFICATE,
            person=factory.SubFactory(PersonFactory, provider=factory.SelfAttribute("..provider")),
            expires_on=factory.LazyFunction(lambda: _today() + dt.timedelta(days=300)),
        )
        verified = factory.Trait(verification=VerificationState.VERIFIED)

    provider = factory.SubFactory(ProviderFactory)
    person = None
    type = CredentialType.BUSINESS_LICENCE
    number = factory.Sequence(lambda n: f"ZS{n:08d}")
    issuer = "滨江区市场监督管理局"
    issued_on = factory.LazyFunction(lambda: _today() - dt.timedelta(days=365))
    expires_on = None
    file = factory.django.FileField(filename="certificate.pdf", data=TINY_PDF)
    original_filename = factory.LazyAttribute(lambda o: o.file.name)
    sha256 = factory.LazyAttribute(lambda o: sha256_of(o.file))
    verification = VerificationState.PENDING


class BackgroundCheckFactory(DjangoModelFactory):
    """A cleared check by default; traits ``flagged`` and ``requested``."""

    class Meta:
        model = models.BackgroundCheck

    class Params:
        flagged = factory.Trait(state=CheckState.FLAGGED,
                                criminal_record=CriminalRecordResult.FLAGGED)
        requested = factory.Trait(
            state=CheckState.REQUESTED, criminal_record=CriminalRecordResult.PENDING,
            health=HealthResult.PENDING, character=CharacterResult.PENDING, checked_on=None,
            result_file=None,
        )

    person = factory.SubFactory(PersonFactory)
    criminal_record = CriminalRecordResult.CLEAR
    health = HealthResult.FIT
    character = CharacterResult.GOOD
    reference = factory.Sequence(lambda n: f"滨教查〔2026〕{n:04d}号")
    checked_on = factory.LazyFunction(lambda: _today() - dt.timedelta(days=30))
    result_file = factory.django.FileField(filename="check-result.pdf", data=TINY_PDF)
    state = CheckState.CLEARED


class OfferingFactory(DjangoModelFactory):
    class Meta:
        model = models.Offering

    class Params:
        verified = factory.Trait(review=VerificationState.VERIFIED)

    provider = factory.SubFactory(ProviderFactory)
    title = factory.Sequence(lambda n: f"少儿编程入门{n}")
    category = Category.TECHNOLOGY
    resource_type = ResourceType.COURSE
    delivery = Delivery.IN_SCHOOL
    grade_from = 1
    grade_to = 9
    session_minutes = 60
    capacity = 30
    price_per_session = Decimal("150.00")
    price_per_student_term = None
    outline = "认识编程环境；角色与动画；循环与条件；完成一个小游戏作品。"
    safety_measures = "设备课前检查，电源集中管理；教师全程看护，注意用眼卫生。"
    materials = "机房电脑"
    review = VerificationState.PENDING


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = models.School
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"滨江区第{n}实验小学")
    town = factory.LazyFunction(_saved_town)
    level = SchoolLevel.PRIMARY
    address = "滨江区城关街道育才路1号"
    phone = "0571-86012345"

    @factory.post_generation
    def coordinators(self, create, extracted, **kwargs):
        if create and extracted:
            self.coordinators.set(extracted)


class TermFactory(DjangoModelFactory):
    """A term running today by default."""

    class Meta:
        model = models.Term
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试学期{n}")
    starts_on = factory.LazyFunction(lambda: _today() - dt.timedelta(days=30))
    ends_on = factory.LazyFunction(lambda: _today() + dt.timedelta(days=120))


class BookingFactory(DjangoModelFactory):
    class Meta:
        model = models.Booking

    school = factory.SubFactory(SchoolFactory)
    offering = factory.SubFactory(
        OfferingFactory, review=VerificationState.VERIFIED,
        provider__state=AdmissionState.LISTED,
    )
    term = factory.SubFactory(TermFactory)
    place = "多功能教室"
    grade_from = 3
    grade_to = 4
    student_count = 25
    price_per_session = factory.LazyAttribute(lambda o: o.offering.price_per_session)
    requested_by = factory.SubFactory(UserFactory)
    state = BookingState.REQUESTED


class BookingSlotFactory(DjangoModelFactory):
    class Meta:
        model = models.BookingSlot

    booking = factory.SubFactory(BookingFactory)
    weekday = Weekday.TUESDAY
    starts_at = dt.time(15, 40)
    ends_at = dt.time(16, 40)


class ScheduleEntryFactory(DjangoModelFactory):
    class Meta:
        model = models.ScheduleEntry

    booking = factory.SubFactory(BookingFactory)
    date = factory.LazyAttribute(lambda o: o.booking.term.starts_on + dt.timedelta(days=7))
    starts_at = dt.time(15, 40)
    ends_at = dt.time(16, 40)
    content = "第1课：认识编程环境"
    venue = factory.LazyAttribute(lambda o: o.booking.place)
    form = "小组教学"
    responsible = factory.SubFactory(
        PersonFactory, provider=factory.SelfAttribute("..booking.offering.provider")
    )


class ContractFactory(DjangoModelFactory):
    """An admission agreement with a small PDF."""

    class Meta:
        model = models.Contract

    kind = ContractKind.ADMISSION
    provider = factory.SubFactory(ProviderFactory)
    booking = None
    period_start = factory.LazyFunction(_today)
    period_end = factory.LazyFunction(lambda: _today() + dt.timedelta(days=3 * 365))
    pdf = factory.django.FileField(filename="agreement.pdf", data=TINY_PDF)
    pdf_sha256 = factory.LazyAttribute(lambda o: sha256_of(o.pdf))


class EvaluationFactory(DjangoModelFactory):
    class Meta:
        model = models.Evaluation

    booking = factory.SubFactory(BookingFactory, state=BookingState.COMPLETED)
    kind = EvaluationKind.SCHOOL_RATING
    score = Decimal("90")
    answers = factory.LazyFunction(lambda: {"content": 5, "punctuality": 4, "safety": 5})
    comment = "课程组织有序，学生参与度高。"


class ExitCaseFactory(DjangoModelFactory):
    class Meta:
        model = models.ExitCase

    provider = factory.SubFactory(ProviderFactory, listed=True)
    trigger = ExitTrigger.COMPLAINT
    reasons = factory.LazyFunction(lambda: ["recruiting"])
    evidence = "学校书面投诉：授课人员在校内发放招生宣传材料。"
    state = ExitState.OPENED


def complete_application(owner=None, **kwargs):
    """A draft institution with everything ``submit`` needs: its required credentials,
    one person with a health certificate and a no-criminal-record proof, one offering."""
    from marketplace.admission.credentials import REQUIRED_FOR_PERSON, required_for_provider

    owner = owner or UserFactory(groups=["vendor"])
    provider = ProviderFactory(owner=owner, **kwargs)
    for ctype in required_for_provider(provider.kind):
        CredentialFactory(provider=provider, type=ctype)
    person = PersonFactory(provider=provider)
    for ctype in REQUIRED_FOR_PERSON:
        CredentialFactory(provider=provider, person=person, type=ctype)
    OfferingFactory(provider=provider)
    return provider
