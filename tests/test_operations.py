"""The operation registry: one entry per spec operation, parsing realistic bodies losslessly."""

from __future__ import annotations

import copy
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from welkin._envelopes import MetaInfoPage, SpringPage
from welkin.operations import OPERATIONS
from welkin.types import Patient, TokenResponse, User

SPEC = Path(__file__).resolve().parents[1] / "spec"
STYLES = {"PAGE", "PAGE_IN_DATA", "METAINFO", "TOKEN", "CURSOR"}


def spec_operations() -> list[dict[str, Any]]:
    operations = []
    for path in sorted(SPEC.glob("*.yaml")):
        operations.extend(yaml.safe_load(path.read_text()).get("operations") or [])
    return operations


SPEC_OPERATIONS = spec_operations()

# The response of "Update a Specific Patient By ID" in docs/patients.md, plus fields the spec
# does not know (Welkin adds fields without notice): a scalar, a nested object and a null.
FULL_PATIENT: dict[str, Any] = {
    "id": "1e57da59-42e2-4412-9152-11f37129b782",
    "externalGuid": None,
    "externalId": None,
    "mrn": None,
    "createdAt": "2021-05-04T11:38:24.672Z",
    "updatedAt": "2021-05-04T11:38:24.672Z",
    "createdBy": "20eb246e-8099-4c7c-854c-5e0f9a366ddb",
    "updatedBy": "20eb246e-8099-4c7c-854c-5e0f9a366ddb",
    "createdByName": "Alex Skripnik",
    "updatedByName": "Alex Skripnik",
    "firstName": "Charlie",
    "lastName": "Schwarzenegger",
    "middleName": "Mc",
    "birthDate": "2012-08-12T00:00:00.000Z",
    "gender": "UNKNOWN",
    "email": "1@1.com",
    "phone": "+13363034233",
    "country": "USA",
    "state": "American Samoa",
    "city": "Los Angeles",
    "zip": "99451",
    "addressLine1": "Hollywood Blvd 2021",
    "addressLine2": None,
    "timezone": "UTC",
    "patientTerritories": [],
    "careTeam": [
        {
            "id": "20eb246e-8099-4c7c-854c-5e0f9a366ddb",
            "username": "root",
            "firstName": "John",
            "lastName": "Dou",
            "roles": [{"name": "admin", "primaryRole": True}],
            "pointOfContact": True,
        }
    ],
    "preferredLanguage": "es",
    "insurance": {"carrier": "Acme", "plan": {"tier": "gold", "renewsAt": None}, "ids": [1, 2]},
    "deceasedAt": None,
}


def dumped(model: Any) -> Any:
    return model.model_dump(mode="json", by_alias=True, exclude_unset=True)


# -- the registry ---------------------------------------------------------------------------


def test_every_spec_operation_is_registered_and_nothing_else() -> None:
    spec_ids = [op["id"] for op in SPEC_OPERATIONS]

    assert len(spec_ids) == len(set(spec_ids)) > 0
    assert set(OPERATIONS) == set(spec_ids)


@pytest.mark.parametrize("spec", SPEC_OPERATIONS, ids=lambda op: op["id"])
def test_each_operation_matches_its_spec_entry(spec: dict[str, Any]) -> None:
    operation = OPERATIONS[spec["id"]]

    assert operation.id == spec["id"]
    assert operation.method == spec["method"] == spec["method"].upper()
    assert operation.path == spec["path"]
    assert operation.path.startswith("{tenant}/")
    if spec.get("pagination") == "LIST":  # a bare JSON array: a list, not a page
        assert operation.response_is_list
        assert operation.pagination is None
    else:
        assert operation.pagination == spec.get("pagination")
        assert operation.pagination is None or operation.pagination in STYLES
    assert operation.fixed_query == spec.get("fixed_query", {})


def test_the_registry_is_read_only() -> None:
    with pytest.raises(TypeError):
        OPERATIONS["patients.get"] = OPERATIONS["patients.list"]


def test_operations_without_a_response_parse_to_none() -> None:
    assert OPERATIONS["patients.delete"].parse_response(None) is None
    assert OPERATIONS["users.delete"].parse_response(None) is None


# -- parse_response round trips -------------------------------------------------------------


@pytest.mark.parametrize("operation_id", ["patients.get", "patients.create", "patients.update"])
def test_a_full_patient_parses_to_the_typed_model_and_dumps_back_exactly(
    operation_id: str,
) -> None:
    data = copy.deepcopy(FULL_PATIENT)

    patient = OPERATIONS[operation_id].parse_response(data)

    assert isinstance(patient, Patient)
    assert patient.id == uuid.UUID("1e57da59-42e2-4412-9152-11f37129b782")
    assert (patient.first_name, patient.middle_name, patient.address_line2) == (
        "Charlie",
        "Mc",
        None,
    )
    assert patient.created_at == datetime(2021, 5, 4, 11, 38, 24, 672000, tzinfo=timezone.utc)
    assert patient.birth_date == datetime(2012, 8, 12, tzinfo=timezone.utc)
    assert patient.care_team is not None
    assert patient.care_team[0].roles is not None
    assert patient.care_team[0].roles[0].primary_role is True
    assert patient.model_extra == {
        "preferredLanguage": "es",
        "insurance": FULL_PATIENT["insurance"],
        "deceasedAt": None,
    }
    assert dumped(patient) == FULL_PATIENT
    assert patient.to_dict() == FULL_PATIENT
    assert data == FULL_PATIENT  # the input is left alone


