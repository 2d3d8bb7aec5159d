"""Types shared by the core and the generated code: the ``NOT_GIVEN`` sentinel (an argument
left out, as opposed to an explicit ``None``, null), ``Timeout`` and ``RequestOptions``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, Literal, Union

if TYPE_CHECKING:
    import httpx

__all__ = ["NOT_GIVEN", "NotGiven", "RequestOptions", "Timeout"]


class NotGiven:
    """Marks an argument the caller left out, so that an explicit ``None`` can still mean null."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()


#: Seconds (``None``: no limit) or an ``httpx.Timeout``.
Timeout = Union[float, "httpx.Timeout", None]


class RequestOptions:
    """Per-call overrides, and extra headers, query or body fields not (yet) in the spec."""

    __slots__ = ("deadline", "extra_body", "extra_headers", "extra_query", "max_retries", "timeout")

    def __init__(
        self,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        deadline: float | NotGiven | None = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> None:
        self.timeout = timeout
        self.max_retries = max_retries
        self.deadline = deadline
        self.extra_headers = extra_headers
        self.extra_query = extra_query
        self.extra_body = extra_body

    def __repr__(self) -> str:
        given = [
            f"{name}={getattr(self, name)!r}"
            for name in ("timeout", "max_retries", "deadline")
            if not isinstance(getattr(self, name), NotGiven)
        ]
        # Header values and extra fields can be credentials or patient data: names only.
        for name in ("extra_headers", "extra_query", "extra_body"):
            value = getattr(self, name)
            if value is not None:
                given.append(f"{name}=<{', '.join(map(str, value))}>")
        return f"RequestOptions({', '.join(given)})"


DEFAULT_OPTIONS: Final = RequestOptions()
