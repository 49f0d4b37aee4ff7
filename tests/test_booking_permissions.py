"""Who may see and do what with a booking: every booking page, download and action of the
school and vendor portals, the bureau's booking screens in the admin, the public offering
page, the service agreement PDF, the calendar feed and the parts of the booking API that
``tests/test_booking_api.py`` leaves out, each probed by every kind of user.

The product's acceptance: a coordinator sees and acts only on their schools' bookings, a
vendor only on its providers'; anonymous visitors and other roles get 403 or the login
page. The bureau's reading roles (reviewer, check officer, manager) see every booking in
the admin and the manager cancels one there (``marketplace.booking.bureau_admin``).

Each probe is one test id (``<url>-<actor>``). A GET asserts the exact status and, for
pages that list bookings, whose bookings are in them. A POST asserts the status and that
the database is unchanged for everyone but the owners, and that an owner's action did
change it (so each POST probe can fail).

Actors: ``anonymous``; ``no_role`` (logged in, no group); ``coordinator`` of the booking's
school and ``other_coordinator`` of another school; ``vendor`` owning the booked provider
and ``other_vendor`` owning another; the bureau's ``reviewer``, ``checker``, ``manager`` and
``editor``; and a ``superuser`` (no portal role). The other school and provider have a
booking of their own, so an outsider's list is not trivially empty.

Assertion messages name the probe and status only: nothing personal is printed.
"""

import datetime as dt
import io
import json

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from marketplace.booking import calendar, services
from marketplace.booking.agreements import sign_service_agreement
from marketplace.booking.clashes import Slot
from marketplace.choices import ContractKind, SignatureParty
from marketplace.models import (
    Booking,
    CalendarFeed,
    Contract,
    ScheduleEntry,
    Signature,
)
from marketplace.roles import Role
from tests.factories import (
    BookingFactory,
    ContractFactory,
    OfferingFactory,
    ProviderFactory,
    ScheduleEntryFactory,
    SchoolFactory,
    UserFactory,
)
from tests.test_booking import TUE, World, agreed
from workflows.booking import BookingState
from workflows.models import SideEffect, TimelineEntry

pytestmark = pytest.mark.django_db

ACTORS = ("anonymous", "no_role", "coordinator", "other_coordinator", "vendor",
          "other_vendor", "reviewer", "checker", "manager", "editor", "superuser")
BUREAU_GROUPS = {"reviewer": Role.REVIEWER, "checker": Role.CHECK_OFFICER,
                 "manager": Role.MANAGER, "editor": Role.EDITOR}

# Titles that are not substrings of one another (the factory's sequence titles are).
OUR_TITLE = "权限矩阵甲机器人课"
THEIR_TITLE = "权限矩阵乙足球课"

# Expected outcomes besides a plain status code.
LOGIN = "login"        # 302 to the login page
OWN = "own"            # 200, the world's booking in it, the other school's not
THEIRS = "theirs"      # 200, the other school's booking in it, the world's not
ALL = "all"            # 200, both bookings in it (the bureau's list)
BUTTON = "button"      # 200 with the 预约 (book) button
NO_BUTTON = "no_button"  # 200 without it


def expect(default=403, *, anonymous=LOGIN, **by_actor) -> dict:
    table = dict.fromkeys(ACTORS, default)
    table["anonymous"] = anonymous
    table.update(by_actor)
    assert set(table) == set(ACTORS)
    return table


# --- the world --------------------------------------------------------------------------

