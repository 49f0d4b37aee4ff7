"""Wagtail pages of the public site and the bureau's site settings."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from cms.catalogue import catalogue_page
from marketplace.choices import VerificationState
from marketplace.models import Notice


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
    subpage_types = ["cms.CatalogueIndexPage"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["latest_notices"] = Notice.objects.select_related("provider")[:6]
        return context


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
        context.update(catalogue_page(request.GET))
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
        context["credentials"] = provider.active_credentials().filter(
            person__isnull=True, verification=VerificationState.VERIFIED).order_by("type")
        context["agreement"] = provider.admission_agreement()
        context["service_area"] = provider.service_area.all()
        return context
