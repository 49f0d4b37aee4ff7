"""Upload validation: a file is judged by its content, never by its name.

Vendors upload credentials (资质证明) as PDF, JPEG or PNG. Every upload is checked
before it is stored:

1. it is not empty and not larger than ``settings.UPLOAD_MAX_BYTES``;
2. its first bytes say it is a PDF, JPEG or PNG (a renamed program, archive or web page
   is refused, and the message says what it looks like);
3. its name's extension agrees with its content (a PNG named ``.pdf`` is refused);
4. it opens: a PDF must parse with pypdf, have pages and need no password; an image
   must pass Pillow's ``verify()`` and then decode completely;
5. a PDF holds no active content: no JavaScript, no action that starts a program, sends
   form data or imports data, no XFA form, no attached files or jump into one, no
   embedded multimedia (these run, open or fetch things on a reviewer's computer).

Messages speak to a vendor, not to a developer: they say what is wrong with the file
and, where it helps, what to do about it.
"""

import math
import os
import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
ALLOWED = {PDF, JPEG, PNG}

#: Extensions a name may end in for each content type (compared lower-case).
EXTENSIONS = {
    PDF: (".pdf",),
    JPEG: (".jpg", ".jpeg"),
    PNG: (".png",),
}

#: The ``accept`` attribute of the upload widget: extensions and types, so that
#: every browser's file picker offers the right files.
ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"

#: An image this large is refused before it is decoded: decoding it would take
#: hundreds of megabytes of memory (a "decompression bomb" fits in a few MB).
MAX_IMAGE_PIXELS = 50_000_000

MIB = 1024 * 1024
HEAD_BYTES = 2048

# What the content is, for messages: "The file's content is a PNG image but …".
CONTENT_LABELS = {
    PDF: _("a PDF document"),
    JPEG: _("a JPEG image"),
    PNG: _("a PNG image"),
}


