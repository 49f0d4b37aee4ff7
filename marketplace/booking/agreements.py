"""Service agreements (课后服务协议) between a school and a provider for one booking
[000 §五(三)1], and their signatures.

The agreement is a PDF rendered from ``media/pdf/service_agreement.html`` once the
provider has accepted, stored in private storage next to its SHA-256 digest, like the
admission agreement (``marketplace.admission.agreements``). The provider signs first, then a
coordinator of the school; the school's signature moves the booking to “agreed” in the
same transaction, which makes the term schedule. A signed PDF is never rendered again.
"""

import datetime as dt

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from marketplace.booking import calendar
from marketplace.choices import ContractKind, SignatureParty, Weekday
from marketplace.models import Booking, Contract, Signature
from media.pdf import document_sha256, render_pdf
from media.storage import sha256_of
from workflows import outbox, policy, transitions
from workflows.booking import BookingState
from workflows.tasks import send_email
from workflows.transitions import TransitionRefused, lock_entry, record

TEMPLATE = "media/pdf/service_agreement.html"
NUMBER_PREFIX = "FW"  # 服务
#: How much of the course outline the agreement quotes.
OUTLINE_CHARS = 300


def agreement_number(contract: Contract) -> str:
    """``FW-<year>-<pk>``, e.g. ``FW-2026-000042``; the year the contract was created in,
    so re-rendering a draft keeps its number."""
    created = timezone.localtime(contract.created_at) if contract.created_at else None
    year = created.year if created else contract.period_start.year
    return f"{NUMBER_PREFIX}-{year}-{contract.pk:06d}"


def _grades(booking) -> str:
    if booking.grade_from == booking.grade_to:
        return _("Grade %(n)s") % {"n": booking.grade_from}
    return _("Grades %(a)s–%(b)s") % {"a": booking.grade_from, "b": booking.grade_to}


def _timetable_weekday(day: dt.date) -> int:
    """The weekday whose timetable ``day`` would follow (a make-up day's replaced one)."""
    return calendar.timetable_weekday(day) or day.isoweekday()


def _dates(booking) -> tuple[dt.date, dt.date]:
    """The booking's first and last date (its term's, for a booking without them)."""
    return (booking.first_date or booking.term.starts_on,
            booking.last_date or booking.term.ends_on)


def schedule_summary(booking) -> dict:
    """Weekly slots with their number of sessions (school days only: statutory holidays
    and local days off skipped, make-up days counted), the total, and the skipped days
    that fall on the slots' weekdays."""
    first, last = _dates(booking)
    slots, total = [], 0
    for slot in booking.slots.all():
        count = len(calendar.session_dates(booking.school, first, last, slot.weekday))
        total += count
        slots.append({"weekday": str(Weekday(slot.weekday).label),
                      "time": f"{slot.starts_at:%H:%M}–{slot.ends_at:%H:%M}",
                      "sessions": count})
    weekdays = {s.weekday for s in booking.slots.all()}
    skipped = [{"date": day, "name": name}
               for day, name in calendar.skipped_days(booking.school, first, last)
               if _timetable_weekday(day) in weekdays]
    return {"slots": slots, "sessions": total, "skipped": skipped}


