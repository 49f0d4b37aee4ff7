from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import public_media
from config.health import HealthView, LiveView
from marketplace import views as marketplace_views
from marketplace.booking import views as booking_views
from marketplace.views import account

urlpatterns = [
    # For the load balancer and monitoring: no login, JSON, each answer reused for 10 s
    # (config/health.py).
    path("health/", HealthView.as_view(), name="health"),
    path("health/live/", LiveView.as_view(), name="health_live"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="marketplace/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_reset/", account.PasswordResetView.as_view(),
         name="password_reset"),
    path("accounts/password_reset/done/", account.PasswordResetDoneView.as_view(),
         name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", account.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("accounts/reset/done/", account.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("start/", marketplace_views.start, name="start"),
    path("vendor/", include("marketplace.urls.vendor")),
    path("school/", include("marketplace.urls.school")),
    path("", include("marketplace.urls.booking_exports")),
    path("offerings/<int:pk>/", booking_views.offering_detail, name="offering"),
    path("files/", include("marketplace.urls.files")),
    path("downloads/", include("cms.urls")),
    path("api/", include("marketplace.urls.booking_api")),
    path("api/", include("cms.api_urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

# Public images on the local disk (with S3 their URLs point at the store).
if public_media.stored_locally():
    urlpatterns.append(re_path("^" + settings.MEDIA_URL.lstrip("/") + public_media.PATTERN,
                               public_media.image, name="public_image"))

urlpatterns.append(path("", include(wagtail_urls)))
