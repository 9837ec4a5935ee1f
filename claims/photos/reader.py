"""Reading an upload in blocks, and the `Write` sink the stored form of a photo goes to.

The upload is a stream already in hand (Werkzeug spools it); nothing here opens, creates or
syncs a file. Reads go block by block so that a large file never sits whole in memory.
"""

import os
from collections.abc import Callable
from typing import IO

from claims.photos.problems import Malformed

_BLOCK = 64 * 1024

# Where the bytes of a stored photo go (a file being written, a checksum, or nowhere).
Write = Callable[[bytes | memoryview], object]


def stream_size(stream: IO[bytes]) -> int:
    """The upload's length in bytes, leaving the stream at its start."""
    size = stream.seek(0, os.SEEK_END)
    stream.seek(0)
    return size


class Reader:
    """Sequential reads from a stream in blocks, so large files never sit whole in memory."""

    def __init__(self, stream: IO[bytes], start: int = 0) -> None:
        stream.seek(start)
        self._stream = stream
        self._buffer = b""
        self._position = 0

    def _fill(self, count: int) -> bool:
        """Make at least `count` unread bytes available; False when the stream ends first."""
        while len(self._buffer) - self._position < count:
            block = self._stream.read(_BLOCK)
            if not block:
                return False
            self._buffer = self._buffer[self._position :] + block
            self._position = 0
        return True

    def read(self, count: int) -> bytes:
        """Exactly `count` bytes (meant for headers; copy() is for bulk data)."""
        if not self._fill(count):
            raise Malformed("the file ends too early")
        data = self._buffer[self._position : self._position + count]
        self._position += count
        return data

    def copy(self, count: int, write: Write | None) -> None:
        """Pass `count` bytes to `write` block by block, or skip them when write is None."""
        while count:
            if not self._fill(1):
                raise Malformed("the file ends too early")
            data = self._buffer[self._position : self._position + min(count, _BLOCK)]
            self._position += len(data)
            count -= len(data)
            if write is not None:
                write(data)
