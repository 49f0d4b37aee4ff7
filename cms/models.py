"""Wagtail pages of the public site and the bureau's site settings."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

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

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["latest_notices"] = Notice.objects.select_related("provider")[:6]
        return context


@register_setting(icon="site")
class BureauSettings(BaseSiteSetting):
    """Who runs this site: shown in the header, the footer and on generated documents."""

    bureau_name = models.CharField(_("bureau name"), max_length=100, default="区教育局")
    district_name = models.CharField(_("district name"), max_length=64, default="示范区")
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("service phone"), max_length=32, blank=True)
    email = models.EmailField(_("service e-mail"), blank=True)
    office_hours = models.CharField(_("office hours"), max_length=100, blank=True)

    panels = [
        MultiFieldPanel([FieldPanel("bureau_name"), FieldPanel("district_name")],
                        heading=_("Bureau")),
        MultiFieldPanel(
            [FieldPanel("address"), FieldPanel("phone"), FieldPanel("email"),
             FieldPanel("office_hours")],
            heading=_("Contact"),
        ),
    ]

    class Meta:
        verbose_name = _("bureau settings")
