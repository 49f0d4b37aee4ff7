from django.urls import path

from marketplace.views import vendor

app_name = "vendor"

urlpatterns = [
    path("", vendor.home, name="home"),
]
