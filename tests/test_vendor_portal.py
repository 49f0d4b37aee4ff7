"""The vendor portal: registration with e-mail confirmation, the guided application,
its status and timeline, and signing the admission agreement."""

import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from marketplace.admission.agreements import generate_admission_agreement
from marketplace.admission.credentials import REQUIRED_FOR_PERSON
from marketplace.choices import CredentialType, ProviderKind, SignatureParty, VerificationState
from marketplace.models import Credential, Person, Provider, Signature
from marketplace.roles import Role
from marketplace.views import register as register_views
from media.validation import validate_upload
from tests.conftest import download
from tests.factories import (
    TINY_PDF,
    CredentialFactory,
    OfferingFactory,
    PersonFactory,
    ProviderFactory,
    TownFactory,
    UserFactory,
    make_credit_code,
    make_id_number,
)
from workflows import transitions
from workflows.admission import AdmissionState
from workflows.models import Reason

pytestmark = pytest.mark.django_db

S = AdmissionState
PASSWORD = "Kf-2026-qiao-men"


def zh(text) -> str:
    with translation.override("zh-hans"):
        return str(text)


def fresh(provider) -> Provider:
    """The provider as stored now (``refresh_from_db`` cannot set the protected state)."""
    return Provider.objects.get(pk=provider.pk)


@pytest.fixture
def vendor():
    return UserFactory(groups=[Role.VENDOR], first_name="王海峰")


@pytest.fixture
def vendor_client(client, vendor):
    client.force_login(vendor)
    return client


@pytest.fixture
def draft(vendor):
    return ProviderFactory(owner=vendor, name="滨江区测试创客中心")


def complete_entry(owner, **kwargs) -> Provider:
    """An institution with every required document, one person with theirs, one offering."""
    provider = ProviderFactory(owner=owner, **kwargs)
    for ctype in provider.required_credential_types():
        CredentialFactory(provider=provider, type=ctype)
    person = PersonFactory(provider=provider)
    for ctype in REQUIRED_FOR_PERSON:
        CredentialFactory(provider=provider, person=person, type=ctype)
    OfferingFactory(provider=provider)
    return provider


def pdf_upload(name="营业执照.pdf"):
    return SimpleUploadedFile(name, TINY_PDF, content_type="application/pdf")


# --- registration ---------------------------------------------------------------------------
def register(client, django_capture_on_commit_callbacks, **overrides):
    data = {"email": "New.Vendor@Example.cn", "display_name": "李明", "phone": "13812345678",
            "password1": PASSWORD, "password2": PASSWORD, **overrides}
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("vendor:register"), data)


