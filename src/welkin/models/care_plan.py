"""Care plans (``welkin.models.care_plan`` of welkin 0.1.x)."""

from __future__ import annotations

from typing_extensions import Self

from ..util import model_id
from .base import Resource

__all__ = ["CarePlan", "CarePlanOverview"]


class CarePlanOverview(Resource):
    """The overview of a patient's care plan, replaced as a whole."""

    typed_model = "care_plans.PatientOverview"

    @model_id("Patient")
    def update(self, patient_id: str) -> Self:  # type: ignore[override]
        return super().put(f"{self._client.instance}/patients/{patient_id}/care-plan/overview")


class CarePlan(Resource):
    """A patient's care plan."""

    subresources = (CarePlanOverview,)
    typed_model = "care_plans.CarePlan"

    @model_id("Patient")
    def create(self, patient_id: str) -> Self:
        return super().post(f"{self._client.instance}/patients/{patient_id}/care-plan/overview")

    @model_id("Patient")
    def get(self, patient_id: str) -> Self:  # type: ignore[override]
        return super().get(f"{self._client.instance}/patients/{patient_id}/care-plan")
