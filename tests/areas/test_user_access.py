"""``client.users.permissions``, ``.territories`` and ``.app_accesses``: one document per user,
read with GET and created or replaced with PUT, against the fake."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

import pytest
from support import is_utc_aware, last_call

import welkin
from welkin.testing import FakeWelkin
from welkin.types import (
    UserAppAccesses,
    UserPermissions,
    UserPermissionWrite,
    UserTerritories,
    UserTerritoryWrite,
)

ADMIN = "gh/admin"
MISSING = "6801d498-26f4-4aee-961b-5daffcf193c8"
EXPIRY = datetime(2025, 12, 1, tzinfo=timezone.utc)

# Shaped like docs/users_policies.md, docs/users_territories.md and docs/users_app_accesses.md
# (own values), each with a field Welkin might add and a null.
PERMISSIONS: dict[str, Any] = {
    "id": "16c2c714-2b1b-447a-a612-4249bf832035",
    "createdAt": "2024-01-07T10:02:12.234Z",
    "updatedAt": "2024-05-06T06:26:55.656Z",
    "userId": "20eb246e-8099-4c7c-854c-5e0f9a366ddb",
    "permissions": [
        {
            "permissionName": "caregiver",
            "instanceName": "sb-demo",
            "type": "SECURITY_ROLE",
            "primaryRole": True,
        },
        {
            "permissionName": "cdt_management",
            "instanceName": "sb-demo",
            "type": "SECURITY_POLICY",
            "primaryRole": None,
            "effectiveDate": "2025-12-01T00:00:00.000Z",
        },
    ],
    "newField": 1,
}
TERRITORIES: dict[str, Any] = {
    "id": "88a2f19c-adac-4171-87af-405aec1dea69",
    "createdAt": "2024-01-19T10:46:00.832Z",
    "updatedAt": "2024-05-04T05:53:13.150Z",
    "createdBy": "20eb246e-8099-4c7c-854c-5e0f9a366ddb",
    "updatedBy": None,
    "userId": "20eb246e-8099-4c7c-854c-5e0f9a366ddb",
    "territories": [
        {"instanceName": "sb-demo", "name": "california", "territories": ["los-angeles"]},
        {"instanceName": "live", "name": "washington", "territories": ["seattle", "tacoma"]},
    ],
    "newField": {"nested": True},
}
APP_ACCESSES: dict[str, Any] = {
    "id": "daa7948d-c52c-4129-b64b-848ecc7a5c93",
    "userId": "20eb246e-8099-4c7c-854c-5e0f9a366ddb",
    "adminAccessEnabled": True,
    "auditSecurityAccessEnabled": False,
    "instanceAccesses": [
        {
            "instanceId": "62378f09-e1e5-4fc6-a095-5fdb84f8b36b",
            "instanceName": "sb-demo",
            "instanceDescription": None,
            "workshopAccessEnabled": True,
            "auditDataAccessEnabled": False,
        }
    ],
    "newField": "x",
}

ROLE = {
    "permissionName": "caregiver",
    "instanceName": "sb-demo",
    "type": "SECURITY_ROLE",
    "primaryRole": True,
}


@pytest.fixture
def uid(fake: FakeWelkin) -> str:
    return str(fake.add_user(username="nick.snow")["id"])


# -- documented shapes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "fixture"),
    [
        (UserPermissions, PERMISSIONS),
        (UserTerritories, TERRITORIES),
        (UserAppAccesses, APP_ACCESSES),
    ],
    ids=["permissions", "territories", "app_accesses"],
)
def test_documented_examples_dump_back_exactly(model: Any, fixture: dict[str, Any]) -> None:
    parsed = model.model_validate(fixture)
    assert parsed.to_dict() == fixture
    assert parsed.id == uuid.UUID(fixture["id"])
    assert parsed.user_id == uuid.UUID("20eb246e-8099-4c7c-854c-5e0f9a366ddb")
    assert parsed.model_extra == {"newField": fixture["newField"]}


def test_documented_examples_are_typed() -> None:
    permissions = UserPermissions.model_validate(PERMISSIONS)
    territories = UserTerritories.model_validate(TERRITORIES)
    accesses = UserAppAccesses.model_validate(APP_ACCESSES)

    assert is_utc_aware(permissions.created_at)
    role, policy = permissions.permissions or []
    assert (role.permission_name, role.primary_role, role.effective_date) == (
        "caregiver",
        True,
        None,
    )
    assert policy.effective_date == EXPIRY and policy.primary_role is None
    assert territories.created_by == uuid.UUID(TERRITORIES["createdBy"])
    assert territories.updated_by is None
    assert [t.territories for t in territories.territories or []] == [
        ["los-angeles"],
        ["seattle", "tacoma"],
    ]
    [instance] = accesses.instance_accesses or []
    assert instance.instance_id == uuid.UUID("62378f09-e1e5-4fc6-a095-5fdb84f8b36b")
    assert (instance.workshop_access_enabled, instance.audit_data_access_enabled) == (True, False)
    assert accesses.admin_access_enabled is True


# -- permissions ----------------------------------------------------------------------------


def test_permissions_replace_then_get(fake: FakeWelkin, client: welkin.Client, uid: str) -> None:
    stored = client.users.permissions.replace(
        uid,
        permissions=[
            ROLE,
            UserPermissionWrite(
                permission_name="cdt_management",
                instance_name="sb-demo",
                type="SECURITY_POLICY",
                effective_date=EXPIRY,
            ),
        ],
    )

    call = last_call(fake)
    assert (call.method, call.path, call.query) == ("PUT", f"{ADMIN}/user-permissions/{uid}", {})
    assert call.json == {
        "permissions": [
            ROLE,
            {
                "permissionName": "cdt_management",
                "instanceName": "sb-demo",
                "type": "SECURITY_POLICY",
                "effectiveDate": "2025-12-01T00:00:00.000Z",
            },
        ]
    }
    assert isinstance(stored, UserPermissions) and isinstance(stored.id, uuid.UUID)
    assert [p.permission_name for p in stored.permissions or []] == ["caregiver", "cdt_management"]
    assert (stored.permissions or [])[1].effective_date == EXPIRY

    again = client.users.permissions.get(uuid.UUID(uid))
    call = last_call(fake)
    assert (call.method, call.path, call.json) == ("GET", f"{ADMIN}/user-permissions/{uid}", None)
    assert again == stored


def test_permissions_replace_replaces_the_whole_set(client: welkin.Client, uid: str) -> None:
    first = client.users.permissions.replace(uid, permissions=[ROLE])

    second = client.users.permissions.replace(
        uid,
        permissions=[
            {"permissionName": "manager", "instanceName": "live", "type": "SECURITY_ROLE"}
        ],
    )

    assert second.id == first.id and second.created_at == first.created_at
    assert [p.permission_name for p in second.permissions or []] == ["manager"]
    assert client.users.permissions.get(uid).permissions == second.permissions


def test_replaced_documents_name_their_user(client: welkin.Client, uid: str) -> None:
    permissions = client.users.permissions.replace(uid, permissions=[ROLE])
    territories = client.users.territories.replace(uid, territories=[])

    assert permissions.user_id == uuid.UUID(uid)
    assert territories.user_id == uuid.UUID(uid)


# -- territories ----------------------------------------------------------------------------


def test_territories_replace_then_get(fake: FakeWelkin, client: welkin.Client, uid: str) -> None:
    stored = client.users.territories.replace(
        uid,
        territories=[
            UserTerritoryWrite(instance_name="sb-demo", name="california", territories=["la"]),
            {"instanceName": "live", "name": "washington", "territories": ["seattle", "tacoma"]},
        ],
    )

    call = last_call(fake)
    assert (call.method, call.path) == ("PUT", f"{ADMIN}/user-territories/{uid}")
    assert call.json == {
        "territories": [
            {"instanceName": "sb-demo", "name": "california", "territories": ["la"]},
            {"instanceName": "live", "name": "washington", "territories": ["seattle", "tacoma"]},
        ]
    }
    assert isinstance(stored, UserTerritories)
    assert [(t.instance_name, t.name) for t in stored.territories or []] == [
        ("sb-demo", "california"),
        ("live", "washington"),
    ]
    assert is_utc_aware(stored.created_at)

    again = client.users.territories.get(uid)
    assert (last_call(fake).method, last_call(fake).path) == (
        "GET",
        f"{ADMIN}/user-territories/{uid}",
    )
    assert again == stored


# -- application accesses -------------------------------------------------------------------


def test_app_accesses_replace_sends_the_user_id_and_get_reads_it(
    fake: FakeWelkin, client: welkin.Client, uid: str
) -> None:
    stored = client.users.app_accesses.replace(
        uid,
        admin_access_enabled=False,
        audit_security_access_enabled=True,
        instance_accesses=[
            {
                "instanceName": "sb-demo",
                "workshopAccessEnabled": True,
                "auditDataAccessEnabled": False,
            }
        ],
    )

    call = last_call(fake)
    assert (call.method, call.path) == ("PUT", f"{ADMIN}/application-accesses/{uid}")
    assert call.json == {
        "userId": uid,  # A's example repeats the path's user id in the body
        "adminAccessEnabled": False,
        "auditSecurityAccessEnabled": True,
        "instanceAccesses": [
            {
                "instanceName": "sb-demo",
                "workshopAccessEnabled": True,
                "auditDataAccessEnabled": False,
            }
        ],
    }
    assert isinstance(stored, UserAppAccesses) and stored.user_id == uuid.UUID(uid)
    assert (stored.admin_access_enabled, stored.audit_security_access_enabled) == (False, True)

    again = client.users.app_accesses.get(uid)
    assert last_call(fake).path == f"{ADMIN}/application-accesses/{uid}"
    assert again == stored
    assert (again.instance_accesses or [])[0].workshop_access_enabled is True


# -- errors ---------------------------------------------------------------------------------


def test_nothing_stored_yet_is_not_found(client: welkin.Client, uid: str) -> None:
    for read in (
        client.users.permissions.get,
        client.users.territories.get,
        client.users.app_accesses.get,
    ):
        with pytest.raises(welkin.NotFoundError) as caught:
            read(uid)
        assert caught.value.status_code == 404
        assert caught.value.error_codes == ["NOT_FOUND"]


def test_an_unknown_user_is_not_found(client: welkin.Client) -> None:
    with pytest.raises(welkin.NotFoundError) as caught:
        client.users.territories.replace(MISSING, territories=[])

    assert caught.value.status_code == 404
    assert caught.value.error_codes == ["NOT_FOUND"]


def test_bad_arguments_are_named_before_any_request(
    fake: FakeWelkin, client: welkin.Client, uid: str
) -> None:
    sent = len(fake.requests)
    with pytest.raises(welkin.InvalidArgumentError, match=r"^user_id"):
        client.users.permissions.get("nick.snow")
    with pytest.raises(welkin.InvalidArgumentError, match=r"^territories\.0"):
        client.users.territories.replace(uid, territories=[{"name": "california"}])
    with pytest.raises(welkin.InvalidArgumentError, match=r"^permissions\.0"):
        client.users.permissions.replace(uid, permissions=[{"permissionName": "caregiver"}])
    with pytest.raises(welkin.InvalidArgumentError, match=r"^instance_accesses"):
        client.users.app_accesses.replace(
            uid,
            admin_access_enabled=True,
            audit_security_access_enabled=True,
            instance_accesses=[{"instanceName": "sb-demo"}],
        )
    assert len(fake.requests) == sent


# -- async ----------------------------------------------------------------------------------


async def test_async_replace_and_get(fake: FakeWelkin, uid: str) -> None:
    async with fake.async_client() as client:
        await client.users.permissions.replace(uid, permissions=[ROLE])
        permissions = await client.users.permissions.get(uid)
        await client.users.app_accesses.replace(
            uid,
            admin_access_enabled=True,
            audit_security_access_enabled=False,
            instance_accesses=[],
        )
        accesses = await client.users.app_accesses.get(uid)

    assert [p.permission_name for p in permissions.permissions or []] == ["caregiver"]
    assert accesses.admin_access_enabled is True and accesses.instance_accesses == []
    assert last_call(fake).path == f"{ADMIN}/application-accesses/{uid}"
