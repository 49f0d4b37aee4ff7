"""The public candidate list (公开备选清单) as dated versions.

Whenever an entry joins or leaves the list, ``publish()`` takes a snapshot of the listed
providers (public fields only), numbers it as the next version, and renders it as a PDF
(WeasyPrint) and an Excel workbook (openpyxl). The files are stored once per version and
served from storage: downloading never renders anything.
"""

import io
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from marketplace.catalogue import providers_for_list
from marketplace.models import CandidateList
from marketplace.templatetags.prices import per_session
from media.pdf import render_pdf


def _date(value):
    return value.isoformat() if value else ""


def snapshot() -> list[dict]:
    """Every listed provider with what the public may know: no identity numbers, no
    people, no check results, no contact details beyond the provider's name."""
    rows = []
    for provider in providers_for_list():
        agreement = provider.admission_contracts[0] if provider.admission_contracts else None
        rows.append({
            "provider_id": provider.pk,
            "name": provider.name,
            "kind": provider.kind,
            "kind_label": provider.get_kind_display(),
            "listed_on": _date(provider.listed_on),
            "towns": [town.name for town in provider.service_area.all()],
            "agreement_start": _date(agreement.period_start) if agreement else "",
            "agreement_end": _date(agreement.period_end) if agreement else "",
            "credentials": [
                {"type": c.type, "label": c.get_type_display(),
                 "expires_on": _date(c.expires_on)}
                for c in provider.public_credentials
            ],
            "offerings": [
                {"title": o.title, "category": o.category,
                 "category_label": o.get_category_display(),
                 "delivery_label": o.get_delivery_display(), "grades": o.grades_display,
                 "price_per_session": str(o.price_per_session)}
                for o in provider.public_offerings
            ],
        })
    return rows


def _pdf(version: CandidateList, bureau: dict) -> bytes:
    return render_pdf("media/pdf/candidate_list.html", {
        "version": version, "entries": version.entries, **bureau,
        "generated_at": timezone.localtime(version.published_at),
    })


def _price_cell(price: str) -> float | str:
    """A number to add up, or the word for free (免费) instead of 0."""
    return float(price) if Decimal(price) else per_session(price)


def _xlsx(version: CandidateList, bureau: dict) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_("Candidate list"))[:31]
    published = timezone.localtime(version.published_at).strftime("%Y-%m-%d")
    title = _("%(bureau)s after-school service candidate list") % {"bureau": bureau["bureau_name"]}
    sheet.append([title])
    sheet.append([_("Version %(n)s · published %(date)s · %(providers)s providers, "
                    "%(offerings)s offerings") % {
        "n": version.version, "date": published, "providers": version.provider_count,
        "offerings": version.offering_count}])
    sheet.append([])
    header = [_("No."), _("Provider"), _("Kind"), _("Listed on"), _("Service area"),
              _("Offering"), _("Category"), _("Delivery"), _("Grades"),
              _("Price per session (CNY)"), _("Agreement period"), _("Verified credentials")]
    sheet.append(header)
    header_row = sheet.max_row
    for number, entry in enumerate(version.entries, start=1):
        credentials = "；".join(
            c["label"] + (f"（{_('valid until')} {c['expires_on']}）" if c["expires_on"] else "")
            for c in entry["credentials"])
        period = (f"{entry['agreement_start']} — {entry['agreement_end']}"
                  if entry["agreement_start"] else "")
        for offering in entry["offerings"] or [None]:
            sheet.append([
                number, entry["name"], entry["kind_label"], entry["listed_on"],
                "、".join(entry["towns"]),
                offering["title"] if offering else "",
                offering["category_label"] if offering else "",
                offering["delivery_label"] if offering else "",
                offering["grades"] if offering else "",
                _price_cell(offering["price_per_session"]) if offering else None,
                period, credentials,
            ])
    for row in sheet.iter_rows(min_row=header_row + 1):
        for cell in row:
            if cell.data_type == "f":  # vendor text such as "=HYPERLINK(…)" stays text
                cell.data_type = "s"
    sheet["A1"].font = Font(bold=True, size=14)
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDDDDD")
        cell.alignment = Alignment(horizontal="center")
    for index, width in enumerate((6, 28, 14, 12, 20, 28, 12, 10, 10, 12, 24, 40), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    # Printed like the PDF: landscape A4, every column on the page, as many pages as needed.
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.oddFooter.center.text = _("Version %(n)s · %(date)s · page &P of &N") % {
        "n": version.version, "date": published}
    workbook.properties.title = title
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


LOCK_KEY = 0x63616E64  # "cand": one publisher of the candidate list at a time


def _serialise() -> None:
    """Hold a transaction-scoped lock, so that two publishers cannot snapshot in one order
    and number in the other. SQLite serialises writers by itself."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def publish(reason: str, bureau: dict, language: str, *,
            transition_id: int | None = None) -> CandidateList:
    """Render and store the next version of the candidate list, from what is listed at the
    moment the version number is taken. A version exists only once both files are stored.
    With ``transition_id`` (the timeline entry that changed the list) a second call for the
    same transition — a redelivered task — returns the version already made."""
    with transaction.atomic():
        _serialise()
        if transition_id is not None:
            done = CandidateList.objects.filter(transition_id=transition_id).first()
            if done is not None:
                return done
        with translation.override(language):
            entries = snapshot()
            latest = CandidateList.objects.aggregate(n=Max("version"))["n"] or 0
            version = CandidateList(
                version=latest + 1, published_at=timezone.now(), reason=reason[:200],
                entries=entries, provider_count=len(entries), transition_id=transition_id,
                offering_count=sum(len(e["offerings"]) for e in entries),
            )
            stem = f"candidate-list-v{version.version}-{version.published_at:%Y%m%d}"
            version.pdf.save(f"{stem}.pdf", ContentFile(_pdf(version, bureau)), save=False)
            version.xlsx.save(f"{stem}.xlsx", ContentFile(_xlsx(version, bureau)), save=False)
        version.save()
    return version
