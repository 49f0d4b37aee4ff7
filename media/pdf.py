"""PDF rendering: a Django template rendered to HTML, then to PDF by WeasyPrint.

Bureaus run on closed intranets, so rendering never touches the network: fonts come
from fontconfig (fonts-noto-cjk, named in the templates' CSS) and the URL fetcher
refuses everything except ``file:`` and ``data:`` URLs.
"""

import hashlib
import io

from django.http import FileResponse
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher

ALLOWED_URL_SCHEMES = frozenset({"file", "data"})


class LocalURLFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that only reads ``file:`` and ``data:`` URLs.

    Anything else (http, https, ftp, …) raises ``ValueError``; WeasyPrint logs the
    failed resource and goes on rendering without it.
    """

    def fetch(self, url, headers=None):
        scheme = url.partition(":")[0].lower()
        if scheme not in ALLOWED_URL_SCHEMES:
            raise ValueError(f"Refusing to fetch {url!r}: only file: and data: URLs are allowed")
        return super().fetch(url, headers)


def html_to_pdf(html: str, *, base_url=None) -> bytes:
    """Render an HTML string to PDF bytes, without network access."""
    return HTML(string=html, base_url=base_url, url_fetcher=LocalURLFetcher()).write_pdf()


def render_pdf(template_name: str, context: dict, *, base_url=None) -> bytes:
    """Render a Django template to PDF bytes.

    ``generated_at`` (shown in the page footer) defaults to now; pass it in the
    context to make a document reproducible.
    """
    context = {"generated_at": timezone.localtime(), **context}
    return html_to_pdf(render_to_string(template_name, context), base_url=base_url)


def document_sha256(data: bytes) -> str:
    """Hex SHA-256 of a rendered document, to store next to it as a fingerprint."""
    return hashlib.sha256(data).hexdigest()


def pdf_response(data: bytes, filename: str, *, as_attachment: bool = True) -> FileResponse:
    """A response serving PDF bytes. Django writes the Content-Disposition header,
    with an RFC 5987 ``filename*=utf-8''…`` form for Chinese filenames."""
    return FileResponse(
        io.BytesIO(data),
        as_attachment=as_attachment,
        filename=filename,
        content_type="application/pdf",
    )
