"""Patient data type records (``welkin.models.pdt`` of welkin 0.1.x)."""

from __future__ import annotations

from typing_extensions import Self

from .base import Resource

__all__ = ["PDT"]


class PDT(Resource):
    """A record of the patient data type ``pdtName``."""

    def create(self, pdt_name: str) -> Self:
        return super().post(f"{self._client.instance}/pdts/{pdt_name}")

    def get(self) -> Self:  # type: ignore[override]
        return super().get(f"{self._client.instance}/pdts/{self.pdtName}/{self.id}")
