"""The bureau's back office in the Wagtail admin: the admission queues ("waiting for me")
and the entry page where reviewers, check officers and managers decide.

Views stay thin. Reads come from ``marketplace.admission.selectors``; every write goes through
``workflows.transitions.run`` or a function of ``marketplace.admission.services``, which check the
user's permission, lock the entry, refuse stale decisions and keep the timeline. A
refusal (``TransitionRefused``) becomes an error message; a form that does not validate
is shown again with what was typed and its errors.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from marketplace.admission import selectors, services
from marketplace.admission.content_review import looks_academic, price_flags
from marketplace.admission.forms import limit_long_texts
from marketplace.choices import (
    CharacterResult,
    CheckAdapter,
    CriminalRecordResult,
    HealthResult,
    SignatureParty,
)
from marketplace.collation import pinyin_key, pinyin_order
from marketplace.models import (
    NOTE_LIMIT,
    BackgroundCheck,
    Contract,
    Credential,
    Offering,
    Person,
    Provider,
)
from media.errors import StorageUnavailable
from media.validation import PrivateFileField
from workflows.admission import AdmissionState
from workflows.checks import CheckState
from workflows.models import Reason
from workflows.transitions import (
    TransitionRefused,
    available_actions,
    blocked_actions,
    run,
    timeline,
    transitions_of,
)

PAGE_SIZE = 25
#: Ids are 64-bit integers in the database.
LARGEST_ID = 2**63 - 1
S = AdmissionState
BLANK = [("", "---------")]
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png")

# Timeline labels of item-level decisions (``workflows.transitions.record``); transitions
# are labelled by their own ``custom["label"]``.
ITEM_ACTION_LABELS = {
    "created": gettext_lazy("Application started"),
    "details_saved": gettext_lazy("Details saved"),
    "person_saved": gettext_lazy("Person saved"),
    "offering_saved": gettext_lazy("Offering saved"),
    "credential_saved": gettext_lazy("Credential saved"),
    "credential_uploaded": gettext_lazy("Credential uploaded"),
    "person_removed": gettext_lazy("Person removed"),
    "offering_withdrawn": gettext_lazy("Offering withdrawn"),
    "item_verified": gettext_lazy("Item verified"),
    "item_refused": gettext_lazy("Item refused"),
    "check_requested": gettext_lazy("Background check requested"),
    "check_results_recorded": gettext_lazy("Check results recorded"),
    "person_cleared": gettext_lazy("Person cleared"),
    "person_barred": gettext_lazy("Person barred from schools"),
    "signed_vendor": gettext_lazy("Signed by the provider"),
    "signed_bureau": gettext_lazy("Countersigned by the bureau"),
    "expiry_warning": gettext_lazy("Expiry warning sent"),
    "reapplication_allowed": gettext_lazy("Re-application allowed"),
}

STATE_LABELS = dict(AdmissionState.choices)
STYLE_ORDER = {"primary": 0, "secondary": 1, "warning": 2, "danger": 3}


class Can:
    """What the current user may see and do in the back office."""

    def __init__(self, user):
        self.view = user.has_perm("marketplace.view_provider")
        self.review = user.has_perm("marketplace.review_qualification")
        self.check = user.has_perm("marketplace.record_background_check")
        self.identity = user.has_perm("marketplace.view_identity_number")
        self.manage = user.has_perm("marketplace.list_provider")
        self.countersign = user.has_perm("marketplace.countersign_agreement")
        self.export = user.has_perm("marketplace.export_dossier")
        self.view_contract = (user.has_perm("marketplace.view_contract")
                              or self.countersign)
        self.view_credential = user.has_perm("marketplace.view_credential")


# --- forms ---------------------------------------------------------------------------------
def _textarea(rows=2):
    return forms.Textarea(attrs={"rows": rows, "cols": 40})


class TransitionForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Comment"), required=False, widget=_textarea(),
        help_text=gettext_lazy("The provider sees this comment."),
    )
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), choices=BLANK + Reason.choices)
    internal_note = forms.CharField(
        label=gettext_lazy("Internal note"), required=False, widget=_textarea(),
        help_text=gettext_lazy("Only bureau staff see this note."),
    )

    def __init__(self, *args, action, **kwargs):
        kwargs.setdefault("auto_id", f"id_{action.name}_%s")
        super().__init__(*args, **kwargs)
        self.action = action
        if not action.needs_reason:
            del self.fields["reason"]
            del self.fields["internal_note"]


class RequestCheckForm(forms.Form):
    adapter = forms.ChoiceField(label=gettext_lazy("Source"), choices=CheckAdapter.choices,
                                initial=CheckAdapter.MANUAL)

    def __init__(self, *args, person, **kwargs):
        kwargs.setdefault("auto_id", f"id_person{person.pk}_%s")
        super().__init__(*args, **kwargs)


def _check_label(name):
    """A background-check field's label, as the model (and every other page) calls it."""
    return capfirst(BackgroundCheck._meta.get_field(name).verbose_name)


