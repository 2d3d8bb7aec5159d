"""``ScriptedWelkin``: a Welkin that answers as a test scripts it, for what ``FakeWelkin`` is
too well-behaved to do (a token endpoint that fails, a body that is not JSON, a page that
repeats itself...)."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from ._hooks import instrument

if TYPE_CHECKING:
    import random

    import welkin

__all__ = ["ScriptedWelkin", "jwt"]

Answer = Callable[[httpx.Request], httpx.Response]

#: Where its clients point: a name that cannot resolve, should a request ever leave the
#: transport.
BASE_URL = "https://scripted.welkin.invalid"

#: The id ``ScriptedWelkin``'s default API answer carries.
SCRIPTED_ID = "6801d498-26f4-4aee-961b-5daffcf193c8"


def jwt(expires_at: float, **claims: Any) -> str:
    """A JWT-shaped, unsigned token whose ``exp`` is ``expires_at`` (as the client reads it)."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part({'exp': int(expires_at), **claims})}.sig"


def _good_token(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"token": jwt(time.time() + 3600)})


def _one_record(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"id": SCRIPTED_ID})


class ScriptedWelkin:
    """An in-process Welkin (an ``httpx.MockTransport``) that answers the token call with
    ``token(request)`` and every other request with ``api(request)``, and keeps each request.

    By default the token is good for an hour and every other answer is ``{"id": ...}``::

        server = ScriptedWelkin(api=lambda request: httpx.Response(200, content=b"<html>"))
        with pytest.raises(welkin.APIResponseValidationError):
            server.client().patients.get(patient_id)
        assert len(server.requests) == 2 and server.token_requests == 1
    """

    def __init__(self, token: Answer | None = None, api: Answer | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self._lock = threading.Lock()
        self._token = token or _good_token
        self._api = api or _one_record

    def handle(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append(request)
        if "api_clients" in request.url.path:
            return self._token(request)
        return self._api(request)

    @property
    def token_requests(self) -> int:
        """How many of the requests were token calls."""
        with self._lock:
            return sum("api_clients" in request.url.path for request in self.requests)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def client(
        self,
        secret: str = "secret",
        *,
        sleep: Callable[[float], object] | None = None,
        clock: Callable[[], float] | None = None,
        monotonic: Callable[[], float] | None = None,
        jitter: bool | random.Random | None = None,
        **kwargs: Any,
    ) -> welkin.Client:
        """A ``welkin.Client`` of tenant ``gh``, instance ``sb-demo``, API client ``api`` on
        this server; ``sleep`` and the other hooks as in ``welkin.testing.instrument``, the
        other keyword arguments ``welkin.Client``'s."""
        import welkin

        http = kwargs.pop("http_client", None) or httpx.Client(transport=self.transport)
        kwargs.setdefault("base_url", BASE_URL)
        client = welkin.Client("gh", "sb-demo", "api", secret, http_client=http, **kwargs)
        return instrument(client, sleep=sleep, clock=clock, monotonic=monotonic, jitter=jitter)
