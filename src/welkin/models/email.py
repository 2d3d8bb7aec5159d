"""Emails (``welkin.models.email`` of welkin 0.1.x)."""

from __future__ import annotations

from typing import Any

from typing_extensions import Self

from ..pagination import PageableIterator
from ..util import model_id
from .base import Collection, Resource

__all__ = ["Email", "Emails"]


class Email(Resource):
    """An email to or from a patient."""

    typed_model = "emails.Email"

    @model_id("Patient")
    def get(self, patient_id: str, *args: Any, **kwargs: Any) -> Self:  # type: ignore[override]
        path = f"{self._client.instance}/patients/{patient_id}/emails/{self.id}"
        return super().get(path, *args, **kwargs)


class Emails(Collection):
    """A patient's emails."""

    resource = Email
    iterator = PageableIterator

    @model_id("Patient")
    def get(self, patient_id: str, sort: str | None = None, *args: Any, **kwargs: Any) -> Any:
        path = f"{self._client.instance}/patients/{patient_id}/emails"
        return super().get(path, *args, params={"sort": sort}, **kwargs)
