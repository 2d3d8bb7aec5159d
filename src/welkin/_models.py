"""The base class of every generated model: lenient, lossless and alias-aware."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["WelkinModel"]


class WelkinModel(BaseModel):
    """Base of all Welkin models.

    Welkin adds fields without notice, so unknown fields are kept (and dumped back), every
    field may be null, and both the Python name (``first_name``) and the wire name
    (``firstName``) are accepted on input.
    """

    model_config = ConfigDict(
        extra="allow",
        validate_by_name=True,
        validate_by_alias=True,
        arbitrary_types_allowed=True,
    )

    def to_json(self) -> dict[str, Any]:
        """The wire form: camelCase keys, only the fields that were set, unknown fields kept."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)
