"""Tasks (``welkin.models.task`` of welkin 0.1.x)."""

from __future__ import annotations

from typing import Any

from typing_extensions import Self

from ..pagination import MetaInfoIterator
from .base import Collection, Resource

__all__ = ["Task", "Tasks"]


class Task(Resource):
    """A task."""

    typed_model = "tasks.Task"

    def create(self) -> Self:
        return super().post(f"{self._client.instance}/tasks")

    def get(self) -> Self:  # type: ignore[override]
        return super().get(f"{self._client.instance}/tasks/{self.id}")


class Tasks(Collection):
    """Tasks of the instance."""

    resource = Task
    iterator = MetaInfoIterator

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return super().get(f"{self._client.instance}/tasks", *args, **kwargs)
