"""Client construction and per-call options: timeouts, retries, context managers."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import httpx
import pytest

import welkin
from welkin.testing import FakeWelkin


def timeouts_seen(fake: FakeWelkin) -> tuple[httpx.Client, list[dict[str, float | None]]]:
    """An httpx client that forwards to the fake and records each request's timeout."""
    seen: list[dict[str, float | None]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return fake.transport.handle_request(request)

    return httpx.Client(transport=httpx.MockTransport(handler)), seen


def make(fake: FakeWelkin, http: httpx.Client, **kwargs: Any) -> welkin.Client:
    return welkin.Client(
        fake.tenant, fake.instance, fake.api_client, fake.secret,
        base_url=fake.base_url, http_client=http, **kwargs,
    )  # fmt: skip


def test_the_default_timeout_is_five_seconds_on_every_phase() -> None:
    fake = FakeWelkin()
    http, seen = timeouts_seen(fake)
    make(fake, http).patients.list()
    assert seen[-1] == {"connect": 5, "read": 5, "write": 5, "pool": 5}


def test_timeouts_per_client_per_call_and_with_options() -> None:
    fake = FakeWelkin()
    http, seen = timeouts_seen(fake)
    client = make(fake, http, timeout=httpx.Timeout(9.0, connect=2.0))
    client.patients.list()
    assert seen[-1] == {"connect": 2.0, "read": 9.0, "write": 9.0, "pool": 9.0}
    client.patients.list(timeout=1.5)
    assert seen[-1]["read"] == 1.5
    client.with_options(timeout=None).patients.list()
    assert 59 < seen[-1]["read"] <= 60  # no timeout, but what is left of the 60 s deadline
    client.with_options(timeout=None, deadline=None).patients.list()
    assert seen[-1]["read"] is None
    client.patients.list()
    assert seen[-1]["read"] == 9.0  # with_options left the original alone


@pytest.mark.parametrize("bad", [-1, "5", True])
def test_a_bad_timeout_is_refused_by_name(bad: object) -> None:
    fake = FakeWelkin()
    with pytest.raises(welkin.InvalidArgumentError) as caught:
        fake.client(timeout=bad)
    assert caught.value.argument == "timeout"
    with pytest.raises(welkin.InvalidArgumentError):
        fake.client().patients.list(timeout=bad)
    assert fake.requests == []


@pytest.mark.parametrize(("name", "bad"), [("total", -1), ("total", 2.5), ("backoff_factor", "x")])
def test_bad_retry_settings_are_refused_by_name(name: str, bad: object) -> None:
    with pytest.raises(welkin.InvalidArgumentError) as caught:
        FakeWelkin().client(**{name: bad})
    assert caught.value.argument == name


def test_with_options_shares_the_token_and_connections() -> None:
    fake = FakeWelkin()
    with fake.client() as client:
        client.patients.list()
        quick = client.with_options(max_retries=0, timeout=1)
        quick.patients.list()
        assert quick.max_retries == 0
        assert client.max_retries == 5
        assert quick._http is client._http
        assert quick.patients is not client.patients
        quick.close()  # a copy does not close the shared connections
        client.users.list()
    assert fake.token_requests == 1


def test_closing_a_client_closes_only_an_http_client_it_created() -> None:
    fake = FakeWelkin()
    http = httpx.Client(transport=fake.transport)
    with make(fake, http) as client:
        client.patients.list()
    assert not http.is_closed
    http.close()
    own = welkin.Client("gh", "sb-demo", "c", "s", base_url="http://127.0.0.1:9")
    own.close()
    assert own._http.is_closed


async def test_async_client_context_manager_closes_its_connections() -> None:
    fake = FakeWelkin()
    async with fake.async_client() as client:
        page = await client.patients.list()
        assert page.items == []
    assert client._http.is_closed


def test_import_welkin_loads_neither_pydantic_nor_asyncio() -> None:
    # Sync users should not pay for them at start-up: both load on first use.
    code = "import sys, welkin; print(sorted({'pydantic', 'asyncio'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_environment_picks_welkins_host(monkeypatch: pytest.MonkeyPatch) -> None:
    credentials = ("gh", "sb-demo", "api", "secret")
    monkeypatch.delenv("WELKIN_BASE_URL", raising=False)
    monkeypatch.delenv("WELKIN_ENVIRONMENT", raising=False)

    assert welkin.Client(*credentials).base_url == "https://api.live.welkincloud.io"
    assert (
        welkin.Client(*credentials, environment="stg").base_url == "https://api.stg.welkincloud.io"
    )
    monkeypatch.setenv("WELKIN_ENVIRONMENT", "stg")
    assert welkin.AsyncClient(*credentials).base_url == "https://api.stg.welkincloud.io"
    monkeypatch.setenv("WELKIN_BASE_URL", "http://127.0.0.1:9")  # an explicit URL wins
    assert welkin.Client(*credentials).base_url == "http://127.0.0.1:9"
    with pytest.raises(welkin.ConfigurationError, match="not both"):
        welkin.Client(*credentials, environment="live", base_url="https://x.example")
    with pytest.raises(welkin.ConfigurationError, match="environment"):
        welkin.Client(*credentials, environment="prod")  # type: ignore[arg-type]
