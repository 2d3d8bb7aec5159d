"""Stateful in-memory fake of the Welkin REST API, served through ``httpx.MockTransport``."""

from __future__ import annotations

import base64
import contextlib
import copy
import dataclasses
import itertools
import json
import math
import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import httpx

from ._generic import (
    GenericCall,
    GenericStore,
    RejectedError,
    envelope,
    int_param,
    multipart_fields,
    normalise_path,
)
from ._webhooks import FakeWebhooks, RegisteredWebhook

if TYPE_CHECKING:
    import welkin

__all__ = ["FakeWelkin", "RecordedRequest"]

JSONObject = dict[str, Any]

_TOKEN_WINDOW = 300.0
_TOKEN_LIMIT = 100

_T = r"(?P<tenant>[^/]+)"
# "admin" is the tenant-level prefix, never an instance name.
_I = r"(?P<instance>(?!admin/)[^/]+)"
_TOKEN_PATH = re.compile(rf"{_T}/admin/api_clients/(?P<client>[^/]+)")
_ADMIN_USERS = re.compile(rf"{_T}/admin/users")
_ADMIN_USER = re.compile(rf"{_T}/admin/users/(?P<key>[^/]+)")
_INSTANCE_USERS = re.compile(rf"{_T}/{_I}/users")
_PATIENTS = re.compile(rf"{_T}/{_I}/patients")
_PATIENT = re.compile(rf"{_T}/{_I}/patients/(?P<key>[^/]+)")
_FILTER_PATIENTS = re.compile(rf"{_T}/{_I}/by-filter/patients")
# Newer operations (NEWER.md) that read the patients: the patient export and the patients
# with a record of a profile type.
_EXPORT_PATIENTS = re.compile(rf"{_T}/{_I}/export/PATIENT")
_PDT_PATIENTS = re.compile(rf"{_T}/{_I}/pdts/(?P<pdt>[^/]+)/patients")

_PATIENT_FIELDS = (
    "externalId",
    "externalGuid",
    "mrn",
    "firstName",
    "middleName",
    "lastName",
    "birthDate",
    "gender",
    "email",
    "phone",
    "country",
    "state",
    "city",
    "zip",
    "addressLine1",
    "addressLine2",
    "timezone",
)
_PATIENT_SYSTEM_FIELDS = frozenset(
    {"id", "createdAt", "updatedAt", "createdBy", "updatedBy", "createdByName", "updatedByName"}
)
_PATIENT_SEARCH_FIELDS = ("email", "firstName", "lastName", "phone")
_PATIENT_LOOKUPS: dict[str | None, str] = {
    None: "id",
    "ID": "id",
    "EID": "externalId",
    "EGUID": "externalGuid",
    "MRN": "mrn",
}

_USER_PROFILE_FIELDS = ("email", "phone", "timezone", "firstName", "lastName", "credentials")
_USER_FIXED_FIELDS = frozenset({"id", "username", "createdAt", "updatedAt"})
_USER_SEARCH_FIELDS = ("username", "email", "firstName", "lastName")
_USER_STATES = frozenset({"ACTIVE", "INACTIVE", "PROVISIONED"})

_FIRST_NAMES = (
    "Olivia",
    "Liam",
    "Amara",
    "Noah",
    "Priya",
    "Mateo",
    "Sofia",
    "Elijah",
    "Mei",
    "Kenji",
    "Fatima",
    "Diego",
)
_LAST_NAMES = (
    "Garcia",
    "Smith",
    "Nguyen",
    "Johnson",
    "Patel",
    "Kim",
    "Okafor",
    "Rossi",
    "Cohen",
    "Martinez",
    "Brown",
    "Silva",
)
# (state, city, IANA timezone, zip prefix, area code)
_PLACES = (
    ("California", "Los Angeles", "America/Los_Angeles", "900", "213"),
    ("California", "San Francisco", "America/Los_Angeles", "941", "415"),
    ("Washington", "Seattle", "America/Los_Angeles", "981", "206"),
    ("Oregon", "Portland", "America/Los_Angeles", "972", "503"),
    ("Arizona", "Phoenix", "America/Phoenix", "850", "602"),
    ("Colorado", "Denver", "America/Denver", "802", "303"),
    ("Texas", "Austin", "America/Chicago", "787", "512"),
    ("Illinois", "Chicago", "America/Chicago", "606", "312"),
    ("New York", "New York", "America/New_York", "100", "212"),
    ("Massachusetts", "Boston", "America/New_York", "021", "617"),
    ("Georgia", "Atlanta", "America/New_York", "303", "404"),
    ("Hawaii", "Honolulu", "Pacific/Honolulu", "968", "808"),
)
_STREETS = ("Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Elm St", "Pine Rd", "Lake Blvd")
_GENDERS = ("FEMALE", "MALE", "OTHER", "UNKNOWN")
_CREDENTIALS = ("MD", "DO", "RN", "NP", "PA", "LCSW")
_SEED_USER_STATES = ("ACTIVE", "ACTIVE", "ACTIVE", "INACTIVE", "PROVISIONED")
_REGIONS = ("east-coast", "west-coast", "central")
_SEED_EPOCH_START = 1609459200.0  # 2021-01-01T00:00:00Z
_SEED_EPOCH_END = 1704067200.0  # 2024-01-01T00:00:00Z


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake received it."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    headers: dict[str, str]
    content: bytes = b""  # the raw body (multipart uploads have no JSON)


