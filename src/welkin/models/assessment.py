"""Encounter assessments and assessment records (``welkin.models.assessment`` of welkin 0.1.x)."""

from __future__ import annotations

from typing import Any

from typing_extensions import Self

from ..pagination import PageableIterator
from ..util import model_id
from .base import Collection, Resource

__all__ = [
    "Assessment",
    "AssessmentRecord",
    "AssessmentRecordAnswers",
    "AssessmentRecords",
    "Assessments",
]


def _encounter_path(client: Any, patient_id: str, encounter_id: str) -> str:
    return f"{client.instance}/patients/{patient_id}/encounters/{encounter_id}/assessments"


class Assessment(Resource):
    """An assessment linked to an encounter."""

    typed_model = "encounters.EncounterAssessmentLink"

    @model_id("Patient", "Encounter")
    def create(self, patient_id: str, encounter_id: str) -> Self:
        return super().post(_encounter_path(self._client, patient_id, encounter_id))

    @model_id("Patient", "Encounter")
    def get(self, patient_id: str, encounter_id: str) -> Self:  # type: ignore[override]
        path = _encounter_path(self._client, patient_id, encounter_id)
        return super().get(f"{path}/{self.id}")

    @model_id("Patient", "Encounter")
    def update(self, patient_id: str, encounter_id: str, **kwargs: Any) -> Self:  # type: ignore[override]
        path = _encounter_path(self._client, patient_id, encounter_id)
        return super().patch(f"{path}/{self.id}", kwargs)

    @model_id("Patient", "Encounter")
    def delete(self, patient_id: str, encounter_id: str) -> Self:
        path = _encounter_path(self._client, patient_id, encounter_id)
        return super().delete(f"{path}/{self.id}")


class Assessments(Collection):
    """The assessments linked to an encounter."""

    resource = Assessment
    iterator = PageableIterator

    @model_id("Patient", "Encounter")
    def get(self, patient_id: str, encounter_id: str, *args: Any, **kwargs: Any) -> Any:
        path = _encounter_path(self._client, patient_id, encounter_id)
        return super().get(path, *args, **kwargs)


class AssessmentRecordAnswers(Resource):
    """The answers of an assessment record, replaced as a whole."""

    typed_model = "assessments.AssessmentRecordAnswers"

    @model_id("Patient", "AssessmentRecord")
    def update(self, patient_id: str, assessment_record_id: str) -> Self:  # type: ignore[override]
        return super().put(
            f"{self._client.instance}/patients/{patient_id}/"
            f"assessment-records/{assessment_record_id}/answers"
        )


class AssessmentRecord(Resource):
    """A patient's assessment record."""

    subresources = (AssessmentRecordAnswers,)
    typed_model = "assessments.AssessmentRecord"

    def _path(self, patient_id: str) -> str:
        return f"{self._client.instance}/patients/{patient_id}/assessment-records"

    @model_id("Patient")
    def create(self, patient_id: str) -> Self:
        return super().post(self._path(patient_id))

    @model_id("Patient")
    def get(self, patient_id: str) -> Self:  # type: ignore[override]
        return super().get(f"{self._path(patient_id)}/{self.id}")

    @model_id("Patient")
    def update(self, patient_id: str) -> Self:  # type: ignore[override]
        return super().put(f"{self._path(patient_id)}/{self.id}")

    @model_id("Patient")
    def delete(self, patient_id: str) -> Self:
        return super().delete(f"{self._path(patient_id)}/{self.id}")


class AssessmentRecords(Collection):
    """A patient's assessment records."""

    resource = AssessmentRecord
    iterator = PageableIterator

    @model_id("Patient")
    def get(self, patient_id: str, **kwargs: Any) -> Any:
        return super().get(
            f"{self._client.instance}/patients/{patient_id}/assessment-records", **kwargs
        )
