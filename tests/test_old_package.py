"""The old package's surface (welkin 0.1.x), against the fake: a program written for it,
its objects, its client methods, its exception, auth and helpers.

The wire traffic of every old method is compared with the real old package in
tests/differential/.
"""

from __future__ import annotations

import inspect
import io
import json
from datetime import date, datetime, timedelta, timezone

import httpx
import pytest

import welkin
from welkin import APIStatusError, InvalidArgumentError, NotFoundError
from welkin.authentication import DB_PATH, WelkinAuth
from welkin.exceptions import WelkinHTTPError
from welkin.models import EncounterDisposition, Patient, Patients, User
from welkin.models.base import Collection, Resource, SchemaBase
from welkin.testing import FakeWelkin
from welkin.util import (
    clean_date,
    clean_datetime,
    clean_json_list,
    clean_request_params,
    clean_request_payload,
    find_model_id,
    reset_file_offsets,
    to_camel_case,
    to_snake_case,
)

MISSING = "6801d498-26f4-4aee-961b-5daffcf193c8"


@pytest.fixture
def fake() -> FakeWelkin:
    fake = FakeWelkin()
    fake.seed(patients=3, users=2)
    return fake


@pytest.fixture
def client(fake: FakeWelkin) -> welkin.Client:
    http = httpx.Client(transport=fake.transport)
    credentials = (fake.tenant, fake.instance, fake.api_client, fake.secret)
    return welkin.Client(*credentials, base_url=fake.base_url, http_client=http)


def sent(fake: FakeWelkin) -> list[tuple[str, str, dict[str, str]]]:
    """(method, path, query) of every API request, token calls left out."""
    return [(r.method, r.path, r.query) for r in fake.requests if "api_clients" not in r.path]


# -- a program written for the old package ----------------------------------------------------


def test_an_old_program_runs_unchanged(client: welkin.Client, fake: FakeWelkin) -> None:
    patient = client.Patient(firstName="Foo", lastName="Bar").create()
    assert isinstance(patient, Patient) and isinstance(patient, dict)
    assert isinstance(patient.id, str) and patient["id"] == patient.id
    assert str(patient) == "Foo Bar"

    patient.update(firstName="Baz")
    assert patient.firstName == "Baz"  # updated in place from Welkin's answer
    again = client.Patient(id=patient.id).get()
    assert again == patient

    first_page = client.Patients().get()
    assert isinstance(first_page, Patients) and len(first_page) == 4
    assert all(isinstance(p, Patient) for p in first_page)
    walked = [p.id for p in client.Patients().get(paginate=True, size=2)]
    assert sorted(walked) == sorted(p.id for p in first_page)

    patient.delete()
    assert ("DELETE", f"gh/sb-demo/patients/{patient.id}", {}) in sent(fake)


def test_lists_send_the_old_query(client: welkin.Client, fake: FakeWelkin) -> None:
    client.Users().get(search="a", seat_assigned=True, user_state="ACTIVE")
    pid = next(iter(fake.patients))
    client.Patient(id=pid).Chats().get()

    users, chats = sent(fake)[-2:]
    assert users == (
        "GET",
        "gh/admin/users",
        {"search": "a", "seatAssigned": "True", "userState": "ACTIVE", "page": "0"},
    )
    assert chats[2] == {"includeArchived": "False", "pageSize": "20"}


def test_a_list_stops_at_its_size_or_its_last_page(client: welkin.Client, fake: FakeWelkin) -> None:
    fake.seed(patients=30)

    first = client.Patients().get()
    every = list(client.Patients().get(paginate=True))

    assert len(first) == 20 and len(every) == 33
    pages = [q.get("page") for m, p, q in sent(fake) if p.endswith("by-filter/patients")]
    assert pages == ["0", "0", "1"]


# -- classes bound to the client ------------------------------------------------------------


def test_old_classes_are_classes_bound_to_their_client(fake: FakeWelkin) -> None:
    one, two = (welkin.Client("gh", "sb-demo", "api", "secret") for _ in range(2))

    assert inspect.isclass(one.Patient) and issubclass(one.Patient, Patient)
    assert one.Patient._client is one and two.Patient._client is two
    assert one.Patient is one.Patient  # bound once per client
    assert welkin.Client.Patient is Patient  # on the class: the old class itself
    assert isinstance(one.Patient(id="x"), Patient)
    assert one.Patient.__name__ == "Patient" and one.Patient.__module__ == Patient.__module__


def test_children_take_their_parents_ids(client: welkin.Client, fake: FakeWelkin) -> None:
    pid = next(iter(fake.patients))
    patient = client.Patient(id=pid)

    encounter = patient.Encounter(title="Intake").create()
    assert encounter.Assessments()._parent is encounter
    listed = patient.Encounters().get()
    assert [e.id for e in listed] == [encounter.id]
    assert listed[0]._parent is listed and listed[0]._client is client

    explicit = client.Encounter(id=encounter.id).get(patient_id=pid)
    assert explicit.id == encounter.id
    assert sent(fake)[-1][1] == f"gh/sb-demo/patients/{pid}/encounters/{encounter.id}"


