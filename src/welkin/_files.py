"""File arguments of uploads and destinations of downloads.

An upload accepts a path, bytes, a binary file object, or ``(filename, content)`` /
``(filename, content, content_type)``. Parts are turned into httpx's multipart form on
every attempt, so a retried upload sends the whole file again: a file object is sent from
its beginning (httpx rewinds it before each attempt), and a path is read again.
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeAlias

from ._exceptions import InvalidArgumentError

__all__ = [
    "Destination",
    "FileInput",
    "FilePart",
    "check_destination",
    "copy_chunks",
    "file_parts",
    "open_destination",
]

FileContent: TypeAlias = bytes | IO[bytes] | os.PathLike[str] | str
FileInput: TypeAlias = FileContent | tuple[str, FileContent] | tuple[str, FileContent, str]
Destination: TypeAlias = str | os.PathLike[str] | IO[bytes]


@dataclass(frozen=True, slots=True)
class FilePart:
    """One file of a multipart body, ready to be sent again on a retry."""

    field: str
    filename: str
    content_type: str
    data: bytes | None = None
    path: Path | None = None
    stream: IO[bytes] | None = None

    def for_httpx(self) -> tuple[str, tuple[str, Any, str]]:
        if self.stream is not None:
            content: Any = self.stream  # httpx seeks it to 0 before sending
        elif self.path is not None:
            content = self.path.read_bytes()
        else:
            content = self.data
        return self.field, (self.filename, content, self.content_type)

    def __repr__(self) -> str:  # never the content: it is patient data
        return f"FilePart({self.field!r}, {self.filename!r}, {self.content_type!r})"


def file_parts(argument: str, field: str, value: Any) -> tuple[FilePart, ...]:
    """Check one file or a list of files and describe them; raise naming the argument."""
    items = value if isinstance(value, list) or _is_sequence_of_files(value) else [value]
    if not items:
        raise InvalidArgumentError(argument, "give at least one file")
    return tuple(_part(argument, field, item) for item in items)


def _is_sequence_of_files(value: Any) -> bool:
    return (
        isinstance(value, Sequence)
        and not isinstance(value, (str, bytes, bytearray))
        and not (isinstance(value, tuple) and len(value) in (2, 3) and isinstance(value[0], str))
    )


def _part(argument: str, field: str, item: Any) -> FilePart:
    filename: str | None = None
    content_type: str | None = None
    if isinstance(item, tuple):
        if len(item) not in (2, 3) or not all(isinstance(v, str) for v in item[::2]):
            raise InvalidArgumentError(argument, "expected (filename, content[, content_type])")
        filename = item[0]
        content_type = item[2] if len(item) == 3 else None
        item = item[1]
    return _describe(argument, field, item, filename, content_type)


def _describe(
    argument: str, field: str, item: Any, filename: str | None, content_type: str | None
) -> FilePart:
    if isinstance(item, (bytes, bytearray, memoryview)):
        return FilePart(
            field, filename or "upload", content_type or _guess(filename), data=bytes(item)
        )
    if isinstance(item, (str, os.PathLike)):
        path = Path(item)
        if not path.is_file():
            raise InvalidArgumentError(argument, f"no such file: {path}")
        name = filename or path.name
        return FilePart(field, name, content_type or _guess(name), path=path)
    if hasattr(item, "read"):
        if "b" not in getattr(item, "mode", "b"):
            raise InvalidArgumentError(argument, "open the file in binary mode ('rb')")
        name = filename or os.path.basename(str(getattr(item, "name", "") or "upload"))
        if not item.seekable():  # cannot be rewound: read it once now
            return FilePart(field, name, content_type or _guess(name), data=item.read())
        return FilePart(field, name, content_type or _guess(name), stream=item)
    raise InvalidArgumentError(
        argument, f"expected a path, bytes or a binary file object, got {type(item).__name__}"
    )


def _guess(filename: str | None) -> str:
    guessed, _ = mimetypes.guess_type(filename or "")
    return guessed or "application/octet-stream"


def check_destination(argument: str, destination: Any) -> None:
    """Refuse a bad destination before the request is sent."""
    if isinstance(destination, (str, os.PathLike)):
        parent = Path(destination).parent
        if not parent.is_dir():
            raise InvalidArgumentError(argument, f"no such directory: {parent}")
    elif not hasattr(destination, "write"):
        raise InvalidArgumentError(argument, "expected a path or a binary file object")


def open_destination(argument: str, destination: Any) -> tuple[IO[bytes], bool]:
    """The file to stream a download into, and whether we opened it (and must close it).

    A path is created with mode 0600 (a downloaded document is patient data); an existing
    file is truncated and keeps its mode."""
    check_destination(argument, destination)
    if isinstance(destination, (str, os.PathLike)):
        fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        return os.fdopen(fd, "wb"), True
    return destination, False


def copy_chunks(chunks: Iterator[bytes], out: IO[bytes]) -> int:
    written = 0
    for chunk in chunks:
        out.write(chunk)
        written += len(chunk)
    return written