class PermWorld(World):
    """``tests.test_booking.World`` (vendor, provider with two cleared people, offering,
    coordinator, school, venue, term) plus the other side, the bureau and a superuser.
    Bookings in each state are made on first use."""

    def __init__(self):
        super().__init__(people=2)
        self.offering.title = OUR_TITLE
        self.offering.save(update_fields=["title"])
        self.other_vendor = UserFactory(groups=[Role.VENDOR])
        self.other_provider = ProviderFactory(owner=self.other_vendor, listed=True)
        other_offering = OfferingFactory(provider=self.other_provider, verified=True,
                                         title=THEIR_TITLE)
        self.other_coordinator = UserFactory(groups=[Role.SCHOOL])
        self.other_school = SchoolFactory(coordinators=[self.other_coordinator])
        self.their_booking = BookingFactory(
            school=self.other_school, offering=other_offering, term=self.term,
            state=BookingState.AGREED, first_date=self.term.starts_on,
            last_date=self.term.ends_on)
        ScheduleEntryFactory(booking=self.their_booking, content=THEIR_TITLE,
                             date=self.term.starts_on + dt.timedelta(days=1))
        self.users = {
            "anonymous": None,
            "no_role": UserFactory(),
            "coordinator": self.coordinator,
            "other_coordinator": self.other_coordinator,
            "vendor": self.vendor,
            "other_vendor": self.other_vendor,
            "superuser": UserFactory(is_superuser=True, is_staff=True),
        }
        for actor, role in BUREAU_GROUPS.items():
            self.users[actor] = UserFactory(groups=[Group.objects.get(name=role)])
        self._made = {}

    def _once(self, key, make):
        if key not in self._made:
            self._made[key] = make()
        return self._made[key]

    # bookings in each state
    @property
    def agreed(self) -> Booking:
        """Agreed, with its sessions (Tuesdays from next week) and a service agreement."""
        def make():
            booking = agreed(self)
            ContractFactory(kind=ContractKind.SERVICE, provider=self.provider, booking=booking)
            return booking
        return self._once("agreed", make)

    @property
    def active(self) -> Booking:
        """The agreed booking moved on to active (as the daily task does)."""
        def make():
            booking = self.agreed
            Booking.objects.filter(pk=booking.pk).update(state=BookingState.ACTIVE)
            booking.refresh_from_db()
            return booking
        return self._once("active", make)

    @property
    def requested(self) -> Booking:
        return self._once("requested", lambda: self.book(
            slots=[Slot(4, dt.time(16, 0), dt.time(17, 0))]))

    @property
    def accepted(self) -> Booking:
        """Accepted, with its (unsigned) service agreement."""
        def make():
            booking = self.book(slots=[Slot(3, dt.time(16, 0), dt.time(17, 0))])
            services.accept_booking(booking, by=self.vendor, people=self.people)
            ContractFactory(kind=ContractKind.SERVICE, provider=self.provider, booking=booking)
            booking.refresh_from_db()
            return booking
        return self._once("accepted", make)

    @property
    def vendor_signed(self) -> Booking:
        """Accepted and signed by the provider: the school signs next."""
        def make():
            booking = self.accepted
            sign_service_agreement(booking.service_agreement(), by=self.vendor,
                                   party=SignatureParty.VENDOR, typed_name="供方签署人",
                                   consent=True, ip_address="127.0.0.1")
            return booking
        return self._once("vendor_signed", make)

    @property
    def session(self) -> ScheduleEntry:
        """The agreed booking's first session (next week)."""
        def make():
            entry = self.agreed.schedule.order_by("date").first()
            self.first_responsible = entry.responsible_id
            return entry
        return self._once("session", make)

    @property
    def past_session(self) -> ScheduleEntry:
        """A session dated today, so that it can be marked delivered or not."""
        def make():
            entry = self.agreed.schedule.order_by("date").last()
            ScheduleEntry.objects.filter(pk=entry.pk).update(date=timezone.localdate())
            entry.refresh_from_db()
            return entry
        return self._once("past_session", make)

    @property
    def feeds(self) -> dict:
        """The owners' calendar feeds, made before the probe."""
        return self._once("feeds", lambda: {
            "coordinator": CalendarFeed.objects.create(user=self.coordinator),
            "vendor": CalendarFeed.objects.create(user=self.vendor)})

    def pending_offering(self):
        return self._once("pending", lambda: OfferingFactory(provider=self.provider))


@pytest.fixture
def world():
    return PermWorld()


def log_in(client, world, actor):
    user = world.users[actor]
    if user is not None:
        client.force_login(user)


