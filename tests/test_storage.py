"""The storage switch: local private folders by default, S3 when a bucket is configured."""

import uuid

import boto3
import environ
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils.module_loading import import_string
from moto.server import ThreadedMotoServer
from storages.backends.s3 import S3Storage

from config.storage import storages_from_env
from tests.conftest import S3_CONFIGURED


def build(config):
    return import_string(config["BACKEND"])(**config.get("OPTIONS", {}))


@pytest.fixture(scope="module")
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_embedded_default_keeps_private_files_on_local_disk(tmp_path, monkeypatch):
    monkeypatch.delenv("AWS_STORAGE_BUCKET_NAME", raising=False)
    config = storages_from_env(environ.Env(), tmp_path)
    private = build(config["private"])
    name = private.save("credentials/licence.pdf", ContentFile(b"%PDF-1.4 test"))
    assert (tmp_path / "media" / "private" / name).read_bytes() == b"%PDF-1.4 test"
    with pytest.raises(ValueError):
        private.url(name)  # no public URL exists for a private file


def test_a_file_written_through_django_storage_lands_in_the_s3_bucket(s3_server, monkeypatch,
                                                                      tmp_path):
    bucket = f"bureau-{uuid.uuid4().hex[:8]}"
    env = {
        "AWS_STORAGE_BUCKET_NAME": bucket, "AWS_S3_ENDPOINT_URL": s3_server,
        "AWS_ACCESS_KEY_ID": "test-key", "AWS_SECRET_ACCESS_KEY": "test-secret",
        "AWS_S3_REGION_NAME": "us-east-1",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1",
                          aws_access_key_id="test-key", aws_secret_access_key="test-secret")
    client.create_bucket(Bucket=bucket)

    config = storages_from_env(environ.Env(), tmp_path)
    assert issubclass(import_string(config["private"]["BACKEND"]), S3Storage)
    private = build(config["private"])
    name = private.save("credentials/licence.pdf", ContentFile(b"%PDF-1.4 licence"))

    stored = client.get_object(Bucket=bucket, Key=f"private/{name}")["Body"].read()
    assert stored == b"%PDF-1.4 licence"
    assert not list((tmp_path / "media").rglob("*.pdf"))
    url = private.url(name)
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=300" in url


@pytest.mark.skipif(not S3_CONFIGURED, reason="runs where the suite itself is configured for S3")
def test_configured_private_storage_writes_to_the_configured_bucket(settings):
    private = storages["private"]
    name = private.save("probe/ci.txt", ContentFile(b"ci"))
    client = boto3.client(
        "s3", endpoint_url=settings.STORAGES["private"]["OPTIONS"]["endpoint_url"],
        region_name=settings.STORAGES["private"]["OPTIONS"]["region_name"],
    )
    bucket = settings.STORAGES["private"]["OPTIONS"]["bucket_name"]
    assert client.get_object(Bucket=bucket, Key=f"private/{name}")["Body"].read() == b"ci"
    private.delete(name)