class CheckResultsForm(forms.Form):
    criminal_record = forms.ChoiceField(label=_check_label("criminal_record"),
                                        choices=CriminalRecordResult.choices)
    health = forms.ChoiceField(label=_check_label("health"), choices=HealthResult.choices)
    character = forms.ChoiceField(label=_check_label("character"),
                                  choices=CharacterResult.choices)
    checked_on = forms.DateField(
        label=_check_label("checked_on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reference = forms.CharField(label=_check_label("reference"), max_length=64,
                                required=False)
    result_file = PrivateFileField(
        label=_check_label("result_file"), required=False,
        help_text=gettext_lazy("PDF, JPEG or PNG."),
    )
    note = forms.CharField(label=_check_label("note"), required=False, widget=_textarea(),
                           max_length=NOTE_LIMIT)

    def __init__(self, *args, check, **kwargs):
        kwargs.setdefault("auto_id", f"id_check{check.pk}_%s")
        kwargs.setdefault("initial", {
            "criminal_record": check.criminal_record, "health": check.health,
            "character": check.character, "checked_on": check.checked_on,
            "reference": check.reference, "note": check.note,
        })
        super().__init__(*args, **kwargs)
        limit_long_texts(self)
        self.check = check
        if not check.result_file:
            self.fields["result_file"].required = True

    def clean_checked_on(self):
        day = self.cleaned_data["checked_on"]
        if day and day > timezone.localdate():
            raise ValidationError(_("The check date cannot be in the future."))
        return day


class DecideCheckForm(forms.Form):
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False,
                              widget=_textarea())

    def __init__(self, *args, check, **kwargs):
        kwargs.setdefault("auto_id", f"id_decide{check.pk}_%s")
        super().__init__(*args, **kwargs)


class CountersignForm(forms.Form):
    typed_name = forms.CharField(
        label=gettext_lazy("Your full name"), max_length=64,
        help_text=gettext_lazy("Typing your name signs the agreement for the bureau."),
    )
    consent = forms.BooleanField(
        label=gettext_lazy("I have read the agreement and sign it on behalf of the "
                           "education bureau."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_countersign_%s")
        super().__init__(*args, **kwargs)


# --- shared view plumbing ------------------------------------------------------------------
class ForbiddenView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "marketplace/admin/forbidden.html"
    page_title = gettext_lazy("Access denied")

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(), status=403)

    post = get


def forbidden(request):
    return ForbiddenView.as_view()(request)


class StaffMixin:
    """Bureau staff who may see admission entries (``marketplace.view_provider``).

    Login and ``wagtailadmin.access_admin`` are checked by Wagtail for every registered
    admin URL; writes are checked again by the service they call."""

    permission_required = "marketplace.view_provider"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission_required):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def can(self):
        return Can(self.request.user)


def _queue_url():
    return reverse("admissions:queue")


def _entry_url(pk, anchor=""):
    url = reverse("admissions:entry", args=[pk])
    return f"{url}#{anchor}" if anchor else url


# --- the queue -----------------------------------------------------------------------------
class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(label=gettext_lazy("State"), required=False,
                              choices=[("", gettext_lazy("All states"))]
                              + [c for c in AdmissionState.choices if c[0] != S.DRAFT])
    q = forms.CharField(
        label=gettext_lazy("Search"), required=False,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Name or credit code"),
                                      "type": "search"}),
    )
    sort = forms.ChoiceField(label=gettext_lazy("Sort by"), required=False,
                             choices=[("", gettext_lazy("Last changed")),
                                      ("name", gettext_lazy("Name"))])


