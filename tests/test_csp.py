"""Every HTML response carries the Content-Security-Policy: scripts from our own origin
only, nothing may frame a page except Wagtail's preview, and private downloads keep their
own stricter policy."""

from html.parser import HTMLParser

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from cms.csp import FramingAwareCSPMiddleware
from cms.models import HomePage
from marketplace.admission import services
from marketplace.roles import Role
from media.downloads import INLINE_CSP
from tests.factories import SchoolFactory, UserFactory, complete_application
from tests.test_admin_views import in_background_check, in_review

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";"))}


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def assert_strict(response, path):
    assert "Content-Security-Policy" in response, path
    policy = directives(response)
    assert policy["script-src"] == ["'self'"], path
    assert policy["default-src"] == ["'self'"], path
    assert policy["object-src"] == ["'none'"], path
    assert policy["frame-ancestors"] == ["'none'"], path
    assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"], path
    assert "data:" in policy["img-src"], path


def test_every_html_page_carries_the_policy():
    vendor = UserFactory(groups=[Role.VENDOR])
    entry = complete_application(owner=vendor)
    coordinator = UserFactory(groups=[Role.SCHOOL])
    SchoolFactory(coordinators=[coordinator])
    admin = UserFactory(is_superuser=True)
    pages = {
        None: ["/", "/catalogue/", "/catalogue/?q=剪纸", "/accounts/login/", "/no-such-page/"],
        vendor: ["/vendor/", f"/vendor/entries/{entry.pk}/", f"/vendor/entries/{entry.pk}/people/"],
        coordinator: ["/school/"],
        admin: ["/admin/", "/admin/pages/", "/admin/admissions/", "/admin/images/",
                "/admin/documents/"],
    }
    for user, paths in pages.items():
        client = client_for(user)
        for path in paths:
            response = client.get(path)
            assert response["Content-Type"].startswith("text/html"), path
            assert_strict(response, path)


class ScriptFinder(HTMLParser):
    """What a policy of ``script-src 'self'`` would block in a page: ``<script>``
    elements without ``src`` (JSON data blocks are data, not scripts) and event-handler
    attributes such as ``onclick``."""

    def __init__(self, html: str):
        super().__init__()
        self.blocked: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if (tag == "script" and "src" not in names
                and (names.get("type") or "").strip().lower() != "application/json"):
            self.blocked.append(self.get_starttag_text())
        self.blocked += [f"<{tag} {name}=…>" for name in names if name.startswith("on")]


def assert_no_inline_script(client, paths):
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert ScriptFinder(response.content.decode()).blocked == [], path


def test_the_script_finder_tells_scripts_from_data_blocks():
    assert ScriptFinder('<script src="/static/a.js"></script>'
                        '<script type="application/json" id="d">{"a": 1}</script>'
                        '<p>Click on=here</p>').blocked == []
    assert len(ScriptFinder("<script>alert(1)</script><script type=module>x</script>"
                            '<script type="text/javascript">y</script>').blocked) == 3
    assert ScriptFinder('<button onclick="go()">Go</button>').blocked == ["<button onclick=…>"]


def test_public_pages_hold_no_inline_script_or_event_handler():
    assert_no_inline_script(Client(), ["/", "/catalogue/", "/catalogue/?q=剪纸",
                                       "/accounts/login/"])


def test_vendor_portal_pages_hold_no_inline_script_or_event_handler():
    vendor = UserFactory(groups=[Role.VENDOR])
    entry = complete_application(owner=vendor)
    person, offering = entry.people.get(), entry.offerings.get()
    base = f"/vendor/entries/{entry.pk}"
    assert_no_inline_script(client_for(vendor), [
        "/vendor/", "/vendor/apply/", f"{base}/", f"{base}/documents/", f"{base}/people/",
        f"{base}/people/add/", f"{base}/people/{person.pk}/",
        f"{base}/people/{person.pk}/documents/", f"{base}/offerings/",
        f"{base}/offerings/add/", f"{base}/offerings/{offering.pk}/", f"{base}/review/",
        f"{base}/status/",
    ])


def test_school_portal_pages_hold_no_inline_script_or_event_handler():
    coordinator = UserFactory(groups=[Role.SCHOOL])
    SchoolFactory(coordinators=[coordinator])
    assert_no_inline_script(client_for(coordinator), ["/school/"])


def test_admin_pages_hold_no_inline_script_or_event_handler():
    staff = {"reviewer": UserFactory(groups=[Role.REVIEWER]),
             "checker": UserFactory(groups=[Role.CHECK_OFFICER]),
             "manager": UserFactory(groups=[Role.MANAGER])}
    reviewing = in_review(staff)
    checking = in_background_check(staff)
    services.request_check(person=checking.people.get(), by=staff["checker"])
    editor = UserFactory(groups=[Role.EDITOR])
    home = HomePage.objects.get()
    assert_no_inline_script(client_for(staff["reviewer"]), [
        "/admin/", "/admin/admissions/", "/admin/admissions/?tab=all",
        f"/admin/admissions/{reviewing.pk}/",  # with the review forms
    ])
    assert_no_inline_script(client_for(staff["checker"]), [
        f"/admin/admissions/{checking.pk}/",  # with the check results form
    ])
    assert_no_inline_script(client_for(editor), [
        "/admin/", f"/admin/pages/{home.pk}/", f"/admin/pages/{home.pk}/edit/",
    ])


def test_wagtail_preview_may_be_framed_by_our_own_origin_only():
    middleware = FramingAwareCSPMiddleware(lambda request: HttpResponse())
    preview = RequestFactory().get("/")
    preview.is_preview = True
    assert directives(middleware(preview))["frame-ancestors"] == ["'self'"]

    def sameorigin(request):
        response = HttpResponse()
        response["X-Frame-Options"] = "SAMEORIGIN"
        return response
    response = FramingAwareCSPMiddleware(sameorigin)(RequestFactory().get("/"))
    assert directives(response)["frame-ancestors"] == ["'self'"]
    response = middleware(RequestFactory().get("/"))
    assert directives(response)["frame-ancestors"] == ["'none'"]


def test_a_response_with_its_own_policy_keeps_it():
    def private_file(request):
        response = HttpResponse(b"%PDF-1.4", content_type="application/pdf")
        response["Content-Security-Policy"] = INLINE_CSP
        return response
    response = FramingAwareCSPMiddleware(private_file)(RequestFactory().get("/files/x/"))
    assert response["Content-Security-Policy"] == INLINE_CSP