def test_a_child_without_its_parents_id_fails_as_before(client: welkin.Client) -> None:
    with pytest.raises(TypeError) as caught:
        client.Encounter(id="e1").get()
    assert isinstance(caught.value.__cause__, AttributeError)
    assert "Cannot find Patient id" in str(caught.value.__cause__)

    with pytest.raises(ValueError, match="Program must have either programName or id"):
        client.PatientProgram().get(patient_id="p1")


# -- objects: dicts of the wire JSON ------------------------------------------------------------


def test_resources_are_the_wire_json(client: welkin.Client) -> None:
    data = {"id": "e1", "createdAt": "2024-05-01T10:00:00.123Z", "futureField": None}
    encounter = client.Encounter(data)

    assert json.loads(json.dumps(encounter)) == data  # dumps back exactly
    assert encounter.createdAt == "2024-05-01T10:00:00.123Z"  # as sent: text
    assert len(encounter) == 3 and "futureField" in encounter
    encounter.title = "Intake"
    assert encounter["title"] == "Intake"
    del encounter.title
    assert "title" not in encounter
    assert str(encounter) == "Encounter #e1"
    with pytest.raises(AttributeError):
        _ = encounter.nothing


def test_nested_objects_are_wrapped_in_the_old_classes(client: welkin.Client) -> None:
    encounter = client.Encounter(
        id="e1",
        patientId="p1",
        userRelatedToCalendarEvent={"id": "u1", "firstName": "Ada", "lastName": "L"},
        assessmentLinks=[{"id": "a1"}, {"id": "a2"}],
        disposition={"status": "DONE"},
    )

    user = encounter.userRelatedToCalendarEvent
    assert isinstance(user, User) and str(user) == "Ada L" and user._client is client
    links = encounter.assessmentLinks
    assert type(links).__name__ == "Assessments" and [a.id for a in links] == ["a1", "a2"]
    assert isinstance(encounter.disposition, EncounterDisposition)
    assert encounter["disposition"] == {"status": "DONE"}  # the dict itself is unchanged


def test_the_typed_view_of_an_old_object(client: welkin.Client, fake: FakeWelkin) -> None:
    patient = client.Patient(firstName="Ada", lastName="Lovelace").create()

    typed = patient.model
    assert isinstance(typed, welkin.types.Patient)
    assert typed.first_name == "Ada" and str(typed.id) == patient.id
    assert patient.firstName == "Ada" and isinstance(patient["id"], str)  # unchanged
    assert client.Encounter({"model": "kept"}).model == "kept"  # a field of that name wins


def test_a_slice_of_a_collection_is_a_collection(client: welkin.Client) -> None:
    users = client.Users()
    users.extend(users._wrap({"id": str(n)}) for n in range(3))

    part = users[1:]
    assert type(part) is type(users) and [u.id for u in part] == ["1", "2"]
    assert isinstance(users, Collection) and isinstance(users[0], Resource)
    assert isinstance(users, SchemaBase)


# -- the old client surface ---------------------------------------------------------------------


