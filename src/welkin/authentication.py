"""The old package's authentication (``welkin.authentication`` of welkin 0.1.x).

``client.auth`` is a ``WelkinAuth``: ``auth.token`` is the bearer token (fetched when none is
cached), ``auth.refresh_token()`` fetches a new one, and ``auth(request)`` adds the
Authorization header to a request (except the token call itself).

The old package kept tokens in a shelve file at ``DB_PATH``, keyed by tenant only and never
checked for expiry. This one keeps them in memory, shared by the clients of one process,
keyed by API client and refreshed before they expire; nothing is written to ``DB_PATH``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["DB_PATH", "WelkinAuth"]

#: Where the old package kept its token file (kept for programs that refer to it).
DB_PATH = str(Path(tempfile.gettempdir(), ".welkin.db"))
DB_LOCK = f"{DB_PATH}.lock"

RequestT = TypeVar("RequestT")


class WelkinAuth:
    """Bearer-token authentication for one API client."""

    def __init__(
        self,
        tenant: str,
        api_client: str,
        secret_key: str,
        token_method: Callable[[], dict[str, Any]],
        *,
        cached_token: Callable[[], str] | None = None,
        store_token: Callable[[str], None] | None = None,
    ) -> None:
        self.tenant = tenant
        self.api_client = api_client
        self.secret_key = secret_key
        self.token_method = token_method
        # A client's auth reads and writes the client's token cache; a free-standing one
        # keeps its own token.
        self._cached_token = cached_token
        self._store_token = store_token
        self._token: str | None = None

    def __repr__(self) -> str:
        return f"WelkinAuth(tenant={self.tenant!r}, api_client={self.api_client!r})"

    def __eq__(self, other: object) -> bool:
        return (self.tenant, self.api_client, self.secret_key) == (
            getattr(other, "tenant", None),
            getattr(other, "api_client", None),
            getattr(other, "secret_key", None),
        )

    def __hash__(self) -> int:
        return hash((self.tenant, self.api_client, self.secret_key))

    def __call__(self, request: RequestT) -> RequestT:
        """Add ``Authorization: Bearer <token>`` to an httpx or requests request."""
        url = getattr(request, "url", "")
        path = getattr(url, "path", None) or getattr(request, "path_url", None) or str(url)
        if "api_clients" not in path:
            request.headers["Authorization"] = f"Bearer {self.token}"  # type: ignore[attr-defined]
        return request

    @property
    def token(self) -> str:
        """The current bearer token; fetched first when there is none."""
        if self._cached_token is not None:
            return self._cached_token()
        if self._token is None:
            self.refresh_token()
        assert self._token is not None
        return self._token

    @token.setter
    def token(self, value: dict[str, Any] | str) -> None:
        token = value.get("token") if isinstance(value, dict) else value
        if not isinstance(token, str) or not token:
            raise ValueError("a token response must carry a 'token' string")
        if self._store_token is not None:
            self._store_token(token)
        else:
            self._token = token

    def refresh_token(self) -> None:
        """Fetch a new token now."""
        self.token = self.token_method()
