"""SMS messages (``welkin.models.sms`` of welkin 0.1.x)."""

from __future__ import annotations

from typing import Any

from typing_extensions import Self

from ..pagination import PageableIterator
from ..util import model_id
from .base import Collection, Resource

__all__ = ["SMS", "SMSes"]


class SMS(Resource):
    """An SMS to or from a patient."""

    typed_model = "sms.Sms"

    @model_id("Patient")
    def get(self, patient_id: str, *args: Any, **kwargs: Any) -> Self:  # type: ignore[override]
        path = f"{self._client.instance}/patients/{patient_id}/sms/{self.id}"
        return super().get(path, *args, **kwargs)


class SMSes(Collection):
    """A patient's SMS messages."""

    resource = SMS
    iterator = PageableIterator

    @model_id("Patient")
    def get(self, patient_id: str, sort: str | None = None, *args: Any, **kwargs: Any) -> Any:
        path = f"{self._client.instance}/patients/{patient_id}/sms"
        return super().get(path, *args, params={"sort": sort}, **kwargs)
