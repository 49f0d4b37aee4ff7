"""Finds English a Chinese user would read on an admin screen: text nodes, tooltips,
placeholders, screen-reader labels, button captions, and the strings Wagtail hands to
its JavaScript (menu labels, checks, autosave and bulk-action messages)."""

import json
import re
import zoneinfo
from html.parser import HTMLParser

# Latin-script words a Chinese government UI keeps as they are, each for a reason.
ALLOWED_WORDS = {
    "Wagtail",  # the product name of the admin software (brand)
    "URL", "ID", "API", "HTML", "SEO", "JavaScript",  # technical names used as such in Chinese
    "PDF", "DOC", "DOCX", "XLS", "XLSX", "PPT", "PPTX", "ODT", "ODS", "TXT", "CSV", "ZIP",
    "GIF", "JPG", "JPEG", "PNG", "WEBP", "AVIF", "SVG", "HEIC", "ICO",  # file formats
    "px", "KB", "MB", "GB",  # units
    "GMT", "UTC",  # time standards, as time zones are labelled ("GMT+8 (中国标准时间)")
    "English",  # the English language's own name in the language menu
}
# Key combinations name the keys as printed on the keyboard ("Ctrl + Shift + v").
KEY_COMBINATION = re.compile(r"\b(Ctrl|Cmd|Alt|Shift|Option|Esc)\b(\s*\+\s*\S+)*")
# Web and e-mail addresses; dotted code names of page types ("cms.noticepage");
# placeholders of messages not yet filled in ("%(count)s").
ADDRESS = re.compile(r"(https?://|www\.)\S+|\S+@\S+|\b[a-z_]+\.[a-z_]+\b|%\(\w+\)[sd]")
# Time zones are chosen by their IANA identifiers ("Asia/Shanghai"); the admin's script
# adds the zone's name in the user's language beside each.
TIME_ZONES = zoneinfo.available_timezones()
# A zone option reads "Asia/Shanghai" or, once the script labelled it, "CET：GMT+1 (…)".
ZONE_NAME = re.compile(r"^\s*[A-Za-z][\w+-]*(?:/[\w+-]+)*(?=\s*(?:[:：]|$))")
# Tokens: words, and identifiers that mix in digits (codes, numbers), which are no prose.
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’_]*")

# Attributes whose text people read: tooltips, placeholders, screen-reader labels, and
# the texts Wagtail's JavaScript swaps in (tooltips, progress captions).
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "aria-description", "alt",
                   "data-w-tooltip-content-value", "data-w-progress-active-value"}
BUTTON_INPUT_TYPES = {"submit", "button", "reset"}
# Keys of the JSON the admin's scripts render from, whose values are shown to people.
SHOWN_JSON_KEYS = {"label", "heading", "helpText", "help_text", "error_name", "placeholder",
                   "description"}


class VisibleText(HTMLParser):
    """The readable text of a page, and the JSON its scripts render from."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.json_scripts: dict[str, list[str]] = {}
        self._script: list[str] | None = None
        self._hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("script", "style"):
            self._script = []
            if attributes.get("type") == "application/json":
                self.json_scripts[attributes.get("id", "")] = self._script
            return
        if self._hidden_depth or "data-side-panel-toggle-counter" in attributes:
            # A side panel's error counter: the script writes a number into it.
            self._hidden_depth += 1
            return
        for name, value in attrs:
            if value and name in READ_ATTRIBUTES:
                self.texts.append(value)
        if tag == "input" and attributes.get("type") in BUTTON_INPUT_TYPES:
            self.texts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._script = None
        elif self._hidden_depth:
            self._hidden_depth -= 1

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)
        elif not self._hidden_depth and data.strip():
            self.texts.append(data)

    def script_strings(self) -> list[str]:
        strings = []

        def walk(value, key=None, shown=False):
            if isinstance(value, dict):
                for k, v in value.items():
                    walk(v, k, shown)
            elif isinstance(value, list):
                for v in value:
                    walk(v, key, shown)
            elif isinstance(value, str) and (shown or key in SHOWN_JSON_KEYS):
                strings.append(value)

        for script_id, chunks in self.json_scripts.items():
            data = json.loads("".join(chunks) or "null")
            if script_id == "wagtail-config":
                walk(data.get("STRINGS", {}), shown=True)
            else:
                walk(data)
        return strings


def is_english(token: str) -> bool:
    """A word of two or more Latin letters that is not on the allowed list."""
    return (len(token) > 1 and token.isalpha() and token.isascii()
            and token not in ALLOWED_WORDS and token.upper() not in ALLOWED_WORDS)


def holds_english(text: str, user_data: frozenset[str] = frozenset()) -> bool:
    remaining = ZONE_NAME.sub(
        lambda m: " " if m.group(0) in TIME_ZONES else m.group(0), text)
    remaining = KEY_COMBINATION.sub(" ", ADDRESS.sub(" ", remaining))
    for datum in sorted(user_data, key=len, reverse=True):
        remaining = remaining.replace(datum, " ")
    return any(is_english(token.strip("'’")) for token in TOKEN.findall(remaining))


def english_in_html(html: str, user_data: frozenset[str] = frozenset()) -> list[str]:
    """Each readable text of ``html`` that still holds an English word."""
    parser = VisibleText()
    parser.feed(html)
    return [" ".join(text.split())[:120]
            for text in parser.texts + parser.script_strings()
            if holds_english(text, user_data)]
