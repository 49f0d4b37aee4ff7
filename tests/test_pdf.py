"""PDF rendering (media.pdf): Chinese renders with embedded CJK fonts, the text can be
extracted again, and rendering never touches the network."""

import datetime
import hashlib
import io
import shutil
import socket
import subprocess
from unittest import mock
from urllib.parse import quote

import pytest
from django.utils import timezone, translation
from PIL import Image
from pypdf import PdfReader

from media.pdf import LocalURLFetcher, document_sha256, html_to_pdf, pdf_response, render_pdf

SAMPLE = "media/pdf/sample_notice.html"
GENERATED_AT = datetime.datetime(2025, 3, 1, 9, 30, tzinfo=datetime.UTC)
CJK_FONT_NAMES = ("NotoSansCJK", "NotoSerifCJK", "WenQuanYi")


@pytest.fixture(scope="module")
def sample_pdf() -> bytes:
    with translation.override("zh-hans"):
        return render_pdf(SAMPLE, {"generated_at": GENERATED_AT})


def extracted_text(data: bytes) -> str:
    """All text of the PDF with whitespace removed, so line breaks do not split phrases."""
    reader = PdfReader(io.BytesIO(data))
    return "".join("".join(page.extract_text() for page in reader.pages).split())


def embedded_font_names(data: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(data))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def test_sample_notice_is_a_one_page_pdf_whose_chinese_text_extracts_exactly(sample_pdf):
    assert sample_pdf.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(sample_pdf)).pages) == 1
    text = extracted_text(sample_pdf)
    for phrase in (
        "课后服务校外资源引进须知",
        "示教发〔2025〕12号",
        "各中小学校、各课后服务提供机构：",
        "不得借课后服务之名开展学科类培训",
        "校外资源须经机构申报、学校初审、区教育局复核后方可列入资源目录",
        "非学科类培训机构",
    ):
        assert phrase in text


def test_sample_notice_embeds_only_cjk_fonts(sample_pdf):
    names = embedded_font_names(sample_pdf)
    assert names
    for name in names:
        # Subset fonts are named like "/ABCDEF+Noto-Serif-CJK-SC-Bold".
        assert any(cjk in name.replace("-", "") for cjk in CJK_FONT_NAMES), name


def test_footer_numbers_pages_and_shows_the_generation_date():
    with translation.override("en"):
        text = extracted_text(render_pdf(SAMPLE, {"generated_at": GENERATED_AT}))
    assert "Page1of1" in text
    assert "Generatedon" in text and "2025" in text


def test_render_pdf_defaults_the_generation_date_to_today():
    with translation.override("en"):
        text = extracted_text(render_pdf(SAMPLE, {}))
    assert str(timezone.localdate().year) in text


@pytest.mark.parametrize(
    "url",
    ["http://example.com/x.png", "https://example.com/x.css", "HTTP://EXAMPLE.COM/", "ftp://x/y"],
)
def test_url_fetcher_refuses_network_urls(url):
    with pytest.raises(ValueError, match="Refusing to fetch"):
        LocalURLFetcher()(url)


def test_url_fetcher_reads_file_and_data_urls(tmp_path):
    path = tmp_path / "style.css"
    path.write_text("p { color: red; }")
    fetcher = LocalURLFetcher()
    assert fetcher(path.as_uri()).read() == b"p { color: red; }"
    assert fetcher("data:text/plain,hello").read() == b"hello"


def test_rendering_html_with_remote_resources_opens_no_connection(monkeypatch, caplog):
    attempts = []

    def no_network(*args, **kwargs):
        # WeasyPrint swallows fetch errors, so record the attempt rather than only raise.
        attempts.append(args)
        raise OSError("network access during PDF rendering")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    html = (
        '<html><head><link rel="stylesheet" href="https://cdn.example.com/x.css"></head>'
        '<body><p>课后服务</p><img src="http://example.com/x.png"></body></html>'
    )
    with mock.patch.object(
        LocalURLFetcher, "fetch", autospec=True, side_effect=LocalURLFetcher.fetch
    ) as fetch:
        data = html_to_pdf(html)

    assert attempts == []
    fetched = [call.args[1] for call in fetch.call_args_list]
    assert "http://example.com/x.png" in fetched
    assert "https://cdn.example.com/x.css" in fetched
    assert "Refusing to fetch" in caplog.text  # WeasyPrint logged the refusal and went on
    assert "课后服务" in extracted_text(data)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_sample_notice_rasterises_to_a_page_with_visible_glyphs(sample_pdf, tmp_path):
    pdf_path = tmp_path / "sample.pdf"
    pdf_path.write_bytes(sample_pdf)
    subprocess.run(  # noqa: S603 - fixed arguments, no shell
        ["pdftoppm", "-r", "60", "-png", str(pdf_path), str(tmp_path / "page")],  # noqa: S607
        check=True,
    )
    pngs = sorted(tmp_path.glob("page*.png"))
    assert len(pngs) == 1
    assert pngs[0].stat().st_size > 10_000

    image = Image.open(pngs[0]).convert("L")
    width, height = image.size
    assert abs(height / width - 297 / 210) < 0.01  # A4 portrait
    # The title band (centred, about a fifth down the page) holds dark glyph pixels.
    title_band = image.crop((width // 4, height // 6, width * 3 // 4, height // 4))
    dark_in_title = sum(title_band.histogram()[:100])  # pixels darker than 100/255
    dark_on_page = sum(image.histogram()[:100])
    assert dark_in_title > 300
    assert dark_on_page > 5_000


def test_document_sha256_is_the_hex_digest():
    assert document_sha256(b"abc") == hashlib.sha256(b"abc").hexdigest()


def test_pdf_response_sends_a_chinese_filename_per_rfc_5987():
    response = pdf_response(b"%PDF-1.7 test", "课后服务须知.pdf")
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "filename*=utf-8''" + quote("课后服务须知.pdf") in disposition
    assert b"".join(response.streaming_content) == b"%PDF-1.7 test"
