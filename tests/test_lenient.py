"""Lenient reading: a response field of an unexpected type keeps its wire value, logged once,
instead of failing the call; strict reading raises as before; request bodies stay strict."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

import pytest
from pydantic import ValidationError
from support import api_calls

import welkin
import welkin._models
from welkin import APIResponseValidationError, InvalidArgumentError
from welkin._models import validate_response
from welkin.operations import OPERATIONS
from welkin.testing import FakeWelkin
from welkin.types import Patient
from welkin.types.patients import CareTeamMember, PatientTerritory

# Values no generated field would hold, so that a log can be searched for them.
ODD_NAME = 424242
ODD_DATE = "1990-05-01"  # a date where Welkin documents a datetime

MEMBER_ID = "0b8c5e8e-0000-4000-8000-000000000001"


@pytest.fixture(autouse=True)
def _fresh_warnings(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    # Warnings are logged once per field and process: each test starts with none logged.
    monkeypatch.setattr(welkin._models, "_warned", set())
    caplog.set_level(logging.WARNING, logger="welkin")


def warnings_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "welkin"]


def patient_body(**changes: Any) -> dict[str, Any]:
    """A patient as Welkin sends it, with ``changes``."""
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "firstName": "Amara",
        "lastName": "Okafor",
        "birthDate": "1984-03-07T00:00:00.000Z",
        "careTeam": [
            {"id": MEMBER_ID, "firstName": "Kenji", "lastName": "Kim", "pointOfContact": True}
        ],
        "createdAt": "2024-05-01T12:00:00.000Z",
        "primaryLanguage": "Hindi",  # a field the model does not declare
    }
    return {**body, **changes}


# -- through the client: pages ------------------------------------------------------------


def test_a_patient_with_fields_of_another_type_is_still_read(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    sent = fake.add_patient(firstName=ODD_NAME, lastName="Rossi", birthDate=ODD_DATE)

    [patient] = client.patients.list()

    assert isinstance(patient, Patient)
    assert isinstance(patient.id, uuid.UUID)
    assert patient.last_name == "Rossi"
    assert isinstance(patient.created_at, datetime)
    assert patient.first_name == ODD_NAME  # as Welkin sent it
    assert patient.birth_date == ODD_DATE
    assert patient.to_dict() == sent


def test_each_field_is_logged_once_by_name_and_type_without_its_value(
    client: welkin.Client, fake: FakeWelkin, caplog: pytest.LogCaptureFixture
) -> None:
    for _ in range(100):
        fake.add_patient(firstName=ODD_NAME, birthDate=ODD_DATE)

    patients = list(client.patients.list(size=100))
    patients += list(client.patients.list(size=100))  # and again, later

    assert len(patients) == 200
    assert all(p.first_name == ODD_NAME for p in patients)
    assert sorted(warnings_logged(caplog)) == [
        "response field Patient.birthDate does not fit AwareDatetime | None: kept as received"
        " (Client(strict=True) raises)",
        "response field Patient.firstName does not fit str | None: kept as received"
        " (Client(strict=True) raises)",
    ]
    assert str(ODD_NAME) not in caplog.text and ODD_DATE not in caplog.text


def test_a_page_walk_goes_on_past_an_item_that_does_not_fit(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    fake.seed(patients=4)
    odd = fake.add_patient(firstName=ODD_NAME)
    fake.seed(patients=4)

    walked = list(client.patients.list(size=3))

    assert [str(p.id) for p in walked] == list(fake.patients)
    assert [p.first_name for p in walked if p.first_name == ODD_NAME] == [ODD_NAME]
    assert next(p for p in walked if str(p.id) == odd["id"]).to_dict() == odd


async def test_an_async_page_walk_reads_leniently_too(
    aclient: welkin.AsyncClient, fake: FakeWelkin
) -> None:
    fake.seed(patients=2)
    fake.add_patient(firstName=ODD_NAME)

    walked = [p async for p in aclient.patients.list(size=2)]

    assert [p.first_name for p in walked][-1] == ODD_NAME
    assert all(isinstance(p.id, uuid.UUID) for p in walked)


def test_a_field_inside_a_nested_object_degrades_only_that_field(
    client: welkin.Client, fake: FakeWelkin, caplog: pytest.LogCaptureFixture
) -> None:
    sent = fake.add_patient(
        careTeam=[
            {"id": MEMBER_ID, "firstName": ODD_NAME, "lastName": "Kim"},
            {"firstName": "Ann", "roles": [{"name": "Nurse", "primaryRole": True}]},
        ],
        patientTerritories=["east-coast"],  # strings where objects are documented
    )

    [patient] = client.patients.list()

    first, second = patient.care_team or []
    assert isinstance(first, CareTeamMember) and isinstance(second, CareTeamMember)
    assert first.id == uuid.UUID(MEMBER_ID) and first.last_name == "Kim"
    assert first.first_name == ODD_NAME
    assert second.first_name == "Ann" and second.roles is not None
    assert second.roles[0].primary_role is True
    assert patient.patient_territories == ["east-coast"]  # nothing to rebuild: kept whole
    assert patient.to_dict() == sent
    assert sorted(warnings_logged(caplog)) == [
        "response field Patient.careTeam[].firstName does not fit str | None: kept as received"
        " (Client(strict=True) raises)",
        "response field Patient.patientTerritories does not fit list[PatientTerritory] | None:"
        " kept as received (Client(strict=True) raises)",
    ]


# -- what the client's parse_response calls: validate_response ------------------------------


def test_a_single_patient_is_read_leniently() -> None:
    body = patient_body(firstName=ODD_NAME, createdAt=ODD_DATE)

    patient = validate_response(OPERATIONS["patients.get"].adapter, body)

    assert isinstance(patient, Patient)
    assert isinstance(patient.id, uuid.UUID) and patient.last_name == "Okafor"
    assert isinstance(patient.birth_date, datetime)
    assert (patient.first_name, patient.created_at) == (ODD_NAME, ODD_DATE)
    assert patient.model_extra == {"primaryLanguage": "Hindi"}
    assert patient.to_dict() == body


def test_a_missing_required_field_reads_as_none_and_stays_missing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = patient_body()
    del body["id"]

    patient = validate_response(OPERATIONS["patients.get"].adapter, body)

    assert patient.id is None
    assert patient.first_name == "Amara"
    assert patient.to_dict() == body
    assert warnings_logged(caplog) == [
        "response field Patient.id (UUID) is missing: read as None (Client(strict=True) raises)"
    ]


def test_a_list_response_keeps_the_items_that_fit_typed() -> None:
    operation = OPERATIONS["calendar.work_hours.list"]
    body = [{"psmId": str(uuid.uuid4())}, {"psmId": ODD_NAME}]

    fine, odd = validate_response(operation.adapter, body)

    assert isinstance(fine.psm_id, uuid.UUID)
    assert odd.psm_id == ODD_NAME
    assert [fine.to_dict(), odd.to_dict()] == body


@pytest.mark.parametrize(
    "operation",
    [op for op in OPERATIONS.values() if op.response is not None and op.pagination is None],
    ids=lambda op: op.id,
)
def test_every_single_object_response_is_read_leniently(operation: Any) -> None:
    # An object with every required field missing fails any model that has one.
    body: Any = [{"unknownField": 1}] if operation.response_is_list else {"unknownField": 1}

    result = validate_response(operation.adapter, body)

    for item in result if operation.response_is_list else [result]:
        assert type(item) is operation.response
        assert item.to_dict() == {"unknownField": 1}


def test_a_body_that_is_not_an_object_still_fails() -> None:
    with pytest.raises(ValidationError):
        validate_response(OPERATIONS["patients.get"].adapter, ["not", "a", "patient"])


# -- strict -------------------------------------------------------------------------------


def test_strict_reading_raises_what_validation_raised_before() -> None:
    adapter = OPERATIONS["patients.get"].adapter
    body = patient_body(firstName=ODD_NAME)
    with pytest.raises(ValidationError) as before:
        adapter.validate_python(body)

    with pytest.raises(ValidationError) as strict:
        validate_response(adapter, body, strict=True)

    assert strict.value.errors() == before.value.errors()


def test_a_strictly_read_page_raises_when_the_walk_reaches_the_item() -> None:
    body = {"content": [patient_body(), patient_body(firstName=ODD_NAME)], "last": True}

    page = validate_response(OPERATIONS["patients.list"].adapter, body, strict=True)
    items = page.iter_items()

    assert next(items).first_name == "Amara"
    with pytest.raises(ValidationError, match="firstName"):
        next(items)


def test_a_strict_client_raises_for_a_field_that_does_not_fit(fake: FakeWelkin) -> None:
    odd = fake.add_patient(firstName=ODD_NAME, lastName="Secretson")

    with fake.client(strict=True) as client:
        with pytest.raises(APIResponseValidationError) as single:
            client.patients.get(odd["id"])
        with pytest.raises(APIResponseValidationError) as walk:
            list(client.patients.list())

    for caught in (single, walk):
        message = str(caught.value)
        assert "firstName" in message
        assert str(ODD_NAME) not in message and "Secretson" not in message


def test_the_client_reads_a_single_patient_leniently(fake: FakeWelkin) -> None:
    odd = fake.add_patient(firstName=ODD_NAME)

    with fake.client() as client:
        patient = client.patients.get(odd["id"])

    assert patient.first_name == ODD_NAME and isinstance(patient.id, uuid.UUID)
    assert patient.to_dict() == odd


# -- requests stay strict -----------------------------------------------------------------


def test_a_request_field_of_the_wrong_type_is_refused_before_sending(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    with pytest.raises(InvalidArgumentError, match="first_name"):
        client.patients.create(first_name=ODD_NAME)  # type: ignore[arg-type]

    assert api_calls(fake) == []


def test_a_leniently_read_object_sent_back_is_validated_again(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    fake.add_patient(patientTerritories=[{"name": "east-coast", "territories": [ODD_NAME]}])
    [patient] = client.patients.list()
    [territory] = patient.patient_territories or []
    assert isinstance(territory, PatientTerritory)  # read, with its odd territories kept
    sent_before = len(api_calls(fake))

    with pytest.raises(InvalidArgumentError, match="territories"):
        client.patients.update(patient.id, patient_territories=[territory])

    assert len(api_calls(fake)) == sent_before
