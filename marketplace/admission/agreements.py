"""Admission agreements (准入协议) between the bureau and a provider, and the electronic
signature record (电子签署记录) appended to them.

The agreement is a PDF rendered from ``media/pdf/admission_agreement.html`` and stored in
private storage next to its SHA-256 digest. A signature records the digest of the exact
PDF its signer saw, so a PDF is regenerated only while nobody has signed it.

The bureau's name and district come from the caller (``cms.BureauSettings``): this app
does not import ``cms``.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from marketplace.choices import ContractKind, VerificationState
from marketplace.models import Contract, Provider, Signature
from media.pdf import document_sha256, render_pdf
from workflows import policy

AGREEMENT_TEMPLATE = "media/pdf/admission_agreement.html"
SIGNATURE_RECORD_TEMPLATE = "media/pdf/signature_record.html"
NUMBER_PREFIX = "ZR"  # 准入
SIGNATURE_TIME_ZONE = ZoneInfo("Asia/Shanghai")


class AgreementAlreadySigned(Exception):
    """The provider's admission agreement in force has signatures: it is never re-rendered."""

    def __init__(self, contract: Contract):
        self.contract = contract
        super().__init__(str(_(
            "The admission agreement %(number)s has already been signed and cannot be "
            "generated again."
        ) % {"number": agreement_number(contract)}))


def agreement_number(contract: Contract) -> str:
    """``ZR-<year>-<pk>``, e.g. ``ZR-2026-000123``. The year is the one the contract was
    created in, so regenerating a draft keeps its number."""
    created = timezone.localtime(contract.created_at) if contract.created_at else None
    year = created.year if created else contract.period_start.year
    return f"{NUMBER_PREFIX}-{year}-{contract.pk:06d}"


def _document_language():
    # The agreement is a Chinese legal document whatever language the requester uses.
    return translation.override(settings.LANGUAGE_CODE)


def agreement_context(
    provider: Provider, *, period_start: dt.date, period_end: dt.date, bureau_name: str,
    district_name: str, agreement_number: str = "",
) -> dict:
    """Template context of the admission agreement.

    Offerings are the current ones whose content review passed; people are the current
    ones not barred. People are plain dicts holding the masked identity number only, so
    the template cannot print a full one.
    """
    offerings = [
        {
            "title": o.title,
            "category": str(o.get_category_display()),
            "delivery": str(o.get_delivery_display()),
            "grades_display": o.grades_display,
            "session_minutes": o.session_minutes,
            "price_per_session": o.price_per_session,
            "price_per_student_term": o.price_per_student_term,
            "safety_measures": o.safety_measures,
        }
        for o in provider.active_offerings().filter(review=VerificationState.VERIFIED)
        .order_by("title", "pk")
    ]
    people = [
        {
            "full_name": p.full_name,
            "role_title": p.role_title,
            "id_number_masked": p.id_number_masked,
        }
        for p in provider.active_people().filter(barred=False)
        .order_by("-is_principal", "full_name", "pk")
    ]
    return {
        "bureau_name": bureau_name,
        "district_name": district_name,
        "provider": provider,
        "offerings": offerings,
        "people": people,
        "period_start": period_start,
        "period_end": period_end,
        "agreement_number": agreement_number,
        "professional_fee_cap": policy.professional_fee_cap(),
        "personalised_course_cap": policy.personalised_course_cap(),
        "check_valid_months": policy.value("BACKGROUND_CHECK_VALID_MONTHS"),
        "reapply_bar_months": policy.value("REAPPLY_BAR_MONTHS"),
    }


def agreement_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """From ``today`` for the configured period (``ADMISSION_AGREEMENT_YEARS``, default 3
    years): 2026-03-01 … 2029-02-28."""
    return today, policy.admission_agreement_end(today)