def waiting_summary(provider) -> list[str]:
    """What the entry waits for, in a few words (from ``selectors`` annotations)."""
    items = []
    if provider.state in (S.SUBMITTED, S.QUALIFICATION_REVIEW, S.CHANGES_REQUESTED):
        unreviewed = provider.unreviewed_credentials + provider.unreviewed_offerings
        refused = provider.refused_credentials + provider.refused_offerings
        if provider.state == S.SUBMITTED:
            items.append(_("Review not started"))
        if provider.unreviewed_credentials:
            items.append(_("Credentials not yet reviewed: %(n)s")
                         % {"n": provider.unreviewed_credentials})
        if provider.unreviewed_offerings:
            items.append(_("Offerings not yet reviewed: %(n)s")
                         % {"n": provider.unreviewed_offerings})
        if refused:
            items.append(_("Refused items: %(n)s") % {"n": refused})
        if provider.state == S.QUALIFICATION_REVIEW and not unreviewed and not refused:
            items.append(_("Everything reviewed: ready to approve"))
    elif provider.state in (S.BACKGROUND_CHECK, S.LISTED, S.SUSPENDED):
        if provider.people_not_cleared:
            items.append(_("People not cleared: %(n)s") % {"n": provider.people_not_cleared})
        if provider.open_checks:
            items.append(_("Checks awaiting results: %(n)s") % {"n": provider.open_checks})
        if provider.state == S.BACKGROUND_CHECK and not provider.people_not_cleared:
            items.append(_("Everyone cleared: ready to confirm"))
    elif provider.state == S.CONTRACT:
        if not provider.vendor_signed:
            items.append(_("Waiting for the provider's signature"))
        elif not provider.bureau_signed:
            items.append(_("Waiting for the bureau's countersignature"))
        else:
            items.append(_("Signed by both sides: ready to list"))
    return items


