"""The old package's exception (``welkin.exceptions`` of welkin 0.1.x).

``WelkinHTTPError`` is what the old classes and ``client.get/post/...`` raise for a non-2xx
answer. It is also an ``APIStatusError`` (and the typed error of its status, such as
``NotFoundError``), so handlers written for either API catch it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ._exceptions import APIStatusError, error_for_response

if TYPE_CHECKING:
    import httpx

__all__ = ["WelkinHTTPError"]


class WelkinHTTPError(APIStatusError, OSError):
    """An HTTP error answered by Welkin.

    ``str(exc)`` reads as the old one did: ``404 Client Error: NOT FOUND for url: <url>``,
    then Welkin's error body as indented JSON. ``exc.response`` has ``status_code`` and
    ``json()``; its request carries no token.
    """

    def __str__(self) -> str:
        response = self.response
        kind = "Client" if response.status_code < 500 else "Server"
        text = f"{response.status_code} {kind} Error: {response.reason_phrase} for url: {self.url}"
        try:
            body = json.loads(response.content)
        except ValueError:
            return text
        return f"{text}\n{json.dumps(body, indent=2)}"

    @property
    def request(self) -> httpx.Request:
        """The request that failed (without its Authorization header)."""
        return self.response.request


_BY_TYPED: dict[type[APIStatusError], type[WelkinHTTPError]] = {}


def welkin_http_error(response: httpx.Response) -> WelkinHTTPError:
    """The WelkinHTTPError for a non-2xx response, also of its status's typed class."""
    typed = error_for_response(response)
    cls = _BY_TYPED.get(type(typed))
    if cls is None:
        # Named as the old class: programs and logs that print the type name see no change.
        namespace = {"__module__": __name__, "__qualname__": "WelkinHTTPError"}
        cls = type("WelkinHTTPError", (WelkinHTTPError, type(typed)), namespace)
        _BY_TYPED[type(typed)] = cls
    return cls(response, typed.errors)