def body_text(response) -> str:
    """The text of a page or download, whatever its kind."""
    data = (b"".join(response.streaming_content) if response.streaming
            else response.content)
    kind = response.get("Content-Type", "")
    if kind.startswith("application/pdf"):
        reader = PdfReader(io.BytesIO(data))
        return "".join("".join(page.extract_text() for page in reader.pages).split())
    if "spreadsheetml" in kind:
        book = load_workbook(io.BytesIO(data), read_only=True)
        return "\n".join(str(cell) for sheet in book.worksheets
                         for row in sheet.iter_rows(values_only=True) for cell in row
                         if cell is not None)
    if kind.startswith("text/calendar"):
        return data.decode().replace("\r\n ", "")  # unfold long lines
    return data.decode()


def check_outcome(response, expected, probe):
    """Assert ``response`` is the ``expected`` outcome; the message names only the probe."""
    status = response.status_code
    if expected == LOGIN:
        assert status == 302, (probe, status)
        assert response.url.startswith(resolve_url(settings.LOGIN_URL) + "?next="), probe
        return
    if expected in (OWN, THEIRS, ALL, BUTTON, NO_BUTTON):
        assert status == 200, (probe, status)
        text = body_text(response)
        if expected in (OWN, THEIRS, ALL):
            ours, theirs = OUR_TITLE in text, THEIR_TITLE in text
            wanted = {OWN: (True, False), THEIRS: (False, True), ALL: (True, True)}[expected]
            assert (ours, theirs) == wanted, (
                probe, "own booking shown" if ours else "own booking missing",
                "other booking shown" if theirs else "other booking missing")
        else:
            has_button = 'data-testid="book"' in text
            assert has_button == (expected == BUTTON), probe
        return
    if expected == 200 and status == 302 and "X-Amz-Signature=" in response.get("Location", ""):
        return  # a private file on S3: the view answers with a short-lived signed URL
    assert status == expected, (probe, status)


# --- GET: every page and download × every actor -------------------------------------------

def _url(name, *args, query=""):
    def url(w):
        return reverse(name, args=[a(w) for a in args]) + query
    url.url_name = name
    return url


AGREED = lambda w: w.agreed.pk  # noqa: E731
SCHOOL_OWN = expect(coordinator=200)
VENDOR_OWN = expect(vendor=200)
SCHOOL_LIST = expect(coordinator=OWN, other_coordinator=THEIRS)
VENDOR_LIST = expect(vendor=OWN, other_vendor=THEIRS)
SCHOOL_POST_ONLY = expect(coordinator=405, other_coordinator=405)
VENDOR_POST_ONLY = expect(vendor=405, other_vendor=405)
BUREAU_READ = expect(LOGIN, editor=403, reviewer=ALL, checker=ALL, manager=ALL, superuser=ALL)

