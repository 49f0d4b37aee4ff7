"""The shared cache, and what the site does while it is down.

Django's ``RedisCache`` raises when Redis cannot be reached, so a cache outage would take
every page with it. :class:`ResilientRedisCache` logs the failure and answers as if the
value were missing: pages are built from the database, slower, and still answer. After a
failure it leaves Redis alone for ``RETRY_AFTER`` seconds, so an unreachable host costs
one connect time-out every few seconds rather than one per cache call.

A write lost while the cache was down (a catalogue generation bump, a deleted key) would
leave stale values behind once Redis answers again with its old contents. So the first
time the cache answers after a lost write, this process empties it once: what it holds
can no longer be trusted. The cache therefore needs a Redis database of its own
(``CACHE_URL=redis://host:6379/2``), not the Celery broker's or result backend's; emptying
it touches nothing else (``cms.checks.cache_apart_from_celery`` refuses to start otherwise).
Only a lost connection (or a time-out) counts as "down": an error Redis answers for one
command means it is up and still holds what was written.

``add()`` is the exception to "a failure is a miss": while the cache is down it answers
True, "go ahead". Its callers use it as a "first time only" guard (one e-mail a minute,
one first candidate list); refusing would make them never do their work at all, so they
do it every time instead until the cache is back.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

REDIS_BACKEND = "django.core.cache.backends.redis.RedisCache"
RESILIENT_BACKEND = "config.cache.ResilientRedisCache"


def caches_from_env(env) -> dict:
    """``CACHES`` from ``CACHE_URL``; a Redis cache becomes the resilient one, with short
    time-outs."""
    default = env.cache_url("CACHE_URL", default="locmemcache://marketplace")
    if default["BACKEND"] == REDIS_BACKEND:
        default["BACKEND"] = RESILIENT_BACKEND
        default["OPTIONS"] = {
            "socket_connect_timeout": env.float("CACHE_CONNECT_TIMEOUT", default=0.5),
            "socket_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=1.0),
            **default.get("OPTIONS", {}),
        }
    return {"default": default}


class ResilientRedisCache(RedisCache):
    """Redis cache whose failures are misses (see the module docstring)."""

    RETRY_AFTER = 5.0
    # Per Redis location, shared by the threads of a process: when to try Redis again,
    # and whether a write was lost since it last answered.
    _down_until: dict[str, float] = {}
    _lost_write: dict[str, bool] = {}

    @property
    def _where(self) -> str:
        return ",".join(self._servers)

    def _call(self, method: str, *args, write: bool, default=None, **kwargs):
        where = self._where
        if time.monotonic() < self._down_until.get(where, 0.0):
            if write:
                self._lost_write[where] = True
            return default
        try:
            if self._lost_write.get(where):
                super().clear()
                self._lost_write[where] = False
                logger.warning("Cache at %s answers again; emptied it once, as writes were "
                               "lost while it was down.", where)
            return getattr(super(), method)(*args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            if write:
                self._lost_write[where] = True
            if time.monotonic() >= self._down_until.get(where, 0.0):
                logger.warning("Cache at %s unavailable (%s); serving without it for %ss.",
                               where, type(exc).__name__, self.RETRY_AFTER)
            self._down_until[where] = time.monotonic() + self.RETRY_AFTER
            return default
        except RedisError as exc:
            # Redis answered, refusing this one command: it is up, and what it holds is
            # still what was written, so nothing is emptied and Redis is not left alone.
            logger.warning("Cache at %s refused %s (%s).", where, method, type(exc).__name__)
            return default

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version, write=False, default=default)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version, write=False, default={})

    def has_key(self, key, version=None):
        return self._call("has_key", key, version, write=False, default=False)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        """Set ``key`` if it is not there; True if it was set.

        While the cache is down this answers True ("go ahead") without storing anything: a
        caller guarding a first-time-only step with ``add()`` does its work rather than
        never doing it, and a throttle built on ``add()`` lets everything through until
        the cache answers again. Not a lock: never use it where doing the work twice is
        wrong."""
        return self._call("add", key, value, timeout, version, write=False, default=True)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._call("set", key, value, timeout, version, write=True)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version, write=True, default=list(data))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version, write=True, default=False)

    def delete(self, key, version=None):
        return self._call("delete", key, version, write=True, default=False)

    def delete_many(self, keys, version=None):
        self._call("delete_many", keys, version, write=True)

    def incr(self, key, delta=1, version=None):
        missing = object()
        value = self._call("incr", key, delta, version, write=True, default=missing)
        if value is missing:  # like a key that is not there
            raise ValueError(f"Key '{key}' not found (cache unavailable).")
        return value

    def clear(self):
        return self._call("clear", write=True, default=False)
