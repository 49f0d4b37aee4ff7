"""Benchmark of the public catalogue (服务资源目录) at district scale.

Builds a fresh database with 1,000 listed providers and 5,000 reviewed offerings, serves
it with one gunicorn worker and measures requests per second and latency of the
catalogue page, a search and a filtered list against a bare Django view, with the
catalogue cache and without it. Then checks end to end that unpublishing a provider's
page removes its offering from the cached search results, and prints the SQL queries
of one catalogue request, uncached and cached, at small and at full size.

    .venv/bin/python tests/bench/bench_catalogue.py [--providers 1000] [--offerings 5000]
                                                   [--seconds 6]

SQLite in a temporary directory by default; with ``DATABASE_URL`` pointing at PostgreSQL
the script creates (and afterwards drops) its own database on that server. The cached
run uses Redis (``--redis-url``) when it answers, otherwise the default local-memory
cache, and then skips the invalidation check: a local-memory cache lives in one process.
The figures are printed, never asserted: see tests/bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
SETTINGS = "tests.bench.settings"
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"
DEFAULT_PG_NAME = "bench_catalogue"
SMALL_PROVIDERS = 10  # the "small N" of the query-count comparison
NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

SEARCH_TERM = "剪纸"
ENDPOINTS = [
    ("bare view", "/bare/"),
    ("catalogue", "/catalogue/"),
    (f"search q={SEARCH_TERM}", f"/catalogue/?q={quote(SEARCH_TERM)}"),
    ("filter sports, grade 5, -price", "/catalogue/?category=sports&grade=5&sort=-price"),
]
# One offering carries a title no other row shares, to follow it through the cache.
UNIQUE_TITLE = "鲸歌星图天文夜观营"
# Offerings every catalogue size has, so that each endpoint finds something even in the
# small catalogue of the query-count comparison: (category, subject, title, first grade).
ANCHORS = [
    ("science", "天文观测", UNIQUE_TITLE, 4),
    ("heritage", "剪纸", "非遗剪纸体验课", 3),
    ("sports", "篮球", "青少年篮球训练营", 5),
]

# --- word lists for realistic names and titles ------------------------------------------
TOWNS = ["城关街道", "江湾镇", "滨海街道", "文昌街道", "望江街道", "新塘镇", "白沙镇",
         "梅林镇", "桃源街道", "临江镇"]
ROADS = ["人民路", "解放路", "江滨大道", "文昌路", "学院路", "建设路", "望江路", "育才路"]
SUBJECTS = {
    "moral": ["红色故事", "文明礼仪", "国旗护卫", "法治小课堂", "家风家训"],
    "reading": ["绘本阅读", "经典诵读", "整本书阅读", "读书会", "演讲与口才"],
    "technology": ["编程", "机器人", "无人机", "3D打印", "人工智能", "Python编程"],
    "science": ["科学实验", "天文观测", "趣味物理", "昆虫观察", "地质探秘"],
    "sports": ["篮球", "足球", "羽毛球", "乒乓球", "武术", "跳绳", "田径", "游泳"],
    "arts": ["合唱", "书法", "国画", "陶艺", "舞蹈", "戏剧", "管乐", "素描"],
    "labour": ["木工", "烹饪", "种植", "缝纫", "非遗竹编"],
    "safety": ["消防安全", "防溺水", "交通安全", "防震演练"],
    "mental_health": ["心理团辅", "情绪管理", "沙盘游戏", "生涯启蒙"],
    "heritage": ["剪纸", "皮影", "扎染", "泥塑", "越剧", "非遗剪纸"],
    "ecology": ["湿地观鸟", "垃圾分类", "自然笔记", "植物认知"],
    "film": ["微电影", "动画制作", "影视欣赏", "摄影"],
    "first_aid": ["心肺复苏", "急救包扎", "卫生健康"],
    "homework": ["作业辅导", "学习习惯", "课后答疑"],
    "other": ["围棋", "国际象棋", "魔方", "桥牌"],
}
PREFIXES = ["", "", "少儿", "青少年", "趣味", "校园", "创意", "阳光", "小小"]
SUFFIXES = ["入门", "提高班", "训练营", "工作坊", "社团", "兴趣课", "精品课", "体验课", "课程"]
NAME_ROOTS = ["星火", "启航", "青禾", "远山", "知行", "晨曦", "博雅", "锦程", "金桥", "新苗",
              "翰墨", "未来", "蓝天", "海韵", "清源"]
FIELDS = ["艺术", "体育", "科技", "文化", "教育", "研学", "非遗", "音乐"]
ORG_SUFFIX = {"institution": ["培训学校", "教育中心", "培训中心"],
              "venue": ["青少年活动中心", "科普基地", "体育馆", "实践基地"]}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
KINDS = ["institution"] * 40 + ["venue"] * 10 + ["professional"] * 25 \
    + ["retired_teacher"] * 15 + ["volunteer"] * 10
DELIVERIES = ["in_school"] * 6 + ["at_venue"] * 3 + ["online"]


# --- the database -----------------------------------------------------------------------
class BenchDatabase:
    """A throw-away database: a SQLite file in the run's directory, or a database of
    its own on the PostgreSQL server that ``DATABASE_URL`` points at."""

    def __init__(self, base_url: str, workdir: Path, pg_name: str):
        self.base_url = base_url
        self.pg_name = pg_name
        scheme = urlsplit(base_url).scheme if base_url else "sqlite"
        if scheme.startswith("postgres"):
            self.vendor = "postgresql"
            self.url = urlunsplit(urlsplit(base_url)._replace(path=f"/{pg_name}"))
        elif scheme == "sqlite":
            self.vendor = "sqlite"
            self.url = f"sqlite:///{workdir / 'bench.sqlite3'}"
        else:
            raise SystemExit(f"Only SQLite and PostgreSQL are supported, not {scheme!r}.")

    @property
    def label(self) -> str:
        if self.vendor == "sqlite":
            return "SQLite (temporary file)"
        parts = urlsplit(self.url)
        return f"PostgreSQL {parts.hostname}:{parts.port or 5432}/{self.pg_name}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.base_url, autocommit=True) as conn:
            conn.execute(sql)

    def create(self) -> None:
        if self.vendor == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
            self._admin(f"CREATE DATABASE \"{self.pg_name}\" ENCODING 'UTF8' TEMPLATE template0")

    def drop(self) -> None:
        if self.vendor == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')


def redis_reachable(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001 - any failure means "not there"
        return False


def delete_redis_keys(url: str, prefix: str) -> int:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)
    return len(keys)


# --- building the catalogue -------------------------------------------------------------
def build_rows(n_providers: int, n_offerings: int, rng: random.Random) -> dict:
    """Towns, listed providers with their service areas and reviewed offerings, written
    in bulk; search documents filled afterwards. Returns the timings."""
    from django.db import transaction
    from django.utils import timezone

    from marketplace.models import Offering, Provider, Town, reindex_offerings
    from tests.factories import make_credit_code
    from workflows.admission import AdmissionState

    timings = {}
    today = timezone.localdate()
    started = time.perf_counter()
    with transaction.atomic():
        towns = Town.objects.bulk_create(Town(district="滨江区", name=name) for name in TOWNS)
        providers = []
        for n in range(n_providers):
            kind = rng.choice(KINDS)
            person = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
            if kind in ORG_SUFFIX:
                name = (f"滨江区{rng.choice(NAME_ROOTS)}{rng.choice(FIELDS)}"
                        f"{rng.choice(ORG_SUFFIX[kind])}")
                if n % 3 == 0:
                    name += f"（{rng.choice(TOWNS)}）"
                extra = {"credit_code": make_credit_code(900_000 + n),
                         "legal_representative": person}
            else:
                name = person + ("老师" if kind == "retired_teacher" else "")
                extra = {"credit_code": "", "legal_representative": ""}
            providers.append(Provider(
                kind=kind, name=name, contact_name=person,
                contact_phone=f"139{n:08d}", contact_email=f"bench{n}@demo.example.cn",
                address=f"滨江区{rng.choice(TOWNS)}{rng.choice(ROADS)}{rng.randint(1, 300)}号",
                description=f"面向中小学校提供{rng.choice(FIELDS)}类课后服务。",
                state=AdmissionState.LISTED,
                listed_on=today - dt.timedelta(days=rng.randint(0, 700)),
                **extra,
            ))
        providers = Provider.objects.bulk_create(providers, batch_size=500)
        area = Provider.service_area.through
        area.objects.bulk_create(
            (area(provider_id=p.pk, town_id=t.pk)
             for p in providers for t in rng.sample(towns, rng.randint(1, 4))),
            batch_size=1000,
        )
        timings["providers"] = time.perf_counter() - started

        started = time.perf_counter()
        categories = list(SUBJECTS)
        offerings = []
        for n in range(n_offerings):
            provider = providers[n % len(providers)]
            category = rng.choice(categories)
            subject = rng.choice(SUBJECTS[category])
            title = f"{rng.choice(PREFIXES)}{subject}{rng.choice(SUFFIXES)}"
            grade_from = rng.randint(1, 9)
            if n < len(ANCHORS):  # the first providers, so the small catalogue has them
                category, subject, title, grade_from = ANCHORS[n]
            cap = 200 if provider.kind == "professional" else 380
            offerings.append(Offering(
                provider=provider, title=title, category=category,
                resource_type="venue" if provider.kind == "venue" and rng.random() < .5
                else "course",
                delivery=rng.choice(DELIVERIES),
                grade_from=grade_from, grade_to=min(9, grade_from + rng.randint(0, 5)),
                session_minutes=rng.choice((40, 45, 60, 90)),
                capacity=rng.choice((20, 30, 40, 45, 60)),
                price_per_session=Decimal(rng.randrange(30, cap, 5)),
                outline=f"{subject}基础知识讲解；分组练习与合作探究；完成个人或小组作品；"
                        "期末成果展示与评价。",
                safety_measures="授课人员全程看护；器材课前检查；课后清点人数交回班主任。",
                materials=f"{subject}课程材料包",
                review="verified",
            ))
        Offering.objects.bulk_create(offerings, batch_size=500)
        timings["offerings"] = time.perf_counter() - started

        started = time.perf_counter()
        reindex_offerings(Offering.objects.all())
        timings["reindex"] = time.perf_counter() - started
    return timings


def publish_pages(providers) -> float:
    """A live provider page for each provider, made the way the workflow makes it
    (``sync_provider_page``: page, revision, publication, log, search index), in
    transactions of 100 pages."""
    from django.db import transaction

    from cms.publishing import sync_provider_page

    started = time.perf_counter()
    providers = list(providers)
    for chunk in range(0, len(providers), 100):
        with transaction.atomic():
            for provider in providers[chunk:chunk + 100]:
                sync_provider_page(provider)
        if sys.stdout.isatty():
            done = min(chunk + 100, len(providers))
            print(f"  publishing provider pages {done}/{len(providers)}", end="\r", flush=True)
    return time.perf_counter() - started


def analyze() -> float:
    """Planner statistics for the bulk-written tables, as autovacuum would have them in a
    running system (PostgreSQL only; Django never analyses a SQLite database)."""
    from django.db import connection

    started = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


def query_counts() -> dict[str, tuple[int, int, int]]:
    """SQL queries of one request to each catalogue endpoint, in process: right after
    ``invalidate()``, once more (served from the cache), and with no cache at all
    (``DummyCache``, as the uncached server runs: Wagtail's own caches are off too)."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from cms.catalogue import invalidate

    client = Client()

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        return len(queries)

    counts = {}
    for label, url in ENDPOINTS[1:]:
        client.get(url)  # warm Wagtail's site-root cache, which publishing clears
        invalidate()
        invalidated, cached = count(url), count(url)
        with override_settings(CACHES=NO_CACHE):
            counts[label] = (invalidated, cached, count(url))
    return counts


def result_counts() -> dict[str, int]:
    """How many offerings each catalogue endpoint finds."""
    from django.http import QueryDict

    from marketplace.catalogue import offerings, read_filters

    return {label: offerings(read_filters(QueryDict(urlsplit(url).query))).count()
            for label, url in ENDPOINTS[1:]}


# --- the server -------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One gunicorn worker serving the bench settings."""

    def __init__(self, env: dict, workdir: Path, threads: int, label: str):
        self.port = free_port()
        self.log = workdir / f"gunicorn-{label}.log"
        command = [
            str(VENV_BIN / "gunicorn"), "config.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}", "--workers", "1",
            "--worker-class", "gthread", "--threads", str(threads),
            "--keep-alive", "30", "--log-level", "warning", "--chdir", str(ROOT),
        ]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log,
                                            stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                status, _ = fetch(self.port, "/bare/")
                if status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"gunicorn did not start; its log:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def fetch(port: int, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


# --- the load generator -----------------------------------------------------------------
@dataclass
class Result:
    requests: int
    errors: int
    seconds: float
    latencies: list[float] = field(repr=False)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies) * 1000

    @property
    def p95_ms(self) -> float:
        return statistics.quantiles(self.latencies, n=20)[-1] * 1000


