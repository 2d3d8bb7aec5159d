"""The response envelopes of Welkin's list calls, one model per pagination style.

An envelope parses a page body, dumps it back unchanged, knows the query of the next page,
and validates its items into typed models only as they are reached: validating a page of
a hundred patients at once keeps every nested object alive together, which costs more
(in the garbage collector) than validating them one by one. Items are read leniently (see
``_models.validate_response``) unless the page was validated with the strict context; the
envelope's own fields, which drive paging, are validated as declared either way.

Styles: PAGE (Spring page), PAGE_IN_DATA (Spring page under ``data``), METAINFO (``data`` +
``metaInfo``), TOKEN (``content`` + ``meta.nextPageToken``), CURSOR (items + ``cursor``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import (
    BaseModel,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from ._models import WelkinModel, reads_strictly, validate_model

__all__ = [
    "STYLES",
    "CursorPage",
    "Envelope",
    "MetaInfoPage",
    "SpringDataPage",
    "SpringPage",
    "TokenPage",
]

T = TypeVar("T")


@cache
def _item_validator(envelope: type[Envelope[Any]], strict: bool) -> Callable[[Any], Any]:
    """How to validate one item of ``envelope`` (e.g. ``SpringPage[Patient]``), for items
    that are not Welkin models (see ``_item_model``)."""
    args = envelope.__pydantic_generic_metadata__["args"]
    if not args:
        return lambda raw: raw  # an unparametrized envelope: items stay as decoded JSON
    item = args[0]
    if isinstance(item, type) and issubclass(item, BaseModel):
        return item.model_validate
    return TypeAdapter(item).validate_python


@cache
def _item_model(envelope: type[Envelope[Any]]) -> type[WelkinModel] | None:
    """The Welkin model of ``envelope``'s items, if they are one."""
    args = envelope.__pydantic_generic_metadata__["args"]
    item = args[0] if args else None
    return item if isinstance(item, type) and issubclass(item, WelkinModel) else None


def _validated(raws: list[Any], model: type[WelkinModel], strict: bool) -> Iterator[Any]:
    """Each item as ``model``: as declared when it fits (all in pydantic-core, the common
    case), else read leniently (or, with ``strict``, raising)."""
    validate = model.__pydantic_validator__.validate_python
    for raw in raws:
        try:
            item = validate(raw)
        except ValidationError:
            item = validate_model(model, raw, strict=strict)
        yield item


class Envelope(WelkinModel, Generic[T]):
    """A parsed page: its items (validated when reached) and how to ask for the next one."""

    #: Where a bare JSON array goes: some endpoints answer one even when a page is asked for,
    #: and it is then one, last, page.
    _bare_list_key: ClassVar[str] = "content"
    _items: list[T] | None = PrivateAttr(default=None)
    _bare: bool = PrivateAttr(default=False)  # the body was a bare array
    # Items are validated after the page, so the page keeps how strictly to read them.
    _strict: bool = PrivateAttr(default=False)

    @model_validator(mode="wrap")
    @classmethod
    def _accept_bare_list(
        cls, data: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo
    ) -> Any:
        if not isinstance(data, list):
            page = handler(data)
        else:
            page = handler(cls._wrap_bare_list(data))
            page._bare = True
        if reads_strictly(info.context):
            page._strict = True
        return page

    @classmethod
    def _wrap_bare_list(cls, data: list[Any]) -> dict[str, Any]:
        return {cls._bare_list_key: data}

    def to_dict(self) -> Any:
        """The page's body, exactly as it came in (a bare array stays one)."""
        if self._bare:
            return list(self.raw_items())
        return super().to_dict()

    def raw_items(self) -> list[Any]:
        """This page's items as decoded JSON."""
        raise NotImplementedError

    def iter_items(self) -> Iterator[T]:
        """This page's items, each validated as the iteration reaches it."""
        if self._items is not None:
            return iter(self._items)
        model = _item_model(type(self))
        if model is not None:
            return _validated(self.raw_items(), model, self._strict)
        return map(_item_validator(type(self), self._strict), self.raw_items())

    @property
    def items(self) -> list[T]:
        """This page's items, validated (once) into typed models."""
        if self._items is None:
            self._items = list(self.iter_items())
        return self._items

    def next_query(self, query: dict[str, str]) -> dict[str, str] | None:
        """The query string of the next page, or None on the last page."""
        raise NotImplementedError


class SpringSort(WelkinModel):
    sorted: bool | None = None
    unsorted: bool | None = None
    empty: bool | None = None


class Pageable(WelkinModel):
    sort: SpringSort | None = None
    page_number: int | None = Field(None, alias="pageNumber")
    page_size: int | None = Field(None, alias="pageSize")
    offset: int | None = None
    paged: bool | None = None
    unpaged: bool | None = None


