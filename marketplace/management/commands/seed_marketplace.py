"""Seed a realistic demo district (滨江区): towns, schools, terms, one login per role,
providers of every kind in every admission state with their people, credentials, checks
and offerings, bookings, evaluations and exit cases.

The data lives in ``seed_data/*.json``. Providers and bookings reach their state the way
people get them there, through ``workflows.transitions.run()`` and the portals' services
(``_seed_admission``, ``_seed_bookings``); their side effects (agreements, public pages,
notices, versions of the candidate list, schedules) run through the outbox as in real
use. Terms are dated from the day the seed runs, so the demo always has a term under way
to book in.

Idempotent: rows are found by a natural key and updated in place; a provider that exists
already keeps its state and history. Random values come from ``random.Random(2026)``,
drawn in the same order on every run. Identity numbers are never printed or logged.
"""

import contextlib
import datetime as dt
import logging
import time
from collections import Counter
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from marketplace.choices import Category, EvaluationKind
from marketplace.management.commands import _seed_admission as admission
from marketplace.management.commands import _seed_bookings as bookings
from marketplace.management.commands._seed_values import (
    DEMO,
    PLACE,
    Draw,
    aware,
    school_terms,
    upsert,
)
from marketplace.models import (
    BackgroundCheck,
    Booking,
    BookingSlot,
    BureauSettings,
    Contract,
    Credential,
    Evaluation,
    ExitCase,
    Offering,
    Person,
    Provider,
    ScheduleEntry,
    School,
    Signature,
    Term,
    Town,
)
from marketplace.roles import Role
from workflows import policy

# Read by the public site's seed (cms: seed_demo).
DISTRICT, BUREAU, DEMO_PASSWORD = PLACE["district"], PLACE["bureau"], PLACE["password"]
KIND_ZH = PLACE["kind_names"]
DAY = dt.timedelta(days=1)
REPORTED = [
    ("Towns", Town), ("Schools", School), ("Terms", Term), ("Providers", Provider),
    ("People", Person), ("Credentials", Credential), ("Background checks", BackgroundCheck),
    ("Offerings", Offering), ("Bookings", Booking), ("Weekly slots", BookingSlot),
    ("Schedule entries", ScheduleEntry), ("Agreements", Contract), ("Signatures", Signature),
    ("Evaluations", Evaluation), ("Exit cases", ExitCase), ("Users", get_user_model()),
]


@contextlib.contextmanager
def logs_disabled(level: int):
    """Drop log records up to ``level`` for a while (``logging.disable``)."""
    previous = logging.root.manager.disable
    logging.disable(max(level, previous))
    try:
        yield
    finally:
        logging.disable(previous)


