"""Vendor portal (服务提供方工作台): the vendor's entries, the guided application (one page
per step), its status and timeline, and signing the admission agreement.

Every write goes through ``marketplace.admission.services`` or ``workflows.transitions.run``. Each
may refuse with ``TransitionRefused``: the page is then rendered again (status 200) with
the refusal as an error and the bound form, so nothing the vendor typed is lost. Only a
successful write redirects.

An entry's pages are for its owner only: anyone else gets 404, so entry numbers reveal
nothing.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_fsm import ConcurrentTransition

from marketplace.admission import credentials as credential_rules
from marketplace.admission import services
from marketplace.admission.forms import (
    ApplyForm,
    CredentialForm,
    OfferingForm,
    PersonForm,
    ProviderDetailsForm,
    SignForm,
    SubmitForm,
)
from marketplace.choices import CredentialType, SignatureParty, VerificationState
from marketplace.models import Credential, Offering, Person, Provider
from marketplace.roles import Role
from marketplace.views.access import role_required
from media.errors import StorageUnavailable
from workflows import transitions
from workflows.admission import EDITABLE_BY_VENDOR, AdmissionState
from workflows.models import Reason
from workflows.transitions import StaleEntry, TransitionRefused

S = AdmissionState
V = VerificationState

#: Timeline labels: the admission transitions (workflows/admission.py) and the item
#: actions that ``marketplace.admission.services`` records.
ACTION_LABELS = {
    # transitions
    "submit": gettext_lazy("Application submitted"),
    "start_review": gettext_lazy("Qualification review started"),
    "request_changes": gettext_lazy("Sent back for changes"),
    "resubmit": gettext_lazy("Application resubmitted"),
    "approve_qualification": gettext_lazy("Qualifications approved"),
    "confirm_checks": gettext_lazy("Background checks confirmed"),
    "approve_listing": gettext_lazy("Listed on the public catalogue"),
    "reject": gettext_lazy("Application rejected"),
    "suspend": gettext_lazy("Suspended"),
    "reinstate": gettext_lazy("Reinstated"),
    "exit": gettext_lazy("Exited from the list"),
    # item actions
    "created": gettext_lazy("Application started"),
    "details_saved": gettext_lazy("Details saved"),
    "person_saved": gettext_lazy("Person saved"),
    "offering_saved": gettext_lazy("Offering saved"),
    "credential_uploaded": gettext_lazy("Document uploaded"),
    "person_removed": gettext_lazy("Person removed"),
    "offering_withdrawn": gettext_lazy("Offering withdrawn"),
    "item_verified": gettext_lazy("Item verified"),
    "item_refused": gettext_lazy("Item refused"),
    "check_requested": gettext_lazy("Background check requested"),
    "check_results_recorded": gettext_lazy("Background check results recorded"),
    "person_cleared": gettext_lazy("Background check passed"),
    "person_barred": gettext_lazy("Barred from entering schools"),
    "signed_vendor": gettext_lazy("Agreement signed by the provider"),
    "signed_bureau": gettext_lazy("Agreement countersigned by the education bureau"),
    "expiry_warning": gettext_lazy("A document expires soon"),
    "reapplication_allowed": gettext_lazy("Re-application allowed"),
}

#: For each state: who acts next, and what happens, in plain language.
NEXT_STEPS = {
    S.DRAFT: (gettext_lazy("You"), gettext_lazy(
        "Complete the steps and submit the application. Nothing reaches the education "
        "bureau before you submit.")),
    S.SUBMITTED: (gettext_lazy("Education bureau"), gettext_lazy(
        "Your application is waiting for a reviewer of the education bureau. You cannot "
        "change it meanwhile; the result will appear on this page.")),
    S.QUALIFICATION_REVIEW: (gettext_lazy("Education bureau"), gettext_lazy(
        "A reviewer is checking your documents and the content of your offerings. If "
        "something must change, the application comes back to you with the reviewer's "
        "notes.")),
    S.CHANGES_REQUESTED: (gettext_lazy("You"), gettext_lazy(
        "The education bureau asks you to change the items listed below. Correct them, "
        "upload new documents where needed, then resubmit.")),
    S.BACKGROUND_CHECK: (gettext_lazy("Education bureau"), gettext_lazy(
        "Your qualifications are approved. The bureau's check officers are now checking "
        "the illegal records, health and character of everyone who will enter schools. "
        "Anyone who does not pass must be removed from the entry.")),
    S.CONTRACT: (gettext_lazy("You"), gettext_lazy(
        "Everyone has passed the checks. Sign the admission agreement; the education "
        "bureau then countersigns it and puts you on the public list.")),
    S.LISTED: (gettext_lazy("Schools"), gettext_lazy(
        "You are on the public list of approved providers: schools can find and book your "
        "offerings.")),
    S.SUSPENDED: (gettext_lazy("Education bureau"), gettext_lazy(
        "Your entry is suspended and schools cannot book it. See the reason below and "
        "contact the education bureau about reinstatement.")),
    S.EXITED: (gettext_lazy("Nobody"), gettext_lazy(
        "Your entry has left the list. You may apply again after the waiting period set "
        "by the education bureau.")),
    S.REJECTED: (gettext_lazy("Nobody"), gettext_lazy(
        "Your application was rejected for the reason shown below. You may start a new "
        "application once the reason no longer applies.")),
}

STEPS = [
    ("details", gettext_lazy("Details"), "vendor:entry"),
    ("credentials", pgettext_lazy("vendor application step", "Documents"), "vendor:credentials"),
    ("people", gettext_lazy("People"), "vendor:people"),
    ("offerings", gettext_lazy("Offerings"), "vendor:offerings"),
    ("review", gettext_lazy("Review and submit"), "vendor:review"),
]

AGREEMENT_STATES = frozenset({S.CONTRACT, S.LISTED, S.SUSPENDED, S.EXITED})

#: The transition whose reason and comment explain each state to the vendor.
DECIDING_ACTIONS = {
    S.CHANGES_REQUESTED: "request_changes", S.REJECTED: "reject", S.SUSPENDED: "suspend",
    S.EXITED: "exit",
}

# Upload forms post to "#upload" so that a refusal opens at the form; after a successful
# upload this fragment replaces it, so the page opens where the success message is.
UPLOADED_ANCHOR = "#main"


# --- helpers ---------------------------------------------------------------------------------
def _entry(request, pk) -> Provider:
    """The user's own entry; 404 for anyone else's."""
    return get_object_or_404(Provider, pk=pk, owner=request.user)


def _attempt(request, action, *args, form=None, **kwargs):
    """Run a service call. Returns ``(True, result)``, or ``(False, None)`` after showing
    why it was refused (on ``form`` when it names a field)."""
    try:
        return True, action(*args, **kwargs)
    except ConcurrentTransition:
        messages.error(request, str(StaleEntry()))
    except TransitionRefused as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        if form is None:
            messages.error(request, " ".join(exc.messages))
        else:
            _add_errors(form, exc)
    except StorageUnavailable as exc:
        # The write was rolled back; the form is shown again as typed (only a file must be
        # chosen again: browsers never refill a file input).
        if form is None:
            messages.error(request, str(exc.message))
        else:
            form.add_error(None, str(exc.message))
    return False, None


def _add_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _credential_row(type_, credential):
    """One line of a checklist: a required type and the document held for it."""
    if credential is None:
        status = "missing"
    elif credential.verification == V.REFUSED:
        status = "refused"
    elif credential.is_expired():
        status = "expired"
    else:
        status = credential.verification
    return {"type": type_, "label": dict(CredentialType.choices)[type_],
            "credential": credential, "status": status}


def _checklist(required, held):
    """Rows for every required type, then any other document held."""
    by_type = {c.type: c for c in held}
    rows = [_credential_row(t, by_type.get(t)) for t in required]
    extra = [_credential_row(c.type, c) for c in held if c.type not in required]
    return rows, extra


def _org_credentials(provider):
    return list(provider.active_credentials().filter(person__isnull=True)
                .select_related("person").order_by("type", "-created_at"))


def _people(provider):
    """Active people, each with ``checklist`` rows for their own documents."""
    active = Credential.objects.filter(replaced_at__isnull=True).order_by("type")
    people = list(provider.active_people().prefetch_related(
        Prefetch("credentials", queryset=active, to_attr="active_credentials")))
    for person in people:
        person.checklist, person.other_documents = _checklist(
            credential_rules.REQUIRED_FOR_PERSON, person.active_credentials)
        person.needs_attention = person.barred or any(
            row["status"] in {"missing", "refused", "expired"} for row in person.checklist)
    return people


def _step_marks(provider) -> dict[str, str]:
    """For the step navigation: "done", "todo" or "attention" (something was refused)."""
    org = _org_credentials(provider)
    org_rows, _extra = _checklist(provider.required_credential_types(), org)
    people = _people(provider)
    offerings = list(provider.active_offerings())
    details_done = bool(provider.contact_phone and provider.contact_email
                        and (provider.credit_code or not provider.is_organisation))
    marks = {
        "details": "done" if details_done else "todo",
        "credentials": "done" if all(r["status"] in {V.PENDING, V.VERIFIED}
                                     for r in org_rows) else "todo",
        "people": "done" if people and not any(p.needs_attention for p in people) else "todo",
        "offerings": "done" if offerings and all(o.review != V.REFUSED
                                                 for o in offerings) else "todo",
        "review": "done" if provider.state not in EDITABLE_BY_VENDOR else "todo",
    }
    if any(r["status"] == "refused" for r in org_rows) or any(
            c.verification == V.REFUSED for c in org):
        marks["credentials"] = "attention"
    if any(p.barred or any(r["status"] == "refused" for r in p.checklist) for p in people):
        marks["people"] = "attention"
    if any(o.review == V.REFUSED for o in offerings):
        marks["offerings"] = "attention"
    return marks


def _render_step(request, provider, step, template, context=None, status=200):
    if request.method == "POST":
        # A refused write may have been refused because the entry moved on: show it as
        # it is now.
        provider = Provider.objects.get(pk=provider.pk)
    editable = provider.state in EDITABLE_BY_VENDOR
    marks = _step_marks(provider)
    steps = [{"key": key, "label": label, "url_name": url_name, "mark": marks.get(key),
              "number": number}
             for number, (key, label, url_name) in enumerate(STEPS, start=1)]
    agreement = provider.admission_agreement()
    base = {
        "provider": provider, "step": step, "steps": steps, "editable": editable,
        "show_agreement": provider.state in AGREEMENT_STATES or agreement is not None,
        "agreement": agreement,
    }
    base.update(context or {})
    return render(request, template, base, status=status)


def _success_redirect(request, message, url_name, *args, anchor=""):
    messages.success(request, message)
    return redirect(reverse(url_name, args=args) + anchor)


# --- home and new applications ----------------------------------------------------------
@role_required(Role.VENDOR)
def home(request):
    active = Q(credentials__replaced_at__isnull=True)
    providers = list(
        request.user.providers.annotate(
            offering_count=Count("offerings", filter=Q(offerings__withdrawn_at__isnull=True),
                                 distinct=True),
            people_count=Count("people", filter=Q(people__removed_at__isnull=True),
                               distinct=True),
            credential_count=Count("credentials", filter=active, distinct=True),
            refused_count=Count(
                "credentials", filter=active & Q(credentials__verification=V.REFUSED),
                distinct=True,
            ),
        )
        .prefetch_related("service_area")
        .order_by("-updated_at")
    )
    for provider in providers:
        provider.editable = provider.state in EDITABLE_BY_VENDOR
        provider.next_actor, provider.next_step = NEXT_STEPS.get(provider.state, ("", ""))
    return render(request, "marketplace/vendor/home.html", {"providers": providers})


@role_required(Role.VENDOR)
@require_http_methods(["GET", "POST"])
def apply(request):
    form = ApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, provider = _attempt(request, services.start_application, owner=request.user,
                                kind=form.cleaned_data["kind"], name=form.cleaned_data["name"])
        if ok:
            return _success_redirect(
                request, _("Your application has been started. Fill in the steps one by one; "
                           "each step is saved on its own."),
                "vendor:entry", provider.pk)
    return render(request, "marketplace/vendor/apply.html",
                  {"form": form, "kinds": ApplyForm.kinds()})


# --- step 1: details ------------------------------------------------------------------------
@role_required(Role.VENDOR)
@require_http_methods(["GET", "POST"])
def details(request, pk):
    provider = _entry(request, pk)
    # The form edits its own copy: an invalid name typed into it must not show up in the
    # page's heading.
    form = ProviderDetailsForm(request.POST or None, instance=_entry(request, pk))
    if request.method == "POST" and form.is_valid():
        ok, _obj = _attempt(request, services.save_vendor_form, form, provider=provider,
                            by=request.user, form=form)
        if ok:
            return _success_redirect(request, _("The details have been saved."),
                                     "vendor:entry", provider.pk)
    return _render_step(request, provider, "details", "marketplace/vendor/details.html",
                        {"form": form})


# --- step 2: the entry's documents --------------------------------------------------------
@role_required(Role.VENDOR)
@require_http_methods(["GET", "POST"])
def credentials(request, pk):
    provider = _entry(request, pk)
    if request.method == "POST":
        form = CredentialForm(request.POST, request.FILES)
        if form.is_valid():
            ok, credential = _attempt(request, services.add_credential, provider=provider,
                                      by=request.user, form=form, **form.service_kwargs())
            if ok:
                return _success_redirect(
                    request, _("“%(document)s” has been uploaded and waits for review.")
                    % {"document": credential.label}, "vendor:credentials", provider.pk,
                    anchor=UPLOADED_ANCHOR)
    else:
        form = CredentialForm(initial={"type": request.GET.get("type")})
    rows, extra = _checklist(provider.required_credential_types(), _org_credentials(provider))
    return _render_step(request, provider, "credentials", "marketplace/vendor/credentials.html",
                        {"form": form, "rows": rows, "extra": extra})


# --- step 3: people --------------------------------------------------------------------------
def _person(provider, person_pk) -> Person:
    return get_object_or_404(Person, pk=person_pk, provider=provider, removed_at__isnull=True)


def _people_page(request, provider, status=200):
    # During background checks a barred person can still be removed (and must be).
    removable = provider.state in EDITABLE_BY_VENDOR | {S.BACKGROUND_CHECK}
    return _render_step(request, provider, "people", "marketplace/vendor/people.html",
                        {"people": _people(provider), "removable": removable}, status=status)


@role_required(Role.VENDOR)
def people(request, pk):
    return _people_page(request, _entry(request, pk))


@role_required(Role.VENDOR)
@require_http_methods(["GET", "POST"])
def person_form(request, pk, person_pk=None):
    provider = _entry(request, pk)
    person = _person(provider, person_pk) if person_pk else None
    form = PersonForm(request.POST or None, instance=person, provider=provider)
    if request.method == "POST" and form.is_valid():
        ok, saved = _attempt(request, services.save_vendor_form, form, provider=provider,
                             by=request.user, form=form)
        if ok:
            if form.restored:
                message = _("%(name)s was removed earlier and is back on the entry, with "
                            "their documents.") % {"name": saved.full_name}
            else:
                message = _("%(name)s has been saved.") % {"name": saved.full_name}
            if person is None and not form.restored:
                # A new person needs their own documents next.
                return _success_redirect(request, message, "vendor:person_credentials",
                                         provider.pk, saved.pk)
            return _success_redirect(request, message, "vendor:people", provider.pk)
    return _render_step(request, provider, "people", "marketplace/vendor/person_form.html",
                        {"form": form, "person": person})


@role_required(Role.VENDOR)
@require_POST
def person_remove(request, pk, person_pk):
    provider = _entry(request, pk)
    person = _person(provider, person_pk)
    ok, _result = _attempt(request, services.remove_person, person=person, by=request.user)
    if ok:
        return _success_redirect(request, _("%(name)s has been removed from the entry.")
                                 % {"name": person.full_name}, "vendor:people", provider.pk)
    return _people_page(request, provider)


@role_required(Role.VENDOR)
@require_http_methods(["GET", "POST"])
def person_credentials(request, pk, person_pk):
    provider = _entry(request, pk)
    person = _person(provider, person_pk)
    if request.method == "POST":
        form = CredentialForm(request.POST, request.FILES, person=person)
        if form.is_valid():
            ok, credential = _attempt(request, services.add_credential, provider=provider,
                                      by=request.user, form=form, **form.service_kwargs())
            if ok:
                return _success_redirect(
                    request, _("“%(document)s” has been uploaded and waits for review.")
                    % {"document": credential.label},
                    "vendor:person_credentials", provider.pk, person.pk,
                    anchor=UPLOADED_ANCHOR)
    else:
        form = CredentialForm(initial={"type": request.GET.get("type")}, person=person)
    held = list(person.credentials.filter(replaced_at__isnull=True).order_by("type"))
    rows, extra = _checklist(credential_rules.REQUIRED_FOR_PERSON, held)
    return _render_step(request, provider, "people",
                        "marketplace/vendor/person_credentials.html",
                        {"form": form, "person": person, "rows": rows, "extra": extra})


# --- step 4: offerings ----------------------------------------------------------------------
def _offering(provider, offering_pk) -> Offering:
    return get_object_or_404(Offering, pk=offering_pk, provider=provider,
                             withdrawn_at__isnull=True)


def _offerings_page(request, provider):
    offerings = provider.active_offerings().order_by("title")
    return _render_step(request, provider, "offerings", "marketplace/vendor/offerings.html",
                        {"offerings": offerings})


@role_required(Role.VENDOR)
def offerings(request, pk):
    return _offerings_page(request, _entry(request, pk))


@role_required(Role.VENDOR)
@require_http_methods(["GET", "POST"])
def offering_form(request, pk, offering_pk=None):
    provider = _entry(request, pk)
    offering = _offering(provider, offering_pk) if offering_pk else None
    form = OfferingForm(request.POST or None, instance=offering, provider=provider)
    if request.method == "POST" and form.is_valid():
        ok, saved = _attempt(request, services.save_vendor_form, form, provider=provider,
                             by=request.user, form=form)
        if ok:
            return _success_redirect(request, _("“%(title)s” has been saved.")
                                     % {"title": saved.title}, "vendor:offerings", provider.pk)
    return _render_step(request, provider, "offerings", "marketplace/vendor/offering_form.html",
                        {"form": form, "offering": offering})


@role_required(Role.VENDOR)
@require_POST
def offering_withdraw(request, pk, offering_pk):
    provider = _entry(request, pk)
    offering = _offering(provider, offering_pk)
    ok, _result = _attempt(request, services.withdraw_offering, offering=offering,
                           by=request.user)
    if ok:
        return _success_redirect(request, _("“%(title)s” has been withdrawn.")
                                 % {"title": offering.title}, "vendor:offerings", provider.pk)
    return _offerings_page(request, provider)


# --- step 5: review and submit --------------------------------------------------------------
@role_required(Role.VENDOR)
@require_http_methods(["GET", "POST"])
def review(request, pk):
    provider = _entry(request, pk)
    action = "resubmit" if provider.state == S.CHANGES_REQUESTED else "submit"
    form = SubmitForm(request.POST or None, initial={"expected_state": provider.state})
    if request.method == "POST" and form.is_valid():
        ok, _result = _attempt(
            request, transitions.run, provider, action, by=request.user,
            comment=form.cleaned_data["comment"].strip(),
            expected_state=form.cleaned_data["expected_state"],
        )
        if ok:
            return _success_redirect(
                request, _("Your application has been sent to the education bureau."),
                "vendor:status", provider.pk)
        # The next attempt is made against the state the page now shows.
        provider = Provider.objects.get(pk=provider.pk)
        form.data = form.data.copy()
        form.data["expected_state"] = provider.state
        action = "resubmit" if provider.state == S.CHANGES_REQUESTED else "submit"
    return _render_step(request, provider, "review", "marketplace/vendor/review.html", {
        "form": form, "action": action, "missing": provider.missing_requirements(),
        "refused": provider.refused_items() if provider.state == S.CHANGES_REQUESTED else [],
        "org_rows": _checklist(provider.required_credential_types(),
                               _org_credentials(provider))[0],
        "people": _people(provider), "offerings": provider.active_offerings(),
    })


# --- status and timeline ------------------------------------------------------------------
def _actor_name(entry, provider) -> str:
    """The owner by name; anyone else acting on an entry is the bureau, never named."""
    if entry.actor_id is None:
        return _("System")
    if entry.actor_id == provider.owner_id:
        return entry.actor.get_full_name() or entry.actor.get_username()
    return _("Education bureau")


def _timeline_rows(provider):
    reasons = dict(Reason.choices)
    rows = []
    for entry in transitions.timeline(provider, staff=False):
        rows.append({
            "at": entry.created_at, "actor": _actor_name(entry, provider),
            "by_bureau": entry.actor_id is not None and entry.actor_id != provider.owner_id,
            "action": entry.action, "label": ACTION_LABELS.get(entry.action, entry.action),
            "item": entry.item, "reason": reasons.get(entry.reason, ""),
            "comment": entry.comment,
            # internal_note is for bureau staff only and never leaves this function.
        })
    return rows


@role_required(Role.VENDOR)
def status(request, pk):
    provider = _entry(request, pk)
    rows = _timeline_rows(provider)
    # The bureau's decision that put the entry in its current state, with its reason.
    deciding = DECIDING_ACTIONS.get(provider.state)
    decision = next((r for r in reversed(rows) if r["action"] == deciding), None)
    refused_credentials = (
        provider.active_credentials().filter(verification=V.REFUSED)
        .filter(Q(person__isnull=True) | Q(person__removed_at__isnull=True))
        .select_related("person"))
    refused_offerings = provider.active_offerings().filter(review=V.REFUSED)
    barred = provider.active_people().filter(barred=True)
    actor, explanation = NEXT_STEPS.get(provider.state, ("", ""))
    agreement = provider.admission_agreement()
    return _render_step(request, provider, "status", "marketplace/vendor/status.html", {
        "timeline": list(reversed(rows)), "decision": decision,
        "refused_credentials": refused_credentials, "refused_offerings": refused_offerings,
        "barred": barred, "next_actor": actor, "explanation": explanation,
        "vendor_signed": bool(agreement and agreement.signed_by(SignatureParty.VENDOR)),
    })


# --- the admission agreement --------------------------------------------------------------
@role_required(Role.VENDOR)
@require_http_methods(["GET", "POST"])
def sign(request, pk):
    provider = _entry(request, pk)
    contract = provider.admission_agreement()
    vendor_signature = contract.signed_by(SignatureParty.VENDOR) if contract else None
    can_sign = (provider.state == S.CONTRACT and contract is not None and bool(contract.pdf)
                and vendor_signature is None)
    # The name is typed by the signer, never filled in for them.
    form = SignForm(request.POST or None)
    if request.method == "POST" and contract is not None and form.is_valid():
        ok, _signature = _attempt(
            request, services.sign_agreement, contract, by=request.user,
            party=SignatureParty.VENDOR, typed_name=form.cleaned_data["typed_name"],
            consent=form.cleaned_data["consent"], ip_address=request.META.get("REMOTE_ADDR"),
        )
        if ok:
            return _success_redirect(
                request, _("You have signed the admission agreement. The education bureau "
                           "will countersign it."), "vendor:sign", provider.pk)
    return _render_step(request, provider, "sign", "marketplace/vendor/sign.html", {
        "contract": contract, "form": form, "can_sign": can_sign,
        "before_agreement": contract is None and provider.state not in AGREEMENT_STATES,
        "vendor_signature": vendor_signature,
        "bureau_signature": contract.signed_by(SignatureParty.BUREAU) if contract else None,
    })
