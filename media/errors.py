"""One error for "the file store could not do it": S3 unreachable, timed out or refusing,
or the local disk failing.

The storages in ``media.storage`` raise :class:`StorageUnavailable` instead of botocore's
or the operating system's many errors. An upload view catches it, shows
:data:`StorageUnavailable.message` on the form as typed and saves nothing; any other view
that meets it answers with a 503 page (:class:`StorageUnavailableMiddleware`).
"""

import logging

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class StorageUnavailable(Exception):
    """The file store cannot be reached or refused the request."""

    message = _("The file store cannot be reached at the moment, so nothing was saved. "
                "Your entries are kept: choose the file again and retry in a few minutes.")
    download_message = _("The file store cannot be reached at the moment. "
                         "Please try again in a few minutes.")

    def __init__(self, operation: str, cause: BaseException | None = None):
        # The operation and the kind of failure only: never a file name or a URL, which
        # could name a person.
        self.operation = operation
        self.cause = type(cause).__name__ if cause is not None else ""
        super().__init__(f"storage {operation} failed ({self.cause})")


def unavailable_response(request):
    """The page a reader sees when a file cannot be fetched from the store."""
    response = render(request, "media/storage_unavailable.html",
                      {"message": StorageUnavailable.download_message}, status=503)
    response["Retry-After"] = "60"
    response["Cache-Control"] = "no-store"
    return response


class StorageUnavailableMiddleware:
    """A view that meets an unreachable file store answers 503 with a clear page, not 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, StorageUnavailable):
            logger.warning("File store unavailable during %s %s: %s", request.method,
                           request.path, exception)  # operation and error class only
            return unavailable_response(request)
        return None
