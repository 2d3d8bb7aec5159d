"""``client.invoices`` and ``client.patients.invoices`` (read only), against the fake. Every path
is known only from Welkin's developer guide, and each docstring says so."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from support import api_calls, last_call

import welkin
from welkin.testing import FakeWelkin
from welkin.types import Invoice

MISSING = "6801d498-26f4-4aee-961b-5daffcf193c8"
INVOICES = "gh/sb-demo/invoices"

# No source shows an invoice: the assumed fields, fields Welkin might add (one nested) and a
# null.
INVOICE: dict[str, Any] = {
    "id": "4a59584c-af30-49c4-8601-b43b4fbeb741",
    "patientId": "ee66e8e8-6ce1-40d3-b6cb-e5727c5347c8",
    "status": "PAID",
    "createdAt": "2024-05-04T19:50:09.808Z",
    "updatedAt": None,
    "total": {"amount": 125.5, "currency": "USD"},
    "lines": [{"cpt": "99213", "amount": 125.5}],
}


@pytest.fixture
def pid(fake: FakeWelkin) -> str:
    return str(fake.add_patient(firstName="Rosa", lastName="Diaz")["id"])


def store(fake: FakeWelkin, path: str, count: int, **fields: Any) -> list[str]:
    """Nothing in the API writes invoices (billing does)."""
    return fake.add_records(
        path, ({**INVOICE, **fields, "id": str(uuid.uuid4())} for _ in range(count))
    )


def test_an_invoice_dumps_back_exactly_and_is_typed() -> None:
    invoice = Invoice.model_validate(INVOICE)

    assert invoice.to_dict() == INVOICE
    assert invoice.patient_id == uuid.UUID(INVOICE["patientId"])
    assert (invoice.status, invoice.updated_at) == ("PAID", None)
    assert invoice.model_extra is not None and invoice.model_extra["total"]["currency"] == "USD"


def test_list_pages_and_get_reads_one(fake: FakeWelkin, client: welkin.Client) -> None:
    ids = store(fake, "sb-demo/invoices", 3)
    before = len(api_calls(fake))

    first = client.invoices.list(size=2, page=0)

    call = last_call(fake)
    assert (call.method, call.path, call.query) == ("GET", INVOICES, {"size": "2", "page": "0"})
    assert [str(i.id) for i in first] == ids
    assert [c.query for c in api_calls(fake)[before:]] == [
        {"size": "2", "page": "0"},
        {"size": "2", "page": "1"},
    ]

    invoice = client.invoices.get(ids[1])
    assert (last_call(fake).method, last_call(fake).path) == ("GET", f"{INVOICES}/{ids[1]}")
    assert isinstance(invoice, Invoice) and str(invoice.id) == ids[1]
    with pytest.raises(welkin.NotFoundError):
        client.invoices.get(MISSING)


def test_a_patients_invoices(fake: FakeWelkin, client: welkin.Client, pid: str) -> None:
    ids = store(fake, f"sb-demo/patients/{pid}/invoices", 2, patientId=pid)

    page = client.patients.invoices.list(pid)

    call = last_call(fake)
    assert (call.method, call.path, call.query) == (
        "GET",
        f"gh/sb-demo/patients/{pid}/invoices",
        {},
    )
    assert [str(i.id) for i in page.items] == ids and not page.has_next_page()
    assert {str(i.patient_id) for i in page.items} == {pid}
    with pytest.raises(welkin.NotFoundError, match="No patient"):
        client.patients.invoices.list(MISSING)


def test_bad_arguments_are_refused_before_sending(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    client.invoices.list()
    sent = len(fake.requests)

    with pytest.raises(welkin.InvalidArgumentError, match=r"^invoice_id"):
        client.invoices.get("INV-1")
    with pytest.raises(welkin.InvalidArgumentError, match=r"^size"):
        client.patients.invoices.list(pid, size=True)  # a bool is not a page size

    assert len(fake.requests) == sent


def test_every_method_says_its_path_is_unconfirmed(client: welkin.Client) -> None:
    for method in (client.invoices.list, client.invoices.get, client.patients.invoices.list):
        (line,) = [ln for ln in (method.__doc__ or "").splitlines() if "Unconfirmed path" in ln]
        assert "client.call()" in line


async def test_async_list_and_get(fake: FakeWelkin, pid: str) -> None:
    (invoice_id,) = store(fake, "sb-demo/invoices", 1)
    store(fake, f"sb-demo/patients/{pid}/invoices", 1)

    async with fake.async_client() as client:
        listed = [str(i.id) async for i in client.invoices.list()]
        invoice = await client.invoices.get(invoice_id)
        mine = await client.patients.invoices.list(pid)

    assert listed == [invoice_id] and invoice.status == "PAID"
    assert len(mine.items) == 1
