"""Custom data type records (``welkin.models.cdt`` of welkin 0.1.x)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from typing_extensions import Self

from ..pagination import PageNumberIterator
from ..util import model_id
from .base import Collection, Resource

__all__ = ["CDT", "CDTs"]


class CDT(Resource):
    """A record of the custom data type ``cdtName``."""

    typed_model = "common.CdtRecord"

    def _path(self, patient_id: str) -> str:
        return f"{self._client.instance}/patients/{patient_id}/cdts/{self.cdtName}"

    @model_id("Patient")
    def create(self, patient_id: str) -> Self:
        return super().post(self._path(patient_id))

    @model_id("Patient")
    def get(self, patient_id: str) -> Self:  # type: ignore[override]
        return super().get(f"{self._path(patient_id)}/{self.id}")

    @model_id("Patient")
    def update(self, patient_id: str, **kwargs: Any) -> Self:  # type: ignore[override]
        return super().patch(f"{self._path(patient_id)}/{self.id}", kwargs)

    @model_id("Patient")
    def delete(self, patient_id: str) -> Self:
        return super().delete(f"{self._path(patient_id)}/{self.id}")


class CDTs(Collection):
    """A patient's records of one custom data type."""

    resource = CDT
    iterator = PageNumberIterator

    @model_id("Patient")
    def get(
        self,
        patient_id: str,
        cdt_name: str,
        fields: list[str] | None = None,
        filters: dict[str, Any] | None = None,
        date_start: datetime | None = None,
        date_end: datetime | None = None,
        sort: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        params = {
            "fields": fields,
            "filters": filters,
            "sort": sort,
            "dateStart": date_start,
            "dateEnd": date_end,
        }
        path = f"{self._client.instance}/patients/{patient_id}/cdts/{cdt_name}"
        return super().get(path, *args, params=params, **kwargs)

    @model_id("Patient")
    def update(
        self, patient_id: str, cdt_name: str, body: dict[str, Any] | None = None, **kwargs: Any
    ) -> Any:
        path = f"{self._client.instance}/patients/{patient_id}/cdts/{cdt_name}"
        return super().patch(path, json=body, **kwargs)