def test_client_get_post_and_request_return_the_unwrapped_json(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    assert client.host == f"{fake.base_url}/gh/"
    made = client.post("sb-demo/patients", json={"firstName": "Raw", "lastName": "Call"})
    assert made["firstName"] == "Raw"
    assert client.get(["sb-demo", "patients", made["id"]]) == made
    page, meta = client.request(
        "POST", "sb-demo/by-filter/patients", "pageable", {}, json={}, params={"page": 0}
    )
    assert made["id"] in [p["id"] for p in page] and meta["number"] == 0
    assert client.delete(f"sb-demo/patients/{made['id']}") == {}
    token = client.get_token()
    assert isinstance(token, dict) and token["token"] not in repr(token)


def test_a_foreign_absolute_url_gets_no_token() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if "api_clients" in request.url.path:
            return httpx.Response(200, json={"token": "t0k3n"})
        return httpx.Response(200, json={"ok": True})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    client = welkin.Client("gh", "sb-demo", "api", "secret", http_client=http)

    assert client.get("https://files.example/report") == {"ok": True}
    client.get("sb-demo/patients/p1")

    foreign, token_call, own = seen
    assert "authorization" not in foreign.headers
    assert "authorization" not in token_call.headers
    assert own.headers["authorization"] == "Bearer t0k3n"


def test_unsupported_request_options_are_refused_before_sending(client: welkin.Client) -> None:
    with pytest.raises(InvalidArgumentError, match="verify"):
        client.get("sb-demo/patients", verify=False)
    with pytest.raises(InvalidArgumentError, match="host"):
        client.host = "https://api.example/other/"


def test_host_moves_every_request_and_the_token_call(fake: FakeWelkin) -> None:
    http = httpx.Client(transport=fake.transport)
    client = welkin.Client("gh", "sb-demo", fake.api_client, fake.secret, http_client=http)

    client.host = f"{fake.base_url}/gh/"
    client.Patient(firstName="A", lastName="B").create()

    assert fake.token_requests == 1 and fake.requests[-1].method == "POST"


# -- errors ---------------------------------------------------------------------------------


def test_http_errors_are_welkin_http_errors_and_typed_errors(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    with pytest.raises(WelkinHTTPError) as caught:
        client.Patient(id=MISSING).get()
    exc = caught.value

    assert isinstance(exc, NotFoundError) and isinstance(exc, APIStatusError)
    assert isinstance(exc, OSError)  # the old one was a requests.HTTPError, an IOError
    assert type(exc).__name__ == "WelkinHTTPError"
    url = f"{fake.base_url}/gh/sb-demo/patients/{MISSING}"
    head, body = str(exc).split("\n", 1)
    assert head == f"404 Client Error: Not Found for url: {url}"
    assert json.loads(body) == exc.response.json()
    assert exc.response.status_code == 404 and exc.error_codes == ["NOT_FOUND"]
    assert "authorization" not in exc.request.headers
    token = fake.requests[-1].headers["authorization"].split()[1]
    assert token not in str(exc) + repr(exc) and fake.secret not in str(exc) + repr(exc)


# -- auth -------------------------------------------------------------------------------------


def test_welkin_auth_reads_and_refreshes_the_clients_token(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    auth = client.auth
    assert isinstance(auth, WelkinAuth)
    first = auth.token
    assert fake.token_requests == 1
    assert auth.token == first  # cached

    auth.refresh_token()
    assert fake.token_requests == 2 and auth.token != first
    request = auth(httpx.Request("GET", f"{fake.base_url}/gh/sb-demo/patients"))
    assert request.headers["Authorization"] == f"Bearer {auth.token}"
    token_call = auth(httpx.Request("POST", f"{fake.base_url}/gh/admin/api_clients/x"))
    assert "Authorization" not in token_call.headers
    assert fake.secret not in repr(auth) + str(auth) and auth.token not in repr(auth)
    assert DB_PATH.endswith(".welkin.db")


# -- helpers ----------------------------------------------------------------------------------


def test_util_helpers_give_the_old_outputs() -> None:
    plus_2 = timezone(timedelta(hours=2))
    when = datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=plus_2)

    assert clean_datetime(when) == "2024-05-01T10:30:15.123Z"
    assert clean_date(date(2024, 5, 1)) == "2024-05-01T00:00:00.000Z"
    payload = {"at": when, "ids": [MISSING], "nested": {"day": date(2024, 5, 1)}}
    assert clean_request_payload(payload) == {
        "at": "2024-05-01T10:30:15.123Z",
        "ids": [MISSING],
        "nested": {"day": "2024-05-01T00:00:00.000Z"},
    }
    assert clean_json_list([when, 1]) == ["2024-05-01T10:30:15.123Z", 1]
    assert clean_request_params({"ids": ["a", "b"], "flag": True, "from": when}) == {
        "ids": "a,b",
        "flag": True,
        "from": "2024-05-01T10:30:15.123Z",
    }
    assert to_camel_case("document_summary") == "documentSummary"
    assert to_camel_case("DocumentSummary") == "documentSummary"
    assert to_snake_case("AssessmentRecord") == "assessment_record"
    assert to_snake_case("HTTPResponse") == "http_response"


def test_find_model_id_walks_the_parents(client: welkin.Client) -> None:
    patient = client.Patient(id="p1", firstName="Ada", lastName="L")
    encounter = patient.Encounter(id="e1")
    assert find_model_id(encounter, "Patient") == "p1"
    assert find_model_id(encounter, "Encounter") == "e1"
    assert find_model_id(client.Encounter(patientId="p2"), "Patient") == "p2"
    with pytest.raises(AttributeError, match="Cannot find User id"):
        find_model_id(encounter, "User")


def test_reset_file_offsets_rewinds_every_file() -> None:
    one, two = io.BytesIO(b"abc"), io.BytesIO(b"def")
    one.read(), two.read()

    reset_file_offsets([("files", ("a.txt", one, "text/plain")), ("other", two)])

    assert one.tell() == 0 and two.tell() == 0


def test_uploads_send_the_whole_file_on_a_retry(client: welkin.Client, fake: FakeWelkin) -> None:
    pid = next(iter(fake.patients))
    summary = client.Patient(id=pid).DocumentSummary(type="doc-type-others").create()
    handle = io.BytesIO(b"%PDF-1.7 scan")
    fake.fail_next(exception=httpx.ConnectError)  # never sent: safe to retry a POST

    files = [("files", ("scan.pdf", handle, "application/pdf"))]
    summary.DocumentSummaryFiles().create(files=files)

    uploads = [r for r in fake.requests if r.path.endswith("/files")]
    assert len(uploads) == 2 and all(b"%PDF-1.7 scan" in r.content for r in uploads)
