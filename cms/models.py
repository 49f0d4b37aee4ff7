"""Wagtail pages of the public site and the bureau's site settings."""

from django.core.paginator import Paginator
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms import catalogue
from marketplace.catalogue import public_credentials
from marketplace.choices import NoticeKind, ProviderKind, VerificationState
from marketplace.models import CandidateList, Person, Town
from workflows.admission import AdmissionState


class BodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(label=_("Heading"), form_classname="title")
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"), features=["bold", "italic", "ol", "ul", "link", "document-link"]
    )
    notice = blocks.StructBlock(
        [
            ("title", blocks.CharBlock(label=_("Title"))),
            ("text", blocks.TextBlock(label=_("Text"))),
        ],
        label=_("Highlighted box"),
        icon="warning",
        template="cms/blocks/highlight.html",
    )


class HomePage(Page):
    """The root of the public site."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("body"),
    ]

    max_count = 1
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.CatalogueIndexPage", "cms.NoticeIndexPage",
                     "cms.RetiredTeacherPoolPage", "cms.StandardPage"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        notices = NoticePage.objects.live().public().order_by("-published_on", "-pk")
        context["news"] = notices.filter(kind=NoticeKind.GENERAL)[:5]
        context["latest_notices"] = notices.exclude(kind=NoticeKind.GENERAL)[:6]
        context["notice_index"] = NoticeIndexPage.objects.live().first()
        context["sections"] = self.get_children().live().in_menu()
        return context


class StandardPage(Page):
    """A page of prose the editors keep: policies, guides, contacts."""

    intro = models.TextField(_("summary"), blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]

    class Meta:
        verbose_name = _("standard page")


class CatalogueIndexPage(Page):
    """The public list of approved providers (公开备选清单)."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ProviderPage"]
    max_count = 1

    class Meta:
        verbose_name = _("catalogue")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["results"] = mark_safe(catalogue.results(request.GET, page_url=self.url))  # noqa: S308 - rendered by our own template
        context["candidate_list"] = CandidateList.current()
        return context


class ProviderPage(Page):
    """A listed provider's public page, created and kept in sync by the admission
    workflow: public data only, never identity numbers, check results or files."""

    provider = models.OneToOneField(
        "marketplace.Provider", verbose_name=_("provider"), on_delete=models.PROTECT,
        related_name="page",
    )

    content_panels = Page.content_panels + [FieldPanel("provider", read_only=True)]
    parent_page_types = ["cms.CatalogueIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("provider page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        provider = self.provider
        context["offerings"] = provider.active_offerings().filter(
            review=VerificationState.VERIFIED).order_by("category", "title")
        context["credentials"] = public_credentials().filter(provider=provider)
        context["agreement"] = provider.admission_agreement()
        context["service_area"] = provider.service_area.all()
        context["notices"] = NoticePage.objects.live().public().filter(provider=provider).order_by(
            "-published_on", "-pk")
        return context


class RetiredTeacherPoolPage(Page):
    """The retired-teacher pool (退休教师库) in aggregate: how many teachers by subject and
    by town, and how a school asks for one. Never a name or any other personal data."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    how_to_request = RichTextField(
        _("how a school asks for a retired teacher"), blank=True,
        features=["bold", "italic", "ol", "ul", "link"],
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("how_to_request")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = _("retired-teacher pool page")

    @staticmethod
    def pool():
        return {"kind": ProviderKind.RETIRED_TEACHER, "state": AdmissionState.LISTED}

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        pool = self.pool()
        people = Person.objects.filter(
            provider__kind=pool["kind"], provider__state=pool["state"], removed_at__isnull=True,
            barred=False,
        )
        context["total"] = people.values("provider").distinct().count()
        subjects = (people.exclude(subject="").values("subject")
                    .annotate(n=Count("provider", distinct=True)).order_by("-n", "subject"))
        context["by_subject"] = list(subjects)
        towns = (Town.objects.annotate(n=Count("providers", distinct=True, filter=Q(
            providers__kind=pool["kind"], providers__state=pool["state"])))
            .filter(n__gt=0).order_by("-n", "name"))
        context["by_town"] = list(towns)
        return context


class NoticeIndexPage(Page):
    """The notices (公示) of listings and exits, newest first, each with its dated version
    of the candidate list."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NoticePage"]
    max_count = 1

    class Meta:
        verbose_name = _("notice index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        notices = NoticePage.objects.child_of(self).live().public() \
            .select_related("list_version") \
            .order_by("-published_on", "-pk")
        kind = request.GET.get("kind")
        if kind in NoticeKind.values:
            notices = notices.filter(kind=kind)
        context["kind"] = kind if kind in NoticeKind.values else ""
        context["kinds"] = NoticeKind.choices
        context["page_obj"] = Paginator(notices, 20).get_page(request.GET.get("page"))
        return context


class NoticePage(Page):
    """A notice (公示): a provider joins or leaves the list, or a general announcement.
    Listing and exit notices are written by the workflow, each pointing at the version of
    the candidate list it produced."""

    kind = models.CharField(_("kind"), max_length=16, choices=NoticeKind.choices,
                            default=NoticeKind.GENERAL)
    published_on = models.DateField(_("published on"), default=timezone.localdate)
    body = RichTextField(_("text"), blank=True, features=["bold", "italic", "ol", "ul", "link"])
    provider = models.ForeignKey(
        "marketplace.Provider", verbose_name=_("provider"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="notice_pages",
    )
    list_version = models.ForeignKey(
        "marketplace.CandidateList", verbose_name=_("candidate list version"), null=True,
        blank=True, on_delete=models.PROTECT, related_name="notice_pages",
    )

    content_panels = Page.content_panels + [
        FieldPanel("kind"), FieldPanel("published_on"), FieldPanel("body"),
        FieldPanel("provider", read_only=True), FieldPanel("list_version", read_only=True),
    ]
    search_fields = Page.search_fields + [index.SearchField("body")]
    parent_page_types = ["cms.NoticeIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
