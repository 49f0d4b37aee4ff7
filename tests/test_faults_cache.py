"""The cache (Redis) down: public pages still answer, built from the database; and once
it is back, no page cached before the outage is served stale.

The cache is configured from ``CACHE_URL`` as production configures it
(``config.cache.caches_from_env``); "down" is a closed port or a Redis server that was
shut down, both real connection failures.
"""

import shutil
import socket
import subprocess
import time
from decimal import Decimal

import environ
import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from cms.models import CatalogueIndexPage, HomePage
from cms.publishing import sync_provider_page
from config.cache import ResilientRedisCache, caches_from_env
from marketplace.models import CandidateList, Offering
from tests.conftest import download
from tests.factories import OfferingFactory, ProviderFactory, UserFactory
from workflows.models import SideEffect

pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def cache_at(settings, monkeypatch):
    def point_at(url: str):
        monkeypatch.setenv("CACHE_URL", url)
        settings.CACHES = caches_from_env(environ.Env())
        assert settings.CACHES["default"]["BACKEND"] == "config.cache.ResilientRedisCache"

    return point_at


@pytest.fixture
def listed():
    provider = ProviderFactory(listed=True, name="滨江区星火科创中心")
    OfferingFactory(provider=provider, title="少儿编程入门", review="verified",
                    price_per_session=Decimal("150"))
    sync_provider_page(provider)
    return provider


def test_public_pages_answer_while_the_cache_is_unreachable(cache_at, listed):
    cache_at(f"redis://127.0.0.1:{free_port()}/0")
    client = Client()
    catalogue = CatalogueIndexPage.objects.get().url
    pages = {
        "home": HomePage.objects.get().url, "catalogue": catalogue,
        "search": catalogue + "?q=编程", "provider": listed.page.url,
        "login": "/accounts/login/",
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
    assert "少儿编程入门" in client.get(catalogue).content.decode()

    # a change while the cache is down (it bumps the catalogue generation) still saves,
    # and the next page shows it
    OfferingFactory(provider=listed, title="机器人编程进阶", review="verified")
    assert "机器人编程进阶" in client.get(catalogue).content.decode()


@pytest.mark.usefixtures("on_commit_immediately")
def test_with_the_cache_unreachable_the_first_download_still_makes_the_candidate_list(
        cache_at, listed):
    cache_at(f"redis://127.0.0.1:{free_port()}/0")
    status, data = download(Client(), "/downloads/candidate-list.xlsx")
    assert status == 200 and data.startswith(b"PK")
    assert CandidateList.objects.count() == 1


def test_with_the_cache_unreachable_repeated_first_downloads_queue_one_candidate_list(
        cache_at):
    cache_at(f"redis://127.0.0.1:{free_port()}/0")
    client = Client()
    for fmt in ("pdf", "xlsx", "pdf"):
        assert client.get(f"/downloads/candidate-list.{fmt}").status_code == 503
    assert SideEffect.objects.filter(task="cms.tasks.refresh_candidate_list").count() == 1


@pytest.mark.usefixtures("on_commit_immediately")
def test_with_the_cache_unreachable_a_password_reset_email_is_still_sent(cache_at):
    user = UserFactory()
    cache_at(f"redis://127.0.0.1:{free_port()}/0")
    response = Client().post(reverse("password_reset"), {"email": user.email})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[user.email]]


class RedisServer:
    """A redis-server of this test's own, with its data kept on disk across a restart."""

    def __init__(self, directory):
        self.port, self.directory, self.process = free_port(), directory, None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.directory), "--dbfilename", "cache.rdb", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        """Shut down after writing the data to disk, as a restart with persistence does."""
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "save"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10)
        self.process.wait(timeout=10)

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


needs_redis_server = pytest.mark.skipif(
    not (shutil.which("redis-server") and shutil.which("redis-cli")),
    reason="needs redis-server to stop and restart a Redis of its own")


@needs_redis_server
def test_an_error_redis_answers_for_one_command_empties_nothing(cache_at, tmp_path,
                                                                monkeypatch):
    monkeypatch.setattr(ResilientRedisCache, "RETRY_AFTER", 0.0)
    redis = RedisServer(tmp_path)
    redis.start()
    try:
        cache_at(redis.url)
        cache.set("kept", "value")
        cache.set("text", "not a number")
        with pytest.raises(ValueError):
            cache.incr("text")  # Redis refuses INCR on this value (a ResponseError): it is up
        assert cache.get("kept") == "value"
        assert cache.get("kept") == "value"
    finally:
        redis.kill()


@needs_redis_server
def test_a_catalogue_change_made_while_the_cache_was_down_is_shown_once_it_is_back(
        cache_at, listed, tmp_path, monkeypatch):
    monkeypatch.setattr(ResilientRedisCache, "RETRY_AFTER", 0.2)
    redis = RedisServer(tmp_path)
    redis.start()
    try:
        cache_at(redis.url)
        client = Client()
        url = CatalogueIndexPage.objects.get().url
        assert "少儿编程入门" in client.get(url).content.decode()  # now cached

        redis.stop()
        # The change bumps the catalogue generation: that write is lost with Redis down.
        Offering.objects.filter(title="少儿编程入门").update(title="少儿编程进阶")
        OfferingFactory(provider=listed, title="机器人编程进阶", review="verified")
        response = client.get(url)
        assert response.status_code == 200
        assert "机器人编程进阶" in response.content.decode()

        redis.start()  # back, with the page cached before the outage
        time.sleep(0.3)
        body = client.get(url).content.decode()
        assert "机器人编程进阶" in body and "少儿编程入门" not in body
        assert cache.get("catalogue:generation") is not None  # the cache is in use again
    finally:
        redis.kill()