GET_MATRIX = {
    # public: the page for all, the 预约 button for coordinators (of any school) only
    "offering": (_url("offering", lambda w: w.offering.pk), expect(
        NO_BUTTON, anonymous=NO_BUTTON, coordinator=BUTTON, other_coordinator=BUTTON)),
    # an offering not yet verified is not public, not even to its vendor
    "offering_unverified": (_url("offering", lambda w: w.pending_offering().pk),
                            expect(404, anonymous=404)),
    # school portal
    "school_home": (_url("school:home"), SCHOOL_LIST),
    "school_book_form": (_url("school:book", lambda w: w.offering.pk),
                         expect(coordinator=200, other_coordinator=200)),
    "school_booking": (_url("school:booking", AGREED), expect(coordinator=OWN)),
    "school_booking_cancel": (_url("school:booking_cancel", AGREED), SCHOOL_POST_ONLY),
    "school_booking_sign": (_url("school:booking_sign", AGREED), SCHOOL_POST_ONLY),
    "school_schedule_week": (_url("school:schedule", query="?week={monday}"), SCHOOL_LIST),
    "school_schedule_term": (_url("school:schedule", query="?view=list"), SCHOOL_LIST),
    "school_session": (_url("school:session", lambda w: w.session.pk), SCHOOL_OWN),
    # vendor portal
    "vendor_inbox": (_url("vendor:bookings"), VENDOR_LIST),
    "vendor_inbox_agreed": (_url("vendor:bookings", query="?state=agreed"), VENDOR_LIST),
    "vendor_booking": (_url("vendor:booking", AGREED), expect(vendor=OWN)),
    "vendor_booking_decline": (_url("vendor:booking_decline", AGREED), VENDOR_POST_ONLY),
    "vendor_booking_cancel": (_url("vendor:booking_cancel", AGREED), VENDOR_POST_ONLY),
    "vendor_booking_sign": (_url("vendor:booking_sign", AGREED), VENDOR_POST_ONLY),
    "vendor_schedule_week": (_url("vendor:schedule", query="?week={monday}"), VENDOR_LIST),
    "vendor_schedule_term": (_url("vendor:schedule", query="?view=list"), VENDOR_LIST),
    # downloads and the calendar
    "school_schedule_pdf": (_url("schedule_pdf_school"), SCHOOL_LIST),
    "school_schedule_xlsx": (_url("schedule_xlsx_school"), SCHOOL_LIST),
    "school_schedule_xlsx_term": (_url("schedule_xlsx_school", query="?term={term}"),
                                  SCHOOL_LIST),
    "vendor_schedule_pdf": (_url("schedule_pdf_vendor"), VENDOR_LIST),
    "vendor_schedule_xlsx": (_url("schedule_xlsx_vendor"), VENDOR_LIST),
    "vendor_schedule_xlsx_term": (_url("schedule_xlsx_vendor", query="?term={term}"),
                                  VENDOR_LIST),
    "calendar_feed_page": (_url("calendar_feed_page"), expect(
        coordinator=200, other_coordinator=200, vendor=200, other_vendor=200)),
    "school_feed_renew": (_url("calendar_feed_renew_school"), expect(405, anonymous=405)),
    "vendor_feed_renew": (_url("calendar_feed_renew_vendor"), expect(405, anonymous=405)),
    # the bureau's screens in the admin: Wagtail sends users without admin access to log
    # in; the editor has admin access but not view_booking (403); reading needs
    # view_booking, cancelling (POST only) cancel_active_booking
    "bureau_bookings": (_url("bookings:index"), BUREAU_READ),
    "bureau_bookings_search": (_url("bookings:index", query="?q=权限矩阵"), BUREAU_READ),
    "bureau_bookings_results": (_url("bookings:index_results"), BUREAU_READ),
    "bureau_booking": (_url("bookings:inspect", AGREED), expect(
        LOGIN, editor=403, reviewer=OWN, checker=OWN, manager=OWN, superuser=OWN)),
    "bureau_booking_cancel": (_url("bookings:cancel", AGREED), expect(
        LOGIN, editor=403, reviewer=403, checker=403, manager=405, superuser=405)),
    # the booking's service agreement (files:contract): both parties, and the bureau staff
    # who may read contracts (manager: view_contract; the superuser holds every
    # permission)
    "service_agreement_pdf": (
        _url("files:contract", lambda w: w.agreed.service_agreement().pk),
        expect(coordinator=200, vendor=200, manager=200, superuser=200)),
}

GET_PROBES = [pytest.param(name, actor, id=f"{name}-{actor}")
              for name in GET_MATRIX for actor in ACTORS]


@pytest.mark.parametrize(("name", "actor"), GET_PROBES)
def test_get(client, world, name, actor):
    url_of, table = GET_MATRIX[name]
    first = world.agreed.schedule.order_by("date").first()
    url = url_of(world).format(monday=first.date - dt.timedelta(days=first.date.weekday()),
                               term=world.term.pk)
    before = snapshot(world)
    log_in(client, world, actor)
    check_outcome(client.get(url), table[actor], f"GET {name} as {actor}")
    assert changed_since(before, world) == [], f"GET {name} as {actor} changed the database"


# --- ids that do not exist ---------------------------------------------------------------

