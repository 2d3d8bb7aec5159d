"""The old package's client surface, on the typed client's transport.

``client.get/post/put/patch/delete(path, ...)`` and ``client.request(method, path, meta_key,
meta_dict, ...)`` send what welkin 0.1.x sent (paths relative to ``client.host``, queries
encoded as requests encoded them, JSON bodies cleaned by ``welkin.util``) and return the
decoded JSON unwrapped as it did; ``client.Patient`` and the other old classes are classes
bound to the client. Requests go through the same flow as the typed API: token, retries,
one replay on a stale token.
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import urlencode, urljoin, urlsplit

from ._config import check_base_url
from ._exceptions import APIStatusError, InvalidArgumentError
from ._operation import PreparedRequest
from ._serialization import check_path
from .resources import cached_resource
from .util import clean_data, clean_request_params

if TYPE_CHECKING:
    import httpx

    from . import models as _old
    from ._client import Client
    from ._types import RequestOptions
    from .authentication import WelkinAuth

__all__ = ["LegacyClient", "encode_params", "unwrap"]

T = TypeVar("T")


# requests.Session.request's parameters after the URL, for positional arguments.
_POSITIONAL = ("params", "data", "headers", "cookies", "files", "auth", "timeout")
_SUPPORTED = frozenset({"params", "data", "json", "files", "headers", "timeout"})


#: The old client's classes, in its order (``welkin.models.__all__``; a test checks the two
#: lists agree).
OLD_CLASSES = (
    "Assessment",
    "AssessmentRecord",
    "AssessmentRecordAnswers",
    "AssessmentRecords",
    "Assessments",
    "CalendarEvent",
    "CalendarEvents",
    "CarePlan",
    "CarePlanOverview",
    "CDT",
    "CDTRecordsExport",
    "CDTs",
    "Chat",
    "Chats",
    "Contact",
    "DataAudit",
    "DataAudits",
    "DocumentSummaries",
    "DocumentSummary",
    "DocumentSummaryFile",
    "DocumentSummaryFiles",
    "Email",
    "Emails",
    "Encounter",
    "EncounterDisposition",
    "Encounters",
    "Formation",
    "Patient",
    "PatientProgram",
    "PatientPrograms",
    "Patients",
    "PDT",
    "ProgramPhase",
    "ProgramPhases",
    "Schedules",
    "SearchChats",
    "SMS",
    "SMSes",
    "Task",
    "Tasks",
    "User",
    "Users",
    "WebhookAudit",
    "WebhookAudits",
    "WorkHours",
)


def _old_class(name: str) -> type:
    import welkin.models  # here: the old classes load when first asked for

    cls: type = getattr(welkin.models, name)
    return cls


class _LegacyType(type):
    """``Client.Patient`` on the class: the old class itself, as in the old package."""

    def __getattr__(cls, name: str) -> Any:
        if name in OLD_CLASSES:
            return _old_class(name)
        raise AttributeError(f"type object {cls.__name__!r} has no attribute {name!r}")


def encode_params(params: Any) -> str:
    """A query string as requests built one: None dropped, other values as ``str()``,
    iterables repeated (a dict gives its keys)."""
    if params is None:
        return ""
    if isinstance(params, (str, bytes)):
        return params.decode() if isinstance(params, bytes) else params
    pairs: list[tuple[Any, Any]] = []
    items = params.items() if isinstance(params, Mapping) else params
    for key, values in items:
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            values = [values]
        pairs.extend((key, value) for value in values if value is not None)
    return urlencode(pairs, doseq=True)


def unwrap(path: str, body: Any, meta_key: str | None, meta_dict: Any) -> Any:
    """The resource out of Welkin's envelope (``content``, ``data``, ``rows``), and with a
    ``meta_key`` also the paging metadata: ``(resource, meta)``, as the old client gave."""
    if "formations" in path or not isinstance(body, (dict, list)):
        return body
    if isinstance(body, list):
        body = {"content": body, meta_key: meta_dict}
    elif "rows" in body:
        body = {"content": body.pop("rows"), meta_key: meta_dict}
    resource = body
    if "content" in body:
        resource = body.pop("content", None)
    elif "data" in body:
        resource = body.pop("data", None)
    meta: Any = None
    # CDT record lists nest both the records and their metadata in ``data``.
    if isinstance(resource, dict) and "content" in resource:
        inner = resource.pop("content", None)
        meta = resource.pop(meta_key, None) or {}
        meta.update(body)
        meta.update(resource)
        resource = inner
    if meta_key:
        if not meta:
            meta = body.pop(meta_key, None) or {}
        meta.update(body)
        return resource, meta
    return resource or body


def _content(response: httpx.Response) -> Any:
    if not response.content:
        return {}
    try:
        return jsonlib.loads(response.content)
    except ValueError:
        return response.content  # a file, or whatever else is not JSON


class LegacyClient(metaclass=_LegacyType):
    """Mixed into ``Client``: the old ``Client``'s methods and attributes, and its classes
    in its order (``welkin.models.__all__``; a test checks the two lists agree)."""

    # The old classes (``client.Patient``...), found by ``__getattr__`` below and by the
    # metaclass on the class itself: as attributes they would fill ``help(Client)``. Type
    # checkers and IDEs see them here.
    if TYPE_CHECKING:
        Assessment: type[_old.Assessment]
        AssessmentRecord: type[_old.AssessmentRecord]
        AssessmentRecordAnswers: type[_old.AssessmentRecordAnswers]
        AssessmentRecords: type[_old.AssessmentRecords]
        Assessments: type[_old.Assessments]
        CalendarEvent: type[_old.CalendarEvent]
        CalendarEvents: type[_old.CalendarEvents]
        CarePlan: type[_old.CarePlan]
        CarePlanOverview: type[_old.CarePlanOverview]
        CDT: type[_old.CDT]
        CDTRecordsExport: type[_old.CDTRecordsExport]
        CDTs: type[_old.CDTs]
        Chat: type[_old.Chat]
        Chats: type[_old.Chats]
        Contact: type[_old.Contact]
        DataAudit: type[_old.DataAudit]
        DataAudits: type[_old.DataAudits]
        DocumentSummaries: type[_old.DocumentSummaries]
        DocumentSummary: type[_old.DocumentSummary]
        DocumentSummaryFile: type[_old.DocumentSummaryFile]
        DocumentSummaryFiles: type[_old.DocumentSummaryFiles]
        Email: type[_old.Email]
        Emails: type[_old.Emails]
        Encounter: type[_old.Encounter]
        EncounterDisposition: type[_old.EncounterDisposition]
        Encounters: type[_old.Encounters]
        Formation: type[_old.Formation]
        Patient: type[_old.Patient]
        PatientProgram: type[_old.PatientProgram]
        PatientPrograms: type[_old.PatientPrograms]
        Patients: type[_old.Patients]
        PDT: type[_old.PDT]
        ProgramPhase: type[_old.ProgramPhase]
        ProgramPhases: type[_old.ProgramPhases]
        Schedules: type[_old.Schedules]
        SearchChats: type[_old.SearchChats]
        SMS: type[_old.SMS]
        SMSes: type[_old.SMSes]
        Task: type[_old.Task]
        Tasks: type[_old.Tasks]
        User: type[_old.User]
        Users: type[_old.Users]
        WebhookAudit: type[_old.WebhookAudit]
        WebhookAudits: type[_old.WebhookAudits]
        WorkHours: type[_old.WorkHours]

    def __getattr__(self, name: str) -> Any:
        if name not in OLD_CLASSES:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        from .models.base import bind

        bound = bind(_old_class(name), cast("Client", self))
        self.__dict__[name] = bound  # later reads find it at once
        return bound

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *OLD_CLASSES})

    # -- attributes ---------------------------------------------------------------------

    @property
    def host(self: Client) -> str:  # type: ignore[misc]
        """The tenant's root URL; old paths are relative to it."""
        return f"{self._settings.base_url}/{self._settings.tenant}/"

    @host.setter
    def host(self: Client, value: str) -> None:  # type: ignore[misc]
        tenant = self._settings.tenant
        root = value.rstrip("/")
        if not root.endswith(f"/{tenant}"):
            raise InvalidArgumentError("host", f"must end with /{tenant}/, got {value!r}")
        self._set_base_url(check_base_url(root[: -len(tenant) - 1]))

    @cached_resource
    def auth(self: Client) -> WelkinAuth:
        """The old ``WelkinAuth``: ``auth.token``, ``auth.refresh_token()``, ``auth(request)``."""
        from .authentication import WelkinAuth

        return WelkinAuth(
            tenant=self._settings.tenant,
            api_client=self._settings.api_client,
            secret_key=self._secret,
            token_method=self.get_token,
            cached_token=self._current_token,
            store_token=self._store_given_token,
        )

    def _store_given_token(self: Client, token: str) -> None:  # type: ignore[misc]
        self._token_state.store(token, self._clock())

    # -- HTTP ---------------------------------------------------------------------------

    def get(self, path: Any, **kwargs: Any) -> Any:
        """GET ``path`` (relative to ``host``); the decoded, unwrapped JSON."""
        return self.request("GET", path, **kwargs)

    def post(self, path: Any, data: Any = None, json: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", path, data=data, json=json, **kwargs)

    def put(self, path: Any, data: Any = None, **kwargs: Any) -> Any:
        return self.request("PUT", path, data=data, **kwargs)

    def patch(self, path: Any, data: Any = None, **kwargs: Any) -> Any:
        return self.request("PATCH", path, data=data, **kwargs)

    def delete(self, path: Any, **kwargs: Any) -> Any:
        return self.request("DELETE", path, **kwargs)

    def request(
        self,
        method: str,
        path: Any,
        meta_key: str | None = None,
        meta_dict: dict[str, Any] | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        """Send ``method`` to ``path`` (a string or parts joined by ``/``, relative to
        ``host``); return the decoded JSON without its envelope, ``(resource, meta)`` with a
        ``meta_key``, the bytes of a non-JSON answer, or ``{}`` for an empty one.

        Raises ``welkin.exceptions.WelkinHTTPError`` for a non-2xx answer."""
        from .exceptions import welkin_http_error

        client: Client = self  # type: ignore[assignment]
        if len(args) > len(_POSITIONAL):
            raise InvalidArgumentError("args", f"expected at most {len(_POSITIONAL)} values")
        kwargs.update(zip(_POSITIONAL, args, strict=False))
        unknown = sorted(k for k, v in kwargs.items() if k not in _SUPPORTED and v is not None)
        if unknown:
            raise InvalidArgumentError(unknown[0], "is not supported by welkin's client")
        if not isinstance(path, str):
            path = "/".join(str(part) for part in path if part)
        path = path.rstrip("/")
        prepared, auth = _prepare(client, method, path, kwargs)
        options = _options(kwargs.get("timeout"))
        try:
            response = client._run(client._flow(prepared, auth, options))
        except APIStatusError as exc:
            raise welkin_http_error(exc.response) from None
        return unwrap(path, _content(response), meta_key, meta_dict)


def _options(timeout: Any) -> RequestOptions:
    from ._types import DEFAULT_OPTIONS, RequestOptions

    return DEFAULT_OPTIONS if timeout is None else RequestOptions(timeout=timeout)


def _prepare(
    client: Client, method: str, path: str, kwargs: Mapping[str, Any]
) -> tuple[PreparedRequest, bool]:
    """The old client's request: URL joined to ``host``, cleaned query and JSON body."""
    if not isinstance(method, str) or not method.isalpha():
        raise InvalidArgumentError("method", f"expected an HTTP method, got {method!r}")
    check_path("path", path)
    url = urljoin(client.host, path)
    parts = urlsplit(url)
    own = urlsplit(client.host)
    same_origin = (parts.scheme, parts.netloc) == (own.scheme, own.netloc)
    if same_origin and not parts.path.startswith(own.path):
        raise InvalidArgumentError("path", f"must stay under the tenant's root {own.path!r}")
    query = encode_params(_cleaned_params(kwargs.get("params")))
    if query:
        url = f"{url}&{query}" if parts.query else f"{url}?{query}"
    headers = dict(kwargs.get("headers") or {})
    content: bytes | None = None
    data = kwargs.get("data")
    body = kwargs.get("json")
    if not data and body is not None:
        headers.setdefault("Content-Type", "application/json")
        try:
            content = jsonlib.dumps(clean_data(body) if body else body, allow_nan=False).encode()
        except (TypeError, ValueError) as exc:
            raise InvalidArgumentError("json", f"is not JSON: {exc}") from None
    elif isinstance(data, (str, bytes)):
        content, data = (data.encode() if isinstance(data, str) else data), None
    # The bearer token goes to the tenant's own host only, and never to the token call.
    auth = same_origin and "api_clients" not in parts.path
    return PreparedRequest(
        operation="request",
        method=method.upper(),
        path=parts.path.lstrip("/"),
        query={},
        url=url,
        content=content,
        data=data or None,
        raw_files=kwargs.get("files"),
        headers=headers,
    ), auth


def _cleaned_params(params: Any) -> Any:
    if isinstance(params, Mapping) and params:
        return clean_request_params(params)
    if isinstance(params, Iterable) and not isinstance(params, (str, bytes, Mapping)):
        return list(params)
    return params
