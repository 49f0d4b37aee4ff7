"""Credential files, check results, agreements and dossiers are reachable only through
permission-checked views: another vendor, a school and an anonymous visitor are refused."""

import pytest
from django.urls import reverse

from marketplace.roles import Role
from tests.conftest import S3_CONFIGURED, download
from tests.factories import (
    BackgroundCheckFactory,
    ContractFactory,
    CredentialFactory,
    ProviderFactory,
    UserFactory,
)
from workflows.admission import AdmissionState

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry():
    owner = UserFactory(groups=[Role.VENDOR])
    provider = ProviderFactory(owner=owner, state=AdmissionState.SUBMITTED)  # not a draft
    credential = CredentialFactory(provider=provider)
    check = BackgroundCheckFactory(person__provider=provider)
    contract = ContractFactory(provider=provider)
    return {"owner": owner, "provider": provider,
            "urls": {
                "credential": reverse("files:credential", args=[credential.pk]),
                "check": reverse("files:check_result", args=[check.pk]),
                "contract": reverse("files:contract", args=[contract.pk]),
                "dossier": reverse("files:dossier", args=[provider.pk]),
            }}


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("who", ["other_vendor", "school", "editor"])
def test_other_accounts_are_refused_every_private_file(client, entry, who):
    role = {"other_vendor": Role.VENDOR, "school": Role.SCHOOL, "editor": Role.EDITOR}[who]
    client.force_login(UserFactory(groups=[role]))
    for name, url in entry["urls"].items():
        assert client.get(url).status_code == 403, name


def test_anonymous_visitors_are_sent_to_log_in(client, entry):
    for url in entry["urls"].values():
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_owner_gets_their_credential_and_agreement_but_not_check_results(client, entry):
    client.force_login(entry["owner"])
    status, data = download(client, entry["urls"]["credential"])
    assert status == 200 and data.startswith(b"%PDF")
    assert client.get(entry["urls"]["credential"])["Cache-Control"] == "private, no-store"
    assert download(client, entry["urls"]["contract"])[0] == 200
    assert client.get(entry["urls"]["check"]).status_code == 403
    assert client.get(entry["urls"]["dossier"]).status_code == 403


def test_check_results_are_for_check_officers_only(client, entry):
    client.force_login(UserFactory(groups=[Role.REVIEWER]))
    assert download(client, entry["urls"]["credential"])[0] == 200
    assert client.get(entry["urls"]["check"]).status_code == 403
    client.force_login(UserFactory(groups=[Role.CHECK_OFFICER]))
    assert download(client, entry["urls"]["check"])[0] == 200


def test_managers_download_the_dossier(client, entry):
    client.force_login(UserFactory(groups=[Role.MANAGER]))
    response = client.get(entry["urls"]["dossier"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert body(response)[:2] == b"PK"


def test_private_files_have_no_public_url(entry):
    credential = entry["provider"].credentials.get()
    if S3_CONFIGURED:  # only a short-lived signed URL exists
        url = credential.file.url
        assert "X-Amz-Signature=" in url and "X-Amz-Expires=" in url
    else:
        with pytest.raises(ValueError):
            _ = credential.file.url