def confirmation_link() -> str:
    assert len(mail.outbox) == 1
    match = re.search(r"https?://[^\s]+/vendor/register/confirm/[^/\s]+/", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    return match.group(0).split("testserver", 1)[1]


def test_registration_creates_an_inactive_account_and_mails_a_confirmation_link(
        client, django_capture_on_commit_callbacks):
    response = register(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == reverse("vendor:register_done")
    user = get_user_model().objects.get(email="new.vendor@example.cn")
    assert user.username == "new.vendor@example.cn"
    assert not user.is_active
    assert user.phone == "13812345678"
    assert user.check_password(PASSWORD)
    assert mail.outbox[0].to == ["new.vendor@example.cn"]
    assert confirmation_link().startswith("/vendor/register/confirm/")
    done = client.get(response["Location"])
    assert "new.vendor@example.cn" in done.content.decode()


def test_confirming_activates_the_account_logs_in_and_grants_the_vendor_role(
        client, django_capture_on_commit_callbacks):
    register(client, django_capture_on_commit_callbacks)
    link = confirmation_link()
    user = get_user_model().objects.get(email="new.vendor@example.cn")

    # Opening the link (as a mail scanner would) changes nothing yet.
    page = client.get(link)
    assert page.status_code == 200
    user.refresh_from_db()
    assert not user.is_active

    response = client.post(link)
    assert response.status_code == 302
    assert response["Location"] == reverse("vendor:home")
    user.refresh_from_db()
    assert user.is_active
    assert user.groups.filter(name=Role.VENDOR).exists()
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(reverse("vendor:home")).status_code == 200


def test_a_confirmation_link_works_only_once(client, django_capture_on_commit_callbacks):
    register(client, django_capture_on_commit_callbacks)
    link = confirmation_link()
    client.post(link)
    client.logout()

    again = client.post(link)
    assert again.status_code == 200
    assert again.context["problem"] == "used"
    assert "_auth_user_id" not in client.session


def test_a_tampered_link_is_refused_and_offers_a_new_one(
        client, django_capture_on_commit_callbacks):
    register(client, django_capture_on_commit_callbacks)
    link = confirmation_link()
    tampered = link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:]

    for response in (client.get(tampered), client.post(tampered)):
        assert response.status_code == 200
        assert response.context["problem"] == "invalid"
        assert reverse("vendor:register_resend") in response.content.decode()
    assert not get_user_model().objects.get(email="new.vendor@example.cn").is_active
    assert "_auth_user_id" not in client.session


def test_an_expired_link_is_refused_and_the_resend_form_knows_the_address(client, monkeypatch):
    user = UserFactory(username="late@example.cn", email="late@example.cn", is_active=False)
    real_time = time.time
    monkeypatch.setattr("django.core.signing.time.time", lambda: real_time() - 3 * 86400 - 60)
    token = register_views.make_token(user)
    monkeypatch.setattr("django.core.signing.time.time", real_time)
    link = reverse("vendor:register_confirm", args=[token])

    response = client.post(link)

    assert response.status_code == 200
    assert response.context["problem"] == "expired"
    assert response.context["form"].initial["email"] == "late@example.cn"
    user.refresh_from_db()
    assert not user.is_active


def test_a_link_younger_than_three_days_still_works(client, monkeypatch):
    user = UserFactory(username="early@example.cn", email="early@example.cn", is_active=False)
    real_time = time.time
    monkeypatch.setattr("django.core.signing.time.time", lambda: real_time() - 2 * 86400)
    token = register_views.make_token(user)
    monkeypatch.setattr("django.core.signing.time.time", real_time)

    response = client.post(reverse("vendor:register_confirm", args=[token]))
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active


def test_an_address_already_registered_is_refused_whatever_its_case(
        client, django_capture_on_commit_callbacks):
    UserFactory(username="taken@example.cn", email="taken@example.cn")

    response = register(client, django_capture_on_commit_callbacks, email="Taken@Example.CN")

    assert response.status_code == 200
    codes = [e.code for e in response.context["form"].errors.as_data()["email"]]
    assert codes == ["duplicate"]
    assert get_user_model().objects.filter(email__iexact="taken@example.cn").count() == 1
    assert mail.outbox == []
    # The other fields are kept.
    assert "李明" in response.content.decode()


def test_registration_checks_the_phone_and_the_passwords(
        client, django_capture_on_commit_callbacks):
    response = register(client, django_capture_on_commit_callbacks, phone="12345",
                        password2="something-else-2026")
    errors = response.context["form"].errors
    assert "phone" in errors and "password2" in errors
    weak = register(client, django_capture_on_commit_callbacks, password1="12345678",
                    password2="12345678")
    assert "password1" in weak.context["form"].errors
    assert not get_user_model().objects.filter(email="new.vendor@example.cn").exists()


def test_a_new_link_can_be_requested_without_revealing_who_is_registered(
        client, django_capture_on_commit_callbacks):
    UserFactory(username="wait@example.cn", email="wait@example.cn", is_active=False,
                last_login=None)
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("vendor:register_resend"), {"email": "wait@example.cn"})
        unknown = client.post(reverse("vendor:register_resend"), {"email": "who@example.cn"})
    assert known.status_code == unknown.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["wait@example.cn"]


