"""The file store (S3) failing for real: a closed port, or an S3 server that is stopped.

Uploads answer with a clear message on the form as typed and save nothing; downloads that
read the store on the server answer a 503 page, not a 500. Each test builds its storages
from the environment the way production does (``config.storage``), so the short
time-outs and few retries are the production ones. They run everywhere: the S3 server is
moto in a thread, as in tests/test_storage.py.
"""

import socket
import time
import uuid

import boto3
import environ
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from moto.server import ThreadedMotoServer

from config.storage import storages_from_env
from marketplace import candidate_list
from marketplace.choices import CharacterResult, CredentialType, CriminalRecordResult, HealthResult
from marketplace.models import BackgroundCheck, CandidateList, Credential
from marketplace.roles import Role
from marketplace.tasks import bureau_identity
from media.errors import StorageUnavailable
from media.storage import private_storage
from tests.factories import (
    TINY_PDF,
    BackgroundCheckFactory,
    CredentialFactory,
    PersonFactory,
    ProviderFactory,
    UserFactory,
)
from workflows.admission import AdmissionState as S
from workflows.models import TimelineEntry

pytestmark = pytest.mark.django_db

UPLOAD_MESSAGE = "文件存储暂时无法连接"
DOWNLOAD_MESSAGE = "文件存储暂时无法连接"
# Bounded, not a benchmark: a store that does not answer must not hold a request for the
# default botocore minute.
ANSWERS_WITHIN_SECONDS = 10


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def private_fields():
    from django.apps import apps

    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (isinstance(field, models.FileField)
                    and getattr(field, "_storage_callable", None) is private_storage):
                yield field


@pytest.fixture
def use_s3(settings, monkeypatch, tmp_path):
    """Point both storages at an S3 endpoint, configured as production configures it."""

    def point_at(endpoint: str, bucket: str):
        for key, value in {
            "AWS_STORAGE_BUCKET_NAME": bucket, "AWS_S3_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "test-key", "AWS_SECRET_ACCESS_KEY": "test-secret",
            "AWS_S3_REGION_NAME": "us-east-1",
        }.items():
            monkeypatch.setenv(key, value)
        settings.STORAGES = storages_from_env(environ.Env(), tmp_path)
        private = storages["private"]
        # FileFields resolve their storage callable once, at import.
        for field in private_fields():
            monkeypatch.setattr(field, "storage", private)
        return private

    return point_at


@pytest.fixture
def s3_unreachable(use_s3):
    return use_s3(f"http://127.0.0.1:{closed_port()}", "bureau")


