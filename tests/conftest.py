import os

import pytest
from django.conf import settings as django_settings

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses
# to run in such a thread unless told it is safe (it is: one thread per test).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

S3_CONFIGURED = bool(os.environ.get("AWS_STORAGE_BUCKET_NAME"))


@pytest.fixture(autouse=True)
def _isolated_local_storage(settings, tmp_path):
    """Local storage writes into the test's own folder; S3 (in CI) stays as configured."""
    if S3_CONFIGURED:
        return
    storages = dict(django_settings.STORAGES)
    storages["default"] = {**storages["default"], "OPTIONS": {
        "location": str(tmp_path / "public"), "base_url": "/media/"}}
    storages["private"] = {**storages["private"], "OPTIONS": {
        "location": str(tmp_path / "private")}}
    settings.STORAGES = storages
    settings.MEDIA_ROOT = str(tmp_path / "public")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: cached catalogue pages of one test's data
    must not answer another's."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "headless": True,
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run",
        ],
    }


@pytest.fixture
def demo_password():
    return "demo-pass-2026"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture(autouse=True)
def _celery_eager():
    """Side effects run inline in tests; the broker round trip has its own test."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def on_commit_immediately(monkeypatch):
    """In tests wrapped in a never-committed transaction, run on-commit side effects
    (publishing, PDFs, e-mail) at once instead of never."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit",
                        lambda func, using=None, robust=False: func())


def download(client, url):
    """GET a private file the way a browser would: follow the presigned redirect on S3.
    Returns (status of the view, bytes or None)."""
    import urllib.request

    response = client.get(url)
    if response.status_code == 302 and "X-Amz-Signature=" in response["Location"]:
        with urllib.request.urlopen(response["Location"], timeout=10) as s3:  # noqa: S310
            return 200, s3.read()
    if response.status_code != 200:
        return response.status_code, None
    data = (b"".join(response.streaming_content) if response.streaming
            else response.content)
    return 200, data