# --- starting an application ----------------------------------------------------------------
def test_apply_creates_a_draft_owned_by_the_user(vendor_client, vendor):
    page = vendor_client.get(reverse("vendor:apply"))
    for value, _label in ProviderKind.choices:
        assert f'value="{value}"' in page.content.decode()

    response = vendor_client.post(reverse("vendor:apply"),
                                  {"kind": ProviderKind.INSTITUTION, "name": "滨江区新芽科技中心"})

    provider = Provider.objects.get(name="滨江区新芽科技中心")
    assert response.status_code == 302
    assert response["Location"] == reverse("vendor:entry", args=[provider.pk])
    assert provider.owner == vendor
    assert provider.state == S.DRAFT
    assert provider.kind == ProviderKind.INSTITUTION


def test_home_lists_own_entries_with_their_state(vendor_client, vendor, draft):
    ProviderFactory(name="别人的机构")
    page = vendor_client.get(reverse("vendor:home")).content.decode()
    assert draft.name in page
    assert zh(S.DRAFT.label) in page
    assert "别人的机构" not in page
    assert reverse("vendor:apply") in page


# --- details ------------------------------------------------------------------------------
def details_data(provider, **overrides):
    town = TownFactory(name="城关街道")
    return {"name": provider.name, "credit_code": provider.credit_code,
            "legal_representative": "王建华", "contact_name": "赵老师",
            "contact_phone": "13900001111", "contact_email": "zhao@example.cn",
            "address": "滨江区人民路 1 号", "service_area": [town.pk],
            "description": "机器人与编程课程。", **overrides}


def test_details_are_saved(vendor_client, draft):
    response = vendor_client.post(reverse("vendor:entry", args=[draft.pk]), details_data(draft))
    assert response.status_code == 302
    saved = fresh(draft)
    assert saved.contact_name == "赵老师"
    assert [t.name for t in saved.service_area.all()] == ["城关街道"]


def test_a_bad_credit_code_is_refused_in_chinese_and_the_other_values_are_kept(
        vendor_client, draft):
    good = make_credit_code(4242)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")

    response = vendor_client.post(reverse("vendor:entry", args=[draft.pk]),
                                  details_data(draft, credit_code=bad))

    page = response.content.decode()
    assert response.status_code == 200
    assert "统一社会信用代码校验位不正确" in page
    assert 'value="赵老师"' in page
    assert 'value="zhao@example.cn"' in page
    assert "机器人与编程课程。" in page
    assert fresh(draft).contact_name == "张老师"


def test_an_individual_is_not_asked_for_a_credit_code(vendor_client, vendor):
    provider = ProviderFactory(owner=vendor, individual=True)
    page = vendor_client.get(reverse("vendor:entry", args=[provider.pk])).content.decode()
    assert 'name="credit_code"' not in page
    assert 'name="contact_phone"' in page


# --- documents ----------------------------------------------------------------------------
def test_the_checklist_shows_missing_and_refused_documents_with_the_bureaus_note(
        vendor_client, draft):
    CredentialFactory(provider=draft, type=CredentialType.BUSINESS_LICENCE,
                      verification=VerificationState.REFUSED, review_note="扫描件不清晰")
    page = vendor_client.get(reverse("vendor:credentials", args=[draft.pk])).content.decode()
    assert "扫描件不清晰" in page
    assert zh(CredentialType.SCHOOL_PERMIT.label) in page
    assert "badge--missing" in page and "badge--refused" in page


def validator_message(file) -> str:
    """What ``media.validation`` says about ``file``, in Chinese."""
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refusal:
        validate_upload(file)
    return refusal.value.messages[0]


def test_a_disguised_file_is_refused_and_the_other_fields_are_kept(vendor_client, draft):
    program = SimpleUploadedFile("营业执照.pdf", b"MZ\x90\x00" + b"\x00" * 200,
                                 content_type="application/pdf")
    expected = validator_message(program)
    response = vendor_client.post(reverse("vendor:credentials", args=[draft.pk]), {
        "type": CredentialType.BUSINESS_LICENCE, "number": "ZS-778899",
        "issuer": "滨江区市场监督管理局", "issued_on": "2024-05-01", "file": program,
    })

    page = response.content.decode()
    assert response.status_code == 200
    assert escape(expected) in page  # "This file is not a PDF, JPEG or PNG document …"
    assert 'value="ZS-778899"' in page
    assert 'value="滨江区市场监督管理局"' in page
    assert 'value="2024-05-01"' in page
    assert not Credential.objects.filter(provider=draft).exists()


