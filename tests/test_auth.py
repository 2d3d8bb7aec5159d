"""Bearer tokens: fetched once, shared, refreshed ahead of expiry, replaced once on a stale 401."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from support import FakeClock

import welkin
from welkin import AuthenticationError, ConfigurationError
from welkin.testing import FakeWelkin, RecordedRequest, instrument

TOKEN = "token"
PATIENTS = "GET gh/sb-demo/patients"
ENV_VARS = {
    "tenant": "WELKIN_TENANT",
    "instance": "WELKIN_INSTANCE",
    "api_client": "WELKIN_API_CLIENT",
    "secret_key": "WELKIN_SECRET",
}


def step(request: RecordedRequest) -> str:
    """A request of the fake's log, as ``"token"`` or ``"METHOD path"``."""
    return TOKEN if "/admin/api_clients/" in request.path else f"{request.method} {request.path}"


def steps(fake: FakeWelkin, since: int = 0) -> list[str]:
    return [step(r) for r in fake.requests[since:]]


def bearer(request: RecordedRequest) -> str:
    return request.headers["authorization"].removeprefix("Bearer ")


def credentials(fake: FakeWelkin, **overrides: str) -> dict[str, Any]:
    return {
        "tenant": fake.tenant,
        "instance": fake.instance,
        "api_client": fake.api_client,
        "secret_key": fake.secret,
        "base_url": fake.base_url,
        **overrides,
    }


class CountingClock:
    """The real time, counting how often it is read (the client reads it before each token
    lookup)."""

    def __init__(self) -> None:
        self.reads = 0
        self._changed = threading.Condition()

    def __call__(self) -> float:
        with self._changed:
            self.reads += 1
            self._changed.notify_all()
        return time.time()

    def wait_for_reads(self, count: int) -> None:
        with self._changed:
            self._changed.wait_for(lambda: self.reads >= count, timeout=10)


class HoldTokenRequests(httpx.BaseTransport):
    """Calls ``hold()`` before passing a token request on."""

    def __init__(self, inner: httpx.BaseTransport, hold: Callable[[], None]) -> None:
        self.inner = inner
        self.hold = hold

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if "/admin/api_clients/" in request.url.path:
            self.hold()
        return self.inner.handle_request(request)


