"""Serving private files.

Whoever calls :func:`serve_private` has already decided that the user may see the
file; this module only serves it, safely:

- on S3 the browser is redirected to a presigned URL that expires after
  ``settings.PRIVATE_URL_EXPIRY_SECONDS`` and tells S3 which filename and content
  type to answer with;
- on local storage the file is streamed by Django.

On S3 the object is looked up (one HEAD request) before a URL is signed, so that a
store that is down answers a clear 503 page here (``media.errors.StorageUnavailable``,
turned into the page by its middleware) instead of sending the browser to an address
that does not answer; a missing object is a 404.

Either way the response is never cached, never sniffed into another type, sends no
referrer (a presigned URL must not leak), and an inline response is sandboxed so
that a hostile PDF or HTML file cannot run script on our origin.
"""

import datetime
import mimetypes
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header
from storages.backends.s3 import S3Storage

DEFAULT_EXPIRY_SECONDS = 300
INLINE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"


def expiry_seconds() -> int:
    """How long a presigned URL stays valid."""
    return int(getattr(settings, "PRIVATE_URL_EXPIRY_SECONDS", DEFAULT_EXPIRY_SECONDS))


def _content_type(filename: str, content_type: str | None) -> str:
    if content_type:
        return content_type
    guessed, _encoding = mimetypes.guess_type(filename)
    return guessed or "application/octet-stream"


def _protect(response: HttpResponse, *, inline: bool) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    if inline:
        response["Content-Security-Policy"] = INLINE_CSP
    return response


def serve_private(field_file, *, filename: str, inline: bool = True,
                  content_type: str | None = None) -> HttpResponse:
    """A response giving the user ``field_file`` (a ``FieldFile``), named ``filename``.

    ``inline`` shows it in the browser; otherwise it is downloaded. ``content_type``
    defaults to a guess from ``filename``; pass the type detected at upload when it
    is known.
    """
    content_type = _content_type(filename, content_type)
    storage = field_file.storage
    if isinstance(storage, S3Storage):
        if not storage.exists(field_file.name):  # StorageUnavailable when the store is down
            raise Http404
        url = storage.url(
            field_file.name,
            parameters={
                "ResponseContentDisposition": content_disposition_header(
                    as_attachment=not inline, filename=filename
                ),
                "ResponseContentType": content_type,
                "ResponseCacheControl": "private, no-store",
            },
            expire=expiry_seconds(),
        )
        return _protect(HttpResponseRedirect(url), inline=inline)
    response = FileResponse(
        field_file.open("rb"),
        as_attachment=not inline,
        filename=filename,
        content_type=content_type,
    )
    return _protect(response, inline=inline)


def presigned_url_expired(url: str, now: datetime.datetime | None = None) -> bool:
    """Whether a SigV4 presigned URL has expired at ``now`` (default: the current time).

    Reads ``X-Amz-Date`` (when it was signed, UTC) and ``X-Amz-Expires`` (seconds).
    A naive ``now`` is taken as UTC. Raises ``ValueError`` for a URL that is not a
    SigV4 presigned URL.
    """
    query = parse_qs(urlsplit(url).query)
    try:
        signed_at = datetime.datetime.strptime(query["X-Amz-Date"][0], AMZ_DATE_FORMAT)
        lifetime = int(query["X-Amz-Expires"][0])
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError("Not a SigV4 presigned URL (X-Amz-Date/X-Amz-Expires missing)") from exc
    signed_at = signed_at.replace(tzinfo=datetime.UTC)
    if now is None:
        now = datetime.datetime.now(datetime.UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=datetime.UTC)
    return now >= signed_at + datetime.timedelta(seconds=lifetime)
