"""Benchmark of school booking (预约) at district scale, on PostgreSQL.

a) The race for the last free slot, through the real HTTP stack: gunicorn serves the
   project (``config/gunicorn.py``, 4 workers × 4 threads by default, Celery eager, no
   broker). A provider has three cleared people; two of them are already booked on
   Tuesday and on Wednesday 16:00–17:00, so exactly one group is free at each time. 100
   coordinators of 100 schools log in, and all at the same moment ask for that slot:
   Tuesday through the booking form (``/school/book/<offering>/`` with its CSRF token),
   Wednesday through the API (``POST /api/school/bookings/``). Exactly one request may
   win each round; the 99 others must be told the staffing reason; none may fail.
b) The school schedule with 400 schools × 10 bookings × 15 sessions (60,000 sessions,
   bulk-created): SQL queries and time (median of 20) of the week view, the month list
   and the school home page, in process with Django's test client, for a coordinator of
   one school and a coordinator of ten. The query counts must be equal.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python tests/bench/bench_booking.py [--pg-database bench_booking]

The script creates its own database on the server ``DATABASE_URL`` points at and drops
it at the end (``--keep`` keeps it). It refuses SQLite: there row locks do not exist
(a writer locks the whole file), so the race says nothing about the production database.
Figures are printed, never asserted; the last line is ``summary: key=value …``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
PASSWORD = "bench-pass-2026"
RACE_TIME = (dt.time(16, 0), dt.time(17, 0))
FORM_WEEKDAY, API_WEEKDAY = 2, 3  # Tuesday through the form, Wednesday through the API
STAFF = 3  # cleared people of the raced provider; STAFF - 1 groups are already booked


# --- the database -----------------------------------------------------------------------
class BenchDatabase:
    """A database of its own on the PostgreSQL server ``DATABASE_URL`` points at."""

    def __init__(self, base_url: str, name: str):
        scheme = urlsplit(base_url).scheme if base_url else "sqlite"
        if not scheme.startswith("postgres"):
            raise SystemExit(
                "This benchmark needs PostgreSQL (DATABASE_URL=postgres://…): it measures "
                "row locks under concurrent requests, and SQLite has none (one writer locks "
                f"the whole file), so a run on {scheme!r} would be meaningless.")
        self.base_url, self.name = base_url, name
        self.url = urlunsplit(urlsplit(base_url)._replace(path=f"/{name}"))

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.base_url, autocommit=True) as conn:
            conn.execute(sql)

    def create(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self._admin(f"CREATE DATABASE \"{self.name}\" ENCODING 'UTF8' TEMPLATE template0")

    def drop(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


# --- building the district --------------------------------------------------------------
@dataclass
class World:
    term: object = None
    offering: object = None
    race_users: list = field(default_factory=list)  # (username, school id, venue id)
    one_school: object = None  # coordinator of one school
    ten_schools: object = None  # coordinator of ten schools


def _users(prefix: str, count: int, group: str):
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from marketplace.models import User

    hashed = make_password(PASSWORD)
    users = User.objects.bulk_create(
        User(username=f"{prefix}{n:04d}", email=f"{prefix}{n:04d}@bench.example.cn",
             first_name=f"{prefix}{n}", password=hashed) for n in range(count))
    group = Group.objects.get(name=group)
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=u.pk, group_id=group.pk) for u in users)
    return users


def _schools(prefix: str, users, town, per_user: int = 1):
    """One school (with two venues) per user, or ``per_user`` schools for each."""
    from marketplace.models import School, Venue

    schools = School.objects.bulk_create(
        School(name=f"滨江区{prefix}第{n + 1}小学", town=town, level="primary",
               address="滨江区育才路1号") for n in range(len(users) * per_user))
    School.coordinators.through.objects.bulk_create(
        School.coordinators.through(school_id=s.pk, user_id=users[n // per_user].pk)
        for n, s in enumerate(schools))
    venues = Venue.objects.bulk_create(
        Venue(school=s, name=name, capacity=50) for s in schools for name in ("科技教室", "操场"))
    return schools, venues


def build_schedule(world: World, n_schools: int, per_school: int, sessions: int) -> dict:
    """``n_schools`` schools with ``per_school`` agreed or running bookings each, every
    booking with ``sessions`` weekly sessions, all written in bulk."""
    from django.db import transaction
    from django.utils import timezone

    from marketplace.booking import calendar
    from marketplace.models import Booking, BookingSlot, ScheduleEntry, SessionStatus
    from tests.factories import OfferingFactory, PersonFactory, ProviderFactory, TownFactory
    from workflows.booking import BookingState

    today = timezone.localdate()
    counts = {}
    with transaction.atomic():
        town = TownFactory(name="城关街道")
        # School 0 has its own coordinator (one school); schools 1..10 share another.
        singles = _users("coord", n_schools - 10, "school_coordinator")
        ten = _users("tenschools", 1, "school_coordinator")
        schools, venues = _schools("基准", singles, town)
        more, more_venues = _schools("十校", ten, town, per_user=10)
        schools, venues = schools + more, venues + more_venues
        world.one_school, world.ten_schools = singles[0], ten[0]
        owner_of = {s.pk: singles[n] if n < len(singles) else ten[0]
                    for n, s in enumerate(schools)}
        venue_of = {s.pk: [v for v in venues if v.school_id == s.pk] for s in schools}

        providers = [ProviderFactory(listed=True) for _ in range(40)]
        offerings = [OfferingFactory(provider=p, verified=True, title=f"{subject}兴趣课")
                     for p in providers for subject in ("篮球", "编程")]
        people = {p.pk: PersonFactory(provider=p) for p in providers}

        dates = {w: calendar.session_dates(None, world.term.starts_on, world.term.ends_on, w)
                 for w in range(1, 6)}
        times = [(dt.time(15, 30), dt.time(16, 30)), (dt.time(16, 40), dt.time(17, 40))]
        bookings, plans = [], []
        for n, school in enumerate(schools):
            for j in range(per_school):
                offering = offerings[(n * per_school + j) % len(offerings)]
                weekday, (start, end) = 1 + j % 5, times[(j // 5) % 2]
                days = dates[weekday][:sessions]
                venue = venue_of[school.pk][j // 5 % 2]
                state = BookingState.CANCELLED if j == per_school - 1 else BookingState.ACTIVE
                bookings.append(Booking(
                    school=school, offering=offering, term=world.term, delivery="in_school",
                    venue=venue, place=f"{school.name} {venue.name}", grade_from=3,
                    grade_to=5, student_count=25, price_per_session=Decimal("120"),
                    first_date=days[0], last_date=days[-1], requested_by=owner_of[school.pk],
                    state=state))
                plans.append((weekday, start, end, days, offering))
        bookings = Booking.objects.bulk_create(bookings, batch_size=1000)
        BookingSlot.objects.bulk_create(
            (BookingSlot(booking=b, weekday=w, starts_at=s, ends_at=e)
             for b, (w, s, e, _d, _o) in zip(bookings, plans, strict=True)), batch_size=2000)
        entries = []
        for b, (_w, start, end, days, offering) in zip(bookings, plans, strict=True):
            for k, day in enumerate(days):
                if day < today:
                    status = SessionStatus.NOT_DELIVERED if k % 12 == 5 else \
                        SessionStatus.DELIVERED
                elif b.state == BookingState.CANCELLED:
                    status = SessionStatus.CANCELLED
                else:
                    status = SessionStatus.PLANNED
                entries.append(ScheduleEntry(
                    booking=b, date=day, starts_at=start, ends_at=end, content=offering.title,
                    venue=b.place, form="进校服务", responsible=people[offering.provider_id],
                    status=status))
        ScheduleEntry.objects.bulk_create(entries, batch_size=5000)
    counts.update(schools=len(schools), bookings=len(bookings), sessions=len(entries))
    return counts


def build_race(world: World, n_requests: int) -> None:
    """One provider with ``STAFF`` cleared people, ``STAFF - 1`` of them booked at the
    raced times by other schools, and ``n_requests`` schools whose coordinators race."""
    from django.db import transaction
    from django.utils import timezone

    from marketplace.booking import services
    from marketplace.booking.clashes import Slot
    from marketplace.models import Town
    from tests.factories import (
        BackgroundCheckFactory,
        OfferingFactory,
        PersonFactory,
        ProviderFactory,
        UserFactory,
    )

    today = timezone.localdate()
    with transaction.atomic():
        town = Town.objects.get(name="城关街道")
        vendor = UserFactory(groups=["vendor"])
        provider = ProviderFactory(listed=True, owner=vendor, name="滨江区星火科技培训学校")
        for _ in range(STAFF):
            BackgroundCheckFactory(person=PersonFactory(provider=provider),
                                   checked_on=today - dt.timedelta(days=30))
        world.offering = OfferingFactory(provider=provider, verified=True, title="机器人编程",
                                         capacity=30, price_per_session=Decimal("150"))
        holders = _users("holder", STAFF - 1, "school_coordinator")
        schools, venues = _schools("已约", holders, town)
        for user, school in zip(holders, schools, strict=True):
            services.request_booking(services.Request(
                school=school, offering=world.offering, term=world.term, grade_from=3,
                grade_to=4, student_count=25, price_per_session=Decimal("150"),
                first_date=today + dt.timedelta(days=1), last_date=world.term.ends_on,
                slots=[Slot(FORM_WEEKDAY, *RACE_TIME), Slot(API_WEEKDAY, *RACE_TIME)],
                venue=venues[schools.index(school) * 2]), by=user)
        racers = _users("race", n_requests, "school_coordinator")
        schools, venues = _schools("竞约", racers, town)
        world.race_users = [(u.username, s.pk, venues[n * 2].pk)
                            for n, (u, s) in enumerate(zip(racers, schools, strict=True))]


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- the server -------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with the project's own configuration file."""

    def __init__(self, env: dict, workdir: Path, workers: int, threads: int):
        self.port = free_port()
        self.log = workdir / "gunicorn.log"
        env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}",
               "WEB_CONCURRENCY": str(workers), "GUNICORN_THREADS": str(threads)}
        command = [str(VENV_BIN / "gunicorn"), "config.wsgi:application",
                   "--config", str(ROOT / "config" / "gunicorn.py"), "--chdir", str(ROOT)]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log,
                                            stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{self.port}"
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60) -> None:
        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if requests.get(self.base + "/health/live/", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.3)
        self.stop()
        raise SystemExit(f"gunicorn did not start; its log:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def error_lines(self) -> list[str]:
        text = self.log.read_text(errors="replace")
        return [line for line in text.splitlines()
                if "Traceback" in line or "Internal Server Error" in line
                or re.search(r'" 5\d\d ', line)]


# --- the race ---------------------------------------------------------------------------
def log_in(base: str, username: str):
    """A browser-like session of one coordinator, logged in through the login form."""
    import requests

    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=60)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(f"{base}/accounts/login/", timeout=60, allow_redirects=False,
                            data={"username": username, "password": PASSWORD,
                                  "csrfmiddlewaretoken": token})
    if response.status_code != 302:
        raise SystemExit(f"log-in of {username} answered {response.status_code}")
    return session


