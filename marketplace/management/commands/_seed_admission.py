"""One provider entry of the demo, taken to its admission state the way people would.

``plan()`` draws everything random about an entry, in the order of the data, so each run
draws the same values. ``seed()`` then creates the entry and walks it step by step: the
vendor applies and submits, the reviewer decides on each item and on the entry, the
check officer records and decides each person's check, both sides sign the agreement,
the manager lists it (and suspends or exits it). Every transition goes through
``workflows.transitions.run()`` and every item decision through ``marketplace.admission.services``;
only timestamps are moved into the past afterwards (``backdate``). An entry that exists
already keeps its state and history: only its descriptive fields are refreshed.
"""

import datetime as dt
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django_fsm_log.models import StateLog

from marketplace.admission import services
from marketplace.admission.agreements import generate_admission_agreement
from marketplace.admission.credentials import REQUIRED_FOR_PERSON, REQUIRED_FOR_PROVIDER
from marketplace.choices import Category as CAT
from marketplace.choices import (
    CharacterResult,
    CheckAdapter,
    CriminalRecordResult,
    HealthResult,
    ProviderKind,
    SignatureParty,
)
from marketplace.choices import CredentialType as C
from marketplace.management.commands._seed_values import DEMO, NAMES, PLACE, aware, upsert
from marketplace.models import BackgroundCheck, Credential, Offering, Person, Provider, Signature
from marketplace.models import id_number_digest as digest
from marketplace.tasks import bureau_identity
from workflows import policy, transitions
from workflows.admission import AdmissionState as S
from workflows.models import TimelineEntry

ADMISSION, TEMPLATES, SAFETY = (DEMO["admission"], DEMO["offerings"]["templates"],
                                DEMO["offerings"]["safety"])
LISTING_BATCHES = [dt.date.fromisoformat(day) for day in ADMISSION["listing_batches"]]
WAS_LISTED = {S.LISTED, S.SUSPENDED, S.EXITED}
CHECKED = {S.BACKGROUND_CHECK, S.CONTRACT, *WAS_LISTED}  # qualification approved
DAY, HOUR = dt.timedelta(days=1), dt.timedelta(hours=1)
PERSON_FIELDS = ("full_name", "id_number", "phone", "role_title", "subject", "is_principal")
OFFERING_FIELDS = ("category", "resource_type", "delivery", "grade_from", "grade_to",
                   "session_minutes", "capacity", "price_per_session", "price_per_student_term",
                   "outline", "safety_measures", "materials")


# --- what the entry is made of --------------------------------------------------------------
def plan(spec: dict, draw, today: dt.date) -> dict:
    """Everything about the entry that is drawn at random, drawn in a fixed order."""
    kind, state = spec["kind"], spec["state"]
    org = kind in ProviderKind.organisations()
    if org:
        contact = draw.person_name(draw.pick("MF"))
        legal = draw.person_name(draw.pick("MF"))
        credit_code = draw.credit_code(spec["reg"])
    else:
        contact, legal, credit_code = spec["name"], "", ""
    phone = draw.mobile()
    address = draw.address(town_name(spec["towns"][0]))
    if org:
        address += f"{draw.rng.randint(1, 6)}楼"
    listed_on = draw.pick(LISTING_BATCHES) if state in WAS_LISTED else None
    if state == S.EXITED:  # it joined with the first batch
        listed_on = LISTING_BATCHES[0]
    details = {"credit_code": credit_code, "legal_representative": legal, "contact_name": contact,
               "contact_phone": phone, "address": address, "description": spec["description"],
               "contact_email": f"info@{spec['slug']}.example.cn" if org
               else f"{phone}@mail.example.cn"}
    people = plan_people(spec, draw, org, phone)
    credentials = []
    for ctype in [*REQUIRED_FOR_PROVIDER[kind], *spec.get("extra_credentials", ())]:
        year = draw.rng.randint(2012, 2022)
        issued = dt.date(year, draw.rng.randint(1, 12), draw.rng.randint(1, 28))
        credentials.append(credential(ctype, spec, draw, year=year, issued=issued,
                                      serial=draw.rng.randrange(10**7), credit_code=credit_code))
    for person in people:
        person["credentials"] = []
        for ctype in REQUIRED_FOR_PERSON:
            age, serial = draw.rng.randint(20, 300), draw.rng.randrange(10**6)
            if ctype == C.HEALTH_CERTIFICATE:
                age = spec.get("health_certificate_age_days", age)
            issued = today - age * DAY
            person["credentials"].append(credential(ctype, spec, draw, year=issued.year,
                                                    issued=issued, serial=serial))
    if state in CHECKED:
        for position, person in enumerate(people):
            person["check"] = plan_check(spec, draw, today, org, position)
    offerings = plan_offerings(spec, draw)
    start = listed_on or today - 5 * DAY  # the admission agreement's first day
    signatures = {}
    if state in {S.CONTRACT, *WAS_LISTED}:
        signatures[SignatureParty.VENDOR] = draw.signing(start - 4 * DAY)
        if state != S.CONTRACT:
            signatures[SignatureParty.BUREAU] = draw.signing(start - 2 * DAY)
    return {"state": state, "details": details, "listed_on": listed_on, "people": people,
            "credentials": credentials, "offerings": offerings,
            "agreement_start": start, "signatures": signatures}


