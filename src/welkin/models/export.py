"""Exports (``welkin.models.export`` of welkin 0.1.x)."""

from __future__ import annotations

from typing import Any

from ..pagination import CursorIterator
from .base import Collection, Resource
from .encounter import Encounters

__all__ = ["CDTRecordExport", "CDTRecordsExport"]


class CDTRecordExport(Resource):
    """One exported custom data type record."""

    subresources = (Encounters,)
    typed_model = "exports.CdtRecordExport"

    def __str__(self) -> str:
        try:
            return f"{self.firstName} {self.lastName}"
        except AttributeError:
            return str(self.username)


class CDTRecordsExport(Collection):
    """The custom data type records export (cursor paging; ``size=`` sets the page size)."""

    resource = CDTRecordExport
    iterator = CursorIterator

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return super().get(f"{self._client.instance}/export/CDT_RECORD", *args, **kwargs)
