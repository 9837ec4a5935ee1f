"""What the views that take photos share: the files a customer chose, where photos are kept,
and storage trouble answered as "try again later"."""

import contextlib
import logging
from collections.abc import Iterator

from flask import abort, current_app
from werkzeug.datastructures import FileStorage

from claims import photos
from claims.intake import PhotoShelf
from claims.store.connection import Unavailable

log = logging.getLogger(__name__)


def chosen_files(files: list[FileStorage] | None) -> list[FileStorage]:
    """The files the customer chose; browsers send one empty part when they chose none."""
    chosen = []
    for upload in files or []:
        if not isinstance(upload, FileStorage):
            continue
        if upload.filename or photos.stream_size(upload.stream) > 0:
            chosen.append(upload)
    return chosen


def shelf() -> PhotoShelf:
    """Where this service keeps photos, and their limits."""
    return PhotoShelf.from_config(current_app.config)


@contextlib.contextmanager
def storage_or_503(what: str) -> Iterator[None]:
    """Photos that cannot be written, or a case log that cannot be reached, are logged and
    answered with "try again later" (nothing was kept)."""
    try:
        yield
    except OSError:
        log.exception("Could not store photos")
        abort(503)
    except Unavailable:
        log.exception("Could not record %s", what)
        abort(503)