@dataclass(frozen=True)
class _Token:
    jti: int
    exp: int


@dataclass
class _Fault:
    status: int | None
    headers: dict[str, str]
    body: Any
    exception: type[Exception] | None
    method: str | None
    path_contains: str | None
    remaining: int
    delay: float = 0.0

    def matches(self, request: RecordedRequest) -> bool:
        if self.method is not None and self.method != request.method:
            return False
        return self.path_contains is None or self.path_contains in request.path


@dataclass(frozen=True)
class _Call:
    request: RecordedRequest
    params: dict[str, str]
    now: float

    @property
    def query(self) -> dict[str, str]:
        return self.request.query

    @property
    def body(self) -> Any:
        return self.request.json


class _RejectedError(Exception):
    """Raised by handlers to answer with a Welkin error body."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        component: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.component = component
        self.headers = dict(headers or {})


_Handler = Callable[[_Call], httpx.Response]


@dataclass(frozen=True)
class _Route:
    method: str
    pattern: re.Pattern[str]
    handler: _Handler
    component: str


_FAKE_NUMBERS = itertools.count(1)


class FakeWelkin(FakeWebhooks):
    """Offline, stateful Welkin API for tests; wire an httpx client to ``transport``.

    It also sends webhooks (``add_webhook``, ``add_chat_webhook``: see ``_webhooks``)."""

    #: Each fake has a host of its own under .invalid, which never resolves: a client wired
    #: past the transport reaches nothing, and clients of two fakes never share a cached token.
    base_url: str

    def __init__(
        self,
        *,
        tenant: str = "gh",
        instance: str = "sb-demo",
        api_client: str = "VBOPNRYRWJIP",
        secret: str = "+}B{KGTG6#zG%P;tQm0C",
        token_ttl: float = 3600.0,
        clock: Callable[[], float] = time.time,
        seed: int = 0,
    ) -> None:
        self.base_url = f"https://fake-{next(_FAKE_NUMBERS)}.welkin.invalid"
        self.tenant = tenant
        self.instance = instance
        self.api_client = api_client
        self.secret = secret
        self.token_ttl = token_ttl
        self.requests: list[RecordedRequest] = []
        self.patients: dict[str, JSONObject] = {}
        self.users: dict[str, JSONObject] = {}
        self._clock = clock
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._regions: dict[str, str] = {}
        self._tokens: dict[str, _Token] = {}
        self._last_jti = 0
        self._expired_through_jti = 0
        self._token_request_count = 0
        self._token_times: list[float] = []
        self._tokens_blocked_until = -math.inf
        self._faults: list[_Fault] = []
        self._chaos_rate = 0.0
        self._chaos_statuses: tuple[int, ...] = ()
        self._chaos_rng = random.Random(seed)
        self._seeded_patients = 0
        self._client_user_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"welkin-fake:{api_client}"))
        self._routes = self._build_routes()
        self._generic = GenericStore(self._new_id, self._client_user_id)
        self._webhooks: list[RegisteredWebhook] = []  # see _webhooks
        self.transport = httpx.MockTransport(self._handle)

    # -- public helpers -------------------------------------------------------------------------

    @property
    def token_requests(self) -> int:
        with self._lock:
            return self._token_request_count

    def seed(self, *, patients: int = 0, users: int = 0, designer: bool = False) -> None:
        """Add realistic records drawn from the constructor's seed; ``designer=True`` also adds a
        small designer (a ``vitals`` CDT, a ``phq_2`` assessment, ``intake`` and ``follow_up``
        encounter templates, an ``onboarding`` program, goal templates, document types and the
        encounter disposition) to the draft formation, which ``current`` serves too."""
        with self._lock:
            if designer:
                self._generic.seed_designer(f"{self.tenant}/{self.instance}")
            for _ in range(patients):
                patient = self._build_patient(self._seed_patient_fields())
                self.patients[patient["id"]] = patient
            for _ in range(users):
                fields, region = self._seed_user_fields()
                self._store_user(self._build_user(fields, fields["createdAt"]), region)

    def add_patient(self, **fields: Any) -> JSONObject:
        """Store a patient as given (camelCase keys), filling what is missing; returns a copy."""
        with self._lock:
            patient = self._build_patient(copy.deepcopy(fields))
            self.patients[patient["id"]] = patient
            return copy.deepcopy(patient)

    def add_user(self, *, region: str | None = None, **fields: Any) -> JSONObject:
        """Store a user as given, filling what is missing; returns a copy."""
        with self._lock:
            fields = copy.deepcopy(fields)
            if "username" not in fields:
                fields["username"] = self._free_username(f"user{len(self.users) + 1}")
            if self._user_by_username(fields["username"]) is not None:
                raise ValueError(f"username {fields['username']!r} already exists")
            now = _iso(self._clock())
            user = self._build_user(fields, now)
            self._store_user(user, region)
            return copy.deepcopy(user)

    def add_records(self, path: str, records: Iterable[Mapping[str, Any]]) -> list[str]:
        """Store records only Welkin itself writes (audit events, unrecognised SMS and
        emails...) in the collection at ``path``, relative to the tenant
        (``"sb-demo/unrecognized-patients/sms"``, ``"admin/..."``). Each is stored as given
        (camelCase keys), under its ``id`` or a new one; returns their ids in order."""
        collection_path = normalise_path(f"{self.tenant}/{path.strip('/')}")
        ids = []
        with self._lock:
            collection = self._generic.collections.setdefault(collection_path, {})
            for record in records:
                stored = copy.deepcopy(dict(record))
                stored.setdefault("id", self._new_id())
                collection[str(stored["id"])] = stored
                ids.append(str(stored["id"]))
        return ids

    def expire_tokens(self) -> None:
        """Make every token issued so far answer TOKEN_EXPIRED."""
        with self._lock:
            self._expired_through_jti = self._last_jti

    def fail_next(
        self,
        status: int | None = None,
        *,
        times: int = 1,
        headers: Mapping[str, str] | None = None,
        body: bytes | str | Any = None,
        exception: type[Exception] | None = None,
        delay: float = 0.0,
        method: str | None = None,
        path_contains: str | None = None,
    ) -> None:
        """Queue a fault for the next ``times`` matching non-token requests.

        ``status`` answers with that status (``headers`` and ``body``; a str or bytes body is
        sent as is, e.g. an HTML error page or broken JSON, anything else as JSON, None as a
        Welkin error body). ``exception`` raises it instead (httpx.ConnectError, ReadTimeout...;
        over ``serve()``, any of them drops the connection). ``delay`` waits that many seconds
        first; alone, it only slows the normal answer down.
        """
        if status is None and exception is None and delay <= 0:
            raise ValueError("fail_next needs a status, an exception or a delay")
        if times < 1:
            raise ValueError("times must be at least 1")
        fault = _Fault(
            status=status,
            headers=dict(headers or {}),
            body=body,
            exception=exception,
            method=method.upper() if method else None,
            path_contains=path_contains,
            remaining=times,
            delay=delay,
        )
        with self._lock:
            self._faults.append(fault)

    def chaos(
        self,
        rate: float,
        *,
        statuses: tuple[int, ...] = (500, 502, 503, 504),
        seed: int = 0,
    ) -> None:
        """From now on, answer each non-token request with one of ``statuses`` with probability
        ``rate`` (0 turns it off). Deterministic: the same seed gives the same faults for the
        same sequence of requests. Scripted ``fail_next`` faults come first."""
        if not 0 <= rate <= 1:
            raise ValueError("rate must be between 0 and 1")
        with self._lock:
            self._chaos_rate = rate
            self._chaos_statuses = statuses
            self._chaos_rng = random.Random(seed)

    @contextlib.contextmanager
    def serve(self, port: int = 0) -> Iterator[str]:
        """Serve this fake over real HTTP on 127.0.0.1 (``port=0``: any free port).

        Yields the base URL (``http://127.0.0.1:PORT``) to pass as ``base_url``. A fault
        injected with a transport exception drops the connection without an answer.
        """
        from ._server import serve

        with serve(self._handle, port) as base_url:
            yield base_url

    def client(self, **kwargs: Any) -> welkin.Client:
        """A ``welkin.Client`` wired to this fake; closing it closes its connections too."""
        import welkin

        client = welkin.Client(
            tenant=self.tenant,
            instance=self.instance,
            api_client=self.api_client,
            secret_key=self.secret,
            base_url=self.base_url,
            http_client=httpx.Client(transport=self.transport),
            **kwargs,
        )
        client._owns_http = True  # the httpx.Client was made for it alone
        return client

    def async_client(self, **kwargs: Any) -> welkin.AsyncClient:
        """A ``welkin.AsyncClient`` wired to this fake; closing it closes its connections too."""
        import welkin

        client = welkin.AsyncClient(
            tenant=self.tenant,
            instance=self.instance,
            api_client=self.api_client,
            secret_key=self.secret,
            base_url=self.base_url,
            http_client=httpx.AsyncClient(transport=self.transport),
            **kwargs,
        )
        client._owns_http = True  # the httpx.AsyncClient was made for it alone
        return client

    # -- request pipeline -----------------------------------------------------------------------

    def _build_routes(self) -> tuple[_Route, ...]:
        return (
            _Route("POST", _TOKEN_PATH, self._issue_token, "AUTH"),
            _Route("GET", _ADMIN_USERS, self._list_admin_users, "USER"),
            _Route("POST", _ADMIN_USERS, self._create_user, "USER"),
            _Route("GET", _ADMIN_USER, self._get_user, "USER"),
            _Route("PATCH", _ADMIN_USER, self._patch_user, "USER"),
            _Route("PUT", _ADMIN_USER, self._put_user, "USER"),
            _Route("DELETE", _ADMIN_USER, self._delete_user, "USER"),
            _Route("GET", _INSTANCE_USERS, self._list_instance_users, "USER"),
            _Route("GET", _PATIENTS, self._list_patients, "PATIENT"),
            _Route("POST", _PATIENTS, self._create_patient, "PATIENT"),
            _Route("POST", _FILTER_PATIENTS, self._filter_patients, "PATIENT"),
            _Route("GET", _PATIENT, self._get_patient, "PATIENT"),
            _Route("PATCH", _PATIENT, self._patch_patient, "PATIENT"),
            _Route("DELETE", _PATIENT, self._delete_patient, "PATIENT"),
            _Route("GET", _EXPORT_PATIENTS, self._export_patients, "EXPORT"),
            _Route("GET", _PDT_PATIENTS, self._pdt_patients, "PDT"),
        )

    def _handle(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            now = self._clock()
            recorded = self._record(request)
            fault = self._take_fault(recorded)
        if fault is not None:
            # Outside the lock: a slow or failing answer must not hold up other requests.
            if fault.delay > 0:
                time.sleep(fault.delay)
            if fault.exception is not None:
                raise _injected_exception(fault.exception, request)
        with self._lock:
            if fault is not None and fault.status is not None:
                return self._fault_response(fault, now)
            response = self._respond(recorded, now)
            # Webhooks (_webhooks.py): built under the lock, sent once it is released, as a
            # receiver may call the fake back.
            notifications = self._webhook_notifications(recorded, response, now)
        self._deliver_webhooks(notifications)
        return response

    def _record(self, request: httpx.Request) -> RecordedRequest:
        recorded = RecordedRequest(
            method=request.method.upper(),
            path=request.url.path.removeprefix("/"),
            query=dict(request.url.params.multi_items()),
            json=_decode_json(request.content),
            headers={key.lower(): value for key, value in request.headers.items()},
            content=request.content,
        )
        self.requests.append(recorded)
        if _TOKEN_PATH.fullmatch(recorded.path):
            self._token_request_count += 1
        return recorded

    def _take_fault(self, request: RecordedRequest) -> _Fault | None:
        if _TOKEN_PATH.fullmatch(request.path):
            return None
        for fault in self._faults:
            if fault.matches(request):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        if self._chaos_rate and self._chaos_rng.random() < self._chaos_rate:
            status = self._chaos_rng.choice(self._chaos_statuses)
            return _Fault(status, {}, None, None, None, None, remaining=1)
        return None

    def _fault_response(self, fault: _Fault, now: float) -> httpx.Response:
        assert fault.status is not None
        if fault.body is None:
            body = _error_body("INJECTED_FAULT", "API", "injected fault", now)
            return httpx.Response(fault.status, headers=fault.headers, json=body)
        if isinstance(fault.body, (bytes, str)):
            return httpx.Response(fault.status, headers=fault.headers, content=fault.body)
        return httpx.Response(fault.status, headers=fault.headers, json=fault.body)

    def _respond(self, request: RecordedRequest, now: float) -> httpx.Response:
        if not _TOKEN_PATH.fullmatch(request.path):
            denied = self._authenticate(request, now)
            if denied is not None:
                return denied
        return self._dispatch(request, now)

    def _authenticate(self, request: RecordedRequest, now: float) -> httpx.Response | None:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        token = self._tokens.get(value.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            return _error(now, 401, "NOT_VALID_JSON_WEB_TOKEN", "AUTH", "Missing or invalid token")
        if token.exp <= now or token.jti <= self._expired_through_jti:
            return _error(now, 401, "TOKEN_EXPIRED", "AUTH", "Token expired")
        return None

    def _dispatch(self, request: RecordedRequest, now: float) -> httpx.Response:
        request = _as_spring_reads(request)
        path_known = False
        for route in self._routes:
            match = route.pattern.fullmatch(request.path)
            if match is None:
                continue
            params = match.groupdict()
            if not self._is_own_scope(params):
                return _error(now, 404, "NOT_FOUND", "API", "Unknown tenant or instance")
            if route.method != request.method:
                path_known = True
                continue
            try:
                return route.handler(_Call(request, params, now))
            except _RejectedError as reject:
                component = reject.component or route.component
                return _error(
                    now, reject.status, reject.code, component, reject.message, reject.headers
                )
        if not path_known:
            return self._dispatch_generic(request, now)
        return _error(now, 405, "METHOD_NOT_ALLOWED", "API", f"{request.method} not allowed")

    def _dispatch_generic(self, request: RecordedRequest, now: float) -> httpx.Response:
        """Every other operation of the registry (see ``_generic``)."""
        path = normalise_path(request.path)
        route, params, known = self._generic.match(request.method, path, request.query)
        if route is None:
            if known:
                return _error(
                    now, 405, "METHOD_NOT_ALLOWED", "API", f"{request.method} not allowed"
                )
            return _error(now, 404, "NOT_FOUND", "API", "No such endpoint")
        component = route.operation.id.split(".")[-2].upper()
        if not self._is_own_scope({"tenant": params.get("tenant", ""), **params}):
            return _error(now, 404, "NOT_FOUND", "API", "Unknown tenant or instance")
        patient = params.get("patientId")
        if patient is not None and patient not in self.patients:
            return _error(now, 404, "NOT_FOUND", "PATIENT", f"No patient {patient}")
        user = params.get("userId")
        if user is not None and user not in self.users:
            return _error(now, 404, "NOT_FOUND", "USER", f"No user {user}")
        body = request.json
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("multipart/") and route.operation.body_model is not None:
            body = multipart_fields(request.content, content_type)  # stored like a JSON body
        call = GenericCall(
            route=route,
            path=path,
            params=params,
            query=request.query,
            body=body,
            content=request.content,
            content_type=content_type,
            now=_iso(now),
        )
        try:
            return self._generic.handle(call)
        except RejectedError as reject:
            return _error(now, reject.status, reject.code, component, reject.message)

    def _is_own_scope(self, params: Mapping[str, str]) -> bool:
        instance = params.get("instance", self.instance)
        return params["tenant"] == self.tenant and instance == self.instance

    # -- authentication -------------------------------------------------------------------------

    def _issue_token(self, call: _Call) -> httpx.Response:
        self._check_token_rate(call.now)
        if not isinstance(call.body, dict):
            raise _RejectedError(400, "BAD_REQUEST", "Body must be a JSON object")
        if call.params["client"] != self.api_client or call.body.get("secret") != self.secret:
            raise _RejectedError(401, "BAD_CREDENTIALS", "Unknown API client or wrong secret")
        self._last_jti += 1
        iat = int(call.now)
        exp = int(call.now + self.token_ttl)
        token = _jwt(
            {
                "custom:type": "API_CLIENT",
                "token_use": "id",
                "sub": self.api_client,
                "iat": iat,
                "exp": exp,
                "jti": self._last_jti,
            }
        )
        self._tokens[token] = _Token(jti=self._last_jti, exp=exp)
        return httpx.Response(
            201, json={"clientName": self.api_client, "token": token, "enabled": True}
        )

    def _check_token_rate(self, now: float) -> None:
        if now < self._tokens_blocked_until:
            raise _too_many_tokens(self._tokens_blocked_until - now)
        self._token_times = [t for t in self._token_times if t > now - _TOKEN_WINDOW]
        self._token_times.append(now)
        if len(self._token_times) > _TOKEN_LIMIT:
            self._tokens_blocked_until = now + _TOKEN_WINDOW
            self._token_times.clear()
            raise _too_many_tokens(_TOKEN_WINDOW)

    # -- patients -------------------------------------------------------------------------------

    def _build_patient(self, fields: Mapping[str, Any]) -> JSONObject:
        created = fields.get("createdAt") or _iso(self._clock())
        patient: JSONObject = {
            "id": fields.get("id") or self._new_id(),
            **dict.fromkeys(_PATIENT_FIELDS),
            "patientTerritories": [],
            "careTeam": [],
            "createdAt": created,
            "updatedAt": created,
            "createdBy": self._client_user_id,
            "updatedBy": self._client_user_id,
            "createdByName": self.api_client,
            "updatedByName": self.api_client,
        }
        patient.update(fields)
        return patient

    def _list_patients(self, call: _Call) -> httpx.Response:
        page, size = _paging(call.query)
        matches = [p for p in self.patients.values() if _patient_matches(p, call.query)]
        sort = call.query.get("sort")
        return httpx.Response(200, json=_spring_page(_sorted(matches, sort), page, size, sort))

    def _filter_patients(self, call: _Call) -> httpx.Response:
        page, size = _paging(call.query)
        if not isinstance(call.body, dict):
            raise _RejectedError(400, "BAD_REQUEST", "Filter must be a JSON object")
        # Welkin's filter language is undocumented; the fake treats every key as a patient field
        # compared by equality, so an unknown key matches nobody instead of silently matching all.
        criteria = call.body
        matches = [
            p for p in self.patients.values() if all(p.get(k) == v for k, v in criteria.items())
        ]
        return httpx.Response(200, json=_spring_page(matches, page, size, None))

    def _create_patient(self, call: _Call) -> httpx.Response:
        body = call.body
        if not isinstance(body, dict):
            raise _RejectedError(400, "BAD_REQUEST", "Patient must be a JSON object")
        for name in ("firstName", "lastName"):
            if name in body and not isinstance(body[name], str):
                raise _RejectedError(400, "VALIDATION_ERROR", f"{name} must be a string")
        given = {k: v for k, v in body.items() if k not in _PATIENT_SYSTEM_FIELDS}
        patient = self._build_patient({**given, "createdAt": _iso(call.now)})
        self.patients[patient["id"]] = patient
        return httpx.Response(201, json=patient)

    def _get_patient(self, call: _Call) -> httpx.Response:
        patient = self._find_patient(call)
        if call.query.get("expand", "").lower() == "true":  # anything else: no expansion
            patient = {**patient, "territorialTeam": self._territorial_team(patient)}
        return httpx.Response(200, json=patient)

    def _patch_patient(self, call: _Call) -> httpx.Response:
        patient = self._find_patient(call)
        if not isinstance(call.body, dict):
            raise _RejectedError(400, "BAD_REQUEST", "Patch must be a JSON object")
        patient.update({k: v for k, v in call.body.items() if k != "id"})
        patient.update(
            updatedAt=_iso(call.now),
            updatedBy=self._client_user_id,
            updatedByName=self.api_client,
        )
        return httpx.Response(200, json=patient)

    def _delete_patient(self, call: _Call) -> httpx.Response:
        del self.patients[self._find_patient(call)["id"]]
        return httpx.Response(204)

    def _find_patient(self, call: _Call) -> JSONObject:
        kind = call.query.get("type")
        if kind not in _PATIENT_LOOKUPS:
            raise _RejectedError(400, "BAD_REQUEST", "type must be EID, EGUID or MRN")
        field, key = _PATIENT_LOOKUPS[kind], call.params["key"]
        if field == "id":
            found = self.patients.get(key)
        else:
            found = next((p for p in self.patients.values() if p.get(field) == key), None)
        if found is None:
            raise _RejectedError(404, "NOT_FOUND", "Patient not found")
        return found

    # -- users ----------------------------------------------------------------------------------

    def _build_user(self, fields: Mapping[str, Any], created_at: str) -> JSONObject:
        user: JSONObject = {
            "id": self._new_id(),
            "username": None,
            **_user_defaults(),
            "createdAt": created_at,
            "updatedAt": created_at,
        }
        user.update(fields)
        return user

    def _store_user(self, user: JSONObject, region: str | None) -> None:
        self.users[user["id"]] = user
        if region is not None:
            self._regions[user["id"]] = region

    def _user_by_username(self, username: str) -> JSONObject | None:
        return next((u for u in self.users.values() if u.get("username") == username), None)

    def _free_username(self, base: str) -> str:
        username, n = base, 1
        while self._user_by_username(username) is not None:
            n += 1
            username = f"{base}-{n}"
        return username

    def _list_admin_users(self, call: _Call) -> httpx.Response:
        return self._users_page(call, region=None)

    def _list_instance_users(self, call: _Call) -> httpx.Response:
        return self._users_page(call, region=call.query.get("region") or None)

    def _users_page(self, call: _Call, region: str | None) -> httpx.Response:
        page, size = _paging(call.query)
        seat = _bool_param(call.query, "seatAssigned")
        state = call.query.get("userState")
        if state is not None and state not in _USER_STATES:
            raise _RejectedError(
                400, "BAD_REQUEST", "userState must be ACTIVE, INACTIVE or PROVISIONED"
            )
        needle = call.query.get("search", "").casefold()
        matches = [
            u
            for u in self.users.values()
            if (seat is None or u.get("seatAssigned") == seat)
            and (state is None or u.get("userState") == state)
            and (region is None or self._regions.get(u["id"]) == region)
            and (not needle or _contains(u, _USER_SEARCH_FIELDS, needle))
        ]
        return httpx.Response(200, json=_metainfo_page(matches, page, size))

    def _create_user(self, call: _Call) -> httpx.Response:
        body = call.body
        if not isinstance(body, dict):
            raise _RejectedError(400, "BAD_REQUEST", "User must be a JSON object")
        username = body.get("username")
        if not isinstance(username, str) or not username:
            raise _RejectedError(400, "VALIDATION_ERROR", "username is required")
        if self._user_by_username(username) is not None:
            raise _RejectedError(409, "ALREADY_EXISTS", "Username already exists")
        given = {k: v for k, v in body.items() if k not in _USER_FIXED_FIELDS}
        user = self._build_user({**given, "username": username}, _iso(call.now))
        self._store_user(user, None)
        return httpx.Response(201, json=user)

    def _get_user(self, call: _Call) -> httpx.Response:
        return httpx.Response(200, json=self._find_user(call))

    def _patch_user(self, call: _Call) -> httpx.Response:
        user = self._find_user(call)
        body = call.body
        if not isinstance(body, dict):
            raise _RejectedError(400, "BAD_REQUEST", "Patch must be a JSON object")
        if "username" in body and body["username"] != user["username"]:
            self._check_new_username(body["username"])
        user.update({k: v for k, v in body.items() if k not in ("id", "createdAt")})
        user["updatedAt"] = _iso(call.now)
        return httpx.Response(200, json=user)

    def _put_user(self, call: _Call) -> httpx.Response:
        user = self._find_user(call)
        if not isinstance(call.body, dict):
            raise _RejectedError(400, "BAD_REQUEST", "User must be a JSON object")
        replacement = {
            "id": user["id"],
            "username": user["username"],
            **_user_defaults(),
            "createdAt": user["createdAt"],
            "updatedAt": _iso(call.now),
            **{k: v for k, v in call.body.items() if k not in _USER_FIXED_FIELDS},
        }
        # Mutate in place so the user keeps its position in the insertion-ordered dict.
        user.clear()
        user.update(replacement)
        return httpx.Response(200, json=user)

    def _delete_user(self, call: _Call) -> httpx.Response:
        user = self._find_user(call)
        del self.users[user["id"]]
        self._regions.pop(user["id"], None)
        return httpx.Response(204)

    def _find_user(self, call: _Call) -> JSONObject:
        key = call.params["key"]
        kind = call.query.get("type", "").upper()
        if kind == "EMAIL":
            found = self._user_by_email(key)
        else:
            found = self.users.get(key) if kind == "ID" else self._user_by_username(key)
        if found is None:
            raise _RejectedError(404, "NOT_FOUND", "User not found")
        return found

    def _check_new_username(self, username: Any) -> None:
        if not isinstance(username, str) or not username:
            raise _RejectedError(400, "VALIDATION_ERROR", "username must be a non-empty string")
        if self._user_by_username(username) is not None:
            raise _RejectedError(409, "ALREADY_EXISTS", "Username already exists")

    # -- newer operations (NEWER.md) ------------------------------------------------------------

    def add_file(
        self, path: str, content: bytes, content_type: str = "application/octet-stream"
    ) -> None:
        """Store a file Welkin itself keeps (an SMS or email attachment, a call recording, a
        chat media file) at the download ``path``, relative to the tenant
        (``"sb-demo/patients/<id>/calls/<id>/recording"``)."""
        with self._lock:
            key = normalise_path(f"{self.tenant}/{path.strip('/')}")
            self._generic.files[key] = (bytes(content), content_type, key.rsplit("/", 1)[1])

    def _user_by_email(self, email: str) -> JSONObject | None:
        return next((u for u in self.users.values() if u.get("email") == email), None)

    def _territorial_team(self, patient: Mapping[str, Any]) -> list[JSONObject]:
        """The users with a territory of the patient's (by their ``user-territories``)."""
        wanted = {
            (region.get("name"), territory)
            for region in patient.get("patientTerritories") or []
            for territory in region.get("territories") or []
        }
        team = []
        for user in self.users.values():
            document = self._generic.documents.get(
                f"{self.tenant}/admin/user-territories/{user['id']}"
            )
            held = {
                (region.get("name"), territory)
                for region in (document or {}).get("territories") or []
                if region.get("instanceName") in (None, self.instance)
                for territory in region.get("territories") or []
            }
            if wanted & held:
                team.append({k: user.get(k) for k in ("id", "username", "firstName", "lastName")})
        return team

    def _export_patients(self, call: _Call) -> httpx.Response:
        try:
            page = envelope("CURSOR", list(self.patients.values()), call.query, call.request.path)
        except RejectedError as reject:
            raise _RejectedError(reject.status, reject.code, reject.message) from None
        return httpx.Response(200, json=page)

    def _pdt_patients(self, call: _Call) -> httpx.Response:
        """The patients with at least one record of the profile type."""
        root = f"{call.params['tenant']}/{call.params['instance']}/patients/"
        suffix = f"/pdts/{call.params['pdt']}"
        holders = [
            self.patients[pid]
            for pid in self.patients
            if self._generic.collections.get(f"{root}{pid}{suffix}")
        ]
        page, size = _paging(call.query)
        return httpx.Response(200, json=_spring_page(holders, page, size, None))

    # -- seed data ------------------------------------------------------------------------------

    def _new_id(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def _seed_timestamp(self) -> str:
        # Seeded records get past timestamps from the rng, not the clock, so equal seeds give
        # byte-identical data.
        return _iso(self._rng.uniform(_SEED_EPOCH_START, _SEED_EPOCH_END))

    def _seed_phone(self, area_code: str) -> str:
        return f"+1{area_code}{self._rng.randrange(200, 1000)}{self._rng.randrange(10000):04d}"

    def _seed_patient_fields(self) -> JSONObject:
        rng = self._rng
        self._seeded_patients += 1
        n = self._seeded_patients
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        state, city, tz, zip_prefix, area_code = rng.choice(_PLACES)
        birth = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 75))
        created = self._seed_timestamp()
        return {
            "externalId": f"EXT-{n:05d}" if rng.random() < 0.5 else None,
            "externalGuid": str(uuid.UUID(int=rng.getrandbits(128), version=4))
            if rng.random() < 0.3
            else None,
            "mrn": f"{rng.randrange(10, 100)}{n:06d}" if rng.random() < 0.5 else None,
            "firstName": first,
            "lastName": last,
            "birthDate": f"{birth.isoformat()}T00:00:00.000Z",
            "gender": rng.choice(_GENDERS),
            "email": f"{first}.{last}{n}@example.com".lower(),
            "phone": self._seed_phone(area_code),
            "country": "USA",
            "state": state,
            "city": city,
            "zip": f"{zip_prefix}{rng.randrange(100):02d}",
            "addressLine1": f"{rng.randrange(1, 9999)} {rng.choice(_STREETS)}",
            "timezone": tz,
            "createdAt": created,
            "updatedAt": created,
        }

    def _seed_user_fields(self) -> tuple[JSONObject, str]:
        rng = self._rng
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        _, _, tz, _, area_code = rng.choice(_PLACES)
        username = self._free_username(f"{first}.{last}".lower())
        created = self._seed_timestamp()
        fields = {
            "username": username,
            "email": f"{username}@clinic.example.org",
            "phone": self._seed_phone(area_code),
            "timezone": tz,
            "firstName": first,
            "lastName": last,
            "credentials": rng.choice(_CREDENTIALS),
            "userState": rng.choice(_SEED_USER_STATES),
            "seatAssigned": rng.random() < 0.7,
            "createdAt": created,
            "updatedAt": created,
        }
        return fields, rng.choice(_REGIONS)


