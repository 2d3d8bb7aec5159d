"""``client.patients.contacts`` (a patient's related contacts), against the fake. Create's path
is QX's; list, read and update are known only from Welkin's developer guide, and their
docstrings say so."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from support import api_calls, last_call

import welkin
from welkin.testing import FakeWelkin
from welkin.types import Contact

MISSING = "6801d498-26f4-4aee-961b-5daffcf193c8"
PDT_RECORD = "0f8fad5b-d9cb-469f-a165-70867728950e"

# QX's create body as a stored contact with its id, plus a field Welkin might add and a null.
CONTACT: dict[str, Any] = {
    "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "name": "Marta Diaz",
    "phone": "+15555550123",
    "email": None,
    "relationship": "Mother",
    "pdtRecordId": PDT_RECORD,
    "emergency": True,
}


@pytest.fixture
def pid(fake: FakeWelkin) -> str:
    return str(fake.add_patient(firstName="Rosa", lastName="Diaz")["id"])


def contacts_path(pid: str, suffix: str = "") -> str:
    return f"gh/sb-demo/patients/{pid}/contacts{suffix}"


# -- documented shape ----------------------------------------------------------------------


def test_a_contact_dumps_back_exactly_and_is_typed() -> None:
    contact = Contact.model_validate(CONTACT)

    assert contact.to_dict() == CONTACT
    assert contact.id == uuid.UUID(CONTACT["id"])
    assert contact.pdt_record_id == uuid.UUID(PDT_RECORD)
    assert (contact.name, contact.email, contact.relationship) == ("Marta Diaz", None, "Mother")
    assert contact.model_extra == {"emergency": True}


# -- the operations ------------------------------------------------------------------------


def test_create_get_and_update(fake: FakeWelkin, client: welkin.Client, pid: str) -> None:
    created = client.patients.contacts.create(
        pid,
        name="Marta Diaz",
        phone="+15555550123",
        relationship="Mother",
        pdt_record_id=PDT_RECORD,
    )

    call = last_call(fake)
    assert (call.method, call.path, call.query) == ("POST", contacts_path(pid), {})
    assert call.json == {
        "name": "Marta Diaz",
        "phone": "+15555550123",
        "relationship": "Mother",
        "pdtRecordId": PDT_RECORD,
    }
    assert isinstance(created, Contact) and created.name == "Marta Diaz"

    read = client.patients.contacts.get(pid, created.id)
    assert (last_call(fake).method, last_call(fake).path) == (
        "GET",
        contacts_path(pid, f"/{created.id}"),
    )
    assert read == created

    updated = client.patients.contacts.update(
        pid, created.id, email="marta@example.com", phone=None
    )
    call = last_call(fake)
    assert (call.method, call.path) == ("PATCH", contacts_path(pid, f"/{created.id}"))
    assert call.json == {"email": "marta@example.com", "phone": None}
    assert (updated.email, updated.phone, updated.name) == ("marta@example.com", None, "Marta Diaz")


def test_list_pages(fake: FakeWelkin, client: welkin.Client, pid: str) -> None:
    ids = [client.patients.contacts.create(pid, name=f"c{n}").id for n in range(5)]
    before = len(api_calls(fake))

    first = client.patients.contacts.list(pid, size=2)

    assert (last_call(fake).path, last_call(fake).query) == (contacts_path(pid), {"size": "2"})
    pages = list(first.iter_pages())
    assert [len(p.items) for p in pages] == [2, 2, 1]
    assert [c.query.get("page") for c in api_calls(fake)[before:]] == [None, "1", "2"]
    assert [c.id for c in first] == ids


def test_a_bare_array_is_one_page(fake: FakeWelkin, client: welkin.Client, pid: str) -> None:
    """The list's envelope is not documented: an answer without one is read as a last page."""
    fake.fail_next(200, body=[CONTACT], path_contains="/contacts")

    page = client.patients.contacts.list(pid)

    assert [c.name for c in page.items] == ["Marta Diaz"] and not page.has_next_page()
    assert page.to_dict() == [CONTACT]


def test_bad_arguments_are_refused_before_sending(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    client.patients.contacts.list(pid)
    sent = len(fake.requests)

    with pytest.raises(welkin.InvalidArgumentError, match=r"^contact_id"):
        client.patients.contacts.get(pid, "marta")
    with pytest.raises(welkin.InvalidArgumentError, match=r"^pdt_record_id"):
        client.patients.contacts.create(pid, pdt_record_id="record-1")
    with pytest.raises(welkin.InvalidArgumentError, match=r"^name"):
        client.patients.contacts.update(pid, MISSING, name=42)  # type: ignore[arg-type]

    assert len(fake.requests) == sent


def test_missing_patients_and_contacts_are_not_found(client: welkin.Client, pid: str) -> None:
    with pytest.raises(welkin.NotFoundError, match="No patient"):
        client.patients.contacts.create(MISSING, name="x")
    with pytest.raises(welkin.NotFoundError):
        client.patients.contacts.get(pid, MISSING)


def test_only_the_guide_only_paths_say_they_are_unconfirmed(client: welkin.Client) -> None:
    contacts = client.patients.contacts
    for method in (contacts.list, contacts.get, contacts.update):
        (line,) = [ln for ln in (method.__doc__ or "").splitlines() if "Unconfirmed path" in ln]
        assert "client.call()" in line
    assert "Unconfirmed" not in (contacts.create.__doc__ or "")  # QX gives its path


def test_a_corrected_path_is_reachable_with_call(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    """What the docstring points at: the same request, by hand, with auth and errors."""
    created = client.patients.contacts.create(pid, name="Marta")

    raw = client.call("GET", f"{{tenant}}/{{instance}}/patients/{pid}/contacts/{created.id}")

    assert last_call(fake).path == contacts_path(pid, f"/{created.id}")
    assert Contact.model_validate(raw).id == created.id


async def test_async_create_and_list(fake: FakeWelkin, pid: str) -> None:
    async with fake.async_client() as client:
        created = await client.patients.contacts.create(pid, name="Async", relationship="Friend")
        first = await client.patients.contacts.list(pid)
        walked = [c.id async for c in client.patients.contacts.list(pid, size=1)]
        read = await client.patients.contacts.get(pid, created.id)

    assert [c.id for c in first.items] == walked == [created.id]
    assert read.relationship == "Friend"