def load(port: int, path: str, seconds: float, concurrency: int) -> Result:
    """``concurrency`` threads, each on one keep-alive connection, sending GET requests
    back to back for ``seconds``; every response body is read in full."""
    deadline = time.perf_counter() + seconds
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency

    def worker(slot: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        own = latencies[slot]
        while True:
            started = time.perf_counter()
            if started >= deadline:
                break
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[slot] += 1
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException):
                errors[slot] += 1
                conn.close()
                continue
            own.append(time.perf_counter() - started)
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    flat = [x for own in latencies for x in own]
    return Result(len(flat), sum(errors), elapsed, flat)


def measure(port: int, seconds: float, concurrency: int) -> list[tuple[str, str, Result]]:
    results = []
    for label, path in ENDPOINTS:
        load(port, path, min(1.0, seconds / 4), concurrency)  # warm up, fill the cache
        results.append((label, path, load(port, path, seconds, concurrency)))
    return results


def pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal columns (a Chinese character takes two)."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - used)


def print_table(title: str, results) -> None:
    bare = results[0][2].rps
    print(f"\n{title} — load average (1 min) after: {os.getloadavg()[0]:.2f}")
    header = (f"  {pad('endpoint', 32)}{'req/s':>9}{'/ bare':>9}{'median ms':>11}{'p95 ms':>9}"
              f"{'requests':>10}{'errors':>8}")
    print(header)
    print("  " + "-" * (len(header) - 2))
    for label, _, result in results:
        print(f"  {pad(label, 32)}{result.rps:>9.1f}{result.rps / bare:>9.2f}"
              f"{result.median_ms:>11.1f}{result.p95_ms:>9.1f}{result.requests:>10}"
              f"{result.errors:>8}")


