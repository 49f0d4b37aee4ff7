"""Read queries of the bureau back office: the admission queues ("waiting for me") and
the entry page. Every list is annotated in SQL, so a page costs the same number of
queries whatever it shows.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.choices import ContractKind, SignatureParty, VerificationState
from marketplace.models import (
    BackgroundCheck,
    Contract,
    Credential,
    Offering,
    Person,
    Provider,
    Signature,
)
from marketplace.validators import normalise_identifier
from workflows.admission import AdmissionState
from workflows.checks import CheckState
from workflows.models import TimelineEntry

S = AdmissionState


@dataclass(frozen=True)
class Queue:
    """One "waiting for me" queue: who works it and which entries are in it."""

    key: str
    label: str
    permission: str

    def condition(self) -> Q:
        return QUEUE_CONDITIONS[self.key]


# Conditions refer to the annotations ``vendor_signed`` and ``bureau_signed`` of
# ``with_signatures``.
QUEUE_CONDITIONS = {
    "new": Q(state=S.SUBMITTED),
    "review": Q(state=S.QUALIFICATION_REVIEW),
    "checks": Q(state=S.BACKGROUND_CHECK),
    "countersign": Q(state=S.CONTRACT, vendor_signed=True, bureau_signed=False),
    "listing": Q(state=S.CONTRACT, vendor_signed=True, bureau_signed=True),
}

QUEUES = (
    Queue("new", _("New applications"), "marketplace.review_qualification"),
    Queue("review", _("Qualification review"), "marketplace.review_qualification"),
    Queue("checks", _("Background checks"), "marketplace.record_background_check"),
    Queue("countersign", _("Awaiting countersignature"), "marketplace.list_provider"),
    Queue("listing", _("Ready to list"), "marketplace.list_provider"),
)
QUEUES_BY_KEY = {q.key: q for q in QUEUES}


# --- what the bureau may see ----------------------------------------------------------------
def staff_entries():
    """Every entry the bureau may see: all but drafts (草稿) never submitted.

    The vendor is promised that the bureau sees nothing before they submit; no transition
    leads back to draft, so an entry sent back for changes (submitted once) stays visible.
    Back-office views answer 404 for a hidden entry, as for one that does not exist."""
    return Provider.objects.exclude(state=S.DRAFT)


def hidden_from(provider, user) -> bool:
    """``provider`` is a draft and ``user`` is not its owner: it does not exist for them."""
    return provider.state == S.DRAFT and provider.owner_id != user.pk


def queues_for(user) -> list[Queue]:
    """The queues ``user`` works, in workflow order (several roles: the union)."""
    return [q for q in QUEUES if user.has_perm(q.permission)]


# --- annotations -----------------------------------------------------------------------
def _count(queryset) -> Coalesce:
    """A correlated ``COUNT(*)`` of ``queryset`` (which filters on ``OuterRef("pk")``)."""
    counted = (queryset.order_by().values("provider")
               .annotate(n=Count("pk")).values("n")[:1])
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _active_credentials():
    return Credential.objects.filter(
        Q(person__isnull=True) | Q(person__removed_at__isnull=True),
        provider=OuterRef("pk"), replaced_at__isnull=True,
    )


def _active_offerings():
    return Offering.objects.filter(provider=OuterRef("pk"), withdrawn_at__isnull=True)


def _people_not_cleared(on: dt.date):
    valid = BackgroundCheck.objects.filter(
        person=OuterRef("pk"), state=CheckState.CLEARED, valid_until__gte=on)
    return Person.objects.filter(provider=OuterRef("pk"), removed_at__isnull=True).filter(
        Q(barred=True) | ~Exists(valid))


def _signed(party: str) -> Exists:
    """The provider's latest admission agreement is signed by ``party`` (the signature
    is of the PDF as it is now)."""
    latest = (Contract.objects.filter(provider=OuterRef(OuterRef("pk")),
                                      kind=ContractKind.ADMISSION)
              .order_by("-created_at", "-pk").values("pk")[:1])
    return Exists(Signature.objects.filter(
        contract=Subquery(latest), party=party, pdf_sha256=F("contract__pdf_sha256")))


def with_signatures(queryset):
    return queryset.annotate(vendor_signed=_signed(SignatureParty.VENDOR),
                             bureau_signed=_signed(SignatureParty.BUREAU))


def with_queue_annotations(queryset, *, on: dt.date | None = None):
    """What is waiting on each entry: unreviewed and refused items, people without a
    valid cleared check, checks awaiting results, signatures; and when it was submitted."""
    on = on or timezone.localdate()
    pending, refused = VerificationState.PENDING, VerificationState.REFUSED
    submitted = (TimelineEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Provider), object_id=OuterRef("pk"),
        action__in=["submit", "resubmit"]).order_by("-created_at").values("created_at")[:1])
    open_checks = BackgroundCheck.objects.filter(
        person__provider=OuterRef("pk"), person__removed_at__isnull=True,
        state=CheckState.REQUESTED)
    return with_signatures(queryset).annotate(
        unreviewed_credentials=_count(_active_credentials().filter(verification=pending)),
        unreviewed_offerings=_count(_active_offerings().filter(review=pending)),
        refused_credentials=_count(_active_credentials().filter(verification=refused)),
        refused_offerings=_count(_active_offerings().filter(review=refused)),
        people_not_cleared=_count(_people_not_cleared(on)),
        open_checks=Coalesce(Subquery(
            open_checks.order_by().values("person__provider").annotate(n=Count("pk"))
            .values("n")[:1], output_field=IntegerField()), Value(0)),
        submitted_at=Subquery(submitted),
    ).select_related("owner")


# --- queues ------------------------------------------------------------------------------
def waiting_for(user, *, queue: str | None = None):
    """Entries waiting for ``user``'s decision (optionally only one of their queues),
    oldest change first."""
    conditions = [q.condition() for q in queues_for(user) if queue in (None, q.key)]
    if not conditions:
        return Provider.objects.none()
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return (with_queue_annotations(staff_entries()).filter(combined)
            .order_by("updated_at", "pk"))


def all_entries(*, state: str = "", search: str = ""):
    """Every entry the bureau may see (the "all entries" tab), most recently changed
    first."""
    queryset = staff_entries()
    if state:
        queryset = queryset.filter(state=state)
    search = (search or "").strip()
    if search:
        queryset = queryset.filter(Q(name__icontains=search)
                                   | Q(credit_code__icontains=normalise_identifier(search)))
    return with_queue_annotations(queryset).order_by("-updated_at", "-pk")


def queue_counts(user) -> list[tuple[Queue, int]]:
    """``(queue, number of entries)`` for each queue ``user`` works: one query."""
    queues = queues_for(user)
    if not queues:
        return []
    totals = with_signatures(staff_entries().filter(
        state__in=[S.SUBMITTED, S.QUALIFICATION_REVIEW, S.BACKGROUND_CHECK, S.CONTRACT]
    )).aggregate(**{q.key: Count("pk", filter=q.condition()) for q in queues})
    return [(q, totals[q.key] or 0) for q in queues]


# --- one entry -----------------------------------------------------------------------------
def entry_for_staff(pk):
    """One provider with everything its back-office page shows, in a handful of queries.

    Prefetched as lists: ``staff_credentials`` (current ones, people's included),
    ``staff_people`` (not removed, with ``checks``), ``staff_offerings`` (not withdrawn),
    ``staff_contracts`` (admission agreements, newest first, with ``signatures``).
    """
    credentials = (Credential.objects.filter(replaced_at__isnull=True)
                   .filter(Q(person__isnull=True) | Q(person__removed_at__isnull=True))
                   .select_related("person", "reviewed_by")
                   .order_by(F("person__full_name").asc(nulls_first=True), "type", "pk"))
    people = (Person.objects.filter(removed_at__isnull=True)
              .prefetch_related(Prefetch("checks", queryset=BackgroundCheck.objects
                                         .select_related("officer")))
              .order_by("-is_principal", "full_name", "pk"))
    contracts = (Contract.objects.filter(kind=ContractKind.ADMISSION)
                 .prefetch_related(Prefetch("signatures", queryset=Signature.objects
                                            .select_related("signer")))
                 .order_by("-created_at", "-pk"))
    return (staff_entries().select_related("owner", "qualification_reviewer")
            .prefetch_related(
                "service_area",
                Prefetch("credentials", queryset=credentials, to_attr="staff_credentials"),
                Prefetch("people", queryset=people, to_attr="staff_people"),
                Prefetch("offerings", queryset=Offering.objects.filter(
                    withdrawn_at__isnull=True).order_by("title", "pk"),
                    to_attr="staff_offerings"),
                Prefetch("contracts", queryset=contracts, to_attr="staff_contracts"),
            ).get(pk=pk))
