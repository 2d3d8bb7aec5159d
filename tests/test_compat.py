"""The old ``welkin`` package's usage, unchanged, on top of the typed SDK (against the fake)."""

from __future__ import annotations

import types
from collections.abc import Iterator

import httpx
import pytest

from welkin import Client, InvalidArgumentError, WelkinError
from welkin import types as models
from welkin.compat import classes
from welkin.testing import FakeWelkin, RecordedRequest

ADMIN_USERS = "gh/admin/users"
INSTANCE_USERS = "gh/sb-demo/users"


@pytest.fixture
def welkin_fake() -> FakeWelkin:
    fake = FakeWelkin()
    fake.add_user(
        username="foo.fighter",
        firstName="Foo",
        region="east-coast",
        userState="ACTIVE",
        seatAssigned=True,
    )
    fake.add_user(username="foo.west", region="west-coast", userState="ACTIVE", seatAssigned=True)
    fake.add_user(username="foo.idle", region="east-coast", userState="INACTIVE", seatAssigned=True)
    fake.add_user(username="plain", region="east-coast", userState="ACTIVE", seatAssigned=True)
    return fake


@pytest.fixture
def welkin(welkin_fake: FakeWelkin) -> Iterator[Client]:
    """The old package's entry point, built the old way (plus the fake's URL and transport)."""
    with httpx.Client(transport=welkin_fake.transport) as http:
        yield Client(
            tenant="gh",
            instance="sb-demo",
            api_client="VBOPNRYRWJIP",
            secret_key="+}B{KGTG6#zG%P;tQm0C",
            base_url=welkin_fake.base_url,
            http_client=http,
        )


def api_calls(fake: FakeWelkin) -> list[RecordedRequest]:
    return [r for r in fake.requests if "/api_clients/" not in r.path]


def last_call(fake: FakeWelkin) -> RecordedRequest:
    return api_calls(fake)[-1]


def test_the_old_patient_workflow_runs_unchanged(welkin: Client, welkin_fake: FakeWelkin) -> None:
    patient = welkin.Patient(firstName="Foo", lastName="Bar").create()
    assert isinstance(patient, models.Patient)
    assert (patient.first_name, patient.last_name) == ("Foo", "Bar")
    assert patient.created_at is not None and patient.created_at.tzinfo is not None
    assert (last_call(welkin_fake).method, last_call(welkin_fake).path) == (
        "POST",
        "gh/sb-demo/patients",
    )
    assert last_call(welkin_fake).json == {"firstName": "Foo", "lastName": "Bar"}
    assert welkin_fake.patients[str(patient.id)]["firstName"] == "Foo"

    patient = welkin.Patient(id=patient.id).get()
    assert isinstance(patient, models.Patient)
    assert patient.first_name == "Foo"
    assert last_call(welkin_fake).path == f"gh/sb-demo/patients/{patient.id}"

    patients = welkin.Patients().get()
    assert isinstance(patients, list)
    assert [p.id for p in patients] == [patient.id]
    assert all(isinstance(p, models.Patient) for p in patients)
    assert (last_call(welkin_fake).method, last_call(welkin_fake).path) == (
        "POST",
        "gh/sb-demo/by-filter/patients",
    )

    patient.update(firstName="Baz")
    assert patient.first_name == "Baz"
    assert patient.last_name == "Bar"
    assert (last_call(welkin_fake).method, last_call(welkin_fake).json) == (
        "PATCH",
        {"firstName": "Baz"},
    )
    assert welkin_fake.patients[str(patient.id)]["firstName"] == "Baz"

    patient.delete()
    assert last_call(welkin_fake).method == "DELETE"
    assert welkin_fake.patients == {}


def test_the_old_user_workflow_runs_unchanged(welkin: Client, welkin_fake: FakeWelkin) -> None:
    user = welkin.User(username="bar", email="bar@foo.com").create()
    assert isinstance(user, models.User)
    assert (user.username, user.email, user.user_state) == ("bar", "bar@foo.com", "ACTIVE")
    assert (last_call(welkin_fake).method, last_call(welkin_fake).path) == ("POST", ADMIN_USERS)
    assert last_call(welkin_fake).json == {"username": "bar", "email": "bar@foo.com"}
    assert str(user.id) in welkin_fake.users

    user = welkin.User(id=user.id).get()
    assert isinstance(user, models.User)
    assert user.username == "bar"
    assert (last_call(welkin_fake).path, last_call(welkin_fake).query) == (
        f"{ADMIN_USERS}/{user.id}",
        {"type": "ID"},
    )

    users = welkin.Users().get()
    assert isinstance(users, list)
    assert len(users) == 5
    assert all(isinstance(u, models.User) for u in users)
    assert (last_call(welkin_fake).path, last_call(welkin_fake).query) == (ADMIN_USERS, {})

    users = welkin.Users().get(search="foo", region="east-coast", seat_assigned=True, user_state="ACTIVE")  # noqa: E501  # fmt: skip
    assert [u.username for u in users] == ["foo.fighter"]
    assert last_call(welkin_fake).path == INSTANCE_USERS
    assert last_call(welkin_fake).query == {
        "search": "foo",
        "region": "east-coast",
        "seatAssigned": "true",
        "userState": "ACTIVE",
    }

    user.update(firstName="Baz")
    assert user.first_name == "Baz"
    assert user.email == "bar@foo.com"
    assert (last_call(welkin_fake).method, last_call(welkin_fake).path) == (
        "PATCH",
        f"{ADMIN_USERS}/bar",
    )
    assert last_call(welkin_fake).json == {"firstName": "Baz"}
    assert welkin_fake.users[str(user.id)]["firstName"] == "Baz"

    user.delete()
    assert (last_call(welkin_fake).method, last_call(welkin_fake).query) == (
        "DELETE",
        {"type": "ID"},
    )
    assert str(user.id) not in welkin_fake.users

    # Only the region search went to the instance; every other user call to gh/admin/users.
    paths = [call.path for call in api_calls(welkin_fake)]
    assert [p for p in paths if not p.startswith(ADMIN_USERS)] == [INSTANCE_USERS]


