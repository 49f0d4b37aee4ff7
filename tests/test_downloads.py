"""Serving private files (media.downloads): streamed from local storage, redirected to
a short-lived presigned URL on S3, never cached, sniffed or run as script."""

import datetime
import urllib.request
import uuid
from urllib.parse import parse_qs, quote, unquote, urlsplit

import boto3
import pytest
from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponseRedirect
from moto.server import ThreadedMotoServer
from storages.backends.s3 import S3Storage

from media.downloads import INLINE_CSP, presigned_url_expired, serve_private
from media.storage import PrivateFileSystemStorage

# Closing a response fires request_finished, which touches the database connection.
pytestmark = pytest.mark.django_db

CHINESE_NAME = "营业执照 2025.pdf"
BODY = b"%PDF-1.4 licence body"


class Stub:
    """Stands in for a model field, which a FieldFile needs only for its storage."""

    def __init__(self, storage):
        self.storage = storage


def field_file(storage, content: bytes = BODY, name: str = "credentials/licence.pdf"):
    stored = storage.save(name, ContentFile(content))
    return FieldFile(None, Stub(storage), stored)


def body(response) -> bytes:
    data = b"".join(response.streaming_content)
    response.close()
    return data


# --- local storage ----------------------------------------------------------

@pytest.fixture
def local_file(tmp_path):
    return field_file(PrivateFileSystemStorage(location=str(tmp_path / "private")))


def test_local_inline_response_streams_the_bytes_with_protective_headers(local_file):
    response = serve_private(local_file, filename=CHINESE_NAME, content_type="application/pdf")
    assert isinstance(response, FileResponse)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Content-Security-Policy"] == INLINE_CSP
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Disposition"] == f"inline; filename*=utf-8''{quote(CHINESE_NAME)}"
    assert body(response) == BODY


def test_local_attachment_response_downloads_under_the_chinese_name(local_file):
    response = serve_private(local_file, filename=CHINESE_NAME, inline=False)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert unquote(disposition.split("''", 1)[1]) == CHINESE_NAME
    assert "Content-Security-Policy" not in response
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(response) == BODY


def test_local_response_guesses_the_type_from_the_name_when_none_is_given(tmp_path):
    storage = PrivateFileSystemStorage(location=str(tmp_path / "private"))
    response = serve_private(field_file(storage, b"\x89PNG\r\n\x1a\n", "scans/a.png"),
                             filename="扫描件.png")
    assert response["Content-Type"] == "image/png"
    body(response)


def test_local_response_for_an_unknown_name_is_an_opaque_octet_stream(tmp_path):
    storage = PrivateFileSystemStorage(location=str(tmp_path / "private"))
    response = serve_private(field_file(storage, b"data", "misc/a.bin"), filename="资料")
    assert response["Content-Type"] == "application/octet-stream"
    body(response)


# --- S3 (moto's server: a real HTTP connection) -------------------------------

@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_storage(s3_endpoint):
    bucket = f"private-{uuid.uuid4().hex[:8]}"
    boto3.client(
        "s3", endpoint_url=s3_endpoint, region_name="us-east-1",
        aws_access_key_id="test-key", aws_secret_access_key="test-secret",
    ).create_bucket(Bucket=bucket)
    return S3Storage(
        bucket_name=bucket, endpoint_url=s3_endpoint, access_key="test-key",
        secret_key="test-secret", region_name="us-east-1", querystring_auth=True,
        querystring_expire=300, addressing_style="path", signature_version="s3v4",
        location="private",
    )


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def fetch(url: str):
    with urllib.request.urlopen(url, timeout=10) as reply:  # noqa: S310 (local moto URL)
        return reply.read(), reply.headers


def test_s3_inline_response_redirects_to_a_presigned_url_that_serves_the_bytes(s3_storage):
    response = serve_private(field_file(s3_storage), filename=CHINESE_NAME,
                             content_type="application/pdf")
    assert isinstance(response, HttpResponseRedirect)
    assert response.status_code == 302
    url = response["Location"]
    query = query_of(url)
    assert "X-Amz-Signature" in query
    assert query["X-Amz-Expires"] == "300"
    assert query["response-content-type"] == "application/pdf"
    assert query["response-content-disposition"] == (
        f"inline; filename*=utf-8''{quote(CHINESE_NAME)}")
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Content-Type-Options"] == "nosniff"

    data, headers = fetch(url)
    assert data == BODY
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"].startswith("inline; filename*=utf-8''")


def test_s3_attachment_url_asks_s3_to_download_under_the_chinese_name(s3_storage):
    response = serve_private(field_file(s3_storage), filename=CHINESE_NAME, inline=False)
    query = query_of(response["Location"])
    assert query["response-content-disposition"].startswith("attachment; filename*=utf-8''")
    assert unquote(query["response-content-disposition"].split("''", 1)[1]) == CHINESE_NAME
    assert "Content-Security-Policy" not in response
    data, headers = fetch(response["Location"])
    assert data == BODY
    assert headers["Content-Disposition"].startswith("attachment;")


def test_s3_url_lifetime_follows_the_setting(settings, s3_storage):
    settings.PRIVATE_URL_EXPIRY_SECONDS = 60
    response = serve_private(field_file(s3_storage), filename="licence.pdf")
    assert query_of(response["Location"])["X-Amz-Expires"] == "60"


def test_s3_presigned_url_expires_after_its_window_and_not_before(s3_storage):
    url = serve_private(field_file(s3_storage), filename="licence.pdf")["Location"]
    signed_at = datetime.datetime.strptime(
        query_of(url)["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.UTC)
    assert not presigned_url_expired(url, now=signed_at)
    assert not presigned_url_expired(url, now=signed_at + datetime.timedelta(seconds=299))
    assert presigned_url_expired(url, now=signed_at + datetime.timedelta(seconds=300))
    assert presigned_url_expired(url, now=signed_at + datetime.timedelta(hours=1))
    assert not presigned_url_expired(url)  # just signed


# --- presigned_url_expired on its own -----------------------------------------

SIGNED = ("https://s3.example.cn/bucket/private/a.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256"
          "&X-Amz-Date=20250301T013000Z&X-Amz-Expires=300&X-Amz-Signature=abc")


def test_presigned_url_expired_reads_date_and_lifetime_from_the_url():
    signed_at = datetime.datetime(2025, 3, 1, 1, 30, tzinfo=datetime.UTC)
    assert not presigned_url_expired(SIGNED, now=signed_at + datetime.timedelta(seconds=120))
    assert presigned_url_expired(SIGNED, now=signed_at + datetime.timedelta(seconds=301))


def test_presigned_url_expired_compares_in_utc_whatever_the_time_zone():
    shanghai = datetime.timezone(datetime.timedelta(hours=8))
    assert not presigned_url_expired(
        SIGNED, now=datetime.datetime(2025, 3, 1, 9, 34, tzinfo=shanghai))
    assert presigned_url_expired(
        SIGNED, now=datetime.datetime(2025, 3, 1, 9, 36, tzinfo=shanghai))
    # A naive time is taken as UTC.
    assert presigned_url_expired(SIGNED, now=datetime.datetime(2025, 3, 1, 1, 36))


def test_presigned_url_expired_refuses_a_url_that_is_not_presigned():
    with pytest.raises(ValueError):
        presigned_url_expired("https://s3.example.cn/bucket/a.pdf")
