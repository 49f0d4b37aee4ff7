"""Private storage: files that must never be reachable by a public URL."""

import hashlib
import os
import uuid

from django.core.files.storage import FileSystemStorage, storages
from django.utils.deconstruct import deconstructible


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
