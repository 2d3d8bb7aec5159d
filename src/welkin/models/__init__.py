"""The old package's classes (``welkin.models`` of welkin 0.1.x), with the old module tree.

Each is a dict (a resource) or a list (a collection) of Welkin's JSON as sent. Use them
through a client, ``client.Patient(id=...).get()``; the typed models are in ``welkin.types``.
"""

# The old package's order is kept in __all__.
from .assessment import (
    Assessment,
    AssessmentRecord,
    AssessmentRecordAnswers,
    AssessmentRecords,
    Assessments,
)
from .audit import DataAudit, DataAudits, WebhookAudit, WebhookAudits
from .calendar import CalendarEvent, CalendarEvents, Schedules, WorkHours
from .care_plan import CarePlan, CarePlanOverview
from .cdt import CDT, CDTs
from .chat import Chat, Chats, SearchChats
from .contact import Contact
from .document import (
    DocumentSummaries,
    DocumentSummary,
    DocumentSummaryFile,
    DocumentSummaryFiles,
)
from .email import Email, Emails
from .encounter import Encounter, EncounterDisposition, Encounters
from .export import CDTRecordsExport
from .formation import Formation
from .patient import Patient, Patients
from .pdt import PDT
from .program import PatientProgram, PatientPrograms, ProgramPhase, ProgramPhases
from .sms import SMS, SMSes
from .task import Task, Tasks
from .user import User, Users

__all__ = [
    "Assessment",
    "AssessmentRecord",
    "AssessmentRecordAnswers",
    "AssessmentRecords",
    "Assessments",
    "CalendarEvent",
    "CalendarEvents",
    "CarePlan",
    "CarePlanOverview",
    "CDT",
    "CDTRecordsExport",
    "CDTs",
    "Chat",
    "Chats",
    "Contact",
    "DataAudit",
    "DataAudits",
    "DocumentSummaries",
    "DocumentSummary",
    "DocumentSummaryFile",
    "DocumentSummaryFiles",
    "Email",
    "Emails",
    "Encounter",
    "EncounterDisposition",
    "Encounters",
    "Formation",
    "Patient",
    "PatientProgram",
    "PatientPrograms",
    "Patients",
    "PDT",
    "ProgramPhase",
    "ProgramPhases",
    "Schedules",
    "SearchChats",
    "SMS",
    "SMSes",
    "Task",
    "Tasks",
    "User",
    "Users",
    "WebhookAudit",
    "WebhookAudits",
    "WorkHours",
]
