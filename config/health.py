"""Health checks a load balancer or a monitor can poll (django-health-check).

``/health/`` checks every part the site runs on — the database, the cache, the Celery
broker and the private file store — and answers JSON, 200 when all answer and 503
otherwise, naming the part that does not::

    {"status": "unavailable",
     "components": {"database": "ok", "cache": "Unavailable: not answering", ...}}

``/health/live/`` checks only what a web process cannot answer a page without: the
database. Public pages keep answering (slower) while the cache is down, so a balancer
that should keep serving through a cache outage polls this one.

No login, no personal data and no host names (component names and error kinds only), never
cached by a browser or proxy. Being public, each URL's answer is kept in the process's own
memory for ``HealthView.REUSE_SECONDS`` (not in the shared cache, which may be what is
down): polling it faster runs the checks no more often, so it cannot be used to hammer the
store or the broker.
"""

import asyncio
import dataclasses
import threading
from time import monotonic

from django.http import JsonResponse
from health_check import Cache, Database, HealthCheck, Storage
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from media.errors import StorageUnavailable


@dataclasses.dataclass
class DatabaseCheck(Database):
    """``SELECT 1``. The driver's error text can name the database host and port, so only
    the error's kind is shown."""

    def run(self):
        try:
            super().run()
        except ServiceUnavailable as exc:
            cause = exc.__cause__ or exc
            raise ServiceUnavailable(f"not answering ({type(cause).__name__})") from exc


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
        "database": DatabaseCheck, "cache": CacheCheck, "broker": BrokerCheck,
        "storage": StorageCheck,
    }
    #: How long an answer is reused, the same whether it was healthy or not.
    REUSE_SECONDS = 10.0
    # Per view class: (monotonic time it was made, JSON body, status code).
    _answers: dict[type, tuple[float, dict, int]] = {}
    _running: dict[type, threading.Lock] = {}

    @property
    def checks(self):
        return tuple(self.components.values())

    async def get(self, request, *args, **kwargs):
        view = type(self)
        answer = self._answers.get(view)
        if answer is None or monotonic() - answer[0] >= self.REUSE_SECONDS:
            running = self._running.setdefault(view, threading.Lock())
            if running.acquire(blocking=False):
                try:
                    answer = await self.run_checks()
                    self._answers[view] = answer
                finally:
                    running.release()
            elif answer is None:  # the first answer of this process is still being made
                answer = await self.run_checks()
            # else: another request is running the checks; its predecessor answers this one
        _made, body, status = answer
        return JsonResponse(body, status=status)

    async def run_checks(self) -> tuple[float, dict, int]:
        with self.get_executor() as executor:
            results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks()))
        components = {name: "ok" if result.error is None else str(result.error)
                      for name, result in zip(self.components, results, strict=True)}
        healthy = all(result.error is None for result in results)
        return (monotonic(), {"status": "ok" if healthy else "unavailable",
                              "components": components}, 200 if healthy else 503)

    @classmethod
    def forget(cls):
        """Drop the kept answers, so the next request runs the checks."""
        cls._answers.clear()


class LiveView(HealthView):
    components = {"database": DatabaseCheck}
