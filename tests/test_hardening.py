"""A hostile or broken server, and hostile input: every failure is bounded in requests and
time, typed, one line, and leaks neither the secret nor a token."""

from __future__ import annotations

import asyncio
import gc
import ssl
import threading
import time
import traceback
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from support import FakeClock

import welkin
from welkin import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    AuthenticationError,
    ClientStateError,
    ConfigurationError,
    InvalidArgumentError,
    RateLimitError,
    WelkinError,
)
from welkin.testing import FakeWelkin, ScriptedWelkin, instrument, jwt

PID = "6801d498-26f4-4aee-961b-5daffcf193c8"
SECRET = "s3cr3t-Value"


class Server(ScriptedWelkin):
    """The scripted Welkin of these tests: its clients retry without waiting."""

    def client(self, secret: str = SECRET, **kwargs: Any) -> welkin.Client:  # type: ignore[override]
        return super().client(secret, sleep=lambda seconds: None, **kwargs)


# -- 1. paths that collapse or escape ---------------------------------------------------------


@pytest.mark.parametrize("value", [".", ".."])
def test_dot_path_parameters_are_refused_before_sending(value: str) -> None:
    server = Server()
    client = server.client()

    with pytest.raises(InvalidArgumentError, match="username"):
        client.users.delete_by_username(value)
    with pytest.raises(InvalidArgumentError, match="mrn"):
        client.patients.get_by_mrn(value)
    with pytest.raises(InvalidArgumentError, match="cdt_name"):
        client.patients.cdts.delete(PID, value, PID)
    assert server.requests == []


@pytest.mark.parametrize(
    ("argument", "value"),
    [
        ("tenant", "gh/x"),
        ("tenant", ".."),
        ("instance", "sb?x=1"),
        ("instance", "sb#x"),
        ("api_client", "a b"),
        ("api_client", "a\nb"),
        ("tenant", "g%2Fh"),
    ],
)
def test_names_that_would_change_the_url_are_refused_at_construction(
    argument: str, value: str
) -> None:
    kwargs = {"tenant": "gh", "instance": "sb-demo", "api_client": "api", "secret_key": SECRET}
    kwargs[argument] = value

    with pytest.raises(ConfigurationError, match=argument):
        welkin.Client(**kwargs)


@pytest.mark.parametrize(
    "path",
    ["{tenant}/../other/patients", "other-tenant/admin/users", "{tenant}/{oops}", "gh/a\r\nb"],
)
def test_call_refuses_paths_outside_the_tenant_or_broken(path: str) -> None:
    server = Server()

    with pytest.raises(InvalidArgumentError, match="path"):
        server.client().call("GET", path)
    assert server.requests == []


@pytest.mark.parametrize("path", ["../other/x", "/other/x", "sb-demo/patients/../../admin"])
def test_old_request_refuses_paths_that_escape_the_tenant(path: str) -> None:
    server = Server()
    client = server.client()

    with pytest.raises(InvalidArgumentError, match="path"):
        client.get(path)
    with pytest.raises(InvalidArgumentError, match="path"):
        client.Patient(id="../../admin").get()
    assert server.requests == []


# -- 2. the token cache knows the secret --------------------------------------------------------


def test_a_wrong_secret_does_not_borrow_another_clients_token() -> None:
    def token(request: httpx.Request) -> httpx.Response:
        if SECRET.encode() in request.content:
            return httpx.Response(200, json={"token": jwt(time.time() + 3600)})
        return httpx.Response(401, json=[{"errorCode": "BAD_CREDENTIALS", "message": "no"}])

    server = Server(token=token)
    server.client().patients.get(PID)

    with pytest.raises(AuthenticationError):
        server.client(secret="wrong").patients.get(PID)
    assert server.token_requests == 2


# -- 3. no secret or token in traceback locals, messages or kept responses ---------------------


def _locals_text(error: BaseException) -> str:
    """What Sentry or ``pytest --showlocals`` would print of the SDK's own frames."""
    summary = traceback.TracebackException.from_exception(error, capture_locals=True)
    frames = [f for f in summary.stack if "/src/welkin/" in f.filename]
    assert frames
    return "\n".join(f"{f.name}: {f.locals}" for f in frames) + str(error)


def test_tracebacks_with_locals_show_neither_secret_nor_token() -> None:
    issued = jwt(time.time() + 3600)

    def token(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"token": issued})

    server = Server(token=token, api=lambda r: httpx.Response(404, json=[{"errorCode": "X"}]))
    with pytest.raises(WelkinError) as api_error:
        server.client().patients.get(PID)
    welkin.clear_token_cache()
    bad = Server(token=lambda r: httpx.Response(500, json=[{"errorCode": "DOWN"}]))
    with pytest.raises(WelkinError) as token_error:
        bad.client(total=0).patients.get(PID)

    for error in (api_error.value, token_error.value):
        text = _locals_text(error)
        assert SECRET not in text and issued not in text


