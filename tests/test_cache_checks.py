"""The cache empties its Redis database after an outage in which writes were lost, so
starting is refused when that database is the Celery broker's or result backend's."""

import pytest

from cms.checks import cache_apart_from_celery, shared_cache
from tests.test_settings import run_manage

RESILIENT = "config.cache.ResilientRedisCache"


@pytest.fixture
def configure(settings):
    def apply(cache, broker="memory://", results=None, backend=RESILIENT):
        settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": cache}}
        settings.CELERY_BROKER_URL = broker
        settings.CELERY_RESULT_BACKEND = results
        return [error.id for error in cache_apart_from_celery()]

    return apply


@pytest.mark.parametrize(("cache", "broker", "results"), [
    ("redis://10.0.0.5:6379/0", "redis://10.0.0.5:6379/0", None),
    ("redis://10.0.0.5:6379", "redis://10.0.0.5:6379/0", None),  # no db given is db 0
    ("redis://10.0.0.5:6379/0", "redis://:secret@10.0.0.5", None),
    ("redis://localhost:6379/3", "redis://127.0.0.1:6379/3", None),
    ("redis://10.0.0.5:6379/3", "memory://", "redis://10.0.0.5:6379/3"),
    ("redis://10.0.0.5:6379?db=4", "redis://10.0.0.5:6379/4", None),
    ("redis://10.0.0.9:6379/2,redis://10.0.0.5:6379/2", "redis://10.0.0.5:6379/2", None),
])
def test_a_cache_sharing_a_redis_database_with_celery_is_an_error(configure, cache, broker,
                                                                  results):
    assert configure(cache, broker, results) == ["cms.E001"]


@pytest.mark.parametrize(("cache", "broker", "results"), [
    ("redis://10.0.0.5:6379/2", "redis://10.0.0.5:6379/0", "redis://10.0.0.5:6379/1"),
    ("redis://10.0.0.5:6379/0", "redis://10.0.0.6:6379/0", None),
    ("redis://10.0.0.5:6380/0", "redis://10.0.0.5:6379/0", None),
    ("redis://10.0.0.5:6379/0", "amqp://10.0.0.5:5672//", "django-db"),
])
def test_a_cache_with_a_redis_database_of_its_own_is_accepted(configure, cache, broker,
                                                              results):
    assert configure(cache, broker, results) == []


def test_only_a_redis_cache_is_compared(configure):
    assert configure("marketplace", "redis://127.0.0.1:6379/0",
                     backend="django.core.cache.backends.locmem.LocMemCache") == []


def test_the_warning_for_a_process_local_cache_asks_for_a_database_of_its_own(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    [warning] = shared_cache()
    assert "redis://host:6379/2" in warning.hint and "Celery" in warning.hint


def test_manage_py_refuses_a_cache_in_the_brokers_database(tmp_path):
    result = run_manage("check", env={
        "VAR_DIR": str(tmp_path), "CACHE_URL": "redis://127.0.0.1:6379/5",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/5"})
    assert result.returncode != 0
    assert "cms.E001" in result.stderr
