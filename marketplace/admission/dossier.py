"""The archive (留档备案) of one provider entry as a ZIP file [000 §五(三)2].

Members:

- ``README.txt``: what the archive holds, with every file's size and SHA-256;
- ``entry.json``: the provider, its people, credentials (metadata and review),
  offerings, background checks, agreements with their signatures, and exit cases;
- ``log.csv``: the entry's full transition log (django-fsm-log), UTF-8 with BOM so
  that Excel shows Chinese correctly;
- ``credentials/<provider|person-…>/<type>-<id><ext>``: every credential file;
- ``checks/<person-…>/check-<id><ext>``: background-check result files, only with
  ``include_identity`` (check results are sensitive personal data);
- ``agreements/<kind>-<id>.pdf``: every agreement PDF, and the electronic signature
  record of each signed one as ``<kind>-<id>-signatures.pdf``;
- ``exit-cases/exit-case-<id><ext>``: evidence files of exit cases.

Without ``include_identity`` identity numbers appear masked only and check results are
left out (state and dates remain). Files are read through their storage
(``field.open("rb")``), so S3 works like local disk, and copied in chunks into a
spooled temporary file: a large archive does not sit in memory while it is built.
"""

import csv
import hashlib
import io
import json
import os
import re
import tempfile
import zipfile
from zoneinfo import ZoneInfo

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm_log.models import StateLog

from marketplace.admission.agreements import agreement_number, signature_record_pdf
from marketplace.models import BackgroundCheck, Provider

FORMAT = "afterschool-dossier/1"
CHUNK = 1024 * 1024
SPOOL_MAX_BYTES = 16 * 1024 * 1024
ARCHIVE_TIME_ZONE = ZoneInfo("Asia/Shanghai")
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def dossier_filename(provider: Provider, on=None) -> str:
    return f"dossier-{provider.pk}-{(on or timezone.localdate()):%Y%m%d}.zip"