def test_a_valid_pdf_creates_a_pending_credential_the_owner_can_open(vendor_client, draft):
    response = vendor_client.post(reverse("vendor:credentials", args=[draft.pk]), {
        "type": CredentialType.BUSINESS_LICENCE, "number": "ZS-1", "issuer": "市监局",
        "issued_on": "2024-05-01", "file": pdf_upload(),
    })

    assert response.status_code == 302
    credential = Credential.objects.get(provider=draft)
    assert credential.verification == VerificationState.PENDING
    assert credential.person is None
    assert (credential.number, credential.issuer) == ("ZS-1", "市监局")
    assert credential.original_filename == "营业执照.pdf"
    page = vendor_client.get(reverse("vendor:credentials", args=[draft.pk])).content.decode()
    file_url = reverse("files:credential", args=[credential.pk])
    assert file_url in page
    assert download(vendor_client, file_url)[0] == 200


def test_uploading_again_replaces_the_earlier_document(vendor_client, draft):
    url = reverse("vendor:credentials", args=[draft.pk])
    for number in ("OLD-1", "NEW-2"):
        vendor_client.post(url, {"type": CredentialType.BUSINESS_LICENCE, "number": number,
                                 "file": pdf_upload()})

    old = Credential.objects.get(provider=draft, number="OLD-1")
    new = Credential.objects.get(provider=draft, number="NEW-2")
    assert old.replaced_at is not None
    assert new.replaced_at is None
    assert list(draft.active_credentials()) == [new]


def test_an_expiry_date_before_the_issue_date_is_refused(vendor_client, draft):
    response = vendor_client.post(reverse("vendor:credentials", args=[draft.pk]), {
        "type": CredentialType.SCHOOL_PERMIT, "issued_on": "2024-05-01",
        "expires_on": "2023-05-01", "file": pdf_upload(),
    })
    assert response.status_code == 200
    assert "expires_on" in response.context["form"].errors
    assert not Credential.objects.filter(provider=draft).exists()


# --- people -------------------------------------------------------------------------------
def test_a_person_with_a_bad_identity_number_is_refused(vendor_client, draft):
    good = make_id_number(77)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")

    response = vendor_client.post(reverse("vendor:person_add", args=[draft.pk]), {
        "full_name": "陈晓燕", "id_number": bad, "role_title": "讲师", "phone": "13800001111",
    })

    assert response.status_code == 200
    assert "id_number" in response.context["form"].errors
    assert 'value="陈晓燕"' in response.content.decode()
    assert not Person.objects.filter(provider=draft).exists()


def test_a_person_is_added_and_listed_with_the_masked_identity_number_only(vendor_client, draft):
    number = make_id_number(78)
    response = vendor_client.post(reverse("vendor:person_add", args=[draft.pk]), {
        "full_name": "陈晓燕", "id_number": number, "role_title": "讲师", "phone": "13800001111",
    })
    person = Person.objects.get(provider=draft)
    assert response.status_code == 302
    assert response["Location"] == reverse("vendor:person_credentials",
                                           args=[draft.pk, person.pk])

    for url in (reverse("vendor:people", args=[draft.pk]),
                reverse("vendor:person_edit", args=[draft.pk, person.pk]),
                reverse("vendor:review", args=[draft.pk])):
        page = vendor_client.get(url).content.decode()
        assert number not in page
    assert person.id_number_masked in vendor_client.get(
        reverse("vendor:people", args=[draft.pk])).content.decode()


