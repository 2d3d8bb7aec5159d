"""``client.patients``: every typed method, against the fake, checking result and request."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from support import api_calls, is_utc_aware, last_call

import welkin
from welkin.testing import FakeWelkin
from welkin.types import CareTeamAssignment, Patient, PatientTerritory

PATIENTS = "gh/sb-demo/patients"


@pytest.fixture
def stored(fake: FakeWelkin) -> dict[str, Any]:
    """One patient already in the fake, as the fake stores it (camelCase)."""
    return fake.add_patient(
        firstName="Ada",
        lastName="Lovelace",
        externalId="EXT-00001",
        externalGuid="6b8e1d7c-1111-4222-8333-944455556666",
        mrn="MRN-42",
        birthDate="1815-12-10T00:00:00.000Z",
        timezone="Europe/London",
    )


# -- create ---------------------------------------------------------------------------------


def test_create_sends_camel_case_body_and_returns_a_typed_patient(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    patient = client.patients.create(
        first_name="Foo",
        last_name="Bar",
        birth_date=date(2000, 1, 2),
        address_line1="1 Main St",
        phone="+15555550100",
    )

    call = last_call(fake)
    assert (call.method, call.path, call.query) == ("POST", PATIENTS, {})
    assert call.json == {
        "firstName": "Foo",
        "lastName": "Bar",
        "birthDate": "2000-01-02T00:00:00.000Z",
        "addressLine1": "1 Main St",
        "phone": "+15555550100",
    }
    assert call.headers["authorization"].startswith("Bearer ")
    assert isinstance(patient, Patient)
    assert (patient.first_name, patient.last_name) == ("Foo", "Bar")
    assert patient.birth_date == datetime(2000, 1, 2, tzinfo=timezone.utc)
    assert is_utc_aware(patient.created_at)
    assert isinstance(patient.id, uuid.UUID)
    assert fake.patients[str(patient.id)]["firstName"] == "Foo"


def test_create_converts_an_aware_birth_datetime_to_utc(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    moscow = timezone(timedelta(hours=3))
    client.patients.create(birth_date=datetime(2000, 1, 2, 3, 0, tzinfo=moscow))

    assert last_call(fake).json == {"birthDate": "2000-01-02T00:00:00.000Z"}


def test_create_sends_territories_and_care_team_as_models_or_mappings(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    doctor, nurse = uuid.uuid4(), uuid.uuid4()
    patient = client.patients.create(
        first_name="Foo",
        patient_territories=[PatientTerritory(name="east", territories=["NY", "MA"])],
        care_team=[
            CareTeamAssignment(id=doctor, point_of_contact=True),
            {"id": str(nurse), "pointOfContact": False},
        ],
    )

    assert last_call(fake).json == {
        "firstName": "Foo",
        "patientTerritories": [{"name": "east", "territories": ["NY", "MA"]}],
        "careTeam": [
            {"id": str(doctor), "pointOfContact": True},
            {"id": str(nurse), "pointOfContact": False},
        ],
    }
    assert patient.patient_territories is not None
    assert patient.patient_territories[0].territories == ["NY", "MA"]
    assert patient.care_team is not None
    assert [m.id for m in patient.care_team] == [doctor, nurse]
    assert patient.care_team[0].point_of_contact is True


def test_create_with_extra_query_and_extra_body(client: welkin.Client, fake: FakeWelkin) -> None:
    patient = client.patients.create(
        first_name="Foo",
        extra_query={"notify": True, "tags": ["a", "b"], "skipped": None},
        extra_body={"preferredLanguage": "fr", "enrolledOn": date(2024, 3, 1)},
    )

    call = last_call(fake)
    assert call.query == {"notify": "true", "tags": "a,b"}
    assert call.json == {
        "firstName": "Foo",
        "preferredLanguage": "fr",
        "enrolledOn": "2024-03-01T00:00:00.000Z",
    }
    # A field the spec does not know yet is kept on the typed result.
    assert patient.model_extra == {
        "preferredLanguage": "fr",
        "enrolledOn": "2024-03-01T00:00:00.000Z",
    }


def test_create_without_fields_sends_an_empty_object(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    client.patients.create()

    assert last_call(fake).json == {}


# -- read -----------------------------------------------------------------------------------


def test_get_reads_one_patient_by_id(
    client: welkin.Client, fake: FakeWelkin, stored: dict[str, Any]
) -> None:
    patient = client.patients.get(stored["id"])

    call = last_call(fake)
    assert (call.method, call.path, call.query, call.json) == (
        "GET",
        f"{PATIENTS}/{stored['id']}",
        {"type": "ID"},  # the default lookup, said outright (QX)
        None,
    )
    assert patient.id == uuid.UUID(stored["id"])
    assert (patient.first_name, patient.timezone) == ("Ada", "Europe/London")
    assert patient.birth_date == datetime(1815, 12, 10, tzinfo=timezone.utc)
    assert is_utc_aware(patient.created_at)


def test_get_accepts_a_uuid_object_and_sends_it_in_canonical_form(
    client: welkin.Client, fake: FakeWelkin, stored: dict[str, Any]
) -> None:
    client.patients.get(uuid.UUID(stored["id"]))
    client.patients.get(stored["id"].upper())

    paths = [call.path for call in api_calls(fake)]
    assert paths == [f"{PATIENTS}/{stored['id']}"] * 2


def test_get_with_extra_query(
    client: welkin.Client, fake: FakeWelkin, stored: dict[str, Any]
) -> None:
    client.patients.get(stored["id"], extra_query={"view": "full"})

    assert last_call(fake).query == {"view": "full", "type": "ID"}


def test_get_of_an_unknown_patient_raises_not_found(client: welkin.Client) -> None:
    with pytest.raises(welkin.NotFoundError) as caught:
        client.patients.get(uuid.uuid4())

    assert caught.value.status_code == 404
    assert caught.value.error_codes == ["NOT_FOUND"]


def test_get_by_external_id_sends_type_eid(
    client: welkin.Client, fake: FakeWelkin, stored: dict[str, Any]
) -> None:
    patient = client.patients.get_by_external_id("EXT-00001")

    call = last_call(fake)
    assert (call.method, call.path, call.query) == ("GET", f"{PATIENTS}/EXT-00001", {"type": "EID"})
    assert patient.id == uuid.UUID(stored["id"])
    assert patient.external_id == "EXT-00001"


def test_get_by_external_guid_sends_type_eguid(
    client: welkin.Client, fake: FakeWelkin, stored: dict[str, Any]
) -> None:
    guid = stored["externalGuid"]
    patient = client.patients.get_by_external_guid(guid)

    call = last_call(fake)
    assert (call.method, call.path, call.query) == ("GET", f"{PATIENTS}/{guid}", {"type": "EGUID"})
    assert patient.external_guid == guid


def test_get_by_mrn_sends_type_mrn(
    client: welkin.Client, fake: FakeWelkin, stored: dict[str, Any]
) -> None:
    patient = client.patients.get_by_mrn("MRN-42", extra_query={"audit": False})

    call = last_call(fake)
    assert (call.method, call.path) == ("GET", f"{PATIENTS}/MRN-42")
    assert call.query == {"type": "MRN", "audit": "false"}
    assert patient.mrn == "MRN-42"
    assert patient.first_name == "Ada"


# -- update ---------------------------------------------------------------------------------


def test_update_sends_only_the_given_fields(
    client: welkin.Client, fake: FakeWelkin, stored: dict[str, Any]
) -> None:
    patient = client.patients.update(stored["id"], first_name="Baz")

    call = last_call(fake)
    assert (call.method, call.path, call.query) == ("PATCH", f"{PATIENTS}/{stored['id']}", {})
    assert call.json == {"firstName": "Baz"}
    assert (patient.first_name, patient.last_name) == ("Baz", "Lovelace")
    assert is_utc_aware(patient.updated_at)
    assert fake.patients[stored["id"]]["firstName"] == "Baz"


def test_update_with_explicit_none_sends_null(
    client: welkin.Client, fake: FakeWelkin, stored: dict[str, Any]
) -> None:
    patient = client.patients.update(stored["id"], timezone=None, mrn=None)

    assert last_call(fake).json == {"timezone": None, "mrn": None}
    assert patient.timezone is None
    assert fake.patients[stored["id"]]["timezone"] is None
    assert fake.patients[stored["id"]]["lastName"] == "Lovelace"


def test_update_sends_dates_as_midnight_utc(
    client: welkin.Client, fake: FakeWelkin, stored: dict[str, Any]
) -> None:
    patient = client.patients.update(stored["id"], birth_date=date(1816, 1, 1))

    assert last_call(fake).json == {"birthDate": "1816-01-01T00:00:00.000Z"}
    assert patient.birth_date == datetime(1816, 1, 1, tzinfo=timezone.utc)


def test_update_with_extra_query_and_extra_body(
    client: welkin.Client, fake: FakeWelkin, stored: dict[str, Any]
) -> None:
    client.patients.update(
        stored["id"],
        last_name="Byron",
        extra_query={"reason": "marriage"},
        extra_body={"maidenName": "Byron"},
    )

    call = last_call(fake)
    assert call.query == {"reason": "marriage"}
    assert call.json == {"lastName": "Byron", "maidenName": "Byron"}


# -- delete ---------------------------------------------------------------------------------


def test_delete_returns_none_and_removes_the_patient(
    client: welkin.Client, fake: FakeWelkin, stored: dict[str, Any]
) -> None:
    result = client.patients.delete(stored["id"])

    assert result is None
    call = last_call(fake)
    assert (call.method, call.path, call.query, call.json) == (
        "DELETE",
        f"{PATIENTS}/{stored['id']}",
        {},
        None,
    )
    assert stored["id"] not in fake.patients


# -- list and filter ------------------------------------------------------------------------


def test_list_sends_search_sort_and_size_and_drops_none(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    for first in ("Ann", "Cleo", "Bea"):
        fake.add_patient(firstName=first, lastName="Foo")
    fake.add_patient(firstName="Zed", lastName="Other")

    page = client.patients.list(query="foo", sort="firstName,desc", size=5, email=None)

    call = last_call(fake)
    assert (call.method, call.path) == ("GET", PATIENTS)
    assert call.query == {"query": "foo", "sort": "firstName,desc", "size": "5"}
    assert [p.first_name for p in page.items] == ["Cleo", "Bea", "Ann"]
    assert all(isinstance(p, Patient) for p in page.items)


def test_list_without_arguments_sends_no_query(
    client: welkin.Client, fake: FakeWelkin, stored: dict[str, Any]
) -> None:
    page = client.patients.list()

    assert last_call(fake).query == {}
    assert [p.id for p in page.items] == [uuid.UUID(stored["id"])]


def test_list_sends_an_empty_string_filter(
    client: welkin.Client, fake: FakeWelkin, stored: dict[str, Any]
) -> None:
    no_zone = fake.add_patient(firstName="Nomad", timezone=None)

    page = client.patients.list(timezone="", territories="", cadence="")

    assert last_call(fake).query == {"timezone": "", "territories": "", "cadence": ""}
    assert [str(p.id) for p in page.items] == [no_zone["id"]]


def test_list_with_email_page_and_extra_query(client: welkin.Client, fake: FakeWelkin) -> None:
    fake.add_patient(firstName="Foo", email="foo@example.com")

    page = client.patients.list(
        email="foo@example.com", page=0, extra_query={"includeArchived": True}
    )

    assert last_call(fake).query == {
        "email": "foo@example.com",
        "page": "0",
        "includeArchived": "true",
    }
    assert [p.email for p in page.items] == ["foo@example.com"]


def test_filter_posts_the_filter_object(client: welkin.Client, fake: FakeWelkin) -> None:
    fake.add_patient(firstName="Foo", lastName="Bar")
    fake.add_patient(firstName="Baz", lastName="Bar")
    fake.add_patient(firstName="Foo", lastName="Qux")

    page = client.patients.filter({"lastName": "Bar"}, size=10)

    call = last_call(fake)
    assert (call.method, call.path) == ("POST", "gh/sb-demo/by-filter/patients")
    assert call.query == {"size": "10"}
    assert call.json == {"lastName": "Bar"}
    assert sorted(p.first_name or "" for p in page.items) == ["Baz", "Foo"]


def test_filter_without_a_filter_sends_an_empty_object(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    fake.seed(patients=3)

    page = client.patients.filter()

    call = last_call(fake)
    assert (call.json, call.query) == ({}, {})
    assert len(page.items) == 3


def test_filter_sends_dates_in_wire_form_and_merges_extra_body(
    client: welkin.Client, fake: FakeWelkin, stored: dict[str, Any]
) -> None:
    page = client.patients.filter(
        {"birthDate": date(1815, 12, 10)},
        extra_body={"lastName": "Lovelace"},
        extra_query={"page": 0},
    )

    call = last_call(fake)
    assert call.json == {"birthDate": "1815-12-10T00:00:00.000Z", "lastName": "Lovelace"}
    assert call.query == {"page": "0"}
    assert [str(p.id) for p in page.items] == [stored["id"]]


# -- async ----------------------------------------------------------------------------------


async def test_async_create(aclient: welkin.AsyncClient, fake: FakeWelkin) -> None:
    patient = await aclient.patients.create(
        first_name="Foo", birth_date=date(2000, 1, 2), extra_body={"note": "vip"}
    )

    call = last_call(fake)
    assert (call.method, call.path) == ("POST", PATIENTS)
    assert call.json == {"firstName": "Foo", "birthDate": "2000-01-02T00:00:00.000Z", "note": "vip"}
    assert isinstance(patient, Patient)
    assert patient.first_name == "Foo"
    assert is_utc_aware(patient.created_at)


async def test_async_get_and_lookups(
    aclient: welkin.AsyncClient, fake: FakeWelkin, stored: dict[str, Any]
) -> None:
    by_id = await aclient.patients.get(stored["id"])
    by_eid = await aclient.patients.get_by_external_id("EXT-00001")
    by_guid = await aclient.patients.get_by_external_guid(stored["externalGuid"])
    by_mrn = await aclient.patients.get_by_mrn("MRN-42")

    assert {p.id for p in (by_id, by_eid, by_guid, by_mrn)} == {uuid.UUID(stored["id"])}
    assert [c.query for c in api_calls(fake)] == [
        {"type": "ID"},
        {"type": "EID"},
        {"type": "EGUID"},
        {"type": "MRN"},
    ]


async def test_async_update_sends_only_given_fields(
    aclient: welkin.AsyncClient, fake: FakeWelkin, stored: dict[str, Any]
) -> None:
    patient = await aclient.patients.update(stored["id"], first_name="Baz", email=None)

    call = last_call(fake)
    assert (call.method, call.path) == ("PATCH", f"{PATIENTS}/{stored['id']}")
    assert call.json == {"firstName": "Baz", "email": None}
    assert (patient.first_name, patient.last_name) == ("Baz", "Lovelace")


async def test_async_delete_returns_none(
    aclient: welkin.AsyncClient, fake: FakeWelkin, stored: dict[str, Any]
) -> None:
    result = await aclient.patients.delete(stored["id"])

    assert result is None
    assert last_call(fake).method == "DELETE"
    assert fake.patients == {}


async def test_async_list_and_filter(aclient: welkin.AsyncClient, fake: FakeWelkin) -> None:
    fake.add_patient(firstName="Ann", lastName="Foo")
    fake.add_patient(firstName="Bea", lastName="Foo")

    page = await aclient.patients.list(sort="firstName,desc", size=5)
    filtered = [p.first_name async for p in aclient.patients.filter({"firstName": "Ann"})]

    assert isinstance(page, welkin.AsyncPage)
    assert [p.first_name for p in page.items] == ["Bea", "Ann"]
    assert filtered == ["Ann"]
    list_call, filter_call = api_calls(fake)
    assert list_call.query == {"sort": "firstName,desc", "size": "5"}
    assert (filter_call.method, filter_call.json) == ("POST", {"firstName": "Ann"})


def test_extra_query_cannot_override_the_lookup_type(
    client: welkin.Client, fake: FakeWelkin, stored: dict[str, Any]
) -> None:
    client.patients.get_by_mrn("MRN-42", extra_query={"type": "EID"})
    assert fake.requests[-1].query["type"] == "MRN"


def test_sort_accepts_a_field_and_direction_pair(client: welkin.Client, fake: FakeWelkin) -> None:
    client.patients.list(sort=("lastName", "desc"))
    assert fake.requests[-1].query["sort"] == "lastName,desc"


# -- newer facts (NEWER.md, QX): expand, external GUID on create ----------------------------

# A patient read with `expand=true`: `territorialTeam` is not shown in the sources, so it is
# assumed to list users like the care team; a field Welkin might add and a null ride along.
EXPANDED: dict[str, Any] = {
    "id": "1e57da59-42e2-4412-9152-11f37129b782",
    "firstName": "Charlie",
    "patientTerritories": [{"name": "west", "territories": ["CA"]}],
    "careTeam": [],
    "territorialTeam": [
        {
            "id": "20eb246e-8099-4c7c-854c-5e0f9a366ddb",
            "username": "jdoe",
            "firstName": "John",
            "lastName": "Doe",
            "region": "west",
        },
        {"id": "3ac0bf7c-c5a5-4b5e-9d55-2f1c0d3d7a11", "username": None},
    ],
}


def test_an_expanded_patient_dumps_back_exactly_with_a_typed_territorial_team() -> None:
    patient = Patient.model_validate(EXPANDED)

    assert patient.to_dict() == EXPANDED
    first, second = patient.territorial_team or []
    assert first.id == uuid.UUID("20eb246e-8099-4c7c-854c-5e0f9a366ddb")
    assert (first.username, first.first_name, first.model_extra) == (
        "jdoe",
        "John",
        {"region": "west"},
    )
    assert second.username is None


def test_expand_is_a_real_flag_on_every_read(
    client: welkin.Client, fake: FakeWelkin, stored: dict[str, Any]
) -> None:
    member = fake.add_user(username="west-nurse", firstName="Wes", lastName="Tern")
    client.users.territories.replace(
        member["id"],
        territories=[{"instanceName": "sb-demo", "name": "west", "territories": ["CA"]}],
    )
    client.patients.update(
        stored["id"], patient_territories=[{"name": "west", "territories": ["CA"]}]
    )

    plain = client.patients.get(stored["id"])
    assert last_call(fake).query == {"type": "ID"}
    assert plain.territorial_team is None and "territorialTeam" not in plain.to_dict()

    expanded = client.patients.get(stored["id"], expand=True)
    assert last_call(fake).query == {"expand": "true", "type": "ID"}
    (teammate,) = expanded.territorial_team or []
    assert (teammate.id, teammate.username) == (uuid.UUID(member["id"]), "west-nurse")

    client.patients.get_by_mrn("MRN-42", expand=False)
    assert last_call(fake).query == {"expand": "false", "type": "MRN"}
    client.patients.get_by_external_id("EXT-00001", expand=True)
    assert last_call(fake).query == {"expand": "true", "type": "EID"}
    client.patients.get_by_external_guid(stored["externalGuid"], expand=True)
    assert last_call(fake).query == {"expand": "true", "type": "EGUID"}


def test_create_sends_the_external_guid(client: welkin.Client, fake: FakeWelkin) -> None:
    guid = "0f8fad5b-d9cb-469f-a165-70867728950e"

    patient = client.patients.create(first_name="Gus", external_guid=guid, phone="+447700900123")

    assert last_call(fake).json == {
        "firstName": "Gus",
        "externalGuid": guid,
        "phone": "+447700900123",
    }
    assert patient.external_guid == guid
    assert client.patients.get_by_external_guid(guid).id == patient.id


def test_expand_is_refused_unless_a_bool(client: welkin.Client, fake: FakeWelkin) -> None:
    sent = len(fake.requests)

    with pytest.raises(welkin.InvalidArgumentError, match=r"^expand"):
        client.patients.get(uuid.uuid4(), expand="careTeam")  # type: ignore[arg-type]

    assert len(fake.requests) == sent


async def test_async_expanded_read(
    aclient: welkin.AsyncClient, fake: FakeWelkin, stored: dict[str, Any]
) -> None:
    patient = await aclient.patients.get(stored["id"], expand=True)

    assert last_call(fake).query == {"expand": "true", "type": "ID"}
    assert patient.territorial_team == []
