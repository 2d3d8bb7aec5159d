"""The secret, the bearer token and patient data stay out of reprs, exceptions and logs."""

from __future__ import annotations

import logging
import ssl

import httpx
import pytest

import welkin
from welkin import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
)
from welkin.testing import FakeWelkin

FIRST_NAME = "Zebulon"


def tokens_sent(fake: FakeWelkin) -> set[str]:
    """Every bearer token the client has sent to the fake."""
    return {
        r.headers["authorization"].removeprefix("Bearer ")
        for r in fake.requests
        if "authorization" in r.headers
    }


def exception_texts(error: BaseException) -> str:
    """str and repr of the exception and of everything chained to it."""
    texts: list[str] = []
    current: BaseException | None = error
    while current is not None:
        texts += [str(current), repr(current), repr(current.args)]
        current = current.__cause__ or current.__context__
    return "\n".join(texts)


def assert_no_secrets(text: str, fake: FakeWelkin) -> None:
    assert fake.secret not in text
    for token in tokens_sent(fake):
        assert token not in text


def assert_response_is_redacted(error: APIError, fake: FakeWelkin) -> None:
    response: httpx.Response = getattr(error, "response")  # noqa: B009 - not every APIError has one
    request = response.request
    assert "authorization" not in {name.lower() for name in request.headers}
    assert fake.secret.encode() not in request.content
    for token in tokens_sent(fake):
        assert token not in str(request.headers)


def token_url(fake: FakeWelkin) -> str:
    return f"{fake.base_url}/{fake.tenant}/admin/api_clients/{fake.api_client}"


# -- reprs ------------------------------------------------------------------------------------


def test_client_repr_and_str_hold_neither_secret_nor_token(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    client.patients.list()
    assert tokens_sent(fake)

    for text in (repr(client), str(client), repr(client.with_options(max_retries=1))):
        assert fake.api_client in text
        assert_no_secrets(text, fake)


async def test_async_client_repr_holds_neither_secret_nor_token(
    aclient: welkin.AsyncClient, fake: FakeWelkin
) -> None:
    await aclient.patients.list()

    assert_no_secrets(repr(aclient) + str(aclient), fake)


def test_token_response_hides_the_token_but_lets_you_read_it(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    response = client.get_token()

    assert response["token"].count(".") == 2
    assert fake.api_client in repr(response)
    assert response["token"] not in repr(response)
    assert response["token"] not in str(response)
    assert response["token"] not in f"{response}"
    assert fake.secret not in repr(response) + str(response)


# -- exceptions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (404, NotFoundError),
        (500, InternalServerError),
    ],
)
def test_status_errors_carry_no_secret_or_token(
    client: welkin.Client, fake: FakeWelkin, status: int, error_class: type[APIError]
) -> None:
    fake.fail_next(status)

    with pytest.raises(error_class) as caught:
        client.patients.list(max_retries=0)

    assert tokens_sent(fake)
    assert_no_secrets(exception_texts(caught.value), fake)
    assert_response_is_redacted(caught.value, fake)


def test_stale_token_error_after_the_replay_carries_no_token(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    fake.fail_next(401, body=[{"errorCode": "TOKEN_EXPIRED"}], times=2)

    with pytest.raises(AuthenticationError) as caught:
        client.patients.list()

    assert len(tokens_sent(fake)) == 2
    assert_no_secrets(exception_texts(caught.value), fake)
    assert_response_is_redacted(caught.value, fake)


@pytest.mark.parametrize("kind", [httpx.ConnectError, httpx.ReadTimeout])
def test_connection_errors_carry_no_secret_or_token(
    client: welkin.Client, fake: FakeWelkin, kind: type[httpx.TransportError]
) -> None:
    fake.fail_next(exception=kind, times=100)

    with pytest.raises(APIConnectionError) as caught:
        client.patients.list(max_retries=0)

    assert tokens_sent(fake)
    assert_no_secrets(exception_texts(caught.value), fake)


def test_failed_token_request_does_not_carry_the_secret(fake: FakeWelkin) -> None:
    wrong = "wrong-secret-Xk2!"
    with (
        httpx.Client(transport=fake.transport) as http,
        welkin.Client(
            fake.tenant,
            fake.instance,
            fake.api_client,
            wrong,
            base_url=fake.base_url,
            http_client=http,
        ) as client,
        pytest.raises(AuthenticationError) as caught,
    ):
        client.patients.list()

    error = caught.value
    assert error.url == token_url(fake)
    assert wrong not in exception_texts(error)
    assert wrong.encode() not in error.response.request.content
    assert fake.requests[0].json == {"secret": wrong}  # it was sent, just not kept


def test_unexpected_success_body_error_carries_no_token(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    fake.fail_next(200, body="{not json")

    with pytest.raises(APIResponseValidationError) as caught:
        client.patients.list()

    assert_no_secrets(exception_texts(caught.value), fake)
    assert_response_is_redacted(caught.value, fake)


def test_unreadable_token_response_does_not_carry_the_secret(fake: FakeWelkin) -> None:
    def garbled_tokens(request: httpx.Request) -> httpx.Response:
        if "/admin/api_clients/" in request.url.path:
            return httpx.Response(201, content=b"{not json")
        return fake.transport.handle_request(request)

    with (
        httpx.Client(transport=httpx.MockTransport(garbled_tokens)) as http,
        welkin.Client(
            fake.tenant,
            fake.instance,
            fake.api_client,
            fake.secret,
            base_url=fake.base_url,
            http_client=http,
        ) as client,
        pytest.raises(APIResponseValidationError) as caught,
    ):
        client.patients.list()

    assert caught.value.url == token_url(fake)
    assert_no_secrets(exception_texts(caught.value), fake)
    assert fake.secret.encode() not in caught.value.response.request.content


# -- logs -------------------------------------------------------------------------------------


def test_logs_hold_no_secret_token_or_patient_data(
    client: welkin.Client, fake: FakeWelkin, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="welkin")
    fake.fail_next(exception=httpx.ConnectError, method="POST")
    fake.fail_next(503, method="GET", times=2)

    patient = client.patients.create(first_name=FIRST_NAME, last_name="Quill")
    assert patient.id is not None
    client.patients.get(patient.id)
    fake.expire_tokens()
    found = client.patients.list(query=FIRST_NAME)
    client.patients.update(patient.id, first_name=FIRST_NAME + "a")

    assert [p.first_name for p in found.items] == [FIRST_NAME]
    assert len(tokens_sent(fake)) == 2
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("welkin")]
    assert sum("retry" in m for m in messages) == 3  # the logging did happen
    for message in messages:
        assert_no_secrets(message, fake)
        assert FIRST_NAME not in message
        assert "Quill" not in message


# -- TLS --------------------------------------------------------------------------------------


def test_default_http_client_verifies_tls() -> None:
    with welkin.Client("gh", "sb-demo", "CLIENT", "s3cret") as client:
        http = client._http
        assert isinstance(http, httpx.Client)
        context: ssl.SSLContext = http._transport._pool._ssl_context  # type: ignore[attr-defined]
        assert context.verify_mode == ssl.CERT_REQUIRED
        assert context.check_hostname is True
        assert http.follow_redirects is False
