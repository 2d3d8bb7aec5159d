"""Chat messages (``welkin.models.chat`` of welkin 0.1.x)."""

from __future__ import annotations

from typing import Any

from typing_extensions import Self

from ..pagination import MetaIterator
from ..util import model_id
from .base import Collection, Resource

__all__ = ["Chat", "ChatSearchResult", "Chats", "SearchChats"]


class Chat(Resource):
    """A chat message."""

    typed_model = "chat.ChatMessage"

    @model_id("Patient")
    def create(self, patient_id: str) -> Self:
        return super().post(f"{self._client.instance}/patients/{patient_id}/chat/inbound")

    def __str__(self) -> str:
        return f"{self.sender['clientType']} {self.message}"


class Chats(Collection):
    """A patient's chat history."""

    resource = Chat
    iterator = MetaIterator

    @model_id("Patient")
    def get(
        self, patient_id: str, include_archived: bool = False, *args: Any, **kwargs: Any
    ) -> Any:
        params = {"includeArchived": include_archived}
        path = f"{self._client.instance}/patients/{patient_id}/chat"
        return super().get(path, *args, params=params, **kwargs)


class ChatSearchResult(Resource):
    """A chat search hit."""

    typed_model = "chat.ChatSearchHit"


class SearchChats(Collection):
    """Chat messages of a patient that match ``query``."""

    resource = ChatSearchResult
    iterator = MetaIterator

    @model_id("Patient")
    def get(
        self,
        patient_id: str,
        query: str,
        content_page_size: int = 20,
        include_archived: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        params = {
            "query": query,
            "contentPageSize": content_page_size,
            "includeArchived": include_archived,
        }
        path = f"{self._client.instance}/patients/{patient_id}/chat/search"
        return super().get(path, *args, params=params, **kwargs)