class QueueView(StaffMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "marketplace/admin/queue.html"
    page_title = gettext_lazy("Admissions")
    header_icon = "clipboard-list"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        tab = "all" if request.GET.get("tab") == "all" else "waiting"
        filter_form = QueueFilterForm(request.GET or None)
        queue_counts = selectors.queue_counts(request.user)
        queue = request.GET.get("queue") or ""
        if queue not in {q.key for q, _n in queue_counts}:
            queue = ""
        if tab == "all":
            data = filter_form.cleaned_data if filter_form.is_valid() else {}
            entries = selectors.all_entries(state=data.get("state", ""),
                                            search=data.get("q", ""))
            if data.get("sort") == "name":
                entries = entries.order_by(pinyin_order("name"), "pk")
        else:
            entries = selectors.waiting_for(request.user, queue=queue or None)
        paginator = WagtailPaginator(entries, PAGE_SIZE)
        page = paginator.get_page(request.GET.get("p"))
        context.update({
            "tab": tab,
            "queue": queue,
            "queue_counts": queue_counts,
            "waiting_total": sum(n for _q, n in queue_counts),
            "filter_form": filter_form,
            "page_obj": page,
            "elided_page_range": paginator.get_elided_page_range(page.number),
            "rows": [{"provider": p, "waiting": waiting_summary(p)} for p in page],
            "can": self.can,
        })
        return context


# --- the entry page ------------------------------------------------------------------------
def _is_image(name: str) -> bool:
    return (name or "").lower().endswith(IMAGE_EXTENSIONS)


def _open_check(person):
    requested = [c for c in person.checks.all() if c.state == CheckState.REQUESTED]
    return max(requested, key=lambda c: (c.created_at, c.pk)) if requested else None


def _latest_decided_check(person):
    decided = [c for c in person.checks.all() if c.state != CheckState.REQUESTED]
    return max(decided, key=lambda c: (c.checked_on is not None, c.checked_on, c.created_at,
                                       c.pk)) if decided else None


class EntryView(StaffMixin, WagtailAdminTemplateMixin, TemplateView):
    """Everything about one entry and the decisions this user may take on it now."""

    template_name = "marketplace/admin/entry.html"
    header_icon = "clipboard-list"

    def dispatch(self, request, *args, **kwargs):
        # Before any permission check: a draft never submitted answers, for every user
        # and every URL of the entry, exactly as an entry that does not exist.
        if not selectors.staff_entries().filter(pk=kwargs["pk"]).exists():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        return self.render_entry()

    @cached_property
    def provider(self):
        try:
            return selectors.entry_for_staff(self.kwargs["pk"])
        except Provider.DoesNotExist as exc:
            raise Http404 from exc

    def render_entry(self, bound=None):
        """The page; ``bound`` maps form keys to bound forms to show with their errors."""
        return self.render_to_response(self.get_context_data(bound=bound or {}))

    def get_page_title(self):
        return self.provider.name

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items,
                {"url": _queue_url(), "label": QueueView.page_title},
                {"url": "", "label": self.provider.name}]

    def get_header_buttons(self):
        if not self.can.export:
            return []
        return [HeaderButton(_("Download dossier"),
                             reverse("files:dossier", args=[self.provider.pk]),
                             icon_name="download")]

    def get_context_data(self, bound=None, **kwargs):
        context = super().get_context_data(**kwargs)
        bound = bound or {}
        provider, can, user = self.provider, self.can, self.request.user

        # The transitions this user may take now (with their forms) and those whose
        # guards still fail (with why), the leading one first and the gravest last.
        decisions = [{"action": a, "form": bound.get(("transition", a.name))
                      or TransitionForm(action=a)}
                     for a in available_actions(provider, user)]
        decisions += [{"action": a, "reasons": reasons}
                      for a, reasons in blocked_actions(provider, user)]
        decisions.sort(key=lambda d: STYLE_ORDER.get(d["action"].style, 1))
        four_eyes = (can.manage and provider.state == S.CONTRACT
                     and provider.qualification_reviewer_id == user.pk)

        may_review = can.review and provider.state == S.QUALIFICATION_REVIEW
        credentials = [{
            "obj": c,
            "url": reverse("files:credential", args=[c.pk]) if c.file else "",
            "is_image": _is_image(c.original_filename or c.file.name),
            "expired": c.is_expired(),
        } for c in sorted(provider.staff_credentials, key=lambda c: (
            c.person is not None, pinyin_key(c.person.full_name if c.person else "")))]

        may_check = can.check and provider.state in (S.BACKGROUND_CHECK, S.SUSPENDED,
                                                     S.LISTED)
        people = []
        for person in sorted(provider.staff_people,
                             key=lambda p: (not p.is_principal, pinyin_key(p.full_name))):
            open_check = _open_check(person)
            row = {
                "obj": person,
                "id_number": person.id_number if can.identity else person.id_number_masked,
                "latest": _latest_decided_check(person),
                "open": open_check,
                "valid": not person.barred and any(c.is_valid() for c in person.checks.all()),
            }
            if may_check and open_check is None:
                row["request_form"] = (bound.get(("request", person.pk))
                                       or RequestCheckForm(person=person))
            if may_check and open_check is not None:
                row["results_form"] = (bound.get(("results", open_check.pk))
                                       or CheckResultsForm(check=open_check))
                row["missing"] = open_check.missing_results()
                if not row["missing"]:
                    row["decide_form"] = (bound.get(("decide", open_check.pk))
                                          or DecideCheckForm(check=open_check))
                    row["decision"] = "flag" if open_check.is_flagged else "clear"
            people.append(row)

        offerings = [{"obj": o, "academic": looks_academic(f"{o.title}\n{o.outline}"),
                      "price_flags": price_flags(o)}
                     for o in sorted(provider.staff_offerings, key=lambda o: pinyin_key(o.title))]

        contract = provider.staff_contracts[0] if provider.staff_contracts else None
        agreement = None
        if contract is not None:
            vendor_signed = contract.signed_by(SignatureParty.VENDOR)
            bureau_signed = contract.signed_by(SignatureParty.BUREAU)
            agreement = {
                "obj": contract,
                "url": (reverse("files:contract", args=[contract.pk])
                        if contract.pdf and can.view_contract else ""),
                "signatures": [{"obj": s, "current": s.pdf_sha256 == contract.pdf_sha256}
                               for s in contract.signatures.all()],
                "vendor_signed": vendor_signed,
                "bureau_signed": bureau_signed,
            }
            if (can.countersign and provider.state == S.CONTRACT and vendor_signed
                    and not bureau_signed):
                agreement["form"] = bound.get("countersign") or CountersignForm()

        context.update({
            "provider": provider,
            "can": can,
            "state_label": provider.get_state_display(),
            "service_area": ", ".join(t.name for t in provider.service_area.all()),
            "decisions": decisions,
            "four_eyes": four_eyes,
            "may_review": may_review,
            "may_check": may_check,
            "credentials": credentials,
            "people": people,
            "offerings": offerings,
            "agreement": agreement,
            "timeline": timeline_rows(provider),
            "expected_state": provider.state,
            "check_labels": {name: _check_label(name) for name in (
                "criminal_record", "health", "character", "checked_on", "reference",
                "result_file")},
        })
        return context