def print_summary(summary: dict, full_counts: dict, vendor: str) -> None:
    """One line with the catalogue's ratios to the bare view, per cache mode, and its
    queries per request with all providers published (invalidated, cached, none)."""
    pairs = [("db", vendor)]
    for mode, results in summary.items():
        bare = results[0][2].rps
        for label, _path, result in results[1:]:
            key = label.split()[0].split("=")[0]
            pairs.append((f"{mode}_{key}_ratio", f"{result.rps / bare:.3f}"))
            pairs.append((f"{mode}_{key}_p50_ms", f"{result.median_ms:.1f}"))
            pairs.append((f"{mode}_{key}_errors", result.errors))
    for label, counts in full_counts.items():
        key = label.split()[0].split("=")[0]
        pairs.append((f"{key}_queries", "/".join(str(n) for n in counts)))
    print("\nsummary: " + " ".join(f"{k}={v}" for k, v in pairs))


# --- the invalidation check -------------------------------------------------------------
def check_invalidation(port: int) -> None:
    """Unpublish the provider of a uniquely titled offering in this process and watch the
    cached search result on the server change, then publish it again."""
    from cms.publishing import sync_provider_page
    from marketplace.models import Offering

    offering = Offering.objects.select_related("provider").get(title=UNIQUE_TITLE)
    provider = offering.provider
    page = provider.page
    path = f"/catalogue/?q={quote(UNIQUE_TITLE)}"
    marker = f"<h2>{UNIQUE_TITLE}</h2>"

    def timed_fetch(what: str) -> bool:
        started = time.perf_counter()
        status, body = fetch(port, path)
        elapsed = (time.perf_counter() - started) * 1000
        shown = marker in body
        print(f"  {pad(what, 44)}{elapsed:>8.1f} ms  HTTP {status}  "
              f"offering {'shown' if shown else 'gone'}")
        return shown

    def timed(what: str, action) -> None:
        started = time.perf_counter()
        action()
        print(f"  {pad(what, 44)}{(time.perf_counter() - started) * 1000:>8.1f} ms")

    print(f"\nCache invalidation across processes (GET /catalogue/?q={UNIQUE_TITLE})")
    outcome = [
        timed_fetch("fetch (fills the cache)"),
        timed_fetch("fetch again (from the cache)"),
    ]
    timed("page.unpublish() in the bench process", page.unpublish)
    outcome.append(not timed_fetch("fetch after unpublish"))
    outcome.append(not timed_fetch("fetch again (cached without it)"))
    timed("sync_provider_page() publishes it again", lambda: sync_provider_page(provider))
    outcome.append(timed_fetch("fetch after republish"))
    print(f"  => invalidation {'works' if all(outcome) else 'FAILED'} end to end")


