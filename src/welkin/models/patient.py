"""Patients (``welkin.models.patient`` of welkin 0.1.x)."""

from __future__ import annotations

from typing import Any

from typing_extensions import Self

from .._exceptions import InvalidArgumentError
from ..pagination import PageableIterator
from .assessment import AssessmentRecord, AssessmentRecords
from .base import Collection, Resource
from .care_plan import CarePlan
from .cdt import CDT, CDTs
from .chat import Chat, Chats, SearchChats
from .contact import Contact
from .document import DocumentSummaries, DocumentSummary, DocumentSummaryFile
from .email import Email, Emails
from .encounter import Encounter, Encounters
from .program import PatientProgram, PatientPrograms
from .sms import SMS, SMSes

__all__ = ["Patient", "Patients"]

# How Patient.get looks a patient up: the first key the object has, and the ``type`` query.
_LOOKUPS = (("id", None), ("externalId", "EID"), ("externalGuid", "EGUID"), ("mrn", "MRN"))


class Patient(Resource):
    """A patient; children (``patient.Encounters()``...) take its id."""

    subresources = (
        AssessmentRecord,
        AssessmentRecords,
        CarePlan,
        CDT,
        CDTs,
        Chat,
        Chats,
        Contact,
        DocumentSummaries,
        DocumentSummary,
        DocumentSummaryFile,
        Email,
        Emails,
        Encounter,
        Encounters,
        PatientProgram,
        PatientPrograms,
        SearchChats,
        SMS,
        SMSes,
    )
    typed_model = "patients.Patient"

    def create(self) -> Self:
        return super().post(f"{self._client.instance}/patients")

    def get(self, expand: bool | None = None) -> Self:  # type: ignore[override]
        """Read by ``id``, else ``externalId``, ``externalGuid`` or ``mrn``."""
        found = next(((k, t) for k, t in _LOOKUPS if k in self), None)
        if found is None:
            raise InvalidArgumentError(
                "Patient", "needs one of id, externalId, externalGuid or mrn"
            )
        key, kind = found
        # The old package put ``expand``'s value where its name belonged (a query
        # ``True=True``, or nothing when None); kept so the requests stay the same.
        params = {"type": kind, expand: expand}
        return super().get(f"{self._client.instance}/patients/{self[key]}", params=params)

    def update(self, **kwargs: Any) -> Self:  # type: ignore[override]
        return super().patch(f"{self._client.instance}/patients/{self.id}", kwargs)

    def delete(self) -> Self:  # type: ignore[override]
        return super().delete(f"{self._client.instance}/patients/{self.id}")

    def __str__(self) -> str:
        return f"{self.firstName} {self.lastName}"


class Patients(Collection):
    """Patients, listed through the by-filter search (``get(filter)``; ``{}`` lists all)."""

    resource = Patient
    iterator = PageableIterator

    def get(self, filter: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> Any:
        path = f"{self._client.instance}/by-filter/patients"
        return super().post(path, *args, json=filter or {}, **kwargs)