def timeline_rows(provider) -> list[dict]:
    labels = {name: str((named[0].custom or {}).get("label", name))
              for name, named in transitions_of(Provider).items()}
    rows = []
    for entry in timeline(provider, staff=True):
        rows.append({
            "obj": entry,
            "label": labels.get(entry.action) or ITEM_ACTION_LABELS.get(entry.action,
                                                                        entry.action),
            "source": STATE_LABELS.get(entry.source_state, entry.source_state),
            "target": STATE_LABELS.get(entry.target_state, entry.target_state),
            "reason": entry.get_reason_display() if entry.reason else "",
        })
    return rows


# --- decisions (POST) ------------------------------------------------------------------------
class EntryActionView(EntryView):
    """A POST on the entry page: on success or refusal redirect back to it; an invalid form
    re-renders it."""

    http_method_names = ["post"]
    anchor = ""

    def back(self):
        return redirect(_entry_url(self.kwargs["pk"], self.anchor))

    def invalid(self, key, form):
        """Show the page again with ``form`` as typed and its errors."""
        messages.error(self.request, _("Nothing was saved: correct the marked fields below."))
        return self.render_entry({key: form})

    def refused(self, exc: TransitionRefused):
        # Back to the top of the page, where the message is shown.
        messages.error(self.request, str(exc))
        return redirect(_entry_url(self.kwargs["pk"]))

    @property
    def expected_state(self):
        return self.request.POST.get("expected_state") or None


class TransitionView(EntryActionView):
    anchor = "actions"

    def post(self, request, pk, name):
        provider = get_object_or_404(Provider, pk=pk)
        named = transitions_of(Provider).get(name)
        if not named:
            raise Http404
        custom = named[0].custom or {}
        label = str(custom.get("label", name))
        form = TransitionForm(request.POST, action=_FormAction(name, bool(
            custom.get("needs_reason"))))
        try:
            updated = run(
                provider, name, by=request.user,
                comment=request.POST.get("comment", "").strip(),
                reason=request.POST.get("reason", ""),
                internal_note=request.POST.get("internal_note", "").strip(),
                expected_state=self.expected_state,
            )
        except TransitionRefused as exc:
            fields = {"reason_required": "reason", "comment_required": "comment",
                      "comment_too_long": "comment", "internal_note_too_long": "internal_note"}
            if exc.code in fields:
                # The user's input is incomplete or too long: show the form again as typed.
                field = fields[exc.code]
                if field in form.fields:
                    form.add_error(field, exc.message)
                messages.error(request, str(exc))
                return self.render_entry({("transition", name): form})
            return self.refused(exc)
        messages.success(request, _("“%(action)s” done. The entry is now “%(state)s”.")
                         % {"action": label, "state": updated.get_state_display()})
        return self.back()


class _FormAction:
    """The two things ``TransitionForm`` needs to know of an action."""

    def __init__(self, name, needs_reason):
        self.name, self.needs_reason = name, needs_reason


class ReviewItemView(EntryActionView):
    MODELS = {"credential": Credential, "offering": Offering}

    def post(self, request, pk, kind, item_pk):
        model = self.MODELS.get(kind)
        if model is None:
            raise Http404
        item = get_object_or_404(model.objects.select_related("provider"), pk=item_pk,
                                 provider_id=pk)
        self.anchor = f"{kind}-{item.pk}"
        verified = request.POST.get("verdict") == "verify"
        try:
            services.review_item(item, by=request.user, verified=verified,
                                 note=request.POST.get("note", "").strip(),
                                 expected_state=self.expected_state)
        except TransitionRefused as exc:
            return self.refused(exc)
        label = _item_label(item)
        if verified:
            messages.success(request, _("Verified: %(item)s.") % {"item": label})
        else:
            messages.success(request, _("Refused: %(item)s.") % {"item": label})
        return self.back()


def _item_ids(values) -> set[int] | None:
    """The ids a form posted, or ``None`` if one of them is not an id: only ASCII digits
    (``int()`` would also read full-width or other scripts' digits) up to the largest id
    the database holds."""
    ids = set()
    for value in values:
        if not (value.isascii() and value.isdigit()) or int(value) > LARGEST_ID:
            return None
        ids.add(int(value))
    return ids


def _item_label(item) -> str:
    """How the timeline and messages name a reviewed item."""
    return item.label if isinstance(item, Credential) else item.title