def test_unknown_fields_inside_nested_models_are_kept() -> None:
    data = copy.deepcopy(FULL_PATIENT)
    data["careTeam"][0]["title"] = "Dr"
    data["careTeam"][0]["roles"][0]["grantedAt"] = None

    patient = OPERATIONS["patients.get"].parse_response(data)

    assert dumped(patient) == data


def test_a_sparse_patient_dumps_back_only_what_came_in() -> None:
    data = {"id": "6801d498-26f4-4aee-961b-5daffcf193c8", "firstName": "Charlie", "mrn": None}

    patient = OPERATIONS["patients.get"].parse_response(data)

    assert dumped(patient) == data
    assert patient.last_name is None


def spring_page_of(items: list[dict[str, Any]]) -> dict[str, Any]:
    sort = {"sorted": False, "unsorted": True, "empty": True}
    return {
        "content": items,
        "pageable": {
            "sort": sort,
            "pageNumber": 2,
            "pageSize": 20,
            "offset": 40,
            "unpaged": False,
            "paged": True,
        },
        "last": False,
        "totalElements": 357,
        "totalPages": 18,
        "first": False,
        "number": 2,
        "sort": sort,
        "numberOfElements": len(items),
        "size": 20,
        "empty": False,
    }


@pytest.mark.parametrize("operation_id", ["patients.list", "patients.filter"])
def test_a_page_of_patients_parses_and_dumps_back_exactly(operation_id: str) -> None:
    data = spring_page_of([copy.deepcopy(FULL_PATIENT), {"id": FULL_PATIENT["careTeam"][0]["id"]}])
    data["pageable"]["extraPagingHint"] = {"cursor": None}

    page = OPERATIONS[operation_id].parse_response(data)

    assert isinstance(page, SpringPage)
    assert all(isinstance(p, Patient) for p in page.items)
    assert page.items[0].first_name == "Charlie"
    assert page.next_query({"size": "20"}) == {"size": "20", "page": "3"}
    assert page.to_dict() == data
    assert dumped(page) == data


@pytest.mark.parametrize("operation_id", ["users.list", "users.list_for_instance"])
def test_a_metainfo_page_of_users_parses_and_dumps_back_exactly(operation_id: str) -> None:
    data = {
        "data": [
            {
                "id": "20eb246e-8099-4c7c-854c-5e0f9a366ddb",
                "username": "johndoe",
                "email": "j.doe@email.com",
                "phone": "+15552009845",
                "timezone": "America/Los_Angeles",
                "firstName": "John",
                "lastName": "Doe",
                "credentials": "MD",
                "userState": "ACTIVE",
                "seatAssigned": True,
                "createdAt": "2022-09-15T23:00:00.000Z",
                "updatedAt": "2022-09-16T08:30:00.125Z",
                "roles": [{"name": "admin"}],
                "lastLoginAt": None,
            }
        ],
        "metaInfo": {
            "page": 0,
            "pageSize": 20,
            "totalElements": 1,
            "numberOfElements": 1,
            "totalPages": 1,
            "firstPage": True,
            "lastPage": True,
        },
    }

    page = OPERATIONS[operation_id].parse_response(data)

    assert isinstance(page, MetaInfoPage)
    (user,) = page.items
    assert isinstance(user, User)
    assert (user.username, user.user_state, user.seat_assigned) == ("johndoe", "ACTIVE", True)
    assert user.updated_at == datetime(2022, 9, 16, 8, 30, 0, 125000, tzinfo=timezone.utc)
    assert page.next_query({}) is None
    assert page.to_dict() == data
    assert dumped(page) == data


def test_a_user_parses_and_dumps_back_exactly() -> None:
    data = {
        "id": "20eb246e-8099-4c7c-854c-5e0f9a366ddb",
        "username": "johndoe",
        "firstName": "John",
        "createdAt": "2022-09-15T23:00:00.000Z",
        "policies": {"canExport": False, "scopes": ["PATIENT"]},
    }

    user = OPERATIONS["users.get"].parse_response(data)

    assert isinstance(user, User)
    assert user.created_at == datetime(2022, 9, 15, 23, tzinfo=timezone.utc)
    assert dumped(user) == data


def test_the_token_response_round_trips_and_hides_the_token_from_repr() -> None:
    token = "eyJhbGciOiJub25lIn0.eyJleHAiOjE3MDAwMDM2MDB9.c2ln"
    data = {"clientName": "VBOPNRYRWJIP", "token": token, "enabled": True}

    result = OPERATIONS["auth.create_token"].parse_response(data)

    assert isinstance(result, TokenResponse)
    assert (result.client_name, result.token, result.enabled) == ("VBOPNRYRWJIP", token, True)
    assert dumped(result) == data
    assert result.to_dict() == data
    assert token not in repr(result)
    assert OPERATIONS["auth.create_token"].auth is False
