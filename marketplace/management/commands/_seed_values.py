"""What the demo seed is made of: the data files in ``seed_data/``, random values drawn
from one seeded generator, demo scans and PDFs, and a find-or-create for plain rows.

(A module whose name starts with an underscore is not a management command.)
"""

import datetime as dt
import io
import json
import random
from collections import Counter
from pathlib import Path

from django.core.files.base import ContentFile
from django.utils import timezone

from marketplace.validators import id_number_check_char, uscc_check_char
from media.storage import sha256_of

DATA_DIR = Path(__file__).with_name("seed_data")
DEMO = {name: json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))
        for name in ("district", "identities", "offerings", "providers", "admission",
                     "bookings", "exits")}
PLACE, NAMES = DEMO["district"], DEMO["identities"]


def aware(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def upsert(model, lookup: dict, fields: dict | None = None, *, create=True, file=None):
    """Find a row by its natural key and set ``fields`` (or create it, unless ``create``
    is false). ``file`` is ``(field name, maker)``: written only while the row has none,
    so re-runs add no copies."""
    obj = model.objects.filter(**lookup).first()
    if obj is None and not create:
        return None
    obj = obj or model(**lookup)
    for name, value in (fields or {}).items():
        setattr(obj, name, value)
    if file and not getattr(obj, file[0]):
        content = file[1]()
        getattr(obj, file[0]).save(content.name, content, save=False)
        if hasattr(obj, "pdf_sha256"):
            obj.pdf_sha256 = sha256_of(content)
    obj.save()
    return obj


def school_terms(today: dt.date) -> dict[str, dict]:
    """The demo's terms, dated from ``today`` by the rule in ``district.json``: the two of
    the last school year (``before_last``, ``last``), the one under way or the next to
    start (``current``) and the one after it (``next``)."""
    rule, terms = PLACE["terms"], []
    for year in range(today.year - 3, today.year + 2):
        for key, start_year, end_year in (("first", year, year + 1),
                                          ("second", year + 1, year + 1)):
            spec = rule[key]
            terms.append({
                "name": spec["name"].format(year=year, next=year + 1),
                "starts_on": dt.date.fromisoformat(f"{start_year}-{spec['starts_on']}"),
                "ends_on": dt.date.fromisoformat(f"{end_year}-{spec['ends_on']}")})
    current = next(i for i, term in enumerate(terms) if term["ends_on"] >= today)
    return dict(zip(("before_last", "last", "current", "next"), terms[current - 2:current + 2],
                    strict=True))


class Draw:
    """Random demo values from ``random.Random(seed)``. Callers draw in the order of the
    data files on every run, whatever the database holds, so the values are stable."""

    def __init__(self, seed: int = 2026):
        self.rng = random.Random(seed)
        self.used: set[str] = set()
        self.counters = Counter()

    def number(self, series: str) -> int:
        """The next number of ``series`` (reference numbers, sample numbers)."""
        self.counters[series] += 1
        return self.counters[series]

    def pick(self, seq):
        return self.rng.choice(seq)

    def person_name(self, gender: str) -> str:
        given = self.pick(NAMES["given_names"][gender])
        return self.pick(NAMES["surnames"]) + given

    def mobile(self) -> str:
        return self.pick(NAMES["mobile_prefixes"]) + f"{self.rng.randrange(10**8):08d}"

    def landline(self) -> str:
        return f"0571-{self.rng.randrange(8600_0000, 8899_9999)}"

    def address(self, town: str) -> str:
        return f"{PLACE['district']}{town}{self.pick(PLACE['roads'])}{self.rng.randint(1, 399)}号"

    def _unique(self, make) -> str:
        while (value := make()) in self.used:
            pass
        self.used.add(value)
        return value

    def id_number(self, gender: str, born_year: int) -> str:
        def make():
            region = self.pick(NAMES["id_regions"])
            born = dt.date(born_year, 1, 1) + dt.timedelta(days=self.rng.randrange(365))
            order = self.rng.randrange(0, 500) * 2 + (1 if gender == "M" else 0)
            first17 = f"{region}{born:%Y%m%d}{order:03d}"
            return first17 + id_number_check_char(first17)

        return self._unique(make)

    def credit_code(self, reg: str) -> str:
        """A unified social credit code: registration authority and type (``reg``), the
        district's division code, an organisation code with its GB 11714 check digit and
        the GB 32100 check character."""
        def make():
            body = f"{self.rng.randrange(10**8):08d}"
            weights = (3, 7, 9, 10, 5, 8, 4, 2)
            check = 11 - sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11
            org_code = body + {10: "X", 11: "0"}.get(check, str(check))
            first17 = f"{reg}{PLACE['district_code']}{org_code}"
            return first17 + uscc_check_char(first17)

        return self._unique(make)

    def signing(self, day: dt.date) -> tuple[dt.datetime, str]:
        """When and from which address someone signed on ``day``."""
        at = aware(day, 9 + self.rng.randint(0, 8), self.rng.randint(0, 59))
        r = self.rng.randint
        return at, f"10.{r(10, 250)}.{r(0, 255)}.{r(2, 250)}"

    def document(self, filename: str, *lines: str):
        """A maker of a demo file named ``filename``: a PNG 'scan' or a one-page PDF,
        numbered in seed order."""
        seq, png = self.number("file"), filename.endswith(".png")
        lines = [f"DEMO {'SCAN' if png else 'DOCUMENT'} - NOT A REAL CERTIFICATE", *lines,
                 f"Sample no. {seq:05d}"]
        return lambda: ContentFile(demo_png(lines, seq) if png else demo_pdf(lines),
                                   name=filename)


def demo_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with ASCII text: small, valid, and made without any PDF library."""

    def escape(text: str) -> str:
        text = text.encode("ascii", "replace").decode("ascii")
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 13 Tf", "36 250 Td", "18 TL",
           *(f"({escape(line)}) Tj T*" for line in lines), "ET"]
    stream = "\n".join(ops).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 297] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def demo_png(lines: list[str], hue: int) -> bytes:
    """A small PNG 'scan' drawn with Pillow."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (360, 220), (250, 250, 246))
    draw = ImageDraw.Draw(image)
    colour = ((hue * 53) % 200, (hue * 97) % 160 + 40, (hue * 31) % 200 + 40)
    draw.rectangle([6, 6, 353, 213], outline=colour, width=4)
    draw.rectangle([270, 120, 340, 200], outline=(200, 30, 30), width=3)
    for row, line in enumerate(lines):
        draw.text((22, 24 + row * 22), line.encode("ascii", "replace").decode(), fill=(20, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
