"""Upload validation (media.validation): files are judged by their content, and a
vendor is told in plain words why a file is refused."""

import io
import re

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, ImageFile
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript, PageTrigger
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from media.pdf import html_to_pdf
from media.validation import ACCEPT, ALLOWED, PDF, PrivateFileField, validate_upload


@pytest.fixture(autouse=True)
def _english_messages():
    """Messages are asserted in English here; the Chinese test overrides this itself."""
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return html_to_pdf("<p>资质</p>")


def image_bytes(fmt: str, size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def refusal(file, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_upload(file, **kwargs)
    assert file.tell() == 0, "the file is left at its start even when refused"
    return caught.value


def message(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- accepted ---------------------------------------------------------------

def test_a_valid_pdf_passes_and_is_reported_as_pdf(pdf_bytes):
    file = upload("营业执照.pdf", pdf_bytes)
    assert validate_upload(file) == "application/pdf"
    assert file.tell() == 0


@pytest.mark.parametrize("name", ["photo.jpg", "PHOTO.JPEG", "照片.jpeg"])
def test_a_valid_jpeg_passes_under_either_extension(name):
    file = upload(name, image_bytes("JPEG"))
    assert validate_upload(file) == "image/jpeg"
    assert file.tell() == 0


def test_a_valid_png_passes_and_is_reported_as_png():
    file = upload("scan.png", image_bytes("PNG"))
    assert validate_upload(file) == "image/png"
    assert file.tell() == 0


def test_a_name_without_extension_is_judged_by_content_alone(pdf_bytes):
    assert validate_upload(upload("licence", pdf_bytes)) == "application/pdf"


def test_a_pdf_that_only_restricts_editing_opens_without_a_password_and_passes(pdf_bytes):
    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes))
    writer.encrypt(user_password="", owner_password="owner-secret", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert PdfReader(io.BytesIO(buffer.getvalue())).is_encrypted
    assert validate_upload(upload("restricted.pdf", buffer.getvalue())) == "application/pdf"


def test_allowed_types_are_exactly_pdf_jpeg_and_png():
    assert {"application/pdf", "image/jpeg", "image/png"} == ALLOWED


# --- refused ----------------------------------------------------------------

def test_an_empty_file_is_refused():
    error = refusal(upload("empty.pdf", b""))
    assert error.code == "empty"
    assert "empty" in message(error)


def test_a_file_over_the_limit_is_refused_with_both_sizes_in_mb(settings, pdf_bytes):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    content = pdf_bytes + b"\n" * (1024 * 1024 + 200_000 - len(pdf_bytes))
    error = refusal(upload("big.pdf", content))
    assert error.code == "too_large"
    assert "1.2 MB" in message(error) and "at most 1 MB" in message(error)


def test_max_bytes_argument_overrides_the_setting(pdf_bytes):
    error = refusal(upload("big.pdf", pdf_bytes), max_bytes=len(pdf_bytes) - 1)
    assert error.code == "too_large"


def test_a_file_exactly_at_the_limit_is_accepted(pdf_bytes):
    assert validate_upload(upload("ok.pdf", pdf_bytes), max_bytes=len(pdf_bytes))


@pytest.mark.parametrize(
    ("name", "content", "looks_like"),
    [
        ("licence.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 100,
         "a Windows program"),
        ("photo.png", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 100,
         "a ZIP archive or a Word/Excel document"),
        ("licence.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>",
         "a web page (HTML)"),
        ("photo.jpg", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "a GIF image"),
        ("notes.pdf", "营业执照号码 123".encode(), "a text file"),
        ("blob.pdf", bytes(range(256)), "an unknown type"),
    ],
)
def test_content_that_is_not_pdf_jpeg_or_png_is_refused_whatever_its_name(
        name, content, looks_like):
    error = refusal(upload(name, content, content_type="application/pdf"))
    assert error.code == "not_allowed"
    assert message(error).startswith("This file is not a PDF, JPEG or PNG document")
    assert f"(it looks like {looks_like})" in message(error)


def test_a_png_named_pdf_is_refused_for_the_extension_mismatch():
    error = refusal(upload("licence.pdf", image_bytes("PNG")))
    assert error.code == "extension_mismatch"
    assert "The file's content is a PNG image but its name ends in .pdf" in message(error)


def test_a_pdf_named_jpg_is_refused_for_the_extension_mismatch(pdf_bytes):
    error = refusal(upload("licence.JPG", pdf_bytes))
    assert error.code == "extension_mismatch"
    assert "a PDF document but its name ends in .jpg" in message(error)


def test_a_pdf_cut_in_half_is_refused_as_damaged(pdf_bytes):
    error = refusal(upload("licence.pdf", pdf_bytes[: len(pdf_bytes) // 2]))
    assert error.code == "damaged"
    assert "damaged or incomplete" in message(error)


def test_a_pdf_header_with_nothing_behind_it_is_refused_as_damaged():
    error = refusal(upload("licence.pdf", b"%PDF-1.7\n%garbage\n"))
    assert error.code == "damaged"


def test_a_password_protected_pdf_is_refused(pdf_bytes):
    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes))
    writer.encrypt(user_password="secret", owner_password="owner-secret", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    error = refusal(upload("licence.pdf", buffer.getvalue()))
    assert error.code == "encrypted"
    assert "password" in message(error)


def test_a_truncated_png_is_refused_as_damaged():
    content = image_bytes("PNG", size=(300, 300))
    error = refusal(upload("scan.png", content[: len(content) // 2]))
    assert error.code == "damaged"
    assert "damaged or incomplete" in message(error)


@pytest.mark.parametrize("progressive", [False, True])
def test_a_truncated_jpeg_is_refused_even_when_pillow_is_told_to_load_truncated_images(
        monkeypatch, progressive):
    # WeasyPrint sets this process-wide flag on import; Pillow's load() then pads a
    # cut-off JPEG with grey instead of failing.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    buffer = io.BytesIO()
    Image.effect_noise((300, 300), 60).convert("RGB").save(
        buffer, format="JPEG", progressive=progressive)
    content = buffer.getvalue()
    error = refusal(upload("photo.jpg", content[: len(content) * 9 // 10]))
    assert error.code == "damaged"


def test_a_jpeg_whose_exif_thumbnail_is_whole_but_main_image_is_cut_is_refused(monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    thumbnail = image_bytes("JPEG", size=(16, 16))
    payload = b"Exif\x00\x00" + thumbnail
    app1 = b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
    main = image_bytes("JPEG", size=(300, 300))
    with_thumbnail = main[:2] + app1 + main[2:]
    assert validate_upload(upload("photo.jpg", with_thumbnail)) == "image/jpeg"
    error = refusal(upload("photo.jpg", with_thumbnail[: len(with_thumbnail) - 50]))
    assert error.code == "damaged"


def test_an_image_with_too_many_pixels_is_refused_before_decoding(monkeypatch):
    monkeypatch.setattr("media.validation.MAX_IMAGE_PIXELS", 1000)
    error = refusal(upload("scan.png", image_bytes("PNG", size=(100, 100))))
    assert error.code == "too_many_pixels"


# --- active content in PDFs ------------------------------------------------------

def rewritten(pdf_bytes, change) -> bytes:
    """The PDF after ``change(writer)``, written out again."""
    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes))
    change(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def open_action(action: dict):
    def change(writer):
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(
            DictionaryObject({NameObject(k): v for k, v in action.items()}))
    return change


def annotate(annotation: dict):
    def change(writer):
        writer.add_annotation(0, DictionaryObject(
            {NameObject("/Type"): NameObject("/Annot"),
             NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (10, 10, 60, 60)]),
             **{NameObject(k): v for k, v in annotation.items()}}))
    return change


def add_js(writer):
    """Document-level JavaScript (pypdf's ``add_js``, renamed in pypdf 7)."""
    writer.add_open_action(JavaScript("app.alert('hi');"))


def launch_action():
    return DictionaryObject({NameObject("/S"): NameObject("/Launch"),
                             NameObject("/F"): TextStringObject("cmd.exe")})


HOSTILE_PDFS = {
    "document-level JavaScript": (add_js, "JavaScript"),
    "JavaScript run when a page opens": (
        lambda w: w.pages[0].add_action(PageTrigger.OPEN, JavaScript("app.alert(2)")),
        "JavaScript"),
    "JavaScript run on opening": (open_action({
        "/S": NameObject("/JavaScript"), "/JS": TextStringObject("app.alert(1)")}),
        "JavaScript"),
    "a program launched on opening": (open_action({
        "/S": NameObject("/Launch"), "/F": TextStringObject("calc.exe")}),
        "an action that starts a program"),
    "an attached file": (lambda w: w.add_attachment("invoice.exe", b"MZ\x90\x00"),
                         "attached files"),
    "a file attachment annotation": (annotate({
        "/Subtype": NameObject("/FileAttachment"),
        "/FS": DictionaryObject({NameObject("/Type"): NameObject("/Filespec"),
                                 NameObject("/F"): TextStringObject("a.exe")})}),
        "attached files"),
    "a link that starts a program": (annotate({
        "/Subtype": NameObject("/Link"), "/A": launch_action()}),
        "an action that starts a program"),
    "a page action that starts a program": (
        lambda w: w.pages[0].__setitem__(NameObject("/AA"), DictionaryObject(
            {NameObject("/O"): launch_action()})),
        "an action that starts a program"),
}


def xfa_form(writer):
    """An XFA form: its XML template in the /XFA entry of the /AcroForm dictionary (an
    XFA-aware viewer runs the form's own scripts and may fetch or send data)."""
    template = DecodedStreamObject()
    template.set_data(b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><template/></xdp:xdp>')
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject({
        NameObject("/Fields"): ArrayObject(),
        NameObject("/XFA"): writer._add_object(template),
    })


HOSTILE_PDFS.update({
    "an XFA form": (xfa_form, "an XFA form"),
    "a link that sends form data away": (annotate({
        "/Subtype": NameObject("/Link"), "/A": DictionaryObject({
            NameObject("/S"): NameObject("/SubmitForm"),
            NameObject("/F"): DictionaryObject({
                NameObject("/FS"): NameObject("/URL"),
                NameObject("/F"): TextStringObject("https://example.com/collect")})})}),
        "an action that sends form data"),
    "form data imported on opening": (open_action({
        "/S": NameObject("/ImportData"), "/F": TextStringObject("answers.fdf")}),
        "an action that imports data"),
    "a jump into an attached document on opening": (open_action({
        "/S": NameObject("/GoToE"), "/D": ArrayObject([NumberObject(0)]),
        "/T": DictionaryObject({NameObject("/R"): NameObject("/C"),
                                NameObject("/N"): TextStringObject("inner.pdf")})}),
        "a link into an attached document"),
    "a RichMedia annotation": (annotate({
        "/Subtype": NameObject("/RichMedia"),
        "/RichMediaContent": DictionaryObject({NameObject("/Assets"): DictionaryObject()})}),
        "embedded multimedia (RichMedia)"),
})


@pytest.mark.parametrize("case", list(HOSTILE_PDFS))
def test_a_pdf_with_active_content_is_refused_and_says_what_it_holds(pdf_bytes, case):
    change, what = HOSTILE_PDFS[case]
    error = refusal(upload("licence.pdf", rewritten(pdf_bytes, change)))
    assert error.code == "active_content"
    assert f"({what})" in message(error)


@pytest.mark.parametrize(("case", "name", "escaped"), [
    ("document-level JavaScript", b"/JavaScript", b"/J#61vaScript"),
    ("a link that sends form data away", b"/SubmitForm", b"/Subm#69tForm"),
    ("form data imported on opening", b"/ImportData", b"/Imp#6frtData"),
    ("a jump into an attached document on opening", b"/GoToE", b"/GoT#6fE"),
    ("a RichMedia annotation", b"/RichMedia", b"/R#69chMedia"),
])
def test_active_content_behind_escaped_names_is_found_by_walking_the_document(
        pdf_bytes, case, name, escaped):
    """``/J#61vaScript`` is ``/JavaScript`` to a PDF reader but not to a byte search."""
    change, what = HOSTILE_PDFS[case]
    plain = re.compile(re.escape(name) + rb"(?=[\s/<>\[\]()%{}])")
    data = plain.sub(lambda _match: escaped, rewritten(pdf_bytes, change))
    assert not plain.search(data)
    error = refusal(upload("licence.pdf", data))
    assert error.code == "active_content"
    assert f"({what})" in message(error)


@pytest.mark.parametrize("action", [b"/Launch", b"/SubmitForm", b"/ImportData", b"/GoToE"])
def test_an_object_nothing_refers_to_is_still_searched_for_active_names(pdf_bytes, action):
    """A viewer that rebuilds a damaged cross-reference table may find such an object."""
    data = pdf_bytes + b"\n99 0 obj\n<< /S " + action + b" /F (calc.exe) >>\nendobj\n"
    assert PdfReader(io.BytesIO(data)).pages  # pypdf itself never reaches it
    assert refusal(upload("licence.pdf", data)).code == "active_content"


def test_an_ordinary_pdf_with_links_and_bookmarks_still_passes(pdf_bytes):
    def change(writer):
        writer.add_outline_item(title="营业执照", page_number=0)
        annotate({"/Subtype": NameObject("/Link"), "/A": DictionaryObject(
            {NameObject("/S"): NameObject("/URI"),
             NameObject("/URI"): TextStringObject("https://www.gov.cn/")})})(writer)

    assert validate_upload(upload("licence.pdf", rewritten(pdf_bytes, change))) == PDF


def test_the_active_content_message_is_chinese_by_default(pdf_bytes):
    with translation.override("zh-hans"):
        error = refusal(upload("licence.pdf", rewritten(
            pdf_bytes, add_js)))
        assert "此 PDF 含有主动内容（JavaScript 脚本）" in message(error)


@pytest.mark.parametrize(("case", "chinese"), [
    ("an XFA form", "XFA 动态表单"),
    ("a link that sends form data away", "提交表单数据的动作"),
    ("form data imported on opening", "导入数据的动作"),
    ("a jump into an attached document on opening", "跳转到内嵌文档的动作"),
    ("a RichMedia annotation", "内嵌多媒体（RichMedia）"),
])
def test_each_new_kind_of_active_content_is_named_in_chinese(pdf_bytes, case, chinese):
    change, _what = HOSTILE_PDFS[case]
    with translation.override("zh-hans"):
        text = message(refusal(upload("licence.pdf", rewritten(pdf_bytes, change))))
    assert text.startswith(f"此 PDF 含有主动内容（{chinese}）。"), text
    assert "收发数据" in text, "the explanation covers forms that send or load data"


def test_messages_are_translated_into_chinese():
    error = refusal(upload("empty.pdf", b""))
    with translation.override("zh-hans"):
        # msgid "The file is empty. Please choose the file again."
        assert message(error) == "文件是空的，请重新选择文件。"


# --- the form field ---------------------------------------------------------

class CredentialForm(forms.Form):
    document = PrivateFileField()


def test_form_field_widget_accepts_only_pdf_jpeg_and_png():
    html = str(CredentialForm()["document"])
    assert f'accept="{ACCEPT}"' in html
    assert ACCEPT == ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def test_form_field_stores_the_detected_type_on_the_cleaned_file():
    form = CredentialForm(files={"document": upload("scan.png", image_bytes("PNG"),
                                                    content_type="text/html")})
    assert form.is_valid(), form.errors
    document = form.cleaned_data["document"]
    assert document.detected_content_type == "image/png"
    assert document.content_type == "image/png"  # not what the browser claimed
    assert document.tell() == 0


def test_form_field_shows_the_refusal_as_a_form_error():
    form = CredentialForm(files={"document": upload("licence.pdf", b"MZ" + b"\x00" * 64)})
    assert not form.is_valid()
    assert form.errors.as_data()["document"][0].code == "not_allowed"


def test_form_field_refuses_an_empty_file_with_the_same_message():
    form = CredentialForm(files={"document": upload("licence.pdf", b"")})
    assert not form.is_valid()
    error = form.errors.as_data()["document"][0]
    assert error.code == "empty"
    assert error.messages == ["The file is empty. Please choose the file again."]


def test_form_field_keeps_the_initial_file_when_nothing_new_is_uploaded():
    class EditForm(forms.Form):
        document = PrivateFileField(required=False)

    initial = object()
    form = EditForm(data={}, files={}, initial={"document": initial})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["document"] is initial
