"""Document summaries and their files (``welkin.models.document`` of welkin 0.1.x)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from typing_extensions import Self

from ..pagination import PageableIterator
from ..util import model_id
from .base import Collection, Resource

__all__ = [
    "DocumentSummaries",
    "DocumentSummary",
    "DocumentSummaryFile",
    "DocumentSummaryFiles",
]


def _summary_path(client: Any, patient_id: str) -> str:
    return f"{client.instance}/patients/{patient_id}/document-summary"


class DocumentSummaryFile(Resource):
    """A file of a document summary; ``get`` returns its content."""

    typed_model = "documents.DocumentFile"

    @model_id("Patient", "DocumentSummary")
    def get(self, patient_id: str, document_summary_id: str) -> BytesIO:  # type: ignore[override]
        path = f"{_summary_path(self._client, patient_id)}/{document_summary_id}/files/{self.id}"
        return BytesIO(self._client.get(path))


class DocumentSummaryFiles(Collection):
    """The files of a document summary; ``create(files=[...])`` uploads."""

    resource = DocumentSummaryFile
    iterator = PageableIterator

    @model_id("Patient", "DocumentSummary")
    def create(
        self,
        patient_id: str,
        document_summary_id: str,
        files: Any = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        path = f"{_summary_path(self._client, patient_id)}/{document_summary_id}/files"
        return super().post(path, *args, files=files, **kwargs)


class DocumentSummary(Resource):
    """A document summary of a patient."""

    subresources = (DocumentSummaryFile, DocumentSummaryFiles)
    typed_model = "documents.DocumentSummary"

    @model_id("Patient")
    def get(self, patient_id: str) -> Self:  # type: ignore[override]
        return super().get(f"{_summary_path(self._client, patient_id)}/{self.id}")

    @model_id("Patient")
    def create(self, patient_id: str) -> Self:
        return super().post(_summary_path(self._client, patient_id))

    @model_id("Patient")
    def delete(self, patient_id: str) -> Self:
        return super().delete(f"{_summary_path(self._client, patient_id)}/{self.id}")


class DocumentSummaries(Collection):
    """A patient's document summaries."""

    resource = DocumentSummary
    iterator = PageableIterator

    @model_id("Patient")
    def get(self, patient_id: str, *args: Any, **kwargs: Any) -> Any:
        return super().get(_summary_path(self._client, patient_id), *args, **kwargs)