class VerifySelectedView(EntryActionView):
    """Verify the ticked credentials or offerings of one section of the entry page at
    once (refusing needs a note per item and stays on ``ReviewItemView``)."""

    def post(self, request, pk, kind):
        model = ReviewItemView.MODELS.get(kind)
        if model is None:
            raise Http404
        self.anchor = f"{kind}s"  # the section: "credentials" or "offerings"
        ids = _item_ids(request.POST.getlist("items"))
        if ids is None:
            raise Http404
        related = ("provider", "person") if model is Credential else ("provider",)
        items = list(model.objects.select_related(*related)
                     .filter(provider_id=pk, pk__in=ids).order_by("pk"))
        if len(items) != len(ids):
            raise Http404
        try:
            services.verify_items(items, by=request.user, expected_state=self.expected_state)
        except TransitionRefused as exc:
            return self.refused(exc)
        messages.success(request, _("Verified: %(item)s.")
                         % {"item": ", ".join(_item_label(item) for item in items)})
        return self.back()


class CheckOfficerActionView(EntryActionView):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("marketplace.record_background_check"):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    def get_check(self, pk, check_pk):
        check = get_object_or_404(
            BackgroundCheck.objects.select_related("person__provider"), pk=check_pk,
            person__provider_id=pk)
        self.anchor = f"person-{check.person_id}"
        return check


class RequestCheckView(CheckOfficerActionView):
    def post(self, request, pk, person_pk):
        person = get_object_or_404(Person.objects.select_related("provider"), pk=person_pk,
                                   provider_id=pk, removed_at__isnull=True)
        self.anchor = f"person-{person.pk}"
        form = RequestCheckForm(request.POST, person=person)
        if not form.is_valid():
            return self.invalid(("request", person.pk), form)
        try:
            services.request_check(person=person, by=request.user,
                                   adapter=form.cleaned_data["adapter"])
        except TransitionRefused as exc:
            return self.refused(exc)
        messages.success(request, _("Background check requested for %(name)s.")
                         % {"name": person.full_name})
        return self.back()


class CheckResultsView(CheckOfficerActionView):
    def post(self, request, pk, check_pk):
        check = self.get_check(pk, check_pk)
        form = CheckResultsForm(request.POST, request.FILES, check=check)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_check_results(
                    check, by=request.user, criminal_record=data["criminal_record"],
                    health=data["health"], character=data["character"],
                    checked_on=data["checked_on"], reference=data["reference"].strip(),
                    result_file=data["result_file"] or None, note=data["note"].strip(),
                )
            except TransitionRefused as exc:
                return self.refused(exc)
            except ValidationError as exc:
                form.add_error(None, exc)
            except StorageUnavailable as exc:  # nothing saved; the form keeps what was typed
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("Check results recorded for %(name)s.")
                                 % {"name": check.person.full_name})
                return self.back()
        return self.invalid(("results", check.pk), form)


class DecideCheckView(CheckOfficerActionView):
    def post(self, request, pk, check_pk):
        check = self.get_check(pk, check_pk)
        clear = request.POST.get("decision") == "clear"
        try:
            services.decide_check(check, by=request.user, clear=clear,
                                  comment=request.POST.get("comment", "").strip())
        except TransitionRefused as exc:
            return self.refused(exc)
        if clear:
            messages.success(request, _("%(name)s is cleared.") % {"name": check.person.full_name})
        else:
            messages.warning(request, _("%(name)s is flagged and barred from schools.")
                             % {"name": check.person.full_name})
        return self.back()


class CountersignView(EntryActionView):
    anchor = "agreement"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("marketplace.countersign_agreement"):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, pk):
        contract = get_object_or_404(Contract.objects.select_related("provider"),
                                     pk=request.POST.get("contract") or 0, provider_id=pk)
        form = CountersignForm(request.POST)
        if not form.is_valid():
            return self.invalid("countersign", form)
        try:
            services.sign_agreement(
                contract, by=request.user, party=SignatureParty.BUREAU,
                typed_name=form.cleaned_data["typed_name"],
                consent=form.cleaned_data["consent"],
                ip_address=request.META["REMOTE_ADDR"],
            )
        except TransitionRefused as exc:
            return self.refused(exc)
        messages.success(request, _("The admission agreement is countersigned."))
        return self.back()


class AllowReapplicationView(EntryActionView):
    anchor = "actions"

    def post(self, request, pk):
        provider = get_object_or_404(Provider, pk=pk)
        try:
            services.allow_reapplication(provider, by=request.user,
                                         comment=request.POST.get("comment", "").strip())
        except TransitionRefused as exc:
            return self.refused(exc)
        messages.success(request, _("The provider may apply again."))
        return self.back()
