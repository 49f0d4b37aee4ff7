"""Settings of the benchmark server: the project's own settings (database and cache
still come from ``DATABASE_URL`` and ``CACHE_URL``), out of debug mode, with a bare
Django view mounted next to the real site."""

from config.settings import *  # noqa: F403
from config.settings import CACHES, env

ROOT_URLCONF = "tests.bench.urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

# Each run writes under its own prefix, so a shared Redis never serves a previous run's
# pages and the run can remove exactly its own keys afterwards.
CACHES["default"]["KEY_PREFIX"] = env.str("BENCH_CACHE_PREFIX", default="bench")
