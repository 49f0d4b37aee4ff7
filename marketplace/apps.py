from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = _("Marketplace")

    def ready(self):
        from marketplace import receivers  # noqa: F401
        from marketplace.booking import lifecycle, tasks  # noqa: F401
        from marketplace.booking import receivers as booking_receivers  # noqa: F401
