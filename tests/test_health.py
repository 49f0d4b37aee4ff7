"""Health checks a load balancer polls: /health/ (every part) and /health/live/ (what a
web process needs). No login, JSON, 200 when all answer, 503 naming the part that does
not; "does not answer" is a real closed port. Each answer is reused for a few seconds, so
polling faster runs the checks no more often."""

import contextlib
import socket

import environ
import pytest
from django.core.files.storage import storages
from django.db import OperationalError, connections
from django.test import Client

from config import health as health_module
from config.cache import caches_from_env
from config.health import DatabaseCheck, HealthView, StorageCheck
from config.storage import storages_from_env
from tests.conftest import S3_CONFIGURED

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_answers():
    """Each test sees the parts as it set them up, not an answer kept from the last."""
    HealthView.forget()
    yield
    HealthView.forget()

COMPONENTS = {"database", "cache", "broker", "storage"}


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def health(path="/health/"):
    response = Client().get(path)
    assert response["Content-Type"].startswith("application/json")
    return response, response.json()


def test_all_parts_answering_is_200_with_each_named():
    response, body = health()
    assert response.status_code == 200, body
    assert body == {"status": "ok", "components": dict.fromkeys(COMPONENTS, "ok")}
    # never cached by the site or a proxy, and no login asked for
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "Set-Cookie" not in response


def test_the_cache_at_a_closed_port_is_503_naming_the_cache(settings, monkeypatch):
    monkeypatch.setenv("CACHE_URL", f"redis://127.0.0.1:{closed_port()}/0")
    settings.CACHES = caches_from_env(environ.Env())
    response, body = health()
    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["components"]["cache"] != "ok"
    assert {name for name, state in body["components"].items() if state == "ok"} == (
        COMPONENTS - {"cache"})
    # the balancer's liveness URL keeps the web process in while pages still answer
    assert health("/health/live/")[0].status_code == 200


def test_the_storage_at_a_closed_port_is_503_naming_the_storage(settings, monkeypatch,
                                                                tmp_path):
    for key, value in {
        "AWS_STORAGE_BUCKET_NAME": "bureau",
        "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{closed_port()}",
        "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s",
    }.items():
        monkeypatch.setenv(key, value)
    settings.STORAGES = storages_from_env(environ.Env(), tmp_path)
    assert type(storages["private"]).__name__ == "S3Storage"
    response, body = health()
    assert response.status_code == 503
    assert body["components"]["storage"].startswith("Unavailable: not answering")
    assert body["components"]["database"] == "ok"


def test_the_broker_at_a_closed_port_is_503_naming_the_broker(monkeypatch):
    from config.celery import app

    url = f"redis://127.0.0.1:{closed_port()}/0"
    monkeypatch.setattr(app.conf, "task_always_eager", False)
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    monkeypatch.setattr(app.conf, "broker_url", url)
    response, body = health()
    assert response.status_code == 503
    assert body["components"]["broker"].startswith("Unavailable: not answering")


@pytest.mark.skipif(not S3_CONFIGURED, reason="runs where the suite is configured for S3")
def test_the_configured_s3_store_is_checked():
    assert type(storages["private"]).__name__ == "S3Storage"
    assert health()[1]["components"]["storage"] == "ok"



def test_a_database_error_naming_its_host_is_not_echoed(monkeypatch):
    @contextlib.contextmanager
    def refused(self):
        raise OperationalError(
            'connection failed: connection to server at "db7.bureau.internal" (10.20.30.40), '
            "port 5432 failed: Connection refused")
        yield

    monkeypatch.setattr(type(connections["default"]), "temporary_connection", refused)
    for path in ("/health/", "/health/live/"):
        response, body = health(path)
        assert response.status_code == 503
        assert body["components"]["database"] == "Unavailable: not answering (OperationalError)"
        page = response.content.decode()
        assert "db7" not in page and "10.20.30.40" not in page and "5432" not in page


def test_polling_within_a_few_seconds_runs_the_checks_once(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(health_module, "monotonic", lambda: now[0])
    runs = []
    for check in (DatabaseCheck, StorageCheck):
        def counted(self, run=check.run):
            runs.append(type(self).__name__)
            return run(self)
        monkeypatch.setattr(check, "run", counted)

    assert health()[1]["status"] == "ok"
    assert sorted(runs) == ["DatabaseCheck", "StorageCheck"]
    now[0] += 5
    response, body = health()
    assert response.status_code == 200 and body["status"] == "ok"
    assert len(runs) == 2  # the first answer, again
    assert "no-store" in response["Cache-Control"]  # still never kept by a proxy

    health("/health/live/")  # an answer of its own, made once too
    health("/health/live/")
    assert runs.count("DatabaseCheck") == 2

    now[0] += HealthView.REUSE_SECONDS
    health()
    assert runs.count("StorageCheck") == 2  # past the window: checked again