def plan_people(spec, draw, org: bool, phone: str) -> list[dict]:
    if not org:
        id_number = draw.id_number(spec["gender"], spec["born"])
        return [{"full_name": spec["name"], "id_number": id_number, "phone": phone,
                 "role_title": spec["role"], "subject": spec["subject"], "is_principal": True}]
    count = draw.rng.randint(2, 4) if spec["kind"] == ProviderKind.INSTITUTION \
        else draw.rng.randint(1, 3)
    subject = PLACE["category_names"][TEMPLATES[spec["offers"][0]]["category"]]
    people = []
    for _ in range(count):
        gender = draw.pick("MF")
        name = draw.person_name(gender)
        id_number = draw.id_number(gender, draw.rng.randint(1976, 2001))
        people.append({"full_name": name, "id_number": id_number, "phone": draw.mobile(),
                       "role_title": draw.pick(NAMES["staff_roles"][spec["kind"]]),
                       "subject": subject, "is_principal": False})
    return people


def credential(ctype, spec, draw, *, year, issued, serial, credit_code="") -> dict:
    """A credential as ``seed_data/admission.json`` describes its type."""
    rule = ADMISSION["credentials"][ctype]
    rule = {**rule, **rule.get("by_registration", {}).get(spec.get("reg"), {})}
    if "issued_years" in rule:
        issued = issued.replace(year=draw.rng.randint(*rule["issued_years"]))
    expires = None
    if "valid_years" in rule:
        expires = issued.replace(year=issued.year + rule["valid_years"])
    elif "valid_months" in rule:
        expires = policy.add_months(issued, rule["valid_months"])
    certificate = spec.get("certificate") or {}
    filename = rule.get("file") or f"{certificate['name']}.pdf"
    if "serial_below" in rule:
        serial %= rule["serial_below"]
    number = rule["number"].format(year=year, issued=issued, serial=serial,
                                   code=PLACE["district_code"], credit_code=credit_code)
    return {"type": ctype, "number": number, "issuer": rule.get("issuer") or certificate["issuer"],
            "issued_on": issued, "expires_on": expires,
            "file": draw.document(filename, f"Type: {ctype}", f"Issued: {issued:%Y-%m-%d}")}


def plan_check(spec, draw, today, org: bool, position: int) -> dict:
    """The person's background check: cleared, flagged, or still waiting for results while
    the entry is in background checks (only its first staff member is done then)."""
    outcome = "cleared"
    if spec["state"] == S.BACKGROUND_CHECK:
        outcome = ("flagged" if position == spec.get("flagged_check")
                   else "cleared" if org and position == 0 else "pending")
    seq = draw.number("check")
    checked = today - draw.rng.randint(15, 330) * DAY
    check = {"outcome": outcome, "simulated": draw.rng.random() < 0.25,
             "reference": ADMISSION["checks"]["reference"].format(year=checked.year, seq=seq)}
    if outcome != "pending":
        check["checked_on"] = today - 6 * DAY if outcome == "flagged" else checked
        check["file"] = draw.document(ADMISSION["checks"]["result_file"],
                                      f"Background check result: {outcome.upper()}")
    return check