def agreement_context(booking, *, bureau_name: str, district_name: str,
                      agreement_number: str = "") -> dict:
    """Template context of the service agreement. People are plain dicts holding the
    masked identity number only, so the template cannot print a full one."""
    offering, provider, school = booking.offering, booking.offering.provider, booking.school
    summary = schedule_summary(booking)
    price = booking.price_per_session
    people = [{"full_name": p.full_name, "role_title": p.role_title,
               "id_number_masked": p.id_number_masked}
              for p in booking.people.order_by("full_name", "pk")]
    return {
        "bureau_name": bureau_name,
        "district_name": district_name,
        "agreement_number": agreement_number,
        "school": {"name": school.name, "address": school.address, "phone": school.phone},
        "provider": {
            "name": provider.name, "kind": str(provider.get_kind_display()),
            "credit_code": provider.credit_code if provider.is_organisation else "",
            "legal_representative": provider.legal_representative,
            "contact_name": provider.contact_name, "contact_phone": provider.contact_phone,
            "address": provider.address,
        },
        "offering": {
            "title": offering.title, "category": str(offering.get_category_display()),
            "outline": Truncator(offering.outline).chars(OUTLINE_CHARS),
            "session_minutes": offering.session_minutes,
            "safety_measures": offering.safety_measures,
            "materials": offering.materials,
        },
        "delivery": str(booking.get_delivery_display()),
        "delivery_code": booking.delivery,
        "term": str(booking.term),
        "place": booking.place,
        "venue": booking.venue.name if booking.venue_id else "",
        "grades": _grades(booking),
        "student_count": booking.student_count,
        "first_date": _dates(booking)[0],
        "last_date": _dates(booking)[1],
        "slots": summary["slots"],
        "sessions": summary["sessions"],
        "skipped": summary["skipped"],
        "price_per_session": f"{price:.2f}",
        "estimated_total": f"{price * summary['sessions']:.2f}",
        "people": people,
        "service_end": policy.service_end(booking.grade_from).strftime("%H:%M"),
    }


def _period(booking) -> tuple[dt.date, dt.date]:
    """The contract's period: the booking's first to last date. A contract must end after
    it starts, so a booking of one day gives a period to the next day (the document
    itself states the booking's own dates)."""
    first, last = _dates(booking)
    return first, max(last, first + dt.timedelta(days=1))


def generate_service_agreement(booking: Booking, *, bureau_name: str,
                               district_name: str) -> Contract | None:
    """Render the booking's service agreement, or re-render its unsigned draft in place
    (same pk and number, new PDF and digest; the superseded file is deleted after
    commit).

    A contract that has any signature is returned unchanged: it is never re-rendered.
    Nothing is rendered for a booking no longer “accepted” (declined or cancelled
    before this ran): its existing contract, if any, is returned.

    The booking row and the draft are locked, so two runs cannot render one draft twice
    and a signature cannot slip in between the check and the write (signing locks the
    booking row too).
    """
    storage = Contract._meta.get_field("pdf").storage
    with transaction.atomic():
        # Lock the booking row only: PostgreSQL cannot lock the nullable side (venue) of
        # an outer join.
        booking = (Booking.objects.select_for_update(of=("self",))
                   .select_related("school", "offering__provider", "term", "venue")
                   .get(pk=booking.pk))
        contract = (Contract.objects.select_for_update()
                    .filter(booking=booking, kind=ContractKind.SERVICE)
                    .order_by("-created_at", "-pk").first())
        if booking.state != BookingState.ACCEPTED:
            return contract
        if contract is not None and contract.signatures.exists():
            return contract
        period_start, period_end = _period(booking)
        if contract is None:
            contract = Contract.objects.create(
                kind=ContractKind.SERVICE, provider=booking.offering.provider,
                booking=booking, period_start=period_start, period_end=period_end)
        contract.provider_id = booking.offering.provider_id
        contract.period_start, contract.period_end = period_start, period_end
        with translation.override(settings.LANGUAGE_CODE):  # a Chinese legal document
            context = agreement_context(booking, bureau_name=bureau_name,
                                        district_name=district_name,
                                        agreement_number=agreement_number(contract))
            data = render_pdf(TEMPLATE, {**context, "generated_at": timezone.localtime()})

        old_name = contract.pdf.name
        new_name = storage.save(
            f"contracts/service-{booking.pk}-{timezone.localdate():%Y%m%d}.pdf",
            ContentFile(data))
        try:
            contract.pdf.name = new_name
            contract.pdf_sha256 = document_sha256(data)
            contract.save(update_fields=["provider", "period_start", "period_end", "pdf",
                                         "pdf_sha256", "updated_at"])
        except Exception:
            storage.delete(new_name)
            raise
        if old_name and old_name != new_name:
            transaction.on_commit(lambda: storage.delete(old_name))
    return contract


