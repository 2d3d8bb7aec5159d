"""Patient programs and their phases (``welkin.models.program`` of welkin 0.1.x)."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from typing_extensions import Self

from ..pagination import MetaInfoIterator
from ..util import model_id
from .base import Collection, Resource

__all__ = ["PatientProgram", "PatientPrograms", "ProgramPhase", "ProgramPhases"]


class ProgramPhase(Resource):
    """A phase of a patient program."""

    typed_model = "programs.PatientProgramPhase"


class ProgramPhases(Collection):
    """Phases of a patient program."""

    resource = ProgramPhase


class PatientProgram(Resource):
    """A program assigned to a patient, read by ``id`` (history) or ``programName``."""

    subresources = (ProgramPhase,)
    nested_objects = MappingProxyType(
        {
            "phases": "ProgramPhase",
            "currentPhase": "ProgramPhase",
            "pathHistory": "ProgramPhases",
        }
    )
    typed_model = "programs.PatientProgram"

    @model_id("Patient")
    def get(  # type: ignore[override]
        self,
        patient_id: str,
        assigned_programs: bool | None = None,
        sort: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Self:
        path = f"{self._client.instance}/patients/{patient_id}/programs"
        if "id" in self:
            path += f"/history/{self.id}"
        elif "programName" in self:
            path += f"/current/{self.programName}"
        else:
            raise ValueError("Program must have either programName or id attributes")
        params = {"assignedPrograms": assigned_programs, "sort": sort}
        return super().get(path, *args, params=params, **kwargs)

    @model_id("Patient")
    def update(self, patient_id: str, **kwargs: Any) -> Self:  # type: ignore[override]
        path = f"{self._client.instance}/patients/{patient_id}/programs/{self.programName}"
        return super().patch(path, kwargs)

    @model_id("Patient")
    def delete(self, patient_id: str) -> Self:
        return super().delete(f"{self._client.instance}/patients/{patient_id}/programs/{self.id}")


class PatientPrograms(Collection):
    """A patient's programs."""

    resource = PatientProgram
    iterator = MetaInfoIterator

    @model_id("Patient")
    def get(
        self,
        patient_id: str,
        assigned_programs: bool | None = None,
        sort: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        path = f"{self._client.instance}/patients/{patient_id}/programs"
        params = {"assignedPrograms": assigned_programs, "sort": sort}
        return super().get(path, *args, params=params, **kwargs)