MISSING = 2**31 - 7
SCHOOL_404 = expect(coordinator=404, other_coordinator=404)
VENDOR_404 = expect(vendor=404, other_vendor=404)
MISSING_MATRIX = {
    "offering": ("get", "offering", expect(404, anonymous=404)),
    "school_book": ("get", "school:book", SCHOOL_404),
    "school_booking": ("get", "school:booking", SCHOOL_404),
    "school_booking_cancel": ("post", "school:booking_cancel", SCHOOL_404),
    "school_booking_sign": ("post", "school:booking_sign", SCHOOL_404),
    "school_session": ("get", "school:session", SCHOOL_404),
    "vendor_booking": ("get", "vendor:booking", VENDOR_404),
    "vendor_booking_decline": ("post", "vendor:booking_decline", VENDOR_404),
    "vendor_booking_cancel": ("post", "vendor:booking_cancel", VENDOR_404),
    "vendor_booking_sign": ("post", "vendor:booking_sign", VENDOR_404),
    "service_agreement_pdf": ("get", "files:contract", expect(404)),
    # The admin looks the booking up before it checks the permission: 404 for every user
    # with admin access (the portals check the role first).
    "bureau_booking": ("get", "bookings:inspect", expect(
        LOGIN, editor=404, reviewer=404, checker=404, manager=404, superuser=404)),
    "bureau_booking_cancel": ("post", "bookings:cancel", expect(
        LOGIN, editor=404, reviewer=404, checker=404, manager=404, superuser=404)),
}


@pytest.mark.parametrize(("name", "actor"), [
    pytest.param(name, actor, id=f"{name}-{actor}") for name in MISSING_MATRIX
    for actor in ACTORS])
def test_an_id_that_does_not_exist(client, world, name, actor):
    method, url_name, table = MISSING_MATRIX[name]
    log_in(client, world, actor)
    response = getattr(client, method)(reverse(url_name, args=[MISSING]))
    check_outcome(response, table[actor], f"{method.upper()} missing {name} as {actor}")


# --- POST: every action × every actor ---------------------------------------------------

def snapshot(world) -> dict:
    """Every row an action could change (the actor's own calendar feed aside: renewing
    it is each user's own business)."""
    owners = [world.coordinator.pk, world.vendor.pk]
    return {
        "bookings": sorted(Booking.objects.values_list(
            "pk", "state", "school_id", "offering_id", "first_date", "last_date")),
        "people": sorted(Booking.people.through.objects.values_list("booking_id",
                                                                     "person_id")),
        "contracts": sorted(Contract.objects.values_list("pk", "pdf", "pdf_sha256")),
        "signatures": sorted(Signature.objects.values_list("pk", "contract_id", "party",
                                                           "signer_id")),
        "sessions": sorted(ScheduleEntry.objects.values_list(
            "pk", "status", "status_reason", "status_by_id", "date", "starts_at", "ends_at",
            "responsible_id", "moved_from")),
        "feeds": sorted(CalendarFeed.objects.filter(user__in=owners).values_list(
            "user_id", "token")),
        "timeline": TimelineEntry.objects.count(),
        "side_effects": SideEffect.objects.count(),
    }


def changed_since(before: dict, world) -> list[str]:
    """The names of the tables that differ from ``before`` (names only: a failure prints
    no tokens, names or reasons)."""
    after = snapshot(world)
    return sorted(key for key in before if after[key] != before[key])


def _school_day_after(world, day: dt.date) -> dt.date:
    """The first school day after ``day`` that is not a Tuesday (no clash with the slot)."""
    day += dt.timedelta(days=1)
    while (calendar.timetable_weekday(day) in (None, TUE)
           or calendar.local_days_off(world.school, day, day)):
        day += dt.timedelta(days=1)
    assert day <= world.term.ends_on
    return day


def book_form(world) -> dict:
    return {
        "school": world.school.pk, "term": world.term.pk, "grade_from": 3, "grade_to": 4,
        "student_count": 25, "delivery": "in_school", "venue": world.venue.pk,
        "price_per_session": "150", "first_date": world.term.starts_on.isoformat(),
        "last_date": world.term.ends_on.isoformat(), "note": "",
        "slot-TOTAL_FORMS": 1, "slot-INITIAL_FORMS": 0, "slot-MIN_NUM_FORMS": 0,
        "slot-MAX_NUM_FORMS": 5,
        "slot-0-weekday": 5, "slot-0-starts_at": "16:00", "slot-0-ends_at": "17:00",
    }


def _session_state(entry):
    entry.refresh_from_db()
    return entry


SIGNED = {"typed_name": "签署人", "consent": "on"}


