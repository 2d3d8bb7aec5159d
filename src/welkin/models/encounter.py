"""Encounters and their dispositions (``welkin.models.encounter`` of welkin 0.1.x)."""

from __future__ import annotations

from enum import Enum
from types import MappingProxyType
from typing import Any

from typing_extensions import Self

from ..pagination import MetaInfoIterator
from ..util import model_id
from .assessment import Assessment, Assessments
from .base import Collection, Resource

__all__ = ["Encounter", "EncounterDisposition", "EncounterStatus", "Encounters"]


class EncounterDisposition(Resource):
    """The disposition of an encounter."""

    typed_model = "encounters.EncounterDisposition"

    def _path(self, patient_id: str, encounter_id: str) -> str:
        instance = self._client.instance
        return f"{instance}/patients/{patient_id}/encounters/{encounter_id}/disposition"

    @model_id("Patient", "Encounter")
    def get(self, patient_id: str, encounter_id: str) -> Self:  # type: ignore[override]
        return super().get(self._path(patient_id, encounter_id))

    @model_id("Patient", "Encounter")
    def update(self, patient_id: str, encounter_id: str, **kwargs: Any) -> Self:  # type: ignore[override]
        return super().patch(self._path(patient_id, encounter_id), kwargs)


class EncounterStatus(Enum):
    OPEN = "OPEN"
    CANCELLED = "CANCELLED"
    DRAFT = "DRAFT"
    FINALIZED = "FINALIZED"


class Encounter(Resource):
    """A patient's encounter (``get(related_data=True)`` adds its related data)."""

    subresources = (Assessment, Assessments, EncounterDisposition)
    nested_objects = MappingProxyType(
        {
            "assessmentLinks": "Assessments",
            "userRelatedToCalendarEvent": "User",
            "disposition": "EncounterDisposition",
        }
    )
    typed_model = "encounters.Encounter"

    def _path(self, patient_id: str, kind: str = "encounters") -> str:
        return f"{self._client.instance}/patients/{patient_id}/{kind}"

    @model_id("Patient")
    def create(self, patient_id: str) -> Self:
        return super().post(self._path(patient_id))

    @model_id("Patient")
    def get(self, patient_id: str, related_data: bool = False) -> Self:  # type: ignore[override]
        kind = "full-encounters" if related_data else "encounters"
        return super().get(f"{self._path(patient_id, kind)}/{self.id}")

    @model_id("Patient")
    def update(self, patient_id: str, **kwargs: Any) -> Self:  # type: ignore[override]
        return super().patch(f"{self._path(patient_id)}/{self.id}", kwargs)

    @model_id("Patient")
    def delete(self, patient_id: str) -> Self:
        return super().delete(f"{self._path(patient_id)}/{self.id}")


class Encounters(Collection):
    """Encounters of a patient or of a user (given, or the object they were reached from)."""

    resource = Encounter
    iterator = MetaInfoIterator

    def get(
        self,
        patient_id: str | None = None,
        user_id: str | None = None,
        related_data: bool | None = None,
        with_care_team: bool | None = None,
        only_with_calendar_event: bool | None = None,
        statuses: list[str] | None = None,
        sort: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        path = f"{self._client.instance}/"
        parent = type(self._parent).__name__
        if patient_id:
            path += f"patients/{patient_id}/"
        elif user_id:
            path += f"users/{user_id}/"
        elif parent == "Patient":
            path += f"patients/{self._parent.id}/"
        elif parent == "User":
            path += f"users/{self._parent.id}/"
        path += "full-encounters" if related_data else "encounters"
        params = {
            "withCareTeam": with_care_team,
            "statuses": statuses,
            "sort": sort,
            "onlyWithCalendarEvent": only_with_calendar_event,
        }
        return super().get(path, *args, params=params, **kwargs)
