"""An operation of the API as data: how to build its request and parse its response.

Generated code declares one ``Operation`` per spec entry; the clients send what ``build``
returns, so request building is pure and shared by the sync and async clients.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._exceptions import InvalidArgumentError
from ._files import FilePart, file_parts
from ._serialization import Param, query_string, query_text, to_wire
from ._types import NotGiven

if TYPE_CHECKING:
    from pydantic import TypeAdapter

    from ._models import WelkinModel

__all__ = ["Operation", "PreparedRequest"]

R = TypeVar("R")
# What an operation returns; covariant, so an Operation[SpringPage[Patient]] is an
# Operation[Envelope[Patient]] to code that walks any page.
R_co = TypeVar("R_co", covariant=True)


@dataclasses.dataclass(slots=True)
class PreparedRequest:
    """A request ready to send: everything but the base URL, the token and the timeout.

    Not frozen (a frozen dataclass sets each field through ``object.__setattr__``, a cost
    on every call), but treated as immutable: ``with_query`` returns a copy."""

    operation: str  # the operation id, for logs (the path may hold patient identifiers)
    method: str
    path: str
    query: dict[str, str]
    # Bodies stay out of the repr: they hold patient data, and the token call's the secret
    # (tracebacks with locals print reprs).
    json: Any = dataclasses.field(default=None, repr=False)
    has_body: bool = False
    # multipart/form-data: file parts plus text fields (then ``json`` is None)
    files: tuple[FilePart, ...] = dataclasses.field(default=(), repr=False)
    form: dict[str, str] | None = dataclasses.field(default=None, repr=False)
    # The old client's requests (welkin._legacy): a whole URL with its query, the body as
    # bytes or a form, requests-style files, and headers of the caller's.
    url: str | None = None
    content: bytes | None = dataclasses.field(default=None, repr=False)
    data: Any = dataclasses.field(default=None, repr=False)
    raw_files: Any = dataclasses.field(default=None, repr=False)
    headers: dict[str, str] | None = dataclasses.field(default=None, repr=False)
    #: The path template (``{tenant}/{instance}/patients/{patientId}``): what logs show.
    route: str | None = None
    #: ``query`` encoded, when known in advance (an operation's fixed query alone).
    query_text: str | None = None

    def with_query(self, query: dict[str, str]) -> PreparedRequest:
        return dataclasses.replace(self, query=query, query_text=None)


class Operation(Generic[R_co]):
    """One API operation: method, path template, parameters, body, response and pagination.

    ``parse_response(data)`` turns a decoded JSON body into the typed result: a model, a
    list of models, or a page envelope (for paginated operations).
    """

    def __init__(
        self,
        *,
        id: str,
        method: str,
        path: str,
        summary: str,
        path_params: tuple[Param, ...] = (),
        query_params: tuple[Param, ...] = (),
        fixed_query: Mapping[str, str] | None = None,
        body_model: type[WelkinModel] | None = None,
        body_json: bool = False,
        body_param: str = "body",
        response: Any = None,
        response_is_list: bool = False,
        pagination: str | None = None,
        auth: bool = True,
        files_field: str | None = None,
        files_param: str = "files",
        download: bool = False,
    ) -> None:
        self.id = id
        self.method = method
        self.path = path
        self.summary = summary
        self.path_params = path_params
        self.query_params = query_params
        self.fixed_query = dict(fixed_query or {})
        self._fixed_query_text = query_string(self.fixed_query)
        self.body_model = body_model
        self.body_json = body_json
        self.body_param = body_param
        self.response = response
        self.response_is_list = response_is_list
        self.pagination = pagination
        self.auth = auth
        self.files_field = files_field
        self.files_param = files_param
        self.download = download
        self._params_by_name = {p.name: p for p in (*path_params, *query_params)}
        self._adapter: TypeAdapter[Any] | None = None
        self._validate: Callable[..., Any] | None = None

    def __repr__(self) -> str:
        return f"Operation({self.id!r}, {self.method} {self.path})"

    def param(self, name: str) -> Param | None:
        """The path or query parameter with this Python name."""
        return self._params_by_name.get(name)

    def build(
        self,
        *,
        tenant: str,
        instance: str,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        files: Any = None,
    ) -> PreparedRequest:
        """Validate the arguments (keyed by wire name) and build the request.

        Raises InvalidArgumentError, naming the argument, before anything is sent.
        """
        url_path = self._path(tenant, instance, path or {})
        encoded = self._query(query or {}, extra_query)
        json_body = self._json_body(body, extra_body)
        if self.files_field is None:
            if files is not None:
                raise InvalidArgumentError("files", f"{self.id} takes no files")
        elif files is not None or json_body is None:
            return self._multipart(url_path, encoded, json_body, files)
        return PreparedRequest(
            operation=self.id,
            method=self.method,
            path=url_path,
            route=self.path,
            query=encoded,
            json=json_body,
            has_body=json_body is not None,
            # Only the fixed query (type=ID...): its text is known already.
            query_text=self._fixed_query_text if len(encoded) == len(self.fixed_query) else None,
        )

    def _path(self, tenant: str, instance: str, given: Mapping[str, Any]) -> str:
        values = {"tenant": tenant, "instance": instance}
        for param in self.path_params:
            value = given.get(param.wire)
            if value is None:
                raise InvalidArgumentError(param.name, "is required")
            values[param.wire] = param.encode_path(value)
        return self.path.format_map(values)

    def _query(
        self, given: Mapping[str, Any], extra_query: Mapping[str, Any] | None
    ) -> dict[str, str]:
        encoded: dict[str, str] = {}
        for param in self.query_params:
            value = given.get(param.wire)
            if value is not None:
                encoded[param.wire] = param.encode(value)
        for key, value in (extra_query or {}).items():
            if value is not None:
                encoded[key] = _wire("extra_query", query_text, value)
        # Last, so that nothing overrides what selects the lookup (type=MRN, type=ID...).
        encoded.update(self.fixed_query)
        return encoded

    def _json_body(self, body: Any, extra_body: Mapping[str, Any] | None) -> Any:
        """The JSON body (None for an operation without one), extra fields merged in."""
        json_body: Any = None
        if self.body_model is not None:
            from ._models import dump_body  # the body model is pydantic: it is loaded already

            model, name = self.body_model, self.body_param
            json_body = _wire(name, lambda fields: dump_body(model, fields, name), body or {})
        elif self.body_json:
            if body is not None and not isinstance(body, Mapping):
                problem = f"expected a mapping, got {type(body).__name__}"
                raise InvalidArgumentError(self.body_param, problem)
            json_body = _wire(self.body_param, to_wire, body or {})
        if extra_body:
            if not isinstance(json_body, dict):
                raise InvalidArgumentError("extra_body", f"{self.id} takes no JSON object body")
            json_body.update(_wire("extra_body", to_wire, dict(extra_body)))
        return json_body

    def _multipart(
        self, url_path: str, encoded: dict[str, str], fields: Any, files: Any
    ) -> PreparedRequest:
        """A multipart/form-data request: the file parts, the body's fields as text."""
        if files is None:
            raise InvalidArgumentError(self.files_param, "is required")
        assert self.files_field is not None
        form = {
            key: query_text(value) for key, value in (fields or {}).items() if value is not None
        }
        return PreparedRequest(
            operation=self.id,
            method=self.method,
            path=url_path,
            route=self.path,
            query=encoded,
            has_body=True,
            files=file_parts(self.files_param, self.files_field, files),
            form=form,
        )

    @property
    def adapter(self) -> TypeAdapter[Any]:
        """The validator of the response, built on first use (not at import)."""
        if self._adapter is None:
            from pydantic import TypeAdapter

            if self.pagination is not None:
                from ._envelopes import STYLES  # only pages need them: a first GET builds none

                envelope: Any = STYLES[self.pagination]
                target: Any = envelope[self.response]
            elif self.response_is_list:
                target = list[self.response]  # type: ignore[name-defined]
            else:
                target = self.response
            self._adapter = TypeAdapter(target)
        return self._adapter

    def parse_response(self, data: Any, *, strict: bool = False) -> R_co:
        """The typed result for a decoded JSON body (None for operations without a response).

        Lenient by default, as Welkin advises: a field that does not fit its type keeps the
        value as sent (with one warning per field); ``strict`` raises pydantic's
        ValidationError instead."""
        if self.response is None:
            return None  # type: ignore[return-value]
        validate = self._validate
        if validate is None:
            from ._models import validate_response

            validate = self._validate = partial(validate_response, self.adapter)
        result: R_co = validate(data, strict=strict)
        return result


def _wire(argument: str, convert: Callable[[Any], R], value: Any) -> R:
    """``convert(value)``, with a bad value (a naive datetime...) reported by argument name.

    The result must be JSON: a value json cannot write (an arbitrary object) is refused
    here, not at sending."""
    try:
        converted = convert(value)
        json.dumps(converted)
    except InvalidArgumentError:
        raise
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(argument, str(exc)) from None
    return converted


def drop_not_given(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The fields the caller gave (``None`` included: it means null)."""
    return {key: value for key, value in fields.items() if not isinstance(value, NotGiven)}