class Action:
    """One POST: its URL and data for a world, the expected status by actor, and what the
    owners' POST must have done (``owners``: the actors who may take it)."""

    def __init__(self, url, data, done, table, owners):
        self.url, self.data, self.done, self.table = url, data, done, table
        self.owners = owners


SCHOOL_ACTION = expect(coordinator=302)
VENDOR_ACTION = expect(vendor=302)
SCHOOL, VENDOR, BUREAU = ("coordinator",), ("vendor",), ("manager", "superuser")

ACTIONS = {
    "school_booking_cancel": Action(
        lambda w: reverse("school:booking_cancel", args=[w.agreed.pk]),
        lambda w: {"reason": "plan_changed", "comment": "", "state": "agreed"},
        lambda w: Booking.objects.get(pk=w.agreed.pk).state == BookingState.CANCELLED,
        SCHOOL_ACTION, SCHOOL),
    "school_booking_sign": Action(
        lambda w: reverse("school:booking_sign", args=[w.vendor_signed.pk]),
        lambda w: SIGNED,
        lambda w: (Booking.objects.get(pk=w.vendor_signed.pk).state == BookingState.AGREED
                   and w.vendor_signed.service_agreement().signed_by(SignatureParty.SCHOOL)
                   is not None),
        SCHOOL_ACTION, SCHOOL),
    # Any coordinator may open the form; one of another school cannot book for this one:
    # the form does not offer its school or venue (200, the form again, nothing made).
    "school_book": Action(
        lambda w: reverse("school:book", args=[w.offering.pk]),
        book_form,
        lambda w: Booking.objects.filter(school=w.school).count() == 1,
        expect(coordinator=302, other_coordinator=200), SCHOOL),
    "session_cancel": Action(
        lambda w: reverse("school:session", args=[w.session.pk]),
        lambda w: {"action": "cancel", "cancel-reason": "学校考试"},
        lambda w: _session_state(w.session).status == "cancelled",
        SCHOOL_ACTION, SCHOOL),
    "session_move": Action(
        lambda w: reverse("school:session", args=[w.session.pk]),
        lambda w: {"action": "move", "move-reason": "调课",
                   "move-date": _school_day_after(w, w.session.date).isoformat(),
                   "move-starts_at": "16:00", "move-ends_at": "17:00"},
        lambda w: _session_state(w.session).moved_from is not None,
        SCHOOL_ACTION, SCHOOL),
    "session_swap": Action(
        lambda w: reverse("school:session", args=[w.session.pk]),
        lambda w: {"action": "swap", "swap-reason": "换人",
                   "swap-person": next(p.pk for p in w.people
                                       if p.pk != w.session.responsible_id)},
        lambda w: _session_state(w.session).responsible_id != w.first_responsible,
        SCHOOL_ACTION, SCHOOL),
    "session_delivered": Action(
        lambda w: reverse("school:session", args=[w.past_session.pk]),
        lambda w: {"action": "delivered"},
        lambda w: _session_state(w.past_session).status == "delivered",
        SCHOOL_ACTION, SCHOOL),
    "session_not_delivered": Action(
        lambda w: reverse("school:session", args=[w.past_session.pk]),
        lambda w: {"action": "not_delivered", "not_delivered-reason": "学生外出"},
        lambda w: _session_state(w.past_session).status == "not_delivered",
        SCHOOL_ACTION, SCHOOL),
    "vendor_accept": Action(
        lambda w: reverse("vendor:booking", args=[w.requested.pk]),
        lambda w: {"people": [w.people[0].pk], "comment": "", "state": "requested"},
        lambda w: Booking.objects.get(pk=w.requested.pk).state == BookingState.ACCEPTED,
        VENDOR_ACTION, VENDOR),
    "vendor_decline": Action(
        lambda w: reverse("vendor:booking_decline", args=[w.requested.pk]),
        lambda w: {"reason": "no_capacity", "comment": "", "state": "requested"},
        lambda w: Booking.objects.get(pk=w.requested.pk).state == BookingState.DECLINED,
        VENDOR_ACTION, VENDOR),
    "vendor_cancel": Action(
        lambda w: reverse("vendor:booking_cancel", args=[w.agreed.pk]),
        lambda w: {"reason": "no_capacity", "comment": "", "state": "agreed"},
        lambda w: Booking.objects.get(pk=w.agreed.pk).state == BookingState.CANCELLED,
        VENDOR_ACTION, VENDOR),
    "vendor_sign": Action(
        lambda w: reverse("vendor:booking_sign", args=[w.accepted.pk]),
        lambda w: SIGNED,
        lambda w: w.accepted.service_agreement().signed_by(SignatureParty.VENDOR)
        is not None,
        VENDOR_ACTION, VENDOR),
    # Renewing replaces the poster's own feed only: another coordinator's renewal is
    # allowed (302) and must leave the world's coordinator's and vendor's feeds alone.
    "school_feed_renew": Action(
        lambda w: reverse("calendar_feed_renew_school"),
        lambda w: {},
        lambda w: CalendarFeed.objects.get(user=w.coordinator).token
        != w.feeds["coordinator"].token,
        expect(coordinator=302, other_coordinator=302), SCHOOL),
    "vendor_feed_renew": Action(
        lambda w: reverse("calendar_feed_renew_vendor"),
        lambda w: {},
        lambda w: CalendarFeed.objects.get(user=w.vendor).token != w.feeds["vendor"].token,
        expect(vendor=302, other_vendor=302), VENDOR),
    # The bureau's cancellation of an active booking (Wagtail sends users without admin
    # access to log in; the manager and the superuser may cancel).
    "bureau_cancel": Action(
        lambda w: reverse("bookings:cancel", args=[w.active.pk]),
        lambda w: {"reason": "service_problem", "comment": "", "expected_state": "active"},
        lambda w: Booking.objects.get(pk=w.active.pk).state == BookingState.CANCELLED,
        expect(LOGIN, editor=403, reviewer=403, checker=403, manager=302, superuser=302),
        BUREAU),
}
@pytest.mark.parametrize(("name", "actor"), [
    pytest.param(name, actor, id=f"{name}-{actor}") for name in ACTIONS for actor in ACTORS])
