"""Storage wiring: local private folders by default, S3 when a bucket is configured.

Two storages exist:
- ``default``: public media (Wagtail images and documents shown on public pages);
- ``private``: credential files, check results, agreements, dossiers. Never served
  by a public URL: local files sit outside any static/media URL and S3 objects are
  only reachable through short-lived presigned URLs.
"""

from pathlib import Path

from botocore.config import Config


def s3_client_config(env) -> Config:
    """Short time-outs and few retries: with the store down, an upload or a download
    fails in a second or two with a clear message instead of holding a web process."""
    return Config(
        s3={"addressing_style": "path"},
        signature_version="s3v4",
        connect_timeout=env.float("AWS_S3_CONNECT_TIMEOUT", default=2.0),
        read_timeout=env.float("AWS_S3_READ_TIMEOUT", default=20.0),
        retries={"mode": "standard",
                 "total_max_attempts": env.int("AWS_S3_MAX_ATTEMPTS", default=2)},
    )


def storages_from_env(env, var_dir: Path) -> dict:
    bucket = env.str("AWS_STORAGE_BUCKET_NAME", default="")
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    if env.bool("PRODUCTION", default=False):
        static = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
    if not bucket:
        return {
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(var_dir / "media" / "public"), "base_url": "/media/"},
            },
            "private": {
                "BACKEND": "media.storage.PrivateFileSystemStorage",
                "OPTIONS": {"location": str(var_dir / "media" / "private")},
            },
            "staticfiles": static,
        }
    common = {
        "bucket_name": bucket,
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None) or None,
        "region_name": env.str("AWS_S3_REGION_NAME", default="cn-north-1"),
        "access_key": env.str("AWS_ACCESS_KEY_ID", default=None),
        "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=None),
        "default_acl": None,
        "file_overwrite": False,
        "querystring_auth": True,
        "querystring_expire": env.int("PRIVATE_URL_EXPIRY_SECONDS", default=300),
        "signature_version": "s3v4",
        "addressing_style": "path",
        "client_config": s3_client_config(env),
    }
    # media.storage.S3Storage is django-storages' S3Storage reporting failures as
    # media.errors.StorageUnavailable.
    return {
        "default": {"BACKEND": "media.storage.S3Storage",
                    "OPTIONS": {**common, "location": "public"}},
        "private": {"BACKEND": "media.storage.S3Storage",
                    "OPTIONS": {**common, "location": "private"}},
        "staticfiles": static,
    }
