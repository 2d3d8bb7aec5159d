"""Tests of the offline Welkin fake, driven through plain httpx clients."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from support import START, FakeClock

from welkin.testing import FakeWelkin, RecordedRequest

TOKEN_PATH = "/gh/admin/api_clients/VBOPNRYRWJIP"
PATIENTS = "/gh/sb-demo/patients"
FILTER = "/gh/sb-demo/by-filter/patients"
ADMIN_USERS = "/gh/admin/users"
INSTANCE_USERS = "/gh/sb-demo/users"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
ISO_MS_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> FakeWelkin:
    return FakeWelkin(clock=clock)


@pytest.fixture
def http(fake: FakeWelkin) -> Iterator[httpx.Client]:
    with httpx.Client(transport=fake.transport, base_url=fake.base_url) as client:
        yield client


def get_token(http: httpx.Client, fake: FakeWelkin) -> str:
    response = http.post(TOKEN_PATH, json={"secret": fake.secret})
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


@pytest.fixture
def api(http: httpx.Client, fake: FakeWelkin) -> httpx.Client:
    http.headers["Authorization"] = f"Bearer {get_token(http, fake)}"
    return http


def jwt_part(token: str, index: int) -> Any:
    segment = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def assert_error(response: httpx.Response, status: int, code: str, component: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body, list) and len(body) == 1
    error = body[0]
    assert set(error) == {"errorCode", "componentType", "message", "details", "date"}
    assert error["errorCode"] == code
    assert error["componentType"] == component
    assert isinstance(error["message"], str) and error["message"]
    assert error["details"] == {}
    assert ISO_MS_Z.match(error["date"])


# -- authentication ---------------------------------------------------------------------------


def test_token_is_jwt_shaped_with_expected_claims(http: httpx.Client, fake: FakeWelkin) -> None:
    response = http.post(TOKEN_PATH, json={"secret": fake.secret})

    assert response.status_code == 201
    body = response.json()
    assert body["clientName"] == "VBOPNRYRWJIP"
    assert body["enabled"] is True
    token = body["token"]
    assert len(token.split(".")) == 3
    assert "=" not in token
    assert jwt_part(token, 0) == {"alg": "none", "typ": "JWT"}
    claims = jwt_part(token, 1)
    assert claims["custom:type"] == "API_CLIENT"
    assert claims["token_use"] == "id"
    assert claims["sub"] == "VBOPNRYRWJIP"
    assert claims["iat"] == int(START)
    assert claims["exp"] == int(START + 3600)
    assert fake.token_requests == 1


def test_each_token_is_distinct_and_ttl_is_configurable(clock: FakeClock) -> None:
    fake = FakeWelkin(clock=clock, token_ttl=60)
    with httpx.Client(transport=fake.transport, base_url=fake.base_url) as http:
        first, second = get_token(http, fake), get_token(http, fake)
    assert first != second
    claims = jwt_part(first, 1)
    assert claims["exp"] - claims["iat"] == 60
    assert jwt_part(second, 1)["jti"] == claims["jti"] + 1


@pytest.mark.parametrize(
    ("path", "secret"),
    [(TOKEN_PATH, "wrong"), ("/gh/admin/api_clients/SOMEONE_ELSE", "+}B{KGTG6#zG%P;tQm0C")],
)
def test_bad_credentials_answer_401(http: httpx.Client, path: str, secret: str) -> None:
    assert_error(http.post(path, json={"secret": secret}), 401, "BAD_CREDENTIALS", "AUTH")


def test_token_request_needs_a_json_object(http: httpx.Client) -> None:
    assert_error(http.post(TOKEN_PATH, content=b"nope"), 400, "BAD_REQUEST", "AUTH")


def test_token_endpoint_rejects_other_methods(http: httpx.Client) -> None:
    assert_error(http.get(TOKEN_PATH), 405, "METHOD_NOT_ALLOWED", "API")


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer"},
    ],
)
def test_missing_or_malformed_token_is_not_valid_jwt(
    http: httpx.Client, headers: dict[str, str]
) -> None:
    response = http.get(PATIENTS, headers=headers)
    assert_error(response, 401, "NOT_VALID_JSON_WEB_TOKEN", "AUTH")


def test_well_formed_token_the_fake_did_not_issue_is_rejected(
    http: httpx.Client, fake: FakeWelkin
) -> None:
    real = get_token(http, fake)
    header, _, signature = real.split(".")
    forged_payload = base64.urlsafe_b64encode(
        json.dumps({**jwt_part(real, 1), "exp": 9_999_999_999}).encode()
    ).rstrip(b"=")
    forged = f"{header}.{forged_payload.decode()}.{signature}"

    response = http.get(PATIENTS, headers={"Authorization": f"Bearer {forged}"})

    assert_error(response, 401, "NOT_VALID_JSON_WEB_TOKEN", "AUTH")


def test_token_expires_by_clock(api: httpx.Client, clock: FakeClock) -> None:
    clock.advance(3599)
    assert api.get(PATIENTS).status_code == 200

    clock.advance(1)
    assert_error(api.get(PATIENTS), 401, "TOKEN_EXPIRED", "AUTH")


def test_expire_tokens_invalidates_earlier_tokens_only(api: httpx.Client, fake: FakeWelkin) -> None:
    fake.expire_tokens()
    assert_error(api.get(PATIENTS), 401, "TOKEN_EXPIRED", "AUTH")

    api.headers["Authorization"] = f"Bearer {get_token(api, fake)}"
    assert api.get(PATIENTS).status_code == 200


def test_more_than_100_tokens_in_5_minutes_blocks_for_5_minutes(
    http: httpx.Client, fake: FakeWelkin, clock: FakeClock
) -> None:
    for _ in range(100):
        get_token(http, fake)
        clock.advance(1)

    blocked = http.post(TOKEN_PATH, json={"secret": fake.secret})
    assert_error(blocked, 429, "TOO_MANY_REQUESTS", "AUTH")
    assert blocked.headers["Retry-After"] == "300"

    clock.advance(299.5)
    still = http.post(TOKEN_PATH, json={"secret": fake.secret})
    assert_error(still, 429, "TOO_MANY_REQUESTS", "AUTH")
    assert still.headers["Retry-After"] == "1"

    clock.advance(0.5)
    assert http.post(TOKEN_PATH, json={"secret": fake.secret}).status_code == 201
    assert fake.token_requests == 103


def test_token_rate_window_slides(http: httpx.Client, fake: FakeWelkin, clock: FakeClock) -> None:
    for _ in range(100):
        get_token(http, fake)
    clock.advance(300)
    for _ in range(100):
        get_token(http, fake)
    assert http.post(TOKEN_PATH, json={"secret": fake.secret}).status_code == 429


def test_rate_limit_counts_failed_token_requests(http: httpx.Client, clock: FakeClock) -> None:
    for _ in range(100):
        assert http.post(TOKEN_PATH, json={"secret": "bad"}).status_code == 401
    assert http.post(TOKEN_PATH, json={"secret": "bad"}).status_code == 429


# -- routing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/other/sb-demo/patients",
        "/gh/other-instance/patients",
        "/gh/admin/api_clients/VBOPNRYRWJIP/extra",
        "/gh/sb-demo/nothing-here",
        "/gh/admin/patients",
        "/other/admin/users",
    ],
)
def test_unknown_paths_tenants_and_instances_answer_404(api: httpx.Client, path: str) -> None:
    assert_error(api.get(path), 404, "NOT_FOUND", "API")


def test_token_for_another_tenant_is_404(http: httpx.Client, fake: FakeWelkin) -> None:
    response = http.post("/other/admin/api_clients/VBOPNRYRWJIP", json={"secret": fake.secret})
    assert_error(response, 404, "NOT_FOUND", "API")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", PATIENTS),
        ("PUT", PATIENTS + "/some-id"),
        ("GET", FILTER),
        ("POST", INSTANCE_USERS),
        ("POST", ADMIN_USERS + "/someone"),
    ],
)
def test_known_path_with_wrong_method_is_405(api: httpx.Client, method: str, path: str) -> None:
    assert_error(api.request(method, path), 405, "METHOD_NOT_ALLOWED", "API")


def test_unauthenticated_request_is_401_before_routing(http: httpx.Client) -> None:
    assert http.get("/gh/sb-demo/nothing-here").status_code == 401


# -- patients ---------------------------------------------------------------------------------

PATIENT_NULL_FIELDS = (
    "externalId",
    "externalGuid",
    "mrn",
    "middleName",
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
)


def test_create_patient_fills_system_fields(api: httpx.Client, fake: FakeWelkin) -> None:
    response = api.post(
        PATIENTS, json={"firstName": "Charlie", "lastName": "Taylor", "timezone": "UTC"}
    )

    assert response.status_code == 201
    patient = response.json()
    assert UUID_RE.match(patient["id"])
    assert patient["firstName"] == "Charlie"
    assert patient["timezone"] == "UTC"
    assert patient["createdAt"] == patient["updatedAt"] == "2023-11-14T22:13:20.000Z"
    assert uuid.UUID(patient["createdBy"])
    assert patient["createdBy"] == patient["updatedBy"]
    assert patient["createdByName"] == patient["updatedByName"] == "VBOPNRYRWJIP"
    for name in PATIENT_NULL_FIELDS:
        assert patient[name] is None, name
    assert patient["patientTerritories"] == []
    assert patient["careTeam"] == []
    assert fake.patients[patient["id"]] == patient


def test_create_patient_ignores_client_supplied_system_fields(api: httpx.Client) -> None:
    body = {"id": "mine", "createdAt": "1999-01-01T00:00:00.000Z", "firstName": "A"}
    patient = api.post(PATIENTS, json=body).json()
    assert patient["id"] != "mine"
    assert patient["createdAt"] == "2023-11-14T22:13:20.000Z"


@pytest.mark.parametrize(
    "body", [[], "text", {"firstName": 3}, {"lastName": None}, {"firstName": ["x"]}]
)
def test_create_patient_validation(api: httpx.Client, fake: FakeWelkin, body: Any) -> None:
    response = api.post(PATIENTS, json=body)
    assert response.status_code == 400
    assert response.json()[0]["componentType"] == "PATIENT"
    assert fake.patients == {}


def test_create_patient_rejects_invalid_json(api: httpx.Client) -> None:
    response = api.post(PATIENTS, content=b"{broken", headers={"Content-Type": "application/json"})
    assert_error(response, 400, "BAD_REQUEST", "PATIENT")


def test_get_patient_by_id_and_by_lookup_type(api: httpx.Client, fake: FakeWelkin) -> None:
    patient = fake.add_patient(
        firstName="Ada", externalId="EXT-1", externalGuid="guid-1", mrn="MRN-1"
    )
    fake.add_patient(firstName="Other", externalId="EXT-2", mrn="MRN-2")

    assert api.get(f"{PATIENTS}/{patient['id']}").json() == patient
    assert api.get(f"{PATIENTS}/EXT-1", params={"type": "EID"}).json()["id"] == patient["id"]
    assert api.get(f"{PATIENTS}/guid-1", params={"type": "EGUID"}).json()["id"] == patient["id"]
    assert api.get(f"{PATIENTS}/MRN-1", params={"type": "MRN"}).json()["id"] == patient["id"]


def test_get_patient_errors(api: httpx.Client, fake: FakeWelkin) -> None:
    patient = fake.add_patient(firstName="Ada", externalId="EXT-1")

    assert_error(api.get(f"{PATIENTS}/no-such-id"), 404, "NOT_FOUND", "PATIENT")
    assert_error(api.get(f"{PATIENTS}/EXT-9", params={"type": "EID"}), 404, "NOT_FOUND", "PATIENT")
    # An externalId is not an id.
    assert api.get(f"{PATIENTS}/EXT-1").status_code == 404
    bad_type = api.get(f"{PATIENTS}/{patient['id']}", params={"type": "SSN"})
    assert_error(bad_type, 400, "BAD_REQUEST", "PATIENT")


def test_patch_patient_merges_and_bumps_updated_at(
    api: httpx.Client, fake: FakeWelkin, clock: FakeClock
) -> None:
    created = api.post(PATIENTS, json={"firstName": "Ada", "lastName": "Lovelace"}).json()
    clock.advance(61.25)

    response = api.patch(
        f"{PATIENTS}/{created['id']}", json={"email": "ada@example.com", "id": "changed"}
    )

    assert response.status_code == 200
    patched = response.json()
    assert patched["id"] == created["id"]
    assert patched["email"] == "ada@example.com"
    assert patched["lastName"] == "Lovelace"
    assert patched["createdAt"] == "2023-11-14T22:13:20.000Z"
    assert patched["updatedAt"] == "2023-11-14T22:14:21.250Z"
    assert fake.patients[created["id"]] == patched


def test_patch_patient_errors(api: httpx.Client, fake: FakeWelkin) -> None:
    patient = fake.add_patient(firstName="Ada")
    assert_error(api.patch(f"{PATIENTS}/missing", json={}), 404, "NOT_FOUND", "PATIENT")
    assert_error(api.patch(f"{PATIENTS}/{patient['id']}", json=[1]), 400, "BAD_REQUEST", "PATIENT")


def test_delete_patient(api: httpx.Client, fake: FakeWelkin) -> None:
    patient = fake.add_patient(firstName="Ada")

    response = api.delete(f"{PATIENTS}/{patient['id']}")

    assert response.status_code == 204
    assert response.content == b""
    assert patient["id"] not in fake.patients
    assert api.get(f"{PATIENTS}/{patient['id']}").status_code == 404
    assert_error(api.delete(f"{PATIENTS}/{patient['id']}"), 404, "NOT_FOUND", "PATIENT")


def test_add_patient_fills_defaults_and_returns_a_copy(fake: FakeWelkin) -> None:
    patient = fake.add_patient(firstName="Ada", gender="FEMALE", customField=1)
    assert UUID_RE.match(patient["id"])
    assert patient["createdAt"] == "2023-11-14T22:13:20.000Z"
    assert patient["email"] is None and patient["customField"] == 1
    patient["firstName"] = "Changed"
    assert fake.patients[patient["id"]]["firstName"] == "Ada"
    assert fake.add_patient(id="fixed-id")["id"] == "fixed-id"


def test_spring_page_envelope_across_pages(api: httpx.Client, fake: FakeWelkin) -> None:
    ids = [fake.add_patient(firstName=f"P{i:02d}")["id"] for i in range(45)]

    pages = [api.get(PATIENTS, params={"page": n, "size": 20}).json() for n in range(4)]

    assert [p["numberOfElements"] for p in pages] == [20, 20, 5, 0]
    assert [p["last"] for p in pages] == [False, False, True, True]
    assert [p["first"] for p in pages] == [True, False, False, False]
    assert [p["empty"] for p in pages] == [False, False, False, True]
    assert [item["id"] for p in pages for item in p["content"]] == ids
    second = pages[1]
    assert second["number"] == 1
    assert second["size"] == 20
    assert second["totalElements"] == 45
    assert second["totalPages"] == 3
    unsorted = {"sorted": False, "unsorted": True, "empty": True}
    assert second["sort"] == unsorted
    assert second["pageable"] == {
        "sort": unsorted,
        "pageNumber": 1,
        "pageSize": 20,
        "offset": 20,
        "paged": True,
        "unpaged": False,
    }
    assert pages[3]["content"] == []


def test_patient_list_defaults_to_page_0_size_20(api: httpx.Client, fake: FakeWelkin) -> None:
    for i in range(21):
        fake.add_patient(firstName=f"P{i}")
    page = api.get(PATIENTS).json()
    assert (page["number"], page["size"], page["numberOfElements"], page["last"]) == (
        0,
        20,
        20,
        False,
    )


def test_empty_patient_list_is_last_page(api: httpx.Client) -> None:
    page = api.get(PATIENTS).json()
    assert page["content"] == [] and page["last"] is True and page["totalPages"] == 0


def test_patient_list_sort_and_search(api: httpx.Client, fake: FakeWelkin) -> None:
    fake.add_patient(firstName="Bea", lastName="Zed", email="bea@x.org", timezone="UTC")
    fake.add_patient(firstName="Al", lastName="Young", phone="+14155550101")
    fake.add_patient(firstName="Cy", lastName="Xu", email="CY@EXAMPLE.com", timezone="UTC")

    def names(**params: str) -> list[str]:
        return [p["firstName"] for p in api.get(PATIENTS, params=params).json()["content"]]

    assert names(sort="firstName,asc") == ["Al", "Bea", "Cy"]
    assert names(sort="firstName,desc") == ["Cy", "Bea", "Al"]
    assert names(sort="lastName") == ["Cy", "Al", "Bea"]
    assert names(query="example") == ["Cy"]
    assert names(query="ZED") == ["Bea"]
    assert names(query="41555") == ["Al"]
    assert names(email="bea@x.org") == ["Bea"]
    assert names(email="BEA@x.org") == []
    assert names(timezone="UTC") == ["Bea", "Cy"]
    assert names(timezone="") == ["Al"]
    sorted_page = api.get(PATIENTS, params={"sort": "firstName,asc"}).json()
    assert sorted_page["sort"] == {"sorted": True, "unsorted": False, "empty": False}


@pytest.mark.parametrize(
    "params",
    [{"sort": "firstName,sideways"}, {"page": "-1"}, {"size": "0"}, {"page": "two"}],
)
def test_patient_list_rejects_bad_parameters(api: httpx.Client, params: dict[str, str]) -> None:
    assert_error(api.get(PATIENTS, params=params), 400, "BAD_REQUEST", "PATIENT")


def test_by_filter_patients(api: httpx.Client, fake: FakeWelkin) -> None:
    for i in range(5):
        fake.add_patient(firstName=f"P{i}", state="Texas" if i % 2 else "Ohio")

    everyone = api.post(FILTER, json={}).json()
    assert everyone["totalElements"] == 5 and everyone["last"] is True

    texans = api.post(FILTER, json={"state": "Texas"}).json()
    assert [p["firstName"] for p in texans["content"]] == ["P1", "P3"]

    paged = api.post(FILTER, params={"page": 1, "size": 2}, json={}).json()
    assert [p["firstName"] for p in paged["content"]] == ["P2", "P3"]
    assert (paged["number"], paged["totalPages"], paged["last"]) == (1, 3, False)

    assert api.post(FILTER, json={"noSuchField": "x"}).json()["content"] == []
    assert_error(api.post(FILTER, json=["state"]), 400, "BAD_REQUEST", "PATIENT")
    assert_error(api.post(FILTER), 400, "BAD_REQUEST", "PATIENT")


# -- users ------------------------------------------------------------------------------------


@pytest.fixture
def staff(fake: FakeWelkin) -> dict[str, dict[str, Any]]:
    return {
        "ann": fake.add_user(
            region="east-coast",
            username="ann",
            email="ann@clinic.org",
            firstName="Ann",
            lastName="Lee",
            userState="ACTIVE",
            seatAssigned=True,
        ),
        "bob": fake.add_user(
            region="west-coast",
            username="bob",
            email="bob@clinic.org",
            firstName="Bob",
            lastName="Annan",
            userState="INACTIVE",
            seatAssigned=False,
        ),
        "cat": fake.add_user(
            username="cat",
            email="cat@other.org",
            firstName="Cat",
            lastName="Diaz",
            userState="PROVISIONED",
            seatAssigned=True,
        ),
    }


def usernames(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [u["username"] for u in response.json()["data"]]


def test_user_list_metainfo_envelope(api: httpx.Client, fake: FakeWelkin) -> None:
    for i in range(5):
        fake.add_user(username=f"u{i}")

    pages = [api.get(ADMIN_USERS, params={"page": n, "size": 2}).json() for n in range(4)]

    assert [[u["username"] for u in p["data"]] for p in pages] == [
        ["u0", "u1"],
        ["u2", "u3"],
        ["u4"],
        [],
    ]
    assert pages[1]["metaInfo"] == {
        "page": 1,
        "pageSize": 2,
        "totalElements": 5,
        "numberOfElements": 2,
        "totalPages": 3,
        "firstPage": False,
        "lastPage": False,
    }
    assert pages[0]["metaInfo"]["firstPage"] is True
    assert pages[2]["metaInfo"]["lastPage"] is True
    assert pages[3]["metaInfo"]["lastPage"] is True
    assert api.get(ADMIN_USERS).json()["metaInfo"]["pageSize"] == 20


def test_user_list_filters(api: httpx.Client, staff: dict[str, dict[str, Any]]) -> None:
    assert usernames(api.get(ADMIN_USERS)) == ["ann", "bob", "cat"]
    assert usernames(api.get(ADMIN_USERS, params={"search": "ANN"})) == ["ann", "bob"]
    assert usernames(api.get(ADMIN_USERS, params={"search": "other.org"})) == ["cat"]
    assert usernames(api.get(ADMIN_USERS, params={"seatAssigned": "true"})) == ["ann", "cat"]
    assert usernames(api.get(ADMIN_USERS, params={"seatAssigned": "false"})) == ["bob"]
    for state, expected in [("ACTIVE", "ann"), ("INACTIVE", "bob"), ("PROVISIONED", "cat")]:
        assert usernames(api.get(ADMIN_USERS, params={"userState": state})) == [expected]
    combined = {"search": "clinic", "seatAssigned": "true", "userState": "ACTIVE"}
    assert usernames(api.get(ADMIN_USERS, params=combined)) == ["ann"]


@pytest.mark.parametrize("params", [{"userState": "DELETED"}, {"seatAssigned": "maybe"}])
def test_user_list_rejects_bad_filters(api: httpx.Client, params: dict[str, str]) -> None:
    assert_error(api.get(ADMIN_USERS, params=params), 400, "BAD_REQUEST", "USER")


def test_instance_user_list_filters_by_region(
    api: httpx.Client, staff: dict[str, dict[str, Any]]
) -> None:
    assert usernames(api.get(INSTANCE_USERS)) == ["ann", "bob", "cat"]
    assert usernames(api.get(INSTANCE_USERS, params={"region": "east-coast"})) == ["ann"]
    assert usernames(api.get(INSTANCE_USERS, params={"region": "west-coast"})) == ["bob"]
    assert usernames(api.get(INSTANCE_USERS, params={"region": "central"})) == []
    west_active = {"region": "west-coast", "userState": "ACTIVE"}
    assert usernames(api.get(INSTANCE_USERS, params=west_active)) == []
    assert "region" not in staff["ann"]


def test_create_user(api: httpx.Client, fake: FakeWelkin) -> None:
    body = {"username": "johndoe", "email": "j.doe@email.com", "credentials": "MD", "x": 1}

    response = api.post(ADMIN_USERS, json=body)

    assert response.status_code == 201
    user = response.json()
    assert UUID_RE.match(user["id"])
    assert user["username"] == "johndoe"
    assert user["email"] == "j.doe@email.com"
    assert user["credentials"] == "MD"
    assert user["x"] == 1
    assert user["phone"] is None and user["timezone"] is None
    assert user["firstName"] is None and user["lastName"] is None
    assert user["userState"] == "ACTIVE"
    assert user["seatAssigned"] is True
    assert user["createdAt"] == user["updatedAt"] == "2023-11-14T22:13:20.000Z"
    assert fake.users[user["id"]] == user


@pytest.mark.parametrize("body", [{}, {"username": 5}, {"username": ""}, ["johndoe"]])
def test_create_user_requires_a_username(api: httpx.Client, body: Any) -> None:
    response = api.post(ADMIN_USERS, json=body)
    assert response.status_code == 400
    assert response.json()[0]["componentType"] == "USER"


def test_create_user_with_taken_username_is_409(
    api: httpx.Client, staff: dict[str, dict[str, Any]]
) -> None:
    assert_error(api.post(ADMIN_USERS, json={"username": "ann"}), 409, "ALREADY_EXISTS", "USER")


def test_get_user_by_username_and_by_id(
    api: httpx.Client, staff: dict[str, dict[str, Any]]
) -> None:
    ann = staff["ann"]
    assert api.get(f"{ADMIN_USERS}/ann").json() == ann
    assert api.get(f"{ADMIN_USERS}/{ann['id']}", params={"type": "ID"}).json() == ann
    assert_error(api.get(f"{ADMIN_USERS}/{ann['id']}"), 404, "NOT_FOUND", "USER")
    assert api.get(f"{ADMIN_USERS}/ann", params={"type": "ID"}).status_code == 404


def test_patch_user_by_username(
    api: httpx.Client, fake: FakeWelkin, clock: FakeClock, staff: dict[str, dict[str, Any]]
) -> None:
    clock.advance(10)
    response = api.patch(f"{ADMIN_USERS}/ann", json={"email": "new@clinic.org", "id": "x"})

    assert response.status_code == 200
    user = response.json()
    assert user["id"] == staff["ann"]["id"]
    assert user["email"] == "new@clinic.org"
    assert user["firstName"] == "Ann"
    assert user["updatedAt"] == "2023-11-14T22:13:30.000Z"
    assert fake.users[user["id"]] == user


def test_patch_user_rename_conflict_and_errors(
    api: httpx.Client, staff: dict[str, dict[str, Any]]
) -> None:
    assert_error(
        api.patch(f"{ADMIN_USERS}/ann", json={"username": "bob"}), 409, "ALREADY_EXISTS", "USER"
    )
    assert_error(api.patch(f"{ADMIN_USERS}/nobody", json={}), 404, "NOT_FOUND", "USER")
    assert_error(api.patch(f"{ADMIN_USERS}/ann", json="x"), 400, "BAD_REQUEST", "USER")
    renamed = api.patch(f"{ADMIN_USERS}/ann", json={"username": "anne"})
    assert renamed.json()["username"] == "anne"
    assert api.get(f"{ADMIN_USERS}/anne").status_code == 200


def test_put_user_by_id_replaces_all_but_identity(
    api: httpx.Client, fake: FakeWelkin, clock: FakeClock, staff: dict[str, dict[str, Any]]
) -> None:
    bob = staff["bob"]
    clock.advance(5)

    response = api.put(
        f"{ADMIN_USERS}/{bob['id']}",
        params={"type": "ID"},
        json={"username": "robert", "firstName": "Robert", "createdAt": "1999"},
    )

    assert response.status_code == 200
    user = response.json()
    assert user["id"] == bob["id"]
    assert user["username"] == "bob"
    assert user["createdAt"] == bob["createdAt"]
    assert user["updatedAt"] == "2023-11-14T22:13:25.000Z"
    assert user["firstName"] == "Robert"
    assert user["email"] is None and user["lastName"] is None
    assert user["userState"] == "ACTIVE" and user["seatAssigned"] is True
    assert fake.users[bob["id"]] == user
    assert list(fake.users) == [staff[n]["id"] for n in ("ann", "bob", "cat")]


def test_put_user_errors(api: httpx.Client, staff: dict[str, dict[str, Any]]) -> None:
    assert_error(api.put(f"{ADMIN_USERS}/nobody", json={}), 404, "NOT_FOUND", "USER")
    assert_error(api.put(f"{ADMIN_USERS}/bob", json=[]), 400, "BAD_REQUEST", "USER")


def test_delete_user_by_username_and_by_id(
    api: httpx.Client, fake: FakeWelkin, staff: dict[str, dict[str, Any]]
) -> None:
    response = api.delete(f"{ADMIN_USERS}/ann")
    assert response.status_code == 204 and response.content == b""
    assert (
        api.delete(f"{ADMIN_USERS}/{staff['bob']['id']}", params={"type": "ID"}).status_code == 204
    )

    assert list(fake.users) == [staff["cat"]["id"]]
    assert usernames(api.get(INSTANCE_USERS, params={"region": "east-coast"})) == []
    assert_error(api.delete(f"{ADMIN_USERS}/ann"), 404, "NOT_FOUND", "USER")


def test_add_user_rejects_duplicate_username(fake: FakeWelkin) -> None:
    fake.add_user(username="ann")
    with pytest.raises(ValueError, match="already exists"):
        fake.add_user(username="ann")
    generated = [fake.add_user()["username"] for _ in range(2)]
    assert len(set(generated)) == 2


# -- fail_next --------------------------------------------------------------------------------


def test_fail_next_status_headers_and_default_body(api: httpx.Client, fake: FakeWelkin) -> None:
    fake.fail_next(503, headers={"Retry-After": "2"})

    failed = api.get(PATIENTS)

    assert_error(failed, 503, "INJECTED_FAULT", "API")
    assert failed.headers["Retry-After"] == "2"
    assert api.get(PATIENTS).status_code == 200


def test_fail_next_times_counts_consecutive_matches(api: httpx.Client, fake: FakeWelkin) -> None:
    fake.fail_next(500, times=2)
    statuses = [api.get(PATIENTS).status_code for _ in range(3)]
    assert statuses == [500, 500, 200]


def test_fail_next_filters_by_path_and_method(api: httpx.Client, fake: FakeWelkin) -> None:
    fake.fail_next(502, path_contains="users")
    fake.fail_next(409, method="post", path_contains="patients")

    assert api.get(PATIENTS).status_code == 200
    assert api.post(PATIENTS, json={}).status_code == 409
    assert api.post(PATIENTS, json={}).status_code == 201
    assert api.get(ADMIN_USERS).status_code == 502
    assert api.get(ADMIN_USERS).status_code == 200


def test_fail_next_custom_bodies(api: httpx.Client, fake: FakeWelkin) -> None:
    fake.fail_next(500, body=b"<html>oops</html>", headers={"Content-Type": "text/html"})
    fake.fail_next(502, body="Bad Gateway")
    fake.fail_next(400, body={"custom": True})

    raw = api.get(PATIENTS)
    assert (raw.status_code, raw.content, raw.headers["content-type"]) == (
        500,
        b"<html>oops</html>",
        "text/html",
    )
    assert api.get(PATIENTS).text == "Bad Gateway"
    assert api.get(PATIENTS).json() == {"custom": True}


@pytest.mark.parametrize("kind", [httpx.ConnectError, httpx.ReadTimeout, RuntimeError])
def test_fail_next_exception_is_raised_and_recorded(
    api: httpx.Client, fake: FakeWelkin, kind: type[Exception]
) -> None:
    fake.fail_next(exception=kind)
    before = len(fake.requests)

    with pytest.raises(kind, match="injected fault") as caught:
        api.get(PATIENTS)

    if isinstance(caught.value, httpx.RequestError):
        assert caught.value.request.url.path == PATIENTS
    assert len(fake.requests) == before + 1
    assert api.get(PATIENTS).status_code == 200


def test_fail_next_skips_token_requests(http: httpx.Client, fake: FakeWelkin) -> None:
    fake.fail_next(500)
    token = get_token(http, fake)
    response = http.get(PATIENTS, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 500


def test_fail_next_applies_before_authentication(http: httpx.Client, fake: FakeWelkin) -> None:
    fake.fail_next(503)
    assert http.get(PATIENTS).status_code == 503
    assert http.get(PATIENTS).status_code == 401


def test_fail_next_validates_arguments(fake: FakeWelkin) -> None:
    with pytest.raises(ValueError):
        fake.fail_next()
    with pytest.raises(ValueError):
        fake.fail_next(500, times=0)


# -- seed -------------------------------------------------------------------------------------


def test_seed_is_deterministic() -> None:
    def build(seed: int) -> FakeWelkin:
        fake = FakeWelkin(seed=seed)
        fake.seed(patients=15, users=10)
        return fake

    a, b, c = build(7), build(7), build(8)

    assert a.patients == b.patients
    assert a.users == b.users
    assert list(a.patients) == list(b.patients)
    assert a.patients != c.patients
    assert a.users != c.users


def test_seed_data_looks_real() -> None:
    fake = FakeWelkin(seed=3)
    fake.seed(patients=40, users=30)

    patients = list(fake.patients.values())
    assert len(patients) == 40
    assert len({p["id"] for p in patients}) == 40
    for p in patients:
        assert UUID_RE.match(p["id"])
        assert p["firstName"] and p["lastName"]
        assert re.fullmatch(r"[a-z.]+\d+@example\.com", p["email"])
        assert re.fullmatch(r"\+1[2-9]\d{9}", p["phone"])
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T00:00:00\.000Z", p["birthDate"])
        assert p["timezone"].startswith(("America/", "Pacific/"))
        assert p["state"] and p["city"] and re.fullmatch(r"\d{5}", p["zip"])
        assert ISO_MS_Z.match(p["createdAt"])
        assert p["patientTerritories"] == [] and p["careTeam"] == []
    with_eid = [p for p in patients if p["externalId"]]
    with_mrn = [p for p in patients if p["mrn"]]
    assert 0 < len(with_eid) < 40 and 0 < len(with_mrn) < 40
    assert len({p["externalId"] for p in with_eid}) == len(with_eid)

    users = list(fake.users.values())
    assert len({u["username"] for u in users}) == 30
    assert {u["userState"] for u in users} == {"ACTIVE", "INACTIVE", "PROVISIONED"}
    assert {u["seatAssigned"] for u in users} == {True, False}
    for u in users:
        assert u["email"].startswith(u["username"] + "@")
        assert re.fullmatch(r"\+1[2-9]\d{9}", u["phone"])


def test_seeded_users_have_regions(fake: FakeWelkin, api: httpx.Client) -> None:
    fake.seed(users=30)
    by_region = {
        region: usernames(api.get(INSTANCE_USERS, params={"region": region, "size": 100}))
        for region in ("east-coast", "west-coast", "central")
    }
    assert all(by_region.values())
    assert sum(len(v) for v in by_region.values()) == 30


def test_seeded_patients_are_reachable_by_lookup(fake: FakeWelkin, api: httpx.Client) -> None:
    fake.seed(patients=10)
    patient = next(p for p in fake.patients.values() if p["externalId"])
    found = api.get(f"{PATIENTS}/{patient['externalId']}", params={"type": "EID"})
    assert found.json()["id"] == patient["id"]


# -- request log and concurrency --------------------------------------------------------------


def test_request_log_records_everything(http: httpx.Client, fake: FakeWelkin) -> None:
    token = get_token(http, fake)
    http.post(
        FILTER,
        params={"page": "1", "size": "5"},
        json={"state": "Ohio"},
        headers={"Authorization": f"Bearer {token}", "X-Trace": "abc"},
    )
    http.get(f"{PATIENTS}?page=0&page=3")

    token_request, filter_request, list_request = fake.requests
    assert isinstance(token_request, RecordedRequest)
    assert token_request.method == "POST"
    assert token_request.path == "gh/admin/api_clients/VBOPNRYRWJIP"
    assert token_request.json == {"secret": fake.secret}
    assert filter_request.method == "POST"
    assert filter_request.path == "gh/sb-demo/by-filter/patients"
    assert filter_request.query == {"page": "1", "size": "5"}
    assert filter_request.json == {"state": "Ohio"}
    assert filter_request.headers["authorization"] == f"Bearer {token}"
    assert filter_request.headers["x-trace"] == "abc"
    assert all(name == name.lower() for name in filter_request.headers)
    assert list_request.query == {"page": "3"}
    assert list_request.json is None
    assert fake.token_requests == 1


def test_concurrent_requests_from_50_threads(api: httpx.Client, fake: FakeWelkin) -> None:
    barrier = threading.Barrier(50)
    statuses: list[int] = []
    lock = threading.Lock()

    def create(i: int) -> None:
        barrier.wait()
        response = api.post(PATIENTS, json={"firstName": f"T{i}"})
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=create, args=(i,)) for i in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [201] * 50
    assert len(fake.patients) == 50
    assert {p["firstName"] for p in fake.patients.values()} == {f"T{i}" for i in range(50)}
    assert len(fake.requests) == 51
    assert api.get(PATIENTS, params={"size": 100}).json()["totalElements"] == 50


def test_concurrent_token_requests_respect_the_limit(http: httpx.Client, fake: FakeWelkin) -> None:
    results: list[int] = []
    lock = threading.Lock()

    def ask() -> None:
        for _ in range(3):
            status = http.post(TOKEN_PATH, json={"secret": fake.secret}).status_code
            with lock:
                results.append(status)

    threads = [threading.Thread(target=ask) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results.count(201) == 100
    assert results.count(429) == 50
    assert fake.token_requests == 150


def test_works_with_async_client(fake: FakeWelkin) -> None:
    async def scenario() -> list[int]:
        async with httpx.AsyncClient(transport=fake.transport, base_url=fake.base_url) as client:
            token = (await client.post(TOKEN_PATH, json={"secret": fake.secret})).json()["token"]
            client.headers["Authorization"] = f"Bearer {token}"
            created = await client.post(PATIENTS, json={"firstName": "Async"})
            listed = await client.get(PATIENTS)
            return [created.status_code, listed.json()["totalElements"]]

    assert asyncio.run(scenario()) == [201, 1]