@pytest.fixture
def s3_server(use_s3):
    """A real S3-compatible server with a bucket; ``stop()`` takes it down."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    endpoint, bucket = f"http://{host}:{port}", f"bureau-{uuid.uuid4().hex[:8]}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                 aws_access_key_id="test-key",
                 aws_secret_access_key="test-secret").create_bucket(Bucket=bucket)
    use_s3(endpoint, bucket)
    running = [True]

    class Handle:
        @staticmethod
        def stop():
            if running[0]:
                server.stop()
                running[0] = False

    yield Handle
    Handle.stop()


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pdf(name="licence.pdf"):
    return SimpleUploadedFile(name, TINY_PDF, content_type="application/pdf")


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


# --- uploads ----------------------------------------------------------------------------
@pytest.mark.parametrize("whose", ["entry", "person"])
def test_a_document_upload_with_the_store_unreachable_saves_nothing_and_keeps_the_form(
        s3_unreachable, whose):
    vendor = UserFactory(groups=[Role.VENDOR])
    provider = ProviderFactory(owner=vendor)
    if whose == "entry":
        url = reverse("vendor:credentials", args=[provider.pk])
        ctype = CredentialType.BUSINESS_LICENCE
    else:
        person = PersonFactory(provider=provider)
        url = reverse("vendor:person_credentials", args=[provider.pk, person.pk])
        ctype = CredentialType.HEALTH_CERTIFICATE
    credentials_before = Credential.objects.count()
    timeline_before = TimelineEntry.objects.count()

    response, seconds = timed(lambda: logged_in(vendor).post(url, {
        "type": ctype, "number": "NUM-TYPED-4711", "issuer": "滨江区市场监督管理局",
        "issued_on": "2024-03-01", "file": pdf(),
    }))

    assert response.status_code == 200
    page = response.content.decode()
    assert UPLOAD_MESSAGE in page
    # what was typed is still there; only the file must be chosen again
    assert 'value="NUM-TYPED-4711"' in page and "滨江区市场监督管理局" in page
    assert 'value="2024-03-01"' in page
    assert "浏览器不会保留已选择的文件" in page
    # nothing half-saved: no credential row pointing at a missing file, no log entry
    assert Credential.objects.count() == credentials_before
    assert TimelineEntry.objects.count() == timeline_before
    assert seconds < ANSWERS_WITHIN_SECONDS


def test_a_check_result_upload_with_the_store_unreachable_keeps_the_typed_results(
        s3_unreachable):
    checker = UserFactory(groups=[Role.CHECK_OFFICER])
    provider = ProviderFactory(owner=UserFactory(groups=[Role.VENDOR]),
                               state=S.BACKGROUND_CHECK)
    check = BackgroundCheckFactory(person=PersonFactory(provider=provider), requested=True)
    timeline_before = TimelineEntry.objects.count()

    response = logged_in(checker).post(
        reverse("admissions:check_results", args=[provider.pk, check.pk]), {
            "criminal_record": CriminalRecordResult.CLEAR, "health": HealthResult.FIT,
            "character": CharacterResult.GOOD,
            "checked_on": timezone.localdate().isoformat(),
            "reference": "REF-TYPED-0815", "note": "",
            "result_file": pdf("result.pdf"),
        })

    assert response.status_code == 200
    page = response.content.decode()
    assert UPLOAD_MESSAGE in page and "REF-TYPED-0815" in page
    check = BackgroundCheck.objects.get(pk=check.pk)
    assert check.reference != "REF-TYPED-0815" and not check.result_file
    assert TimelineEntry.objects.count() == timeline_before


def test_storage_failures_become_one_error_type(s3_unreachable):
    with pytest.raises(StorageUnavailable) as caught:
        s3_unreachable.save("credentials/x.pdf", ContentFile(b"%PDF-1.4"))
    assert caught.value.cause in {"EndpointConnectionError", "ConnectTimeoutError"}
    with pytest.raises(StorageUnavailable):
        s3_unreachable.open("credentials/x.pdf")
    with translation.override("zh-hans"):
        assert UPLOAD_MESSAGE in str(caught.value.message)


def test_a_failing_local_disk_is_the_same_error_and_a_missing_file_is_not(tmp_path):
    from media.storage import PrivateFileSystemStorage

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the storage folder should be")
    with pytest.raises(StorageUnavailable):
        PrivateFileSystemStorage(location=str(blocked)).save("a.pdf", ContentFile(b"x"))
    with pytest.raises(FileNotFoundError):
        PrivateFileSystemStorage(location=str(tmp_path)).open("missing.pdf")


def test_production_s3_client_gives_up_within_seconds(monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "bureau")
    config = storages_from_env(environ.Env(), tmp_path)
    client = config["private"]["OPTIONS"]["client_config"]
    assert client.connect_timeout <= 5 and client.read_timeout <= 30
    assert client.retries["total_max_attempts"] <= 3
    assert client.s3 == {"addressing_style": "path"} and client.signature_version == "s3v4"


# --- downloads ----------------------------------------------------------------------------
def test_a_private_file_with_the_store_stopped_answers_a_503_page(s3_server):
    vendor = UserFactory(groups=[Role.VENDOR])
    credential = CredentialFactory(provider=ProviderFactory(owner=vendor))
    client = logged_in(vendor)
    url = reverse("files:credential", args=[credential.pk])
    assert client.get(url).status_code == 302  # to a presigned URL while the store is up

    s3_server.stop()
    response, seconds = timed(lambda: client.get(url))

    assert response.status_code == 503
    assert DOWNLOAD_MESSAGE in response.content.decode()
    assert response["Retry-After"]
    assert seconds < ANSWERS_WITHIN_SECONDS


def test_the_dossier_with_the_store_stopped_answers_a_503_page(s3_server):
    manager = UserFactory(groups=[Role.MANAGER])
    provider = ProviderFactory(owner=UserFactory(groups=[Role.VENDOR]),
                               state=S.QUALIFICATION_REVIEW)
    CredentialFactory(provider=provider)
    client = logged_in(manager)
    url = reverse("files:dossier", args=[provider.pk])
    assert client.get(url).status_code == 200

    s3_server.stop()
    response = client.get(url)

    assert response.status_code == 503
    assert DOWNLOAD_MESSAGE in response.content.decode()


def test_the_candidate_list_with_the_store_stopped_answers_a_503_page(s3_server):
    version = candidate_list.publish("test", bureau_identity(), "zh-hans")
    assert CandidateList.current() == version
    client = Client()
    for url in ("/downloads/candidate-list.pdf",
                f"/downloads/candidate-list/v{version.version}.xlsx"):
        assert client.get(url).status_code == 200

    s3_server.stop()

    for url in ("/downloads/candidate-list.pdf",
                f"/downloads/candidate-list/v{version.version}.xlsx"):
        response = client.get(url)
        assert response.status_code == 503, url
        assert DOWNLOAD_MESSAGE in response.content.decode()