# -- pure helpers -------------------------------------------------------------------------------


def _iso(timestamp: float) -> str:
    seconds, millis = divmod(round(timestamp * 1000), 1000)
    return f"{time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(seconds))}.{millis:03d}Z"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _jwt(payload: JSONObject) -> str:
    header = _b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    body = _b64url(json.dumps(payload, separators=(",", ":")).encode())
    return f"{header}.{body}.{_b64url(b'fake-welkin-signature')}"


def _decode_json(content: bytes) -> Any:
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return None


def _error_body(code: str, component: str, message: str, now: float) -> list[JSONObject]:
    return [
        {
            "errorCode": code,
            "componentType": component,
            "message": message,
            "details": {},
            "date": _iso(now),
        }
    ]


def _error(
    now: float,
    status: int,
    code: str,
    component: str,
    message: str,
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    return httpx.Response(status, headers=headers, json=_error_body(code, component, message, now))


def _too_many_tokens(wait: float) -> _RejectedError:
    return _RejectedError(
        429,
        "TOO_MANY_REQUESTS",
        "Too many token requests; authentication is blocked",
        headers={"Retry-After": str(max(1, math.ceil(wait)))},
    )


def _as_spring_reads(request: RecordedRequest) -> RecordedRequest:
    """The request as Welkin's server reads it: booleans in any case (the old package sent
    ``True``/``False``). The request log keeps what was sent."""
    spelled = {k: v.lower() if v in ("True", "False") else v for k, v in request.query.items()}
    return request if spelled == request.query else dataclasses.replace(request, query=spelled)


def _injected_exception(kind: type[Exception], request: httpx.Request) -> Exception:
    if issubclass(kind, httpx.RequestError):
        return kind("injected fault", request=request)
    # Exceptions outside httpx's RequestError family do not accept request=.
    return kind("injected fault")


def _int_param(query: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    try:
        return int_param(query, name, default, minimum)
    except RejectedError as reject:
        raise _RejectedError(reject.status, reject.code, reject.message) from None


def _paging(query: Mapping[str, str]) -> tuple[int, int]:
    return _int_param(query, "page", 0, minimum=0), _int_param(query, "size", 20, minimum=1)


def _bool_param(query: Mapping[str, str], name: str) -> bool | None:
    raw = query.get(name)
    if raw is None:
        return None
    if raw.lower() not in ("true", "false"):
        raise _RejectedError(400, "BAD_REQUEST", f"{name} must be true or false")
    return raw.lower() == "true"


def _contains(record: Mapping[str, Any], fields: tuple[str, ...], needle: str) -> bool:
    return any(needle in str(record.get(f) or "").casefold() for f in fields)


def _patient_matches(patient: Mapping[str, Any], query: Mapping[str, str]) -> bool:
    text = query.get("query")
    if text and not _contains(patient, _PATIENT_SEARCH_FIELDS, text.casefold()):
        return False
    if "email" in query and patient.get("email") != query["email"]:
        return False
    # Welkin documents timezone= (empty) as "patients with no timezone".
    return "timezone" not in query or (patient.get("timezone") or "") == query["timezone"]


def _sort_key(value: Any) -> tuple[int, float, str]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, float(value), "")
    return (1, 0.0, str(value))


def _sorted(items: list[JSONObject], spec: str | None) -> list[JSONObject]:
    if not spec:
        return items
    field, _, direction = spec.partition(",")
    direction = direction.strip().lower() or "asc"
    if not field or direction not in ("asc", "desc"):
        raise _RejectedError(400, "BAD_REQUEST", "sort must be field,asc or field,desc")
    present = [item for item in items if item.get(field) is not None]
    missing = [item for item in items if item.get(field) is None]
    present.sort(key=lambda item: _sort_key(item[field]), reverse=direction == "desc")
    return present + missing


def _user_defaults() -> JSONObject:
    return {**dict.fromkeys(_USER_PROFILE_FIELDS), "userState": "ACTIVE", "seatAssigned": True}


def _total_pages(total: int, size: int) -> int:
    return math.ceil(total / size)


def _spring_page(items: list[JSONObject], page: int, size: int, sort: str | None) -> JSONObject:
    total = len(items)
    pages = _total_pages(total, size)
    content = items[page * size : (page + 1) * size]
    sort_info = {"sorted": bool(sort), "unsorted": not sort, "empty": not sort}
    return {
        "content": content,
        "pageable": {
            "sort": dict(sort_info),
            "pageNumber": page,
            "pageSize": size,
            "offset": page * size,
            "paged": True,
            "unpaged": False,
        },
        "last": page + 1 >= pages,
        "first": page == 0,
        "number": page,
        "size": size,
        "numberOfElements": len(content),
        "totalElements": total,
        "totalPages": pages,
        "sort": sort_info,
        "empty": not content,
    }


def _metainfo_page(items: list[JSONObject], page: int, size: int) -> JSONObject:
    total = len(items)
    pages = _total_pages(total, size)
    content = items[page * size : (page + 1) * size]
    return {
        "data": content,
        "metaInfo": {
            "page": page,
            "pageSize": size,
            "totalElements": total,
            "numberOfElements": len(content),
            "totalPages": pages,
            "firstPage": page == 0,
            "lastPage": page + 1 >= pages,
        },
    }
