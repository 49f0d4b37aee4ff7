"""An application its vendor has never submitted (state draft) does not exist for the
bureau: the vendor is told "提交前，教育局看不到您的申请". Every bureau role, the superuser
included, gets the same answer for a draft as for an id that does not exist (404) on the
entry page, every decision URL and every private file of the entry; queues, search and
dashboard counts leave it out. An entry sent back for changes was submitted once and stays
visible."""

import pytest
from django.test import Client
from django.urls import reverse

from marketplace.admission import selectors
from marketplace.roles import Role
from marketplace.wagtail_hooks import admission_urls
from tests.conftest import download
from tests.factories import (
    BackgroundCheckFactory,
    ContractFactory,
    UserFactory,
    complete_application,
)
from workflows.admission import AdmissionState as S
from workflows.transitions import run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_immediately")]

STAFF_ROLES = ["reviewer", "checker", "manager", "editor", "superuser"]
MISSING = 987_654


def staff_user(role):
    if role == "superuser":
        return UserFactory(is_superuser=True, is_staff=True)
    group = {"reviewer": Role.REVIEWER, "checker": Role.CHECK_OFFICER,
             "manager": Role.MANAGER, "editor": Role.EDITOR}[role]
    return UserFactory(groups=[group])


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def draft():
    """A complete application, never submitted, with a file of every kind."""
    provider = complete_application(name="滨江区未提交草稿培训学校")
    person = provider.people.get()
    return {
        "provider": provider,
        "person": person,
        "credential": provider.credentials.filter(person__isnull=True).first(),
        "person_credential": provider.credentials.filter(person=person).first(),
        "offering": provider.offerings.get(),
        "check": BackgroundCheckFactory(person=person),
        "contract": ContractFactory(provider=provider),
    }


def file_urls(ids):
    return {
        "credential": reverse("files:credential", args=[ids["credential"]]),
        "person_credential": reverse("files:credential", args=[ids["person_credential"]]),
        "check": reverse("files:check_result", args=[ids["check"]]),
        "contract": reverse("files:contract", args=[ids["contract"]]),
        "dossier": reverse("files:dossier", args=[ids["provider"]]),
    }


def ids_of(entry):
    return {key: obj.pk for key, obj in entry.items()}


def admission_urls_for(ids):
    """Every back-office URL of one entry (``/admin/admissions/<pk>/…``), as (method, url);
    walks the registered patterns, so a URL added later is covered too."""
    values = {"pk": ids["provider"], "name": "reject", "kind": "credential",
              "item_pk": ids["credential"], "person_pk": ids["person"],
              "check_pk": ids["check"]}
    urls = []
    for pattern in admission_urls:
        names = pattern.pattern.converters.keys()
        if "pk" not in names:
            continue
        url = reverse(f"admissions:{pattern.name}", kwargs={n: values[n] for n in names})
        urls.append(("get" if pattern.name == "entry" else "post", url))
    return urls


def missing_ids():
    return dict.fromkeys(["provider", "person", "credential", "person_credential", "offering",
                          "check", "contract"], MISSING)


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_bureau_staff_cannot_open_an_unsubmitted_draft_or_its_files(draft, role):
    client = browser(staff_user(role))
    urls = [("get", reverse("admissions:entry", args=[draft["provider"].pk]))]
    urls += [("get", url) for url in file_urls(ids_of(draft)).values()]
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 404, url


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_back_office_url_answers_for_a_draft_as_for_an_entry_that_does_not_exist(
        draft, role):
    client = browser(staff_user(role))
    post_data = {"reason": "other", "comment": "x", "verdict": "verify", "note": "x",
                 "items": [draft["credential"].pk], "adapter": "manual",
                 "decision": "clear", "typed_name": "张卫东", "consent": "on",
                 "contract": draft["contract"].pk}
    real = admission_urls_for(ids_of(draft))
    ghost = admission_urls_for(missing_ids())
    real += [("get", u) for u in file_urls(ids_of(draft)).values()]
    ghost += [("get", u) for u in file_urls(missing_ids()).values()]
    for (method, url), (_m, ghost_url) in zip(real, ghost, strict=True):
        data = post_data if method == "post" else None
        status = getattr(client, method)(url, data).status_code
        assert status == getattr(client, method)(ghost_url, data).status_code, url
        assert status in (403, 404), url
    assert client.get(reverse("admissions:entry", args=[draft["provider"].pk])).status_code == 404