def staffing_message(weekday: int) -> str:
    """The refusal a request for a fully staffed slot must get, in Chinese."""
    from django.utils import translation
    from django.utils.translation import gettext

    from marketplace.booking.clashes import Slot

    with translation.override("zh-hans"):
        return gettext(
            "The provider has no free person on %(slot)s: its %(n)s cleared people are "
            "all booked then. Choose another time.") % {
            "slot": Slot(weekday, *RACE_TIME).label(), "n": STAFF}


@dataclass
class Round:
    label: str
    statuses: list = field(default_factory=list)
    latencies: list = field(default_factory=list)
    outcomes: list = field(default_factory=list)  # booked, refused, other, error, no answer
    unexpected: list = field(default_factory=list)  # status and start of each such answer
    wall: float = 0.0
    created: int = 0

    def count(self, outcome: str) -> int:
        return self.outcomes.count(outcome)

    def pct(self, q: int) -> float:
        return statistics.quantiles(self.latencies, n=100)[q - 1] * 1000


def race(world: World, sessions: list, base: str, via: str) -> Round:
    """Every coordinator asks for the same slot at the same moment (a barrier releases
    all threads together); each request is classified by its answer."""
    from django.utils import timezone

    weekday = FORM_WEEKDAY if via == "form" else API_WEEKDAY
    message = staffing_message(weekday)
    first = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    last = world.term.ends_on.isoformat()
    offering = world.offering.pk
    prepared = []
    for session, (_username, school, venue) in zip(sessions, world.race_users, strict=True):
        common = {"school": school, "term": world.term.pk, "grade_from": 3, "grade_to": 4,
                  "student_count": 25, "delivery": "in_school", "venue": venue,
                  "price_per_session": "150", "first_date": first, "last_date": last,
                  "note": "基准测试"}
        if via == "form":
            page = session.get(f"{base}/school/book/{offering}/", timeout=60)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
            data = {**common, "csrfmiddlewaretoken": token, "slot-TOTAL_FORMS": 3,
                    "slot-INITIAL_FORMS": 0, "slot-MIN_NUM_FORMS": 0, "slot-MAX_NUM_FORMS": 5,
                    "slot-0-weekday": weekday, "slot-0-starts_at": "16:00",
                    "slot-0-ends_at": "17:00"}
            prepared.append(lambda s=session, d=data: s.post(
                f"{base}/school/book/{offering}/", data=d, allow_redirects=False, timeout=120))
        else:
            body = {**common, "offering": offering,
                    "slots": [{"weekday": weekday, "starts_at": "16:00", "ends_at": "17:00"}]}
            headers = {"X-CSRFToken": session.cookies["csrftoken"]}
            prepared.append(lambda s=session, b=body, h=headers: s.post(
                f"{base}/api/school/bookings/", json=b, headers=h, timeout=120))

    # Each raced request opens a new connection: a kept-alive one the server closes after
    # its keep-alive timeout (config/gunicorn.py: 5 s) could be closed just as the request
    # is sent, which would be a client-side failure, not the server's.
    for session in sessions:
        session.close()
    result = Round(via)
    barrier = threading.Barrier(len(prepared) + 1)
    lock = threading.Lock()

    def fire(send) -> None:
        barrier.wait()
        started = time.perf_counter()
        try:
            response = send()
            status, text = response.status_code, html.unescape(response.text)
        except Exception as exc:  # noqa: BLE001 - a dropped connection is a failure too
            status, text = 0, repr(exc)
        elapsed = time.perf_counter() - started
        if status >= 500:
            outcome = "error"
        elif status == 0:
            outcome = "no answer"
        elif (via == "form" and status == 302 and "/school/bookings/" in
              response.headers.get("Location", "")) or (via == "api" and status == 201):
            outcome = "booked"
        elif status in (200, 400) and message in text:
            outcome = "refused"
        else:
            outcome = "other"
        with lock:
            if outcome in ("other", "error", "no answer"):
                result.unexpected.append(f"{status} {text[:300]}")
            result.statuses.append(status)
            result.latencies.append(elapsed)
            result.outcomes.append(outcome)

    threads = [threading.Thread(target=fire, args=(send,)) for send in prepared]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    result.wall = time.perf_counter() - started

    from marketplace.models import Booking

    result.created = Booking.objects.filter(
        offering=world.offering, slots__weekday=weekday,
        school__coordinators__username__startswith="race").distinct().count()
    return result


