from django.urls import path

from marketplace.views import files

app_name = "files"

urlpatterns = [
    path("credentials/<int:pk>/", files.credential_file, name="credential"),
    path("checks/<int:pk>/", files.check_result_file, name="check_result"),
    path("agreements/<int:pk>/", files.contract_file, name="contract"),
    path("dossiers/<int:pk>/", files.dossier, name="dossier"),
]
