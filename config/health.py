"""Health checks a load balancer or a monitor can poll (django-health-check).

``/health/`` checks every part the site runs on — the database, the cache, the Celery
broker and the private file store — and answers JSON, 200 when all answer and 503
otherwise, naming the part that does not::

    {"status": "unavailable",
     "components": {"database": "ok", "cache": "Unavailable: not answering", ...}}

``/health/live/`` checks only what a web process cannot answer a page without: the
database. Public pages keep answering (slower) while the cache is down, so a balancer
that should keep serving through a cache outage polls this one.

No login, no personal data (component names and error kinds only), never cached.
"""

import asyncio
import dataclasses

from django.http import JsonResponse
from health_check import Cache, Database, HealthCheck, Storage
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from media.errors import StorageUnavailable


@dataclasses.dataclass
class CacheCheck(Cache):
    """Set and read back a key. The cache backend treats Redis errors as misses
    (config/cache.py), so a cache that is down shows as a key that does not come back."""

    async def run(self):
        try:
            await super().run()
        except ServiceUnavailable as exc:
            raise ServiceUnavailable("not answering") from exc


@dataclasses.dataclass
class StorageCheck(Storage):
    """Write, read and delete a small file in the private store."""

    alias: str = "private"

    def run(self):
        try:
            super().run()
        except StorageUnavailable as exc:
            raise ServiceUnavailable(f"not answering ({exc.cause})") from exc


@dataclasses.dataclass
class BrokerCheck(HealthCheck):
    """Connect to the Celery broker. With tasks run inline (the embedded default) there
    is no broker to check."""

    def run(self):
        from config.celery import app

        if app.conf.task_always_eager:
            return
        try:
            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, interval_start=0, timeout=3)
        except Exception as exc:  # kombu and the transports raise many kinds
            raise ServiceUnavailable(f"not answering ({type(exc).__name__})") from exc


class HealthView(HealthCheckView):
    components = {
        "database": Database, "cache": CacheCheck, "broker": BrokerCheck,
        "storage": StorageCheck,
    }

    @property
    def checks(self):
        return tuple(self.components.values())

    async def get(self, request, *args, **kwargs):
        with self.get_executor() as executor:
            results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks()))
        components = {name: "ok" if result.error is None else str(result.error)
                      for name, result in zip(self.components, results, strict=True)}
        healthy = all(result.error is None for result in results)
        return JsonResponse({"status": "ok" if healthy else "unavailable",
                             "components": components}, status=200 if healthy else 503)


class LiveView(HealthView):
    components = {"database": Database}
