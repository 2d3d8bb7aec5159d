"""Stateful in-memory fake of the Welkin REST API, served through ``httpx.MockTransport``.

Every request goes through one pipeline: recorded, maybe failed on purpose (``fail_next``,
``chaos``), authenticated, routed to its operation of the registry (``_routes``), and answered
by the operation's handler (``_handlers``) or by plain CRUD on the store (``_store``).
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import itertools
import json
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from ._handlers import HANDLERS
from ._handlers.auth import Tokens, is_token_path
from ._handlers.patients import build_patient
from ._handlers.users import build_user, free_username, store_user, user_by_username
from ._hooks import instrument
from ._multipart import multipart_fields
from ._routes import Call, Handler, RejectedError, check_body, component_of, match, normalise_path
from ._seed import seed_patient_fields, seed_user_fields
from ._store import Store
from ._webhooks import FakeWebhooks, RegisteredWebhook
from ._wire import error, error_body, iso

if TYPE_CHECKING:
    import welkin

__all__ = ["FakeWelkin", "RecordedRequest"]

JSONObject = dict[str, Any]

_CRUD = Handler(Store.crud)


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake received it."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    headers: dict[str, str]
    content: bytes = b""  # the raw body (multipart uploads have no JSON)


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


_FAKE_NUMBERS = itertools.count(1)


class FakeWelkin(FakeWebhooks):
    """Offline, stateful Welkin API for tests; wire an httpx client to ``transport``, or take
    one from ``client()``.

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
        self.requests: list[RecordedRequest] = []
        self._clock = clock
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._faults: list[_Fault] = []
        self._chaos_rate = 0.0
        self._chaos_statuses: tuple[int, ...] = ()
        self._chaos_rng = random.Random(seed)
        self._seeded_patients = 0
        self._client_user_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"welkin-fake:{api_client}"))
        self._store = Store(
            self._new_id,
            actor=self._client_user_id,
            actor_name=api_client,
            tokens=Tokens(api_client, secret, token_ttl),
        )
        self.patients: dict[str, JSONObject] = self._store.patients
        self.users: dict[str, JSONObject] = self._store.users
        self._webhooks: list[RegisteredWebhook] = []  # see _webhooks
        self.transport = httpx.MockTransport(self._handle)

    # -- public helpers -------------------------------------------------------------------------

    @property
    def api_client(self) -> str:
        return self._store.tokens.api_client

    @api_client.setter
    def api_client(self, name: str) -> None:
        self._store.tokens.api_client = self._store.actor_name = name

    @property
    def secret(self) -> str:
        return self._store.tokens.secret

    @secret.setter
    def secret(self, secret: str) -> None:
        self._store.tokens.secret = secret

    @property
    def token_ttl(self) -> float:
        return self._store.tokens.ttl

    @token_ttl.setter
    def token_ttl(self, seconds: float) -> None:
        self._store.tokens.ttl = seconds

    @property
    def token_requests(self) -> int:
        with self._lock:
            return self._store.tokens.requests

    def seed(self, *, patients: int = 0, users: int = 0, designer: bool = False) -> None:
        """Add realistic records drawn from the constructor's seed; ``designer=True`` also adds a
        small designer (a ``vitals`` CDT, a ``phq_2`` assessment, ``intake`` and ``follow_up``
        encounter templates, an ``onboarding`` program, goal templates, document types and the
        encounter disposition) to the draft formation, which ``current`` serves too."""
        store = self._store
        with self._lock:
            if designer:
                store.seed_designer(f"{self.tenant}/{self.instance}")
            for _ in range(patients):
                self._seeded_patients += 1
                fields = seed_patient_fields(self._rng, self._seeded_patients)
                patient = build_patient(store, fields, self._clock)
                self.patients[patient["id"]] = patient
            for _ in range(users):
                fields, region = seed_user_fields(self._rng, lambda b: free_username(store, b))
                store_user(store, build_user(store, fields, fields["createdAt"]), region)

    def add_patient(self, **fields: Any) -> JSONObject:
        """Store a patient as given (camelCase keys), filling what is missing; returns a copy."""
        with self._lock:
            patient = build_patient(self._store, copy.deepcopy(fields), self._clock)
            self.patients[patient["id"]] = patient
            return copy.deepcopy(patient)

    def add_user(self, *, region: str | None = None, **fields: Any) -> JSONObject:
        """Store a user as given, filling what is missing; returns a copy."""
        store = self._store
        with self._lock:
            fields = copy.deepcopy(fields)
            if "username" not in fields:
                fields["username"] = free_username(store, f"user{len(self.users) + 1}")
            if user_by_username(store, fields["username"]) is not None:
                raise ValueError(f"username {fields['username']!r} already exists")
            user = build_user(store, fields, iso(self._clock()))
            store_user(store, user, region)
            return copy.deepcopy(user)

    def add_records(self, path: str, records: Iterable[Mapping[str, Any]]) -> list[str]:
        """Store records only Welkin itself writes (audit events, unrecognised SMS and
        emails...) in the collection at ``path``, relative to the tenant
        (``"sb-demo/unrecognized-patients/sms"``, ``"admin/..."``). Each is stored as given
        (camelCase keys), under its ``id`` or a new one; returns their ids in order."""
        collection_path = normalise_path(f"{self.tenant}/{path.strip('/')}")
        ids = []
        with self._lock:
            collection = self._store.collections.setdefault(collection_path, {})
            for record in records:
                stored = copy.deepcopy(dict(record))
                stored.setdefault("id", self._new_id())
                collection[str(stored["id"])] = stored
                ids.append(str(stored["id"]))
        return ids

    def add_file(
        self, path: str, content: bytes, content_type: str = "application/octet-stream"
    ) -> None:
        """Store a file Welkin itself keeps (an SMS or email attachment, a call recording, a
        chat media file) at the download ``path``, relative to the tenant
        (``"sb-demo/patients/<id>/calls/<id>/recording"``)."""
        with self._lock:
            key = normalise_path(f"{self.tenant}/{path.strip('/')}")
            self._store.files[key] = (bytes(content), content_type, key.rsplit("/", 1)[1])

    def expire_tokens(self) -> None:
        """Make every token issued so far answer TOKEN_EXPIRED."""
        with self._lock:
            self._store.tokens.expire_all()

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

    def client(
        self,
        *,
        sleep: Callable[[float], object] | None = None,
        clock: Callable[[], float] | None = None,
        monotonic: Callable[[], float] | None = None,
        jitter: bool | random.Random | None = None,
        **kwargs: Any,
    ) -> welkin.Client:
        """A ``welkin.Client`` wired to this fake; closing it closes its connections too.

        ``sleep``, ``clock``, ``monotonic`` and ``jitter`` replace the client's waits, clocks
        and backoff jitter (see ``welkin.testing.instrument``); the other keyword arguments
        are ``welkin.Client``'s.
        """
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
        try:
            return instrument(client, sleep=sleep, clock=clock, monotonic=monotonic, jitter=jitter)
        except TypeError:
            client.close()
            raise

    def async_client(
        self,
        *,
        sleep: Callable[[float], object] | None = None,
        clock: Callable[[], float] | None = None,
        monotonic: Callable[[], float] | None = None,
        jitter: bool | random.Random | None = None,
        **kwargs: Any,
    ) -> welkin.AsyncClient:
        """A ``welkin.AsyncClient`` wired to this fake; closing it closes its connections too.

        The keyword arguments are ``client()``'s; ``sleep`` may be a plain function
        (``sleeps.append``) or a coroutine function.
        """
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
        return instrument(client, sleep=sleep, clock=clock, monotonic=monotonic, jitter=jitter)

    # -- request pipeline -----------------------------------------------------------------------

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
        if is_token_path(recorded.path):
            self._store.tokens.requests += 1
        return recorded

    def _take_fault(self, request: RecordedRequest) -> _Fault | None:
        if is_token_path(request.path):
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
            body = error_body("INJECTED_FAULT", "API", "injected fault", now)
            return httpx.Response(fault.status, headers=fault.headers, json=body)
        if isinstance(fault.body, (bytes, str)):
            return httpx.Response(fault.status, headers=fault.headers, content=fault.body)
        return httpx.Response(fault.status, headers=fault.headers, json=fault.body)

    def _respond(self, request: RecordedRequest, now: float) -> httpx.Response:
        if not is_token_path(request.path):
            refusal = self._store.tokens.refusal(request.headers, now)
            if refusal is not None:
                code, message = refusal
                return error(now, 401, code, "AUTH", message)
        return self._dispatch(_as_spring_reads(request), now)

    def _dispatch(self, request: RecordedRequest, now: float) -> httpx.Response:
        """Route the request to its operation and answer it with the operation's handler."""
        path = normalise_path(request.path)
        route, params, known = match(request.method, path, request.query)
        if route is None:
            if known:
                return error(now, 405, "METHOD_NOT_ALLOWED", "API", f"{request.method} not allowed")
            return error(now, 404, "NOT_FOUND", "API", "No such endpoint")
        handler = HANDLERS.get(route.operation.id, _CRUD)
        component = handler.component or component_of(route.operation)
        if not self._is_own_scope(params):
            return error(now, 404, "NOT_FOUND", "API", "Unknown tenant or instance")
        body = request.json
        content_type = request.headers.get("content-type", "")
        if not handler.own_checks:
            patient = params.get("patientId")
            if patient is not None and patient not in self.patients:
                return error(now, 404, "NOT_FOUND", "PATIENT", f"No patient {patient}")
            user = params.get("userId")
            if user is not None and user not in self.users:
                return error(now, 404, "NOT_FOUND", "USER", f"No user {user}")
            if content_type.startswith("multipart/") and route.operation.body_model is not None:
                body = multipart_fields(request.content, content_type)  # stored like JSON
        call = Call(
            route=route,
            path=path,
            params=params,
            query=request.query,
            body=body,
            content=request.content,
            content_type=content_type,
            time=now,
            now=iso(now),
        )
        try:
            if not handler.own_checks:
                check_body(call)
            return handler.handle(self._store, call)
        except RejectedError as reject:
            return error(now, reject.status, reject.code, component, reject.message, reject.headers)

    def _is_own_scope(self, params: Mapping[str, str]) -> bool:
        instance = params.get("instance", self.instance)
        return params.get("tenant") == self.tenant and instance == self.instance

    def _new_id(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))


# -- pure helpers -------------------------------------------------------------------------------


def _decode_json(content: bytes) -> Any:
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return None


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
