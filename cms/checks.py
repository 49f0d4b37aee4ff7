"""Deployment checks for the public site."""

from django.conf import settings
from django.core.checks import Warning, register

PROCESS_LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register(deploy=True)
def shared_cache(app_configs=None, **kwargs):
    """The catalogue cache is invalidated by the Celery worker and by whichever web process
    saved a change; with a per-process cache the others would serve stale lists."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend in PROCESS_LOCAL_CACHES:
        return [Warning(
            "The default cache is local to one process, so the catalogue cannot be "
            "invalidated across web processes and Celery workers.",
            hint="Set CACHE_URL to a shared cache, e.g. redis://127.0.0.1:6379/1.",
            id="cms.W001",
        )]
    return []