def test_post(client, world, name, actor):
    action = ACTIONS[name]
    world.feeds  # noqa: B018 - the owners' feeds exist before every action
    url, data = action.url(world), action.data(world)
    before = snapshot(world)
    log_in(client, world, actor)
    probe = f"POST {name} as {actor}"
    check_outcome(client.post(url, data), action.table[actor], probe)
    if actor in action.owners:
        assert action.done(world), f"{probe}: the owner's action did nothing"
        assert changed_since(before, world) != [], probe
    else:
        assert changed_since(before, world) == [], f"{probe} changed the database"
        assert not action.done(world), f"{probe} did the owner's action"


# --- the calendar feed: the token is the key --------------------------------------------

FEED_MATRIX = {
    "coordinator": OWN, "other_coordinator": THEIRS, "vendor": OWN, "other_vendor": THEIRS,
    # a feed row of someone with no school or provider role shows nothing at all
    "reviewer": 404, "manager": 404, "superuser": 404, "no_role": 404,
    "unknown": 404, "replaced": 404,
}


@pytest.mark.parametrize("owner", FEED_MATRIX)
def test_calendar_feed_by_token(client, world, owner):
    world.agreed  # noqa: B018 - our booking and its sessions exist
    if owner == "unknown":
        token = "x" * 43
    elif owner == "replaced":
        feed = world.feeds["coordinator"]
        token = feed.token
        feed.renew()
    else:
        token = CalendarFeed.objects.create(user=world.users[owner]).token
    response = client.get(reverse("calendar_feed", args=[token]))
    check_outcome(response, FEED_MATRIX[owner], f"GET calendar feed of {owner}")


# --- the booking API: what tests/test_booking_api.py does not cover ------------------------
# That file's matrix covers anonymous, coordinator, other_coordinator, vendor,
# other_vendor and reviewer on the reading and request endpoints; here the other roles,
# and the write methods the read-only endpoints must refuse for everyone.

