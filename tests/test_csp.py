"""Every HTML response carries the Content-Security-Policy: scripts from our own origin
only, nothing may frame a page except Wagtail's preview, and private downloads keep their
own stricter policy."""

import re

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from cms.csp import FramingAwareCSPMiddleware
from marketplace.roles import Role
from media.downloads import INLINE_CSP
from tests.factories import SchoolFactory, UserFactory, complete_application

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


def test_public_pages_hold_no_inline_script_or_event_handler():
    html = Client().get("/").content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+\s*=", html)


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
