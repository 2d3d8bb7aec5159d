"""Reading a multipart/form-data body: its text fields and its files."""

from __future__ import annotations

import email.parser
import email.policy
from collections.abc import Iterator
from email.message import MIMEPart

__all__ = ["multipart_fields", "parse_multipart"]


def multipart_fields(content: bytes, content_type: str) -> dict[str, str]:
    """The text fields of a multipart body (the model's fields sent beside the files)."""
    fields = {}
    for part in _parts(content, content_type):
        if part.get_filename() is None:
            data = part.get_payload(decode=True)
            text = data.decode() if isinstance(data, bytes) else ""
            fields[str(part.get_param("name", header="content-disposition"))] = text
    return fields


def parse_multipart(content: bytes, content_type: str) -> list[tuple[str, str, str, bytes]]:
    """``(field, filename, content type, data)`` of each file part of a multipart body."""
    parts = []
    for part in _parts(content, content_type):
        filename = part.get_filename()
        if filename is None:
            continue
        field = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            data = b""
        parts.append((str(field), filename, part.get_content_type(), data))
    return parts


def _parts(content: bytes, content_type: str) -> Iterator[MIMEPart]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + content)
    return message.iter_parts()
