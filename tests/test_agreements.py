"""Admission agreements (marketplace.admission.agreements) and the entry archive
(marketplace.admission.dossier).

A signed agreement is never regenerated: ``generate_admission_agreement`` raises
``AgreementAlreadySigned`` and leaves the contract, its PDF and digest untouched.
"""

import csv
import datetime as dt
import io
import json
import re
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django_fsm_log.models import StateLog
from pypdf import PdfReader

from marketplace.admission.agreements import (
    AgreementAlreadySigned,
    agreement_number,
    generate_admission_agreement,
    signature_record_pdf,
)
from marketplace.admission.dossier import build_dossier
from marketplace.choices import ContractKind, CredentialType, SignatureParty, VerificationState
from marketplace.models import Contract, Signature
from media.pdf import document_sha256
from tests.factories import (
    BackgroundCheckFactory,
    CredentialFactory,
    OfferingFactory,
    PersonFactory,
    ProviderFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 1)
BUREAU = {"bureau_name": "滨江区教育局", "district_name": "滨江区"}
FULL_ID = "11010519491231002X"
MASKED_ID = "110105**********2X"


def zh(msgid: str) -> str:
    """The Chinese catalogue's text for a label, as extracted (whitespace removed)."""
    with translation.override("zh-hans"):
        return "".join(translation.gettext(msgid).split())


TITLE = "After-school service external resource admission agreement"  # 课后服务校外资源准入协议


def pdf_text(data: bytes) -> str:
    """All text of the PDF with whitespace removed, so line breaks do not split phrases."""
    reader = PdfReader(io.BytesIO(data))
    return "".join("".join(page.extract_text() for page in reader.pages).split())


def stored_bytes(field) -> bytes:
    with field.open("rb") as f:
        return f.read()


@pytest.fixture
def entry():
    """An institution with two approved offerings, one pending and one withdrawn; two staff,
    one barred and one removed person."""
    provider = ProviderFactory(name="滨江区青苗科技培训学校")
    OfferingFactory(provider=provider, title="少儿机器人搭建", verified=True)
    OfferingFactory(provider=provider, title="趣味天文观测", verified=True,
                    price_per_student_term="580.00", safety_measures="夜间观测由两名教师带队。")
    OfferingFactory(provider=provider, title="未审核的编程课")
    teacher = PersonFactory(provider=provider, full_name="陈晓燕", id_number=FULL_ID,
                            role_title="机器人讲师")
    PersonFactory(provider=provider, full_name="周永强", role_title="安全员")
    PersonFactory(provider=provider, full_name="被禁入者", barred=True)
    PersonFactory(provider=provider, full_name="已离职者", removed_at=timezone.now())
    OfferingFactory(provider=provider, title="已撤回的课程", verified=True,
                    withdrawn_at=timezone.now())
    return provider, teacher


def sign(contract, party=SignatureParty.VENDOR, typed_name="王建华", **kwargs):
    return Signature.objects.create(
        contract=contract, party=party, signer=kwargs.pop("signer", None) or UserFactory(),
        typed_name=typed_name, consent=True, ip_address=kwargs.pop("ip", "10.20.30.40"),
        pdf_sha256=kwargs.pop("digest", contract.pdf_sha256), **kwargs,
    )


# --- the agreement ------------------------------------------------------------------------


def test_agreement_pdf_is_stored_with_its_digest_and_shows_the_entry(entry):
    provider, teacher = entry
    contract = generate_admission_agreement(provider, today=TODAY, **BUREAU)

    assert contract.kind == ContractKind.ADMISSION
    assert (contract.period_start, contract.period_end) == (TODAY, dt.date(2029, 2, 28))
    assert contract.pdf.name.startswith(f"contracts/admission-{provider.pk}-20260301")
    data = stored_bytes(Contract.objects.get(pk=contract.pk).pdf)
    assert data.startswith(b"%PDF")
    assert contract.pdf_sha256 == document_sha256(data)

    text = pdf_text(data)
    for phrase in (
        provider.name, provider.credit_code, "少儿机器人搭建", "趣味天文观测", "陈晓燕",
        MASKED_ID, "滨江区教育局", agreement_number(contract), zh(TITLE), "不得在校招揽生源",
        "每课时不超过200元", "每生每学期不超过600元", "2029年2月28日",
        "夜间观测由两名教师带队",
    ):
        assert phrase in text, phrase
    assert FULL_ID not in text
    assert teacher.id_number[6:14] not in text  # not even the birth date
    for absent in ("未审核的编程课", "已撤回的课程", "被禁入者", "已离职者"):
        assert absent not in text, absent


