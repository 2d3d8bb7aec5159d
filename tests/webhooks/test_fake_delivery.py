"""FakeWelkin sends webhooks: what a change made through the API POSTs, to which receivers,
with which headers; retries on non-2xx; the webhook audit log; a real 127.0.0.1 receiver;
and the chat webhook."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import httpx
import pytest
from support import FakeClock, api_calls

import welkin
from welkin.testing import FakeWelkin
from welkin.webhooks import (
    ChatMessageEvent,
    WebhookEvent,
    Webhooks,
    unwrap,
    wsgi_app,
)

TOKEN = "5c7e0a3d9f214b8e"


class Receiver:
    """An in-process receiver (an httpx transport) answering with the statuses it is given."""

    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.statuses.pop(0) if self.statuses else 200)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(request.content) for request in self.requests]


@pytest.fixture
def patient_id(fake: FakeWelkin) -> str:
    fake.seed(designer=True)
    return str(fake.add_patient(firstName="Ada", lastName="Lovelace")["id"])


def test_a_change_posts_the_notification_with_the_configured_headers_and_fields(
    fake: FakeWelkin, client: welkin.Client, patient_id: str
) -> None:
    receiver = Receiver()
    fake.add_webhook(
        "http://127.0.0.1:8123/hooks/welkin",
        transport=receiver.transport,
        headers={"X-Welkin-Token": TOKEN},
        query_parameters={"source": "welkin"},
        custom_fields={"careProgram": "diabetes", "eventEntity": "ignored"},
    )

    record = client.patients.cdts.create(patient_id, "vitals", {"weight": 61.5})

    [request] = receiver.requests
    assert request.method == "POST"
    assert str(request.url) == "http://127.0.0.1:8123/hooks/welkin?source=welkin"
    assert request.headers["X-Welkin-Token"] == TOKEN
    assert request.headers["Content-Type"] == "application/json"
    body = json.loads(request.content)
    assert body == {
        "instanceName": "sb-demo",
        "tenantName": "gh",
        "sourceName": "vitals",
        "sourceId": str(record.id),
        "patientId": patient_id,
        "eventEntity": "CDT",
        "eventSubtype": "CDT_CREATED",
        "url": f"{fake.base_url}/gh/sb-demo/patients/{patient_id}/cdts/vitals/{record.id}",
        "initiatedBy": {
            "initiatedBy": body["initiatedBy"]["initiatedBy"],
            "initiatedByName": fake.api_client,
            "initiatedByObjectId": fake.api_client,
            "initiatedByObjectType": "API_CLIENT",
            "initiatedTime": body["initiatedBy"]["initiatedTime"],
        },
        "careProgram": "diabetes",  # a custom field never replaces a predefined one
    }
    event = unwrap(request.content, request.headers, expected_headers={"X-Welkin-Token": TOKEN})
    assert event.model_extra == {"careProgram": "diabetes"}


def test_each_kind_of_change_sends_its_event(
    fake: FakeWelkin, client: welkin.Client, patient_id: str
) -> None:
    receiver = Receiver()
    fake.add_webhook(transport=receiver.transport)
    user_id = str(fake.add_user(username="mokafor")["id"])
    start = datetime(2025, 6, 2, 15, 0, tzinfo=timezone.utc)

    patient = client.patients.create(first_name="Grace", last_name="Hopper")
    client.patients.update(patient.id, first_name="Amazing Grace")
    record = client.patients.cdts.create(patient_id, "vitals", {"weight": 61.5})
    client.patients.cdts.update(patient_id, "vitals", record.id, {"weight": 61.0})
    client.patients.cdts.bulk_update(
        patient_id, "vitals", rows=[{"id": record.id, "jsonBody": {"weight": 60.5}}]
    )
    event = client.calendar.events.create(
        start_date_time=start,
        end_date_time=start + timedelta(hours=1),
        host_id=user_id,
        participants=[{"participantId": user_id, "participantRole": "psm"}],
    )
    client.calendar.events.update(event.id, event_title="Moved")
    assessment = client.patients.assessment_records.create(
        patient_id, assessment_name="phq_2", status="COMPLETED"
    )
    client.users.app_accesses.replace(
        user_id, admin_access_enabled=False, audit_security_access_enabled=False,
        instance_accesses=[],
    )  # fmt: skip
    client.patients.get(patient_id)  # reads send nothing
    client.patients.cdts.delete(patient_id, "vitals", record.id)  # nor do deletes

    sent = [(b["eventEntity"], b["eventSubtype"], b["sourceId"]) for b in receiver.bodies()]
    assert sent == [
        ("PATIENT", "PATIENT_CREATED", str(patient.id)),
        ("PATIENT", "PATIENT_UPDATED", str(patient.id)),
        ("CDT", "CDT_CREATED", str(record.id)),
        ("CDT", "CDT_UPDATED", str(record.id)),
        ("CDT", "CDT_UPDATED", str(record.id)),
        ("CALENDAR", "CALENDAR_EVENT_CREATED", str(event.id)),
        ("CALENDAR", "CALENDAR_EVENT_UPDATED", str(event.id)),
        ("ASSESSMENT", "ASSESSMENT_COMPLETED", str(assessment.id)),
        ("USER_APP_ACCESS", "USER_ACCESS_UPDATED", user_id),
    ]
    assert receiver.bodies()[7]["sourceName"] == "phq_2"
    assert receiver.bodies()[8]["url"] == f"{fake.base_url}/gh/admin/application-accesses/{user_id}"


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        (["CDT"], ["CDT_CREATED", "CDT_UPDATED"]),
        (["CDT_UPDATED"], ["CDT_UPDATED"]),
        ("PATIENT", ["PATIENT_UPDATED"]),
        (["CDT_CREATED", "PATIENT"], ["CDT_CREATED", "PATIENT_UPDATED"]),
        ([], []),
        (None, ["CDT_CREATED", "CDT_UPDATED", "PATIENT_UPDATED"]),
    ],
)
def test_a_webhook_gets_only_the_events_it_was_set_up_for(
    fake: FakeWelkin,
    client: welkin.Client,
    patient_id: str,
    events: list[str] | str | None,
    expected: list[str],
) -> None:
    receiver = Receiver()
    fake.add_webhook(transport=receiver.transport, events=events)

    record = client.patients.cdts.create(patient_id, "vitals", {"weight": 61.5})
    client.patients.cdts.update(patient_id, "vitals", record.id, {"weight": 61.0})
    client.patients.update(patient_id, first_name="Augusta")

    assert [body["eventSubtype"] for body in receiver.bodies()] == expected


def test_failed_calls_and_injected_faults_send_nothing(
    fake: FakeWelkin, client: welkin.Client, patient_id: str
) -> None:
    receiver = Receiver()
    fake.add_webhook(transport=receiver.transport)
    with pytest.raises(welkin.NotFoundError):
        client.patients.cdts.create("6801d498-26f4-4aee-961b-5daffcf193c8", "vitals", {})
    fake.fail_next(403, method="POST")
    with pytest.raises(welkin.PermissionDeniedError):
        client.patients.cdts.create(patient_id, "vitals", {"weight": 61.5})
    assert receiver.requests == []


def test_no_webhook_no_delivery_and_no_log(
    fake: FakeWelkin, client: welkin.Client, patient_id: str
) -> None:
    client.patients.cdts.create(patient_id, "vitals", {"weight": 61.5})
    assert list(client.audits.webhook.list()) == []


# -- retries and the audit log -------------------------------------------------------------


def test_a_non_2xx_answer_is_retried_and_every_attempt_is_logged(
    fake: FakeWelkin, client: welkin.Client, patient_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []
    monkeypatch.setattr(fake, "_webhook_wait", waits.append)
    receiver = Receiver(500, 429, 204)
    fake.add_webhook(
        transport=receiver.transport,
        name="analytics",
        headers={"X-Welkin-Token": TOKEN},
        query_parameters={"source": "welkin"},
        max_attempts=4,
        backoff=0.5,
    )

    client.patients.cdts.create(patient_id, "vitals", {"weight": 61.5})

    assert len(receiver.requests) == 3
    assert len({request.content for request in receiver.requests}) == 1  # the same body
    assert waits == [0.5, 1.0]
    log = list(client.audits.webhook.list())
    assert [(entry.status, entry.model_extra) for entry in log] == [
        ("FAILED", {"httpStatus": 500}),
        ("FAILED", {"httpStatus": 429}),
        ("DELIVERED", {"httpStatus": 204}),
    ]
    entry = log[0]
    assert (entry.event_entity, entry.event_subtype) == ("CDT", "CDT_CREATED")
    assert str(entry.patient_id) == patient_id and entry.instance == "sb-demo"
    assert entry.record is not None and entry.record.name == "analytics"
    assert entry.record.url == "http://127.0.0.1/webhook"
    assert [(h.name, h.value) for h in entry.record.headers or []] == [("X-Welkin-Token", TOKEN)]
    assert [(q.name, q.value) for q in entry.record.query_parameters or []] == [
        ("source", "welkin")
    ]
    assert [e.status for e in client.audits.webhook.list(status=["FAILED"])] == ["FAILED"] * 2


def test_retries_stop_after_max_attempts(
    fake: FakeWelkin, client: welkin.Client, patient_id: str
) -> None:
    receiver = Receiver(503, 503, 503, 503)
    fake.add_webhook(transport=receiver.transport, max_attempts=3)

    record = client.patients.cdts.create(patient_id, "vitals", {"weight": 61.5})

    assert record.id  # the API call itself succeeded
    assert len(receiver.requests) == 3
    assert [entry.status for entry in client.audits.webhook.list()] == ["FAILED"] * 3


def test_the_backoff_really_waits(fake: FakeWelkin, client: welkin.Client, patient_id: str) -> None:
    fake.add_webhook(transport=Receiver(500, 500).transport, backoff=0.02)
    started = time.perf_counter()
    client.patients.cdts.create(patient_id, "vitals", {"weight": 61.5})
    assert time.perf_counter() - started >= 0.02 + 0.04


def test_while_an_attempt_is_under_way_it_is_logged_as_sent(
    fake: FakeWelkin, client: welkin.Client, patient_id: str
) -> None:
    seen: list[list[str | None]] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        with fake.client() as reader:  # the receiver calls the fake back: no deadlock
            seen.append([entry.status for entry in reader.audits.webhook.list()])
        return httpx.Response(200)

    fake.add_webhook(transport=httpx.MockTransport(receiver))
    client.patients.cdts.create(patient_id, "vitals", {"weight": 61.5})

    assert seen == [["SENT"]]
    assert [entry.status for entry in client.audits.webhook.list()] == ["DELIVERED"]


def test_a_receiver_that_raises_fails_the_delivery_not_the_api_call(
    fake: FakeWelkin, client: welkin.Client, patient_id: str
) -> None:
    def broken(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        raise RuntimeError("receiver bug")

    fake.add_webhook(app=broken, max_attempts=2)
    client.patients.cdts.create(patient_id, "vitals", {"weight": 61.5})

    log = list(client.audits.webhook.list())
    assert [(entry.status, entry.model_extra) for entry in log] == [
        ("FAILED", {"httpStatus": 500}),
        ("FAILED", {"httpStatus": 500}),
    ]


def test_an_unreachable_receiver_is_logged_as_failed_without_a_status(
    fake: FakeWelkin, client: welkin.Client, patient_id: str
) -> None:
    with make_server("127.0.0.1", 0, wsgi_app(print, allow_unverified=True)) as server:
        port = server.server_address[1]  # bound, then closed: nothing listens there
    fake.add_webhook(f"http://127.0.0.1:{port}/hooks", max_attempts=2)

    client.patients.cdts.create(patient_id, "vitals", {"weight": 61.5})

    log = list(client.audits.webhook.list())
    assert [(entry.status, entry.model_extra) for entry in log] == [
        ("FAILED", {"httpStatus": None}),
        ("FAILED", {"httpStatus": None}),
    ]


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/hooks",
        "http://10.0.0.7/hooks",
        "http://169.254.169.254/latest",
        "http://localhost.example.com/hooks",
        "ftp://127.0.0.1/hooks",
        "not a url",
    ],
)
def test_the_fake_sends_only_to_loopback_addresses(fake: FakeWelkin, url: str) -> None:
    with pytest.raises(ValueError):
        fake.add_webhook(url)
    with pytest.raises(ValueError):
        fake.add_chat_webhook(url, api_key="k", api_secret="s")
    assert fake.webhooks == ()


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9000/a", "https://127.8.0.1/a", "http://[::1]:9000/", "http://localhost/"],
)
def test_loopback_addresses_are_accepted(fake: FakeWelkin, url: str) -> None:
    webhook_id = fake.add_webhook(url)
    [webhook] = fake.webhooks
    assert (webhook.id, webhook.url) == (webhook_id, url)


def test_bad_settings_are_refused(fake: FakeWelkin) -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        fake.add_webhook(max_attempts=0)
    with pytest.raises(ValueError, match="backoff"):
        fake.add_webhook(backoff=-1)
    with pytest.raises(ValueError, match="app or transport"):
        fake.add_webhook(app=wsgi_app(print, allow_unverified=True), transport=Receiver().transport)


def test_a_removed_webhook_gets_nothing_more(
    fake: FakeWelkin, client: welkin.Client, patient_id: str
) -> None:
    receiver = Receiver()
    webhook_id = fake.add_webhook(transport=receiver.transport)
    client.patients.update(patient_id, first_name="A")
    fake.remove_webhook(webhook_id)
    client.patients.update(patient_id, first_name="B")

    assert len(receiver.requests) == 1
    with pytest.raises(KeyError):
        fake.remove_webhook(webhook_id)


# -- end to end: receivers built with welkin.webhooks -------------------------------------


def test_a_redelivery_after_a_lost_answer_is_handled_once(
    fake: FakeWelkin, client: welkin.Client, patient_id: str
) -> None:
    """The receiver handles the event but Welkin does not get its 200 (a timeout, say) and
    delivers again: the receiver answers 200 without calling the handler a second time."""
    handled: list[WebhookEvent] = []
    app = httpx.WSGITransport(app=wsgi_app(handled.append, expected_headers={"X-T": TOKEN}))
    answers: list[int] = []

    def lossy(request: httpx.Request) -> httpx.Response:
        response = app.handle_request(request)
        response.read()
        answers.append(response.status_code)
        if len(answers) == 1:
            return httpx.Response(504)  # the receiver's 200 never reached Welkin
        return response

    fake.add_webhook(transport=httpx.MockTransport(lossy), headers={"X-T": TOKEN})
    client.patients.cdts.create(patient_id, "vitals", {"weight": 61.5})

    assert answers == [200, 200]
    assert len(handled) == 1
    assert [e.status for e in client.audits.webhook.list()] == ["FAILED", "DELIVERED"]


def test_a_wrong_header_is_refused_by_the_receiver_and_retried_by_the_fake(
    fake: FakeWelkin, client: welkin.Client, patient_id: str
) -> None:
    handled: list[WebhookEvent] = []
    fake.add_webhook(
        app=wsgi_app(handled.append, expected_headers={"X-T": TOKEN}),
        headers={"X-T": "stale token"},
        max_attempts=2,
    )
    client.patients.cdts.create(patient_id, "vitals", {"weight": 61.5})

    assert handled == []
    log = list(client.audits.webhook.list())
    assert [(e.status, e.model_extra) for e in log] == [("FAILED", {"httpStatus": 401})] * 2


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve(app: Any) -> Iterator[str]:
    """``app`` behind a real WSGI server on 127.0.0.1; yields its URL."""
    server: WSGIServer = make_server("127.0.0.1", 0, app, handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/webhooks/welkin"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_delivery_to_a_real_server_on_127_0_0_1_that_resolves_the_event(
    patient_id: str, fake: FakeWelkin
) -> None:
    """The whole round trip over sockets: the fake served on loopback, a wsgiref server
    receiving the webhook, and the handler reading the record back during the delivery."""
    resolved: list[Any] = []
    with fake.serve() as base_url, welkin.Client(
        tenant=fake.tenant, instance=fake.instance, api_client=fake.api_client,
        secret_key=fake.secret, base_url=base_url,
    ) as client:  # fmt: skip

        def handler(event: WebhookEvent) -> None:
            resolved.append(Webhooks(client).resolve(event))

        receiver = wsgi_app(handler, expected_headers={"X-Welkin-Token": TOKEN})
        with serve(receiver) as url:
            fake.add_webhook(url, headers={"X-Welkin-Token": TOKEN})
            record = client.patients.cdts.create(patient_id, "vitals", {"weight": 61.5})

    [got] = resolved
    assert got.id == record.id
    with fake.client() as reader:
        assert [e.status for e in reader.audits.webhook.list()] == ["DELIVERED"]


# -- the chat webhook -----------------------------------------------------------------------


def test_a_users_message_to_a_patient_fires_the_chat_webhook(
    fake: FakeWelkin, client: welkin.Client, patient_id: str
) -> None:
    received: list[WebhookEvent] = []
    chat_headers = {"X-WEBHOOK-API-KEY": "key-1", "X-WEBHOOK-API-SECRET": "secret-1"}
    fake.add_chat_webhook(
        app=wsgi_app(received.append, expected_headers=chat_headers),
        api_key="key-1",
        api_secret="secret-1",
    )
    data = Receiver()
    fake.add_webhook(transport=data.transport)  # data webhooks do not get chat messages

    stored = fake.send_chat_message(patient_id, "See you Tuesday")

    [event] = received
    assert isinstance(event, ChatMessageEvent)
    assert event.to_dict() == {
        "patientId": patient_id,
        "patientUrl": f"{fake.base_url}/gh/sb-demo/patients/{patient_id}",
        "tenantName": "gh",
        "instanceName": "sb-demo",
        "message": "See you Tuesday",
    }
    assert data.requests == []
    [message] = client.patients.chat.list(patient_id)
    assert message.message == stored["message"] == "See you Tuesday"
    assert message.sender is not None and message.sender.client_type == "USER"
    [entry] = client.audits.webhook.list()
    assert (entry.event_entity, entry.status) == ("CHAT", "DELIVERED")


def test_the_patients_own_messages_do_not_fire_the_chat_webhook(
    fake: FakeWelkin, client: welkin.Client, patient_id: str
) -> None:
    """Welkin sends it when a user messages a patient; the API posts the patient's side."""
    receiver = Receiver()
    fake.add_chat_webhook(transport=receiver.transport, api_key="k", api_secret="s")
    client.patients.chat.send_inbound(patient_id, message="Thanks!")
    assert receiver.requests == []


