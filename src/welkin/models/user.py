"""Users (``welkin.models.user`` of welkin 0.1.x)."""

from __future__ import annotations

from enum import Enum
from typing import Any

from typing_extensions import Self

from ..pagination import MetaInfoIterator
from .base import Collection, Resource
from .encounter import Encounters

__all__ = ["User", "UserState", "Users"]


class User(Resource):
    """A user (care team member)."""

    subresources = (Encounters,)
    typed_model = "users.User"

    def __str__(self) -> str:
        try:
            return f"{self.firstName} {self.lastName}"
        except AttributeError:
            return str(self.username)

    def create(self) -> Self:
        return super().post("admin/users")

    def get(self) -> Self:  # type: ignore[override]
        return super().get(f"admin/users/{self.id}", params={"type": "ID"})

    def update(self, **kwargs: Any) -> Self:  # type: ignore[override]
        return super().patch(f"admin/users/{self.username}", kwargs)

    def delete(self) -> Self:  # type: ignore[override]
        return super().delete(f"admin/users/{self.id}", params={"type": "ID"})


class UserState(Enum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    PROVISIONED = "PROVISIONED"


class Users(Collection):
    """Users of the tenant, or of the instance when ``region`` is given."""

    resource = User
    iterator = MetaInfoIterator

    def get(
        self,
        search: str | None = None,
        region: str | None = None,
        seat_assigned: bool | None = None,
        user_state: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        params: dict[str, Any] = {
            "search": search,
            "seatAssigned": seat_assigned,
            "userState": user_state,
        }
        if user_state:
            UserState(user_state)  # raises ValueError for an unknown state, before sending
        path = "admin/users"
        if region:
            path = f"{self._client.instance}/users"
            params["region"] = region
        return super().get(path, *args, params=params, **kwargs)