def test_agreement_is_in_chinese_even_when_requested_in_english(entry):
    provider, _ = entry
    with translation.override("en"):
        contract = generate_admission_agreement(provider, today=TODAY, **BUREAU)
    text = pdf_text(stored_bytes(contract.pdf))
    assert "不得在校招揽生源" in text
    assert zh(TITLE) in text
    assert "生成日期" in text and "Generatedon" not in text  # the footer, from the catalogue


def test_agreement_number_is_prefix_year_and_padded_pk(entry):
    provider, _ = entry
    contract = generate_admission_agreement(provider, today=TODAY, **BUREAU)
    assert re.fullmatch(r"ZR-\d{4}-\d{6}", agreement_number(contract))
    assert agreement_number(contract).endswith(f"{contract.pk:06d}")


def test_regenerating_an_unsigned_agreement_keeps_one_contract(
    entry, django_capture_on_commit_callbacks
):
    provider, _ = entry
    first = generate_admission_agreement(provider, today=TODAY, **BUREAU)
    first_name, first_digest = first.pdf.name, first.pdf_sha256
    OfferingFactory(provider=provider, title="非遗剪纸", verified=True)

    with django_capture_on_commit_callbacks(execute=True):
        again = generate_admission_agreement(
            provider, today=TODAY + dt.timedelta(days=5), **BUREAU)

    assert Contract.objects.filter(provider=provider).count() == 1
    assert again.pk == first.pk
    assert agreement_number(again) == agreement_number(first)
    assert again.period_start == TODAY + dt.timedelta(days=5)
    assert again.pdf_sha256 != first_digest
    data = stored_bytes(Contract.objects.get(pk=first.pk).pdf)
    assert document_sha256(data) == again.pdf_sha256
    assert "非遗剪纸" in pdf_text(data)
    assert not again.pdf.storage.exists(first_name)  # the superseded draft is gone


def test_a_signed_agreement_is_not_regenerated(entry):
    provider, _ = entry
    contract = generate_admission_agreement(provider, today=TODAY, **BUREAU)
    before = stored_bytes(contract.pdf)
    sign(contract)  # only the vendor has signed: still locked

    with pytest.raises(AgreementAlreadySigned) as exc:
        generate_admission_agreement(provider, today=TODAY + dt.timedelta(days=1), **BUREAU)

    assert exc.value.contract == contract
    assert Contract.objects.filter(provider=provider).count() == 1
    unchanged = Contract.objects.get(pk=contract.pk)
    assert (unchanged.pdf.name, unchanged.pdf_sha256) == (contract.pdf.name, contract.pdf_sha256)
    assert unchanged.period_start == TODAY
    assert stored_bytes(unchanged.pdf) == before


def test_a_new_agreement_can_be_generated_when_the_signed_one_is_about_to_end(entry):
    provider, _ = entry
    old = generate_admission_agreement(provider, today=TODAY, **BUREAU)
    sign(old, SignatureParty.VENDOR)
    sign(old, SignatureParty.BUREAU, typed_name="李局长")

    renewal = generate_admission_agreement(provider, today=dt.date(2029, 2, 10), **BUREAU)

    assert renewal.pk != old.pk
    assert Contract.objects.filter(provider=provider).count() == 2
    assert Contract.objects.get(pk=old.pk).pdf_sha256 == old.pdf_sha256


def test_signature_record_lists_the_digest_and_every_signature(entry):
    provider, _ = entry
    contract = generate_admission_agreement(provider, today=TODAY, **BUREAU)
    vendor = UserFactory(username="qingmiao")
    sign(contract, SignatureParty.VENDOR, typed_name="王建华", signer=vendor, ip="10.20.30.40",
         signed_at=dt.datetime(2026, 3, 2, 1, 5, 9, tzinfo=dt.UTC))
    sign(contract, SignatureParty.BUREAU, typed_name="李国栋", ip="192.168.1.8")

    data = signature_record_pdf(contract)

    text = pdf_text(data)
    assert contract.pdf_sha256 in text
    for phrase in (zh("Electronic signature record"), agreement_number(contract), "王建华",
                   "李国栋", "qingmiao", "10.20.30.40", "192.168.1.8",
                   "2026-03-0209:05:09"):  # 01:05:09 UTC shown in Asia/Shanghai
        assert phrase in text, phrase


# --- the dossier --------------------------------------------------------------------------


@pytest.fixture
def archived(entry):
    """The entry with credentials, checks, a signed agreement and a transition log."""
    provider, teacher = entry
    reviewer = UserFactory(username="reviewer1")
    licence = CredentialFactory(provider=provider, verified=True, reviewed_by=reviewer,
                                review_note="与原件一致")
    health = CredentialFactory(provider=provider, person=teacher,
                               type=CredentialType.HEALTH_CERTIFICATE)
    check = BackgroundCheckFactory(
        person=teacher, result_file=ContentFile(f"查询结果 {FULL_ID} 无记录".encode(),
                                                name="result.pdf"))
    contract = generate_admission_agreement(provider, today=TODAY, **BUREAU)
    sign(contract, typed_name="王建华")
    StateLog.objects.create(by=provider.owner, source_state="draft", state="submitted",
                            transition="submit", content_object=provider, description="")
    StateLog.objects.create(by=reviewer, source_state="submitted", state="qualification_review",
                            transition="start_review", content_object=provider,
                            description="开始审核，材料齐全")
    return provider, teacher, licence, health, check, contract