class SpringPage(Envelope[T]):
    """PAGE: ``content`` plus Spring's ``pageable``, ``last``, ``number``, ``totalPages``..."""

    raw_content: list[Any] = Field(default_factory=list, alias="content")
    # Spring writes the string "INSTANCE" here for unpaged results.
    pageable: Pageable | str | None = None
    last: bool | None = None
    first: bool | None = None
    number: int | None = None
    size: int | None = None
    number_of_elements: int | None = Field(None, alias="numberOfElements")
    total_elements: int | None = Field(None, alias="totalElements")
    total_pages: int | None = Field(None, alias="totalPages")
    sort: SpringSort | None = None
    empty: bool | None = None

    def raw_items(self) -> list[Any]:
        return self.raw_content

    def next_query(self, query: dict[str, str]) -> dict[str, str] | None:
        number = self.number
        if number is None and isinstance(self.pageable, Pageable):
            number = self.pageable.page_number
        if self.last is not False or not self.raw_content or number is None:
            return None
        if self.total_pages is not None and number + 1 >= self.total_pages:
            return None
        return {**query, "page": str(number + 1)}


class SpringDataPage(Envelope[T]):
    """PAGE_IN_DATA: ``{name, data: <Spring page>}`` (CDT records)."""

    name: str | None = None
    data: SpringPage[Any] = Field(default_factory=SpringPage)

    @classmethod
    def _wrap_bare_list(cls, data: list[Any]) -> dict[str, Any]:
        return {"data": {"content": data}}

    def raw_items(self) -> list[Any]:
        return self.data.raw_content

    def next_query(self, query: dict[str, str]) -> dict[str, str] | None:
        return self.data.next_query(query)


class MetaInfo(WelkinModel):
    page: int | None = None
    page_size: int | None = Field(None, alias="pageSize")
    total_elements: int | None = Field(None, alias="totalElements")
    number_of_elements: int | None = Field(None, alias="numberOfElements")
    total_pages: int | None = Field(None, alias="totalPages")
    first_page: bool | None = Field(None, alias="firstPage")
    last_page: bool | None = Field(None, alias="lastPage")


class MetaInfoPage(Envelope[T]):
    """METAINFO: ``data`` plus ``metaInfo{page, lastPage, ...}``."""

    _bare_list_key: ClassVar[str] = "data"
    raw_data: list[Any] = Field(default_factory=list, alias="data")
    meta_info: MetaInfo | None = Field(None, alias="metaInfo")

    def raw_items(self) -> list[Any]:
        return self.raw_data

    def next_query(self, query: dict[str, str]) -> dict[str, str] | None:
        meta = self.meta_info
        if meta is None or meta.last_page is not False or meta.page is None or not self.raw_data:
            return None
        return {**query, "page": str(meta.page + 1)}


class TokenMeta(WelkinModel):
    next_page_token: str | None = Field(None, alias="nextPageToken")
    prev_page_token: str | None = Field(None, alias="prevPageToken")
    page_size: int | None = Field(None, alias="pageSize")
    # Welkin's example sends `"found": true`; a count is kept as a count.
    found: bool | int | None = None


class TokenPage(Envelope[T]):
    """TOKEN: ``content`` plus ``meta{nextPageToken, prevPageToken}`` (chat)."""

    raw_content: list[Any] = Field(default_factory=list, alias="content")
    meta: TokenMeta | None = None

    def raw_items(self) -> list[Any]:
        return self.raw_content

    def next_query(self, query: dict[str, str]) -> dict[str, str] | None:
        token = self.meta.next_page_token if self.meta else None
        # A page token cannot be combined with the other parameters: it replaces them.
        return {"pageToken": token} if token else None


class Cursor(WelkinModel):
    start: str | None = None
    end: str | None = None
    has_next: bool | None = Field(None, alias="hasNext")


class CursorPage(Envelope[T]):
    """CURSOR: items (under ``data`` or ``content``) plus ``cursor{start, end, hasNext}``."""

    _bare_list_key: ClassVar[str] = "data"
    raw_data: list[Any] | None = Field(None, alias="data")
    raw_content: list[Any] | None = Field(None, alias="content")
    cursor: Cursor | None = None

    def raw_items(self) -> list[Any]:
        return self.raw_data if self.raw_data is not None else (self.raw_content or [])

    def next_query(self, query: dict[str, str]) -> dict[str, str] | None:
        cursor = self.cursor
        if cursor is None or not cursor.has_next or not cursor.end:
            return None
        return {**query, "start": cursor.end}


STYLES: dict[str, type[Envelope[Any]]] = {
    "PAGE": SpringPage,
    "PAGE_IN_DATA": SpringDataPage,
    "METAINFO": MetaInfoPage,
    "TOKEN": TokenPage,
    "CURSOR": CursorPage,
}