def test_editing_a_person_keeps_the_identity_number_when_left_empty(vendor_client, draft):
    person = PersonFactory(provider=draft, full_name="周永强")
    number = person.id_number
    response = vendor_client.post(reverse("vendor:person_edit", args=[draft.pk, person.pk]), {
        "full_name": "周永强", "id_number": "", "role_title": "安全员", "phone": "",
    })
    assert response.status_code == 302
    person = Person.objects.get(pk=person.pk)
    assert person.id_number == number
    assert person.role_title == "安全员"


def test_adding_a_removed_person_again_brings_back_their_record(vendor_client, draft):
    person = PersonFactory(provider=draft, full_name="周永强")
    vendor_client.post(reverse("vendor:person_remove", args=[draft.pk, person.pk]))
    assert not draft.active_people().exists()

    response = vendor_client.post(reverse("vendor:person_add", args=[draft.pk]), {
        "full_name": "周永强", "id_number": person.id_number, "role_title": "教练",
    })

    assert response.status_code == 302
    assert list(draft.active_people()) == [person]
    assert Person.objects.get(pk=person.pk).role_title == "教练"


def test_the_same_person_cannot_be_listed_twice(vendor_client, draft):
    person = PersonFactory(provider=draft)
    response = vendor_client.post(reverse("vendor:person_add", args=[draft.pk]), {
        "full_name": "另一个名字", "id_number": person.id_number.lower(),
    })
    assert response.status_code == 200
    assert "id_number" in response.context["form"].errors
    assert draft.people.count() == 1


def test_a_persons_own_document_is_uploaded_for_that_person(vendor_client, draft):
    person = PersonFactory(provider=draft)
    response = vendor_client.post(
        reverse("vendor:person_credentials", args=[draft.pk, person.pk]),
        {"type": CredentialType.HEALTH_CERTIFICATE, "number": "HZ-1",
         "file": pdf_upload("健康证明.pdf")},
    )
    assert response.status_code == 302
    credential = Credential.objects.get(provider=draft)
    assert credential.person == person
    assert credential.type == CredentialType.HEALTH_CERTIFICATE


def test_a_barred_person_is_flagged_and_can_be_removed(vendor_client, vendor):
    provider = complete_entry(vendor, state=S.BACKGROUND_CHECK)
    barred = PersonFactory(provider=provider, full_name="被禁入者", barred=True)

    page = vendor_client.get(reverse("vendor:people", args=[provider.pk])).content.decode()
    assert "person--barred" in page
    assert reverse("vendor:person_remove", args=[provider.pk, barred.pk]) in page

    response = vendor_client.post(reverse("vendor:person_remove",
                                          args=[provider.pk, barred.pk]))
    assert response.status_code == 302
    assert Person.objects.get(pk=barred.pk).removed_at is not None


def test_an_offering_is_added_and_withdrawn(vendor_client, draft):
    response = vendor_client.post(reverse("vendor:offering_add", args=[draft.pk]), {
        "title": "少儿机器人", "category": "technology", "resource_type": "course",
        "delivery": "in_school", "grade_from": 3, "grade_to": 6, "session_minutes": 60,
        "capacity": 30, "price_per_session": "150", "price_per_student_term": "",
        "outline": "第1课 认识机器人", "safety_measures": "全程看护", "materials": "",
    })
    assert response.status_code == 302
    offering = draft.offerings.get()
    assert offering.title == "少儿机器人"
    vendor_client.post(reverse("vendor:offering_withdraw", args=[draft.pk, offering.pk]))
    assert not draft.active_offerings().exists()


# --- submit -------------------------------------------------------------------------------
def test_submit_is_refused_while_incomplete_and_says_what_is_missing(vendor_client, draft):
    response = vendor_client.post(reverse("vendor:review", args=[draft.pk]),
                                  {"comment": "请审核", "expected_state": S.DRAFT})

    page = response.content.decode()
    assert response.status_code == 200
    assert fresh(draft).state == S.DRAFT
    assert "message--error" in page
    assert zh(CredentialType.BUSINESS_LICENCE.label) in page
    assert zh(CredentialType.SCHOOL_PERMIT.label) in page
    assert "请审核" in page  # the typed comment is kept