API_READ = {
    "school_list": ("get", lambda w: "/api/school/bookings/"),
    "school_detail": ("get", lambda w: f"/api/school/bookings/{w.agreed.pk}/"),
    "school_request": ("post", lambda w: "/api/school/bookings/"),
    "school_schedule": ("get", lambda w: "/api/school/schedule/"),
    "vendor_list": ("get", lambda w: "/api/vendor/bookings/"),
    "vendor_detail": ("get", lambda w: f"/api/vendor/bookings/{w.agreed.pk}/"),
}
API_OTHER_ACTORS = ("no_role", "checker", "manager", "editor", "superuser")


def api_payload(world) -> dict:
    return {
        "school": world.school.pk, "offering": world.offering.pk, "term": world.term.pk,
        "grade_from": 3, "grade_to": 4, "student_count": 25, "delivery": "in_school",
        "venue": world.venue.pk, "price_per_session": "150.00",
        "first_date": world.term.starts_on.isoformat(),
        "last_date": world.term.ends_on.isoformat(),
        "slots": [{"weekday": 5, "starts_at": "16:00", "ends_at": "17:00"}],
    }


@pytest.mark.parametrize(("name", "actor"), [
    pytest.param(name, actor, id=f"{name}-{actor}") for name in API_READ
    for actor in API_OTHER_ACTORS])
def test_api_other_roles(client, world, name, actor):
    method, url_of = API_READ[name]
    url = url_of(world)
    before = snapshot(world)
    log_in(client, world, actor)
    if method == "post":
        response = client.post(url, json.dumps(api_payload(world)),
                               content_type="application/json")
    else:
        response = client.get(url)
    check_outcome(response, 403, f"API {name} as {actor}")
    assert changed_since(before, world) == [], f"API {name} as {actor} changed the database"


API_WRITES = {
    "school_detail_put": ("put", "school"),
    "school_detail_patch": ("patch", "school"),
    "school_detail_delete": ("delete", "school"),
    "vendor_detail_put": ("put", "vendor"),
    "vendor_detail_patch": ("patch", "vendor"),
    "vendor_detail_delete": ("delete", "vendor"),
    "vendor_list_post": ("post", "vendor"),
}


@pytest.mark.parametrize(("name", "actor"), [
    pytest.param(name, actor, id=f"{name}-{actor}") for name in API_WRITES
    for actor in ACTORS])
def test_api_refuses_writes_to_read_only_endpoints(client, world, name, actor):
    method, side = API_WRITES[name]
    booking = world.agreed
    url = (f"/api/{side}/bookings/" if name.endswith("list_post")
           else f"/api/{side}/bookings/{booking.pk}/")
    holders = (("coordinator", "other_coordinator") if side == "school"
               else ("vendor", "other_vendor"))
    expected = 405 if actor in holders else 403
    before = snapshot(world)
    log_in(client, world, actor)
    response = getattr(client, method)(
        url, json.dumps({"state": "cancelled", "school": world.other_school.pk}),
        content_type="application/json")
    check_outcome(response, expected, f"API {name} as {actor}")
    assert changed_since(before, world) == [], f"API {name} as {actor} changed the database"


# --- the count ---------------------------------------------------------------------------

def test_every_booking_url_is_in_the_get_matrix():
    """Each URL of the school portal, the vendor's booking pages, the schedule downloads
    and the bureau's booking screens is probed (the feed by token has its own test): a new
    URL fails here until it is added to the matrix."""
    from django.urls import get_resolver

    from marketplace.booking.bureau_admin import BookingViewSet

    probed = {url_of.url_name for url_of, _table in GET_MATRIX.values()} | {"calendar_feed"}
    school = {f"school:{p.name}" for p in get_resolver("marketplace.urls.school").url_patterns}
    exports = {p.name for p in get_resolver("marketplace.urls.booking_exports").url_patterns}
    vendor = {f"vendor:{p.name}" for p in get_resolver("marketplace.urls.vendor").url_patterns
              if str(p.pattern).startswith(("bookings", "schedule"))}
    bureau = {f"bookings:{p.name}" for p in BookingViewSet().get_urlpatterns()}
    assert len(bureau) == 4
    assert school | exports | vendor | bureau | {"offering", "files:contract"} <= probed