def plan_offerings(spec, draw) -> list[dict]:
    kind, offerings = spec["kind"], []
    for key in spec["offers"]:
        t = TEMPLATES[key]
        price = 0  # volunteers and public venues are free
        if kind == ProviderKind.INSTITUTION:
            price = draw.rng.randrange(120, 301, 10)
        elif kind == ProviderKind.VENUE and spec["reg"] != "12":
            price = draw.rng.randrange(50, 201, 10)
        elif kind == ProviderKind.PROFESSIONAL:
            price = draw.rng.randrange(100, policy.professional_fee_cap() + 1, 10)
        elif kind == ProviderKind.RETIRED_TEACHER:
            price = draw.rng.randrange(50, 121, 10)
        per_term = None
        if (kind in {ProviderKind.INSTITUTION, ProviderKind.PROFESSIONAL}
                and t["category"] in {CAT.ARTS, CAT.SPORTS, CAT.TECHNOLOGY}
                and draw.rng.random() < 0.5):
            per_term = Decimal(draw.rng.randrange(200, policy.personalised_course_cap() + 1, 50))
        capacity = t["capacity"] + draw.pick([0, 0, 5, 10])
        offerings.append({
            "key": key, "title": t["title"], "category": t["category"],
            "resource_type": t["resource_type"], "delivery": t["delivery"],
            "grade_from": t["grades"][0], "grade_to": t["grades"][1],
            "session_minutes": t["minutes"], "price_per_session": Decimal(price),
            "capacity": t["capacity"] if t.get("capacity_fixed") else capacity,
            "price_per_student_term": per_term, "outline": t["outline"],
            "materials": t["materials"], "safety_measures": SAFETY[t["category"]]})
    return offerings


def town_name(short: str) -> str:
    return next(name for name in PLACE["towns"] if name.startswith(short))


# --- the entry in the database --------------------------------------------------------------
def seed(spec: dict, entry: dict, *, owner, staff: dict, towns: dict, today: dt.date):
    """Create the entry and take it to its state, or refresh the one that exists. An
    entry to be suspended or excluded stops at the listing: its bookings are made while
    it is listed, and ``leave()`` ends its listing afterwards. Returns the provider, its
    people and its offerings by template key."""
    provider = Provider.objects.filter(name=spec["name"]).first()
    if provider is not None:
        return fill(provider, spec, entry, owner, towns, new=False)
    with transaction.atomic():  # the side effects run once the entry is complete
        provider = services.start_application(owner=owner, kind=spec["kind"], name=spec["name"])
        provider, people, offerings = fill(provider, spec, entry, owner, towns, new=True)
        walk(provider, entry, people, staff)
        backdate(provider, entry, today)
    return Provider.objects.get(pk=provider.pk), [p for p in Person.objects.filter(
        pk__in=[p.pk for p in people]).order_by("pk")], offerings


def fill(provider, spec, entry, owner, towns, *, new: bool):
    """The vendor's part: details, people, credentials and offerings. For an entry that
    exists, rows found are updated and nothing is added."""
    for name, value in {**entry["details"], "owner": owner}.items():
        setattr(provider, name, value)
    provider.save()
    provider.service_area.set([towns[town_name(short)] for short in spec["towns"]])
    rows = [upsert(Person, {"provider": provider, "id_number_digest": digest(p["id_number"])},
                   {name: p[name] for name in PERSON_FIELDS}, create=new)
            for p in entry["people"]]
    pairs = [(None, c) for c in entry["credentials"]] + [
        (row, c) for row, p in zip(rows, entry["people"], strict=True) if row
        for c in p["credentials"]]
    for person, c in pairs:
        fields = {name: c[name] for name in ("number", "issuer", "issued_on", "expires_on")}
        found = upsert(Credential, {"provider": provider, "person": person, "type": c["type"],
                                    "replaced_at": None}, fields, create=False)
        if found is None and new:
            services.add_credential(provider=provider, by=owner, person=person, type=c["type"],
                                    file=c["file"](), **fields)
    offerings = {}
    for o in entry["offerings"]:
        row = upsert(Offering, {"provider": provider, "title": o["title"]},
                     {name: o[name] for name in OFFERING_FIELDS}, create=new)
        if row is not None:
            offerings[o["key"]] = row
    return provider, [row for row in rows if row], offerings