def _sniff(head: bytes) -> str | None:
    """The allowed content type that ``head`` (the first bytes of a file) starts
    with, or ``None``."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def _describe(head: bytes):
    """What a refused file looks like, in words a vendor understands."""
    if head.startswith(b"PK\x03\x04"):
        return _("a ZIP archive or a Word/Excel document")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _("an old-style Word/Excel document")
    if head.startswith((b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c")):
        return _("a compressed archive")
    if head.startswith(b"MZ"):
        return _("a Windows program")
    if head.startswith(b"\x7fELF"):
        return _("a program")
    if head.startswith((b"GIF87a", b"GIF89a")):
        return _("a GIF image")
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return _("a WebP image")
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
        return _("a HEIC photo (the iPhone format)")
    if head.startswith(b"BM") and head[6:10] == b"\x00\x00\x00\x00":
        return _("a BMP image")
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return _("a TIFF image")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")):
        return _("a web page (HTML)")
    if text.startswith((b"<?xml", b"<svg")):
        return _("an SVG image") if b"<svg" in text else _("an XML file")
    if text.startswith(b"{\\rtf"):
        return _("an RTF document")
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character may be cut at the end of the sample.
            if exc.start < len(head) - 3:
                return _("an unknown type")
        return _("a text file")
    return _("an unknown type")


def _mb(size: int, *, rounding) -> str:
    """A byte count in MB (MiB) with at most one decimal: ``10``, ``12.5``."""
    value = rounding(size * 10 / MIB) / 10
    return f"{value:.1f}".removesuffix(".0")


def _check_pdf(file) -> None:
    # pypdf is imported here so that importing the form field stays light.
    from pypdf import PdfReader

    damaged = ValidationError(
        _("This PDF is damaged or incomplete and cannot be opened. Please export or "
          "scan it again and upload the new file."),
        code="damaged",
    )
    try:
        reader = PdfReader(file, strict=False)
        if reader.is_encrypted:
            # A PDF that only restricts printing or editing opens without a password
            # (its user password is empty); reviewers can read it, so it is accepted.
            # One that asks for a password to open is refused.
            try:
                opened = reader.decrypt("")
            except Exception:
                opened = 0
            if not opened:
                raise ValidationError(
                    _("This PDF is protected by a password. Reviewers must be able to open "
                      "it: please upload a copy without a password."),
                    code="encrypted",
                )
        pages = len(reader.pages)
        file.seek(0)
        active = _pdf_active_content(reader, file.read())
    except ValidationError:
        raise
    except Exception as exc:  # pypdf raises many kinds of errors on broken files
        raise damaged from exc
    if pages < 1:
        raise damaged
    if active:
        what = gettext(", ").join(
            str(label) for kind, label in ACTIVE_CONTENT_LABELS.items() if kind in active)
        raise ValidationError(
            _("This PDF contains active content (%(what)s). Documents for review may not "
              "run scripts, start programs, send or load data, or carry other files or "
              "media: please print it to a new PDF, or scan the paper document, and upload "
              "that file."),
            code="active_content", params={"what": what},
        )


#: Kinds of active content a PDF may hold, as a vendor is told of them (in this order).
JAVASCRIPT, LAUNCH, ATTACHMENT = "javascript", "launch", "attachment"
XFA, SUBMIT_FORM, IMPORT_DATA = "xfa", "submit_form", "import_data"
GOTO_EMBEDDED, RICH_MEDIA = "goto_embedded", "rich_media"
ACTIVE_CONTENT_LABELS = {
    JAVASCRIPT: _("JavaScript"),
    LAUNCH: _("an action that starts a program"),
    ATTACHMENT: _("attached files"),
    XFA: _("an XFA form"),
    SUBMIT_FORM: _("an action that sends form data"),
    IMPORT_DATA: _("an action that imports data"),
    GOTO_EMBEDDED: _("a link into an attached document"),
    RICH_MEDIA: _("embedded multimedia (RichMedia)"),
}
#: Actions (the /S of an action dictionary) and what they are.
_ACTIONS = {
    "/JavaScript": JAVASCRIPT, "/Launch": LAUNCH, "/SubmitForm": SUBMIT_FORM,
    "/ImportData": IMPORT_DATA, "/GoToE": GOTO_EMBEDDED,
}
#: Defence in depth: these names written out plainly anywhere in the file (also in an
#: object nothing refers to). Long names only: a short one such as /JS or /XFA turns up
#: by chance in compressed image data (an XFA form is found by walking the document).
_ACTIVE_NAMES = {
    b"JavaScript": JAVASCRIPT, b"Launch": LAUNCH, b"EmbeddedFile": ATTACHMENT,
    b"EmbeddedFiles": ATTACHMENT, b"FileAttachment": ATTACHMENT,
    b"SubmitForm": SUBMIT_FORM, b"ImportData": IMPORT_DATA, b"GoToE": GOTO_EMBEDDED,
    b"RichMedia": RICH_MEDIA, b"RichMediaContent": RICH_MEDIA,
}
_ACTIVE_NAME_RE = re.compile(
    rb"/(" + b"|".join(sorted(_ACTIVE_NAMES, key=len, reverse=True)) + rb")(?=[\s/<>\[\]()%{}]|$)")


def _active_in(obj) -> set[str]:
    """What one PDF dictionary makes active: an action (/S /JavaScript, /Launch,
    /SubmitForm, /ImportData or /GoToE, or a /JS script), a name tree of scripts or of
    attached files, an embedded file, a file specification carrying one, a file
    attachment or RichMedia annotation, or an /AcroForm dictionary with an XFA form."""
    def name(key):
        value = obj.get(key)
        return value.get_object() if value is not None else None

    found = set()
    action = name("/S")
    if isinstance(action, str) and action in _ACTIONS:
        found.add(_ACTIONS[action])
    if "/JS" in obj:
        found.add(JAVASCRIPT)
    if "/XFA" in obj:
        found.add(XFA)
    if name("/Subtype") == "/RichMedia" or "/RichMediaContent" in obj:
        found.add(RICH_MEDIA)
    if "/JavaScript" in obj:  # the document's /Names tree of scripts
        found.add(JAVASCRIPT)
    if ("/EmbeddedFiles" in obj or "/EF" in obj or name("/Type") == "/EmbeddedFile"
            or name("/Subtype") == "/FileAttachment"):
        found.add(ATTACHMENT)
    return found


def _pdf_active_content(reader, data: bytes) -> set[str]:
    """Active content of a PDF: every object reachable from its trailer is looked at (the
    catalog with its /OpenAction, /AA and /Names, the pages with their annotations and
    actions, outlines, form fields; objects inside compressed object streams too, as
    pypdf resolves them), and the raw bytes are searched for the same names."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    found, seen, stack = set(), set(), [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):  # streams too: their dictionary
            found |= _active_in(obj)
            stack.extend(value for key, value in obj.items() if key != "/Encrypt")
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    found.update(_ACTIVE_NAMES[m.group(1)] for m in _ACTIVE_NAME_RE.finditer(data))
    return found


def _jpeg_is_complete(data: bytes) -> bool:
    """Whether a JPEG's main image runs to its end-of-image marker (FFD9).

    Walks the marker segments up to the first scan (SOS, FFDA) of the main image,
    skipping their contents (an EXIF thumbnail inside APP1 is a whole JPEG with its
    own markers), then looks for EOI after it: inside entropy-coded data a 0xFF byte
    is always followed by 0x00 or a restart marker, so FFD9 there means the end.
    """
    i, size = 2, len(data)
    while i + 4 <= size:
        if data[i] != 0xFF:
            return False
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
        elif marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:  # no length field
            i += 2
        elif marker == 0xD9:  # end of image before any scan
            return False
        elif marker == 0xDA:
            return data.find(b"\xff\xd9", i + 2) != -1
        else:
            i += 2 + int.from_bytes(data[i + 2:i + 4], "big")
    return False


