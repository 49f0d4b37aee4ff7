from django.urls import path

from marketplace.views import school

app_name = "school"

urlpatterns = [
    path("", school.home, name="home"),
]