def generate_admission_agreement(
    provider: Provider, *, bureau_name: str, district_name: str, today: dt.date | None = None,
) -> Contract:
    """Create the provider's admission agreement, or regenerate its unsigned draft in place.

    - An admission contract without any signature is re-rendered (same pk and number,
      new period, new PDF and digest; the superseded file is deleted after commit).
    - Otherwise, while the latest signed admission agreement is still in force beyond the
      renewal window (``EXPIRY_WARNING_DAYS`` before its end), ``AgreementAlreadySigned``
      is raised and nothing changes.
    - Otherwise (none yet, or renewal) a new contract is created.

    The provider row and the draft contract are locked, so two requests cannot render
    one draft twice and a signature cannot slip in between the check and the write
    (the signing code must lock the contract row too and compare digests).
    """
    today = today or timezone.localdate()
    period_start, period_end = agreement_period(today)
    storage = Contract._meta.get_field("pdf").storage

    with transaction.atomic():
        # Serialise generation per provider (a no-op on SQLite, which locks the database).
        list(Provider.objects.select_for_update().filter(pk=provider.pk).values_list("pk"))
        admissions = Contract.objects.filter(provider=provider, kind=ContractKind.ADMISSION)
        signed = Exists(Signature.objects.filter(contract=OuterRef("pk")))
        contract = (
            admissions.alias(signed=signed).filter(signed=False)
            .select_for_update().order_by("-created_at", "-pk").first()
        )
        if contract is None:
            in_force = admissions.alias(signed=signed).filter(signed=True).order_by(
                "-period_end", "-pk").first()
            renewal_from = today + dt.timedelta(days=policy.value("EXPIRY_WARNING_DAYS"))
            if in_force is not None and in_force.period_end >= renewal_from:
                raise AgreementAlreadySigned(in_force)
            contract = Contract.objects.create(
                kind=ContractKind.ADMISSION, provider=provider,
                period_start=period_start, period_end=period_end,
            )
        elif contract.signatures.exists():  # re-checked under the row lock
            raise AgreementAlreadySigned(contract)

        contract.period_start, contract.period_end = period_start, period_end
        context = agreement_context(
            provider, period_start=period_start, period_end=period_end,
            bureau_name=bureau_name, district_name=district_name,
            agreement_number=agreement_number(contract),
        )
        with _document_language():
            data = render_pdf(AGREEMENT_TEMPLATE, {
                **context, "generated_at": timezone.localtime()})

        old_name = contract.pdf.name
        new_name = storage.save(
            f"contracts/admission-{provider.pk}-{today:%Y%m%d}.pdf", ContentFile(data))
        try:
            contract.pdf.name = new_name
            contract.pdf_sha256 = document_sha256(data)
            contract.save(update_fields=[
                "period_start", "period_end", "pdf", "pdf_sha256", "updated_at"])
        except Exception:
            storage.delete(new_name)
            raise
        if old_name and old_name != new_name:
            transaction.on_commit(lambda: storage.delete(old_name))
    return contract


def _signed_at_display(value: dt.datetime) -> str:
    return timezone.localtime(value, SIGNATURE_TIME_ZONE).strftime("%Y-%m-%d %H:%M:%S")


def signature_record_context(contract: Contract) -> dict:
    signatures = [
        {
            "party": str(s.get_party_display()),
            "typed_name": s.typed_name,
            "username": s.signer.get_username(),
            "signed_at": _signed_at_display(s.signed_at),
            "ip_address": s.ip_address,
            "pdf_sha256": s.pdf_sha256,
            "digest_matches": bool(contract.pdf_sha256) and s.pdf_sha256 == contract.pdf_sha256,
        }
        for s in contract.signatures.select_related("signer").order_by("signed_at", "pk")
    ]
    return {
        "contract": contract,
        "provider": contract.provider,
        "agreement_number": agreement_number(contract),
        "kind": str(contract.get_kind_display()),
        "pdf_sha256": contract.pdf_sha256,
        "signatures": signatures,
        "time_zone": "Asia/Shanghai (UTC+8)",
    }


def signature_record_pdf(contract: Contract) -> bytes:
    """The electronic signature record of a contract as PDF bytes (document language)."""
    with _document_language():
        return render_pdf(SIGNATURE_RECORD_TEMPLATE, signature_record_context(contract))