def test_a_chat_message_needs_a_patient(fake: FakeWelkin) -> None:
    with pytest.raises(KeyError):
        fake.send_chat_message("6801d498-26f4-4aee-961b-5daffcf193c8", "hello")


def test_the_events_time_is_the_fakes_clock() -> None:
    clock = FakeClock()
    fake = FakeWelkin(clock=clock)
    fake.seed(designer=True)
    patient = fake.add_patient(firstName="Ada")
    receiver = Receiver()
    fake.add_webhook(transport=receiver.transport)
    with fake.client(clock=clock) as client:
        client.patients.update(patient["id"], first_name="Augusta")
    [body] = receiver.bodies()
    assert body["initiatedBy"]["initiatedTime"] == "2023-11-14T22:13:20.000Z"
    assert api_calls(fake)[-1].method == "PATCH"


def test_a_transport_of_the_tests_is_reused_and_left_open(
    fake: FakeWelkin, client: welkin.Client, patient_id: str
) -> None:
    received: list[WebhookEvent] = []
    with (
        serve(wsgi_app(received.append, allow_unverified=True)) as url,
        httpx.HTTPTransport() as mine,
    ):
        fake.add_webhook(url, transport=mine)
        client.patients.update(patient_id, first_name="A")
        client.patients.update(patient_id, first_name="B")
        with httpx.Client(transport=mine) as still_open:
            assert still_open.post(url, json={}).status_code == 200

    assert [event.event_subtype for event in received] == ["PATIENT_UPDATED"] * 2 + [None]
