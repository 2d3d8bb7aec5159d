"""ScriptedWelkin: a Welkin that answers as the test says, keeping every request."""

from __future__ import annotations

import time

import httpx
import pytest

import welkin
from welkin._auth import jwt_expiry
from welkin.testing import ScriptedWelkin, jwt


def test_by_default_a_good_token_and_one_record() -> None:
    server = ScriptedWelkin()
    client = server.client()
    assert client.call("GET", "{tenant}/{instance}/anything") == {
        "id": "6801d498-26f4-4aee-961b-5daffcf193c8"
    }
    assert [r.method for r in server.requests] == ["POST", "GET"]
    assert server.token_requests == 1


def test_the_script_decides_and_the_hooks_apply() -> None:
    waits: list[float] = []
    server = ScriptedWelkin(api=lambda request: httpx.Response(503))
    client = server.client(sleep=waits.append, jitter=False, max_retries=2, backoff_factor=1)
    with pytest.raises(welkin.InternalServerError):
        client.call("GET", "{tenant}/{instance}/anything")
    assert waits == [1.0, 2.0]
    assert len(server.requests) == 1 + 3  # the token, then three attempts


def test_jwt_carries_its_expiry() -> None:
    expires_at = time.time() + 60
    assert jwt_expiry(jwt(expires_at)) == int(expires_at)