# --- signing ------------------------------------------------------------------------------
def _refuse(message: str, code: str) -> TransitionRefused:
    return TransitionRefused(message, code=code)


def _forbidden() -> TransitionRefused:
    return _refuse(_("You are not allowed to take this action on this entry."), "forbidden")


def _may_sign(booking, user, party: str) -> bool:
    if not (user and user.is_authenticated):
        return False
    if party == SignatureParty.VENDOR:
        return booking.offering.provider.owner_id == user.pk
    if party == SignatureParty.SCHOOL:
        return booking.school.coordinators.filter(pk=user.pk).exists()
    return False


def sign_service_agreement(contract: Contract, *, by, party: str, typed_name: str,
                           consent: bool, ip_address: str) -> Signature:
    """Sign the exact PDF of a service agreement as the provider (first) or the school
    (second); the school's signature agrees the booking in the same transaction."""
    if contract.kind != ContractKind.SERVICE or contract.booking_id is None:
        raise _forbidden()
    booking = contract.booking
    if not _may_sign(booking, by, party):
        raise _forbidden()
    if not consent:
        raise _refuse(_("Tick the box to confirm you agree to the agreement."),
                      "consent_required")
    typed_name = (typed_name or "").strip()
    if not typed_name:
        raise _refuse(_("Type your full name to sign."), "name_required")
    with transaction.atomic():
        booking = lock_entry(booking, allowed_states={BookingState.ACCEPTED})
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        latest = booking.service_agreement()
        if latest is None or latest.pk != contract.pk:
            raise _refuse(_("This agreement has been replaced by a newer one. Reload the "
                            "page."), "superseded")
        if not contract.pdf:
            raise _refuse(_("The agreement is still being prepared. Try again in a "
                            "moment."), "not_ready")
        if contract.signatures.filter(party=party).exists():
            raise _refuse(_("This agreement is already signed for this party."),
                          "already_signed")
        if party == SignatureParty.SCHOOL and not contract.signed_by(SignatureParty.VENDOR):
            raise _refuse(_("The provider signs the service agreement first."), "order")
        with contract.pdf.open("rb") as pdf:
            digest = sha256_of(pdf)
        if digest != contract.pdf_sha256:
            raise _refuse(_("The agreement file does not match its record. Contact "
                            "the education bureau."), "tampered")
        signature = Signature.objects.create(
            contract=contract, party=party, signer=by, typed_name=typed_name,
            consent=True, ip_address=ip_address, pdf_sha256=digest,
        )
        record(booking, f"signed_{party}", by=by, item=typed_name)
        if party == SignatureParty.VENDOR:
            _tell_school(booking, key=f"signature:{signature.pk}:tell-school")
        else:
            transitions.run(booking, "agree", by=by)
    return signature


def _school_link(booking) -> str:
    try:
        path = reverse("school:booking", args=[booking.pk])
    except NoReverseMatch:
        path = reverse("school:home")
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def _tell_school(booking, *, key: str) -> None:
    """E-mail the school's coordinators that the provider has signed (in the signature's
    transaction: recorded if and only if the signature is)."""
    to = list(booking.school.coordinators.filter(is_active=True).exclude(email="")
              .values_list("email", flat=True))
    if not to:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[After-school resources] %(school)s · %(offering)s: %(what)s") % {
            "school": booking.school.name, "offering": booking.offering.title,
            "what": _("the provider has signed")}
        body = _("%(provider)s has signed the service agreement for “%(offering)s”. Read "
                 "and sign it to confirm the booking: %(link)s") % {
            "provider": booking.offering.provider.name, "offering": booking.offering.title,
            "link": _school_link(booking)}
    outbox.schedule(send_email, to, subject, body, key=key)