def walk(provider, entry, people, staff):
    """Take the new entry from draft to its state, as each role would."""
    state, owner = entry["state"], provider.owner
    reviewer, checker, manager = staff["reviewer"], staff["checker"], staff["manager"]
    if state == S.DRAFT:
        return
    step(provider, "submit", owner)
    if state == S.SUBMITTED:
        return
    step(provider, "start_review", reviewer)
    review(provider, entry, reviewer)
    if state in {S.CHANGES_REQUESTED, S.REJECTED}:
        step(provider, "request_changes" if state == S.CHANGES_REQUESTED else "reject", reviewer)
    if state not in CHECKED:
        return
    step(provider, "approve_qualification", reviewer)
    record_checks(provider, entry, people, checker)
    if state == S.BACKGROUND_CHECK:
        return
    step(provider, "confirm_checks", checker)
    contract = agreement(provider, entry["agreement_start"])
    sign(contract, entry, SignatureParty.VENDOR, owner, entry["details"]["contact_name"])
    if state == S.CONTRACT:
        return
    sign(contract, entry, SignatureParty.BUREAU, manager, manager.first_name)
    step(provider, "approve_listing", manager)


def leave(provider, entry, staff, today: dt.date):
    """Suspend or exclude a listed entry as its data says, and date its history again."""
    state = entry["state"]
    if state not in {S.SUSPENDED, S.EXITED} or provider.state != S.LISTED:
        return provider
    with transaction.atomic():
        step(provider, "suspend" if state == S.SUSPENDED else "exit", staff["manager"])
        backdate(provider, entry, today)
    return Provider.objects.get(pk=provider.pk)


def agreement(provider, start: dt.date):
    """The admission agreement, running from ``start``. The outbox prepares one once the
    entry's transaction commits; the demo's is dated back to its first day, so it is
    prepared here (the same service, one rendering), and the outbox finds it signed."""
    return generate_admission_agreement(provider, today=start, **bureau_identity())


def step(provider, name: str, by):
    decision = ADMISSION["decisions"].get(name, {})
    transitions.run(provider, name, by=by, comment=decision.get("comment", ""),
                    reason=decision.get("reason", ""))


