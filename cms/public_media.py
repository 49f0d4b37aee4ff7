"""Public images on the local disk, served by Django when nothing else serves them.

On the embedded default (and any deployment without S3) Wagtail's images — originals
and renditions — sit in the default storage's folder under ``MEDIA_URL``. Only those
two folders are served here: documents go through Wagtail's document view (it checks
collection privacy) and candidate lists through ``/downloads/``. With S3 configured the
image URLs point at the store and this view is not routed. A web server in front may
serve ``MEDIA_URL`` from the same folder instead.
"""

from django.core.files.storage import FileSystemStorage, storages
from django.http import Http404
from django.views.static import serve

IMAGE_FOLDERS = ("original_images", "images")
PATTERN = r"(?P<path>(?:{})/[^/]+)$".format("|".join(IMAGE_FOLDERS))


def stored_locally() -> bool:
    return isinstance(storages["default"], FileSystemStorage)


def image(request, path):
    storage = storages["default"]
    if not isinstance(storage, FileSystemStorage):
        raise Http404
    response = serve(request, path, document_root=storage.location)
    response["Cache-Control"] = "public, max-age=86400"
    return response