def test_submit_works_when_the_entry_is_complete(vendor_client, vendor):
    provider = complete_entry(vendor)
    assert provider.missing_requirements() == []

    response = vendor_client.post(reverse("vendor:review", args=[provider.pk]),
                                  {"comment": "", "expected_state": S.DRAFT})

    assert response.status_code == 302
    assert response["Location"] == reverse("vendor:status", args=[provider.pk])
    assert fresh(provider).state == S.SUBMITTED


def test_changes_requested_entries_are_resubmitted(vendor_client, vendor):
    provider = complete_entry(vendor, state=S.CHANGES_REQUESTED)
    page = vendor_client.get(reverse("vendor:review", args=[provider.pk])).content.decode()
    assert zh(S.CHANGES_REQUESTED.label) in page
    response = vendor_client.post(reverse("vendor:review", args=[provider.pk]),
                                  {"comment": "已补充", "expected_state": S.CHANGES_REQUESTED})
    assert response.status_code == 302
    assert fresh(provider).state == S.QUALIFICATION_REVIEW


def test_a_submit_from_a_stale_page_is_refused(vendor_client, vendor):
    provider = complete_entry(vendor, state=S.CHANGES_REQUESTED)
    response = vendor_client.post(reverse("vendor:review", args=[provider.pk]),
                                  {"comment": "", "expected_state": S.DRAFT})
    assert response.status_code == 200
    assert fresh(provider).state == S.CHANGES_REQUESTED
    # The page now shows the current state, and the next attempt is made against it.
    assert response.context["form"]["expected_state"].value() == S.CHANGES_REQUESTED
    assert response.context["action"] == "resubmit"


def test_editing_is_refused_after_submission(vendor_client, vendor):
    provider = complete_entry(vendor, state=S.SUBMITTED)
    url = reverse("vendor:entry", args=[provider.pk])

    page = vendor_client.get(url).content.decode()
    assert 'name="contact_name"' not in page

    response = vendor_client.post(url, details_data(provider, contact_name="改名"))
    assert response.status_code == 200
    assert "message--error" in response.content.decode()
    assert 'value="改名"' in response.content.decode()  # what was typed is not lost
    assert fresh(provider).contact_name == "张老师"

    upload = vendor_client.post(reverse("vendor:credentials", args=[provider.pk]),
                                {"type": CredentialType.OTHER, "file": pdf_upload()})
    assert upload.status_code == 200
    assert provider.credentials.count() == 4


# --- who may see what ---------------------------------------------------------------------
def test_another_vendor_gets_404_on_every_entry_page_and_403_on_the_files(client, vendor):
    provider = complete_entry(vendor, state=S.CONTRACT)
    person = provider.active_people().get()
    offering = provider.active_offerings().get()
    credential = provider.credentials.first()
    other = UserFactory(groups=[Role.VENDOR])
    client.force_login(other)

    pk = provider.pk
    urls = [reverse(name, args=[pk]) for name in (
        "vendor:entry", "vendor:credentials", "vendor:people", "vendor:person_add",
        "vendor:offerings", "vendor:offering_add", "vendor:review", "vendor:status",
        "vendor:sign")]
    urls += [reverse("vendor:person_edit", args=[pk, person.pk]),
             reverse("vendor:person_credentials", args=[pk, person.pk]),
             reverse("vendor:offering_edit", args=[pk, offering.pk])]
    for url in urls:
        assert client.get(url).status_code == 404, url
    for url in (reverse("vendor:person_remove", args=[pk, person.pk]),
                reverse("vendor:offering_withdraw", args=[pk, offering.pk]),
                reverse("vendor:review", args=[pk])):
        assert client.post(url).status_code == 404, url
    assert client.get(reverse("files:credential", args=[credential.pk])).status_code == 403
    assert Person.objects.get(pk=person.pk).removed_at is None