def open_zip(data: bytes) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    return archive


def test_dossier_contains_the_index_entry_log_credentials_and_agreements(archived):
    provider, teacher, licence, health, check, contract = archived
    archive = open_zip(build_dossier(provider, include_identity=False))
    names = set(archive.namelist())

    licence_path = f"credentials/provider/business_licence-{licence.pk}.pdf"
    health_path = (f"credentials/person-{teacher.pk}-陈晓燕/health_certificate-{health.pk}.pdf")
    for name in ("README.txt", "entry.json", "log.csv", licence_path, health_path,
                 f"agreements/admission-{contract.pk}.pdf",
                 f"agreements/admission-{contract.pk}-signatures.pdf"):
        assert name in names, name
    assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in archive.infolist())
    assert archive.read(licence_path) == stored_bytes(licence.file)
    assert archive.read(f"agreements/admission-{contract.pk}.pdf") == stored_bytes(contract.pdf)
    assert contract.pdf_sha256 in archive.read("README.txt").decode("utf-8-sig")

    data = json.loads(archive.read("entry.json"))
    assert data["provider"]["credit_code"] == provider.credit_code
    assert {o["title"] for o in data["offerings"]} >= {"少儿机器人搭建", "未审核的编程课"}
    lic = next(c for c in data["credentials"] if c["id"] == licence.pk)
    assert (lic["verification"], lic["reviewed_by"], lic["review_note"]) == (
        VerificationState.VERIFIED, "reviewer1", "与原件一致")
    assert lic["file"] == licence_path and lic["file_intact"] is True
    [agreement] = data["contracts"]
    assert agreement["number"] == agreement_number(contract)
    assert agreement["signatures"][0]["typed_name"] == "王建华"
    assert agreement["signatures"][0]["matches_pdf"] is True


def test_dossier_log_holds_the_transitions_as_excel_friendly_csv(archived):
    provider = archived[0]
    raw = open_zip(build_dossier(provider, include_identity=False)).read("log.csv")
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header, *entries = rows
    assert len(header) == 8
    assert [(r[2], r[4], r[6]) for r in entries] == [
        ("draft", "submitted", "submit"),
        ("submitted", "qualification_review", "start_review"),
    ]
    assert entries[1][1] == "reviewer1"
    assert entries[1][7] == "开始审核，材料齐全"


def test_dossier_without_identity_masks_numbers_and_leaves_out_check_results(archived):
    provider, teacher, *_, check, _contract = archived
    archive = open_zip(build_dossier(provider, include_identity=False))

    assert not [n for n in archive.namelist() if n.startswith("checks/")]
    for name in archive.namelist():
        assert FULL_ID.encode() not in archive.read(name), name
    data = json.loads(archive.read("entry.json"))
    person = next(p for p in data["people"] if p["id"] == teacher.pk)
    assert person["id_number_masked"] == MASKED_ID and "id_number" not in person
    [row] = [c for c in data["background_checks"] if c["id"] == check.pk]
    assert row["state"] == "cleared" and row["checked_on"] and row["valid_until"]
    assert not {"criminal_record", "health", "character", "reference", "file"} & row.keys()


def test_dossier_with_identity_has_full_numbers_and_check_result_files(archived):
    provider, teacher, *_, check, _contract = archived
    archive = open_zip(build_dossier(provider, include_identity=True))

    path = f"checks/person-{teacher.pk}-陈晓燕/check-{check.pk}.pdf"
    assert archive.read(path) == stored_bytes(check.result_file)
    data = json.loads(archive.read("entry.json"))
    person = next(p for p in data["people"] if p["id"] == teacher.pk)
    assert person["id_number"] == FULL_ID
    [row] = [c for c in data["background_checks"] if c["id"] == check.pk]
    assert (row["criminal_record"], row["health"], row["character"]) == ("clear", "fit", "good")
    assert row["file"] == path


def test_dossier_reports_a_file_missing_from_storage_instead_of_failing(archived):
    provider, _teacher, licence, *_ = archived
    licence.file.storage.delete(licence.file.name)
    archive = open_zip(build_dossier(provider, include_identity=False))
    data = json.loads(archive.read("entry.json"))
    assert data["missing_files"] == [f"credentials/provider/business_licence-{licence.pk}.pdf"]
    assert "business_licence" in archive.read("README.txt").decode("utf-8-sig")
