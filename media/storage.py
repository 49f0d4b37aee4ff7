"""Private storage: files that must never be reachable by a public URL.

Both storages report a failing store as ``media.errors.StorageUnavailable`` (one error
type for botocore's connection, time-out and service errors and the disk's ``OSError``),
so views can tell the user plainly and save nothing."""

import functools
import hashlib
import os
import uuid

from boto3.exceptions import Boto3Error
from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.storage import FileSystemStorage, storages
from django.utils.deconstruct import deconstructible
from storages.backends import s3

from media.errors import StorageUnavailable


def _reports_unavailability(method):
    """Turn the store's connection, time-out and service errors into StorageUnavailable.
    A missing file stays ``FileNotFoundError``: that is not an outage."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (FileNotFoundError, StorageUnavailable):
            raise
        except (Boto3Error, BotoCoreError, ClientError, OSError) as exc:
            raise StorageUnavailable(method.__name__.lstrip("_"), exc) from exc

    return wrapper


def _wrap_storage(cls):
    """Wrap the methods of ``cls`` that talk to the store."""
    for name in ("_save", "_open", "delete", "exists", "size", "listdir",
                 "get_modified_time", "get_created_time", "get_accessed_time"):
        if hasattr(cls, name):
            setattr(cls, name, _reports_unavailability(getattr(cls, name)))
    return cls


@_wrap_storage
class S3Storage(s3.S3Storage):
    """django-storages' S3 storage whose failures are StorageUnavailable.

    A file opened for reading is fetched at once, so a failing store is noticed where the
    file is opened (and turned into a clear message) rather than later, half-way through
    a response."""

    def _open(self, name, mode="rb"):
        opened = super()._open(name, mode)
        if "r" in mode:
            opened.file  # noqa: B018 -- downloads the object now
        return opened


@_wrap_storage
class PrivateFileSystemStorage(FileSystemStorage):
    """Local private storage: files live outside every URL the site serves."""

    def url(self, name):
        raise ValueError("A private file has no public URL; serve it through a checked view.")


def private_storage():
    """Callable for ``FileField(storage=...)`` so the choice follows settings."""
    return storages["private"]


@deconstructible
class PrivatePath:
    """Upload path builder: ``<folder>/<random>.<ext>``. The name the user gave is kept
    in the model, never in the stored path."""

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        ext = os.path.splitext(filename)[1].lower()[:8]
        return f"{self.folder}/{uuid.uuid4().hex}{ext}"

    def __eq__(self, other):
        return isinstance(other, PrivatePath) and other.folder == self.folder


def sha256_of(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(65536), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()
