"""Patient contacts (``welkin.models.contact`` of welkin 0.1.x)."""

from __future__ import annotations

from typing_extensions import Self

from ..util import model_id
from .base import Resource

__all__ = ["Contact"]


class Contact(Resource):
    """A contact of a patient."""

    @model_id("Patient")
    def create(self, patient_id: str) -> Self:
        return super().post(f"{self._client.instance}/patients/{patient_id}/contacts")
