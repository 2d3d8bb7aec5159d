"""What the differential test does with each package: small programs a user of the old
``welkin`` 0.1.12 would write, one per old class method or client call.

Each scenario takes ``(client, welkin)`` and returns what the user would look at; driver.py
records the requests and summarizes the result. Stdlib only: this module is loaded by both
interpreters. Order matters in one place: the scenarios that expect a missing patient id
come first, because the old package remembers a parent on the class (``patient.Contact``
sets ``Contact._parent`` for good) and would find one later on.
"""

from __future__ import annotations

import importlib
import io
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

SCENARIOS: list[tuple[str, Callable[[Any, Any], Any]]] = []


def scenario(function: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    SCENARIOS.append((function.__name__, function))
    return function


INSTANCE = "sb-demo"
PATIENT_ID = "6801d498-26f4-4aee-961b-5daffcf193c8"
USER_ID = "301b2895-cbf0-4cac-b4cf-1d082faee95c"
ENCOUNTER_ID = "e2a4c9d0-5b1f-4f3e-8c6a-9d7b2e1f0a11"
ASSESSMENT_ID = "a1b2c3d4-0000-4000-8000-00000000a55e"
RECORD_ID = "7c0d5e3a-1f2b-4c4d-9e8f-0a1b2c3d4e5f"
EVENT_ID = "9f8e7d6c-5b4a-4392-8170-6e5d4c3b2a19"
CDT_RECORD_ID = "c0ffee00-1234-4abc-8def-000000000cd7"
DOCUMENT_ID = "d0c5d0c5-aaaa-4bbb-8ccc-dddddddddddd"
FILE_ID = "f11ef11e-1111-4222-8333-444444444444"
EMAIL_ID = "e3a11e3a-2222-4333-8444-555555555555"
SMS_ID = "5a5a5a5a-3333-4444-8555-666666666666"
PROGRAM_ID = "9e0a7a11-4444-4555-8666-777777777777"
TASK_ID = "7a5c7a5c-5555-4666-8777-888888888888"
PDT_ID = "bdf0bdf0-6666-4777-8888-999999999999"

AWARE = datetime(2024, 3, 9, 23, 30, 15, 123456, tzinfo=timezone.utc)
AWARE_EAST = datetime(2024, 3, 10, 1, 0, tzinfo=timezone(timedelta(hours=2)))
NAIVE = datetime(2024, 3, 9, 8, 15)  # local time to the old package
DAY = date(2024, 3, 1)


def encounter_parts(encounter: Any) -> dict[str, Any]:
    """The encounter and the nested objects the old class wraps on attribute access."""
    return {
        "encounter": encounter,
        "user": encounter.userRelatedToCalendarEvent,
        "assessment_links": encounter.assessmentLinks,
        "disposition": encounter.disposition,
    }


def program_parts(program: Any) -> dict[str, Any]:
    return {
        "program": program,
        "current_phase": program.currentPhase,
        "path_history": program.pathHistory,
    }


# --- errors that need no parent on the class: these run first (see the module docstring) ---


@scenario
def error_contact_create_without_patient(client: Any, welkin: Any) -> Any:
    return client.Contact(firstName="Grace").create()


@scenario
def error_cdt_get_without_patient(client: Any, welkin: Any) -> Any:
    return client.CDT(cdtName="vitals", id=CDT_RECORD_ID).get()


# --- the package and the client's class attributes -------------------------------------------


@scenario
def every_old_class_is_on_the_client_and_in_models(client: Any, welkin: Any) -> Any:
    # Each package's own __all__: the two runs must list the same names, in the same order.
    models = importlib.import_module(f"{welkin.__name__}.models")
    names = list(models.__all__)
    return {
        "all": names,
        "not_on_client": [name for name in names if not hasattr(client, name)],
        "class_is_the_model": [
            getattr(type(client), name) is getattr(models, name) for name in names
        ],
        "client_is_welkin_client": isinstance(client, welkin.Client),
    }


@scenario
def records_built_locally_print_like_the_old_ones(client: Any, welkin: Any) -> Any:
    return [
        client.Task(title="Call back"),
        client.Task(id=TASK_ID, title="Call back"),
        client.User(username="bar"),
        client.User(firstName="Ada", lastName="Lovelace", username="ada"),
        client.Patient(firstName="Ada", lastName="Lovelace"),
        client.ProgramPhases([client.ProgramPhase(id=PROGRAM_ID, name="phase-1")]),
    ]


# --- other errors ----------------------------------------------------------------------------


@scenario
def error_calendar_event_get_without_id(client: Any, welkin: Any) -> Any:
    return client.CalendarEvent(title="Check-in").get()


@scenario
def error_patient_program_without_id_or_name(client: Any, welkin: Any) -> Any:
    return client.PatientProgram(status="IN_PROGRESS").get(patient_id=PATIENT_ID)


@scenario
def error_calendar_events_unknown_event_type(client: Any, welkin: Any) -> Any:
    return client.CalendarEvents().get(AWARE, AWARE, event_type="PARTY")


@scenario
def error_users_unknown_user_state(client: Any, welkin: Any) -> Any:
    return client.Users().get(user_state="RETIRED")


@scenario
def error_patient_get_not_found(client: Any, welkin: Any) -> Any:
    return client.Patient(id="missing-patient").get()


@scenario
def error_patient_update_not_found(client: Any, welkin: Any) -> Any:
    return client.Patient(id="missing-patient").update(firstName="Baz")


@scenario
def error_raw_get_not_found_is_caught_as_welkin_http_error(client: Any, welkin: Any) -> Any:
    try:
        client.get(f"{INSTANCE}/patients/missing")
    except welkin.exceptions.WelkinHTTPError as exc:
        return {
            "type": type(exc).__name__,
            "str": str(exc),
            "status_code": exc.response.status_code,
            "json": exc.response.json(),
            "is_os_error": isinstance(exc, OSError),  # requests' errors are IOErrors
        }
    return "no error"


# --- the raw client ----------------------------------------------------------------------------


@scenario
def raw_get_token(client: Any, welkin: Any) -> Any:
    # What callers use: a dict with these keys. Ours prints redacted, which is on purpose.
    token = client.get_token()
    return {"is_dict": isinstance(token, dict), "items": dict(token)}


@scenario
def raw_get_me(client: Any, welkin: Any) -> Any:
    return client.get("admin/users/me")


@scenario
def raw_get_path_as_list(client: Any, welkin: Any) -> Any:
    # Falsy parts are skipped: the old Resource.get() itself passes [path, None].
    return client.get([INSTANCE, "patients", PATIENT_ID, None])


@scenario
def raw_get_trailing_slash(client: Any, welkin: Any) -> Any:
    return client.get(f"{INSTANCE}/patients/{PATIENT_ID}/")


@scenario
def raw_get_page_returns_its_items(client: Any, welkin: Any) -> Any:
    return client.get(f"{INSTANCE}/calendar/events", params={"page": 1})


@scenario
def raw_get_metainfo_page_returns_its_items(client: Any, welkin: Any) -> Any:
    return client.get(f"{INSTANCE}/tasks")


@scenario
def raw_get_bare_list(client: Any, welkin: Any) -> Any:
    return client.get(f"{INSTANCE}/calendar/psm-schedules", params={"psmIds": "psm-1"})


@scenario
def raw_get_params_are_cleaned(client: Any, welkin: Any) -> Any:
    params = {
        "from": AWARE_EAST,
        "to": DAY,
        "participantIds": ["p-1", "p-2"],
        "includeCancelled": True,
        "sort": None,
        "size": 5,
    }
    return client.get(f"{INSTANCE}/calendar/events", params=params)


@scenario
def raw_get_file_bytes(client: Any, welkin: Any) -> Any:
    return client.get(
        f"{INSTANCE}/patients/{PATIENT_ID}/document-summary/{DOCUMENT_ID}/files/{FILE_ID}"
    )


@scenario
def raw_post_body_is_cleaned(client: Any, welkin: Any) -> Any:
    body = {
        "id": uuid.UUID(PATIENT_ID),
        "birthDate": date(1990, 5, 17),
        "admittedAt": NAIVE,
        "tags": [uuid.UUID(USER_ID), AWARE_EAST, "plain"],
        "address": {"movedIn": AWARE, "line1": "1 Main St"},
        "middleName": None,
    }
    return client.post(f"{INSTANCE}/patients", json=body)


@scenario
def raw_put(client: Any, welkin: Any) -> Any:
    return client.put(
        f"{INSTANCE}/patients/{PATIENT_ID}/care-plan/overview", json={"overview": "Walk daily"}
    )


@scenario
def raw_patch(client: Any, welkin: Any) -> Any:
    return client.patch(f"{INSTANCE}/patients/{PATIENT_ID}", json={"lastName": None})


@scenario
def raw_delete(client: Any, welkin: Any) -> Any:
    return client.delete(f"{INSTANCE}/patients/{PATIENT_ID}")


@scenario
def raw_request_with_meta(client: Any, welkin: Any) -> Any:
    meta = {"totalPages": 1, "number": 0, "last": True}
    return client.request("GET", f"{INSTANCE}/patients", meta_key="pageable", meta_dict=meta)


@scenario
def raw_request_bare_list_with_meta(client: Any, welkin: Any) -> Any:
    meta = {"totalPages": 1, "number": 0, "last": True}
    return client.request(
        "GET", f"{INSTANCE}/calendar/full-psm-schedules", meta_key="pageable", meta_dict=meta
    )


@scenario
def raw_request_metainfo(client: Any, welkin: Any) -> Any:
    meta = {"totalPages": 1, "page": 0, "last": True}
    return client.request("GET", "admin/users", meta_key="metaInfo", meta_dict=meta)


# --- patients ------------------------------------------------------------------------------------


@scenario
def patient_create(client: Any, welkin: Any) -> Any:
    return client.Patient(
        firstName="Ada",
        lastName="Lovelace",
        birthDate=date(1815, 12, 10),
        externalGuid=uuid.UUID(RECORD_ID),
        middleName=None,
    ).create()


@scenario
def patient_get_by_id(client: Any, welkin: Any) -> Any:
    return client.Patient(id=PATIENT_ID).get()


@scenario
def patient_get_by_external_id(client: Any, welkin: Any) -> Any:
    return client.Patient(externalId="EXT-42").get()


@scenario
def patient_get_by_external_guid(client: Any, welkin: Any) -> Any:
    return client.Patient(externalGuid=RECORD_ID).get()


@scenario
def patient_get_by_mrn(client: Any, welkin: Any) -> Any:
    return client.Patient(mrn="MRN-0007").get()


@scenario
def patient_update(client: Any, welkin: Any) -> Any:
    return client.Patient(id=PATIENT_ID).update(firstName="Baz", birthDate=DAY, lastName=None)


@scenario
def patient_delete(client: Any, welkin: Any) -> Any:
    return client.Patient(id=PATIENT_ID).delete()


@scenario
def patients_get(client: Any, welkin: Any) -> Any:
    return client.Patients().get()


@scenario
def patients_get_by_filter(client: Any, welkin: Any) -> Any:
    return client.Patients().get({"firstName": "Ada", "createdAfter": AWARE})


@scenario
def patients_get_size_2_stops_after_two(client: Any, welkin: Any) -> Any:
    return client.Patients().get(size=2)


@scenario
def patients_paginate(client: Any, welkin: Any) -> Any:
    return client.Patients().get(paginate=True)


@scenario
def patients_paginate_size_5(client: Any, welkin: Any) -> Any:
    return client.Patients().get(filter={"lastName": "Lovelace"}, paginate=True, size=5)


# --- users ---------------------------------------------------------------------------------------


@scenario
def user_create(client: Any, welkin: Any) -> Any:
    return client.User(username="bar", email="bar@foo.com").create()


@scenario
def user_get(client: Any, welkin: Any) -> Any:
    return client.User(id=USER_ID).get()


@scenario
def user_update(client: Any, welkin: Any) -> Any:
    return client.User(id=USER_ID, username="bar").update(firstName="Baz")


@scenario
def user_delete(client: Any, welkin: Any) -> Any:
    return client.User(id=USER_ID).delete()


@scenario
def users_get(client: Any, welkin: Any) -> Any:
    return client.Users().get()


@scenario
def users_get_filtered_by_region(client: Any, welkin: Any) -> Any:
    return client.Users().get(
        search="foo", region="east-coast", seat_assigned=True, user_state="ACTIVE"
    )


@scenario
def users_get_search_positional(client: Any, welkin: Any) -> Any:
    return client.Users().get("foo", None, False)


@scenario
def users_paginate(client: Any, welkin: Any) -> Any:
    return client.Users().get(user_state="INACTIVE", paginate=True)


@scenario
def user_encounters_get(client: Any, welkin: Any) -> Any:
    return client.User(id=USER_ID).Encounters().get()


# --- calendar ------------------------------------------------------------------------------------


@scenario
def calendar_event_create(client: Any, welkin: Any) -> Any:
    return client.CalendarEvent(
        eventType="APPOINTMENT",
        start=AWARE,
        end=AWARE + timedelta(minutes=30),
        participants=[{"participantId": uuid.UUID(USER_ID), "participantRole": "psm"}],
    ).create()


@scenario
def calendar_event_get(client: Any, welkin: Any) -> Any:
    return client.CalendarEvent(id=EVENT_ID).get()


@scenario
def calendar_event_update(client: Any, welkin: Any) -> Any:
    return client.CalendarEvent(id=EVENT_ID).update(start=NAIVE, eventMode="VIDEO")


@scenario
def calendar_event_delete(client: Any, welkin: Any) -> Any:
    return client.CalendarEvent(id=EVENT_ID).delete()


@scenario
def calendar_events_get_aware(client: Any, welkin: Any) -> Any:
    return client.CalendarEvents().get(from_date=AWARE, to_date=AWARE_EAST, include_cancelled=True)


@scenario
def calendar_events_get_naive_positional(client: Any, welkin: Any) -> Any:
    return client.CalendarEvents().get(
        NAIVE,
        NAIVE + timedelta(days=7),
        ["p-1", "p-2"],
        "APPOINTMENT",
        "startDateTime,asc",
        True,
        False,
        True,
        "America/New_York",
    )


@scenario
def calendar_events_get_dates(client: Any, welkin: Any) -> Any:
    return client.CalendarEvents().get(DAY, date(2024, 3, 31))


@scenario
def calendar_events_paginate(client: Any, welkin: Any) -> Any:
    return client.CalendarEvents().get(DAY, date(2024, 3, 31), paginate=True, size=10)


@scenario
def schedules_get(client: Any, welkin: Any) -> Any:
    return client.Schedules().get(["psm-1", "psm-2"], AWARE, DAY)


@scenario
def schedules_get_available(client: Any, welkin: Any) -> Any:
    return client.Schedules().get(["psm-1"], DAY, AWARE, include_cancelled=False, available=True)


@scenario
def schedules_get_full(client: Any, welkin: Any) -> Any:
    return client.Schedules().get(["psm-1"], NAIVE, AWARE, full=True)


@scenario
def work_hours_get(client: Any, welkin: Any) -> Any:
    return client.WorkHours().get(DAY, AWARE, ["psm-1", "psm-2"], timezone="UTC")


@scenario
def work_hours_get_none_found(client: Any, welkin: Any) -> Any:
    return client.WorkHours().get(AWARE, AWARE, ["psm-idle"])


# --- care plan, CDTs, contacts, PDTs -----------------------------------------------------------


@scenario
def care_plan_get(client: Any, welkin: Any) -> Any:
    return client.Patient(id=PATIENT_ID).CarePlan().get()


@scenario
def care_plan_create(client: Any, welkin: Any) -> Any:
    return client.Patient(id=PATIENT_ID).CarePlan(overview="Start walking").create()


@scenario
def care_plan_overview_update_through_care_plan(client: Any, welkin: Any) -> Any:
    care_plan = client.Patient(id=PATIENT_ID).CarePlan()
    return care_plan.CarePlanOverview(overview="Walk daily").update()


@scenario
def care_plan_overview_update_positional(client: Any, welkin: Any) -> Any:
    return client.CarePlanOverview(overview="Walk daily").update(PATIENT_ID)


@scenario
def cdt_create(client: Any, welkin: Any) -> Any:
    patient = client.Patient(id=PATIENT_ID)
    return patient.CDT(cdtName="vitals", weight=61.5, measuredAt=AWARE).create()


@scenario
def cdt_get(client: Any, welkin: Any) -> Any:
    return client.Patient(id=PATIENT_ID).CDT(cdtName="vitals", id=CDT_RECORD_ID).get()


@scenario
def cdt_get_positional(client: Any, welkin: Any) -> Any:
    return client.CDT(cdtName="vitals", id=CDT_RECORD_ID).get(PATIENT_ID)


@scenario
def cdt_update(client: Any, welkin: Any) -> Any:
    cdt = client.Patient(id=PATIENT_ID).CDT(cdtName="vitals", id=CDT_RECORD_ID)
    return cdt.update(weight=62, measuredAt=NAIVE)


@scenario
def cdt_delete(client: Any, welkin: Any) -> Any:
    return client.Patient(id=PATIENT_ID).CDT(cdtName="vitals", id=CDT_RECORD_ID).delete()


@scenario
def cdts_get(client: Any, welkin: Any) -> Any:
    return client.Patient(id=PATIENT_ID).CDTs().get(cdt_name="vitals")


@scenario
def cdts_get_with_params(client: Any, welkin: Any) -> Any:
    return client.CDTs().get(
        PATIENT_ID,
        "vitals",
        fields=["weight", "height"],
        date_start=AWARE,
        date_end=DAY,
        sort="createdAt,desc",
    )


@scenario
def cdts_paginate(client: Any, welkin: Any) -> Any:
    return client.Patient(id=PATIENT_ID).CDTs().get(cdt_name="vitals", paginate=True)


@scenario
def cdts_update(client: Any, welkin: Any) -> Any:
    rows = [
        {"id": CDT_RECORD_ID, "jsonBody": {"weight": 60}},
        {"id": uuid.UUID(RECORD_ID), "jsonBody": {"weight": 70, "measuredAt": AWARE}},
    ]
    patient = client.Patient(id=PATIENT_ID)
    return patient.CDTs().update(cdt_name="vitals", body={"rows": rows})


@scenario
def contact_create(client: Any, welkin: Any) -> Any:
    return (
        client.Patient(id=PATIENT_ID)
        .Contact(firstName="Grace", relationship="FRIEND", phone="+15555550123")
        .create()
    )


@scenario
def contact_create_positional(client: Any, welkin: Any) -> Any:
    return client.Contact(firstName="Grace").create(PATIENT_ID)


@scenario
def pdt_create(client: Any, welkin: Any) -> Any:
    return client.PDT(memberId="M-1", startedAt=DAY).create("insurance")


@scenario
def pdt_get(client: Any, welkin: Any) -> Any:
    return client.PDT(pdtName="insurance", id=PDT_ID).get()


# --- chat --------------------------------------------------------------------------------------


@scenario
def chat_create(client: Any, welkin: Any) -> Any:
    return client.Patient(id=PATIENT_ID).Chat(message="Hello").create()


@scenario
def chats_get(client: Any, welkin: Any) -> Any:
    return client.Patient(id=PATIENT_ID).Chats().get()


@scenario
def chats_get_include_archived(client: Any, welkin: Any) -> Any:
    return client.Chats().get(PATIENT_ID, include_archived=True)


@scenario
def chats_paginate(client: Any, welkin: Any) -> Any:
    return client.Patient(id=PATIENT_ID).Chats().get(paginate=True)


@scenario
def search_chats_get(client: Any, welkin: Any) -> Any:
    return client.Patient(id=PATIENT_ID).SearchChats().get(query="refill")


@scenario
def search_chats_get_positional(client: Any, welkin: Any) -> Any:
    return client.SearchChats().get(PATIENT_ID, "refill", 5, True)


# --- audits and exports ------------------------------------------------------------------------


@scenario
def data_audits_get(client: Any, welkin: Any) -> Any:
    return client.DataAudits().get()


@scenario
def data_audits_get_with_params(client: Any, welkin: Any) -> Any:
    return client.DataAudits().get({"entity": "PATIENT", "dateStart": AWARE, "dateEnd": DAY})


@scenario
def data_audits_paginate(client: Any, welkin: Any) -> Any:
    return client.DataAudits().get(paginate=True)


@scenario
def webhook_audits_get(client: Any, welkin: Any) -> Any:
    return client.WebhookAudits().get(params={"dateStart": NAIVE, "entity": "CDT"})


@scenario
def webhook_audits_paginate(client: Any, welkin: Any) -> Any:
    return client.WebhookAudits().get(paginate=True)


@scenario
def cdt_records_export_get(client: Any, welkin: Any) -> Any:
    return client.CDTRecordsExport().get()


@scenario
def cdt_records_export_get_with_params(client: Any, welkin: Any) -> Any:
    return client.CDTRecordsExport().get(params={"cdtName": "vitals", "dateStart": AWARE})


@scenario
def cdt_records_export_paginate_size_50(client: Any, welkin: Any) -> Any:
    return client.CDTRecordsExport().get(paginate=True, size=50)


# --- documents -----------------------------------------------------------------------------------


@scenario
def document_summary_create(client: Any, welkin: Any) -> Any:
    patient = client.Patient(id=PATIENT_ID)
    return patient.DocumentSummary(documentType="intake-form", title="Intake").create()


@scenario
def document_summary_get(client: Any, welkin: Any) -> Any:
    return client.Patient(id=PATIENT_ID).DocumentSummary(id=DOCUMENT_ID).get()


@scenario
def document_summary_delete(client: Any, welkin: Any) -> Any:
    return client.Patient(id=PATIENT_ID).DocumentSummary(id=DOCUMENT_ID).delete()


@scenario
def document_summaries_get(client: Any, welkin: Any) -> Any:
    return client.Patient(id=PATIENT_ID).DocumentSummaries().get()


@scenario
def document_summaries_paginate(client: Any, welkin: Any) -> Any:
    return client.DocumentSummaries().get(PATIENT_ID, paginate=True)


@scenario
def document_summary_files_create(client: Any, welkin: Any) -> Any:
    summary = client.Patient(id=PATIENT_ID).DocumentSummary(id=DOCUMENT_ID)
    files = [
        ("files", ("scan.pdf", io.BytesIO(b"%PDF-1.4 \x00\xff scan"), "application/pdf")),
        ("files", ("notes.txt", io.BytesIO(b"first line\r\nsecond line"), "text/plain")),
    ]
    return summary.DocumentSummaryFiles().create(files=files)


@scenario
def document_summary_files_create_from_unrewound_buffer(client: Any, welkin: Any) -> Any:
    buffer = io.BytesIO()
    buffer.write(b"written, never rewound")
    summary = client.Patient(id=PATIENT_ID).DocumentSummary(id=DOCUMENT_ID)
    return summary.DocumentSummaryFiles().create(files=[("files", ("late.txt", buffer))])


@scenario
def document_summary_file_get(client: Any, welkin: Any) -> Any:
    summary = client.Patient(id=PATIENT_ID).DocumentSummary(id=DOCUMENT_ID)
    return summary.DocumentSummaryFile(id=FILE_ID).get()


@scenario
def document_summary_file_get_through_patient(client: Any, welkin: Any) -> Any:
    patient = client.Patient(id=PATIENT_ID)
    return patient.DocumentSummaryFile(id=FILE_ID).get(document_summary_id=DOCUMENT_ID)


@scenario
def document_summary_file_get_positional(client: Any, welkin: Any) -> Any:
    return client.DocumentSummaryFile(id=FILE_ID).get(PATIENT_ID, DOCUMENT_ID)


# --- emails and SMS ------------------------------------------------------------------------------


@scenario
def email_get(client: Any, welkin: Any) -> Any:
    return client.Patient(id=PATIENT_ID).Email(id=EMAIL_ID).get()


@scenario
def emails_get(client: Any, welkin: Any) -> Any:
    return client.Patient(id=PATIENT_ID).Emails().get(sort="createdAt,desc")


@scenario
def emails_paginate(client: Any, welkin: Any) -> Any:
    return client.Emails().get(PATIENT_ID, paginate=True)


@scenario
def sms_get(client: Any, welkin: Any) -> Any:
    return client.Patient(id=PATIENT_ID).SMS(id=SMS_ID).get()


@scenario
def smses_get(client: Any, welkin: Any) -> Any:
    return client.SMSes().get(PATIENT_ID, "createdAt,asc")


@scenario
def smses_paginate(client: Any, welkin: Any) -> Any:
    return client.Patient(id=PATIENT_ID).SMSes().get(paginate=True)


# --- encounters and their assessments ----------------------------------------------------------


@scenario
def encounter_create(client: Any, welkin: Any) -> Any:
    return (
        client.Patient(id=PATIENT_ID)
        .Encounter(encounterType="intake", start=AWARE, userId=uuid.UUID(USER_ID))
        .create()
    )


@scenario
def encounter_get_with_nested_objects(client: Any, welkin: Any) -> Any:
    return encounter_parts(client.Patient(id=PATIENT_ID).Encounter(id=ENCOUNTER_ID).get())


@scenario
def encounter_get_related_data(client: Any, welkin: Any) -> Any:
    encounter = client.Patient(id=PATIENT_ID).Encounter(id=ENCOUNTER_ID)
    return encounter_parts(encounter.get(related_data=True))


@scenario
def encounter_get_positional(client: Any, welkin: Any) -> Any:
    return client.Encounter(id=ENCOUNTER_ID).get(PATIENT_ID, True)


@scenario
def encounter_update(client: Any, welkin: Any) -> Any:
    encounter = client.Patient(id=PATIENT_ID).Encounter(id=ENCOUNTER_ID)
    return encounter.update(status="FINALIZED", end=NAIVE)


@scenario
def encounter_delete(client: Any, welkin: Any) -> Any:
    return client.Encounter(id=ENCOUNTER_ID).delete(patient_id=PATIENT_ID)


@scenario
def encounters_get_through_patient(client: Any, welkin: Any) -> Any:
    encounters = client.Patient(id=PATIENT_ID).Encounters().get()
    return {"encounters": encounters, "first": encounter_parts(encounters[0])}


@scenario
def encounters_get_with_params(client: Any, welkin: Any) -> Any:
    return client.Encounters().get(
        patient_id=PATIENT_ID,
        related_data=True,
        with_care_team=True,
        only_with_calendar_event=False,
        statuses=["OPEN", "DRAFT"],
        sort="createdAt,desc",
    )


@scenario
def encounters_get_for_user(client: Any, welkin: Any) -> Any:
    return client.Encounters().get(user_id=USER_ID, statuses=["FINALIZED"])


@scenario
def encounters_paginate(client: Any, welkin: Any) -> Any:
    return client.Patient(id=PATIENT_ID).Encounters().get(paginate=True)


@scenario
def encounter_disposition_get(client: Any, welkin: Any) -> Any:
    encounter = client.Patient(id=PATIENT_ID).Encounter(id=ENCOUNTER_ID)
    return encounter.EncounterDisposition().get()


@scenario
def encounter_disposition_update(client: Any, welkin: Any) -> Any:
    encounter = client.Patient(id=PATIENT_ID).Encounter(id=ENCOUNTER_ID)
    return encounter.EncounterDisposition().update(outcome="RESOLVED", closedAt=AWARE)


@scenario
def assessment_create(client: Any, welkin: Any) -> Any:
    encounter = client.Patient(id=PATIENT_ID).Encounter(id=ENCOUNTER_ID)
    return encounter.Assessment(assessmentName="phq9", startedAt=AWARE).create()


@scenario
def assessment_get(client: Any, welkin: Any) -> Any:
    encounter = client.Patient(id=PATIENT_ID).Encounter(id=ENCOUNTER_ID)
    return encounter.Assessment(id=ASSESSMENT_ID).get()


@scenario
def assessment_get_positional(client: Any, welkin: Any) -> Any:
    return client.Assessment(id=ASSESSMENT_ID).get(PATIENT_ID, ENCOUNTER_ID)


@scenario
def assessment_update(client: Any, welkin: Any) -> Any:
    encounter = client.Patient(id=PATIENT_ID).Encounter(id=ENCOUNTER_ID)
    return encounter.Assessment(id=ASSESSMENT_ID).update(status="COMPLETED")


@scenario
def assessment_delete(client: Any, welkin: Any) -> Any:
    return client.Assessment(id=ASSESSMENT_ID).delete(
        patient_id=PATIENT_ID, encounter_id=ENCOUNTER_ID
    )


@scenario
def assessments_get(client: Any, welkin: Any) -> Any:
    return client.Patient(id=PATIENT_ID).Encounter(id=ENCOUNTER_ID).Assessments().get()


@scenario
def assessments_paginate(client: Any, welkin: Any) -> Any:
    return client.Assessments().get(PATIENT_ID, ENCOUNTER_ID, paginate=True)


@scenario
def assessment_record_create(client: Any, welkin: Any) -> Any:
    patient = client.Patient(id=PATIENT_ID)
    return patient.AssessmentRecord(assessmentName="phq9", status="DRAFT").create()


@scenario
def assessment_record_get(client: Any, welkin: Any) -> Any:
    return client.Patient(id=PATIENT_ID).AssessmentRecord(id=RECORD_ID).get()


@scenario
def assessment_record_update(client: Any, welkin: Any) -> Any:
    patient = client.Patient(id=PATIENT_ID)
    return patient.AssessmentRecord(id=RECORD_ID, status="COMPLETED", score=7).update()


@scenario
def assessment_record_delete(client: Any, welkin: Any) -> Any:
    return client.AssessmentRecord(id=RECORD_ID).delete(PATIENT_ID)


@scenario
def assessment_records_get(client: Any, welkin: Any) -> Any:
    return client.Patient(id=PATIENT_ID).AssessmentRecords().get()


@scenario
def assessment_records_paginate(client: Any, welkin: Any) -> Any:
    return client.AssessmentRecords().get(PATIENT_ID, paginate=True)


@scenario
def assessment_record_answers_update(client: Any, welkin: Any) -> Any:
    record = client.Patient(id=PATIENT_ID).AssessmentRecord(id=RECORD_ID)
    answers = [{"questionName": "q1", "answer": "yes", "answeredAt": AWARE}]
    return record.AssessmentRecordAnswers(answers=answers).update()


@scenario
def assessment_record_answers_update_positional(client: Any, welkin: Any) -> Any:
    answers = client.AssessmentRecordAnswers(answers=[{"questionName": "q1", "answer": "no"}])
    return answers.update(PATIENT_ID, RECORD_ID)


# --- programs ------------------------------------------------------------------------------------


@scenario
def patient_program_get_by_id(client: Any, welkin: Any) -> Any:
    return program_parts(client.Patient(id=PATIENT_ID).PatientProgram(id=PROGRAM_ID).get())


@scenario
def patient_program_get_by_name(client: Any, welkin: Any) -> Any:
    program = client.Patient(id=PATIENT_ID).PatientProgram(programName="onboarding")
    return program_parts(program.get(assigned_programs=True, sort="createdAt,desc"))


@scenario
def patient_program_update(client: Any, welkin: Any) -> Any:
    program = client.Patient(id=PATIENT_ID).PatientProgram(programName="onboarding")
    return program.update(currentPhaseName="phase-2", assignedAt=AWARE)


@scenario
def patient_program_delete(client: Any, welkin: Any) -> Any:
    return client.PatientProgram(id=PROGRAM_ID).delete(patient_id=PATIENT_ID)


@scenario
def patient_programs_get(client: Any, welkin: Any) -> Any:
    programs = client.Patient(id=PATIENT_ID).PatientPrograms().get()
    return {"programs": programs, "first": program_parts(programs[0])}


@scenario
def patient_programs_get_positional(client: Any, welkin: Any) -> Any:
    return client.PatientPrograms().get(PATIENT_ID, True, "createdAt,desc")


@scenario
def patient_programs_paginate(client: Any, welkin: Any) -> Any:
    return client.Patient(id=PATIENT_ID).PatientPrograms().get(paginate=True)


# --- tasks ---------------------------------------------------------------------------------------


@scenario
def task_create(client: Any, welkin: Any) -> Any:
    return client.Task(title="Call back", patientId=uuid.UUID(PATIENT_ID), dueDate=DAY).create()


@scenario
def task_get(client: Any, welkin: Any) -> Any:
    return client.Task(id=TASK_ID).get()


@scenario
def tasks_get(client: Any, welkin: Any) -> Any:
    return client.Tasks().get()


@scenario
def tasks_get_with_params(client: Any, welkin: Any) -> Any:
    params = {"patientId": PATIENT_ID, "taskStatus": ["OPEN", "DONE"], "dueDateFrom": DAY}
    return client.Tasks().get(params=params)


@scenario
def tasks_paginate(client: Any, welkin: Any) -> Any:
    return client.Tasks().get(paginate=True, size=3)


# --- designer formations ----------------------------------------------------------------------


@scenario
def formation_assessments_get(client: Any, welkin: Any) -> Any:
    return client.Formation().Assessments().get()


@scenario
def formation_assessments_paginate(client: Any, welkin: Any) -> Any:
    return client.Formation(version="draft").Assessments().get(paginate=True)


@scenario
def formation_assessment_get(client: Any, welkin: Any) -> Any:
    return client.Formation(version="draft").Assessment(name="phq9").get()


@scenario
def formation_cdts_get(client: Any, welkin: Any) -> Any:
    return client.Formation(version=3).CDTs().get()


@scenario
def formation_cdt_get(client: Any, welkin: Any) -> Any:
    return client.Formation(version=3).CDT(name="vitals").get()


@scenario
def formation_document_types_get(client: Any, welkin: Any) -> Any:
    return client.Formation().DocumentTypes().get()


@scenario
def formation_document_type_get(client: Any, welkin: Any) -> Any:
    return client.Formation().DocumentType(name="intake-form").get()


@scenario
def formation_encounters_get(client: Any, welkin: Any) -> Any:
    return client.Formation(version="current").Encounters().get()


@scenario
def formation_encounter_get(client: Any, welkin: Any) -> Any:
    return client.Formation().Encounter(name="intake").get()


@scenario
def formation_encounter_disposition_get(client: Any, welkin: Any) -> Any:
    return client.Formation(version="draft").EncounterDisposition().get()


@scenario
def formation_goals_get(client: Any, welkin: Any) -> Any:
    return client.Formation().Goals().get()


@scenario
def formation_goal_get(client: Any, welkin: Any) -> Any:
    return client.Formation().Goal(name="walk-more").get()


@scenario
def formation_programs_get(client: Any, welkin: Any) -> Any:
    return client.Formation(version=7).Programs().get()


@scenario
def formation_program_get(client: Any, welkin: Any) -> Any:
    return client.Formation(version=7).Program(name="onboarding").get()