def review(provider, entry, reviewer):
    """The reviewer's item decisions, as far as the entry's state shows them."""
    state, notes = entry["state"], ADMISSION["refusals"]
    own = list(provider.active_credentials().filter(person=None).order_by("pk"))
    personal = list(provider.active_credentials().exclude(person=None).order_by("pk"))
    offerings = list(provider.active_offerings().order_by("pk"))
    refused = {}
    if state == S.QUALIFICATION_REVIEW:  # half way through
        verified = own[: len(own) // 2] + offerings[:1]
    elif state == S.CHANGES_REQUESTED:  # the first document and the first course sent back
        refused = {**dict.fromkeys(own[:1], notes["changes_requested"]["credential"]),
                   offerings[0]: notes["changes_requested"]["offering"]}
        verified = own[1:] + personal
    elif state == S.REJECTED:  # a school permit for academic subjects, an academic course
        academic = TEMPLATES[notes["academic_offering"]["key"]]["title"]
        refused = {**dict.fromkeys(own[1:2], notes["rejected"]["credential"]),
                   **dict.fromkeys([o for o in offerings if o.title == academic],
                                   notes["academic_offering"]["note"])}
        verified = [item for item in own + personal + offerings if item not in refused]
    else:
        verified = own + personal + offerings
    if verified:
        services.verify_items(verified, by=reviewer)
    for item, note in refused.items():
        services.review_item(item, by=reviewer, verified=False, note=note)


def record_checks(provider, entry, people, checker):
    for person, planned in zip(people, entry["people"], strict=True):
        check, outcome = services.request_check(person=person, by=checker), planned["check"]
        if outcome["outcome"] == "pending":
            continue
        flagged = outcome["outcome"] == "flagged"
        check = services.record_check_results(
            check, by=checker, health=HealthResult.FIT, checked_on=outcome["checked_on"],
            criminal_record=CriminalRecordResult.FLAGGED if flagged else CriminalRecordResult.CLEAR,
            character=CharacterResult.CONCERN if flagged else CharacterResult.GOOD,
            reference=outcome["reference"], result_file=outcome["file"](),
            note=ADMISSION["checks"][outcome["outcome"]])
        services.decide_check(check, by=checker, clear=not flagged)
        if outcome["simulated"]:  # the demo says some results came from the query service
            BackgroundCheck.objects.filter(pk=check.pk).update(adapter=CheckAdapter.SIMULATED)


def sign(contract, entry, party, by, typed_name):
    _at, ip_address = entry["signatures"][party]
    services.sign_agreement(contract, by=by, party=party, typed_name=typed_name, consent=True,
                            ip_address=ip_address)


# --- history ----------------------------------------------------------------------------------
def transition_times(entry, actions: list[str], today: dt.date):
    """When each step was taken: every other day up to the listing date, then a month
    on (or recently) for a suspension or an exit."""
    listed_on = entry["listed_on"]
    start = listed_on - 12 * DAY if listed_on else today - 15 * DAY
    for index, name in enumerate(actions):
        day = start + 2 * index * DAY
        if name == "approve_listing":
            day = listed_on
        elif name in {"suspend", "exit"}:
            day = min(today, max(listed_on + 30 * DAY, today - 20 * DAY))
        yield aware(day, 9 + index % 8)


def backdate(provider, entry, today: dt.date):
    """The workflow stamped every step with the time of this run; give the entry its
    history. Only timestamps change: item decisions a few minutes before the step they
    led to, signatures when they were signed, the listing date of its batch."""
    now = timezone.now()
    entries = list(TimelineEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Provider), object_id=provider.pk,
    ).order_by("pk"))
    times = transition_times(entry, [e.action for e in entries if e.statelog_id], today)
    at, waiting, steps = aware(today - 15 * DAY, 9), [], {}
    for e in entries:
        if not e.statelog_id:
            waiting.append(e)
            continue
        at = steps[e.action] = next(times)
        for minutes, earlier in enumerate(reversed(waiting), start=1):
            earlier.created_at = at - dt.timedelta(minutes=minutes)
        e.created_at, waiting = at, []
    for minutes, later in enumerate(waiting, start=1):
        later.created_at = at + dt.timedelta(minutes=10 * minutes)
    signed = {}
    for party, (signed_at, _ip) in entry["signatures"].items():
        signed[f"signed_{party}"] = at = min(max(signed_at, steps["confirm_checks"] + HOUR), now)
        Signature.objects.filter(contract__provider=provider, party=party).update(signed_at=at)
    for e in entries:
        e.created_at = min(signed.get(e.action, e.created_at), now)
    # A check's own log goes with the provider's entry that recorded its decision.
    decided = iter([e for e in entries if e.action in {"person_cleared", "person_barred"}])
    for e in TimelineEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(BackgroundCheck),
            object_id__in=BackgroundCheck.objects.filter(person__provider=provider).values("pk"),
    ).order_by("pk"):
        e.created_at = next(decided).created_at
        entries.append(e)
    TimelineEntry.objects.bulk_update(entries, ["created_at"])
    for e in entries:
        if e.statelog_id:
            StateLog.objects.filter(pk=e.statelog_id).update(timestamp=e.created_at)
    base = entry["listed_on"] - 10 * DAY if entry["listed_on"] else today - 7 * DAY
    reviewed = list(provider.credentials.exclude(reviewed_at=None))
    for c in reviewed:  # shortly before the listing (or last week), never before issue
        c.reviewed_at = aware(min(max(base, c.issued_on + 2 * DAY), today), 15, 20)
    Credential.objects.bulk_update(reviewed, ["reviewed_at"])
    if entry["listed_on"]:
        Provider.objects.filter(pk=provider.pk).update(listed_on=entry["listed_on"])
