"""``client.users``: every typed method, against the fake, checking result and request."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from support import api_calls, is_utc_aware, last_call

import welkin
from welkin.testing import FakeWelkin
from welkin.types import User

ADMIN_USERS = "gh/admin/users"


@pytest.fixture
def bar(fake: FakeWelkin) -> dict[str, Any]:
    """A user already in the fake, as the fake stores it (camelCase)."""
    return fake.add_user(
        username="bar",
        email="bar@foo.com",
        firstName="Bar",
        lastName="Foo",
        credentials="MD",
        region="east-coast",
    )


# -- list -----------------------------------------------------------------------------------


def test_list_sends_filters_in_wire_form(client: welkin.Client, fake: FakeWelkin) -> None:
    fake.add_user(username="foo.active", userState="ACTIVE", seatAssigned=True)
    fake.add_user(username="foo.inactive", userState="INACTIVE", seatAssigned=True)
    fake.add_user(username="foo.seatless", userState="ACTIVE", seatAssigned=False)
    fake.add_user(username="other", userState="ACTIVE", seatAssigned=True)

    page = client.users.list(search="foo", seat_assigned=True, user_state="ACTIVE", page=0, size=5)

    call = last_call(fake)
    assert (call.method, call.path, call.json) == ("GET", ADMIN_USERS, None)
    assert call.query == {
        "search": "foo",
        "seatAssigned": "true",
        "userState": "ACTIVE",
        "page": "0",
        "size": "5",
    }
    assert [u.username for u in page.items] == ["foo.active"]
    assert isinstance(page.items[0], User)


def test_list_sends_false_in_lower_case_and_drops_none(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    fake.add_user(username="seated", seatAssigned=True)
    fake.add_user(username="seatless", seatAssigned=False)

    page = client.users.list(seat_assigned=False, search=None, user_state=None)

    assert last_call(fake).query == {"seatAssigned": "false"}
    assert [u.username for u in page.items] == ["seatless"]


def test_list_returns_typed_users_with_aware_timestamps(
    client: welkin.Client, bar: dict[str, Any]
) -> None:
    (user,) = client.users.list().items

    assert user.id == uuid.UUID(bar["id"])
    assert (user.username, user.first_name, user.credentials) == ("bar", "Bar", "MD")
    assert (user.user_state, user.seat_assigned) == ("ACTIVE", True)
    assert is_utc_aware(user.created_at)
    assert is_utc_aware(user.updated_at)


def test_list_with_extra_query(
    client: welkin.Client, fake: FakeWelkin, bar: dict[str, Any]
) -> None:
    client.users.list(extra_query={"sort": "username,asc", "dropped": None})

    assert last_call(fake).query == {"sort": "username,asc"}


def test_list_for_instance_filters_by_region(
    client: welkin.Client, fake: FakeWelkin, bar: dict[str, Any]
) -> None:
    fake.add_user(username="west", region="west-coast")

    page = client.users.list_for_instance(region="east-coast", seat_assigned=True)

    call = last_call(fake)
    assert (call.method, call.path) == ("GET", "gh/sb-demo/users")
    assert call.query == {"region": "east-coast", "seatAssigned": "true"}
    assert [u.username for u in page.items] == ["bar"]


def test_list_for_instance_without_region_lists_every_user(
    client: welkin.Client, fake: FakeWelkin, bar: dict[str, Any]
) -> None:
    fake.add_user(username="west", region="west-coast")

    page = client.users.list_for_instance()

    assert last_call(fake).query == {}
    assert [u.username for u in page.items] == ["bar", "west"]


# -- read -----------------------------------------------------------------------------------


def test_get_reads_by_id_with_type_id(
    client: welkin.Client, fake: FakeWelkin, bar: dict[str, Any]
) -> None:
    user = client.users.get(bar["id"])

    call = last_call(fake)
    assert (call.method, call.path, call.query) == (
        "GET",
        f"{ADMIN_USERS}/{bar['id']}",
        {"type": "ID"},
    )
    assert isinstance(user, User)
    assert (user.username, user.email) == ("bar", "bar@foo.com")
    assert is_utc_aware(user.created_at)


def test_get_accepts_a_uuid_and_extra_query(
    client: welkin.Client, fake: FakeWelkin, bar: dict[str, Any]
) -> None:
    user = client.users.get(uuid.UUID(bar["id"]), extra_query={"withRoles": True})

    assert last_call(fake).query == {"type": "ID", "withRoles": "true"}
    assert user.id == uuid.UUID(bar["id"])


def test_get_by_username_sends_no_type(
    client: welkin.Client, fake: FakeWelkin, bar: dict[str, Any]
) -> None:
    user = client.users.get_by_username("bar")

    call = last_call(fake)
    assert (call.method, call.path, call.query) == ("GET", f"{ADMIN_USERS}/bar", {})
    assert user.id == uuid.UUID(bar["id"])


def test_get_by_unknown_username_raises_not_found(client: welkin.Client) -> None:
    with pytest.raises(welkin.NotFoundError):
        client.users.get_by_username("nobody")


# -- create, update, replace ----------------------------------------------------------------


def test_create_sends_camel_case_body(client: welkin.Client, fake: FakeWelkin) -> None:
    user = client.users.create(
        username="bar", email="bar@foo.com", first_name="Bar", last_name="Foo", credentials="MD"
    )

    call = last_call(fake)
    assert (call.method, call.path, call.query) == ("POST", ADMIN_USERS, {})
    assert call.json == {
        "username": "bar",
        "email": "bar@foo.com",
        "firstName": "Bar",
        "lastName": "Foo",
        "credentials": "MD",
    }
    assert isinstance(user, User)
    assert (user.username, user.first_name, user.user_state) == ("bar", "Bar", "ACTIVE")
    assert is_utc_aware(user.created_at)
    assert fake.users[str(user.id)]["email"] == "bar@foo.com"


def test_create_with_extra_query_and_extra_body(client: welkin.Client, fake: FakeWelkin) -> None:
    user = client.users.create(
        username="bar",
        extra_query={"sendInvite": False},
        extra_body={"roles": ["admin"]},
    )

    call = last_call(fake)
    assert call.query == {"sendInvite": "false"}
    assert call.json == {"username": "bar", "roles": ["admin"]}
    assert user.model_extra == {"roles": ["admin"]}


def test_create_of_a_taken_username_raises_conflict(
    client: welkin.Client, bar: dict[str, Any]
) -> None:
    with pytest.raises(welkin.ConflictError) as caught:
        client.users.create(username="bar")

    assert caught.value.error_codes == ["ALREADY_EXISTS"]


def test_update_is_addressed_by_username_and_sends_only_given_fields(
    client: welkin.Client, fake: FakeWelkin, bar: dict[str, Any]
) -> None:
    user = client.users.update("bar", first_name="Baz", phone="+15555550100")

    call = last_call(fake)
    assert (call.method, call.path, call.query) == ("PATCH", f"{ADMIN_USERS}/bar", {})
    assert call.json == {"firstName": "Baz", "phone": "+15555550100"}
    assert (user.first_name, user.last_name, user.credentials) == ("Baz", "Foo", "MD")
    assert fake.users[bar["id"]]["firstName"] == "Baz"


def test_update_with_explicit_none_sends_null(
    client: welkin.Client, fake: FakeWelkin, bar: dict[str, Any]
) -> None:
    user = client.users.update("bar", credentials=None)

    assert last_call(fake).json == {"credentials": None}
    assert user.credentials is None
    assert user.email == "bar@foo.com"


def test_update_with_extra_query_and_extra_body(
    client: welkin.Client, fake: FakeWelkin, bar: dict[str, Any]
) -> None:
    client.users.update(
        "bar", email="new@foo.com", extra_query={"audit": True}, extra_body={"title": "Dr"}
    )

    call = last_call(fake)
    assert call.query == {"audit": "true"}
    assert call.json == {"email": "new@foo.com", "title": "Dr"}


def test_replace_puts_every_field_with_the_username_in_the_body(
    client: welkin.Client, fake: FakeWelkin, bar: dict[str, Any]
) -> None:
    user = client.users.replace("bar", email="bar@new.org", first_name="Barry")

    call = last_call(fake)
    assert (call.method, call.path, call.query) == ("PUT", f"{ADMIN_USERS}/bar", {})
    assert call.json == {"username": "bar", "email": "bar@new.org", "firstName": "Barry"}
    assert (user.username, user.email, user.first_name) == ("bar", "bar@new.org", "Barry")
    # A replacement drops what it does not send.
    assert (user.last_name, user.credentials) == (None, None)
    assert user.id == uuid.UUID(bar["id"])


def test_replace_with_extra_body(
    client: welkin.Client, fake: FakeWelkin, bar: dict[str, Any]
) -> None:
    client.users.replace("bar", timezone=None, extra_body={"title": "Dr"})

    assert last_call(fake).json == {"username": "bar", "timezone": None, "title": "Dr"}


# -- delete ---------------------------------------------------------------------------------


def test_delete_by_id_sends_type_id_and_returns_none(
    client: welkin.Client, fake: FakeWelkin, bar: dict[str, Any]
) -> None:
    result = client.users.delete(bar["id"])

    assert result is None
    call = last_call(fake)
    assert (call.method, call.path, call.query, call.json) == (
        "DELETE",
        f"{ADMIN_USERS}/{bar['id']}",
        {"type": "ID"},
        None,
    )
    assert fake.users == {}


def test_delete_by_username_returns_none(
    client: welkin.Client, fake: FakeWelkin, bar: dict[str, Any]
) -> None:
    result = client.users.delete_by_username("bar", extra_query={"hard": True})

    assert result is None
    call = last_call(fake)
    assert (call.method, call.path, call.query) == (
        "DELETE",
        f"{ADMIN_USERS}/bar",
        {"hard": "true"},
    )
    assert fake.users == {}


# -- async ----------------------------------------------------------------------------------


async def test_async_list_and_list_for_instance(
    aclient: welkin.AsyncClient, fake: FakeWelkin, bar: dict[str, Any]
) -> None:
    fake.add_user(username="west", region="west-coast", userState="INACTIVE")

    page = await aclient.users.list(user_state="INACTIVE")
    east = [u.username async for u in aclient.users.list_for_instance(region="east-coast")]

    assert isinstance(page, welkin.AsyncPage)
    assert [u.username for u in page.items] == ["west"]
    assert east == ["bar"]
    first, second = api_calls(fake)
    assert (first.path, first.query) == (ADMIN_USERS, {"userState": "INACTIVE"})
    assert (second.path, second.query) == ("gh/sb-demo/users", {"region": "east-coast"})


async def test_async_get_and_get_by_username(
    aclient: welkin.AsyncClient, fake: FakeWelkin, bar: dict[str, Any]
) -> None:
    by_id = await aclient.users.get(bar["id"])
    by_name = await aclient.users.get_by_username("bar")

    assert by_id.id == by_name.id == uuid.UUID(bar["id"])
    assert [c.query for c in api_calls(fake)] == [{"type": "ID"}, {}]


async def test_async_create(aclient: welkin.AsyncClient, fake: FakeWelkin) -> None:
    user = await aclient.users.create(username="bar", first_name="Bar")

    assert last_call(fake).json == {"username": "bar", "firstName": "Bar"}
    assert isinstance(user, User)
    assert is_utc_aware(user.created_at)


async def test_async_update_and_replace(
    aclient: welkin.AsyncClient, fake: FakeWelkin, bar: dict[str, Any]
) -> None:
    updated = await aclient.users.update("bar", first_name="Baz")
    replaced = await aclient.users.replace("bar", first_name="Qux")

    assert (updated.first_name, updated.last_name) == ("Baz", "Foo")
    assert (replaced.first_name, replaced.last_name) == ("Qux", None)
    patch, put = api_calls(fake)
    assert (patch.method, patch.json) == ("PATCH", {"firstName": "Baz"})
    assert (put.method, put.json) == ("PUT", {"username": "bar", "firstName": "Qux"})


async def test_async_delete_and_delete_by_username(
    aclient: welkin.AsyncClient, fake: FakeWelkin, bar: dict[str, Any]
) -> None:
    other = fake.add_user(username="other")

    assert await aclient.users.delete(bar["id"]) is None
    assert await aclient.users.delete_by_username("other") is None

    assert fake.users == {}
    assert [(c.method, c.path) for c in api_calls(fake)] == [
        ("DELETE", f"{ADMIN_USERS}/{bar['id']}"),
        ("DELETE", f"{ADMIN_USERS}/{other['username']}"),
    ]


# -- newer facts (NEWER.md, QX): both filter sets, read by email, create fields ------------


def test_list_accepts_both_filter_sets(client: welkin.Client, fake: FakeWelkin) -> None:
    ids: list[uuid.UUID | str] = [
        uuid.UUID("0f8fad5b-d9cb-469f-a165-70867728950e"),
        "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    ]

    client.users.list(
        email="bar@foo.com",
        ids=ids,
        first_name="Bar",
        last_name="Foo",
        region="east-coast",
        territories=["NY", "NJ"],
        role_name="nurse",
        include_deleted=False,
        sort=("lastName", "asc"),
        search="ba",
        seat_assigned=True,
        user_state="ACTIVE",
        page=1,
        size=10,
    )

    call = last_call(fake)
    assert (call.method, call.path) == ("GET", ADMIN_USERS)
    assert call.query == {
        "search": "ba",
        "seatAssigned": "true",
        "userState": "ACTIVE",
        "email": "bar@foo.com",
        "ids": "0f8fad5b-d9cb-469f-a165-70867728950e,7c9e6679-7425-40de-944b-e07fc1f90ae7",
        "firstName": "Bar",
        "lastName": "Foo",
        "region": "east-coast",
        "territories": "NY,NJ",
        "roleName": "nurse",
        "includeDeleted": "false",
        "sort": "lastName,asc",
        "page": "1",
        "size": "10",
    }


def test_list_for_instance_takes_the_newer_filters_too(
    client: welkin.Client, fake: FakeWelkin, bar: dict[str, Any]
) -> None:
    page = client.users.list_for_instance(region="east-coast", role_name="nurse")

    assert last_call(fake).query == {"region": "east-coast", "roleName": "nurse"}
    assert [u.username for u in page.items] == ["bar"]


def test_new_list_filters_are_refused_before_sending(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    sent = len(fake.requests)

    with pytest.raises(welkin.InvalidArgumentError, match=r"^ids"):
        client.users.list(ids=["not-a-uuid"])
    with pytest.raises(welkin.InvalidArgumentError, match=r"^territories"):
        client.users.list(territories="NY")  # a str is a sequence, but not a list
    with pytest.raises(welkin.InvalidArgumentError, match=r"^include_deleted"):
        client.users.list(include_deleted="yes")  # type: ignore[arg-type]

    assert len(fake.requests) == sent


def test_get_by_email_sends_type_email(
    client: welkin.Client, fake: FakeWelkin, bar: dict[str, Any]
) -> None:
    user = client.users.get_by_email("bar@foo.com")

    call = last_call(fake)
    assert (call.method, call.path, call.query) == (
        "GET",
        f"{ADMIN_USERS}/bar@foo.com",
        {"type": "EMAIL"},
    )
    assert user.id == uuid.UUID(bar["id"])
    with pytest.raises(welkin.NotFoundError):
        client.users.get_by_email("nobody@foo.com")


def test_create_sends_the_access_settings_and_custom_attributes(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    access = {"adminAccessEnabled": False, "instanceAccesses": [{"instanceName": "sb-demo"}]}

    user = client.users.create(
        username="nina",
        mfa_enabled=True,
        sso_access=False,
        password_access=True,
        custom_user_attributes={"badge": "A-12"},
        application_access=access,
    )

    assert last_call(fake).json == {
        "username": "nina",
        "mfaEnabled": True,
        "ssoAccess": False,
        "passwordAccess": True,
        "customUserAttributes": {"badge": "A-12"},
        "applicationAccess": access,
    }
    assert user.model_extra is not None and user.model_extra["mfaEnabled"] is True


def test_replace_does_not_take_the_create_only_fields(client: welkin.Client) -> None:
    with pytest.raises(TypeError, match="mfa_enabled"):
        client.users.replace("bar", mfa_enabled=True)  # type: ignore[call-arg]


def test_update_sends_locale_and_custom_attributes(
    client: welkin.Client, fake: FakeWelkin, bar: dict[str, Any]
) -> None:
    client.users.update("bar", locale="es-MX", custom_user_attributes={"badge": None})

    call = last_call(fake)
    assert (call.method, call.path) == ("PATCH", f"{ADMIN_USERS}/bar")
    assert call.json == {"locale": "es-MX", "customUserAttributes": {"badge": None}}


async def test_async_get_by_email_and_filtered_list(
    aclient: welkin.AsyncClient, fake: FakeWelkin, bar: dict[str, Any]
) -> None:
    user = await aclient.users.get_by_email("bar@foo.com")
    page = await aclient.users.list(email="bar@foo.com", include_deleted=True)

    assert user.username == "bar"
    assert last_call(fake).query == {"email": "bar@foo.com", "includeDeleted": "true"}
    assert [u.username for u in page.items] == ["bar"]