class Command(BaseCommand):
    help = "Seed a realistic demo district (idempotent): providers, schools, bookings, logins."

    def handle(self, *args, **options):
        started = time.monotonic()
        self.draw, self.today = Draw(2026), timezone.localdate()
        before = self.counts()
        # The demo's addresses have no mailboxes: the workflow's e-mails go nowhere. Its
        # ~600 steps are logged at INFO; below -v 2 the report below says enough.
        quiet = logging.INFO if options["verbosity"] < 2 else logging.NOTSET
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"), \
                logs_disabled(quiet):
            with transaction.atomic():
                self.seed_accounts()
                self.seed_places_and_terms()
            # One transaction per step, its side effects after each, as in use.
            self.seed_providers()
            self.seed_bookings()
            self.end_listings()
            with transaction.atomic():
                self.seed_exit_cases()
        self.created = Counter({k: n - before[k] for k, n in self.counts().items()})
        self.report(time.monotonic() - started)

    @staticmethod
    def counts() -> dict[str, int]:
        return {model.__name__: model.objects.count() for _label, model in REPORTED}

    # --- accounts, places and time ----------------------------------------------------------
    def seed_accounts(self):
        User = get_user_model()
        self.users = {}
        for account in [*PLACE["accounts"], {"username": "admin", "name": "系统管理员"}]:
            username, superuser = account["username"], "role" not in account
            user = upsert(User, {"username": username}, {
                "email": f"{username}@{PLACE['email_domain']}", "first_name": account["name"],
                "last_name": "", "phone": account.get("phone", ""), "is_active": True,
                "is_staff": superuser, "is_superuser": superuser})
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            if not superuser:
                user.groups.add(Group.objects.get(name=account["role"]))
            self.users[username] = user
        # Named on the agreements and candidate lists the workflow renders.
        BureauSettings.objects.update_or_create(
            site=Site.objects.get(is_default_site=True),
            defaults={"bureau_name": BUREAU, "district_name": DISTRICT})

    def vendor_account(self, username: str, name: str, phone: str):
        """A provider's own account. It shares the demo password's hash: hashing once
        keeps the command fast."""
        user = upsert(get_user_model(), {"username": username}, {
            "email": f"{username}@{PLACE['email_domain']}", "first_name": name, "last_name": "",
            "phone": phone, "is_active": True, "password": self.users["vendor"].password})
        user.groups.add(Group.objects.get(name=Role.VENDOR.value))
        return user

    def seed_places_and_terms(self):
        self.towns = {name: upsert(Town, {"district": DISTRICT, "name": name})
                      for name in PLACE["towns"]}
        self.schools = {}
        for school in PLACE["schools"]:
            address = self.draw.address(school["town"])
            self.schools[school["name"]] = upsert(School, {"name": school["name"]}, {
                "town": self.towns[school["town"]], "level": school["level"],
                "address": address, "phone": self.draw.landline()})
        for username, names in PLACE["coordinators"].items():
            for name in names:
                self.schools[name].coordinators.add(self.users[username])
        self.terms = {key: upsert(Term, {"name": term["name"]}, {
            "starts_on": term["starts_on"], "ends_on": term["ends_on"]})
            for key, term in school_terms(self.today).items()}

    # --- providers --------------------------------------------------------------------------
    def seed_providers(self):
        self.providers, self.people, self.offerings, self.plans = {}, {}, {}, {}
        staff = {name: self.users[name] for name in ("reviewer", "checker", "manager")}
        for index, spec in enumerate(DEMO["providers"], start=1):
            entry = admission.plan(spec, self.draw, self.today)
            details = entry["details"]
            owner = (self.users["vendor"] if spec.get("owner") == "vendor" else
                     self.vendor_account(f"v{index:03d}", details["contact_name"],
                                         details["contact_phone"]))
            provider, people, offerings = admission.seed(
                spec, entry, owner=owner, staff=staff, towns=self.towns, today=self.today)
            self.providers[spec["name"]], self.people[spec["name"]] = provider, people
            self.plans[spec["name"]] = entry
            self.offerings.update({(spec["name"], key): o for key, o in offerings.items()})

    # --- bookings -------------------------------------------------------------------------------
    def seed_bookings(self):
        """Bookings through the booking workflow (``_seed_bookings``); the evaluations of
        completed ones are plain rows (evaluation has no workflow of its own yet)."""
        data, manager = DEMO["bookings"], self.users["manager"]
        venue_of = bookings.venues(self.schools)
        for b in data["bookings"]:
            school, provider = self.schools[b["school"]], self.providers[b["provider"]]
            booking = bookings.seed(
                b, school=school, offering=self.offerings[(b["provider"], b["offering"])],
                terms=self.terms, venue_of=venue_of, people=self.people[b["provider"]],
                draw=self.draw, today=self.today)
            if booking is None:
                self.stdout.write(f"  {provider.name} is {provider.state}: the booking of "
                                  f"{school.name} with it is not made.")
                continue
            if booking.state != b["state"]:
                self.stdout.write(f"  The booking of {school.name} with {provider.name} is "
                                  f"{booking.state} (the demo data says {b['state']}).")
            term, requester = booking.term, booking.requested_by
            if "evaluation" not in b:
                continue
            ev, poor = data["evaluations"][b["evaluation"]], b["evaluation"] == "poor"
            rated = term.ends_on - 14 * DAY
            upsert(Evaluation, {"booking": booking, "kind": EvaluationKind.SCHOOL_RATING,
                                "occurred_on": rated},
                   {"score": Decimal(sum(ev["criteria"].values()) * 4), "answers": ev["criteria"],
                    "recorded_by": requester, "comment": ev["rating"]})
            for offset, answer in enumerate(ev["survey"], start=1):
                rating = answer["satisfaction"]
                upsert(Evaluation, {"booking": booking, "kind": EvaluationKind.SURVEY,
                                    "occurred_on": rated + offset * DAY},
                       {"score": Decimal(rating * 20), "comment": answer["comment"],
                        "recorded_by": None, "answers": {
                            "respondent": answer["respondent"], "satisfaction": rating,
                            "enjoys": min(5, rating + 1), "safety": 3 if poor else 5}})
            inspection = ev["inspection"]
            upsert(Evaluation, {"booking": booking, "kind": EvaluationKind.INSPECTION,
                                "occurred_on": term.starts_on + 60 * DAY},
                   {"inspection_kind": inspection["kind"], "score": Decimal(inspection["score"]),
                    "recorded_by": manager, "comment": inspection["comment"],
                    "answers": {"attendance": "present", "content_as_agreed": not poor}})
            if "incident" in ev:
                upsert(Evaluation, {"booking": booking, "kind": EvaluationKind.INCIDENT,
                                    "occurred_on": term.starts_on + 75 * DAY},
                       {"score": None, "recorded_by": requester, "answers": {},
                        "comment": ev["incident"]})

    def end_listings(self):
        """Suspend and exclude the entries whose data says so, once their bookings exist."""
        staff = {"manager": self.users["manager"]}
        for spec in DEMO["providers"]:
            name = spec["name"]
            provider = self.providers[name] = admission.leave(
                self.providers[name], self.plans[name], staff, self.today)
            if provider.state != spec["state"]:
                self.stdout.write(f"  {provider.name} is {provider.state} (the demo data says "
                                  f"{spec['state']}): its state is left as it is.")

    # --- exit cases -----------------------------------------------------------------------------
    def seed_exit_cases(self):
        """Exit cases have no transitions of their own: their state is a plain field."""
        for case in DEMO["exits"]:
            decided = case.get("decided_on") and dt.date.fromisoformat(case["decided_on"])
            maker = case.get("evidence_file") and self.draw.document(
                case["evidence_file"], "Complaint and inspection evidence")
            upsert(ExitCase, {"provider": self.providers[case["provider"]],
                              "trigger": case["trigger"]}, {
                "reasons": case["reasons"], "evidence": case["evidence"], "state": case["state"],
                "opened_by": self.users[case["opened_by"]],
                "decided_by": self.users.get(case.get("decided_by")),
                "decided_at": decided and aware(decided, 16, 30),
                "decision_note": case.get("decision_note", ""),
                "reapply_allowed_from": decided and policy.add_months(
                    decided, policy.value("REAPPLY_BAR_MONTHS"))},
                file=maker and ("evidence_file", maker))

    # --- report -----------------------------------------------------------------------------------
    def report(self, elapsed: float):
        out = self.stdout.write
        role_label = {role.value: str(role.label) for role in Role}
        out(self.style.MIGRATE_HEADING("Demo logins (password for every account below)"))
        out(f"  {'role':<22} {'username':<10} {'password':<16} {'start URL':<40} label")
        rows = [(a["role"], a["username"], role_label[a["role"]]) for a in PLACE["accounts"]]
        rows.append(("superuser", "admin", "系统管理员"))
        # Where the demo is served: BASE_URL, which `make demo` sets from HOST.
        login_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("login")
        for role, username, label in rows:
            out(f"  {role:<22} {username:<10} {DEMO_PASSWORD:<16} {login_url:<40} {label}")
        out("  Every other provider has its own vendor account (v002, v003, …, named by its"
            " position in the seed list) with the same password.")

        out(self.style.MIGRATE_HEADING("What exists now"))
        for label, model in REPORTED:
            new = self.created.get(model.__name__, 0)
            out(f"  {label:<20} {model.objects.count():>5}   (new this run: {new})")
        states = Counter(Provider.objects.values_list("state", flat=True))
        out("  Providers by state: " + ", ".join(f"{k} {v}" for k, v in sorted(states.items())))
        categories = set(Offering.objects.values_list("category", flat=True))
        missing = set(Category.values) - categories
        out(f"  Offering categories covered: {len(categories)}/{len(Category.values)}"
            + (f" (missing: {', '.join(sorted(missing))})" if missing else ""))
        out(self.style.SUCCESS(f"Demo data ready in {elapsed:.1f} s."))
