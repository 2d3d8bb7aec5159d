"""Bad input is refused before anything is sent (not even a token request), naming the argument."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import pytest

import welkin
from welkin.testing import FakeWelkin

PATIENT_ID = "6801d498-26f4-4aee-961b-5daffcf193c8"
NAIVE = datetime(2000, 1, 2, 3, 4, 5)


@pytest.fixture
def welkin_fake() -> FakeWelkin:
    return FakeWelkin()


@pytest.fixture
def welkin_client(welkin_fake: FakeWelkin) -> Iterator[welkin.Client]:
    yield welkin_fake.client()
    # Whatever the test did, nothing reached the fake.
    assert welkin_fake.requests == []


@pytest.fixture
def welkin_aclient(welkin_fake: FakeWelkin) -> Iterator[welkin.AsyncClient]:
    yield welkin_fake.async_client()
    assert welkin_fake.requests == []


def refused(call: Callable[[], object]) -> welkin.InvalidArgumentError:
    """The InvalidArgumentError ``call`` raises; it is also a ValueError and a WelkinError."""
    with pytest.raises(welkin.InvalidArgumentError) as caught:
        call()
    error = caught.value
    assert isinstance(error, ValueError)
    assert isinstance(error, welkin.WelkinError)
    assert str(error).startswith(f"{error.argument}: ")
    return error


# -- wrong types ----------------------------------------------------------------------------


def test_a_page_number_given_as_text_is_refused(welkin_client: welkin.Client) -> None:
    error = refused(lambda: welkin_client.patients.list(page="2"))

    assert error.argument == "page"
    assert "expected int" in error.problem


def test_a_bool_is_not_a_page_size(welkin_client: welkin.Client) -> None:
    assert refused(lambda: welkin_client.patients.list(size=True)).argument == "size"


def test_seat_assigned_given_as_text_is_refused(welkin_client: welkin.Client) -> None:
    error = refused(lambda: welkin_client.users.list(seat_assigned="yes"))

    assert error.argument == "seat_assigned"
    assert "expected bool" in error.problem


def test_a_path_value_of_the_wrong_type_is_refused(welkin_client: welkin.Client) -> None:
    error = refused(lambda: welkin_client.users.get_by_username(5))

    assert error.argument == "username"


def test_a_body_field_of_the_wrong_type_is_refused_by_its_python_name(
    welkin_client: welkin.Client,
) -> None:
    error = refused(lambda: welkin_client.patients.create(first_name=5))

    assert error.argument == "first_name"
    assert "first_name" in str(error)


def test_a_user_update_field_of_the_wrong_type_is_refused(welkin_client: welkin.Client) -> None:
    error = refused(lambda: welkin_client.users.update("bar", email=["a@b.c"]))

    assert error.argument == "email"


def test_nested_body_errors_name_the_path_to_the_field(welkin_client: welkin.Client) -> None:
    missing_id = refused(
        lambda: welkin_client.patients.create(care_team=[{"pointOfContact": True}])
    )
    bad_id = refused(lambda: welkin_client.patients.create(care_team=[{"id": "nope"}]))

    assert missing_id.argument == bad_id.argument == "care_team.0.id"


# -- missing values -------------------------------------------------------------------------


def test_a_missing_required_keyword_is_a_python_type_error(welkin_client: welkin.Client) -> None:
    with pytest.raises(TypeError, match="username"):
        welkin_client.users.create(email="x@y.z")


def test_a_required_body_field_given_as_none_is_refused(welkin_client: welkin.Client) -> None:
    error = refused(lambda: welkin_client.users.create(username=None))

    assert error.argument == "username"


def test_a_path_value_given_as_none_is_refused(welkin_client: welkin.Client) -> None:
    error = refused(lambda: welkin_client.patients.get(None))

    assert (error.argument, error.problem) == ("patient_id", "is required")


def test_an_empty_path_value_is_refused(welkin_client: welkin.Client) -> None:
    # Sent as is, it would turn "users/{username}" into the user list.
    error = refused(lambda: welkin_client.users.get_by_username(""))

    assert error.argument == "username"


# -- malformed values -----------------------------------------------------------------------


def test_a_malformed_uuid_is_refused(welkin_client: welkin.Client) -> None:
    error = refused(lambda: welkin_client.patients.get("not-a-uuid"))

    assert error.argument == "patient_id"
    assert "not-a-uuid" in error.problem


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.patients.update("not-a-uuid", first_name="x"),
        lambda c: c.patients.delete(PATIENT_ID[:-1]),
        lambda c: c.users.get("123"),
        lambda c: c.users.delete("not-a-uuid"),
    ],
    ids=["patients.update", "patients.delete", "users.get", "users.delete"],
)
def test_every_id_argument_is_checked(
    welkin_client: welkin.Client, call: Callable[[welkin.Client], object]
) -> None:
    assert refused(lambda: call(welkin_client)).argument in {"patient_id", "user_id"}


def test_an_unknown_user_state_is_refused(welkin_client: welkin.Client) -> None:
    error = refused(lambda: welkin_client.users.list(user_state="GONE"))

    assert error.argument == "user_state"
    assert "ACTIVE, INACTIVE, PROVISIONED" in error.problem


def test_user_state_is_checked_on_the_instance_list_too(welkin_client: welkin.Client) -> None:
    error = refused(lambda: welkin_client.users.list_for_instance(user_state="active"))

    assert error.argument == "user_state"


@pytest.mark.parametrize("sort", ["firstName desc", "firstName,up", ",desc", "first name,asc"])
def test_a_malformed_sort_is_refused(welkin_client: welkin.Client, sort: str) -> None:
    assert refused(lambda: welkin_client.patients.list(sort=sort)).argument == "sort"


# -- datetimes ------------------------------------------------------------------------------


def test_a_naive_datetime_in_a_body_is_refused(welkin_client: welkin.Client) -> None:
    created = refused(lambda: welkin_client.patients.create(birth_date=NAIVE))
    updated = refused(lambda: welkin_client.patients.update(PATIENT_ID, birth_date=NAIVE))

    assert created.argument == updated.argument == "birth_date"


def test_a_naive_datetime_in_a_filter_is_refused(welkin_client: welkin.Client) -> None:
    refused(lambda: welkin_client.patients.filter({"createdAt": NAIVE}))


def test_a_naive_datetime_in_extra_body_is_refused(welkin_client: welkin.Client) -> None:
    refused(lambda: welkin_client.patients.create(first_name="x", extra_body={"seenAt": NAIVE}))


def test_a_naive_datetime_in_extra_query_is_refused(welkin_client: welkin.Client) -> None:
    refused(lambda: welkin_client.patients.list(extra_query={"updatedSince": NAIVE}))


# -- free-form bodies -----------------------------------------------------------------------


def test_a_filter_that_is_not_a_mapping_is_refused_by_its_name(
    welkin_client: welkin.Client,
) -> None:
    error = refused(lambda: welkin_client.patients.filter(["lastName", "Bar"]))

    assert error.argument == "filter"


# -- async ----------------------------------------------------------------------------------


def test_async_list_refuses_bad_arguments_at_the_call_not_at_the_first_await(
    welkin_aclient: welkin.AsyncClient,
) -> None:
    error = refused(lambda: welkin_aclient.patients.list(page="2"))

    assert error.argument == "page"


async def test_async_calls_refuse_bad_arguments_before_sending(
    welkin_aclient: welkin.AsyncClient,
) -> None:
    with pytest.raises(welkin.InvalidArgumentError) as malformed:
        await welkin_aclient.patients.get("not-a-uuid")
    with pytest.raises(welkin.InvalidArgumentError) as wrong_type:
        await welkin_aclient.users.create(username="bar", first_name=5)

    assert malformed.value.argument == "patient_id"
    assert wrong_type.value.argument == "first_name"