def test_only_the_region_call_goes_to_the_instance_users(
    welkin: Client, welkin_fake: FakeWelkin
) -> None:
    welkin.Users().get(search="foo")
    welkin.Users().get(region="east-coast")

    assert [c.path for c in api_calls(welkin_fake)] == [ADMIN_USERS, INSTANCE_USERS]


def test_region_none_lists_the_users_of_every_region(
    welkin: Client, welkin_fake: FakeWelkin
) -> None:
    # None means "not given" everywhere else (query parameters set to None are dropped), so
    # code that forwards an optional region must keep working when it has none.
    users = welkin.Users().get(region=None, user_state="ACTIVE")

    assert sorted(u.username or "" for u in users) == ["foo.fighter", "foo.west", "plain"]
    assert (last_call(welkin_fake).path, last_call(welkin_fake).query) == (
        ADMIN_USERS,
        {"userState": "ACTIVE"},
    )


def test_snake_case_fields_work_too(welkin: Client, welkin_fake: FakeWelkin) -> None:
    patient = welkin.Patient(first_name="Foo").create()
    patient.update(last_name="Bar")

    assert [c.json for c in api_calls(welkin_fake)] == [{"firstName": "Foo"}, {"lastName": "Bar"}]
    assert (patient.first_name, patient.last_name) == ("Foo", "Bar")


def test_paginate_true_is_a_lazy_generator_over_every_patient(
    welkin: Client, welkin_fake: FakeWelkin
) -> None:
    welkin_fake.seed(patients=45)

    patients = welkin.Patients().get(paginate=True)
    assert isinstance(patients, types.GeneratorType)

    first_three = [next(patients) for _ in range(3)]
    assert [str(p.id) for p in first_three] == list(welkin_fake.patients)[:3]
    assert len(api_calls(welkin_fake)) == 1

    rest = list(patients)
    assert [str(p.id) for p in first_three + rest] == list(welkin_fake.patients)
    assert all(isinstance(p, classes.Patient) for p in rest)
    assert len(api_calls(welkin_fake)) == 3  # 45 patients in pages of 20


def test_paginate_false_is_only_the_first_page(welkin: Client, welkin_fake: FakeWelkin) -> None:
    welkin_fake.seed(patients=45)

    patients = welkin.Patients().get()

    assert [str(p.id) for p in patients] == list(welkin_fake.patients)[:20]
    assert len(api_calls(welkin_fake)) == 1


def test_listed_objects_are_bound_to_the_client(welkin: Client, welkin_fake: FakeWelkin) -> None:
    stored = welkin_fake.add_patient(firstName="Foo")

    (patient,) = welkin.Patients().get()
    patient.update(firstName="Baz")

    assert welkin_fake.patients[stored["id"]]["firstName"] == "Baz"


def test_an_unbound_object_cannot_call_the_api(welkin_fake: FakeWelkin) -> None:
    with pytest.raises(WelkinError, match="not bound to a client"):
        classes.Patient(first_name="x").create()

    assert welkin_fake.requests == []


def test_an_unknown_keyword_is_refused_by_name(welkin: Client, welkin_fake: FakeWelkin) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        welkin.Users().get(bogus=1)

    assert caught.value.argument == "bogus"
    assert "bogus" in str(caught.value)
    assert welkin_fake.requests == []


def test_get_without_an_id_is_refused_before_sending(
    welkin: Client, welkin_fake: FakeWelkin
) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        welkin.Patient(firstName="Foo").get()

    assert caught.value.argument == "id"
    assert welkin_fake.requests == []


def test_a_patient_is_looked_up_by_mrn_when_it_has_no_id(
    welkin: Client, welkin_fake: FakeWelkin
) -> None:
    stored = welkin_fake.add_patient(firstName="Ada", mrn="MRN-7")

    patient = welkin.Patient(mrn="MRN-7")
    assert patient.get() is patient

    assert str(patient.id) == stored["id"]
    assert patient.first_name == "Ada"
    assert welkin_fake.requests[-1].query == {"type": "MRN"}
    assert welkin_fake.requests[-1].path == "gh/sb-demo/patients/MRN-7"


def test_create_and_delete_refresh_and_return_the_same_object(
    welkin: Client, welkin_fake: FakeWelkin
) -> None:
    patient = welkin.Patient(firstName="Foo")
    assert patient.create() is patient
    assert patient.id is not None
    assert str(patient.id) in welkin_fake.patients
    assert patient.delete() is patient
    assert welkin_fake.patients == {}


def test_patients_get_takes_the_old_positional_filter_and_page_size(
    welkin: Client, welkin_fake: FakeWelkin
) -> None:
    welkin_fake.add_patient(firstName="Ada", lastName="Bar")
    welkin_fake.add_patient(firstName="Bob", lastName="Other")

    found = welkin.Patients().get({"lastName": "Bar"}, size=5)

    assert [p.first_name for p in found] == ["Ada"]
    sent = welkin_fake.requests[-1]
    assert (sent.method, sent.path) == ("POST", "gh/sb-demo/by-filter/patients")
    assert sent.json == {"lastName": "Bar"}
    assert sent.query == {"size": "5"}