def django_ready() -> bool:
    from django.apps import apps

    return apps.ready


# --- the run ----------------------------------------------------------------------------
def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--providers", type=int, default=1000)
    parser.add_argument("--offerings", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=6, help="per measurement")
    parser.add_argument("--concurrency", type=int, default=4,
                        help="client threads, each on one keep-alive connection")
    parser.add_argument("--server-threads", type=int, default=4,
                        help="threads of the single gunicorn worker")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS,
                        help="cache of the cached run, when it answers")
    parser.add_argument("--conn-max-age", type=int, default=60,
                        help="CONN_MAX_AGE of the server (0: one connection per request)")
    parser.add_argument("--pg-database", default=DEFAULT_PG_NAME,
                        help="database the script creates and drops on PostgreSQL")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if args.providers < SMALL_PROVIDERS or args.offerings < args.providers:
        parser.error(f"at least {SMALL_PROVIDERS} providers and one offering per provider")
    return args


def main() -> None:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-catalogue-"))
    database = BenchDatabase(os.environ.get("DATABASE_URL", ""), workdir, args.pg_database)
    use_redis = redis_reachable(args.redis_url)
    cached_url = args.redis_url if use_redis else "locmemcache://bench"
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": SETTINGS, "DATABASE_URL": database.url,
        "CACHE_URL": cached_url, "BENCH_CACHE_PREFIX": prefix, "VAR_DIR": str(workdir),
        "CONN_MAX_AGE": "0", "LOG_LEVEL": "WARNING", "CELERY_BROKER_URL": "memory://",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    })
    sys.path.insert(0, str(ROOT))
    server = None
    try:
        import django

        print(f"Catalogue benchmark: {args.providers} providers, {args.offerings} offerings")
        print(f"  database: {database.label}")
        print(f"  cached run: {'Redis ' + args.redis_url if use_redis else 'local-memory'}"
              f"{'' if use_redis else ' (Redis not reachable at ' + args.redis_url + ')'};"
              " uncached run: dummycache://")
        print(f"  server: gunicorn, 1 worker (gthread, {args.server_threads} threads), "
              f"DEBUG=False, CONN_MAX_AGE={args.conn_max_age}")
        print(f"  load: {args.concurrency} keep-alive client threads in this process, "
              f"{args.seconds:g} s per endpoint after a warm-up; {os.cpu_count()} CPUs "
              f"shared by server and client; load average (1 min) now: {os.getloadavg()[0]:.2f}")

        started = time.perf_counter()
        database.create()
        django.setup()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        migrated = time.perf_counter() - started

        from marketplace.models import Provider

        rng = random.Random(args.seed)
        timings = build_rows(args.providers, args.offerings, rng)
        providers = list(Provider.objects.order_by("pk"))
        pages_small = publish_pages(providers[:SMALL_PROVIDERS])
        small_counts = query_counts()
        small_results = result_counts()
        pages_rest = publish_pages(providers[SMALL_PROVIDERS:])
        timings["analyze"] = analyze()
        full_counts = query_counts()
        full_results = result_counts()
        pages = pages_small + pages_rest
        build = sum(timings.values()) + pages
        print(f"\nBuild: {build:.1f} s (+ {migrated:.1f} s create database and migrate)")
        steps = [
            ("providers, towns, service areas (bulk_create)", timings["providers"]),
            ("offerings (bulk_create)", timings["offerings"]),
            ("search documents (reindex_offerings)", timings["reindex"]),
            (f"provider pages (sync_provider_page, {pages / len(providers) * 1000:.0f} ms each)",
             pages),
        ]
        if database.vendor == "postgresql":
            steps.append(("planner statistics (ANALYZE)", timings["analyze"]))
        for what, seconds in steps:
            print(f"  {what:<52}{seconds:>7.2f} s")

        print(f"\nSQL queries per request, in process (small: {SMALL_PROVIDERS} providers "
              f"published; full: all {args.providers})")
        print(f"  {pad('endpoint', 32)}{'invalidated':>14}{'cached':>14}{'no cache':>14}"
              f"{'offerings found':>18}")
        print(f"  {'':32}" + f"{'small':>7}{'full':>7}" * 3 + f"{'small':>9}{'full':>9}")
        for label in full_counts:
            cells = "".join(f"{small_counts[label][i]:>7}{full_counts[label][i]:>7}"
                            for i in range(3))
            print(f"  {pad(label, 32)}{cells}{small_results[label]:>9}{full_results[label]:>9}")

        from django.db import connections

        connections.close_all()
        server_env = {**os.environ, "CONN_MAX_AGE": str(args.conn_max_age)}
        summary = {}
        for cached in (True, False):
            label = "cached" if cached else "uncached"
            cache_url = cached_url if cached else "dummycache://"
            server = Server({**server_env, "CACHE_URL": cache_url}, workdir,
                            args.server_threads, label)
            results = measure(server.port, args.seconds, args.concurrency)
            summary[label] = results
            print_table(f"With the cache ({'Redis' if use_redis else 'local-memory'})"
                        if cached else "Without the cache (dummycache://)", results)
            if cached:
                if use_redis:
                    check_invalidation(server.port)
                    connections.close_all()
                else:
                    print("\nCache invalidation check skipped: Redis is not reachable, and a "
                          "local-memory cache cannot be invalidated from another process.")
            server.stop()
            server = None
        print_summary(summary, full_counts, database.vendor)
    finally:
        if server is not None:
            server.stop()
        if django_ready():
            from django.db import connections

            connections.close_all()
        database.drop()
        if use_redis:
            delete_redis_keys(args.redis_url, prefix)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