@pytest.mark.parametrize("token", ["abc\u00e9def", "a b", "x\ny"])
def test_a_malformed_token_is_refused_without_echoing_it(
    token: str, caplog: pytest.LogCaptureFixture
) -> None:
    server = Server(token=lambda r: httpx.Response(200, json={"token": token}))

    with pytest.raises(APIResponseValidationError) as caught:
        server.client().patients.get(PID)

    assert token not in str(caught.value) and token not in caplog.text
    assert caught.value.response is not None and caught.value.response.content == b""
    assert len(str(caught.value).splitlines()) == 1


def test_a_token_answer_that_fails_validation_is_not_kept() -> None:
    server = Server(token=lambda r: httpx.Response(200, json={"token": ["sekret-token"]}))

    with pytest.raises(APIResponseValidationError) as caught:
        server.client().patients.get(PID)

    assert caught.value.response is not None
    assert b"sekret-token" not in caught.value.response.content


# -- 4. redirects of the token call -----------------------------------------------------------


def test_the_token_call_never_follows_a_redirect_with_the_secret() -> None:
    def token(request: httpx.Request) -> httpx.Response:
        if request.url.host == "evil.example":
            return httpx.Response(200, json={"token": jwt(time.time() + 3600)})
        return httpx.Response(307, headers={"Location": "https://evil.example/steal"})

    server = Server(token=token)
    http = httpx.Client(transport=httpx.MockTransport(server.handle), follow_redirects=True)

    with pytest.raises(WelkinError):
        server.client(http_client=http, total=0).patients.get(PID)
    assert [r.url.host for r in server.requests] == ["scripted.welkin.invalid"]


# -- 5. one token fetch, its outcome shared ---------------------------------------------------


def test_fifty_callers_against_a_refusing_token_endpoint_make_one_token_request() -> None:
    gate = threading.Event()

    def token(request: httpx.Request) -> httpx.Response:
        gate.wait(5)
        return httpx.Response(401, json=[{"errorCode": "BAD_CREDENTIALS"}])

    server = Server(token=token)
    client = server.client()
    errors: list[BaseException] = []

    def call() -> None:
        try:
            client.patients.get(PID)
        except WelkinError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(50)]
    for thread in threads:
        thread.start()
    time.sleep(0.2)  # every caller is waiting on the one fetch
    gate.set()
    for thread in threads:
        thread.join(10)

    assert len(errors) == 50 and all(isinstance(e, AuthenticationError) for e in errors)
    assert server.token_requests == 1


