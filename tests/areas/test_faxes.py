"""``client.faxes`` (list and read), against the fake. Both paths are known only from Welkin's
developer guide, and each docstring says so; the fax operations whose paths no source gives
(create, update, upload, assign, send) are reached with ``client.call()``."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from support import api_calls, last_call

import welkin
from welkin.testing import FakeWelkin
from welkin.types import Fax

MISSING = "6801d498-26f4-4aee-961b-5daffcf193c8"
FAXES = "gh/sb-demo/faxes"

# No source shows a fax: the assumed fields, fields Welkin might add and a null.
FAX: dict[str, Any] = {
    "id": "f1941755-41d9-4dc7-b3f6-4f23811fba1c",
    "patientId": None,
    "status": "RECEIVED",
    "createdAt": "2026-02-01T10:00:00.000Z",
    "updatedAt": "2026-02-01T10:05:00.000+01:00",
    "pages": 3,
    "fromNumber": "+15555550199",
}


def store(fake: FakeWelkin, count: int) -> list[str]:
    """Faxes arrive from the fax provider; nothing in the known API creates them."""
    return fake.add_records(
        "sb-demo/faxes", ({**FAX, "id": str(uuid.uuid4()), "pages": n} for n in range(count))
    )


def test_a_fax_dumps_back_exactly_and_is_typed() -> None:
    fax = Fax.model_validate(FAX)

    assert fax.to_dict() == FAX  # the offset it came with is kept
    assert (fax.patient_id, fax.status) == (None, "RECEIVED")
    assert fax.updated_at is not None and fax.updated_at.utcoffset() is not None
    assert fax.model_extra == {"pages": 3, "fromNumber": "+15555550199"}


def test_list_sends_sort_and_direction_and_pages(fake: FakeWelkin, client: welkin.Client) -> None:
    ids = store(fake, 3)
    before = len(api_calls(fake))

    first = client.faxes.list(sort="createdAt", direction="DESC", size=2)

    call = last_call(fake)
    assert (call.method, call.path) == ("GET", FAXES)
    assert call.query == {"sort": "createdAt", "direction": "DESC", "size": "2"}
    assert [str(f.id) for f in first] == ids
    assert api_calls(fake)[before + 1].query == {
        "sort": "createdAt",
        "direction": "DESC",
        "size": "2",
        "page": "1",
    }


def test_get_reads_one(fake: FakeWelkin, client: welkin.Client) -> None:
    ids = store(fake, 2)

    fax = client.faxes.get(ids[1])

    assert (last_call(fake).method, last_call(fake).path) == ("GET", f"{FAXES}/{ids[1]}")
    assert isinstance(fax, Fax) and fax.model_extra is not None and fax.model_extra["pages"] == 1
    with pytest.raises(welkin.NotFoundError):
        client.faxes.get(MISSING)


def test_bad_arguments_are_refused_before_sending(fake: FakeWelkin, client: welkin.Client) -> None:
    client.faxes.list()
    sent = len(fake.requests)

    with pytest.raises(welkin.InvalidArgumentError, match=r"^fax_id"):
        client.faxes.get("fax-1")
    with pytest.raises(welkin.InvalidArgumentError, match=r"^direction"):
        client.faxes.list(direction=-1)  # type: ignore[arg-type]

    assert len(fake.requests) == sent


def test_both_methods_say_their_path_is_unconfirmed(client: welkin.Client) -> None:
    for method in (client.faxes.list, client.faxes.get):
        (line,) = [ln for ln in (method.__doc__ or "").splitlines() if "Unconfirmed path" in ln]
        assert "client.call()" in line


async def test_async_list_and_get(fake: FakeWelkin) -> None:
    ids = store(fake, 3)

    async with fake.async_client() as client:
        first = await client.faxes.list(size=2)
        walked = [str(f.id) async for f in client.faxes.list(size=2)]
        fax = await client.faxes.get(ids[0])

    assert len(first.items) == 2 and walked == ids
    assert fax.status == "RECEIVED"
