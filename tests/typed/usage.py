"""Typed usage of the welkin SDK, as a user would write it.

Not a test module: ``mypy --strict tests/typed/`` checks it, and ``tests/test_typed_examples.py``
runs its examples against the offline fake. Nothing here runs at import time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime, timezone
from uuid import UUID

import httpx

import welkin
from welkin import AsyncClient, AsyncPage, Client, SyncPage
from welkin import models as old
from welkin.types import (
    Assessment,
    CalendarEvent,
    CareTeamAssignment,
    CdtRecord,
    DocumentFile,
    Encounter,
    EncounterTemplate,
    FullEncounter,
    Patient,
    PatientTerritory,
    User,
)
from welkin.webhooks import ChatMessageEvent, ResolvedRecord, WebhookEvent, Webhooks, unwrap


def make_client(base_url: str, transport: httpx.BaseTransport) -> Client:
    """A client for a given API root; the transport is where tests plug in the fake."""
    return Client(
        tenant="gh",
        instance="sb-demo",
        api_client="VBOPNRYRWJIP",
        secret_key="+}B{KGTG6#zG%P;tQm0C",
        timeout=10,
        base_url=base_url,
        http_client=httpx.Client(transport=transport),
    )


def patient_example(client: Client, doctor_id: UUID) -> Patient:
    """Create, read, update and list patients; returns the updated patient."""
    created: Patient = client.patients.create(
        first_name="Foo",
        last_name="Bar",
        mrn="MRN-1",
        birth_date=date(2000, 1, 2),
        patient_territories=[PatientTerritory(name="east", territories=["NY"])],
        care_team=[CareTeamAssignment(id=doctor_id, point_of_contact=True)],
    )
    fetched: Patient = client.patients.get(created.id)
    same: Patient = client.patients.get_by_mrn("MRN-1")
    assert fetched.id == same.id

    updated = client.patients.update(
        str(created.id),
        first_name="Baz",
        middle_name=None,  # sends null
        extra_body={"preferredLanguage": "fr"},
    )
    created_at: datetime | None = updated.created_at
    assert created_at is None or created_at.tzinfo is not None
    return updated


def listing_example(client: Client) -> list[str]:
    """Pages and lazy iteration; returns every patient's first name, across pages."""
    page: SyncPage[Patient] = client.patients.list(sort="firstName,asc", size=2)
    first_items: list[Patient] = page.items
    resume: dict[str, str] | None = page.next_page_query
    if page.has_next_page():
        second: SyncPage[Patient] = page.get_next_page()
        assert len(second.items) <= len(first_items)
    assert resume is None or "page" in resume

    sizes = [len(p.items) for p in page.iter_pages()]
    assert sum(sizes) >= len(first_items)

    matching = client.patients.filter({"lastName": "Bar"}, size=5)
    assert all(p.last_name == "Bar" for p in matching)
    return [p.first_name or "" for p in page]


def user_example(client: Client) -> User:
    """Users: create, list with filters, update, replace, delete; returns the replaced user."""
    user: User = client.users.create(username="bar", email="bar@foo.com", first_name="Bar")
    page: SyncPage[User] = client.users.list(
        search="bar", seat_assigned=True, user_state="ACTIVE", size=10
    )
    in_region: SyncPage[User] = client.users.list_for_instance(region="east-coast")
    assert user.id in [u.id for u in page]
    assert user.id not in [u.id for u in in_region]

    client.users.update("bar", first_name="Baz", credentials=None)
    replaced: User = client.users.replace("bar", email="new@foo.com")
    client.users.delete(user.id)
    return replaced


def error_example(client: Client) -> tuple[int, str]:
    """The exceptions a caller handles; returns the 404 status and the refused argument."""
    status = 0
    try:
        client.patients.get(UUID(int=1))
    except welkin.NotFoundError as error:
        status = error.status_code
        codes: list[str] = error.error_codes
        assert codes == ["NOT_FOUND"]

    argument = ""
    try:
        client.patients.get("not-a-uuid")
    except welkin.InvalidArgumentError as error:  # also a ValueError; nothing was sent
        argument = error.argument
    return status, argument


def options_example(client: Client) -> Client:
    """Per-client and per-call overrides."""
    patient_reader: Client = client.with_options(timeout=30, max_retries=0)
    patient_reader.patients.list(size=1, timeout=5.0, max_retries=1)
    raw = client.call("GET", "{tenant}/{instance}/patients", params={"size": 1})
    assert isinstance(raw, dict)
    return patient_reader


def compat_example(client: Client) -> list[str]:
    """The old package's classes (dicts of Welkin's JSON); returns the first names seen."""
    patient: old.Patient = client.Patient(firstName="Foo", lastName="Bar").create()
    patient = client.Patient(id=patient.id).get()
    patient.update(firstName="Baz")
    first_page: old.Patients = client.Patients().get()
    every: Iterator[old.Patient] = client.Patients().get(paginate=True)
    names = [str(p["firstName"]) for p in first_page] + [str(p.firstName) for p in every]
    patient.delete()

    user: old.User = client.User(username="bar", email="bar@foo.com").create()
    users: old.Users = client.Users().get(search="bar", seat_assigned=True)
    assert any(u.id == user.id for u in users)
    user.delete()
    as_model: Patient = patient.model  # the typed view, for migrating code
    return [*names, as_model.first_name or ""]