class YieldingTransport(httpx.AsyncBaseTransport):
    """Hands control back to the event loop before each request, so that tasks interleave."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0)
        return await self.inner.handle_async_request(request)


@pytest.fixture
def no_welkin_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [*ENV_VARS.values(), "WELKIN_BASE_URL"]:
        monkeypatch.delenv(name, raising=False)


# -- one token for everyone -------------------------------------------------------------------


def test_50_threads_without_a_token_make_one_token_request(
    fake: FakeWelkin, sleeps: list[float]
) -> None:
    clock = CountingClock()
    # The token answer is held until all 50 threads have looked for a cached token, so that
    # they really do ask at the same time.
    transport = HoldTokenRequests(fake.transport, hold=lambda: clock.wait_for_reads(50))
    barrier = threading.Barrier(50)
    results: list[object] = []
    errors: list[BaseException] = []

    with (
        httpx.Client(transport=transport) as http,
        welkin.Client(**credentials(fake), http_client=http) as client,
    ):
        instrument(client, clock=clock, sleep=sleeps.append)

        def call() -> None:
            barrier.wait()
            try:
                results.append(client.patients.list())
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=call) for _ in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert errors == []
    assert len(results) == 50
    assert fake.token_requests == 1
    assert steps(fake).count(PATIENTS) == 50


async def test_50_tasks_without_a_token_make_one_token_request(fake: FakeWelkin) -> None:
    async with (
        httpx.AsyncClient(transport=YieldingTransport(fake.transport)) as http,
        welkin.AsyncClient(**credentials(fake), http_client=http) as client,
    ):
        patients = await asyncio.gather(
            *(client.patients.create(first_name=f"T{i}") for i in range(50))
        )

    assert [p.first_name for p in patients] == [f"T{i}" for i in range(50)]
    assert fake.token_requests == 1
    assert len(fake.patients) == 50


def test_token_is_reused_across_calls_and_clients(
    fake: FakeWelkin, make_client: Callable[..., welkin.Client]
) -> None:
    first, second = make_client(fake), make_client(fake)

    first.patients.list()
    first.patients.list()
    second.patients.list()

    assert fake.token_requests == 1
    assert steps(fake) == [TOKEN, PATIENTS, PATIENTS, PATIENTS]
    assert len({bearer(r) for r in fake.requests[1:]}) == 1


# -- expiry -----------------------------------------------------------------------------------


def test_token_is_refreshed_ahead_of_expiry_without_a_401(
    clock: FakeClock, make_client: Callable[..., welkin.Client]
) -> None:
    fake = FakeWelkin(clock=clock, token_ttl=3600)
    client = make_client(fake, clock=clock)
    client.patients.list()
    first_token = bearer(fake.requests[-1])

    clock.advance(3600 - 61)  # 61 s before exp: not yet in the 60 s refresh window
    client.patients.list()
    assert fake.token_requests == 1
    assert bearer(fake.requests[-1]) == first_token

    clock.advance(2)  # 59 s before exp: the old token still works, but is replaced first
    before = len(fake.requests)
    client.patients.list()

    assert steps(fake, before) == [TOKEN, PATIENTS]
    assert bearer(fake.requests[-1]) != first_token
    assert fake.token_requests == 2


def test_expired_token_is_replaced_and_the_call_replayed_once(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    client.patients.list()
    old_token = bearer(fake.requests[-1])
    fake.expire_tokens()
    before = len(fake.requests)

    client.patients.list()

    original, _, replay = fake.requests[before:]
    assert steps(fake, before) == [PATIENTS, TOKEN, PATIENTS]
    assert bearer(original) == old_token
    assert bearer(replay) != old_token
    assert fake.token_requests == 2


@pytest.mark.parametrize("code", ["TOKEN_EXPIRED", "NOT_VALID_JSON_WEB_TOKEN"])
def test_stale_token_codes_trigger_one_replay(
    client: welkin.Client, fake: FakeWelkin, sleeps: list[float], code: str
) -> None:
    fake.fail_next(401, body=[{"errorCode": code}])

    client.patients.list()

    assert steps(fake) == [TOKEN, PATIENTS, TOKEN, PATIENTS]
    assert sleeps == []


def test_a_server_that_keeps_saying_token_expired_gets_one_replay_only(
    client: welkin.Client, fake: FakeWelkin, sleeps: list[float]
) -> None:
    fake.fail_next(401, body=[{"errorCode": "TOKEN_EXPIRED"}], times=5)

    with pytest.raises(AuthenticationError) as caught:
        client.patients.list()

    assert caught.value.error_codes == ["TOKEN_EXPIRED"]
    assert steps(fake) == [TOKEN, PATIENTS, TOKEN, PATIENTS]
    assert fake.token_requests == 2
    assert sleeps == []


def test_401_with_another_code_is_not_replayed(client: welkin.Client, fake: FakeWelkin) -> None:
    fake.fail_next(401, body=[{"errorCode": "BAD_CREDENTIALS", "message": "nope"}])

    with pytest.raises(AuthenticationError) as caught:
        client.patients.list()

    assert caught.value.error_codes == ["BAD_CREDENTIALS"]
    assert steps(fake) == [TOKEN, PATIENTS]
    assert fake.token_requests == 1


# -- credentials ------------------------------------------------------------------------------


def test_wrong_secret_raises_on_the_first_call_naming_the_token_url(fake: FakeWelkin) -> None:
    wrong = "not-the-secret-Qz7"
    with (
        httpx.Client(transport=fake.transport) as http,
        welkin.Client(**credentials(fake, secret_key=wrong), http_client=http) as client,
        pytest.raises(AuthenticationError) as caught,
    ):
        client.patients.list()

    token_url = f"{fake.base_url}/{fake.tenant}/admin/api_clients/{fake.api_client}"
    assert token_url in str(caught.value)
    assert caught.value.url == token_url
    assert caught.value.method == "POST"
    assert caught.value.error_codes == ["BAD_CREDENTIALS"]
    assert wrong not in str(caught.value)
    assert steps(fake) == [TOKEN]


def test_get_token_returns_the_token_and_caches_it(client: welkin.Client, fake: FakeWelkin) -> None:
    response = client.get_token()

    assert isinstance(response, dict)  # the old package's answer: Welkin's JSON as a dict
    assert response["clientName"] == fake.api_client
    assert response["token"].count(".") == 2
    client.patients.list()
    assert bearer(fake.requests[-1]) == response["token"]
    assert fake.token_requests == 1


async def test_async_get_token_returns_the_token_and_caches_it(
    aclient: welkin.AsyncClient, fake: FakeWelkin
) -> None:
    response = await aclient.get_token()

    assert isinstance(response, dict)
    assert response["clientName"] == fake.api_client
    assert response["token"].count(".") == 2
    await aclient.patients.list()
    assert bearer(fake.requests[-1]) == response["token"]
    assert fake.token_requests == 1


@pytest.mark.usefixtures("no_welkin_env")
def test_client_without_credentials_names_the_argument_and_the_env_var() -> None:
    with pytest.raises(ConfigurationError, match=r"tenant=.*WELKIN_TENANT"):
        welkin.Client()


@pytest.mark.usefixtures("no_welkin_env")
@pytest.mark.parametrize(("argument", "variable"), ENV_VARS.items())
def test_each_missing_credential_is_named(argument: str, variable: str) -> None:
    given: dict[str, Any] = {name: "x" for name in ENV_VARS if name != argument}

    with pytest.raises(ConfigurationError) as caught:
        welkin.Client(**given)

    assert argument in str(caught.value)
    assert variable in str(caught.value)


@pytest.mark.usefixtures("no_welkin_env")
def test_credentials_and_base_url_come_from_the_environment(
    fake: FakeWelkin, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WELKIN_TENANT", fake.tenant)
    monkeypatch.setenv("WELKIN_INSTANCE", fake.instance)
    monkeypatch.setenv("WELKIN_API_CLIENT", fake.api_client)
    monkeypatch.setenv("WELKIN_SECRET", fake.secret)
    monkeypatch.setenv("WELKIN_BASE_URL", fake.base_url)

    with httpx.Client(transport=fake.transport) as http, welkin.Client(http_client=http) as client:
        client.patients.list()

    assert client.base_url == fake.base_url
    assert (client.tenant, client.instance, client.api_client) == ("gh", "sb-demo", fake.api_client)
    assert fake.requests[0].json == {"secret": fake.secret}
    assert steps(fake) == [TOKEN, PATIENTS]


# -- base URL ---------------------------------------------------------------------------------


def _unreachable(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"constructing a client sent {request.method} {request.url}")


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.1:8080",
        "http://localhost",
        "http://[::1]:8000",
        "https://example.com",
        "https://api.live.welkincloud.io/",
    ],
)
def test_https_and_loopback_http_base_urls_are_accepted(base_url: str) -> None:
    with (
        httpx.Client(transport=httpx.MockTransport(_unreachable)) as http,
        welkin.Client(
            "gh", "sb-demo", "CLIENT", "s3cret", base_url=base_url, http_client=http
        ) as c,
    ):
        assert c.base_url == base_url.rstrip("/")


@pytest.mark.parametrize(
    "base_url", ["http://example.com", "http://10.0.0.5:8080", "ftp://example.com", "example.com"]
)
def test_plain_http_to_a_remote_host_is_rejected(base_url: str) -> None:
    with pytest.raises(ConfigurationError, match="base_url"):
        welkin.Client("gh", "sb-demo", "CLIENT", "s3cret", base_url=base_url)
