"""Settings come from the environment; production mode passes Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_NOT_INHERITED = ("AWS_", "DATABASE_URL", "CELERY_", "PRODUCTION", "SECRET_KEY",
                  "DJANGO_ALLOW_ASYNC_UNSAFE")
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith(_NOT_INHERITED)}
STRONG_KEY = "x7!Kq2@pLm9#vR4$tW8^yZ1&bN6*cF3(hJ5)dG0-sA-9uTe3Ri8Wq0Lz5Xc2Vb7Nm"


def run_manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**CLEAN_ENV, **env},
        capture_output=True, text=True, timeout=120,
    )


def show(setting, env):
    code = f"from django.conf import settings; print(repr({setting}))"
    result = run_manage("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_settings_pass_check_deploy_without_warnings(tmp_path):
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        env={"PRODUCTION": "true", "SECRET_KEY": STRONG_KEY,
             "ALLOWED_HOSTS": "bureau.example.cn", "FIELD_ENCRYPTION_SALT": "salt",
             "CACHE_URL": "redis://127.0.0.1:6379/1", "VAR_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_wants_a_cache_shared_by_all_processes(settings):
    from cms.checks import shared_cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [w.id for w in shared_cache()] == ["cms.W001"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:6379/1"}}
    assert shared_cache() == []


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_manage("check", env={"PRODUCTION": "true", "ALLOWED_HOSTS": "x",
                                      "FIELD_ENCRYPTION_SALT": "s", "VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_nothing_set_means_the_embedded_default(tmp_path):
    env = {"VAR_DIR": str(tmp_path)}
    assert show("settings.DATABASES['default']['ENGINE']", env) == "'django.db.backends.sqlite3'"
    assert str(tmp_path) in show("settings.DATABASES['default']['NAME']", env)
    assert show("settings.CELERY_TASK_ALWAYS_EAGER", env) == "True"
    assert "console" in show("settings.EMAIL_BACKEND", env)
    assert "PrivateFileSystemStorage" in show("settings.STORAGES['private']['BACKEND']", env)
    assert show("settings.LANGUAGE_CODE", env) == "'zh-hans'"
    assert show("settings.TIME_ZONE", env) == "'Asia/Shanghai'"


def test_environment_switches_to_postgresql_redis_and_s3(tmp_path):
    env = {
        "VAR_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://bureau@db.internal:5432/marketplace",
        "CELERY_BROKER_URL": "redis://cache.internal:6379/0",
        "AWS_STORAGE_BUCKET_NAME": "bureau-files",
        "AWS_S3_ENDPOINT_URL": "http://s3.internal:9000",
    }
    assert show("settings.DATABASES['default']['ENGINE']", env) == \
        "'django.db.backends.postgresql'"
    assert show("settings.CELERY_BROKER_URL", env) == "'redis://cache.internal:6379/0'"
    assert show("settings.CELERY_TASK_ALWAYS_EAGER", env) == "False"
    # django-storages' S3Storage, reporting failures as media.errors.StorageUnavailable
    assert show("settings.STORAGES['private']['BACKEND']", env) == \
        "'media.storage.S3Storage'"
    assert show("settings.STORAGES['private']['OPTIONS']['endpoint_url']", env) == \
        "'http://s3.internal:9000'"
