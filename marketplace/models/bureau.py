"""The bureau's own site settings."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


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