def test_the_portal_is_for_vendors_only(client, vendor):
    school_user = UserFactory(groups=[Role.SCHOOL])
    client.force_login(school_user)
    assert client.get(reverse("vendor:home")).status_code == 403
    assert client.get(reverse("vendor:apply")).status_code == 403


# --- status and timeline ------------------------------------------------------------------
def test_the_timeline_shows_the_bureau_not_its_staff_and_never_internal_notes(
        vendor_client, vendor):
    provider = complete_entry(vendor, state=S.QUALIFICATION_REVIEW)
    reviewer = UserFactory(groups=[Role.REVIEWER], first_name="审核员甲", last_name="",
                           username="reviewer-a")
    credential = provider.credentials.filter(person__isnull=True).first()
    transitions.record(provider, "item_refused", by=reviewer, item=credential.label,
                       comment="证书编号无法辨认", internal_note="内部备注：疑似伪造")
    transitions.record(provider, "check_requested", by=reviewer, item="某人", staff_only=True)
    transitions.run(provider, "request_changes", by=reviewer, reason=Reason.UNREADABLE,
                    comment="请重新上传营业执照", internal_note="内部备注：已电话联系",
                    expected_state=S.QUALIFICATION_REVIEW)

    page = vendor_client.get(reverse("vendor:status", args=[provider.pk])).content.decode()

    assert "请重新上传营业执照" in page
    assert "证书编号无法辨认" in page
    assert zh(Reason.UNREADABLE.label) in page
    assert "内部备注" not in page
    assert "审核员甲" not in page and "reviewer-a" not in page
    assert zh(SignatureParty.BUREAU.label) in page  # 教育局
    assert "某人" not in page  # staff-only entries stay hidden
    assert zh(S.CHANGES_REQUESTED.label) in page


def test_the_status_page_lists_refused_items_with_the_notes(vendor_client, vendor):
    provider = complete_entry(vendor, state=S.CHANGES_REQUESTED)
    offering = provider.active_offerings().get()
    type(offering).objects.filter(pk=offering.pk).update(
        review=VerificationState.REFUSED, review_note="大纲请细化到每课时")
    page = vendor_client.get(reverse("vendor:status", args=[provider.pk])).content.decode()
    assert "大纲请细化到每课时" in page
    assert reverse("vendor:offering_edit", args=[provider.pk, offering.pk]) in page


# --- signing ------------------------------------------------------------------------------
def test_the_agreement_page_says_when_it_is_being_prepared(vendor_client, vendor):
    provider = complete_entry(vendor, state=S.CONTRACT)
    response = vendor_client.get(reverse("vendor:sign", args=[provider.pk]))
    assert response.status_code == 200
    assert response.context["contract"] is None
    assert 'name="typed_name"' not in response.content.decode()


def test_the_vendor_signs_the_admission_agreement(vendor_client, vendor):
    provider = complete_entry(vendor, state=S.CONTRACT)
    contract = generate_admission_agreement(provider, bureau_name="滨江区教育局",
                                            district_name="滨江区")
    url = reverse("vendor:sign", args=[provider.pk])

    page = vendor_client.get(url).content.decode()
    assert reverse("files:contract", args=[contract.pk]) in page
    assert contract.pdf_sha256 in page
    assert 'target="_blank"' in page

    unticked = vendor_client.post(url, {"typed_name": "王建华"})
    assert unticked.status_code == 200
    assert "consent" in unticked.context["form"].errors
    assert not Signature.objects.exists()

    response = vendor_client.post(url, {"typed_name": "王建华", "consent": "on"})
    assert response.status_code == 302
    signature = Signature.objects.get(contract=contract)
    assert signature.party == SignatureParty.VENDOR
    assert signature.signer == vendor
    assert signature.typed_name == "王建华"
    assert signature.ip_address == "127.0.0.1"
    assert signature.pdf_sha256 == contract.pdf_sha256

    record = vendor_client.get(url).content.decode()
    assert "127.0.0.1" in record and "王建华" in record
    assert 'name="typed_name"' not in record
