from django.urls import re_path

from cms import views

urlpatterns = [
    re_path(r"^candidate-list\.(?P<fmt>pdf|xlsx)$", views.current_list, name="candidate_list"),
    re_path(r"^candidate-list/v(?P<number>[0-9]{1,9})\.(?P<fmt>pdf|xlsx)$", views.list_version,
            name="candidate_list_version"),
]
