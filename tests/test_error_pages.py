"""The embedded default looks like the product: DEBUG is off unless asked for, a mistyped
URL gets the site's own Chinese 404 page (no list of URL patterns), the 500 page renders
without a database, and static files and public images are still served."""

import io

import pytest
from django.templatetags.static import static
from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import server_error
from PIL import Image as PILImage

from tests.test_settings import show


def test_debug_is_off_unless_the_environment_turns_it_on(tmp_path):
    assert show("settings.DEBUG", {"VAR_DIR": str(tmp_path)}) == "False"
    assert show("settings.DEBUG", {"VAR_DIR": str(tmp_path), "DEBUG": "true"}) == "True"


@pytest.mark.django_db
def test_a_mistyped_url_shows_the_chinese_not_found_page():
    response = Client().get("/catalgoue/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html
    assert 'class="site-header"' in html and "css/site.css" in html  # the site's own style
    assert "URLconf" not in html and "urlpatterns" not in html and "admin/" not in html


@pytest.mark.django_db
def test_the_not_found_page_follows_the_visitors_language():
    client = Client()
    client.cookies["django_language"] = "en"
    html = client.get("/catalgoue/").content.decode()
    assert "Page not found" in html and "页面不存在" not in html


def test_the_server_error_page_renders_without_a_database():
    # No django_db mark: any query would fail the test.
    with translation.override("zh-hans"):
        response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "服务器错误" in html and 'lang="zh-hans"' in html
    assert 'class="site-header"' in html and static("css/site.css") in html
    with translation.override("en"):
        assert "Server error" in server_error(RequestFactory().get("/")).content.decode()


def test_static_files_are_served_with_debug_off(settings, tmp_path):
    settings.DEBUG = False
    (tmp_path / "static").mkdir()
    settings.STATIC_ROOT = str(tmp_path / "static")  # nothing collected
    response = Client().get(static("css/site.css"))
    assert response.status_code == 200
    assert b".site-header" in b"".join(response.streaming_content)
    assert Client().get(static("js/site.js")).status_code == 200


@pytest.mark.skipif(bool(__import__("os").environ.get("AWS_STORAGE_BUCKET_NAME")),
                    reason="public images come from the S3 store there, not from this view")
@pytest.mark.django_db
def test_public_images_are_served_with_debug_off_and_documents_are_not(settings, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.images import ImageFile
    from wagtail.documents.models import Document
    from wagtail.images.models import Image

    settings.DEBUG = False
    # Public files on local storage, as on the embedded default (on S3 the store serves them).
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "public"), "base_url": "/media/"}}}
    settings.MEDIA_ROOT = str(tmp_path / "public")
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    image = Image.objects.create(title="活动", file=ImageFile(buffer, name="activity.png"))
    rendition = image.get_rendition("fill-20x20")
    response = Client().get(rendition.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert Client().get(image.file.url).status_code == 200
    document = Document.objects.create(title="指南", file=ContentFile(b"%PDF-1.4", name="g.pdf"))
    assert document.file.url.startswith("/media/documents/")
    assert Client().get(document.file.url).status_code == 404  # Wagtail's view serves it
    assert Client().get("/media/images/../../settings.py").status_code == 404