def care_team_example(client: Client, user_id: UUID) -> dict[str, int]:
    """Nested resources of the other areas, typed: encounters, CDTs, the designer, the
    calendar, files, and the old classes reached from a parent. Returns counts."""
    patient = client.patients.create(first_name="Ada", last_name="Lovelace")
    encounter: Encounter = client.patients.encounters.create(patient.id, template_name="intake")
    client.patients.encounters.comments.create(patient.id, encounter.id, text="Seen.")
    fulls: SyncPage[FullEncounter] = client.patients.encounters.list_full(patient.id)
    record: CdtRecord = client.patients.cdts.create(patient.id, "vitals", {"weight": 61.5})
    rows: SyncPage[CdtRecord] = client.patients.cdts.list(patient.id, "vitals", size=10)
    templates: list[EncounterTemplate] = client.formations.encounter_templates.list()
    phq: Assessment = client.formations.assessments.get("phq_2", version="draft")
    event: CalendarEvent = client.calendar.events.create(
        start_date_time=datetime(2026, 12, 1, 15, tzinfo=timezone.utc),
        end_date_time=datetime(2026, 12, 1, 16, tzinfo=timezone.utc),
        host_id=user_id,
        participants=[
            {"participantId": user_id, "participantRole": "psm"},
            {"participantId": patient.id, "participantRole": "patient"},
        ],
    )
    summary = client.patients.document_summaries.create(patient.id, type="doc-type-others")
    files: list[DocumentFile] = client.patients.document_summaries.files.upload(
        patient.id, summary.id, ("note.txt", b"hello")
    )
    data: bytes = client.patients.document_summaries.files.download(
        patient.id, summary.id, files[0].id
    )
    old_patient = client.Patient(id=str(patient.id))
    old_encounters: old.Encounters = old_patient.Encounters().get()
    old_full: old.Encounters = old_patient.Encounters().get(related_data=True)
    assert [f.encounter["id"] for f in old_full] == [e.id for e in old_encounters]
    old_records: old.CDTs = old_patient.CDTs().get(cdt_name="vitals")
    return {
        "full encounters": len(list(fulls)),
        "vitals": len(list(rows)) + (record.json_body is not None),
        "templates": len(templates),
        "questions": len((phq.sections or [])[0].fields or []),
        "events": sum(
            e.id == event.id for e in client.calendar.events.list(participant_ids=[user_id])
        ),
        "bytes": len(data),
        "old encounters": len(old_encounters),
        "old records": len(old_records),
    }


def sync_example(client: Client) -> list[str]:
    """Every sync example in turn; returns the first names the listing saw."""
    patient_example(client, UUID("20eb246e-8099-4c7c-854c-5e0f9a366ddb"))
    names = listing_example(client)
    user_example(client)
    error_example(client)
    options_example(client)
    compat_example(client)
    return names


async def async_example(aclient: AsyncClient) -> list[str]:
    """The async client: awaited calls, awaited pages and ``async for``."""
    async with aclient:
        patient: Patient = await aclient.patients.create(
            first_name="Foo", birth_date=datetime(2000, 1, 2, tzinfo=timezone.utc)
        )
        page: AsyncPage[Patient] = await aclient.patients.list(size=2)
        if page.has_next_page():
            await page.get_next_page()
        async for each_page in page.iter_pages():
            assert isinstance(each_page.items, list)
        names = [p.first_name or "" async for p in aclient.patients.list(size=2)]
        users: AsyncPage[User] = await aclient.users.list(user_state="ACTIVE")
        assert isinstance(users.items, list)
        faster: AsyncClient = aclient.with_options(max_retries=0)
        await faster.patients.delete(patient.id)
        return names


def type_error_example(client: Client) -> None:
    """A deliberate type error: an int is not a patient id (``UUID | str``)."""
    client.patients.get(patient_id=123)  # type: ignore[arg-type]


def webhook_example(client: Client, body: bytes, headers: Mapping[str, str]) -> str:
    """Receive a webhook: verify its header, parse it, read its record back."""
    event: WebhookEvent = unwrap(body, headers, expected_headers={"X-Welkin-Token": "t0k3n"})
    if isinstance(event, ChatMessageEvent):
        return f"chat message for {event.patient_id}: {event.message}"
    record: ResolvedRecord = Webhooks(client).resolve(event)
    if isinstance(record, CdtRecord):
        body_fields = record.json_body.model_extra if record.json_body else None
        return f"{event.event_subtype} {record.id} {body_fields}"
    return f"{event.event_entity} {type(record).__name__}"