def test_no_decision_can_be_taken_on_a_draft(draft):
    superuser = staff_user("superuser")
    client = browser(superuser)
    for _method, url in admission_urls_for(ids_of(draft)):
        if "/transition/" in url:
            for name in ("reject", "start_review", "submit"):
                client.post(url.replace("/reject/", f"/{name}/"), {"reason": "other"})
        else:
            client.post(url, {"verdict": "verify", "decision": "clear", "adapter": "manual"})
    draft["provider"].refresh_from_db()
    assert draft["provider"].state == S.DRAFT
    draft["credential"].refresh_from_db()
    assert draft["credential"].reviewed_by is None
    assert draft["person"].checks.count() == 1


@pytest.mark.parametrize("role", ["reviewer", "checker", "manager", "superuser"])
def test_queues_search_and_counts_leave_drafts_out(draft, role):
    user = staff_user(role)
    client = browser(user)
    provider = draft["provider"]
    queue = reverse("admissions:queue")
    for query in ("", "?tab=all", "?tab=all&state=draft", f"?tab=all&q={provider.name}",
                  f"?tab=all&q={provider.credit_code}", f"?tab=all&q={provider.credit_code[:8]}"):
        response = client.get(queue + query)
        assert response.status_code == 200, query
        page = response.content.decode()
        assert reverse("admissions:entry", args=[provider.pk]) not in page, query
        if "q=" not in query:  # a search box shows what was typed
            assert provider.name not in page and provider.credit_code not in page, query
    assert not selectors.all_entries().filter(pk=provider.pk).exists()
    assert not selectors.all_entries(state=S.DRAFT).exists()
    assert not selectors.waiting_for(user).filter(pk=provider.pk).exists()
    assert sum(n for _q, n in selectors.queue_counts(user)) == 0
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert provider.name not in home
    with pytest.raises(type(provider).DoesNotExist):
        selectors.entry_for_staff(provider.pk)


def test_the_state_filter_does_not_offer_draft():
    client = browser(staff_user("reviewer"))
    page = client.get(reverse("admissions:queue") + "?tab=all").content.decode()
    assert 'value="submitted"' in page
    assert 'value="draft"' not in page


def test_the_vendor_still_opens_the_files_of_their_own_draft(draft):
    client = browser(draft["provider"].owner)
    urls = file_urls(ids_of(draft))
    for key in ("credential", "person_credential", "contract"):
        assert download(client, urls[key])[0] == 200, key


def test_an_entry_sent_back_for_changes_stays_visible_to_the_bureau(draft):
    reviewer = staff_user("reviewer")
    provider = run(draft["provider"], "submit", by=draft["provider"].owner)
    provider = run(provider, "start_review", by=reviewer)
    provider = run(provider, "request_changes", by=reviewer, reason="other",
                   comment="请补充材料")
    assert provider.state == S.CHANGES_REQUESTED
    client = browser(reviewer)
    assert client.get(reverse("admissions:entry", args=[provider.pk])).status_code == 200
    assert download(client, file_urls(ids_of(draft))["credential"])[0] == 200
    page = client.get(reverse("admissions:queue") + "?tab=all").content.decode()
    assert provider.name in page
    manager = browser(staff_user("manager"))
    assert manager.get(file_urls(ids_of(draft))["dossier"]).status_code == 200


def test_a_submitted_entry_is_visible_to_every_bureau_role_that_reviews(draft):
    provider = run(draft["provider"], "submit", by=draft["provider"].owner)
    for role in ("reviewer", "checker", "manager", "superuser"):
        client = browser(staff_user(role))
        assert client.get(reverse("admissions:entry", args=[provider.pk])).status_code == 200