def build_dossier(provider: Provider, *, include_identity: bool) -> bytes:
    """The provider's archive as ZIP bytes (see the module docstring for its members)."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES) as spool:
        write_dossier(provider, spool, include_identity=include_identity)
        spool.seek(0)
        return spool.read()


def write_dossier(provider: Provider, fileobj, *, include_identity: bool) -> None:
    """Write the archive into a binary file object (for streaming responses)."""
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _DossierWriter(provider, archive, include_identity).write()


def _safe(text: str, limit: int = 40) -> str:
    """A path segment: no separators or control characters, bounded length."""
    return _UNSAFE.sub("_", str(text)).strip(" .")[:limit] or "_"


def _person_folder(person) -> str:
    return f"person-{person.pk}-{_safe(person.full_name)}"


def _ext(name: str) -> str:
    return os.path.splitext(name)[1].lower()[:8]


def _when(value):
    return timezone.localtime(value, ARCHIVE_TIME_ZONE).isoformat() if value else None


def _username(user):
    return user.get_username() if user else None


class _DossierWriter:
    def __init__(self, provider: Provider, archive: zipfile.ZipFile, include_identity: bool):
        self.provider = provider
        self.archive = archive
        self.include_identity = include_identity
        self.manifest: list[tuple[str, int, str]] = []  # (path, size, sha256)
        self.missing: list[str] = []

    # --- members -----------------------------------------------------------

    def write(self) -> None:
        entry = self.entry()
        self.write_bytes("entry.json", json.dumps(
            entry, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode("utf-8"))
        self.write_log()
        self.write_bytes("README.txt", self.readme(entry).encode("utf-8-sig"))

    def write_bytes(self, path: str, data: bytes) -> None:
        self.archive.writestr(path, data)
        self.manifest.append((path, len(data), hashlib.sha256(data).hexdigest()))

    def copy_file(self, field, path: str) -> dict:
        """Copy a stored file into the archive in chunks; returns its archive facts."""
        if not field:
            return {"file": None}
        if not field.storage.exists(field.name):
            # Keep exporting: a missing file is reported in the archive, not fatal.
            self.missing.append(path)
            return {"file": None, "file_missing": True, "stored_name": field.name}
        digest, size = hashlib.sha256(), 0
        with field.open("rb") as source, self.archive.open(path, "w", force_zip64=True) as out:
            for chunk in iter(lambda: source.read(CHUNK), b""):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        self.manifest.append((path, size, digest.hexdigest()))
        return {"file": path, "file_sha256": digest.hexdigest(), "file_size": size}

    def write_log(self) -> None:
        labels = dict(Provider._meta.get_field("state").flatchoices)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([
            _("Time"), _("By"), _("From state code"), _("From state"), _("To state code"),
            _("To state"), _("Transition"), _("Comment"),
        ])
        logs = StateLog.objects.for_(self.provider).select_related("by").order_by(
            "timestamp", "pk")
        for log in logs.iterator():
            writer.writerow([
                timezone.localtime(log.timestamp, ARCHIVE_TIME_ZONE).strftime(
                    "%Y-%m-%d %H:%M:%S"),
                _username(log.by) or "",
                log.source_state or "",
                str(labels.get(log.source_state, log.source_state or "")),
                log.state,
                str(labels.get(log.state, log.state)),
                log.transition,
                log.description or "",
            ])
        self.write_bytes("log.csv", buffer.getvalue().encode("utf-8-sig"))

    # --- entry.json ---------------------------------------------------------

    def entry(self) -> dict:
        p = self.provider
        return {
            "format": FORMAT,
            "exported_at": _when(timezone.now()),
            "include_identity": self.include_identity,
            "provider": {
                "id": p.pk,
                "kind": p.kind,
                "kind_display": str(p.get_kind_display()),
                "name": p.name,
                "credit_code": p.credit_code,
                "legal_representative": p.legal_representative,
                "contact_name": p.contact_name,
                "contact_phone": p.contact_phone,
                "contact_email": p.contact_email,
                "address": p.address,
                "service_area": [
                    f"{t.district} {t.name}" for t in p.service_area.order_by("district", "name")
                ],
                "description": p.description,
                "state": p.state,
                "state_display": str(p.get_state_display()),
                "listed_on": p.listed_on,
                "account": _username(p.owner),
                "created_at": _when(p.created_at),
                "updated_at": _when(p.updated_at),
            },
            "people": [self.person(person) for person in p.people.order_by("pk")],
            "credentials": [
                self.credential(c) for c in p.credentials.select_related(
                    "person", "reviewed_by").order_by("person_id", "type", "pk")
            ],
            "offerings": [self.offering(o) for o in p.offerings.order_by("pk")],
            "background_checks": self.checks(),
            "contracts": [
                self.contract(c) for c in p.contracts.select_related("booking__school")
                .prefetch_related("signatures__signer").order_by("created_at", "pk")
            ],
            "exit_cases": [
                self.exit_case(e) for e in p.exit_cases.select_related(
                    "opened_by", "decided_by").order_by("created_at", "pk")
            ],
            "missing_files": self.missing,
        }

    def person(self, person) -> dict:
        identity = (
            {"id_number": person.id_number} if self.include_identity
            else {"id_number_masked": person.id_number_masked}
        )
        return {
            "id": person.pk,
            "full_name": person.full_name,
            **identity,
            "phone": person.phone,
            "role_title": person.role_title,
            "subject": person.subject,
            "is_principal": person.is_principal,
            "barred": person.barred,
            "created_at": _when(person.created_at),
            "removed_at": _when(person.removed_at),
        }

    def credential(self, c) -> dict:
        folder = _person_folder(c.person) if c.person_id else "provider"
        path = f"credentials/{folder}/{c.type}-{c.pk}{_ext(c.file.name)}"
        copied = self.copy_file(c.file, path)
        return {
            "id": c.pk,
            "person_id": c.person_id,
            "person": c.person.full_name if c.person_id else None,
            "type": c.type,
            "type_display": str(c.get_type_display()),
            "number": c.number,
            "issuer": c.issuer,
            "issued_on": c.issued_on,
            "expires_on": c.expires_on,
            "verification": c.verification,
            "verification_display": str(c.get_verification_display()),
            "reviewed_by": _username(c.reviewed_by),
            "reviewed_at": _when(c.reviewed_at),
            "review_note": c.review_note,
            "replaced_at": _when(c.replaced_at),
            "original_filename": c.original_filename,
            "uploaded_sha256": c.sha256,
            **copied,
            "file_intact": copied.get("file_sha256") == c.sha256 if c.sha256 else None,
        }

    def offering(self, o) -> dict:
        return {
            "id": o.pk,
            "title": o.title,
            "category": o.category,
            "category_display": str(o.get_category_display()),
            "resource_type": o.resource_type,
            "delivery": o.delivery,
            "delivery_display": str(o.get_delivery_display()),
            "grade_from": o.grade_from,
            "grade_to": o.grade_to,
            "session_minutes": o.session_minutes,
            "capacity": o.capacity,
            "price_per_session": o.price_per_session,
            "price_per_student_term": o.price_per_student_term,
            "outline": o.outline,
            "safety_measures": o.safety_measures,
            "materials": o.materials,
            "review": o.review,
            "review_note": o.review_note,
            "created_at": _when(o.created_at),
            "withdrawn_at": _when(o.withdrawn_at),
        }

    def checks(self) -> list[dict]:
        checks = BackgroundCheck.objects.filter(person__provider=self.provider).select_related(
            "person", "officer").order_by("person_id", "created_at", "pk")
        rows = []
        for check in checks:
            row = {
                "id": check.pk,
                "person_id": check.person_id,
                "person": check.person.full_name,
                "state": check.state,
                "checked_on": check.checked_on,
                "valid_until": check.valid_until,
                "created_at": _when(check.created_at),
            }
            if self.include_identity:
                path = (f"checks/{_person_folder(check.person)}/check-{check.pk}"
                        f"{_ext(check.result_file.name)}")
                row.update({
                    "adapter": check.adapter,
                    "criminal_record": check.criminal_record,
                    "health": check.health,
                    "character": check.character,
                    "reference": check.reference,
                    "officer": _username(check.officer),
                    "note": check.note,
                    **self.copy_file(check.result_file, path),
                })
            rows.append(row)
        return rows

    def contract(self, c) -> dict:
        stem = f"agreements/{c.kind}-{c.pk}"
        copied = self.copy_file(c.pdf, f"{stem}.pdf")
        signatures = list(c.signatures.all())
        if signatures:
            self.write_bytes(f"{stem}-signatures.pdf", signature_record_pdf(c))
        return {
            "id": c.pk,
            "number": agreement_number(c),
            "kind": c.kind,
            "booking_id": c.booking_id,
            "school": c.booking.school.name if c.booking_id else None,
            "period_start": c.period_start,
            "period_end": c.period_end,
            "pdf_sha256": c.pdf_sha256,
            **copied,
            "signature_record": f"{stem}-signatures.pdf" if signatures else None,
            "created_at": _when(c.created_at),
            "signatures": [
                {
                    "party": s.party,
                    "typed_name": s.typed_name,
                    "account": _username(s.signer),
                    "consent": s.consent,
                    "signed_at": _when(s.signed_at),
                    "ip_address": s.ip_address,
                    "pdf_sha256": s.pdf_sha256,
                    "matches_pdf": s.pdf_sha256 == c.pdf_sha256,
                }
                for s in sorted(signatures, key=lambda s: (s.signed_at, s.pk))
            ],
        }

    def exit_case(self, e) -> dict:
        path = f"exit-cases/exit-case-{e.pk}{_ext(e.evidence_file.name)}"
        return {
            "id": e.pk,
            "state": e.state,
            "trigger": e.trigger,
            "reasons": e.reasons,
            "evidence": e.evidence,
            **self.copy_file(e.evidence_file, path),
            "opened_by": _username(e.opened_by),
            "decided_by": _username(e.decided_by),
            "decided_at": _when(e.decided_at),
            "decision_note": e.decision_note,
            "reapply_allowed_from": e.reapply_allowed_from,
            "created_at": _when(e.created_at),
        }

    # --- README.txt ---------------------------------------------------------

    def readme(self, entry: dict) -> str:
        p = self.provider
        lines = [
            _("Archive of a provider entry"),
            "=" * 40,
            f"{_('Provider')}: {p.name}",
            f"{_('Unified social credit code')}: {p.credit_code or '—'}",
            f"{_('State')}: {p.get_state_display()}",
            f"{_('Exported at')}: {entry['exported_at']}",
            f"{_('Identity numbers and check results included')}: "
            f"{_('yes') if self.include_identity else _('no')}",
            "",
            _("Contents"),
            "-" * 40,
            "README.txt  " + _("this index"),
            "entry.json  " + _("details of the entry, people, credentials, offerings, "
                               "checks, agreements, signatures and exit cases"),
            "log.csv     " + _("transition log (UTF-8 with BOM)"),
            "credentials/  " + _("credential files"),
            *(["checks/       " + _("background-check result files")]
              if self.include_identity else []),
            "agreements/   " + _("agreement PDFs and electronic signature records"),
            "exit-cases/   " + _("evidence files of exit cases"),
            "",
            _("Files (size in bytes, SHA-256)"),
            "-" * 40,
            *(f"{path}\t{size}\t{digest}" for path, size, digest in sorted(self.manifest)),
        ]
        if self.missing:
            lines += ["", _("Files missing from storage"), "-" * 40, *self.missing]
        return "\r\n".join(lines) + "\r\n"
