"""Notices (公示) written by the workflow, and the site sections they live in."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from cms.models import HomePage, NoticeIndexPage, NoticePage
from marketplace.choices import NoticeKind
from marketplace.models import CandidateList, Provider


def notice_index() -> NoticeIndexPage:
    """The notice section; created under the home page the first time it is needed."""
    index = NoticeIndexPage.objects.first()
    if index is None:
        with translation.override(settings.LANGUAGE_CODE):
            index = NoticeIndexPage(title=_("Notices"), slug="notices", show_in_menus=True)
        HomePage.objects.get().add_child(instance=index)
    return index


def _text(kind: str, provider: Provider, version: CandidateList | None) -> tuple[str, str]:
    name = provider.name
    if kind == NoticeKind.LISTING:
        title = _("Notice: %(name)s joins the after-school candidate list") % {"name": name}
        body = _("Having passed qualification review, content review, background checks of "
                 "everyone who will enter schools and the signing of the admission agreement, "
                 "%(name)s (%(kind)s) is listed on the district's after-school service "
                 "candidate list. Objections may be raised in writing with the education "
                 "bureau within seven days.") % {"name": name, "kind": provider.get_kind_display()}
    else:
        title = _("Notice: %(name)s leaves the after-school candidate list") % {"name": name}
        body = _("%(name)s has left the district's after-school service candidate list. "
                 "Schools may no longer engage it.") % {"name": name}
    if version is not None:
        body += " " + _("The list now stands as version %(n)s.") % {"n": version.version}
    return title, f"<p>{escape(body)}</p>"


def publish_notice(kind: str, provider: Provider, version: CandidateList | None = None, *,
                   on: dt.date | None = None, title: str = "", body: str = "") -> NoticePage:
    """Publish a listing or exit notice for ``provider``."""
    with translation.override(settings.LANGUAGE_CODE):
        default_title, default_body = _text(kind, provider, version)
    with transaction.atomic():
        page = NoticePage(
            title=title or default_title, kind=kind, provider=provider, list_version=version,
            body=body or default_body, slug=f"{kind}-{provider.pk}-{timezone.now():%Y%m%d%H%M%S%f}",
        )
        if on is not None:
            page.published_on = on
        notice_index().add_child(instance=page)
        page.save_revision().publish()
    return page