# --- the schedule pages -----------------------------------------------------------------
PAGES = [("week view", "/school/schedule/"), ("month list", "/school/schedule/?view=list"),
         ("school home", "/school/")]


def measure_pages(user, repeat: int) -> dict[str, tuple[int, float, int]]:
    """``(queries, median ms, bytes)`` of each page for ``user``, in process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    figures = {}
    for label, url in PAGES:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        count = len(queries)  # read now: the next request empties the query log
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - started)
        figures[label] = (count, statistics.median(times) * 1000, len(response.content))
    return figures


# --- the run ----------------------------------------------------------------------------
def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100, help="coordinators racing")
    parser.add_argument("--schools", type=int, default=400)
    parser.add_argument("--bookings-per-school", type=int, default=10)
    parser.add_argument("--sessions", type=int, default=15, help="per booking")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--repeat", type=int, default=20, help="requests per page timed")
    parser.add_argument("--pg-database", default="bench_booking",
                        help="database the script creates and drops on the server")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if args.schools < 11 or args.bookings_per_school < 2:
        parser.error("at least 11 schools (one coordinator has ten) and 2 bookings each")
    return args


def main() -> None:  # noqa: C901 - one straight run, printed as it goes
    args = parse_args()
    database = BenchDatabase(os.environ.get("DATABASE_URL", ""), args.pg_database)
    workdir = Path(tempfile.mkdtemp(prefix="bench-booking-"))
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": database.url,
        "VAR_DIR": str(workdir), "CACHE_URL": "locmemcache://bench", "CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": "memory://", "CELERY_TASK_ALWAYS_EAGER": "true",
        "EMAIL_URL": "dummymail://", "LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    })
    sys.path.insert(0, str(ROOT))
    server = None
    try:
        import django

        parts = urlsplit(database.url)
        print(f"Booking benchmark on PostgreSQL {parts.hostname}:{parts.port or 5432}/"
              f"{database.name}; {os.cpu_count()} CPUs; load average (1 min) "
              f"{os.getloadavg()[0]:.2f}")
        started = time.perf_counter()
        database.create()
        django.setup()
        from django.core.management import call_command
        from django.db import connections
        from django.utils import timezone

        from marketplace.models import Term

        call_command("migrate", interactive=False, verbosity=0)
        migrated = time.perf_counter() - started
        today = timezone.localdate()
        monday = today - dt.timedelta(days=today.weekday())
        world = World(term=Term.objects.create(
            name=f"基准学期{today:%Y%m%d}", starts_on=monday - dt.timedelta(weeks=4),
            ends_on=monday + dt.timedelta(weeks=18)))
        started = time.perf_counter()
        built = build_schedule(world, args.schools, args.bookings_per_school, args.sessions)
        build_race(world, args.requests)
        analyze()
        print(f"Build: {time.perf_counter() - started:.1f} s (+ {migrated:.1f} s create and "
              f"migrate): {built['schools']} schools, {built['bookings']} bookings, "
              f"{built['sessions']} sessions; race: {args.requests} schools, {STAFF} cleared "
              f"people, {STAFF - 1} already booked at each raced time")
        connections.close_all()

        # a) the race -------------------------------------------------------------------
        server = Server(dict(os.environ), workdir, args.workers, args.threads)
        print(f"\na) {args.requests} simultaneous requests for the last free group, gunicorn "
              f"{args.workers} workers × {args.threads} threads (config/gunicorn.py)")
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=8) as pool:
            sessions = list(pool.map(lambda u: log_in(server.base, u[0]), world.race_users))
        print(f"  {len(sessions)} coordinators logged in through /accounts/login/ in "
              f"{time.perf_counter() - started:.1f} s")
        rounds = [race(world, sessions, server.base, "form"), race(world, sessions,
                                                                   server.base, "api")]
        connections.close_all()
        errors = server.error_lines()
        server.stop()
        server = None
        print(f"  {'path':<40}{'booked':>7}{'refused':>8}{'other':>6}{'5xx':>5}"
              f"{'none':>5}{'in db':>6}{'wall s':>7}{'p50 ms':>7}{'p95 ms':>7}")
        for r, what in zip(rounds, ("form  POST /school/book/<id>/ (Tue)",
                                    "API   POST /api/school/bookings/ (Wed)"), strict=True):
            print(f"  {what:<40}{r.count('booked'):>7}{r.count('refused'):>8}"
                  f"{r.count('other'):>6}{r.count('error'):>5}{r.count('no answer'):>5}"
                  f"{r.created:>6}{r.wall:>7.2f}{r.pct(50):>7.0f}{r.pct(95):>7.0f}")
            for answer in sorted(set(r.unexpected))[:5]:
                print(f"    unexpected: {answer}")
        print(f"  server log: {len(errors)} error lines" + (
            ":\n    " + "\n    ".join(errors[:10]) if errors else ""))

        # b) the schedule pages ---------------------------------------------------------
        print(f"\nb) School pages over {built['sessions']} sessions, in process (queries, "
              f"median of {args.repeat} in ms, size); load average (1 min) "
              f"{os.getloadavg()[0]:.2f}")
        one = measure_pages(world.one_school, args.repeat)
        ten = measure_pages(world.ten_schools, args.repeat)
        print(f"  {'page':<34}{'1 school':>22}{'10 schools':>22}")
        for label, url in PAGES:
            q1, ms1, b1 = one[label]
            q10, ms10, b10 = ten[label]
            flag = "" if q1 == q10 else "   <- queries grow with bookings"
            print(f"  {label + ' ' + url:<34}{q1:>5} q {ms1:>7.1f} ms {b1 // 1024:>4} KB"
                  f"{q10:>5} q {ms10:>7.1f} ms {b10 // 1024:>4} KB{flag}")

        form, api = rounds
        week1, week10 = one["week view"], ten["week view"]
        constant = all(one[label][0] == ten[label][0] for label, _ in PAGES)
        print("\nsummary: " + " ".join(f"{k}={v}" for k, v in [
            ("concurrent_requests", args.requests),
            ("bookings", form.created), ("refusals", form.count("refused")),
            ("server_errors", form.count("error")), ("no_answer", form.count("no answer")),
            ("p50_ms", f"{form.pct(50):.0f}"), ("p95_ms", f"{form.pct(95):.0f}"),
            ("wall_s", f"{form.wall:.2f}"),
            ("api_bookings", api.created), ("api_refusals", api.count("refused")),
            ("api_server_errors", api.count("error")),
            ("api_no_answer", api.count("no answer")),
            ("api_p50_ms", f"{api.pct(50):.0f}"), ("api_p95_ms", f"{api.pct(95):.0f}"),
            ("sessions", built["sessions"]),
            ("schedule_queries", week1[0]), ("schedule_queries_10_schools", week10[0]),
            ("schedule_ms", f"{week1[1]:.0f}"), ("schedule_ms_10_schools", f"{week10[1]:.0f}"),
            ("list_queries", one["month list"][0]), ("list_ms", f"{one['month list'][1]:.0f}"),
            ("list_ms_10_schools", f"{ten['month list'][1]:.0f}"),
            ("home_queries", one["school home"][0]), ("home_ms", f"{one['school home'][1]:.0f}"),
            ("queries_constant", "yes" if constant else "no"),
        ]))
    finally:
        if server is not None:
            server.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001, S110 - Django may not be set up yet
            pass
        if not args.keep:
            database.drop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