def test_ten_threads_against_a_hanging_token_endpoint_all_finish_with_the_first_timeout() -> None:
    def token(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("hung", request=request)

    server = Server(token=token)
    client = server.client(total=0)
    finished: list[float] = []
    start = time.monotonic()

    def call() -> None:
        with pytest.raises(APITimeoutError):
            client.patients.get(PID)
        finished.append(time.monotonic() - start)

    threads = [threading.Thread(target=call) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert len(finished) == 10 and server.token_requests == 1


def test_after_a_failed_fetch_a_new_call_tries_again_after_a_short_backoff() -> None:
    answers = iter([httpx.Response(503), httpx.Response(200, json={"token": jwt(4e9)})])
    server = Server(token=lambda r: next(answers))
    clock = FakeClock(time.time())
    client = server.client(total=0)
    instrument(client, clock=clock)

    with pytest.raises(WelkinError):
        client.patients.get(PID)
    with pytest.raises(WelkinError):  # within the backoff: the same error, no request
        client.patients.get(PID)
    assert server.token_requests == 1
    clock.advance(1.5)
    assert client.patients.get(PID).id is not None  # not poisoned
    assert server.token_requests == 2


async def test_async_callers_share_one_failed_fetch() -> None:
    server = Server(token=lambda r: httpx.Response(401, json=[{"errorCode": "BAD_CREDENTIALS"}]))
    http = httpx.AsyncClient(transport=httpx.MockTransport(server.handle))
    client = welkin.AsyncClient("gh", "sb-demo", "api", SECRET, http_client=http)

    results = await asyncio.gather(
        *(client.patients.get(PID) for _ in range(20)), return_exceptions=True
    )

    assert all(isinstance(r, AuthenticationError) for r in results)
    assert server.token_requests == 1


# -- 6. short-lived tokens ---------------------------------------------------------------------


@pytest.mark.parametrize("lifetime", [30.0, -10.0])
def test_a_token_inside_the_refresh_margin_is_used_not_refetched(lifetime: float) -> None:
    server = Server(
        token=lambda r: httpx.Response(200, json={"token": jwt(time.time() + lifetime)})
    )
    client = server.client()

    for _ in range(20):
        client.patients.get(PID)

    assert server.token_requests == 1


# -- 7. per-call limits reach the token fetch; an overall deadline ------------------------------


def test_max_retries_and_timeout_of_a_call_apply_to_its_token_fetch() -> None:
    seen: list[Any] = []

    def token(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        raise httpx.ConnectError("refused", request=request)

    server = Server(token=token)
    with pytest.raises(APIConnectionError):
        server.client().patients.get(PID, max_retries=0, timeout=1.5)

    assert server.token_requests == 1 and seen[0]["read"] == 1.5


def test_a_deadline_bounds_retries_after_waits() -> None:
    clock = FakeClock(0.0)
    server = Server(api=lambda r: httpx.Response(503, headers={"Retry-After": "60"}))
    client = server.client()
    instrument(client, monotonic=clock, sleep=clock.advance)

    with pytest.raises(welkin.InternalServerError):
        client.patients.get(PID, deadline=100)

    api = [r for r in server.requests if "api_clients" not in r.url.path]
    assert len(api) == 2 and clock.now == 60  # a second wait of 60 s would pass the deadline


def test_a_deadline_stops_a_body_that_drips() -> None:
    def drip() -> Iterator[bytes]:
        for _ in range(1000):
            time.sleep(0.01)
            yield b" "

    server = Server(api=lambda r: httpx.Response(200, content=drip()))
    start = time.monotonic()

    with pytest.raises(APITimeoutError):
        server.client(total=0).patients.get(PID, deadline=0.3)
    assert time.monotonic() - start < 2


def test_the_default_deadline_is_one_minute_and_can_be_lifted() -> None:
    client = Server().client()
    assert client._deadline == 60.0
    assert client.with_options(deadline=None)._deadline is None
    with pytest.raises(InvalidArgumentError, match="deadline"):
        client.with_options(deadline=-1)


# -- 9. what is retried ---------------------------------------------------------------------------


def test_a_certificate_failure_is_not_retried() -> None:
    def api(request: httpx.Request) -> httpx.Response:
        try:
            raise ssl.SSLCertVerificationError("certificate verify failed")
        except ssl.SSLError as exc:
            raise httpx.ConnectError("tls", request=request) from exc

    server = Server(api=api)
    with pytest.raises(APIConnectionError):
        server.client().patients.get(PID)

    assert sum("api_clients" not in r.url.path for r in server.requests) == 1


@pytest.mark.parametrize("status", [429, 503])
def test_a_token_call_answered_429_or_503_is_retried(status: int) -> None:
    minted = httpx.Response(200, json={"token": jwt(time.time() + 3600)})
    answers = iter([httpx.Response(status, headers={"Retry-After": "1"}), minted])
    server = Server(token=lambda r: next(answers))

    assert server.client().patients.get(PID).id is not None
    assert server.token_requests == 2


def test_a_token_call_answered_429_forever_stops_after_the_retries() -> None:
    server = Server(token=lambda r: httpx.Response(429, headers={"Retry-After": "0"}))

    with pytest.raises(RateLimitError):
        server.client(total=2).patients.get(PID)
    assert server.token_requests == 3


# -- 10. every failure a caller can provoke is a WelkinError, in one line -------------------------


def test_a_closed_client_raises_a_welkin_error() -> None:
    client = Server().client()
    client._http.close()

    with pytest.raises(ClientStateError, match="closed"):
        client.patients.get(PID)


# The misuse itself strands the first loop's socket (nothing can close it from another loop):
# it is collected here, quietly.
def test_an_async_client_used_after_its_loop_ended_raises_a_welkin_error() -> None:
    fake = FakeWelkin()
    fake.seed(patients=1)
    pid = next(iter(fake.patients))
    with fake.serve() as base_url:  # real connections, tied to the loop that opened them
        credentials = (fake.tenant, fake.instance, fake.api_client, fake.secret)
        client = welkin.AsyncClient(*credentials, base_url=base_url)
        asyncio.run(client.patients.get(pid))

        with pytest.raises(ClientStateError, match="one client per loop"):
            asyncio.run(client.patients.get(pid))
    del client
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def test_a_body_that_is_not_json_is_refused_by_argument_name() -> None:
    server = Server()
    client = server.client()

    with pytest.raises(InvalidArgumentError, match="extra_body"):
        client.patients.create(first_name="A", last_name="B", extra_body={"x": object()})
    with pytest.raises(InvalidArgumentError, match="json"):
        client.call("POST", "{tenant}/x", json={"x": object()})
    with pytest.raises(InvalidArgumentError, match="json"):
        client.post("sb-demo/patients", json={"x": object()})
    assert server.requests == []
