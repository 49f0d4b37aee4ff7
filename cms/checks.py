"""System checks for the public site's cache."""

from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core.checks import Error, Warning, register

PROCESS_LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)
REDIS_CACHES = (
    "django.core.cache.backends.redis.RedisCache",
    "config.cache.ResilientRedisCache",
)
OWN_DB_EXAMPLE = "redis://host:6379/2"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


@register(deploy=True)
def shared_cache(app_configs=None, **kwargs):
    """The catalogue cache is invalidated by the Celery worker and by whichever web process
    saved a change; with a per-process cache the others would serve stale lists."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend in PROCESS_LOCAL_CACHES:
        return [Warning(
            "The default cache is local to one process, so the catalogue cannot be "
            "invalidated across web processes and Celery workers.",
            hint=f"Set CACHE_URL to a Redis database of the cache's own, e.g. "
                 f"{OWN_DB_EXAMPLE} (not the Celery broker's or result backend's).",
            id="cms.W001",
        )]
    return []


def redis_database(url: str) -> tuple[str, int, int] | None:
    """``(host, port, db)`` of a ``redis://``, ``rediss://`` or ``unix://`` URL (the db from
    the path or ``?db=``, 0 when neither gives one); None for anything else."""
    parts = urlsplit(url.strip())
    query = parse_qs(parts.query)
    if parts.scheme in ("redis", "rediss"):
        host = (parts.hostname or "localhost").lower()
        host = "localhost" if host in LOCAL_HOSTS else host
        port = parts.port or 6379
        path = parts.path.strip("/")
    elif parts.scheme == "unix":
        host, port, path = parts.path, 0, ""
    else:
        return None
    db = path or (query.get("db") or ["0"])[0]
    try:
        return host, port, int(db)
    except ValueError:
        return None


@register
def cache_apart_from_celery(app_configs=None, **kwargs):
    """A Redis cache that lost writes while it was down empties its database once it
    answers again (config/cache.py): shared with the Celery broker or result backend, that
    would delete queued tasks and results. The cache needs a database of its own."""
    cache = settings.CACHES["default"]
    if cache["BACKEND"] not in REDIS_CACHES:
        return []
    location = cache.get("LOCATION", "")
    servers = location if isinstance(location, (list, tuple)) else location.replace(
        ";", ",").split(",")
    cache_dbs = {db for db in map(redis_database, servers) if db is not None}
    errors = []
    for setting in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        for url in (getattr(settings, setting, None) or "").split(";"):
            db = redis_database(url)
            if db is not None and db in cache_dbs:
                errors.append(Error(
                    f"CACHE_URL uses the same Redis database as {setting} "
                    f"({db[0]}:{db[1]}/{db[2]}); the cache empties its database after an "
                    "outage, which would delete Celery's tasks or results.",
                    hint=f"Give the cache a database number of its own, e.g. "
                         f"CACHE_URL={OWN_DB_EXAMPLE}.",
                    id="cms.E001",
                ))
    return errors
