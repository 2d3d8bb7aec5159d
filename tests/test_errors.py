"""Failed calls raise typed exceptions that carry Welkin's error details, method and URL."""

from __future__ import annotations

import uuid

import pytest

import welkin
from welkin import (
    APIResponseValidationError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ErrorDetail,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    WelkinError,
)
from welkin.testing import FakeWelkin

WELKIN_ERRORS = [
    {
        "errorCode": "VALIDATION_ERROR",
        "componentType": "PATIENT",
        "message": "email is not valid",
        "details": {"field": "email", "value": "not-an-email"},
        "date": "2024-05-01T12:00:00.000Z",
    },
    {"errorCode": "MISSING_FIELD", "componentType": "PATIENT", "message": "lastName is required"},
]


def patients_url(fake: FakeWelkin) -> str:
    return f"{fake.base_url}/{fake.tenant}/{fake.instance}/patients"


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (503, InternalServerError),
    ],
)
def test_status_maps_to_exception_class(
    client: welkin.Client, fake: FakeWelkin, status: int, error_class: type[APIStatusError]
) -> None:
    fake.fail_next(status)

    with pytest.raises(error_class) as caught:
        client.patients.list(max_retries=0)

    error = caught.value
    assert isinstance(error, APIStatusError)
    assert isinstance(error, WelkinError)
    assert error.status_code == status
    assert error.response.status_code == status
    assert error.error_codes == ["INJECTED_FAULT"]


def test_an_unmapped_status_is_a_plain_api_status_error(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    fake.fail_next(418)

    with pytest.raises(APIStatusError) as caught:
        client.patients.list()

    assert type(caught.value) is APIStatusError
    assert caught.value.status_code == 418


def test_welkin_error_array_is_parsed(client: welkin.Client, fake: FakeWelkin) -> None:
    fake.fail_next(422, body=WELKIN_ERRORS)

    with pytest.raises(UnprocessableEntityError) as caught:
        client.patients.create(first_name="Ada", email="not-an-email")

    first, second = caught.value.errors
    assert isinstance(first, ErrorDetail)
    assert first.error_code == "VALIDATION_ERROR"
    assert first.component_type == "PATIENT"
    assert first.message == "email is not valid"
    assert first.details == {"field": "email", "value": "not-an-email"}
    assert first.date == "2024-05-01T12:00:00.000Z"
    assert (second.error_code, second.details, second.date) == ("MISSING_FIELD", None, None)
    error = caught.value
    assert error.errors[0].raw == WELKIN_ERRORS[0]
    assert error.error_codes == ["VALIDATION_ERROR", "MISSING_FIELD"]
    assert "VALIDATION_ERROR: email is not valid" in str(error)
    assert "MISSING_FIELD: lastName is required" in str(error)


def test_a_single_error_object_is_parsed_too(client: welkin.Client, fake: FakeWelkin) -> None:
    fake.fail_next(409, body={"errorCode": "ALREADY_EXISTS", "message": "taken"})

    with pytest.raises(ConflictError) as caught:
        client.patients.list()

    assert caught.value.error_codes == ["ALREADY_EXISTS"]


def test_method_and_url_are_in_the_message_and_attributes(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    patient_id = str(uuid.uuid4())
    fake.fail_next(400)

    with pytest.raises(BadRequestError) as caught:
        client.patients.get(patient_id)

    error = caught.value
    url = f"{patients_url(fake)}/{patient_id}?type=ID"  # the read sends type=ID (QX)
    assert (error.method, error.url) == ("GET", url)
    assert f"400 Bad Request for GET {url}" in str(error)
    assert error.message == str(error)


@pytest.mark.parametrize(
    ("status", "error_class"), [(502, InternalServerError), (403, PermissionDeniedError)]
)
def test_html_error_page_gives_the_class_and_no_details(
    client: welkin.Client, fake: FakeWelkin, status: int, error_class: type[APIStatusError]
) -> None:
    fake.fail_next(status, body="<html>Bad gateway</html>", headers={"Content-Type": "text/html"})

    with pytest.raises(error_class) as caught:
        client.patients.list(max_retries=0)

    assert caught.value.errors == []
    assert caught.value.error_codes == []
    assert caught.value.response.text == "<html>Bad gateway</html>"


def test_empty_error_body_gives_the_class_and_no_details(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    fake.fail_next(404, body=b"")

    with pytest.raises(NotFoundError) as caught:
        client.patients.list()

    assert caught.value.errors == []
    assert str(caught.value) == f"404 Not Found for GET {patients_url(fake)}"


def test_error_body_with_non_objects_is_tolerated(client: welkin.Client, fake: FakeWelkin) -> None:
    fake.fail_next(400, body=["oops", 3, {"errorCode": "BAD_REQUEST"}])

    with pytest.raises(BadRequestError) as caught:
        client.patients.list()

    assert caught.value.error_codes == ["BAD_REQUEST"]


def test_malformed_json_on_success_is_a_validation_error(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    fake.fail_next(200, body="{not json")

    with pytest.raises(APIResponseValidationError) as caught:
        client.patients.list()

    assert isinstance(caught.value, WelkinError)
    assert caught.value.method == "GET"
    assert caught.value.url == patients_url(fake)
    assert caught.value.response.status_code == 200


def test_success_body_that_does_not_fit_the_model_is_a_validation_error(
    fake: FakeWelkin,
) -> None:
    patient_id = str(uuid.uuid4())
    fake.fail_next(200, body={"createdAt": "not a date"})

    with fake.client(strict=True) as client, pytest.raises(APIResponseValidationError) as caught:
        client.patients.get(patient_id)

    assert "createdAt" in str(caught.value)
    assert caught.value.url == f"{patients_url(fake)}/{patient_id}?type=ID"


def test_missing_patient_is_not_found_with_welkins_code(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    with pytest.raises(NotFoundError) as caught:
        client.patients.get(uuid.uuid4())

    error = caught.value
    assert error.status_code == 404
    assert error.error_codes == ["NOT_FOUND"]
    assert error.errors[0].component_type == "PATIENT"
    assert error.errors[0].message == "Patient not found"


async def test_async_missing_patient_is_not_found(aclient: welkin.AsyncClient) -> None:
    with pytest.raises(NotFoundError) as caught:
        await aclient.patients.get(uuid.uuid4())

    assert caught.value.error_codes == ["NOT_FOUND"]