def _check_image(file, content_type: str) -> None:
    from PIL import Image

    damaged = ValidationError(
        _("This image is damaged or incomplete and cannot be displayed. Please take or "
          "save the picture again and upload the new file."),
        code="damaged",
    )
    too_many_pixels = ValidationError(
        _("This image has too many pixels to check. Please upload a smaller picture, "
          "for example a photo taken at a lower resolution."),
        code="too_many_pixels",
    )
    expected_format = {JPEG: "JPEG", PNG: "PNG"}[content_type]
    try:
        with Image.open(file) as image:
            if image.format != expected_format:
                raise damaged
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise too_many_pixels
            image.verify()
        # verify() leaves the image unusable: open it again and decode every pixel.
        file.seek(0)
        with Image.open(file) as image:
            image.load()
        # load() alone cannot be trusted to notice a truncated JPEG: WeasyPrint sets
        # the process-wide ImageFile.LOAD_TRUNCATED_IMAGES = True when imported, and
        # Pillow then pads a cut-off JPEG with grey. So check the end-of-image marker
        # ourselves (PNG truncation is caught by verify(), which checks every chunk).
        if content_type == JPEG:
            file.seek(0)
            if not _jpeg_is_complete(file.read()):
                raise damaged
    except ValidationError:
        raise
    except Image.DecompressionBombError as exc:  # far beyond MAX_IMAGE_PIXELS
        raise too_many_pixels from exc
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError, …
        raise damaged from exc


def validate_upload(uploaded_file, *, max_bytes: int | None = None) -> str:
    """Check an uploaded file and return its content type, detected from its bytes.

    Raises ``ValidationError`` (with a ``code``: ``empty``, ``too_large``,
    ``not_allowed``, ``extension_mismatch``, ``damaged``, ``encrypted``,
    ``active_content`` or ``too_many_pixels``) when the file must be refused. The file
    is always left positioned at its start.
    """
    if max_bytes is None:
        max_bytes = getattr(settings, "UPLOAD_MAX_BYTES", 10 * MIB)
    try:
        size = uploaded_file.size
        if not size:
            raise ValidationError(
                _("The file is empty. Please choose the file again."), code="empty"
            )
        if size > max_bytes:
            raise ValidationError(
                _("The file is too large: %(size)s MB. Files may be at most %(limit)s MB; "
                  "please compress or scan it at a lower resolution."),
                code="too_large",
                params={"size": _mb(size, rounding=math.ceil),
                        "limit": _mb(max_bytes, rounding=math.floor)},
            )
        uploaded_file.seek(0)
        head = uploaded_file.read(HEAD_BYTES)
        content_type = _sniff(head)
        if content_type is None:
            raise ValidationError(
                _("This file is not a PDF, JPEG or PNG document (it looks like %(kind)s). "
                  "Please upload a PDF, or a photo or scan saved as JPEG or PNG."),
                code="not_allowed",
                params={"kind": _describe(head)},
            )
        extension = os.path.splitext(uploaded_file.name or "")[1].lower()
        if extension and extension not in EXTENSIONS[content_type]:
            raise ValidationError(
                _("The file's content is %(content)s but its name ends in %(extension)s. "
                  "Please check that you chose the right file, or correct its name."),
                code="extension_mismatch",
                params={"content": CONTENT_LABELS[content_type], "extension": extension},
            )
        uploaded_file.seek(0)
        if content_type == PDF:
            _check_pdf(uploaded_file)
        else:
            _check_image(uploaded_file, content_type)
        return content_type
    finally:
        uploaded_file.seek(0)


class PrivateFileField(forms.FileField):
    """A file field for private documents: PDF, JPEG or PNG, checked by content.

    The cleaned file carries ``detected_content_type``; its ``content_type`` (what
    the browser claimed) is replaced by the detected type too, so that a storage
    which records it (S3) records the truth.
    """

    default_error_messages = {
        "empty": _("The file is empty. Please choose the file again."),
    }

    def __init__(self, *, max_bytes: int | None = None, **kwargs):
        self.max_bytes = max_bytes
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.setdefault("accept", ACCEPT)
        return attrs

    def clean(self, data, initial=None):
        cleaned = super().clean(data, initial)
        if not cleaned or cleaned is initial:
            return cleaned  # nothing new uploaded, or the file is being cleared
        content_type = validate_upload(cleaned, max_bytes=self.max_bytes)
        cleaned.detected_content_type = content_type
        if hasattr(cleaned, "content_type"):
            cleaned.content_type = content_type
        return cleaned
