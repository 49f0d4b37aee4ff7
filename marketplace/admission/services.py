"""Writes that span several rows: the vendor's application, the bureau's item decisions,
background checks and signatures. Each checks permission, locks the entry, keeps the
timeline and refuses with ``workflows.transitions.TransitionRefused``.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.choices import (
    CheckAdapter,
    SignatureParty,
    VerificationState,
)
from marketplace.models import (
    BackgroundCheck,
    Contract,
    Credential,
    Offering,
    Person,
    Provider,
    Signature,
)
from media.storage import sha256_of
from workflows import outbox, policy, transitions
from workflows.admission import EDITABLE_BY_VENDOR, AdmissionState
from workflows.transitions import TransitionRefused, lock_entry, record

S = AdmissionState


def _forbidden():
    return TransitionRefused(_("You are not allowed to take this action on this entry."),
                             code="forbidden")


def _require_owner(provider, user):
    if provider.owner_id != getattr(user, "pk", None):
        raise _forbidden()


# --- the vendor's application ------------------------------------------------------------
def reapply_barred_until(*, owner, credit_code: str = "") -> dt.date | None:
    """The day until which ``owner`` (or the organisation with ``credit_code``) may not
    apply again after an exit, unless a manager allowed it; None when free to apply."""
    from django.db.models import Q
    from django_fsm_log.models import StateLog

    exited = Provider.objects.filter(state=S.EXITED, reapply_allowed_by__isnull=True).filter(
        Q(owner=owner) | (Q(credit_code=credit_code) if credit_code else Q(pk__in=[])))
    logs = StateLog.objects.filter(
        content_type__app_label="marketplace", content_type__model="provider",
        object_id__in=exited.values("pk"), state=S.EXITED)
    last_exit = logs.order_by("-timestamp").values_list("timestamp", flat=True).first()
    if last_exit is None:
        return None
    until = policy.add_months(timezone.localdate(last_exit),
                              policy.value("REAPPLY_BAR_MONTHS"))
    return until if until > timezone.localdate() else None


def start_application(*, owner, kind: str, name: str) -> Provider:
    barred_until = reapply_barred_until(owner=owner)
    if barred_until:
        raise TransitionRefused(
            _("After leaving the list you may apply again from %(date)s, unless the "
              "education bureau allows it earlier.") % {"date": barred_until.isoformat()},
            code="reapply_barred")
    provider = Provider(kind=kind, name=name, owner=owner, contact_name=name,
                        contact_email=owner.email, contact_phone=owner.phone or "")
    provider.save()
    record(provider, "created", by=owner)
    return provider


def save_vendor_form(form, *, provider, by, allowed_states=EDITABLE_BY_VENDOR,
                     reset_review: bool = True):
    """Save a vendor's form for one item of ``provider`` (details, person, offering).

    Editing a reviewed offering sends it back to review."""
    _require_owner(provider, by)
    with transaction.atomic():
        lock_entry(provider, allowed_states=allowed_states)
        obj = form.save(commit=False)
        if isinstance(obj, Offering) and reset_review and obj.pk:
            obj.review = VerificationState.PENDING
        if hasattr(obj, "provider_id") and not isinstance(obj, Provider):
            obj.provider = provider
        try:
            with transaction.atomic():
                obj.save()
        except IntegrityError:
            # The form's uniqueness checks ran before the row lock: another request saved
            # the same person in between. Check again under the lock for the model's message.
            obj.validate_constraints()
            raise
        form.save_m2m()
        action = "details_saved" if isinstance(obj, Provider) else f"{obj._meta.model_name}_saved"
        record(provider, action, by=by, item=str(obj))
    return obj


def add_credential(*, provider, by, type: str, file, person: Person | None = None,
                   number: str = "", issuer: str = "", issued_on=None, expires_on=None,
                   content_type: str = "") -> Credential:
    """Upload a credential; an earlier one of the same type (and person) is kept in the
    archive as replaced, and the new one waits for review."""
    _require_owner(provider, by)
    if person is not None and person.provider_id != provider.pk:
        raise _forbidden()
    with transaction.atomic():
        lock_entry(provider, allowed_states=EDITABLE_BY_VENDOR)
        credential = Credential(
            provider=provider, person=person, type=type, number=number, issuer=issuer,
            issued_on=issued_on, expires_on=expires_on,
            original_filename=getattr(file, "name", "")[:255], sha256=sha256_of(file),
        )
        credential.full_clean(exclude=["file"])
        credential.file.save(file.name, file, save=False)
        credential.save()
        Credential.objects.filter(
            provider=provider, person=person, type=type, replaced_at__isnull=True
        ).exclude(pk=credential.pk).update(replaced_at=timezone.now())
        record(provider, "credential_uploaded", by=by, item=credential.label)
    return credential


def remove_person(*, person: Person, by) -> None:
    """Take a person off the entry (kept in the archive). Allowed while the vendor edits,
    and during background checks so a barred person can be removed."""
    provider = person.provider
    _require_owner(provider, by)
    with transaction.atomic():
        locked = lock_entry(provider, allowed_states=EDITABLE_BY_VENDOR | {S.BACKGROUND_CHECK})
        if locked.state == S.BACKGROUND_CHECK and not Person.objects.get(pk=person.pk).barred:
            raise TransitionRefused(
                _("During the background checks only a person who did not pass may be "
                  "removed."), code="not_barred")
        Person.objects.filter(pk=person.pk).update(removed_at=timezone.now())
        record(provider, "person_removed", by=by, item=person.full_name)


def withdraw_offering(*, offering: Offering, by) -> None:
    provider = offering.provider
    _require_owner(provider, by)
    with transaction.atomic():
        lock_entry(provider, allowed_states=EDITABLE_BY_VENDOR)
        Offering.objects.filter(pk=offering.pk).update(withdrawn_at=timezone.now())
        record(provider, "offering_withdrawn", by=by, item=offering.title)


def allow_reapplication(provider: Provider, *, by, comment: str = "") -> None:
    """A manager lifts the waiting period after an exit."""
    if not by.has_perm("marketplace.list_provider"):
        raise _forbidden()
    with transaction.atomic():
        lock_entry(provider, allowed_states={S.EXITED})
        Provider.objects.filter(pk=provider.pk).update(reapply_allowed_by=by)
        record(provider, "reapplication_allowed", by=by, comment=comment)


# --- the reviewer's item decisions ---------------------------------------------------------
def review_item(item, *, by, verified: bool, note: str = "", expected_state=None):
    """Verify or refuse one credential or offering during qualification review."""
    provider = item.provider
    if not by.has_perm("marketplace.review_qualification"):
        raise _forbidden()
    if not verified and not note.strip():
        raise TransitionRefused(_("Say what the provider must change."), code="note_required")
    with transaction.atomic():
        lock_entry(provider, expected_state=expected_state,
                   allowed_states={S.QUALIFICATION_REVIEW})
        _decide_item(provider, item, by=by, verified=verified, note=note)


def verify_items(items, *, by, expected_state=None) -> None:
    """Verify several credentials and offerings of one entry at once: the checks of
    ``review_item``, one lock on the entry, one timeline entry per item."""
    items = list(items)
    if not by.has_perm("marketplace.review_qualification"):
        raise _forbidden()
    if not items:
        raise TransitionRefused(_("Select the items to verify."), code="nothing_selected")
    provider = items[0].provider
    if any(item.provider_id != provider.pk for item in items):
        raise _forbidden()
    with transaction.atomic():
        lock_entry(provider, expected_state=expected_state,
                   allowed_states={S.QUALIFICATION_REVIEW})
        for item in items:
            _decide_item(provider, item, by=by, verified=True)


def _decide_item(provider, item, *, by, verified: bool, note: str = "") -> None:
    """Record the verdict on one item of the locked ``provider`` and log it."""
    verdict = VerificationState.VERIFIED if verified else VerificationState.REFUSED
    if isinstance(item, Credential):
        Credential.objects.filter(pk=item.pk).update(
            verification=verdict, review_note=note, reviewed_by=by,
            reviewed_at=timezone.now())
        label = item.label
    else:
        Offering.objects.filter(pk=item.pk).update(review=verdict, review_note=note)
        label = item.title
    record(provider, "item_verified" if verified else "item_refused", by=by, item=label,
           comment=note)


# --- background checks ----------------------------------------------------------------------
# Checks happen during admission, and again for listed or suspended entries (renewal).
CHECK_STATES = frozenset({S.BACKGROUND_CHECK, S.LISTED, S.SUSPENDED})

def _require_check_officer(user):
    if not user.has_perm("marketplace.record_background_check"):
        raise _forbidden()


def request_check(*, person: Person, by, adapter: str = CheckAdapter.MANUAL) -> BackgroundCheck:
    _require_check_officer(by)
    provider = person.provider
    with transaction.atomic():
        lock_entry(provider, allowed_states=CHECK_STATES)
        check = BackgroundCheck.objects.create(person=person, adapter=adapter, officer=by)
        record(provider, "check_requested", by=by, item=person.full_name, staff_only=True)
    if adapter == CheckAdapter.SIMULATED:
        from marketplace.tasks import run_simulated_check

        outbox.schedule(run_simulated_check, check.pk, by.pk, key=f"check:{check.pk}:simulate")
    return check


def record_check_results(check: BackgroundCheck, *, by, criminal_record: str, health: str,
                         character: str, checked_on: dt.date, reference: str = "",
                         result_file=None, note: str = "") -> BackgroundCheck:
    _require_check_officer(by)
    provider = check.person.provider
    with transaction.atomic():
        lock_entry(provider, allowed_states=CHECK_STATES)
        check = BackgroundCheck.objects.select_for_update().get(pk=check.pk)
        if check.state != "requested":
            raise TransitionRefused(_("This check has already been decided."), code="decided")
        check.criminal_record, check.health, check.character = criminal_record, health, character
        check.checked_on, check.reference, check.note = checked_on, reference, note
        check.full_clean(exclude=["result_file", "person", "officer"])
        if result_file is not None:
            check.result_file.save(result_file.name, result_file, save=False)
        check.save()
        record(provider, "check_results_recorded", by=by, item=check.person.full_name,
               staff_only=True)
    return check


def decide_check(check: BackgroundCheck, *, by, clear: bool, comment: str = "") -> None:
    """Clear or flag a check; a flagged person is barred from schools."""
    name = "clear" if clear else "flag"
    provider = check.person.provider
    with transaction.atomic():
        lock_entry(provider, allowed_states=CHECK_STATES)
        transitions.run(check, name, by=by, comment=comment)
        if not clear:
            Person.objects.filter(pk=check.person_id).update(barred=True)
        record(provider, "person_cleared" if clear else "person_barred", by=by,
               item=check.person.full_name)


# --- signatures ---------------------------------------------------------------------------------
def sign_agreement(contract: Contract, *, by, party: str, typed_name: str, consent: bool,
                   ip_address: str) -> Signature:
    """Sign the exact PDF of ``contract``: who, when, from where, and its SHA-256."""
    provider = contract.provider
    if party == SignatureParty.VENDOR:
        _require_owner(provider, by)
    elif party == SignatureParty.BUREAU:
        if not by.has_perm("marketplace.countersign_agreement"):
            raise _forbidden()
    else:
        raise _forbidden()
    if not consent:
        raise TransitionRefused(_("Tick the box to confirm you agree to the agreement."),
                                code="consent_required")
    if not typed_name.strip():
        raise TransitionRefused(_("Type your full name to sign."), code="name_required")
    with transaction.atomic():
        lock_entry(provider, allowed_states={S.CONTRACT})
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        if not contract.pdf:
            raise TransitionRefused(_("The agreement is still being prepared. Try again in a "
                                      "moment."), code="not_ready")
        if party == SignatureParty.BUREAU and not contract.signed_by(SignatureParty.VENDOR):
            raise TransitionRefused(_("The provider has not signed yet."), code="order")
        if contract.signed_by(party):
            raise TransitionRefused(_("This agreement is already signed for this party."),
                                    code="already_signed")
        with contract.pdf.open("rb") as pdf:
            digest = sha256_of(pdf)
        if digest != contract.pdf_sha256:
            raise TransitionRefused(_("The agreement file does not match its record. Contact "
                                      "the education bureau."), code="tampered")
        signature = Signature.objects.create(
            contract=contract, party=party, signer=by, typed_name=typed_name.strip(),
            consent=True, ip_address=ip_address, pdf_sha256=digest,
        )
        record(provider, f"signed_{party}", by=by, item=typed_name.strip())
        if party == SignatureParty.VENDOR:
            from marketplace.receivers import tell_managers_to_countersign

            # In the signature's transaction: recorded if and only if the signature is.
            tell_managers_to_countersign(provider, key=f"signature:{signature.pk}:countersign")
    return signature
